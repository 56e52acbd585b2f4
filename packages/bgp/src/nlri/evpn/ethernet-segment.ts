// EVPN route type 4, Ethernet Segment, RFC 7432 section 7.4:
//
//   +---------------------------------------+
//   |  RD (8 octets)                        |
//   +---------------------------------------+
//   |Ethernet Segment Identifier (10 octets)|
//   +---------------------------------------+
//   |  IP Address Length (1 octet)          |   32 or 128
//   +---------------------------------------+
//   |  Originating Router's IP Address      |
//   |          (4 or 16 octets)             |
//   +---------------------------------------+
import { type RouteDistinguisher, readRd, writeRd } from '../../rd.js';
import { formatEsi, writeEsi } from '../../text.js';
import { formatIpv4, formatIpv6, writeIpv4, writeIpv6 } from '../address.js';
import { encodeFail, malformed, type NlriContext } from '../common.js';

export interface EvpnEthernetSegmentRoute {
  type: 'evpn-ethernet-segment';
  routeType: 4;
  rd: RouteDistinguisher;
  esi: string;
  originator: string;
  pathId?: number;
}

/** Reads a type-4 route value of `len` octets at `o`. */
export function readEthernetSegment(
  ctx: NlriContext,
  buf: Uint8Array,
  o: number,
  len: number,
): EvpnEthernetSegmentRoute {
  if (len < 19) malformed(ctx, 'length', o - 1, `Ethernet segment route length ${len} is below 19`);
  const bits = buf[o + 18]!;
  if ((bits !== 32 && bits !== 128) || len !== 19 + (bits >> 3)) {
    malformed(ctx, 'ipLength', o + 18, `IP address length ${bits} with route length ${len}`);
  }
  return {
    type: 'evpn-ethernet-segment',
    routeType: 4,
    rd: readRd(buf, o),
    esi: formatEsi(buf, o + 8),
    originator: bits === 32 ? formatIpv4(buf, o + 19) : formatIpv6(buf, o + 19, 16),
  };
}

/** Length of the type-4 route value. */
export function ethernetSegmentLength(r: EvpnEthernetSegmentRoute): number {
  return 19 + (r.originator.includes(':') ? 16 : 4);
}

/** Writes the type-4 route value at `o`; returns its length. */
export function writeEthernetSegment(
  ctx: NlriContext,
  r: EvpnEthernetSegmentRoute,
  buf: Uint8Array,
  o: number,
): number {
  writeRd(r.rd, buf, o);
  try {
    writeEsi(r.esi, buf, o + 8);
  } catch {
    encodeFail(ctx, 'esi', `not an ESI: ${r.esi}`);
  }
  const v6 = r.originator.includes(':');
  buf[o + 18] = v6 ? 128 : 32;
  const ok = v6 ? writeIpv6(r.originator, buf, o + 19) : writeIpv4(r.originator, buf, o + 19);
  if (!ok) encodeFail(ctx, 'originator', `not an IP address: ${r.originator}`);
  return 19 + (v6 ? 16 : 4);
}
