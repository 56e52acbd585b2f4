// EVPN NLRI (AFI 25 L2VPN, SAFI 70), RFC 7432 section 7, with add-path (RFC 7911):
//
//   +-----------------------------------+
//   |  Path Identifier (4 octets)       |   only with add-path
//   +-----------------------------------+
//   |    Route Type (1 octet)           |
//   +-----------------------------------+
//   |     Length (1 octet)              |
//   +-----------------------------------+
//   | Route Type specific (variable)    |
//   +-----------------------------------+
//
// Route types 1-4 (RFC 7432 7.1-7.4) and 5 (RFC 9136 3.1) each have their own file; other route types
// are kept as their value octets.
import { checkUint, encodeFail, type NlriContext, readPathId, truncated, writePathId } from '../common.js';
import {
  ETHERNET_AD_LENGTH,
  type EvpnEthernetAdRoute,
  readEthernetAd,
  writeEthernetAd,
} from './ethernet-ad.js';
import {
  type EvpnEthernetSegmentRoute,
  ethernetSegmentLength,
  readEthernetSegment,
  writeEthernetSegment,
} from './ethernet-segment.js';
import {
  type EvpnInclusiveMulticastRoute,
  inclusiveMulticastLength,
  readInclusiveMulticast,
  writeInclusiveMulticast,
} from './inclusive-multicast.js';
import { type EvpnIpPrefixRoute, ipPrefixLength, readIpPrefix, writeIpPrefix } from './ip-prefix.js';
import { type EvpnMacIpRoute, macIpLength, readMacIp, writeMacIp } from './mac-ip.js';

export type {
  EvpnEthernetAdRoute,
  EvpnEthernetSegmentRoute,
  EvpnInclusiveMulticastRoute,
  EvpnIpPrefixRoute,
  EvpnMacIpRoute,
};

/** An EVPN route type this library does not know, kept as its value octets. */
export interface EvpnUnknownRoute {
  type: 'evpn-unknown';
  routeType: number;
  bytes: Uint8Array;
  pathId?: number;
}

export type EvpnRoute =
  | EvpnEthernetAdRoute
  | EvpnMacIpRoute
  | EvpnInclusiveMulticastRoute
  | EvpnEthernetSegmentRoute
  | EvpnIpPrefixRoute
  | EvpnUnknownRoute;

/** RFC 7432 / RFC 9136 route type numbers. */
export const EvpnRouteType = {
  EthernetAd: 1,
  MacIp: 2,
  InclusiveMulticast: 3,
  EthernetSegment: 4,
  IpPrefix: 5,
} as const;

/** Decodes EVPN NLRI in [offset, end) into `out`. */
export function decodeEvpn(
  ctx: NlriContext,
  buf: Uint8Array,
  offset: number,
  end: number,
  out: EvpnRoute[],
): void {
  let o = offset;
  while (o < end) {
    let pathId = 0;
    if (ctx.addPath) {
      pathId = readPathId(ctx, buf, o, end);
      o += 4;
    }
    if (o + 2 > end) truncated(ctx, 'routeType', o, 2, end);
    const rt = buf[o]!;
    const len = buf[o + 1]!;
    const v = o + 2;
    if (v + len > end) truncated(ctx, 'length', o + 1, len, end);
    let r: EvpnRoute;
    switch (rt) {
      case 1:
        r = readEthernetAd(ctx, buf, v, len);
        break;
      case 2:
        r = readMacIp(ctx, buf, v, len);
        break;
      case 3:
        r = readInclusiveMulticast(ctx, buf, v, len);
        break;
      case 4:
        r = readEthernetSegment(ctx, buf, v, len);
        break;
      case 5:
        r = readIpPrefix(ctx, buf, v, len);
        break;
      default:
        r = { type: 'evpn-unknown', routeType: rt, bytes: buf.slice(v, v + len) };
    }
    if (ctx.addPath) r.pathId = pathId;
    out.push(r);
    o = v + len;
  }
}

/** Length of the route-type-specific value of `r`. */
function valueLength(ctx: NlriContext, r: EvpnRoute): number {
  switch (r.type) {
    case 'evpn-ethernet-ad':
      return ETHERNET_AD_LENGTH;
    case 'evpn-mac-ip':
      return macIpLength(r);
    case 'evpn-inclusive-multicast':
      return inclusiveMulticastLength(r);
    case 'evpn-ethernet-segment':
      return ethernetSegmentLength(r);
    case 'evpn-ip-prefix':
      return ipPrefixLength(r);
    case 'evpn-unknown':
      if (r.bytes.length > 255) encodeFail(ctx, 'bytes', 'an EVPN route value is at most 255 octets');
      return r.bytes.length;
    default:
      return encodeFail(ctx, 'type', `not an EVPN route: ${String((r as { type: unknown }).type)}`);
  }
}

/** Bytes one EVPN NLRI takes. */
export function evpnLength(ctx: NlriContext, r: EvpnRoute): number {
  return (ctx.addPath ? 4 : 0) + 2 + valueLength(ctx, r);
}

/** Writes one EVPN NLRI at `o`; returns the offset after it. */
export function writeEvpn(ctx: NlriContext, r: EvpnRoute, buf: Uint8Array, o: number): number {
  if (ctx.addPath) {
    writePathId(ctx, r.pathId, buf, o);
    o += 4;
  }
  const v = o + 2;
  let len: number;
  switch (r.type) {
    case 'evpn-ethernet-ad':
      buf[o] = 1;
      len = writeEthernetAd(ctx, r, buf, v);
      break;
    case 'evpn-mac-ip':
      buf[o] = 2;
      len = writeMacIp(ctx, r, buf, v);
      break;
    case 'evpn-inclusive-multicast':
      buf[o] = 3;
      len = writeInclusiveMulticast(ctx, r, buf, v);
      break;
    case 'evpn-ethernet-segment':
      buf[o] = 4;
      len = writeEthernetSegment(ctx, r, buf, v);
      break;
    case 'evpn-ip-prefix':
      buf[o] = 5;
      len = writeIpPrefix(ctx, r, buf, v);
      break;
    case 'evpn-unknown':
      checkUint(ctx, 'routeType', r.routeType, 255);
      if (r.routeType >= 1 && r.routeType <= 5)
        encodeFail(ctx, 'routeType', `type ${r.routeType} has a typed form`);
      if (r.bytes.length > 255) encodeFail(ctx, 'bytes', 'an EVPN route value is at most 255 octets');
      buf[o] = r.routeType;
      buf.set(r.bytes, v);
      len = r.bytes.length;
      break;
    default:
      return encodeFail(ctx, 'type', `not an EVPN route: ${String((r as { type: unknown }).type)}`);
  }
  buf[o + 1] = len;
  return v + len;
}
