// EVPN route type 5, IP Prefix, RFC 9136 section 3.1:
//
//   +---------------------------------------+
//   |      RD (8 octets)                    |
//   +---------------------------------------+
//   |Ethernet Segment Identifier (10 octets)|
//   +---------------------------------------+
//   |  Ethernet Tag ID (4 octets)           |
//   +---------------------------------------+
//   |  IP Prefix Length (1 octet, 0 to 32)  |   0 to 128 for IPv6
//   +---------------------------------------+
//   |  IP Prefix (4 or 16 octets)           |
//   +---------------------------------------+
//   |  GW IP Address (4 or 16 octets)       |
//   +---------------------------------------+
//   |  MPLS Label (3 octets)                |   L3 VNI under VXLAN (RFC 8365 5.1.3)
//   +---------------------------------------+
//
// The route length is 34 (IPv4) or 58 (IPv6) octets; RFC 9136 3.1 says other lengths are errors. The
// prefix field is always the full address size; its bits past the prefix length are kept as given.
import { type EvpnLabel, readEvpnLabel, writeEvpnLabel } from '../../evpn-label.js';
import { type RouteDistinguisher, readRd, writeRd } from '../../rd.js';
import { formatEsi, writeEsi } from '../../text.js';
import { formatIpv4, formatIpv6, readPrefixText, writeIpv4, writeIpv6 } from '../address.js';
import { checkUint, encodeFail, malformed, type NlriContext } from '../common.js';
import { readU32, writeU32 } from './ethernet-ad.js';

export interface EvpnIpPrefixRoute {
  type: 'evpn-ip-prefix';
  routeType: 5;
  rd: RouteDistinguisher;
  esi: string;
  ethernetTag: number;
  /** `10.10.10.0/24` or `2001:db8:10::/64`. */
  prefix: string;
  /** Gateway IP of the prefix's family; `0.0.0.0` / `::` when there is no gateway overlay index. */
  gateway: string;
  label: EvpnLabel;
  pathId?: number;
}

/** Reads a type-5 route value of `len` octets at `o`. */
export function readIpPrefix(ctx: NlriContext, buf: Uint8Array, o: number, len: number): EvpnIpPrefixRoute {
  if (len !== 34 && len !== 58)
    malformed(ctx, 'length', o - 1, `IP prefix route length ${len} is not 34 or 58`);
  const v6 = len === 58;
  const plen = buf[o + 22]!;
  if (plen > (v6 ? 128 : 32)) malformed(ctx, 'prefixLength', o + 22, `prefix length ${plen}`);
  const a = v6 ? 16 : 4;
  return {
    type: 'evpn-ip-prefix',
    routeType: 5,
    rd: readRd(buf, o),
    esi: formatEsi(buf, o + 8),
    ethernetTag: readU32(buf, o + 18),
    prefix: `${v6 ? formatIpv6(buf, o + 23, 16) : formatIpv4(buf, o + 23)}/${plen}`,
    gateway: v6 ? formatIpv6(buf, o + 23 + a, 16) : formatIpv4(buf, o + 23 + a),
    label: readEvpnLabel(buf, o + 23 + 2 * a),
  };
}

/** Length of the type-5 route value. */
export function ipPrefixLength(r: EvpnIpPrefixRoute): number {
  return r.prefix.includes(':') ? 58 : 34;
}

const addr = new Uint8Array(16);

/** Writes the type-5 route value at `o`; returns its length. */
export function writeIpPrefix(ctx: NlriContext, r: EvpnIpPrefixRoute, buf: Uint8Array, o: number): number {
  const v6 = r.prefix.includes(':');
  const a = v6 ? 16 : 4;
  writeRd(r.rd, buf, o);
  try {
    writeEsi(r.esi, buf, o + 8);
  } catch {
    encodeFail(ctx, 'esi', `not an ESI: ${r.esi}`);
  }
  checkUint(ctx, 'ethernetTag', r.ethernetTag, 0xffffffff);
  writeU32(buf, o + 18, r.ethernetTag);
  const plen = readPrefixText(r.prefix, v6, addr);
  if (plen < 0) encodeFail(ctx, 'prefix', `not a prefix: ${r.prefix}`);
  buf[o + 22] = plen;
  for (let i = 0; i < a; i++) buf[o + 23 + i] = addr[i]!;
  const ok = v6 ? writeIpv6(r.gateway, buf, o + 23 + a) : writeIpv4(r.gateway, buf, o + 23 + a);
  if (!ok) encodeFail(ctx, 'gateway', `not an ${v6 ? 'IPv6' : 'IPv4'} address: ${r.gateway}`);
  writeEvpnLabel(r.label, buf, o + 23 + 2 * a);
  return 23 + 2 * a + 3;
}
