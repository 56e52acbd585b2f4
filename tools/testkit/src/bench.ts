// One benchmark harness for every package: tinybench, a table on stdout, and ops/s for BENCHMARKS.md.
import { Bench } from 'tinybench';

export interface BenchTask {
  name: string;
  fn: () => void;
  /** Work items per call, so a task that decodes 100 prefixes reports prefixes/s. */
  items?: number;
}

/** Runs tasks and prints name, items/s and ns/item; returns the rows for callers that compare tasks. */
export async function runBench(
  title: string,
  tasks: BenchTask[],
  opts: { time?: number } = {},
): Promise<{ name: string; itemsPerSec: number; nsPerItem: number }[]> {
  const bench = new Bench({ time: opts.time ?? 1000, warmupTime: 200 });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  const rows = tasks.map((t, i) => {
    const r = bench.tasks[i]?.result as { throughput?: { mean: number }; hz?: number } | undefined;
    const hz = r?.throughput?.mean ?? r?.hz ?? 0;
    const perSec = hz * (t.items ?? 1);
    return { name: t.name, itemsPerSec: perSec, nsPerItem: 1e9 / perSec };
  });
  console.log(`\n${title}`);
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(60)} ${fmt(r.itemsPerSec).padStart(12)} /s  ${r.nsPerItem.toFixed(1).padStart(10)} ns`,
    );
  }
  return rows;
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}
