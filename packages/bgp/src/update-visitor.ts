// The hot path: walks an UPDATE (RFC 4271 4.3, RFC 4760 3-4) in place and calls back once with the path
// attribute block and then once per IPv4/IPv6 unicast prefix (Withdrawn Routes, MP_UNREACH_NLRI,
// MP_REACH_NLRI, NLRI field, in that order), passing numbers and offsets only: nothing is allocated per
// prefix. Other families' MP NLRI are handed over as byte ranges. Structural errors throw MalformedError
// (use decodeMessage for the RFC 7606 classification).
//
//  Prefix (RFC 4271 4.3, RFC 7911 3):
//  +---------------------------+----------------+---------------------------+
//  | Path Id (4, add-path only)| Length (1, bits)| Prefix (ceil(Length/8))  |
//  +---------------------------+----------------+---------------------------+
import { Afi, Safi } from './afi-safi.js';
import { AttrCode, AttrFlag } from './attribute-codes.js';
import { hasAddPath, maxMessageLength, type SessionContext } from './context.js';
import { MalformedError } from './errors.js';
import { decodeHeader } from './header.js';
import { MessageType } from './message-types.js';
import { updateNotification } from './notify.js';
import { u16 } from './wire.js';

export interface UpdateVisitor {
  /** Once per UPDATE, before its prefixes: the path attributes are `buf[start..end)` (empty for withdrawals). */
  attributes?(buf: Uint8Array, start: number, end: number): void;
  /**
   * One IPv4 unicast prefix: `reach` false for withdrawals; `prefix` the address as an unsigned 32-bit
   * number (bits past the stored octets zero); `pathId` 0 without add-path.
   */
  ipv4?(reach: boolean, prefix: number, length: number, pathId: number): void;
  /** One IPv6 unicast prefix: its ceil(length/8) octets start at `offset` in `buf`. */
  ipv6?(reach: boolean, buf: Uint8Array, offset: number, length: number, pathId: number): void;
  /** MP_REACH/MP_UNREACH NLRI of another family, as `buf[start..end)` (decode with `decodeNlri`). */
  otherFamily?(reach: boolean, afi: number, safi: number, buf: Uint8Array, start: number, end: number): void;
}

function fail(field: string, offset: number, why: string): never {
  throw new MalformedError('update', field, offset, why, { notification: updateNotification(10) });
}

function walk(
  buf: Uint8Array,
  s: number,
  e: number,
  afi: number,
  reach: boolean,
  addPath: boolean,
  v: UpdateVisitor,
): void {
  const max = afi === Afi.IPv4 ? 32 : 128;
  let p = s;
  while (p < e) {
    let pathId = 0;
    if (addPath) {
      if (p + 4 > e) fail('pathId', p, 'path identifier overruns the field');
      pathId = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      p += 4;
      if (p >= e) fail('prefixLength', p, 'missing prefix length');
    }
    const len = buf[p]!;
    if (len > max) fail('prefixLength', p, `prefix length ${len} exceeds ${max}`);
    const nb = (len + 7) >>> 3;
    const at = p + 1;
    if (at + nb > e) fail('prefix', at, 'prefix overruns the field');
    if (afi === Afi.IPv4) {
      let x = 0;
      if (nb > 0) x = buf[at]! << 24;
      if (nb > 1) x |= buf[at + 1]! << 16;
      if (nb > 2) x |= buf[at + 2]! << 8;
      if (nb > 3) x |= buf[at + 3]!;
      v.ipv4?.(reach, x >>> 0, len, pathId);
    } else {
      v.ipv6?.(reach, buf, at, len, pathId);
    }
    p = at + nb;
  }
}

function mp(
  buf: Uint8Array,
  s: number,
  e: number,
  reach: boolean,
  ctx: SessionContext,
  v: UpdateVisitor,
): void {
  if (s + 3 > e) fail('mp', s, 'MP attribute too short');
  const afi = u16(buf, s);
  const safi = buf[s + 2]!;
  let n = s + 3;
  if (reach) {
    if (n >= e) fail('mp', n, 'MP_REACH_NLRI too short');
    n += 1 + buf[n]! + 1;
    if (n > e) fail('mp', s + 3, 'next hop overruns MP_REACH_NLRI');
  }
  if ((afi === Afi.IPv4 || afi === Afi.IPv6) && safi === Safi.Unicast) {
    walk(buf, n, e, afi, reach, hasAddPath(ctx, afi, safi), v);
  } else {
    v.otherFamily?.(reach, afi, safi, buf, n, e);
  }
}

/**
 * Walks the UPDATE message (header included) at `offset`, calling `visitor`; returns the message length.
 */
export function visitUpdate(
  buf: Uint8Array,
  offset: number,
  ctx: SessionContext,
  visitor: UpdateVisitor,
): number {
  const { length, type } = decodeHeader(buf, offset, maxMessageLength(ctx));
  if (type !== MessageType.UPDATE) fail('type', offset + 18, `message type ${type} is not UPDATE`);
  const end = offset + length;
  if (end > buf.length) fail('length', offset + 16, 'message overruns the buffer');
  const wrLen = u16(buf, offset + 19);
  const wrS = offset + 21;
  const wrE = wrS + wrLen;
  if (wrE + 2 > end) fail('withdrawnRoutesLength', offset + 19, 'overruns the message');
  const aS = wrE + 2;
  const aE = aS + u16(buf, wrE);
  if (aE > end) fail('totalPathAttributeLength', wrE, 'overruns the message');
  visitor.attributes?.(buf, aS, aE);
  const v4AddPath = hasAddPath(ctx, Afi.IPv4, Safi.Unicast);
  walk(buf, wrS, wrE, Afi.IPv4, false, v4AddPath, visitor);
  // MP_UNREACH first, then MP_REACH, wherever they sit in the block
  let reachS = -1;
  let reachE = -1;
  let p = aS;
  while (p < aE) {
    if (p + 3 > aE) fail('attribute', p, 'attribute header overruns the block');
    const flags = buf[p]!;
    const code = buf[p + 1]!;
    let len: number;
    let v: number;
    if (flags & AttrFlag.EXTENDED_LENGTH) {
      if (p + 4 > aE) fail('attribute', p, 'attribute header overruns the block');
      len = u16(buf, p + 2);
      v = p + 4;
    } else {
      len = buf[p + 2]!;
      v = p + 3;
    }
    if (v + len > aE) fail('attribute', p, 'attribute overruns the block');
    if (code === AttrCode.MP_UNREACH_NLRI) mp(buf, v, v + len, false, ctx, visitor);
    else if (code === AttrCode.MP_REACH_NLRI && reachS < 0) {
      reachS = v;
      reachE = v + len;
    }
    p = v + len;
  }
  if (reachS >= 0) mp(buf, reachS, reachE, true, ctx, visitor);
  walk(buf, aE, end, Afi.IPv4, true, v4AddPath, visitor);
  return length;
}
