// NLRI of every address family, by AFI/SAFI (RFC 4760 section 5 for MP_REACH/MP_UNREACH; RFC 4271 4.3
// for the UPDATE's own IPv4 unicast fields). Each family has its own file; this one dispatches.
//
//   AFI 1/2  SAFI 1/2    prefix.ts    IPv4/IPv6 unicast and multicast (RFC 4271, 4760)
//   AFI 1/2  SAFI 4      labeled.ts   labeled unicast (RFC 8277)
//   AFI 1/2  SAFI 128    vpn.ts       VPNv4/VPNv6 (RFC 4364, 4659)
//   AFI 1    SAFI 132    rtc.ts       route target membership (RFC 4684)
//   AFI 25   SAFI 70     evpn/        EVPN route types 1-5 (RFC 7432, 9136)
//   other                kept as one `{ type: 'unknown', bytes }`
//
// With add-path (RFC 7911) each NLRI is preceded by a 4-octet path identifier.
import { Afi, type Family, Safi } from '../afi-safi.js';
import { encodeFail, type NlriContext, nlriContext, truncated } from './common.js';
import { decodeEvpn, type EvpnRoute, evpnLength, writeEvpn } from './evpn/index.js';
import { decodeLabeled, type LabeledNlri, labeledLength, writeLabeled } from './labeled.js';
import { decodePrefixes, type PrefixNlri, prefixLength, writePrefix } from './prefix.js';
import { decodeRtc, type RtcNlri, rtcLength, writeRtc } from './rtc.js';
import { decodeVpn, type VpnNlri, vpnLength, writeVpn } from './vpn.js';

/** NLRI of a family this library does not parse: the bytes between offset and end, unsplit. */
export interface UnknownNlri {
  type: 'unknown';
  bytes: Uint8Array;
}

/** Every NLRI, told apart by `type`. */
export type Nlri = PrefixNlri | LabeledNlri | VpnNlri | RtcNlri | EvpnRoute | UnknownNlri;

type Kind = 'prefix' | 'labeled' | 'vpn' | 'rtc' | 'evpn' | 'unknown';

function kindOf(f: Family): Kind {
  if (f.afi === Afi.IPv4 || f.afi === Afi.IPv6) {
    if (f.safi === Safi.Unicast || f.safi === Safi.Multicast) return 'prefix';
    if (f.safi === Safi.Labeled) return 'labeled';
    if (f.safi === Safi.MplsVpn) return 'vpn';
    if (f.safi === Safi.RouteTargetConstraint && f.afi === Afi.IPv4) return 'rtc';
  }
  if (f.afi === Afi.L2VPN && f.safi === Safi.Evpn) return 'evpn';
  return 'unknown';
}

/**
 * Decodes the NLRI in `buf` between `offset` and `end` for `family`. Throws TruncatedError when an NLRI
 * runs past `end` (or `end` past the buffer) and MalformedError for values the RFCs do not allow, both
 * with layer `nlri:<family>`, the field and the offset.
 */
export function decodeNlri(
  family: Family,
  buf: Uint8Array,
  offset: number,
  end: number,
  opts: { addPath: boolean },
): Nlri[] {
  const ctx = nlriContext(family, opts.addPath);
  if (offset < 0 || end < offset) truncated(ctx, 'length', offset, 0, end);
  if (end > buf.length) truncated(ctx, 'length', offset, end - offset, buf.length);
  const out: Nlri[] = [];
  const ipv6 = family.afi === Afi.IPv6;
  switch (kindOf(family)) {
    case 'prefix':
      decodePrefixes(ctx, ipv6, buf, offset, end, out as PrefixNlri[]);
      break;
    case 'labeled':
      decodeLabeled(ctx, ipv6, buf, offset, end, out as LabeledNlri[]);
      break;
    case 'vpn':
      decodeVpn(ctx, ipv6, buf, offset, end, out as VpnNlri[]);
      break;
    case 'rtc':
      decodeRtc(ctx, buf, offset, end, out as RtcNlri[]);
      break;
    case 'evpn':
      decodeEvpn(ctx, buf, offset, end, out as EvpnRoute[]);
      break;
    default:
      if (end > offset) out.push({ type: 'unknown', bytes: buf.slice(offset, end) });
  }
  return out;
}

function mismatch(ctx: NlriContext, n: Nlri): never {
  return encodeFail(
    ctx,
    'type',
    `a ${String((n as { type: unknown }).type)} NLRI does not belong to this family`,
  );
}

function oneLength(ctx: NlriContext, kind: Kind, ipv6: boolean, n: Nlri): number {
  switch (kind) {
    case 'prefix':
      return n.type === 'prefix' ? prefixLength(ctx, ipv6, n) : mismatch(ctx, n);
    case 'labeled':
      return n.type === 'labeled' ? labeledLength(ctx, ipv6, n) : mismatch(ctx, n);
    case 'vpn':
      return n.type === 'vpn' ? vpnLength(ctx, ipv6, n) : mismatch(ctx, n);
    case 'rtc':
      return n.type === 'rtc' ? rtcLength(ctx, n) : mismatch(ctx, n);
    case 'evpn':
      return n.type.startsWith('evpn-') ? evpnLength(ctx, n as EvpnRoute) : mismatch(ctx, n);
    default:
      return n.type === 'unknown' ? n.bytes.length : mismatch(ctx, n);
  }
}

/** Bytes `encodeNlri(family, nlri, opts)` produces. */
export function nlriEncodingLength(
  family: Family,
  nlri: readonly Nlri[],
  opts: { addPath: boolean },
): number {
  const ctx = nlriContext(family, opts.addPath);
  const kind = kindOf(family);
  const ipv6 = family.afi === Afi.IPv6;
  let total = 0;
  for (let i = 0; i < nlri.length; i++) total += oneLength(ctx, kind, ipv6, nlri[i]!);
  return total;
}

/** Writes one NLRI of a `kind` family at `o`; returns the offset after it. */
function writeOne(ctx: NlriContext, kind: Kind, ipv6: boolean, n: Nlri, buf: Uint8Array, o: number): number {
  switch (kind) {
    case 'prefix':
      return n.type === 'prefix' ? writePrefix(ctx, ipv6, n, buf, o) : mismatch(ctx, n);
    case 'labeled':
      return n.type === 'labeled' ? writeLabeled(ctx, ipv6, n, buf, o) : mismatch(ctx, n);
    case 'vpn':
      return n.type === 'vpn' ? writeVpn(ctx, ipv6, n, buf, o) : mismatch(ctx, n);
    case 'rtc':
      return n.type === 'rtc' ? writeRtc(ctx, n, buf, o) : mismatch(ctx, n);
    case 'evpn':
      return n.type.startsWith('evpn-') ? writeEvpn(ctx, n as EvpnRoute, buf, o) : mismatch(ctx, n);
    default:
      if (n.type !== 'unknown') mismatch(ctx, n);
      buf.set(n.bytes, o);
      return o + n.bytes.length;
  }
}

/**
 * Writes `nlri` for `family` into `buf` at `offset` (which must have `nlriEncodingLength` bytes of room);
 * returns the offset after the last NLRI. Throws EncodeError for values that do not fit their fields.
 */
export function encodeNlriInto(
  family: Family,
  nlri: readonly Nlri[],
  opts: { addPath: boolean },
  buf: Uint8Array,
  offset: number,
): number {
  const ctx = nlriContext(family, opts.addPath);
  const kind = kindOf(family);
  const ipv6 = family.afi === Afi.IPv6;
  let o = offset;
  for (let i = 0; i < nlri.length; i++) o = writeOne(ctx, kind, ipv6, nlri[i]!, buf, o);
  return o;
}

/**
 * The most bytes one NLRI of a parsed family can take: every writer refuses a value whose length field
 * would not fit (a prefix or VPN/labeled length octet of at most 255 bits, an EVPN value of at most 255
 * octets, an RTC prefix of at most 96 bits), so an NLRI never runs past this bound.
 */
function maxOne(kind: Kind, addPath: boolean): number {
  const id = addPath ? 4 : 0;
  switch (kind) {
    case 'prefix':
      return id + 1 + 16;
    case 'labeled':
    case 'vpn':
      return id + 1 + 32;
    case 'rtc':
      return id + 1 + 12;
    default:
      return id + 2 + 255;
  }
}

/** Buffers at most this large are kept between calls of `encodeNlri`. */
const KEEP = 1 << 20;
let work = new Uint8Array(16384);

/**
 * Encodes `nlri` for `family`: the bytes of an MP_REACH/MP_UNREACH NLRI field (or the UPDATE's).
 * Each NLRI is read (its text parsed) once: they are written into a reused work buffer, grown as needed,
 * and the result is a copy of the bytes written. Every writer sets every octet of its NLRI, so bytes left
 * in the work buffer by an earlier call never reach the result.
 */
export function encodeNlri(family: Family, nlri: readonly Nlri[], opts: { addPath: boolean }): Uint8Array {
  const kind = kindOf(family);
  if (kind === 'unknown') {
    const buf = new Uint8Array(nlriEncodingLength(family, nlri, opts));
    const end = encodeNlriInto(family, nlri, opts, buf, 0);
    if (end !== buf.length) encodeFail(nlriContext(family, opts.addPath), 'length', 'length mismatch');
    return buf;
  }
  const ctx = nlriContext(family, opts.addPath);
  const ipv6 = family.afi === Afi.IPv6;
  const max = maxOne(kind, opts.addPath);
  let buf = work;
  let o = 0;
  for (let i = 0; i < nlri.length; i++) {
    if (o + max > buf.length) {
      const grown = new Uint8Array(Math.max(2 * buf.length, o + max));
      grown.set(buf.subarray(0, o));
      buf = grown;
      if (buf.length <= KEEP) work = buf;
    }
    o = writeOne(ctx, kind, ipv6, nlri[i]!, buf, o);
  }
  return buf.slice(0, o);
}

export type {
  EvpnEthernetAdRoute,
  EvpnEthernetSegmentRoute,
  EvpnInclusiveMulticastRoute,
  EvpnIpPrefixRoute,
  EvpnMacIpRoute,
  EvpnUnknownRoute,
} from './evpn/index.js';
export { EvpnRouteType } from './evpn/index.js';
export type { EvpnRoute, LabeledNlri, PrefixNlri, RtcNlri, VpnNlri };
