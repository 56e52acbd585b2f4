// Shared pieces of the NLRI decoders: the decoding context (family, layer name, add-path) and the errors
// they throw. Every decoder reads only inside [offset, end) and advances by at least one byte per NLRI.
import { type Family, familyName } from '../afi-safi.js';
import { EncodeError, MalformedError, type NotificationSpec, TruncatedError } from '../errors.js';

/** UPDATE Message Error / Invalid Network Field (RFC 4271 6.3), the NOTIFICATION for unparsable NLRI. */
export function invalidNetworkField(): NotificationSpec {
  return { code: 3, subcode: 10, data: new Uint8Array(0) };
}

/** Where a decoder is: the family, its error layer `nlri:<family>` and whether path ids precede NLRI. */
export interface NlriContext {
  readonly family: Family;
  readonly layer: string;
  readonly addPath: boolean;
}

const contexts = new Map<number, NlriContext>();

/** The (cached) context for a family and add-path setting. */
export function nlriContext(family: Family, addPath: boolean): NlriContext {
  const key = ((family.afi & 0xffff) * 256 + (family.safi & 0xff)) * 2 + (addPath ? 1 : 0);
  let c = contexts.get(key);
  if (c === undefined || c.family.afi !== family.afi || c.family.safi !== family.safi) {
    c = { family: { afi: family.afi, safi: family.safi }, layer: `nlri:${familyName(family)}`, addPath };
    if (contexts.size < 256) contexts.set(key, c);
  }
  return c;
}

/** Throws a TruncatedError: `field` needs `need` bytes at `offset` but the NLRI end is `end`. */
export function truncated(ctx: NlriContext, field: string, offset: number, need: number, end: number): never {
  throw new TruncatedError(
    ctx.layer,
    field,
    offset,
    `needs ${need} bytes, ${Math.max(0, end - offset)} available`,
    {
      notification: invalidNetworkField(),
    },
  );
}

/** Throws a MalformedError for a value the standard does not allow. */
export function malformed(ctx: NlriContext, field: string, offset: number, message: string): never {
  throw new MalformedError(ctx.layer, field, offset, message, { notification: invalidNetworkField() });
}

/** Throws an EncodeError for a value that does not fit its field. */
export function encodeFail(ctx: NlriContext, field: string, message: string): never {
  throw new EncodeError(ctx.layer, field, -1, message);
}

/** Reads the 4-byte path identifier (RFC 7911 3) at `o`, checking it fits before `end`. */
export function readPathId(ctx: NlriContext, buf: Uint8Array, o: number, end: number): number {
  if (o + 4 > end) truncated(ctx, 'pathId', o, 4, end);
  return ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
}

/** Writes a path identifier (0 when absent) at `o`. */
export function writePathId(ctx: NlriContext, pathId: number | undefined, buf: Uint8Array, o: number): void {
  const v = pathId ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    encodeFail(ctx, 'pathId', `${String(v)} is outside 0..2^32-1`);
  buf[o] = v >>> 24;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

/** Checks an unsigned integer field before encoding. */
export function checkUint(ctx: NlriContext, field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) encodeFail(ctx, field, `${String(v)} is outside 0..${max}`);
}
