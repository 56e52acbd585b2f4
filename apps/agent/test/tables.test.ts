import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Agent,
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
  ObjectInUseError,
  prometheusText,
  putMac,
  TableFullError,
  UnknownObjectError,
  VniTable,
} from '../src/index.js';
import { udpFrame } from './frames.js';

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

describe('Agent.deleteVrf', () => {
  it('refuses a VRF a port is in; frees routes, MACs, VNI, BUM and flows; the id is reused', () => {
    const agent = new Agent({ name: 'vrf-life', underlay: '192.0.2.61' });
    const blue = agent.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
    agent.addVrf({ name: 'red', vni: 200 });
    const port = agent.addPort({
      name: 'w1',
      vrf: 'blue',
      mac: '02:00:00:00:61:01',
      ipam: { address: '10.1.1.11', prefixLen: 24, gateway: '10.1.1.1' },
      deliver: () => {},
    });
    const tun = { tunnel: { dst: '192.0.2.62', label: 40, vni: 100, encaps: ['mpls-udp' as const] } };
    agent.addRoute('blue', '10.1.1.12/32', tun);
    agent.addRoute('blue', 'fd00::12/128', tun);
    agent.addMac('blue', '02:00:00:00:61:02', tun, '10.1.1.12');
    agent.setBumPeers('blue', ['192.0.2.62', '192.0.2.63']);
    agent.fw.fromPort(
      port.index,
      udpFrame(
        macFromText('02:00:00:00:61:02'),
        macFromText('02:00:00:00:61:01'),
        '10.1.1.11',
        '10.1.1.12',
        5,
        7,
        new Uint8Array(4),
      ),
    );
    expect(agent.fw.flows.stats().flows).toBe(2);
    expect(() => agent.deleteVrf('blue')).toThrow(ObjectInUseError);
    agent.deletePort('w1');
    agent.deleteVrf('blue');
    expect(agent.hasVrf('blue')).toBe(false);
    expect(agent.fw.vnis.lookup(100)).toBe(-1);
    expect(agent.fw.flows.stats().flows).toBe(0);
    // Left: the fixed next hops and red's BUM composite.
    expect(agent.fw.nexthops.size).toBe(4);
    const again = agent.addVrf({ name: 'blue', vni: 100 });
    expect(again.id).toBe(blue.id);
    expect([again.lpm4.size, again.lpm6.size, again.macs.size]).toEqual([0, 0, 0]);
    expect(agent.fw.vnis.lookup(100)).toBe(again.id);
  });
});
