// A Map from IPv4 unicast route keys (address * 64 + length, see `ipv4Key`) to values, for the tables
// that hold a full Internet table. Such a key needs 38 bits, so V8 stores it in a Map as a heap number:
// one boxed double per entry and per lookup, and a pointer to follow on every probe. Here each prefix
// length has its own Map keyed by the address as a signed 32-bit integer, which V8 keeps unboxed (a Smi
// on 64-bit builds without pointer compression, as Node ships): no allocation per lookup and about half
// the probe cost (measured in bench/speaker-ingest.ts). Keys that are not IPv4 route keys (add-path keys,
// text) go to an ordinary Map. Iteration visits lengths 0..32 and then the other keys; like Map
// iterators, it tolerates entries added or removed while it runs.
//
//   key = address * 64 + length  ->  byLength[length].get(address | 0)
import type { RouteKey } from './path.js';

const LENGTHS = 33;
const KEY_LIMIT = 2 ** 32 * 64;

export class PrefixMap<V> implements Map<RouteKey, V> {
  private readonly byLength: Map<number, V>[] = [];
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

  /** The per-length table of an IPv4 route key, or undefined for any other key. */
  private tableOf(key: RouteKey): Map<number, V> | undefined {
    if (typeof key !== 'number' || !(key >= 0 && key < KEY_LIMIT)) return undefined;
    const len = key % 64;
    return len < LENGTHS && Number.isInteger(key) ? this.byLength[len] : undefined;
  }

  get(key: RouteKey): V | undefined {
    const t = this.tableOf(key);
    if (t === undefined) return this.other.get(key);
    return t.get(((key as number) / 64) | 0);
  }

  has(key: RouteKey): boolean {
    const t = this.tableOf(key);
    if (t === undefined) return this.other.has(key);
    return t.has(((key as number) / 64) | 0);
  }

  set(key: RouteKey, value: V): this {
    const t = this.tableOf(key);
    const m = t ?? this.other;
    const k = t === undefined ? key : ((key as number) / 64) | 0;
    const before = m.size;
    m.set(k, value);
    if (m.size !== before) this.count++;
    return this;
  }

  delete(key: RouteKey): boolean {
    const t = this.tableOf(key);
    const gone = t === undefined ? this.other.delete(key) : t.delete(((key as number) / 64) | 0);
    if (gone) this.count--;
    return gone;
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
      for (const [a, v] of this.byLength[len]!) yield [(a >>> 0) * 64 + len, v];
    }
    yield* this.other;
  }

  *keys(): MapIterator<RouteKey> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (let len = 0; len < LENGTHS; len++) yield* this.byLength[len]!.values();
    yield* this.other.values();
  }

  [Symbol.iterator](): MapIterator<[RouteKey, V]> {
    return this.entries();
  }
}
