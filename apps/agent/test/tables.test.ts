import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DuplicateObjectError,
  FieldRangeError,
  LabelTable,
  MacTable,
  MIN_LABEL,
  macAt,
  macFromText,
  macText,
  NextHopKind,
  NextHopTable,
  prometheusText,
  putMac,
  TableFullError,
  UnknownObjectError,
  VniTable,
} from '../src/index.js';

describe('MAC table', () => {
  it('agrees with a Map under random sets, deletes and lookups (in place and by number)', () => {
    const mac = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      fc.constantFrom(0, 2 ** 48 - 1, 2 ** 32, 2 ** 32 - 1),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(mac, fc.nat(1000), fc.boolean()), { maxLength: 200 }), (ops) => {
        const t = new MacTable(4);
        const m = new Map<number, number>();
        const buf = new Uint8Array(8);
        for (const [k, v, del] of ops) {
          if (del) expect(t.delete(k)).toBe(m.get(k));
          else expect(t.set(k, v)).toBe(m.get(k));
          if (del) m.delete(k);
          else m.set(k, v);
          putMac(buf, 2, k);
          expect(macAt(buf, 2)).toBe(k);
          expect(t.lookupAt(buf, 2)).toBe(m.get(k) ?? -1);
        }
        expect(t.size).toBe(m.size);
        for (const [k, v] of m) expect(t.lookup(k)).toBe(v);
        expect(new Map(t.entries())).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('MAC text round trip', () => {
    expect(macText(macFromText('02:AB:cd:00:01:ff'))).toBe('02:ab:cd:00:01:ff');
    expect(() => macFromText('02:ab:cd:00:01')).toThrow(TypeError);
  });
});

describe('label and VNI tables', () => {
  it('allocates labels from 16, frees and reuses them, and reports a full table', () => {
    const t = new LabelTable(3);
    const a = t.allocate(5);
    const b = t.allocate(6);
    const c = t.allocate(7);
    expect([a, b, c]).toEqual([MIN_LABEL, MIN_LABEL + 1, MIN_LABEL + 2]);
    expect(() => t.allocate(8)).toThrow(TableFullError);
    t.free(b);
    expect(t.lookup(b)).toBe(-1);
    expect(t.allocate(9)).toBe(b);
    expect(t.lookup(b)).toBe(9);
    expect(t.lookup(3)).toBe(-1); // reserved
    expect(t.lookup(0xfffff)).toBe(-1);
    expect(() => t.free(3)).toThrow(UnknownObjectError);
    expect([...t.entries()]).toEqual([
      [16, 5],
      [17, 9],
      [18, 7],
    ]);
  });

  it('maps VNIs to VRFs and refuses a VNI used by another VRF', () => {
    const v = new VniTable();
    v.set(100, 1);
    v.set(100, 1);
    expect(v.lookup(100)).toBe(1);
    expect(v.lookup(101)).toBe(-1);
    expect(() => v.set(100, 2)).toThrow(DuplicateObjectError);
    expect(() => v.set(0x1000000, 2)).toThrow(FieldRangeError);
  });
});

describe('next hops', () => {
  it('shares tunnel next hops by key, counts references and frees unreferenced ones', () => {
    const t = new NextHopTable();
    const a = t.tunnel({ dst: '192.0.2.1', label: 20, encaps: ['mpls-udp'] });
    const b = t.tunnel({ dst: '192.0.2.1', label: 20, encaps: ['mpls-udp'] });
    expect(b).toBe(a);
    const e = t.ecmp([a.id, t.tunnel({ dst: '192.0.2.2', label: 20, encaps: ['mpls-udp'] }).id]);
    expect(e.kind).toBe(NextHopKind.ecmp);
    expect(a.refs).toBe(1);
    e.refs++;
    const freed: number[] = [];
    t.release(e.id, (id) => freed.push(id));
    expect(freed.sort()).toEqual([a.id, e.id, e.members[1]!].sort());
    expect(t.at(a.id)).toBeUndefined();
    expect(() => t.get(a.id)).toThrow(UnknownObjectError);
    expect(() => t.tunnel({ dst: '192.0.2.1', label: 3, encaps: ['mpls-udp'] })).toThrow(FieldRangeError);
    expect(() => t.tunnel({ dst: '192.0.2.300', encaps: ['vxlan'] })).toThrow(FieldRangeError);
  });
});

describe('Prometheus text', () => {
  it('renders HELP, TYPE and escaped labels', () => {
    expect(
      prometheusText([
        {
          name: 'x_total',
          help: 'X.',
          type: 'counter',
          samples: [{ labels: { a: 'q"\\\n' }, value: 2 }, { value: Number.NaN }],
        },
      ]),
    ).toBe('# HELP x_total X.\n# TYPE x_total counter\nx_total{a="q\\"\\\\\\n"} 2\nx_total 0\n');
  });
});
