// A Map from IPv4 unicast route keys (address * 64 + length, see `ipv4Key`) to values, for the tables
// that hold a full Internet table (Adj-RIB-In, Loc-RIB, Adj-RIB-Out). Such a key needs 38 bits, so a plain
// Map keeps it as a heap number (one boxed double per entry and per lookup) and scatters neighbouring
// prefixes all over memory. Here each prefix length has two tables keyed by the address as a signed 32-bit
// integer, which V8 keeps unboxed (a Smi on 64-bit builds without pointer compression, as Node ships):
//  - `leaves`: a Map from a block of 16 neighbouring prefixes (the address bits above the last four of
//    the prefix) to a 16-slot array. A block gets a leaf when the table arrives in address order (the
//    prefix before the block's first one was the last one added: a peer walking a radix tree, as FRR and
//    this speaker do), so consecutive routes hit one leaf in cache: about 3x less CPU than a plain Map
//    for get + set in a micro-benchmark, and what makes bench/speaker-ingest.ts fast.
//  - `single`: one Map entry per prefix, for prefixes that arrive in no particular order (a peer walking
//    a hash table, as BIRD and gobgpd do): the same micro-benchmark in random order costs up to 1.3x
//    the CPU of a plain Map there.
// Lookups try the block's leaf, then `single` (only when it holds anything). Values must not be
// `undefined` (an empty slot). Keys that are not IPv4 route keys (add-path keys, text) go to an ordinary
// Map. Iteration visits lengths 0..32 (single, then leaves: a table that arrived in address order comes
// out in that order) and then the other keys; like a Map iterator it tolerates entries added or removed
// while it runs.
//
//   key = address * 64 + length
//   block = length <= 4 ? 0 : address >>> (36 - length)     slot = (address >>> (32 - length)) & 15
//   byLength[length].leaves.get(block)[slot]  or  byLength[length].single.get(address | 0)
import type { RouteKey } from './path.js';

const LENGTHS = 33;
const KEY_LIMIT = 2 ** 32 * 64;
const SLOTS = 16;
/** A leaf: SLOTS values (undefined = empty) and, at index SLOTS, how many are filled. */
type Leaf<V> = (V | undefined | number)[];

interface LengthTable<V> {
  leaves: Map<number, Leaf<V>>;
  single: Map<number, V>;
  /** The address (int32) of the prefix last added to this length, or -1 (never a real 2^32 - 1 prefix end). */
  lastAdded: number;
}

function blockOf(address: number, len: number): number {
  return len <= 4 ? 0 : address >>> (36 - len);
}

function slotOf(address: number, len: number): number {
  return len === 0 ? 0 : (address >>> (32 - len)) & 15;
}

/** The int32 address of the prefix right before `address` at this length (wraps at 0). */
function previousPrefix(address: number, len: number): number {
  return len === 0 ? address : (address - (1 << (32 - len))) | 0;
}

function newLeaf<V>(): Leaf<V> {
  // a literal (SLOTS empty slots and the count): V8 pretenures a literal's allocation site when a table's
  // worth of leaves survive, rather than copying each through the young generation
  return [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    0,
  ];
}

export class PrefixMap<V> implements Map<RouteKey, V> {
  private readonly byLength: LengthTable<V>[] = [];
  private readonly other = new Map<RouteKey, V>();
  private count = 0;

  constructor() {
    for (let i = 0; i < LENGTHS; i++)
      this.byLength.push({ leaves: new Map(), single: new Map(), lastAdded: -1 });
  }

  get size(): number {
    return this.count;
  }

  get [Symbol.toStringTag](): string {
    return 'PrefixMap';
  }

  /**
   * The length of `key` when it is an IPv4 route key as `ipv4Key` makes them (length 0..32, address bits
   * past the length zero; stored per length), or -1 for any other key (the ordinary Map).
   */
  private static lengthOf(key: RouteKey): number {
    if (typeof key !== 'number' || !(key >= 0 && key < KEY_LIMIT)) return -1;
    const address = Math.floor(key / 64);
    const len = key - address * 64;
    if (len >= LENGTHS || !Number.isInteger(len)) return -1;
    return len === 32 || (address | 0) << len === 0 ? len : -1;
  }

  get(key: RouteKey): V | undefined {
    const len = PrefixMap.lengthOf(key);
    if (len < 0) return this.other.get(key);
    const address = ((key as number) / 64) | 0;
    const t = this.byLength[len]!;
    const leaf = t.leaves.size === 0 ? undefined : t.leaves.get(blockOf(address, len));
    if (leaf !== undefined) {
      const v = leaf[slotOf(address, len)];
      if (v !== undefined) return v as V;
    }
    return t.single.size === 0 ? undefined : t.single.get(address);
  }

  has(key: RouteKey): boolean {
    return PrefixMap.lengthOf(key) >= 0 ? this.get(key) !== undefined : this.other.has(key);
  }

  set(key: RouteKey, value: V): this {
    const len = PrefixMap.lengthOf(key);
    if (len < 0) {
      const before = this.other.size;
      this.other.set(key, value);
      this.count += this.other.size - before;
      return this;
    }
    const address = ((key as number) / 64) | 0;
    const t = this.byLength[len]!;
    const block = blockOf(address, len);
    const slot = slotOf(address, len);
    let leaf = t.leaves.size === 0 ? undefined : t.leaves.get(block);
    if (leaf !== undefined && leaf[slot] !== undefined) {
      leaf[slot] = value;
      return this;
    }
    // a new prefix of a block with a leaf, or the first of a block when the table arrives in address order
    // (unless `single` already holds it)
    if (leaf === undefined) {
      if (slot === 0 && len > 0 && t.lastAdded === previousPrefix(address, len)) {
        if (t.single.size === 0 || !t.single.has(address)) {
          leaf = newLeaf();
          t.leaves.set(block, leaf);
        }
      }
    } else if (t.single.size !== 0 && t.single.has(address)) leaf = undefined;
    if (leaf !== undefined) {
      leaf[slot] = value;
      leaf[SLOTS] = (leaf[SLOTS] as number) + 1;
    } else {
      const before = t.single.size;
      t.single.set(address, value);
      if (t.single.size === before) return this; // replaced
    }
    t.lastAdded = address;
    this.count++;
    return this;
  }

  delete(key: RouteKey): boolean {
    const len = PrefixMap.lengthOf(key);
    if (len < 0) {
      const gone = this.other.delete(key);
      if (gone) this.count--;
      return gone;
    }
    const address = ((key as number) / 64) | 0;
    const t = this.byLength[len]!;
    const block = blockOf(address, len);
    const leaf = t.leaves.get(block);
    const slot = slotOf(address, len);
    if (leaf !== undefined && leaf[slot] !== undefined) {
      leaf[slot] = undefined;
      const left = (leaf[SLOTS] as number) - 1;
      leaf[SLOTS] = left;
      if (left === 0) t.leaves.delete(block);
    } else if (t.single.size === 0 || !t.single.delete(address)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    for (const t of this.byLength) {
      t.leaves.clear();
      t.single.clear();
      t.lastAdded = -1;
    }
    this.other.clear();
    this.count = 0;
  }

  forEach(fn: (value: V, key: RouteKey, map: Map<RouteKey, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[RouteKey, V]> {
    for (let len = 0; len < LENGTHS; len++) {
      const t = this.byLength[len]!;
      const shift = 32 - len;
      for (const [address, v] of t.single) yield [(address >>> 0) * 64 + len, v];
      for (const [block, leaf] of t.leaves) {
        for (let slot = 0; slot < SLOTS; slot++) {
          const v = leaf[slot];
          if (v === undefined) continue;
          const bits = len <= 4 ? slot : block * SLOTS + slot;
          // bits << shift as an unsigned number (length 0: the address is 0)
          const address = len === 0 ? 0 : (bits * 2 ** shift) % 2 ** 32;
          yield [address * 64 + len, v as V];
        }
      }
    }
    yield* this.other;
  }

  *keys(): MapIterator<RouteKey> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (let len = 0; len < LENGTHS; len++) {
      const t = this.byLength[len]!;
      yield* t.single.values();
      for (const leaf of t.leaves.values()) {
        for (let slot = 0; slot < SLOTS; slot++) {
          const v = leaf[slot];
          if (v !== undefined) yield v as V;
        }
      }
    }
    yield* this.other.values();
  }

  [Symbol.iterator](): MapIterator<[RouteKey, V]> {
    return this.entries();
  }
}
