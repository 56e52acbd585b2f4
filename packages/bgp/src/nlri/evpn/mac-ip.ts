// EVPN route type 2, MAC/IP Advertisement, RFC 7432 section 7.2:
//
//   +---------------------------------------+
//   |  RD (8 octets)                        |
//   +---------------------------------------+
//   |Ethernet Segment Identifier (10 octets)|
//   +---------------------------------------+
//   |  Ethernet Tag ID (4 octets)           |
//   +---------------------------------------+
//   |  MAC Address Length (1 octet)         |   48
//   +---------------------------------------+
//   |  MAC Address (6 octets)               |
//   +---------------------------------------+
//   |  IP Address Length (1 octet)          |   0, 32 or 128
//   +---------------------------------------+
//   |  IP Address (0, 4, or 16 octets)      |
//   +---------------------------------------+
//   |  MPLS Label1 (3 octets)               |   L2 VNI under VXLAN (RFC 8365 5.1.3)
//   +---------------------------------------+
//   |  MPLS Label2 (0 or 3 octets)          |   L3 VNI for symmetric IRB (RFC 9135 5.1)
//   +---------------------------------------+
import { type EvpnLabel, readEvpnLabel, writeEvpnLabel } from '../../evpn-label.js';
import { type RouteDistinguisher, readRd, writeRd } from '../../rd.js';
import { formatEsi, formatMac, writeEsi, writeMac } from '../../text.js';
import { formatIpv4, formatIpv6, writeIpv4, writeIpv6 } from '../address.js';
import { checkUint, encodeFail, malformed, type NlriContext } from '../common.js';
import { readU32, writeU32 } from './ethernet-ad.js';

export interface EvpnMacIpRoute {
  type: 'evpn-mac-ip';
  routeType: 2;
  rd: RouteDistinguisher;
  esi: string;
  ethernetTag: number;
  /** `02:00:00:00:01:01`. */
  mac: string;
  /** The IPv4 or IPv6 address, absent when the IP Address Length is 0. */
  ip?: string;
  label1: EvpnLabel;
  label2?: EvpnLabel;
  pathId?: number;
}

/** Reads a type-2 route value of `len` octets at `o`. */
export function readMacIp(ctx: NlriContext, buf: Uint8Array, o: number, len: number): EvpnMacIpRoute {
  if (len < 33) malformed(ctx, 'length', o - 1, `MAC/IP route length ${len} is below 33`);
  if (buf[o + 22] !== 48) malformed(ctx, 'macLength', o + 22, `MAC address length ${buf[o + 22]} is not 48`);
  const ipBits = buf[o + 29]!;
  if (ipBits !== 0 && ipBits !== 32 && ipBits !== 128)
    malformed(ctx, 'ipLength', o + 29, `IP address length ${ipBits}`);
  const ipLen = ipBits >> 3;
  const rest = len - 30 - ipLen;
  if (rest !== 3 && rest !== 6)
    malformed(ctx, 'length', o - 1, `MAC/IP route length ${len} does not fit its fields`);
  const l = o + 30 + ipLen;
  const r: EvpnMacIpRoute = {
    type: 'evpn-mac-ip',
    routeType: 2,
    rd: readRd(buf, o),
    esi: formatEsi(buf, o + 8),
    ethernetTag: readU32(buf, o + 18),
    mac: formatMac(buf, o + 23),
    label1: readEvpnLabel(buf, l),
  };
  if (ipLen === 4) r.ip = formatIpv4(buf, o + 30);
  else if (ipLen === 16) r.ip = formatIpv6(buf, o + 30, 16);
  if (rest === 6) r.label2 = readEvpnLabel(buf, l + 3);
  return r;
}

/** Length of the type-2 route value. */
export function macIpLength(r: EvpnMacIpRoute): number {
  const ipLen = r.ip === undefined ? 0 : r.ip.includes(':') ? 16 : 4;
  return 33 + ipLen + (r.label2 ? 3 : 0);
}

/** Writes the type-2 route value at `o`; returns its length. */
export function writeMacIp(ctx: NlriContext, r: EvpnMacIpRoute, buf: Uint8Array, o: number): number {
  writeRd(r.rd, buf, o);
  try {
    writeEsi(r.esi, buf, o + 8);
    writeMac(r.mac, buf, o + 23);
  } catch {
    encodeFail(ctx, 'mac', `not an ESI / MAC: ${r.esi} ${r.mac}`);
  }
  checkUint(ctx, 'ethernetTag', r.ethernetTag, 0xffffffff);
  writeU32(buf, o + 18, r.ethernetTag);
  buf[o + 22] = 48;
  let p = o + 30;
  const ip = r.ip;
  if (ip === undefined) buf[o + 29] = 0;
  else if (writeIpv4(ip, buf, p)) {
    // IPv4 text has no colon, so this is the family `macIpLength` chose.
    buf[o + 29] = 32;
    p += 4;
  } else if (ip.includes(':')) {
    buf[o + 29] = 128;
    if (!writeIpv6(ip, buf, p)) encodeFail(ctx, 'ip', `not an IPv6 address: ${ip}`);
    p += 16;
  } else encodeFail(ctx, 'ip', `not an IPv4 address: ${ip}`);
  writeEvpnLabel(r.label1, buf, p);
  p += 3;
  if (r.label2) {
    writeEvpnLabel(r.label2, buf, p);
    p += 3;
  }
  return p - o;
}
