// The per-packet path must not allocate: run it long enough that one allocation per call would fill the
// young generation many times over, and check that no garbage collection ran and the young generation did
// not grow. (Counts GC events, not time.)
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Action, FlowBatch, FlowKey, FlowTable, TcpFlag } from '../src/index.js';

const newSpaceUsed = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

async function gcEventsDuring(fn: () => void): Promise<{ gcs: number; newSpaceGrowth: number }> {
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) starts.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 20));
  const before = newSpaceUsed();
  const t0 = performance.now();
  fn();
  const t1 = performance.now();
  const growth = newSpaceUsed() - before;
  // GC entries are delivered asynchronously; only those that started inside the loop count.
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  return { gcs: starts.filter((s) => s >= t0 && s <= t1).length, newSpaceGrowth: growth };
}

describe('allocation', () => {
  it('lookupV4, lookup, lookupBatch, hit, insertPair, deletePair, insertBatch and deletePairs allocate nothing per call', async () => {
    const t = new FlowTable({ capacity: 1 << 14, seed: 1 });
    const n = 4000;
    const k = new FlowKey();
    const spec = { action: Action.FORWARD as Action, nextHop: 3, now: 0 };
    const idx = new Int32Array(n);
    const batch = new FlowBatch(32);
    const src = (i: number) => (0x0a000000 + i) | 0;
    const round = (iters: number) => {
      let acc = 0;
      for (let r = 0; r < iters; r++) {
        for (let i = 0; i < n; i++)
          idx[i] = t.insertPair(k.setV4(1, 6, src(i), 0x0b000001, 1000 + (i & 0xfff), 80), spec);
        for (let i = 0; i < n; i++) {
          const f = t.lookupV4(1, 6, src(i), 0x0b000001, 1000 + (i & 0xfff), 80);
          t.hit(f, r, 100, TcpFlag.ACK);
          acc ^= t.lookup(k.setV4(1, 6, 0x0b000001, src(i), 80, 1000 + (i & 0xfff)));
          acc ^= t.lookupV4(2, 6, src(i), 0x0b000001, 1, 80);
        }
        for (let i = 0; i < n; i += 32) {
          batch.clear();
          for (let j = i; j < i + 32; j++) batch.addV4(1, 6, src(j), 0x0b000001, 1000 + (j & 0xfff), 80);
          acc ^= t.lookupBatch(batch);
        }
        for (let i = 0; i < n; i++) t.deletePair(idx[i]!);
        // The same pairs again through the batched forms.
        for (let i = 0; i < n; i += 32) {
          batch.clear();
          for (let j = i; j < i + 32; j++) batch.addV4(1, 6, src(j), 0x0b000001, 1000 + (j & 0xfff), 80);
          t.insertBatch(batch, spec);
          for (let j = 0; j < 32; j++) idx[i + j] = batch.result[j]!;
        }
        t.deletePairs(idx, n);
      }
      return acc;
    };
    round(30); // warm up: let the JIT optimize the path
    const { gcs, newSpaceGrowth } = await gcEventsDuring(() => round(300)); // 1.2 M pairs, 3.6 M lookups
    expect(gcs).toBe(0);
    expect(newSpaceGrowth).toBeLessThan(256 * 1024);
    expect(t.size).toBe(0);
  });
});
