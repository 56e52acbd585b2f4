import { describe, expect, it } from 'vitest';
import { Action, DeleteReason, FlowKey, FlowTable, TcpFlag, TcpState } from '../src/index.js';

const tcp = (i: number) => FlowKey.v4(1, 6, 0x0a000000 + i, 0x0a0000fe, 20000 + i, 443);

describe('aging', () => {
  it('uses per-protocol idle timeouts on the caller clock, and ages a pair only when both directions idle', () => {
    const t = new FlowTable({
      capacity: 64,
      seed: 1,
      aging: { idleMs: 10_000, protocols: { 17: 2_000 }, graceMs: 0 },
    });
    const udp = t.insertPair(FlowKey.v4(1, 17, '10.0.0.1', '10.0.0.2', 5000, 53), {
      action: Action.FORWARD,
      now: 0,
    });
    const tc = t.insertPair(tcp(1), { action: Action.FORWARD, now: 0 });
    t.hit(t.reverse(udp), 1_500, 80);
    expect(t.sweep(2_000, t.slots)).toBe(0);
    expect(t.sweep(3_500, t.slots)).toBe(1);
    expect(t.isLive(udp)).toBe(false);
    expect(t.isLive(tc)).toBe(true);
    expect(t.sweep(10_000, t.slots)).toBe(1);
    expect(t.stats()).toMatchObject({ flows: 0, aged: 2 });
  });

  it('removes in two steps: retired entries miss lookups but are not reused until the grace period passed', () => {
    const t = new FlowTable({ capacity: 4, overflow: 0, seed: 2, aging: { idleMs: 100, graceMs: 50 } });
    const k = FlowKey.v4(1, 17, '10.0.0.1', '10.0.0.2', 1, 2);
    const i = t.insertPair(k, { action: Action.FORWARD, now: 0 });
    expect(i).toBeGreaterThanOrEqual(0);
    t.insertPair(FlowKey.v4(1, 17, '10.0.0.3', '10.0.0.4', 1, 2), { action: Action.FORWARD, now: 0 });
    expect(t.sweep(100, t.slots)).toBe(2);
    expect(t.lookup(k)).toBe(-1);
    expect(t.isLive(i)).toBe(false);
    expect(t.stats()).toMatchObject({ flows: 0, retiring: 4 });
    // The retired slots still hold the old key for a reader that has the index; no insert can take them.
    expect(t.insertPair(k, { action: Action.DROP, now: 120 })).toBeLessThan(0);
    t.sweep(150, t.slots);
    expect(t.stats().retiring).toBe(4);
    t.sweep(151, t.slots);
    expect(t.stats().retiring).toBe(0);
    const j = t.insertPair(k, { action: Action.DROP, now: 151 });
    expect(j).toBeGreaterThanOrEqual(0);
    expect(t.action(j)).toBe(Action.DROP);
  });

  it('evicts closed TCP connections fast (RST, or FIN both ways) and leaves open ones alone', () => {
    const reasons: number[] = [];
    const t = new FlowTable({
      capacity: 64,
      seed: 3,
      aging: { idleMs: 60_000, tcpClosedMs: 1_000 },
      onDelete: (_i, r) => reasons.push(r),
    });
    const rst = t.insertPair(tcp(1), { action: Action.FORWARD });
    const fin = t.insertPair(tcp(2), { action: Action.FORWARD });
    const halfFin = t.insertPair(tcp(3), { action: Action.FORWARD });
    const open = t.insertPair(tcp(4), { action: Action.FORWARD });
    for (const f of [rst, fin, halfFin, open]) {
      t.hit(f, 0, 60, TcpFlag.SYN);
      t.hit(t.reverse(f), 0, 60, TcpFlag.SYN | TcpFlag.ACK);
      t.hit(f, 0, 60, TcpFlag.ACK);
    }
    expect(t.tcpState(open)).toBe(TcpState.SYN | TcpState.ESTABLISHED);
    expect(t.tcpState(t.reverse(open))).toBe(TcpState.SYN_ACK);
    t.hit(t.reverse(rst), 100, 40, TcpFlag.RST);
    t.hit(fin, 100, 40, TcpFlag.FIN | TcpFlag.ACK);
    t.hit(t.reverse(fin), 200, 40, TcpFlag.FIN | TcpFlag.ACK);
    t.hit(halfFin, 100, 40, TcpFlag.FIN | TcpFlag.ACK);
    expect(t.sweep(1_100, t.slots)).toBe(1);
    expect(t.sweep(1_200, t.slots)).toBe(1);
    expect([t.isLive(rst), t.isLive(fin), t.isLive(halfFin), t.isLive(open)]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(reasons).toEqual([2, 2, 2, 2].map(() => DeleteReason.TCP_CLOSED));
    expect(t.stats().tcpClosed).toBe(2);
  });

  it('removes half-open handshakes after the embryonic timeout', () => {
    const t = new FlowTable({ capacity: 64, seed: 4, aging: { idleMs: 60_000, tcpEmbryonicMs: 5_000 } });
    const syn = t.insertPair(tcp(1), { action: Action.FORWARD });
    t.hit(syn, 0, 60, TcpFlag.SYN);
    expect(t.sweep(4_999, t.slots)).toBe(0);
    expect(t.sweep(5_000, t.slots)).toBe(1);
    expect(t.stats().tcpEmbryonic).toBe(1);
  });

  it('bounds work per sweep call and covers the whole table across calls', () => {
    const t = new FlowTable({ capacity: 1024, seed: 5, aging: { idleMs: 10 } });
    for (let i = 0; i < 300; i++) t.insertPair(tcp(i), { action: Action.FORWARD, now: 0 });
    let calls = 0;
    let removed = 0;
    while (t.size > 0) {
      removed += t.sweep(100, 64);
      calls++;
      expect(calls).toBeLessThanOrEqual(Math.ceil(t.slots / 64));
    }
    expect(removed).toBe(300);
    expect(calls).toBeGreaterThan(1);
    expect(t.sweep(100, 0)).toBe(0);
  });

  it('ages correctly across the 32-bit wrap of the stored clock', () => {
    const t = new FlowTable({ capacity: 64, seed: 6, aging: { idleMs: 1_000 } });
    const base = 2 ** 32 - 500;
    const i = t.insertPair(tcp(1), { action: Action.FORWARD, now: base });
    expect(t.sweep(base + 999, t.slots)).toBe(0);
    expect(t.sweep(base + 1_000, t.slots)).toBe(1);
    expect(t.isLive(i)).toBe(false);
  });
});
