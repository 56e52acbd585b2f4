// Model-based test: random operation sequences run against the table and against a plain Map model of the
// documented semantics; every observable result is compared after every step (insert results including
// table-full, lookups, pairing, counters, aging, two-step removal, TCP-state eviction, events).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Action, DeleteReason, FlowKey, FlowTable, InsertStatus, TcpFlag, TcpState } from '../src/index.js';

const ADDRS = [0x0a000001, 0x0a000002, 0x0a000003, 0xc0a80001];
const PORTS = [53, 80, 1024];
const PROTOS = [6, 17];

interface KeyParts {
  vrf: number;
  proto: number;
  src: number;
  dst: number;
  sport: number;
  dport: number;
}
const keyArb: fc.Arbitrary<KeyParts> = fc.record({
  vrf: fc.constantFrom(1, 2),
  proto: fc.constantFrom(...PROTOS),
  src: fc.constantFrom(...ADDRS),
  dst: fc.constantFrom(...ADDRS),
  sport: fc.constantFrom(...PORTS),
  dport: fc.constantFrom(...PORTS),
});

type Op =
  | { op: 'insert'; key: KeyParts; action: number; nat: KeyParts | null }
  | { op: 'lookup'; key: KeyParts }
  | { op: 'delete'; key: KeyParts }
  | { op: 'hit'; key: KeyParts; flags: number }
  | { op: 'advance'; ms: number }
  | { op: 'sweep' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      key: keyArb,
      action: fc.constantFrom<number>(Action.DROP, Action.FORWARD),
      nat: fc.option(keyArb, { freq: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('lookup' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('hit' as const),
      key: keyArb,
      flags: fc.constantFrom(
        0,
        TcpFlag.SYN,
        TcpFlag.SYN | TcpFlag.ACK,
        TcpFlag.ACK,
        TcpFlag.FIN | TcpFlag.ACK,
        TcpFlag.RST,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.oneof(fc.constantFrom(0, 250, 500, 750, 1000), fc.integer({ min: 0, max: 600 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sweep' as const) }) },
);

const str = (k: KeyParts) => `${k.vrf}/${k.proto}/${k.src}:${k.sport}>${k.dst}:${k.dport}`;
const rev = (k: KeyParts): KeyParts => ({ ...k, src: k.dst, dst: k.src, sport: k.dport, dport: k.sport });

interface ModelEntry {
  key: KeyParts;
  partner: string;
  action: number;
  last: number;
  tcp: number;
  packets: number;
}

const AGING = { idleMs: 1000, protocols: { 17: 500 }, tcpClosedMs: 250, tcpEmbryonicMs: 750, graceMs: 250 };
const MAX_FLOWS = 12;

function runModel(ops: Op[]): void {
  const created: number[] = [];
  const deleted: [number, number][] = [];
  // 8 main entries (2 buckets) force most keys into overflow chains; the overflow area is big enough that
  // only the flow limit can refuse an insert, which is what the model predicts.
  const t = new FlowTable({
    capacity: 8,
    overflow: 64,
    maxFlows: MAX_FLOWS,
    seed: 7,
    aging: AGING,
    onCreate: (i) => created.push(i),
    onDelete: (i, r) => deleted.push([i, r]),
  });
  const live = new Map<string, ModelEntry>();
  const retiring: { at: number }[] = [];
  let now = 0;
  let expectCreated = 0;
  let expectDeleted = 0;
  const k = new FlowKey();
  const n = new FlowKey();
  const setKey = (fk: FlowKey, p: KeyParts) => fk.setV4(p.vrf, p.proto, p.src, p.dst, p.sport, p.dport);
  const indexOf = (p: KeyParts) => t.lookupV4(p.vrf, p.proto, p.src, p.dst, p.sport, p.dport);

  const retirePair = (e: ModelEntry) => {
    const keys = new Set([str(e.key), e.partner]);
    for (const s of keys) {
      live.delete(s);
      retiring.push({ at: now });
    }
    expectDeleted += keys.size;
  };

  for (const op of ops) {
    switch (op.op) {
      case 'insert': {
        const fwd = str(op.key);
        const nat = op.nat && op.nat.proto === op.key.proto ? op.nat : null;
        const rk = rev(nat ?? op.key);
        const r = str(rk);
        setKey(k, op.key);
        const spec = nat
          ? { action: op.action as Action, now, nat: setKey(n, nat) }
          : { action: op.action as Action, now };
        const got = t.insertPair(k, spec);
        let want: number;
        const need = fwd === r ? 1 : 2;
        if (live.has(fwd) || live.has(r)) want = InsertStatus.EXISTS;
        else if (live.size + retiring.length + need > MAX_FLOWS) want = InsertStatus.TABLE_FULL;
        else want = 0;
        if (want < 0) {
          expect(got).toBe(want);
          break;
        }
        expect(got).toBeGreaterThanOrEqual(0);
        const isNat = nat !== null && str(nat) !== fwd;
        const action = isNat && op.action === Action.FORWARD ? Action.NAT : op.action;
        live.set(fwd, { key: op.key, partner: r, action, last: now, tcp: 0, packets: 0 });
        if (need === 2) live.set(r, { key: rk, partner: fwd, action, last: now, tcp: 0, packets: 0 });
        expectCreated += need;
        break;
      }
      case 'lookup': {
        const i = indexOf(op.key);
        const e = live.get(str(op.key));
        if (!e) {
          expect(i).toBe(-1);
          break;
        }
        expect(i).toBeGreaterThanOrEqual(0);
        expect(t.lookup(setKey(k, op.key))).toBe(i);
        const ri = indexOf(live.get(e.partner)!.key);
        expect(t.reverse(i)).toBe(ri);
        expect(t.reverse(ri)).toBe(i);
        expect(t.action(i)).toBe(e.action);
        expect(t.packets(i)).toBe(e.packets);
        expect(t.lastSeen(i)).toBe(e.last);
        expect(t.tcpState(i)).toBe(e.tcp);
        break;
      }
      case 'delete': {
        const e = live.get(str(op.key));
        const got = t.delete(setKey(k, op.key));
        expect(got).toBe(e !== undefined);
        if (e) {
          const n2 = str(e.key) === e.partner ? 1 : 2;
          live.delete(str(e.key));
          live.delete(e.partner);
          expectDeleted += n2;
        }
        break;
      }
      case 'hit': {
        const e = live.get(str(op.key));
        const i = indexOf(op.key);
        expect(i >= 0).toBe(e !== undefined);
        if (!e) break;
        t.hit(i, now, 100, op.key.proto === 6 ? op.flags : 0);
        e.last = now;
        e.packets++;
        if (op.key.proto === 6 && op.flags !== 0) {
          const f = op.flags;
          if (f & TcpFlag.RST) e.tcp |= TcpState.RST;
          if (f & TcpFlag.FIN) e.tcp |= TcpState.FIN;
          if (f & TcpFlag.SYN) e.tcp |= f & TcpFlag.ACK ? TcpState.SYN_ACK : TcpState.SYN;
          else if (f & TcpFlag.ACK && !(e.tcp & TcpState.ESTABLISHED)) {
            const p = live.get(e.partner)!;
            if ((e.tcp | p.tcp) & TcpState.SYN_ACK) e.tcp |= TcpState.ESTABLISHED;
          }
        }
        break;
      }
      case 'advance':
        now += op.ms;
        break;
      case 'sweep': {
        // A full pass: retired entries older than the grace period are freed, then pairs are judged.
        for (let j = retiring.length - 1; j >= 0; j--)
          if (now - retiring[j]!.at > AGING.graceMs) retiring.splice(j, 1);
        const seen = new Set<string>();
        let removed = 0;
        for (const [s, e] of [...live]) {
          if (seen.has(s) || !live.has(s)) continue;
          seen.add(s).add(e.partner);
          const p = live.get(e.partner)!;
          const idle = Math.min(now - e.last, now - p.last);
          const ts = e.tcp | p.tcp;
          const closed = ts & TcpState.RST || e.tcp & p.tcp & TcpState.FIN;
          let out = false;
          if (e.key.proto === 6 && closed && idle >= AGING.tcpClosedMs) out = true;
          else if (
            e.key.proto === 6 &&
            ts & (TcpState.SYN | TcpState.SYN_ACK) &&
            !(ts & TcpState.ESTABLISHED) &&
            idle >= AGING.tcpEmbryonicMs
          )
            out = true;
          else if (idle >= (e.key.proto === 17 ? AGING.protocols[17] : AGING.idleMs)) out = true;
          if (out) {
            retirePair(e);
            removed++;
          }
        }
        expect(t.sweep(now, t.slots)).toBe(removed);
        break;
      }
    }
    const st = t.stats();
    expect(st.flows).toBe(live.size);
    expect(st.retiring).toBe(retiring.length);
    expect(st.created).toBe(expectCreated);
    expect(st.deleted).toBe(expectDeleted);
    expect(created.length).toBe(expectCreated);
    expect(deleted.length).toBe(expectDeleted);
  }
  // Export sees exactly the live flows.
  const exported = [...t.flows()].map((r) => r.key).sort();
  const fk = new FlowKey();
  const expected = [...live.values()].map((e) => setKey(fk, e.key).toString()).sort();
  expect(exported).toEqual(expected);
}

describe('FlowTable against a Map model', () => {
  it('agrees on random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 150 }), (ops) => runModel(ops)),
      { numRuns: 300 },
    );
  });

  it('agrees on a sequence that fills the table, ages it out and refills it', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 8; i++) {
      ops.push({
        op: 'insert',
        key: {
          vrf: 1,
          proto: 17,
          src: ADDRS[i % 4]!,
          dst: ADDRS[(i + 1) % 4]!,
          sport: PORTS[i % 3]!,
          dport: 5000 + i,
        },
        action: Action.FORWARD,
        nat: null,
      });
    }
    ops.push({ op: 'advance', ms: 500 }, { op: 'sweep' }, { op: 'advance', ms: 251 }, { op: 'sweep' });
    for (let i = 0; i < 6; i++) {
      ops.push({
        op: 'insert',
        key: { vrf: 2, proto: 6, src: ADDRS[0]!, dst: ADDRS[1]!, sport: 2000 + i, dport: 80 },
        action: Action.FORWARD,
        nat: null,
      });
    }
    runModel(ops);
  });

  it('reports delete reasons for aging and TCP close', () => {
    const reasons: number[] = [];
    const t = new FlowTable({ capacity: 16, seed: 1, aging: AGING, onDelete: (_i, r) => reasons.push(r) });
    const a = t.insertPair(FlowKey.v4(1, 6, '10.0.0.1', '10.0.0.2', 1000, 80), { action: Action.FORWARD });
    t.insertPair(FlowKey.v4(1, 17, '10.0.0.1', '10.0.0.2', 1000, 53), { action: Action.FORWARD });
    t.hit(a, 100, 60, TcpFlag.RST);
    t.sweep(400, t.slots);
    expect(reasons).toEqual([DeleteReason.TCP_CLOSED, DeleteReason.TCP_CLOSED]);
    t.sweep(2000, t.slots);
    expect(reasons.slice(2)).toEqual([DeleteReason.AGED, DeleteReason.AGED]);
  });
});

describe('cramped table with overflow chains', () => {
  it('BUCKET_FULL leaves no trace and chain bookkeeping stays exact under random churn', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(63)), { minLength: 10, maxLength: 300 }),
        fc.integer({ min: 0, max: 6 }),
        (ops, overflow) => {
          const t = new FlowTable({ capacity: 8, overflow, seed: 3 });
          const live = new Set<number>();
          const key = (i: number) => FlowKey.v4(1, 17, 0x0a000000 + i, 0x0a0000ff, 1000 + i, 53);
          for (const [insert, i] of ops) {
            if (insert) {
              const before = t.stats();
              const r = t.insertPair(key(i), { action: Action.FORWARD });
              if (live.has(i)) expect(r).toBe(InsertStatus.EXISTS);
              else if (r >= 0) live.add(i);
              else {
                expect([InsertStatus.BUCKET_FULL, InsertStatus.TABLE_FULL]).toContain(r);
                const after = t.stats();
                expect([after.flows, after.overflowUsed]).toEqual([before.flows, before.overflowUsed]);
              }
            } else {
              expect(t.delete(key(i))).toBe(live.has(i));
              live.delete(i);
            }
            let inOverflow = 0;
            t.forEach((s) => {
              if (s >= t.capacity) inOverflow++;
            });
            expect(t.stats().overflowUsed).toBe(inOverflow);
            expect(t.size).toBe(live.size * 2);
          }
          for (let i = 0; i < 64; i++) {
            const f = t.lookup(key(i));
            expect(f >= 0).toBe(live.has(i));
            if (f >= 0) expect(t.lookup(key(i).reverseInto(new FlowKey()))).toBe(t.reverse(f));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
