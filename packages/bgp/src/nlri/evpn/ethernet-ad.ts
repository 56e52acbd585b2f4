// EVPN route type 1, Ethernet Auto-discovery, RFC 7432 section 7.1:
//
//   +---------------------------------------+
//   |  Route Distinguisher (RD) (8 octets)  |
//   +---------------------------------------+
//   |Ethernet Segment Identifier (10 octets)|
//   +---------------------------------------+
//   |  Ethernet Tag ID (4 octets)           |
//   +---------------------------------------+
//   |  MPLS Label (3 octets)                |   a VNI under VXLAN (RFC 8365 5.1.3)
//   +---------------------------------------+
import type { EvpnLabel } from '../../evpn-label.js';
import { readEvpnLabel, writeEvpnLabel } from '../../evpn-label.js';
import { type RouteDistinguisher, readRd, writeRd } from '../../rd.js';
import { formatEsi, writeEsi } from '../../text.js';
import { checkUint, encodeFail, malformed, type NlriContext } from '../common.js';

export interface EvpnEthernetAdRoute {
  type: 'evpn-ethernet-ad';
  routeType: 1;
  rd: RouteDistinguisher;
  /** 10 octets, `00:11:22:33:44:55:66:77:88:99`. */
  esi: string;
  /** 0xffffffff (MAX-ET) for the per-ES route (RFC 7432 8.2). */
  ethernetTag: number;
  label: EvpnLabel;
  pathId?: number;
}

export const ETHERNET_AD_LENGTH = 25;

/** Reads a type-1 route value of `len` octets at `o`. */
export function readEthernetAd(
  ctx: NlriContext,
  buf: Uint8Array,
  o: number,
  len: number,
): EvpnEthernetAdRoute {
  if (len !== ETHERNET_AD_LENGTH)
    malformed(ctx, 'length', o - 1, `Ethernet A-D route length ${len} is not 25`);
  return {
    type: 'evpn-ethernet-ad',
    routeType: 1,
    rd: readRd(buf, o),
    esi: formatEsi(buf, o + 8),
    ethernetTag: ((buf[o + 18]! << 24) | (buf[o + 19]! << 16) | (buf[o + 20]! << 8) | buf[o + 21]!) >>> 0,
    label: readEvpnLabel(buf, o + 22),
  };
}

/** Writes the type-1 route value at `o`; returns its length. */
export function writeEthernetAd(
  ctx: NlriContext,
  r: EvpnEthernetAdRoute,
  buf: Uint8Array,
  o: number,
): number {
  writeRd(r.rd, buf, o);
  try {
    writeEsi(r.esi, buf, o + 8);
  } catch {
    encodeFail(ctx, 'esi', `not an ESI: ${r.esi}`);
  }
  checkUint(ctx, 'ethernetTag', r.ethernetTag, 0xffffffff);
  writeU32(buf, o + 18, r.ethernetTag);
  writeEvpnLabel(r.label, buf, o + 22);
  return ETHERNET_AD_LENGTH;
}

/** Big-endian 32-bit write, shared by the route type files. */
export function writeU32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = v >>> 24;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

/** Big-endian 32-bit read, shared by the route type files. */
export function readU32(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
}
