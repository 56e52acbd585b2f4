import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Action, EcmpGroup, FlowError, FlowKey, FlowTable } from '../src/index.js';

describe('ECMP stickiness', () => {
  it('keeps flows on their member when members join, and moves only the flows of a removed member', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 8 }),
        fc.array(
          fc.oneof(
            fc.record({ add: fc.integer({ min: 1001, max: 2000 }) }),
            fc.record({ remove: fc.nat(7) }),
          ),
          {
            maxLength: 6,
          },
        ),
        (members, changes) => {
          const g = new EcmpGroup(members);
          const t = new FlowTable({ capacity: 1024, seed: 9 });
          const flows: number[] = [];
          for (let i = 0; i < 200; i++) {
            flows.push(
              t.insertPair(FlowKey.v4(1, 6, 0x0a000000 + i, 0x0a0000ff, 1000 + i, 80), {
                action: Action.FORWARD,
              }),
            );
          }
          let before = flows.map((f) => g.nextHop(t.ecmp(f, g)));
          for (const c of changes) {
            if ('add' in c) {
              if (g.slotOf(c.add) >= 0) continue;
              g.add(c.add);
            } else {
              if (g.size <= 1) continue;
              const victims = before.filter((nh) => nh >= 0);
              g.remove(victims[c.remove % victims.length]!);
            }
            const after = flows.map((f) => g.nextHop(t.ecmp(f, g)));
            after.forEach((nh, j) => {
              const old = before[j]!;
              if (g.slotOf(old) >= 0) expect(nh).toBe(old);
              else expect(g.slotOf(nh)).toBeGreaterThanOrEqual(0);
            });
            before = after;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('spreads new flows over all members and reuses holes for new members', () => {
    const g = new EcmpGroup([10, 20, 30, 40]);
    const t = new FlowTable({ capacity: 4096, seed: 10 });
    const count = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const f = t.insertPair(FlowKey.v4(1, 17, 0x0a000000 + i, 0x0a0000ff, 1000, 53), {
        action: Action.FORWARD,
      });
      const nh = g.nextHop(t.ecmp(f, g));
      count.set(nh, (count.get(nh) ?? 0) + 1);
    }
    expect([...count.keys()].sort()).toEqual([10, 20, 30, 40]);
    for (const n of count.values()) expect(n).toBeGreaterThan(150);
    expect(g.remove(20)).toBe(1);
    expect(g.add(50)).toBe(1);
    expect(g.isActive(1)).toBe(true);
    expect(() => g.add(50)).toThrow(FlowError);
    expect(() => g.remove(999)).toThrow(FlowError);
  });

  it('stores the member chosen at insert and reports none for an empty group', () => {
    const t = new FlowTable({ capacity: 64, seed: 11 });
    const f = t.insertPair(FlowKey.v4(1, 6, '1.1.1.1', '2.2.2.2', 1, 2), {
      action: Action.FORWARD,
      ecmpMember: 2,
    });
    expect(t.ecmpMember(f)).toBe(2);
    expect(t.ecmpMember(t.reverse(f))).toBe(-1);
    const g = new EcmpGroup([7, 8, 9]);
    expect(t.ecmp(f, g)).toBe(2);
    expect(t.ecmp(t.reverse(f), new EcmpGroup())).toBe(-1);
  });
});
