// RFC 8092 3: LARGE_COMMUNITY (type 32, optional transitive), a list of 12-octet values written
// `global:local1:local2`. RFC 8092 6: a length that is not a non-zero multiple of 12 is treat-as-withdraw.
//
//  +-------+-------+-------+-------+
//  |     Global Administrator      |
//  +-------+-------+-------+-------+
//  |       Local Data Part 1       |
//  +-------+-------+-------+-------+
//  |       Local Data Part 2       |   repeated
//  +-------+-------+-------+-------+
import { EncodeError } from '../errors.js';
import { checkUint, u32, type Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface LargeCommunity {
  global: number;
  local1: number;
  local2: number;
}

export interface LargeCommunityAttr {
  type: 'LARGE_COMMUNITY';
  flags?: number;
  communities: LargeCommunity[];
}

export function decodeLargeCommunity(buf: Uint8Array, o: number, len: number): LargeCommunityAttr {
  if (len === 0 || len % 12 !== 0) {
    throw attrError(
      'LARGE_COMMUNITY',
      o,
      `length ${len} is not a non-zero multiple of 12`,
      'treat-as-withdraw',
      LENGTH_ERROR,
    );
  }
  const communities: LargeCommunity[] = [];
  for (let p = o; p < o + len; p += 12) {
    communities.push({ global: u32(buf, p), local1: u32(buf, p + 4), local2: u32(buf, p + 8) });
  }
  return { type: 'LARGE_COMMUNITY', communities };
}

export function encodeLargeCommunity(a: LargeCommunityAttr, w: Writer): void {
  for (const c of a.communities) {
    checkUint('attribute:LARGE_COMMUNITY', 'global', c.global, 0xffffffff);
    checkUint('attribute:LARGE_COMMUNITY', 'local1', c.local1, 0xffffffff);
    checkUint('attribute:LARGE_COMMUNITY', 'local2', c.local2, 0xffffffff);
    w.u32(c.global).u32(c.local1).u32(c.local2);
  }
}

/** `65000:1:2`. */
export function largeCommunityToString(c: LargeCommunity): string {
  return `${c.global}:${c.local1}:${c.local2}`;
}

/** Parses `a:b:c` (each 0..4294967295). */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d+):(\d+):(\d+)$/.exec(text);
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (parts.length !== 3 || parts.some((x) => x > 0xffffffff)) {
    throw new EncodeError('attribute:LARGE_COMMUNITY', 'community', -1, `not a large community: ${text}`);
  }
  return { global: parts[0]!, local1: parts[1]!, local2: parts[2]! };
}
