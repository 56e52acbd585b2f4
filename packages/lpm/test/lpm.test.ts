import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressFormatError,
  AddressLengthError,
  LinearLpm4,
  LpmRangeError,
  LpmTrie,
  parseAddress,
} from '../src/index.js';

const bytes4 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** Oracle for IPv6 and for deletions: every prefix in a list, longest match by scanning. */
class Oracle {
  readonly list: { addr: Uint8Array; len: number; value: number }[] = [];
  private static covers(p: { addr: Uint8Array; len: number }, a: Uint8Array): boolean {
    for (let i = 0; i < p.len; i++) {
      const bit = (x: Uint8Array) => (x[i >> 3]! >> (7 - (i & 7))) & 1;
      if (bit(p.addr) !== bit(a)) return false;
    }
    return true;
  }
  private static masked(a: Uint8Array, len: number): Uint8Array {
    const m = a.slice();
    for (let i = 0; i < m.length; i++) {
      const bits = len - 8 * i;
      if (bits < 8) m[i] = bits <= 0 ? 0 : m[i]! & (0xff << (8 - bits));
    }
    return m;
  }
  insert(a: Uint8Array, len: number, value: number): void {
    this.delete(a, len);
    this.list.push({ addr: Oracle.masked(a, len), len, value });
  }
  delete(a: Uint8Array, len: number): boolean {
    const m = Oracle.masked(a, len);
    const i = this.list.findIndex((p) => p.len === len && p.addr.every((b, k) => b === m[k]));
    if (i >= 0) this.list.splice(i, 1);
    return i >= 0;
  }
  lookup(a: Uint8Array): number {
    let best = -1;
    let bestLen = -1;
    for (const p of this.list)
      if (p.len > bestLen && Oracle.covers(p, a)) {
        best = p.value;
        bestLen = p.len;
      }
    return best;
  }
}

describe('LpmTrie IPv4', () => {
  it('finds the longest match across levels, default route and host routes', () => {
    const t = new LpmTrie(32);
    t.insert(bytes4(0), 0, 1);
    t.insert(Uint8Array.of(10, 0, 0, 0), 8, 2);
    t.insert(Uint8Array.of(10, 1, 0, 0), 16, 3);
    t.insert(Uint8Array.of(10, 1, 1, 0), 24, 4);
    t.insert(Uint8Array.of(10, 1, 1, 7), 32, 5);
    t.insert(Uint8Array.of(10, 1, 1, 128), 25, 6);
    const look = (s: string) => t.lookup4(s.split('.').reduce((n, x) => n * 256 + Number(x), 0));
    expect(look('192.0.2.1')).toBe(1);
    expect(look('10.9.9.9')).toBe(2);
    expect(look('10.1.9.9')).toBe(3);
    expect(look('10.1.1.9')).toBe(4);
    expect(look('10.1.1.7')).toBe(5);
    expect(look('10.1.1.200')).toBe(6);
    expect(t.delete(Uint8Array.of(10, 1, 1, 128), 25)).toBe(true);
    expect(look('10.1.1.200')).toBe(4);
    expect(t.delete(Uint8Array.of(10, 1, 1, 0), 24)).toBe(true);
    expect(look('10.1.1.200')).toBe(3);
    expect(look('10.1.1.7')).toBe(5);
    expect(t.delete(Uint8Array.of(10, 0, 0, 0), 8)).toBe(true);
    expect(look('10.9.9.9')).toBe(1);
    expect(t.delete(Uint8Array.of(10, 0, 0, 0), 8)).toBe(false);
    expect(t.size).toBe(3);
    expect([...t.entries()].map((e) => `${e.addr.join('.')}/${e.len}=${e.value}`).sort()).toEqual([
      '0.0.0.0/0=1',
      '10.1.0.0/16=3',
      '10.1.1.7/32=5',
    ]);
  });

  it('rejects bad input with typed errors', () => {
    const t = new LpmTrie(32);
    expect(() => t.insert(bytes4(0), 33, 1)).toThrow(LpmRangeError);
    expect(() => t.insert(new Uint8Array(16), 8, 1)).toThrow(AddressLengthError);
    expect(() => t.insert(bytes4(0), 8, -1)).toThrow(LpmRangeError);
    expect(() => t.insertPrefix('10.0.0.0/33', 1)).toThrow(LpmRangeError);
    expect(() => t.insertPrefix('10.0.0/8', 1)).toThrow(AddressFormatError);
    expect(() => t.lookupAddress('10.0.0.256')).toThrow(AddressFormatError);
    try {
      t.insertPrefix('x/8', 1);
    } catch (e) {
      expect((e as AddressFormatError).code).toBe('ERR_LPM_ADDRESS_FORMAT');
      expect((e as AddressFormatError).name).toBe('AddressFormatError');
    }
  });

  it('agrees with a linear scan under random inserts, replacements and deletes', () => {
    const prefix = fc.record({
      addr: fc.integer({ min: 0, max: 0xffffffff }),
      len: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(8, 16, 17, 24, 25, 32)),
      value: fc.integer({ min: 0, max: 1000 }),
      del: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }),
        (ops, probes) => {
          const t = new LpmTrie(32, { initialNodes: 1 });
          const o = new Oracle();
          for (const op of ops) {
            if (op.del) expect(t.delete(bytes4(op.addr), op.len)).toBe(o.delete(bytes4(op.addr), op.len));
            else {
              t.insert(bytes4(op.addr), op.len, op.value);
              o.insert(bytes4(op.addr), op.len, op.value);
            }
          }
          // Probe the prefixes themselves and their neighbours too, where the edges are.
          const all = [...probes, ...ops.flatMap((p) => [p.addr, (p.addr + 1) >>> 0, (p.addr - 1) >>> 0])];
          for (const a of all) {
            expect(t.lookup4(a)).toBe(o.lookup(bytes4(a)));
            expect(t.lookup(bytes4(a))).toBe(o.lookup(bytes4(a)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('LinearLpm4 (the bench baseline) agrees with the trie', () => {
    const t = new LpmTrie(32);
    const l = new LinearLpm4();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        fc.nat(1000),
        (a, len, v) => {
          t.insert(bytes4(a), len, v);
          l.insert(a, len, v);
          expect(l.lookup4(a)).toBe(t.lookup4(a));
          expect(l.lookup4((a ^ 0x5a5a5a5a) >>> 0)).toBe(t.lookup4((a ^ 0x5a5a5a5a) >>> 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LpmTrie IPv6', () => {
  it('agrees with a scan under random inserts and deletes', () => {
    const addr = fc.uint8Array({ minLength: 16, maxLength: 16 });
    const op = fc.record({
      addr,
      len: fc.integer({ min: 0, max: 128 }),
      value: fc.nat(500),
      del: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(addr, { maxLength: 20 }), (ops, probes) => {
        const t = new LpmTrie(128, { initialNodes: 1 });
        const o = new Oracle();
        for (const x of ops) {
          if (x.del) expect(t.delete(x.addr, x.len)).toBe(o.delete(x.addr, x.len));
          else {
            t.insert(x.addr, x.len, x.value);
            o.insert(x.addr, x.len, x.value);
          }
        }
        for (const a of [...probes, ...ops.map((x) => x.addr)]) expect(t.lookup(a)).toBe(o.lookup(a));
      }),
      { numRuns: 150 },
    );
  });
});

describe('text helpers', () => {
  it('parse IPv4 and IPv6 text, with :: and an embedded dotted quad', () => {
    expect([...parseAddress('192.0.2.1', 32)]).toEqual([192, 0, 2, 1]);
    expect([...parseAddress('2001:db8::1', 128)]).toEqual([0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
    expect([...parseAddress('::', 128)]).toEqual(new Array(16).fill(0));
    expect([...parseAddress('::ffff:10.1.2.3', 128)]).toEqual([
      ...new Array(10).fill(0),
      0xff,
      0xff,
      10,
      1,
      2,
      3,
    ]);
    expect([...parseAddress('1:2:3:4:5:6:7:8', 128)]).toEqual([
      0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8,
    ]);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7::8'])
      expect(() => parseAddress(bad, 128)).toThrow(AddressFormatError);
  });

  it('insertPrefix / lookupAddress / deletePrefix for both families', () => {
    const v6 = new LpmTrie(128);
    v6.insertPrefix('2001:db8::/32', 1);
    v6.insertPrefix('2001:db8:1::/48', 2);
    v6.insertPrefix('2001:db8:1::5', 3);
    expect(v6.lookupAddress('2001:db8:1::5')).toBe(3);
    expect(v6.lookupAddress('2001:db8:1::6')).toBe(2);
    expect(v6.lookupAddress('2001:db8:2::6')).toBe(1);
    expect(v6.lookupAddress('2001:db9::')).toBe(-1);
    expect(v6.deletePrefix('2001:db8:1::/48')).toBe(true);
    expect(v6.lookupAddress('2001:db8:1::6')).toBe(1);
    expect([...v6.entries()].map((e) => e.len).sort()).toEqual([128, 32]);
  });
});
