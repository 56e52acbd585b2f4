// RFC 4271 4.3: path attributes, each a TLV with a flags octet; this file dispatches by type code to one
// file per attribute and writes the TLV header. Flags are kept as received so encode(decode(x)) is exact,
// including the Extended Length bit on short values; an encoder given no flags uses the registry's.
//
//  0                   1
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------------------------+
//  |O|T|P|E|  0    |  Type Code    | Length (1 octet, 2 if E)      | Value ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-------------------------------+
import { AttrCode, AttrFlag, attrInfo } from '../attribute-codes.js';
import type { SessionContext } from '../context.js';
import { BgpError, EncodeError } from '../errors.js';
import { checkUint, Writer } from '../wire.js';
import {
  type AggregatorAttr,
  type As4AggregatorAttr,
  decodeAggregator,
  decodeAs4Aggregator,
  encodeAggregator,
  encodeAs4Aggregator,
} from './aggregator.js';
import { type AigpAttr, decodeAigp, encodeAigp } from './aigp.js';
import {
  type As4PathAttr,
  type AsPathAttr,
  decodeAs4Path,
  decodeAsPath,
  encodeAs4Path,
  encodeAsPath,
} from './as-path.js';
import { type AtomicAggregateAttr, decodeAtomicAggregate } from './atomic-aggregate.js';
import { type ClusterListAttr, decodeClusterList, encodeClusterList } from './cluster-list.js';
import { type CommunitiesAttr, decodeCommunities, encodeCommunities } from './communities.js';
import { attrError, LENGTH_ERROR, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';
import {
  decodeExtendedCommunities,
  type ExtendedCommunity,
  encodeExtendedCommunities,
} from './extended-community.js';
import {
  decodeIpv6ExtendedCommunities,
  encodeIpv6ExtendedCommunities,
  type Ipv6ExtendedCommunity,
} from './ipv6-extended-community.js';
import { decodeLargeCommunity, encodeLargeCommunity, type LargeCommunityAttr } from './large-community.js';
import { decodeLocalPref, encodeLocalPref, type LocalPrefAttr } from './local-pref.js';
import { decodeMpReach, encodeMpReach, type MpReachNlriAttr } from './mp-reach-nlri.js';
import { decodeMpUnreach, encodeMpUnreach, type MpUnreachNlriAttr } from './mp-unreach-nlri.js';
import { decodeMultiExitDisc, encodeMultiExitDisc, type MultiExitDiscAttr } from './multi-exit-disc.js';
import { decodeNextHop, encodeNextHop, type NextHopAttr } from './next-hop.js';
import { decodeOrigin, encodeOrigin, type OriginAttr } from './origin.js';
import { decodeOriginatorId, encodeOriginatorId, type OriginatorIdAttr } from './originator-id.js';
import { decodeOtc, encodeOtc, type OtcAttr } from './otc.js';
import { decodePmsiTunnel, encodePmsiTunnel, type PmsiTunnelAttr } from './pmsi-tunnel.js';
import {
  decodeTunnelEncapsulation,
  encodeTunnelEncapsulation,
  type TunnelEncapsulationAttr,
} from './tunnel-encapsulation.js';
import { decodeUnknownAttr, type UnknownAttr } from './unknown.js';

/** RFC 4360 (type 16): decoded by `decodeExtendedCommunities`. RFC 7606 7.14: treat-as-withdraw. */
export interface ExtendedCommunitiesAttr {
  type: 'EXTENDED_COMMUNITIES';
  flags?: number;
  communities: ExtendedCommunity[];
}

/** RFC 5701 (type 25): decoded by `decodeIpv6ExtendedCommunities`. RFC 7606 7.15: treat-as-withdraw. */
export interface Ipv6ExtendedCommunitiesAttr {
  type: 'IPV6_EXTENDED_COMMUNITIES';
  flags?: number;
  communities: Ipv6ExtendedCommunity[];
}

export type PathAttribute =
  | OriginAttr
  | AsPathAttr
  | NextHopAttr
  | MultiExitDiscAttr
  | LocalPrefAttr
  | AtomicAggregateAttr
  | AggregatorAttr
  | CommunitiesAttr
  | OriginatorIdAttr
  | ClusterListAttr
  | MpReachNlriAttr
  | MpUnreachNlriAttr
  | ExtendedCommunitiesAttr
  | As4PathAttr
  | As4AggregatorAttr
  | PmsiTunnelAttr
  | TunnelEncapsulationAttr
  | Ipv6ExtendedCommunitiesAttr
  | AigpAttr
  | LargeCommunityAttr
  | OtcAttr
  | UnknownAttr;

export type PathAttributeType = PathAttribute['type'];

/** The type code of an attribute value. */
export function attributeCode(a: PathAttribute): number {
  return a.type === 'UNKNOWN' ? a.code : AttrCode[a.type];
}

/** The flags the attribute is written with: its own, or the registry's O/T bits. */
export function attributeFlags(a: PathAttribute): number {
  if (a.flags !== undefined) return a.flags;
  return attrInfo.get(attributeCode(a))?.flags ?? AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
}

function communityList<T>(name: string, o: number, len: number, unit: number, decode: () => T[]): T[] {
  if (len === 0 || len % unit !== 0) {
    throw attrError(
      name,
      o,
      `length ${len} is not a non-zero multiple of ${unit}`,
      'treat-as-withdraw',
      LENGTH_ERROR,
    );
  }
  try {
    return decode();
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    throw attrError(name, e.offset, e.message, 'treat-as-withdraw', OPTIONAL_ATTRIBUTE_ERROR);
  }
}

/**
 * Decodes the value of attribute `code` (`len` bytes at `o`). Throws MalformedError carrying the
 * RFC 7606 action of that attribute; unknown codes give an UnknownAttr (the caller checks the flags).
 */
export function decodeAttributeValue(
  code: number,
  flags: number,
  buf: Uint8Array,
  o: number,
  len: number,
  ctx: SessionContext,
): PathAttribute {
  const external = ctx.peerType === 'external';
  let a: PathAttribute;
  switch (code) {
    case AttrCode.ORIGIN:
      a = decodeOrigin(buf, o, len);
      break;
    case AttrCode.AS_PATH:
      a = decodeAsPath(buf, o, len, ctx.fourOctetAs, external);
      break;
    case AttrCode.NEXT_HOP:
      a = decodeNextHop(buf, o, len);
      break;
    case AttrCode.MULTI_EXIT_DISC:
      a = decodeMultiExitDisc(buf, o, len);
      break;
    case AttrCode.LOCAL_PREF:
      a = decodeLocalPref(buf, o, len, external);
      break;
    case AttrCode.ATOMIC_AGGREGATE:
      a = decodeAtomicAggregate(buf, o, len);
      break;
    case AttrCode.AGGREGATOR:
      a = decodeAggregator(buf, o, len, ctx.fourOctetAs);
      break;
    case AttrCode.COMMUNITIES:
      a = decodeCommunities(buf, o, len);
      break;
    case AttrCode.ORIGINATOR_ID:
      a = decodeOriginatorId(buf, o, len, external);
      break;
    case AttrCode.CLUSTER_LIST:
      a = decodeClusterList(buf, o, len, external);
      break;
    case AttrCode.MP_REACH_NLRI:
      a = decodeMpReach(buf, o, len, ctx);
      break;
    case AttrCode.MP_UNREACH_NLRI:
      a = decodeMpUnreach(buf, o, len, ctx);
      break;
    case AttrCode.EXTENDED_COMMUNITIES:
      a = {
        type: 'EXTENDED_COMMUNITIES',
        communities: communityList('EXTENDED_COMMUNITIES', o, len, 8, () =>
          decodeExtendedCommunities(buf, o, len),
        ),
      };
      break;
    case AttrCode.IPV6_EXTENDED_COMMUNITIES:
      a = {
        type: 'IPV6_EXTENDED_COMMUNITIES',
        communities: communityList('IPV6_EXTENDED_COMMUNITIES', o, len, 20, () =>
          decodeIpv6ExtendedCommunities(buf, o, len),
        ),
      };
      break;
    case AttrCode.AS4_PATH:
      a = decodeAs4Path(buf, o, len);
      break;
    case AttrCode.AS4_AGGREGATOR:
      a = decodeAs4Aggregator(buf, o, len);
      break;
    case AttrCode.PMSI_TUNNEL:
      a = decodePmsiTunnel(buf, o, len);
      break;
    case AttrCode.TUNNEL_ENCAPSULATION:
      a = decodeTunnelEncapsulation(buf, o, len);
      break;
    case AttrCode.AIGP:
      a = decodeAigp(buf, o, len);
      break;
    case AttrCode.LARGE_COMMUNITY:
      a = decodeLargeCommunity(buf, o, len);
      break;
    case AttrCode.OTC:
      a = decodeOtc(buf, o, len);
      break;
    default:
      return decodeUnknownAttr(buf, o, len, code, flags);
  }
  a.flags = flags;
  return a;
}

function writeValue(a: PathAttribute, w: Writer, ctx: SessionContext): void {
  switch (a.type) {
    case 'ORIGIN':
      encodeOrigin(a, w);
      return;
    case 'AS_PATH':
      encodeAsPath(a, w, ctx.fourOctetAs);
      return;
    case 'NEXT_HOP':
      encodeNextHop(a, w);
      return;
    case 'MULTI_EXIT_DISC':
      encodeMultiExitDisc(a, w);
      return;
    case 'LOCAL_PREF':
      encodeLocalPref(a, w);
      return;
    case 'ATOMIC_AGGREGATE':
      return;
    case 'AGGREGATOR':
      encodeAggregator(a, w, ctx.fourOctetAs);
      return;
    case 'COMMUNITIES':
      encodeCommunities(a, w);
      return;
    case 'ORIGINATOR_ID':
      encodeOriginatorId(a, w);
      return;
    case 'CLUSTER_LIST':
      encodeClusterList(a, w);
      return;
    case 'MP_REACH_NLRI':
      encodeMpReach(a, w, ctx);
      return;
    case 'MP_UNREACH_NLRI':
      encodeMpUnreach(a, w, ctx);
      return;
    case 'EXTENDED_COMMUNITIES':
      w.bytes(encodeExtendedCommunities(a.communities));
      return;
    case 'IPV6_EXTENDED_COMMUNITIES':
      w.bytes(encodeIpv6ExtendedCommunities(a.communities));
      return;
    case 'AS4_PATH':
      encodeAs4Path(a, w);
      return;
    case 'AS4_AGGREGATOR':
      encodeAs4Aggregator(a, w);
      return;
    case 'PMSI_TUNNEL':
      encodePmsiTunnel(a, w);
      return;
    case 'TUNNEL_ENCAPSULATION':
      encodeTunnelEncapsulation(a, w);
      return;
    case 'AIGP':
      encodeAigp(a, w);
      return;
    case 'LARGE_COMMUNITY':
      encodeLargeCommunity(a, w);
      return;
    case 'OTC':
      encodeOtc(a, w);
      return;
    case 'UNKNOWN':
      w.bytes(a.value);
      return;
  }
}

/** Appends one attribute TLV (flags, type, length, value) to `w`. */
export function writeAttribute(a: PathAttribute, w: Writer, ctx: SessionContext): void {
  const code = attributeCode(a);
  checkUint('attribute', 'code', code, 0xff);
  let flags = attributeFlags(a);
  checkUint('attribute', 'flags', flags, 0xff);
  const flagsAt = w.pos;
  w.u8(flags).u8(code);
  // write the value after a 2-byte length slot, then move it if a 1-byte length is wanted
  const lenAt = w.skip(2);
  const start = w.pos;
  writeValue(a, w, ctx);
  const len = w.pos - start;
  if (len > 0xffff) throw new EncodeError(`attribute:${a.type}`, 'length', -1, `value of ${len} bytes`);
  if (len > 255) flags |= AttrFlag.EXTENDED_LENGTH;
  w.patchU8(flagsAt, flags);
  if (flags & AttrFlag.EXTENDED_LENGTH) {
    w.patchU16(lenAt, len);
  } else {
    w.buf.copyWithin(lenAt + 1, start, w.pos);
    w.patchU8(lenAt, len);
    w.pos -= 1;
  }
}

/** One attribute TLV as bytes. */
export function encodeAttribute(a: PathAttribute, ctx: SessionContext): Uint8Array {
  const w = new Writer(64);
  writeAttribute(a, w, ctx);
  return w.finish();
}

export type {
  AggregatorAttr,
  AigpAttr,
  As4AggregatorAttr,
  As4PathAttr,
  AsPathAttr,
  AtomicAggregateAttr,
  ClusterListAttr,
  CommunitiesAttr,
  LargeCommunityAttr,
  LocalPrefAttr,
  MpReachNlriAttr,
  MpUnreachNlriAttr,
  MultiExitDiscAttr,
  NextHopAttr,
  OriginAttr,
  OriginatorIdAttr,
  OtcAttr,
  PmsiTunnelAttr,
  TunnelEncapsulationAttr,
  UnknownAttr,
};
