// RFC 4271 4.3 / 5.1.2: AS_PATH (type 2, well-known mandatory) and RFC 6793 3: AS4_PATH (type 17, optional
// transitive), a list of segments. AS numbers are 2 octets in AS_PATH unless both speakers support 4-octet
// AS (RFC 6793 4.1), and always 4 octets in AS4_PATH. Segment types: 1 AS_SET, 2 AS_SEQUENCE,
// 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET (RFC 5065 3).
//
//  +--------------+--------------+---------------------------------+
//  | Segment type | Count (ASNs) | AS numbers (2 or 4 octets each)  |   repeated
//  +--------------+--------------+---------------------------------+
//
// Errors: RFC 7606 7.2, a malformed AS_PATH (unknown segment type, zero count, overrun) is treat-as-withdraw
// with Malformed AS_PATH; confederation segments from an external peer also; so is AS 0 (RFC 7607 2).
// RFC 6793 6 / RFC 7607 2: a malformed AS4_PATH (confederation segments, AS 0) is discarded.
import { EncodeError } from '../errors.js';
import { checkUint, u16, u32, type Writer } from '../wire.js';
import { attrError } from './error.js';

export type AsPathSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

export interface AsPathAttr {
  type: 'AS_PATH';
  flags?: number;
  segments: AsPathSegment[];
}

export interface As4PathAttr {
  type: 'AS4_PATH';
  flags?: number;
  segments: AsPathSegment[];
}

const segmentTypes: readonly AsPathSegmentType[] = ['set', 'sequence', 'confed-sequence', 'confed-set'];

/** Decodes the segments of an AS_PATH value; `asSize` 2 or 4. Throws with the given action. */
export function decodeSegments(
  buf: Uint8Array,
  o: number,
  len: number,
  asSize: 2 | 4,
  name: string,
  action: 'treat-as-withdraw' | 'attribute-discard',
  subcode: number,
): AsPathSegment[] {
  const end = o + len;
  const segments: AsPathSegment[] = [];
  let p = o;
  while (p < end) {
    if (p + 2 > end) throw attrError(name, p, 'segment header overruns the attribute', action, subcode);
    const t = segmentTypes[buf[p]! - 1];
    if (!t) throw attrError(name, p, `unknown segment type ${buf[p]}`, action, subcode);
    const n = buf[p + 1]!;
    if (n === 0) throw attrError(name, p + 1, 'segment with zero AS numbers', action, subcode);
    p += 2;
    if (p + n * asSize > end)
      throw attrError(name, p, `segment of ${n} AS numbers overruns the attribute`, action, subcode);
    const asns = new Array<number>(n);
    for (let i = 0; i < n; i++, p += asSize) {
      const a = asSize === 4 ? u32(buf, p) : u16(buf, p);
      if (a === 0) throw attrError(name, p, 'AS number 0 (RFC 7607 2)', action, subcode);
      asns[i] = a;
    }
    segments.push({ type: t, asns });
  }
  return segments;
}

/** Writes segments with `asSize`-octet AS numbers. */
export function encodeSegments(
  segments: readonly AsPathSegment[],
  w: Writer,
  asSize: 2 | 4,
  name: string,
): void {
  for (const s of segments) {
    const t = segmentTypes.indexOf(s.type);
    if (t < 0)
      throw new EncodeError(`attribute:${name}`, 'segment', -1, `unknown segment type ${String(s.type)}`);
    if (s.asns.length === 0 || s.asns.length > 255) {
      throw new EncodeError(
        `attribute:${name}`,
        'segment',
        -1,
        `segment of ${s.asns.length} AS numbers (1..255 allowed)`,
      );
    }
    w.u8(t + 1).u8(s.asns.length);
    for (const a of s.asns) {
      checkUint(`attribute:${name}`, 'asn', a, asSize === 4 ? 0xffffffff : 0xffff);
      if (asSize === 4) w.u32(a);
      else w.u16(a);
    }
  }
}

export function decodeAsPath(
  buf: Uint8Array,
  o: number,
  len: number,
  fourOctet: boolean,
  external: boolean,
): AsPathAttr {
  const segments = decodeSegments(buf, o, len, fourOctet ? 4 : 2, 'AS_PATH', 'treat-as-withdraw', 11);
  if (external && segments.some((s) => s.type === 'confed-sequence' || s.type === 'confed-set')) {
    throw attrError('AS_PATH', o, 'confederation segment from an external peer', 'treat-as-withdraw', 11);
  }
  return { type: 'AS_PATH', segments };
}

export function encodeAsPath(a: AsPathAttr, w: Writer, fourOctet: boolean): void {
  encodeSegments(a.segments, w, fourOctet ? 4 : 2, 'AS_PATH');
}

export function decodeAs4Path(buf: Uint8Array, o: number, len: number): As4PathAttr {
  const segments = decodeSegments(buf, o, len, 4, 'AS4_PATH', 'attribute-discard', 9);
  if (segments.some((s) => s.type === 'confed-sequence' || s.type === 'confed-set')) {
    throw attrError('AS4_PATH', o, 'confederation segment in AS4_PATH (RFC 6793 3)', 'attribute-discard', 9);
  }
  return { type: 'AS4_PATH', segments };
}

export function encodeAs4Path(a: As4PathAttr, w: Writer): void {
  encodeSegments(a.segments, w, 4, 'AS4_PATH');
}

/** RFC 4271 9.1.2.2 path length: AS_SET counts 1, confederation segments 0. */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

/**
 * RFC 6793 4.2.3: the AS path of a route received from a 2-octet (OLD) speaker, from AS_PATH and AS4_PATH.
 * When the AGGREGATOR's AS is not AS_TRANS, AS4_PATH is ignored (pass `aggregatorAs`). When AS4_PATH is
 * longer than AS_PATH it is ignored. Otherwise the leading AS numbers of AS_PATH are prepended to AS4_PATH so
 * the result has the AS_PATH's length (with adjacent confederation segments kept).
 */
export function reconstructAsPath(
  asPath: readonly AsPathSegment[],
  as4Path: readonly AsPathSegment[] | undefined,
  aggregatorAs?: number,
): AsPathSegment[] {
  const copy = (s: readonly AsPathSegment[]): AsPathSegment[] =>
    s.map((x) => ({ type: x.type, asns: [...x.asns] }));
  if (!as4Path || (aggregatorAs !== undefined && aggregatorAs !== 23456)) return copy(asPath);
  const n = asPathLength(asPath);
  const m = asPathLength(as4Path);
  if (n < m) return copy(asPath);
  let need = n - m;
  const lead: AsPathSegment[] = [];
  let prevTaken = false;
  for (let i = 0; i < asPath.length; i++) {
    const s = asPath[i]!;
    if (s.type === 'confed-sequence' || s.type === 'confed-set') {
      // a confederation segment is kept when it leads or is adjacent to a prepended segment
      if (i !== 0 && need === 0 && !prevTaken) break;
      lead.push({ type: s.type, asns: [...s.asns] });
      prevTaken = true;
      continue;
    }
    if (need === 0) break;
    if (s.type === 'set') {
      lead.push({ type: 'set', asns: [...s.asns] });
      need -= 1;
      prevTaken = true;
    } else {
      const take = Math.min(need, s.asns.length);
      lead.push({ type: 'sequence', asns: s.asns.slice(0, take) });
      need -= take;
      prevTaken = take === s.asns.length;
    }
  }
  const out = [...lead, ...copy(as4Path)];
  // merge adjacent AS_SEQUENCE segments left by the split
  const merged: AsPathSegment[] = [];
  for (const s of out) {
    const prev = merged[merged.length - 1];
    if (prev && prev.type === 'sequence' && s.type === 'sequence') prev.asns.push(...s.asns);
    else merged.push(s);
  }
  return merged;
}

/** Text like `65001 65002 {65003,65004} (65010 65011) [65020]` (sets in braces, confed seq/set in ()/[]). */
export function asPathToString(segments: readonly AsPathSegment[]): string {
  return segments
    .map((s) => {
      switch (s.type) {
        case 'sequence':
          return s.asns.join(' ');
        case 'set':
          return `{${s.asns.join(',')}}`;
        case 'confed-sequence':
          return `(${s.asns.join(' ')})`;
        case 'confed-set':
          return `[${s.asns.join(',')}]`;
      }
      return '';
    })
    .join(' ');
}

/**
 * RFC 6793 4.2.2: what a NEW speaker sends to an OLD (2-octet) one: AS_PATH with every AS above 65535
 * replaced by AS_TRANS, and AS4_PATH with the true numbers when any was replaced (confederation segments
 * stay out of AS4_PATH).
 */
export function toTwoOctetAsPath(segments: readonly AsPathSegment[]): {
  asPath: AsPathSegment[];
  as4Path: AsPathSegment[] | undefined;
} {
  let mapped = false;
  const asPath = segments.map((s) => ({
    type: s.type,
    asns: s.asns.map((a) => {
      if (a > 0xffff) {
        mapped = true;
        return 23456;
      }
      return a;
    }),
  }));
  if (!mapped) return { asPath, as4Path: undefined };
  const as4Path = segments
    .filter((s) => s.type === 'sequence' || s.type === 'set')
    .map((s) => ({ type: s.type, asns: [...s.asns] }));
  return { asPath, as4Path };
}
