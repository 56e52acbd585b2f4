// The codec contract every header follows (after dns-packet / mqtt-packet): a plain value object in,
// bytes out, and back. `decode` returns the value and how many bytes the header took, so layers chain.

/** Result of decoding one header: the value and the bytes it occupied. */
export interface Decoded<T> {
  value: T;
  /** Bytes consumed by this header (not its payload). */
  length: number;
}

/** What every header module exports, as an object with these four members. */
export interface HeaderCodec<T, DecodeOpts = undefined> {
  /** Bytes the header will take when encoded. */
  encodingLength(value: T): number;
  /** Writes the header at `offset` into `buf` (allocated when omitted); returns the buffer. */
  encode(value: T, buf?: Uint8Array, offset?: number): Uint8Array;
  /** Reads a header at `offset`; throws a typed EncapError naming layer, field and offset on bad input. */
  decode(buf: Uint8Array, offset?: number, opts?: DecodeOpts): Decoded<T>;
}

/** A DataView over the whole of `buf`, created once per call site that needs multi-byte reads. */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
