// The flow key: VRF, protocol, addresses and ports, held as 10 int32 words in exactly the order the table
// stores them (layout.ts), so a lookup compares words without converting. A FlowKey is a reusable struct:
// set it per packet, look it up, set it again; it allocates nothing after construction.

import { Protocol } from './constants.js';
import { AddressFormatError, AddressLengthError, checkField, checkPort, FieldRangeError } from './errors.js';
import { KEY_WORDS } from './layout.js';

export type Address = string | number | Uint8Array;

/** The fields of a 5-tuple read from a packet (the shape of @filament/encap's fast-path FlowKey). */
export interface PacketTuple {
  ipVersion: number;
  protocol: number;
  /** IPv4 addresses as uint32. */
  src4: number;
  dst4: number;
  /** IPv6 addresses, 16 bytes. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
}

export class FlowKey {
  /** meta (vrf:16 | proto:8 | family:8), ports (sport:16 | dport:16), source x4, destination x4. */
  readonly words = new Int32Array(KEY_WORDS);

  /** An IPv4 key; addresses as dotted quads, 32-bit numbers or 4 bytes. */
  static v4(vrf: number, proto: number, src: Address, dst: Address, sport: number, dport: number): FlowKey {
    return new FlowKey().setV4(vrf, proto, toV4('src', src), toV4('dst', dst), sport, dport);
  }

  /** An IPv6 key; addresses as RFC 4291 text or 16 bytes. */
  static v6(
    vrf: number,
    proto: number,
    src: string | Uint8Array,
    dst: string | Uint8Array,
    sport: number,
    dport: number,
  ): FlowKey {
    const k = new FlowKey();
    const w = k.words;
    setMeta(w, vrf, proto, 6, sport, dport);
    v6Into('src', src, w, 2);
    v6Into('dst', dst, w, 6);
    return k;
  }

  /** Sets an IPv4 key in place from numbers (the zero-allocation path a forwarder uses per packet). */
  setV4(vrf: number, proto: number, src: number, dst: number, sport: number, dport: number): this {
    const w = this.words;
    setMeta(w, vrf, proto, 4, sport, dport);
    w[2] = src | 0;
    w[3] = 0;
    w[4] = 0;
    w[5] = 0;
    w[6] = dst | 0;
    w[7] = 0;
    w[8] = 0;
    w[9] = 0;
    return this;
  }

  /** Sets an IPv6 key in place from 16-byte addresses read at the given offsets (e.g. inside a packet). */
  setV6(
    vrf: number,
    proto: number,
    src: Uint8Array,
    srcOffset: number,
    dst: Uint8Array,
    dstOffset: number,
    sport: number,
    dport: number,
  ): this {
    if (srcOffset < 0 || srcOffset + 16 > src.length)
      throw new AddressLengthError('src', 16, Math.max(0, src.length - srcOffset));
    if (dstOffset < 0 || dstOffset + 16 > dst.length)
      throw new AddressLengthError('dst', 16, Math.max(0, dst.length - dstOffset));
    const w = this.words;
    setMeta(w, vrf, proto, 6, sport, dport);
    for (let i = 0; i < 4; i++) {
      w[2 + i] = be32(src, srcOffset + i * 4);
      w[6 + i] = be32(dst, dstOffset + i * 4);
    }
    return this;
  }

  /**
   * Sets the key from a tuple read out of a packet, e.g. by @filament/encap's `flowKeyFast` (typed here by
   * shape, so encap is not a dependency). ICMP echo carries the identifier in `srcPort`; it goes into both
   * ports here so request and reply pair up.
   */
  setFromTuple(vrf: number, t: PacketTuple): this {
    const sport = t.srcPort;
    const dport = isIcmp(t.protocol) ? t.srcPort : t.dstPort;
    if (t.ipVersion === 4) return this.setV4(vrf, t.protocol, t.src4, t.dst4, sport, dport);
    if (t.ipVersion === 6) return this.setV6(vrf, t.protocol, t.src, 0, t.dst, 0, sport, dport);
    throw new FieldRangeError('ipVersion', t.ipVersion, 4, 6);
  }

  /** Copies another key. */
  copy(from: FlowKey): this {
    this.words.set(from.words);
    return this;
  }

  /** Writes the key of the return direction (addresses and ports swapped) into `out`. */
  reverseInto(out: FlowKey): FlowKey {
    reverseWords(this.words, 0, out.words);
    return out;
  }

  equals(other: FlowKey): boolean {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < KEY_WORDS; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  get family(): 4 | 6 {
    return (this.words[0]! & 0xff) === 6 ? 6 : 4;
  }
  get vrf(): number {
    return this.words[0]! >>> 16;
  }
  get proto(): number {
    return (this.words[0]! >>> 8) & 0xff;
  }
  get sport(): number {
    return this.words[1]! >>> 16;
  }
  get dport(): number {
    return this.words[1]! & 0xffff;
  }
  /** Source address as text (dotted quad or RFC 5952 form). */
  get src(): string {
    return addressText(this.words, 2, this.family);
  }
  get dst(): string {
    return addressText(this.words, 6, this.family);
  }

  toString(): string {
    const f = this.family;
    const s = f === 6 ? `[${this.src}]` : this.src;
    const d = f === 6 ? `[${this.dst}]` : this.dst;
    return `vrf ${this.vrf} proto ${this.proto} ${s}:${this.sport} -> ${d}:${this.dport}`;
  }
}

/**
 * True for ICMP and ICMPv6. Their echo request and reply keys carry the identifier in both port fields, so
 * the reverse key (ports swapped) is the key of the reply, exactly as for TCP and UDP.
 */
export function isIcmp(proto: number): boolean {
  return proto === Protocol.ICMP || proto === Protocol.ICMPV6;
}

function setMeta(
  w: Int32Array,
  vrf: number,
  proto: number,
  family: number,
  sport: number,
  dport: number,
): void {
  if ((vrf & 0xffff) !== vrf) checkField('vrf', vrf, 0, 0xffff);
  if ((proto & 0xff) !== proto) checkField('proto', proto, 0, 0xff);
  checkPort('sport', sport);
  checkPort('dport', dport);
  w[0] = (vrf << 16) | (proto << 8) | family;
  w[1] = (sport << 16) | dport;
}

/** Writes the reversed key of the 10 words at `off` in `src` into `out` (which may not alias them). */
export function reverseWords(src: Int32Array, off: number, out: Int32Array): void {
  out[0] = src[off]!;
  const p = src[off + 1]!;
  out[1] = (p << 16) | (p >>> 16);
  for (let i = 0; i < 4; i++) {
    out[2 + i] = src[off + 6 + i]!;
    out[6 + i] = src[off + 2 + i]!;
  }
}

function be32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** An IPv4 address as a uint32 from text, number or 4 bytes; throws a typed error on anything else. */
export function toV4(field: string, a: Address): number {
  if (typeof a === 'number') {
    if (!Number.isInteger(a) || a < 0 || a > 0xffffffff)
      throw new AddressFormatError(field, String(a), 'not a uint32');
    return a >>> 0;
  }
  if (a instanceof Uint8Array) {
    if (a.length !== 4) throw new AddressLengthError(field, 4, a.length);
    return be32(a, 0) >>> 0;
  }
  const parts = a.split('.');
  if (parts.length !== 4) throw new AddressFormatError(field, a, 'expected four dotted decimal octets');
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)
      throw new AddressFormatError(field, a, `bad octet ${JSON.stringify(p)}`);
    v = v * 256 + Number(p);
  }
  return v;
}

function v6Into(field: string, a: string | Uint8Array, w: Int32Array, at: number): void {
  if (a instanceof Uint8Array) {
    if (a.length !== 16) throw new AddressLengthError(field, 16, a.length);
    for (let i = 0; i < 4; i++) w[at + i] = be32(a, i * 4);
    return;
  }
  if (typeof a !== 'string') throw new AddressFormatError(field, String(a), 'expected text or 16 bytes');
  const groups = parseV6(field, a);
  for (let i = 0; i < 4; i++) w[at + i] = (groups[i * 2]! << 16) | groups[i * 2 + 1]!;
}

/** RFC 4291 2.2 text forms, including `::` and a trailing dotted IPv4 part. */
function parseV6(field: string, text: string): number[] {
  const halves = text.split('::');
  if (halves.length > 2) throw new AddressFormatError(field, text, 'more than one "::"');
  const parse = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = toV4(field, p);
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(Number.parseInt(p, 16));
      } else {
        throw new AddressFormatError(field, text, `bad group ${JSON.stringify(p)}`);
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  if (halves.length === 1) {
    if (head.length !== 8) throw new AddressFormatError(field, text, 'expected 8 groups');
    return head;
  }
  const tail = parse(halves[1]!);
  const fill = 8 - head.length - tail.length;
  if (fill < 1) throw new AddressFormatError(field, text, 'too many groups around "::"');
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** Text form of the address at word `at`: dotted quad, or RFC 5952 (lowercase, longest zero run as ::). */
export function addressText(w: Int32Array, at: number, family: 4 | 6): string {
  if (family === 4) {
    const v = w[at]! >>> 0;
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(w[at + i]! >>> 16, w[at + i]! & 0xffff);
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
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}
