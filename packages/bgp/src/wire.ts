// Byte-level helpers shared by the BGP codec: big-endian reads, a growable writer, and address text forms.
// Everything here is bounds-checked by its caller; these helpers never allocate on the read path.
import { EncodeError, MalformedError } from './errors.js';
import {
  formatIpv4,
  formatIpv6,
  writeIpv4 as writeIpv4Bytes,
  writeIpv6 as writeIpv6Bytes,
} from './nlri/address.js';

/** Big-endian unsigned 16-bit read. */
export function u16(buf: Uint8Array, o: number): number {
  return (buf[o]! << 8) | buf[o + 1]!;
}

/** Big-endian unsigned 24-bit read. */
export function u24(buf: Uint8Array, o: number): number {
  return (buf[o]! << 16) | (buf[o + 1]! << 8) | buf[o + 2]!;
}

/** Big-endian unsigned 32-bit read. */
export function u32(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
}

/** A growable big-endian writer: append fields, patch lengths, take the bytes once at the end. */
export class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    this.u32(Number((v >> 32n) & 0xffffffffn));
    return this.u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Makes room for `n` bytes at `pos` without writing them; the caller fills `buf` and advances `pos`. */
  reserve(n: number): Uint8Array {
    this.ensure(n);
    return this.buf;
  }

  /** Writes `n` zero bytes and returns where they start (for a length patched later). */
  skip(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  patchU8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** The written bytes (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Throws EncodeError unless `v` is an integer in `0..max`. */
export function checkUint(layer: string, field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new EncodeError(layer, field, -1, `${String(v)} is outside 0..${max}`);
  }
}

/** Dotted-quad text of 4 bytes at `o`. */
export function ipv4Text(buf: Uint8Array, o: number): string {
  return formatIpv4(buf, o);
}

/** Dotted-quad text of a 32-bit number. */
export function ipv4FromNumber(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

const scratch4 = new Uint8Array(4);

/** Parses dotted-quad text into a 32-bit number; throws EncodeError naming `field`. */
export function ipv4ToNumber(text: string, layer: string, field: string): number {
  if (!writeIpv4Bytes(text, scratch4, 0))
    throw new EncodeError(layer, field, -1, `not an IPv4 address: ${text}`);
  return u32(scratch4, 0);
}

/** Writes an IPv4 address given as text. */
export function writeIpv4(w: Writer, text: string, layer: string, field: string): void {
  w.u32(ipv4ToNumber(text, layer, field));
}

/** RFC 5952 text of 16 bytes at `o` (IPv4-mapped addresses as `::ffff:a.b.c.d`). */
export function ipv6Text(buf: Uint8Array, o: number): string {
  return formatIpv6(buf, o, 16);
}

/** Parses IPv6 text (compressed, embedded IPv4) into 16 bytes; throws EncodeError naming `field`. */
export function ipv6Bytes(text: string, layer: string, field: string): Uint8Array {
  const out = new Uint8Array(16);
  if (!writeIpv6Bytes(text, out, 0)) throw new EncodeError(layer, field, -1, `not an IPv6 address: ${text}`);
  return out;
}

/** Text of a 4- or 16-byte address at `o`. */
export function ipText(buf: Uint8Array, o: number, len: number): string {
  return len === 4 ? formatIpv4(buf, o) : formatIpv6(buf, o, 16);
}

/** Bytes of an IPv4 (dotted) or IPv6 address text. */
export function ipBytes(text: string, layer: string, field: string): Uint8Array {
  if (text.includes(':')) return ipv6Bytes(text, layer, field);
  const out = new Uint8Array(4);
  if (!writeIpv4Bytes(text, out, 0)) throw new EncodeError(layer, field, -1, `not an IPv4 address: ${text}`);
  return out;
}

/** Throws MalformedError (with the given RFC 7606 semantics supplied by the caller) unless `need` bytes fit. */
export function needBytes(end: number, o: number, need: number, layer: string, field: string): void {
  if (o + need > end)
    throw new MalformedError(layer, field, o, `needs ${need} bytes, ${Math.max(0, end - o)} left`);
}
