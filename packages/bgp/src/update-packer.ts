// The encode side of the hot path: packs IPv4 unicast prefixes that share one attribute set into as few
// UPDATE messages (RFC 4271 4.3) as the size limit allows (4096, or 65535 with RFC 8654), writing prefixes
// given as numbers straight into each message buffer: one allocation per message, none per prefix.
//
//  +--------+--------------+-------------+-----------------------+---------------------------------+
//  | Header | Withdrawn=0  | Attr length | Path attributes (once) | NLRI: [path id] len prefix ... |
//  +--------+--------------+-------------+-----------------------+---------------------------------+
import { type PathAttribute, writeAttribute } from './attributes/index.js';
import { hasAddPath, maxMessageLength, type SessionContext } from './context.js';
import { EncodeError } from './errors.js';
import { HEADER_LENGTH, MARKER_LENGTH } from './header.js';
import { MessageType } from './message-types.js';
import { Writer } from './wire.js';

/** The encoded path attribute block for `attributes` (reuse it for many `packIpv4Updates` calls). */
export function encodeAttributeBlock(attributes: readonly PathAttribute[], ctx: SessionContext): Uint8Array {
  const w = new Writer(256);
  for (const a of attributes) writeAttribute(a, w, ctx);
  return w.finish().slice();
}

/**
 * UPDATE messages announcing `count` IPv4 unicast prefixes (`prefixes[i]` the address as an unsigned 32-bit
 * number, `lengths[i]` its length, `pathIds[i]` with add-path) with the attribute block `attrs`.
 */
export function packIpv4Updates(
  attrs: Uint8Array,
  prefixes: ArrayLike<number>,
  lengths: ArrayLike<number>,
  count: number,
  ctx: SessionContext,
  pathIds?: ArrayLike<number>,
): Uint8Array[] {
  const max = maxMessageLength(ctx);
  const addPath = hasAddPath(ctx, 1, 1);
  if (addPath && !pathIds)
    throw new EncodeError('update', 'pathIds', -1, 'add-path is on for ipv4-unicast: give path ids');
  const fixed = HEADER_LENGTH + 4 + attrs.length;
  if (fixed + (addPath ? 9 : 5) > max)
    throw new EncodeError('update', 'attributes', -1, 'attributes leave no room for NLRI');
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < count) {
    // size this message: as many prefixes as fit
    let size = fixed;
    let j = i;
    while (j < count) {
      const len = lengths[j]!;
      if (!(len >= 0 && len <= 32))
        throw new EncodeError('update', 'prefixLength', -1, `${len} is outside 0..32`);
      const n = (addPath ? 5 : 1) + ((len + 7) >>> 3);
      if (size + n > max) break;
      size += n;
      j++;
    }
    const b = new Uint8Array(size);
    b.fill(0xff, 0, MARKER_LENGTH);
    b[16] = size >>> 8;
    b[17] = size & 0xff;
    b[18] = MessageType.UPDATE;
    // withdrawn routes length 0 at 19..20
    b[21] = attrs.length >>> 8;
    b[22] = attrs.length & 0xff;
    b.set(attrs, 23);
    let o = fixed;
    for (let k = i; k < j; k++) {
      if (addPath) {
        const id = pathIds![k]!;
        b[o] = id >>> 24;
        b[o + 1] = (id >>> 16) & 0xff;
        b[o + 2] = (id >>> 8) & 0xff;
        b[o + 3] = id & 0xff;
        o += 4;
      }
      const len = lengths[k]!;
      const p = prefixes[k]!;
      b[o++] = len;
      if (len > 0) b[o++] = p >>> 24;
      if (len > 8) b[o++] = (p >>> 16) & 0xff;
      if (len > 16) b[o++] = (p >>> 8) & 0xff;
      if (len > 24) b[o++] = p & 0xff;
    }
    out.push(b);
    i = j;
  }
  return out;
}
