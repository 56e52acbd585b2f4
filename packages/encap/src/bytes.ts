// Byte-level helpers shared by the codecs, the fast path and the dissector: big-endian reads and writes,
// the one's-complement fold, and byte -> text tables. Internal: not re-exported from the package index.
// The functions are small enough that the compiler inlines them on the hot paths.

/** Big-endian unsigned 16-bit read. */
export function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/** Big-endian unsigned 32-bit read. */
export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Big-endian 16-bit write. */
export function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

/** Big-endian 32-bit write. */
export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** Folds the carries of a one's-complement sum back in until it fits 16 bits (RFC 1071 section 4.1). */
export function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

// Byte -> text tables, built once, so formatting an address or hex is table reads and one string build,
// with no per-call number formatting (measured several times faster than per-digit concatenation).
/** Two lower-case hex digits per byte value: `HEX2[0x0a] === '0a'`. */
export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** The same with a leading colon: `HEX2C[0x0a] === ':0a'`. */
export const HEX2C: readonly string[] = HEX2.map((h) => `:${h}`);
/** Hex digits without leading zeros: `HEX1[0x0a] === 'a'` (the high byte of an IPv6 group). */
export const HEX1: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16));
/** Char codes of HEX2: byte `b` is `HEX_CODES[2b]`, `HEX_CODES[2b + 1]`. */
export const HEX_CODES: readonly number[] = HEX2.flatMap((h) => [h.charCodeAt(0), h.charCodeAt(1)]);
/** Decimal text per byte value: `DEC[192] === '192'`. */
export const DEC: readonly string[] = Array.from({ length: 256 }, (_, b) => String(b));
/** The same with a leading dot: `DECD[2] === '.2'`. */
export const DECD: readonly string[] = DEC.map((d) => `.${d}`);

/** Unsigned 16-bit read in either byte order (capture files are written in the writer's order). */
export function u16e(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

/** Unsigned 32-bit read in either byte order. */
export function u32e(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** 32-bit write in either byte order. */
export function put32e(b: Uint8Array, at: number, v: number, littleEndian: boolean): void {
  if (littleEndian) {
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = v >>> 24;
  } else put32(b, at, v);
}
