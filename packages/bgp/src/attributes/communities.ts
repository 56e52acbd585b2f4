// RFC 1997: COMMUNITIES (type 8, optional transitive), a list of 4-octet values, written `AS:value`
// (high 16 bits : low 16 bits) or by the IANA well-known name. RFC 7606 7.8: a length of 0 or not a
// multiple of 4 is treat-as-withdraw.
//
//  +-------+-------+-------+-------+
//  |  AS (high 16) | Value (low 16)|   repeated
//  +-------+-------+-------+-------+
import { EncodeError } from '../errors.js';
import { checkUint, u32, type Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

/** IANA "BGP Well-known Communities". */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  ROUTE_FILTER_TRANSLATED_v4: 0xffff0002,
  ROUTE_FILTER_v4: 0xffff0003,
  ROUTE_FILTER_TRANSLATED_v6: 0xffff0004,
  ROUTE_FILTER_v6: 0xffff0005,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  ACCEPT_OWN_NEXTHOP: 0xffff0008,
  STANDBY_PE: 0xffff0009,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;

const byValue = new Map<number, string>(Object.entries(WellKnownCommunity).map(([k, v]) => [v, k]));

export interface CommunitiesAttr {
  type: 'COMMUNITIES';
  flags?: number;
  communities: number[];
}

export function decodeCommunities(buf: Uint8Array, o: number, len: number): CommunitiesAttr {
  if (len === 0 || len % 4 !== 0) {
    throw attrError(
      'COMMUNITIES',
      o,
      `length ${len} is not a non-zero multiple of 4`,
      'treat-as-withdraw',
      LENGTH_ERROR,
    );
  }
  const communities = new Array<number>(len / 4);
  for (let i = 0; i < communities.length; i++) communities[i] = u32(buf, o + 4 * i);
  return { type: 'COMMUNITIES', communities };
}

export function encodeCommunities(a: CommunitiesAttr, w: Writer): void {
  for (const c of a.communities) {
    checkUint('attribute:COMMUNITIES', 'community', c, 0xffffffff);
    w.u32(c);
  }
}

/** `NO_EXPORT` for well-known values, `65000:100` otherwise. */
export function communityToString(c: number): string {
  return byValue.get(c) ?? `${c >>> 16}:${c & 0xffff}`;
}

/** Parses `65000:100` or a well-known name (case-insensitive, `-` or `_`). */
export function parseCommunity(text: string): number {
  const wk = (WellKnownCommunity as Record<string, number>)[text.toUpperCase().replace(/-/g, '_')];
  if (wk !== undefined) return wk;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff) {
    throw new EncodeError('attribute:COMMUNITIES', 'community', -1, `not a community: ${text}`);
  }
  return ((Number(m[1]) << 16) | Number(m[2])) >>> 0;
}
