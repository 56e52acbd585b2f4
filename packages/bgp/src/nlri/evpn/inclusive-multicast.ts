// EVPN route type 3, Inclusive Multicast Ethernet Tag, RFC 7432 section 7.3:
//
//   +---------------------------------------+
//   |  RD (8 octets)                        |
//   +---------------------------------------+
//   |  Ethernet Tag ID (4 octets)           |
//   +---------------------------------------+
//   |  IP Address Length (1 octet)          |   32 or 128
//   +---------------------------------------+
//   |  Originating Router's IP Address      |
//   |          (4 or 16 octets)             |
//   +---------------------------------------+
//
// The tunnel (and, under VXLAN, the VNI) is in the PMSI Tunnel attribute (RFC 6514 5, RFC 8365 5.1.3).
import { type RouteDistinguisher, readRd, writeRd } from '../../rd.js';
import { formatIpv4, formatIpv6, writeIpv4, writeIpv6 } from '../address.js';
import { checkUint, encodeFail, malformed, type NlriContext } from '../common.js';
import { readU32, writeU32 } from './ethernet-ad.js';

export interface EvpnInclusiveMulticastRoute {
  type: 'evpn-inclusive-multicast';
  routeType: 3;
  rd: RouteDistinguisher;
  ethernetTag: number;
  /** Originating router's IPv4 or IPv6 address. */
  originator: string;
  pathId?: number;
}

/** Reads a type-3 route value of `len` octets at `o`. */
export function readInclusiveMulticast(
  ctx: NlriContext,
  buf: Uint8Array,
  o: number,
  len: number,
): EvpnInclusiveMulticastRoute {
  if (len < 13) malformed(ctx, 'length', o - 1, `inclusive multicast route length ${len} is below 13`);
  const bits = buf[o + 12]!;
  if ((bits !== 32 && bits !== 128) || len !== 13 + (bits >> 3)) {
    malformed(ctx, 'ipLength', o + 12, `IP address length ${bits} with route length ${len}`);
  }
  return {
    type: 'evpn-inclusive-multicast',
    routeType: 3,
    rd: readRd(buf, o),
    ethernetTag: readU32(buf, o + 8),
    originator: bits === 32 ? formatIpv4(buf, o + 13) : formatIpv6(buf, o + 13, 16),
  };
}

/** Length of the type-3 route value. */
export function inclusiveMulticastLength(r: EvpnInclusiveMulticastRoute): number {
  return 13 + (r.originator.includes(':') ? 16 : 4);
}

/** Writes the type-3 route value at `o`; returns its length. */
export function writeInclusiveMulticast(
  ctx: NlriContext,
  r: EvpnInclusiveMulticastRoute,
  buf: Uint8Array,
  o: number,
): number {
  writeRd(r.rd, buf, o);
  checkUint(ctx, 'ethernetTag', r.ethernetTag, 0xffffffff);
  writeU32(buf, o + 8, r.ethernetTag);
  const v6 = r.originator.includes(':');
  buf[o + 12] = v6 ? 128 : 32;
  const ok = v6 ? writeIpv6(r.originator, buf, o + 13) : writeIpv4(r.originator, buf, o + 13);
  if (!ok) encodeFail(ctx, 'originator', `not an IP address: ${r.originator}`);
  return 13 + (v6 ? 16 : 4);
}
