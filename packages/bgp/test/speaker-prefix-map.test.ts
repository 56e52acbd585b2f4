// PrefixMap (the Adj-RIB-In / Loc-RIB table for IPv4 unicast keys) behaves like a Map: random sequences
// of set/delete/get over IPv4 route keys (every length, addresses across the whole 32-bit range, so
// negative int32 internally, and runs of neighbouring prefixes that share leaves), add-path text keys and
// numbers that are not route keys give the same answers, size and entry set as a Map; iteration survives
// entries removed and added while it runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Key, PrefixMap, type RouteKey } from '../src/index.js';

const key = fc.oneof(
  fc.tuple(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, l]) => ipv4Key(a, l)),
  // neighbours: a few leaves, filled and emptied again
  fc
    .tuple(fc.nat({ max: 63 }), fc.constantFrom(5, 24, 32))
    .map(([i, l]) => ipv4Key(((0xc0a80000 >>> (32 - l)) + i) * 2 ** (32 - l), l)),
  fc.constantFrom(ipv4Key(0, 0), ipv4Key(0xffffffff, 32), ipv4Key(0x80000000, 1)),
  fc.string({ maxLength: 12 }),
  // not IPv4 route keys: negative, fractional, too big, NaN, host bits set (10.0.0.1/24), length 33
  fc.constantFrom(-1, 0.5, 2 ** 40, Number.NaN, 0x0a000001 * 64 + 24, 0x0a000000 * 64 + 33),
);
const op = fc.tuple(fc.constantFrom('set', 'delete', 'get', 'has'), key, fc.integer());

const sorted = (it: Iterable<[RouteKey, number]>) => [...it].map(([k, v]) => `${String(k)}=${v}`).sort();

describe('PrefixMap', () => {
  it('answers like a Map for any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const m = new Map<RouteKey, number>();
        const p = new PrefixMap<number>();
        for (const [o, k, v] of ops) {
          if (o === 'set') {
            m.set(k, v);
            p.set(k, v);
          } else if (o === 'delete') expect(p.delete(k)).toBe(m.delete(k));
          else if (o === 'get') expect(p.get(k)).toBe(m.get(k));
          else expect(p.has(k)).toBe(m.has(k));
          expect(p.size).toBe(m.size);
        }
        expect(sorted(p)).toEqual(sorted(m));
        expect(sorted(p.entries())).toEqual(sorted(m.entries()));
        expect([...p.keys()].map(String).sort()).toEqual([...m.keys()].map(String).sort());
        expect([...p.values()].sort()).toEqual([...m.values()].sort());
        const seen: string[] = [];
        p.forEach((v, k) => {
          seen.push(`${String(k)}=${v}`);
        });
        expect(seen.sort()).toEqual(sorted(m));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps iterating while entries are removed and added', () => {
    const p = new PrefixMap<number>();
    for (let i = 0; i < 100; i++) p.set(ipv4Key(0x0a000000 + i * 256, 24), i);
    p.set('x#1', -1);
    const visited: number[] = [];
    for (const v of p.values()) {
      visited.push(v);
      if (v === 10) for (let i = 50; i < 100; i++) p.delete(ipv4Key(0x0a000000 + i * 256, 24));
      if (v === 20) p.set(ipv4Key(0x0b000000, 24), 1000); // same length: visited later in this pass
    }
    expect(visited).toEqual([...Array.from({ length: 50 }, (_, i) => i), 1000, -1]);
    expect(p.size).toBe(52);
    p.clear();
    expect(p.size).toBe(0);
    expect([...p]).toEqual([]);
  });
});
