// Longest-prefix match for IPv4 and IPv6: a multibit trie with controlled prefix expansion (DIR-16-8-8 for
// IPv4, 16-8-8-...-8 for IPv6), over typed arrays so a lookup allocates nothing and reads at most 3 slots
// for IPv4 (15 for IPv6).
//
//   IPv4 address bits   0               16        24        32
//                       +---------------+---------+---------+
//                       | root index 16 | lvl 1 8 | lvl 2 8 |
//                       +---------------+---------+---------+
//   root: 65,536 slots; every other node: 256 slots. A slot holds
//     value + 1 (0 = none) | prefix length + 1 that wrote it (0 = none) | child node base (0 = none)
//
// A prefix of length L is stored in the node of the level where it ends, expanded over the 2^(end - L)
// slots it covers; a longer prefix overwrites a shorter one's slots, never the reverse. A lookup walks down
// while there is a child, remembering the last value seen: the deepest value is the longest match, because
// a level only holds prefixes longer than every level above it. Deleting a prefix rewrites its slots with
// the next-longest prefix of the same level that covers them (found in the prefix map), or empties them.
// Nodes are never freed (a table only grows), as in DIR-24-8 implementations without compaction.

import { AddressLengthError, LpmRangeError, TableFullError } from './errors.js';
import { parseAddress, parsePrefix } from './parse.js';

const ROOT_BITS = 16;
const ROOT_SLOTS = 1 << ROOT_BITS;
const NODE_SLOTS = 256;

/** Where a prefix of length `len` ends: the level, and the first bit of that level. */
function levelOf(len: number): number {
  return len <= ROOT_BITS ? 0 : Math.ceil((len - ROOT_BITS) / 8);
}
function levelStart(level: number): number {
  return level === 0 ? 0 : ROOT_BITS + 8 * (level - 1);
}
function levelEnd(level: number): number {
  return level === 0 ? ROOT_BITS : ROOT_BITS + 8 * level;
}

export interface LpmOptions {
  /** Non-root nodes preallocated (256 slots each); the pool doubles when it runs out. Default 64. */
  initialNodes?: number;
  /** Upper bound on non-root nodes. Default 2^20 (about 2.4 GB for 2^20 nodes: set it lower). */
  maxNodes?: number;
}

/** One installed prefix, as `routes()` lists it. */
export interface LpmEntry {
  /** Address bytes, masked to the prefix length. */
  addr: Uint8Array;
  len: number;
  value: number;
}

/** A multibit trie over addresses of `bits` (32 or 128) bits with integer values 0..2^31-2. */
export class LpmTrie {
  readonly bits: number;
  private nh: Int32Array;
  private plen: Uint8Array;
  private child: Int32Array;
  private used = ROOT_SLOTS;
  private readonly maxSlots: number;
  private readonly prefixes = new Map<number | string, number>();
  private readonly scratch: Uint8Array;

  constructor(bits: 32 | 128, options: LpmOptions = {}) {
    this.bits = bits;
    const initial = options.initialNodes ?? 64;
    const max = options.maxNodes ?? 1 << 20;
    if (!Number.isInteger(initial) || initial < 0) throw new LpmRangeError('initialNodes', initial, 0, max);
    this.maxSlots = ROOT_SLOTS + max * NODE_SLOTS;
    const slots = ROOT_SLOTS + initial * NODE_SLOTS;
    this.nh = new Int32Array(slots);
    this.plen = new Uint8Array(slots);
    this.child = new Int32Array(slots);
    this.scratch = new Uint8Array(bits / 8);
  }

  /** Installed prefixes. */
  get size(): number {
    return this.prefixes.size;
  }

  /** Non-root nodes in use. */
  get nodes(): number {
    return (this.used - ROOT_SLOTS) / NODE_SLOTS;
  }

  /** Bytes held by the slot arrays. */
  get bytes(): number {
    return this.nh.byteLength + this.plen.byteLength + this.child.byteLength;
  }

  /** Installs or replaces `addr/len -> value`. `addr` has bits/8 bytes; bits past `len` are ignored. */
  insert(addr: Uint8Array, len: number, value: number): void {
    const a = this.masked(addr, len);
    if (!Number.isInteger(value) || value < 0 || value > 0x7ffffffe)
      throw new LpmRangeError('value', value, 0, 0x7ffffffe);
    this.prefixes.set(this.key(a, len), value);
    const level = levelOf(len);
    const node = this.walk(a, level, true);
    const first = node + this.index(a, level);
    const count = 1 << (levelEnd(level) - len);
    const nh = this.nh;
    const pl = this.plen;
    for (let s = first; s < first + count; s++) {
      if (pl[s]! <= len + 1) {
        nh[s] = value + 1;
        pl[s] = len + 1;
      }
    }
  }

  /** Removes `addr/len`; returns whether it was installed. */
  delete(addr: Uint8Array, len: number): boolean {
    const a = this.masked(addr, len);
    if (!this.prefixes.delete(this.key(a, len))) return false;
    const level = levelOf(len);
    const node = this.walk(a, level, false);
    // The next-longest prefix of this level covering addr/len takes its slots back.
    let repValue = -1;
    let repLen = -1;
    const floor = level === 0 ? 0 : levelStart(level) + 1;
    const probe = this.scratch;
    for (let l = len - 1; l >= floor; l--) {
      probe.set(a);
      maskInPlace(probe, l);
      const v = this.prefixes.get(this.key(probe, l));
      if (v !== undefined) {
        repValue = v;
        repLen = l;
        break;
      }
    }
    const first = node + this.index(a, level);
    const count = 1 << (levelEnd(level) - len);
    for (let s = first; s < first + count; s++) {
      if (this.plen[s] === len + 1) {
        this.nh[s] = repValue + 1;
        this.plen[s] = repLen + 1;
      }
    }
    return true;
  }

  /** The value of exactly `addr/len`, or -1. */
  get(addr: Uint8Array, len: number): number {
    const a = this.masked(addr, len);
    return this.prefixes.get(this.key(a, len)) ?? -1;
  }

  /** Longest match for an IPv4 address given as an unsigned 32-bit number; the value or -1. */
  lookup4(addr: number): number {
    const nh = this.nh;
    const child = this.child;
    let s = addr >>> 16;
    let best = nh[s]!;
    let c = child[s]!;
    if (c !== 0) {
      s = c + ((addr >>> 8) & 0xff);
      const v = nh[s]!;
      if (v !== 0) best = v;
      c = child[s]!;
      if (c !== 0) {
        const w = nh[c + (addr & 0xff)]!;
        if (w !== 0) best = w;
      }
    }
    return best - 1;
  }

  /** Longest match for the address bytes at `buf[offset, offset + bits/8)`; the value or -1. */
  lookup(buf: Uint8Array, offset = 0): number {
    const nh = this.nh;
    const child = this.child;
    let s = (buf[offset]! << 8) | buf[offset + 1]!;
    let best = nh[s]!;
    let c = child[s]!;
    const n = this.bits / 8;
    for (let i = 2; c !== 0 && i < n; i++) {
      s = c + buf[offset + i]!;
      const v = nh[s]!;
      if (v !== 0) best = v;
      c = child[s]!;
    }
    return best - 1;
  }

  /** Installs a prefix given as text (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a host route). */
  insertPrefix(text: string, value: number): void {
    const p = parsePrefix(text, this.bits);
    this.insert(p.addr, p.len, value);
  }

  /** Removes a prefix given as text; returns whether it was installed. */
  deletePrefix(text: string): boolean {
    const p = parsePrefix(text, this.bits);
    return this.delete(p.addr, p.len);
  }

  /** Longest match for an address given as text (parses: for the control path and examples). */
  lookupAddress(text: string): number {
    return this.lookup(parseAddress(text, this.bits));
  }

  /** Every installed prefix (control plane and introspection; allocates). */
  *entries(): IterableIterator<LpmEntry> {
    for (const [k, value] of this.prefixes) {
      if (typeof k === 'number') {
        const len = Math.floor(k / 2 ** 32);
        const v = k % 2 ** 32;
        yield { addr: Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff), len, value };
      } else {
        const [hex, len] = k.split('/') as [string, string];
        const addr = new Uint8Array(16);
        for (let i = 0; i < 16; i++) addr[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        yield { addr, len: Number(len), value };
      }
    }
  }

  private masked(addr: Uint8Array, len: number): Uint8Array {
    if (addr.length !== this.bits / 8) throw new AddressLengthError(this.bits / 8, addr.length);
    if (!Number.isInteger(len) || len < 0 || len > this.bits)
      throw new LpmRangeError('len', len, 0, this.bits);
    const a = new Uint8Array(addr);
    maskInPlace(a, len);
    return a;
  }

  private key(a: Uint8Array, len: number): number | string {
    if (this.bits === 32)
      return len * 2 ** 32 + (((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0);
    let hex = '';
    for (let i = 0; i < a.length; i++) hex += HEX[a[i]!];
    return `${hex}/${len}`;
  }

  private index(a: Uint8Array, level: number): number {
    return level === 0 ? (a[0]! << 8) | a[1]! : a[level + 1]!;
  }

  /** The base slot of the node at `level` on the path of `a`, creating nodes when `create`. */
  private walk(a: Uint8Array, level: number, create: boolean): number {
    let node = 0;
    for (let k = 0; k < level; k++) {
      const slot = node + this.index(a, k);
      let c = this.child[slot]!;
      if (c === 0) {
        if (!create) return node;
        c = this.allocNode();
        this.child[slot] = c;
      }
      node = c;
    }
    return node;
  }

  private allocNode(): number {
    if (this.used + NODE_SLOTS > this.nh.length) {
      if (this.used + NODE_SLOTS > this.maxSlots)
        throw new TableFullError((this.maxSlots - ROOT_SLOTS) / NODE_SLOTS);
      const n = Math.min(this.maxSlots, Math.max(this.nh.length * 2, this.used + NODE_SLOTS));
      const nh = new Int32Array(n);
      nh.set(this.nh);
      const pl = new Uint8Array(n);
      pl.set(this.plen);
      const ch = new Int32Array(n);
      ch.set(this.child);
      this.nh = nh;
      this.plen = pl;
      this.child = ch;
    }
    const base = this.used;
    this.used += NODE_SLOTS;
    return base;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function maskInPlace(a: Uint8Array, len: number): void {
  for (let i = 0; i < a.length; i++) {
    const bits = len - 8 * i;
    if (bits >= 8) continue;
    a[i] = bits <= 0 ? 0 : a[i]! & (0xff << (8 - bits));
  }
}

/** The baseline: every prefix in arrays, each lookup scans them all for the longest match (IPv4 only). */
export class LinearLpm4 {
  private addr = new Uint32Array(16);
  private mask = new Uint32Array(16);
  private len = new Uint8Array(16);
  private value = new Int32Array(16);
  private n = 0;

  get size(): number {
    return this.n;
  }

  insert(addr: number, len: number, value: number): void {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const a = (addr & mask) >>> 0;
    for (let i = 0; i < this.n; i++) {
      if (this.addr[i] === a && this.len[i] === len) {
        this.value[i] = value;
        return;
      }
    }
    if (this.n === this.addr.length) {
      const grow = <T extends Uint32Array | Uint8Array | Int32Array>(x: T, make: (n: number) => T): T => {
        const y = make(x.length * 2);
        y.set(x);
        return y;
      };
      this.addr = grow(this.addr, (n) => new Uint32Array(n));
      this.mask = grow(this.mask, (n) => new Uint32Array(n));
      this.len = grow(this.len, (n) => new Uint8Array(n));
      this.value = grow(this.value, (n) => new Int32Array(n));
    }
    this.addr[this.n] = a;
    this.mask[this.n] = mask;
    this.len[this.n] = len;
    this.value[this.n] = value;
    this.n++;
  }

  lookup4(addr: number): number {
    let best = -1;
    let bestLen = -1;
    for (let i = 0; i < this.n; i++) {
      if ((addr & this.mask[i]!) >>> 0 === this.addr[i] && this.len[i]! > bestLen) {
        bestLen = this.len[i]!;
        best = this.value[i]!;
      }
    }
    return best;
  }
}
