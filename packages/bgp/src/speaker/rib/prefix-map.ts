// A Map from IPv4 unicast route keys (address * 64 + length, see `ipv4Key`) to values, for the tables
// that hold a full Internet table (Adj-RIB-In, Loc-RIB). Such a key needs 38 bits, so a plain Map keeps
// it as a heap number: one boxed double per entry and per lookup, and a pointer to follow on every
// probe, and its hash scatters neighbouring prefixes all over memory. Here each prefix length has its own
// Map from a block of 16 neighbouring prefixes (the address bits above the last four of the prefix, a
// small integer V8 keeps unboxed) to a 16-slot leaf array. Tables arrive mostly in address order (a
// peer walks its own table), so consecutive routes hit the same leaf in cache: about half the CPU time of
// one Map entry per prefix in bench/speaker-ingest.ts order, about 1.3x more when prefixes come in random
// order (both measured with a micro-benchmark). Keys that are not IPv4 route keys (add-path keys, text)
// go to an ordinary Map. Values must not be `undefined` (an empty slot). Iteration visits lengths 0..32
// and then the other keys; like a Map iterator it tolerates entries added or removed while it runs.
//
//   key = address * 64 + length
//   length <= 4: block 0,                        slot = address >>> (32 - length)
//   length  > 4: block = address >>> (36 - length), slot = (address >>> (32 - length)) & 15
//   byLength[length].get(block)[slot]            leaf[16] = number of filled slots
import type { RouteKey } from './path.js';

const LENGTHS = 33;
const KEY_LIMIT = 2 ** 32 * 64;
const SLOTS = 16;
/** A leaf: SLOTS values (undefined = empty) and, at index SLOTS, how many are filled. */
type Leaf<V> = (V | undefined | number)[];

function blockOf(address: number, len: number): number {
  return len <= 4 ? 0 : address >>> (36 - len);
}

function slotOf(address: number, len: number): number {
  return len === 0 ? 0 : (address >>> (32 - len)) & 15;
}

function newLeaf<V>(): Leaf<V> {
  const leaf: Leaf<V> = new Array(SLOTS + 1).fill(undefined);
  leaf[SLOTS] = 0;
  return leaf;
}

export class PrefixMap<V> implements Map<RouteKey, V> {
  private readonly byLength: Map<number, Leaf<V>>[] = [];
  private readonly other = new Map<RouteKey, V>();
  private count = 0;

  constructor() {
    for (let i = 0; i < LENGTHS; i++) this.byLength.push(new Map());
  }

  get size(): number {
    return this.count;
  }

  get [Symbol.toStringTag](): string {
    return 'PrefixMap';
  }

  /**
   * Whether `key` is an IPv4 route key as `ipv4Key` makes them (length 0..32, address bits past the length
   * zero), stored in the leaves; any other key goes to the ordinary Map.
   */
  private static isIpv4Key(key: RouteKey): key is number {
    if (typeof key !== 'number' || !(key >= 0 && key < KEY_LIMIT) || !Number.isInteger(key)) return false;
    const len = key % 64;
    return len < LENGTHS && (len === 32 || ((key / 64) | 0) << len === 0);
  }

  get(key: RouteKey): V | undefined {
    if (!PrefixMap.isIpv4Key(key)) return this.other.get(key);
    const len = key % 64;
    const address = (key / 64) | 0;
    const leaf = this.byLength[len]!.get(blockOf(address, len));
    return leaf === undefined ? undefined : (leaf[slotOf(address, len)] as V | undefined);
  }

  has(key: RouteKey): boolean {
    return PrefixMap.isIpv4Key(key) ? this.get(key) !== undefined : this.other.has(key);
  }

  set(key: RouteKey, value: V): this {
    if (!PrefixMap.isIpv4Key(key)) {
      const before = this.other.size;
      this.other.set(key, value);
      this.count += this.other.size - before;
      return this;
    }
    const len = key % 64;
    const address = (key / 64) | 0;
    const t = this.byLength[len]!;
    const block = blockOf(address, len);
    let leaf = t.get(block);
    if (leaf === undefined) {
      leaf = newLeaf();
      t.set(block, leaf);
    }
    const slot = slotOf(address, len);
    if (leaf[slot] === undefined) {
      leaf[SLOTS] = (leaf[SLOTS] as number) + 1;
      this.count++;
    }
    leaf[slot] = value;
    return this;
  }

  delete(key: RouteKey): boolean {
    if (!PrefixMap.isIpv4Key(key)) {
      const gone = this.other.delete(key);
      if (gone) this.count--;
      return gone;
    }
    const len = key % 64;
    const address = (key / 64) | 0;
    const t = this.byLength[len]!;
    const block = blockOf(address, len);
    const leaf = t.get(block);
    const slot = slotOf(address, len);
    if (leaf === undefined || leaf[slot] === undefined) return false;
    leaf[slot] = undefined;
    const left = (leaf[SLOTS] as number) - 1;
    leaf[SLOTS] = left;
    if (left === 0) t.delete(block);
    this.count--;
    return true;
  }

  clear(): void {
    for (const t of this.byLength) t.clear();
    this.other.clear();
    this.count = 0;
  }

  forEach(fn: (value: V, key: RouteKey, map: Map<RouteKey, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[RouteKey, V]> {
    for (let len = 0; len < LENGTHS; len++) {
      const shift = 32 - len;
      for (const [block, leaf] of this.byLength[len]!) {
        for (let slot = 0; slot < SLOTS; slot++) {
          const v = leaf[slot];
          if (v === undefined) continue;
          const bits = len <= 4 ? slot : block * SLOTS + slot;
          // bits << shift as an unsigned number (shift 32 for length 0: the address is 0)
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
      for (const leaf of this.byLength[len]!.values()) {
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
