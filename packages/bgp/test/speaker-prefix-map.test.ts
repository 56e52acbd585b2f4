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

  it('answers like a Map when runs of prefixes arrive in address order (leaves) and others do not', () => {
    const run = fc
      .tuple(fc.nat({ max: 0xffffffff }), fc.constantFrom(1, 5, 24, 32), fc.integer({ min: 1, max: 70 }))
      .map(([start, len, n]) =>
        Array.from({ length: n }, (_, i) => ipv4Key(start + i * 2 ** (32 - len), len)),
      );
    fc.assert(
      fc.property(fc.array(run, { maxLength: 4 }), fc.array(op, { maxLength: 100 }), (runs, ops) => {
        const m = new Map<RouteKey, number>();
        const p = new PrefixMap<number>();
        const runKeys = runs.flat();
        runKeys.forEach((k, i) => {
          m.set(k, i);
          p.set(k, i);
        });
        // the random operations also hit the run keys (updates and deletions inside leaves)
        const all = [...ops, ...runKeys.map((k, i) => [i % 3 === 0 ? 'delete' : 'set', k, -i] as const)];
        for (const [o, k, v] of all) {
          if (o === 'set') {
            m.set(k, v);
            p.set(k, v);
          } else if (o === 'delete') expect(p.delete(k)).toBe(m.delete(k));
          else if (o === 'get') expect(p.get(k)).toBe(m.get(k));
          else expect(p.has(k)).toBe(m.has(k));
          expect(p.size).toBe(m.size);
        }
        for (const k of runKeys) expect(p.get(k)).toBe(m.get(k));
        expect(sorted(p)).toEqual(sorted(m));
        expect([...p.values()].sort()).toEqual([...m.values()].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps iterating while entries are removed and added', () => {
    const p = new PrefixMap<number>();
    const k24 = (i: number) => ipv4Key(0x0a000000 + i * 256, 24);
    for (let i = 0; i < 100; i++) p.set(k24(i), i); // in address order: leaves after the first block
    for (let i = 0; i < 20; i++) p.set(k24(1000 - i * 7), 1000 - i * 7); // out of order: one entry each
    p.set('x#1', -1);
    const visited: number[] = [];
    const deletedUnseen = new Set<number>();
    for (const v of p.values()) {
      visited.push(v);
      if (visited.length === 5) {
        // remove half of everything not yet visited, and add one entry
        for (const i of [
          ...Array.from({ length: 100 }, (_, j) => j),
          ...Array.from({ length: 20 }, (_, j) => 1000 - j * 7),
        ])
          if (i % 2 === 0 && !visited.includes(i) && p.delete(k24(i))) deletedUnseen.add(i);
        p.set(k24(5000), 5000);
      }
    }
    expect(new Set(visited).size).toBe(visited.length);
    for (const d of deletedUnseen) expect(visited).not.toContain(d);
    const expected = [...p.values()];
    for (const v of expected) if (v !== 5000) expect(visited).toContain(v);
    expect(p.size).toBe(expected.length);
    expect(p.size).toBe(121 - deletedUnseen.size + 1);
    p.clear();
    expect(p.size).toBe(0);
    expect([...p]).toEqual([]);
  });
});
