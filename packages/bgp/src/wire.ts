// Byte-level helpers shared by the BGP codec: big-endian reads, a growable writer, and address text forms.
// Everything here is bounds-checked by its caller; these helpers never allocate on the read path.
import { EncodeError, MalformedError } from './errors.js';

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
  return `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
}

/** Dotted-quad text of a 32-bit number. */
export function ipv4FromNumber(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** Parses dotted-quad text into a 32-bit number; throws EncodeError naming `field`. */
export function ipv4ToNumber(text: string, layer: string, field: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new EncodeError(layer, field, -1, `not an IPv4 address: ${text}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) {
      throw new EncodeError(layer, field, -1, `not an IPv4 address: ${text}`);
    }
    n = n * 256 + Number(p);
  }
  return n;
}

/** Writes an IPv4 address given as text. */
export function writeIpv4(w: Writer, text: string, layer: string, field: string): void {
  w.u32(ipv4ToNumber(text, layer, field));
}

/** RFC 5952 text of 16 bytes at `o` (IPv4-mapped addresses as `::ffff:a.b.c.d`). */
export function ipv6Text(buf: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(u16(buf, o + 2 * i));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4Text(buf, o + 12)}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses IPv6 text (compressed, embedded IPv4) into 16 bytes; throws EncodeError naming `field`. */
export function ipv6Bytes(text: string, layer: string, field: string): Uint8Array {
  const bad = (): EncodeError => new EncodeError(layer, field, -1, `not an IPv6 address: ${text}`);
  let s = text;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = ipv4ToNumber(s.slice(lastColon + 1), layer, field);
    tail.push(v4 >>> 16, v4 & 0xffff);
    s = s.slice(0, lastColon + 1);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) throw bad();
  const parse = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').map((h) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(h)) throw bad();
      return Number.parseInt(h, 16);
    });
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const total = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (total > 7) throw bad();
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
  } else {
    if (total !== 8) throw bad();
    groups = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >>> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Text of a 4- or 16-byte address at `o`. */
export function ipText(buf: Uint8Array, o: number, len: number): string {
  return len === 4 ? ipv4Text(buf, o) : ipv6Text(buf, o);
}

/** Bytes of an IPv4 (dotted) or IPv6 address text. */
export function ipBytes(text: string, layer: string, field: string): Uint8Array {
  if (text.includes(':')) return ipv6Bytes(text, layer, field);
  const n = ipv4ToNumber(text, layer, field);
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Throws MalformedError (with the given RFC 7606 semantics supplied by the caller) unless `need` bytes fit. */
export function needBytes(end: number, o: number, need: number, layer: string, field: string): void {
  if (o + need > end)
    throw new MalformedError(layer, field, o, `needs ${need} bytes, ${Math.max(0, end - o)} left`);
}
