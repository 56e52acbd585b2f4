// Rates from child snapshots: packets per CPU-second of each process (per core) and per wall second.
import type { Snapshot } from './protocol.js';
import type { Child } from './spawn.js';

export interface Rate {
  name: string;
  /** Packets per second of the process's own CPU time (user + system). */
  perCore: number;
  /** Packets per wall-clock second. */
  perSec: number;
  /** CPU the process used over the window, in cores (1 = one core busy all the time). */
  cores: number;
  packets: number;
  drops: number;
  /** Datagrams/s the kernel dropped at the process's receiving sockets (receive queue full). */
  socketDropsPerSec: number;
  /** The role's own counters over the window (Snapshot.detail, after minus before). */
  detail: Record<string, number>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lets traffic settle for `warmupMs`, then measures every child over `ms`. */
export async function measure(children: Child[], warmupMs: number, ms: number): Promise<Rate[]> {
  await sleep(warmupMs);
  const before: Snapshot[] = await Promise.all(children.map((c) => c.snap()));
  await sleep(ms);
  const after: Snapshot[] = await Promise.all(children.map((c) => c.snap()));
  return children.map((c, i) => {
    const a = after[i]!;
    const b = before[i]!;
    const packets = a.packets - b.packets;
    const cpuS = (a.cpuUs - b.cpuUs) / 1e6;
    const wallS = (a.wallUs - b.wallUs) / 1e6;
    return {
      name: c.name,
      perCore: cpuS > 0 ? packets / cpuS : 0,
      perSec: wallS > 0 ? packets / wallS : 0,
      cores: wallS > 0 ? cpuS / wallS : 0,
      packets,
      drops: a.drops - b.drops,
      socketDropsPerSec: wallS > 0 ? (a.socketDrops - b.socketDrops) / wallS : 0,
      detail: Object.fromEntries(Object.entries(a.detail).map(([k, v]) => [k, v - (b.detail[k] ?? 0)])),
    };
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function kpps(n: number): string {
  return `${(n / 1000).toFixed(1)} k`;
}
