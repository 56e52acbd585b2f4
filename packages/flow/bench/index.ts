// Flow table benchmarks, each beside its baseline from the same run: a Map<string, object> keyed by the
// 5-tuple string, which is what a straightforward JS forwarder would write. Table sizes 64 K, 512 K, 1 M and
// 4 M entries at 50% and 90% load (load = entries / capacity; a flow pair is 2 entries).
//
//   pnpm --filter @filament/flow bench            (FLOW_BENCH_SIZES=65536,1048576 picks sizes)
//
// Tuples are computed from the flow number in the loop, as a forwarder reads them from the packet in hand,
// so neither side pays a cache miss for its key material; flows are picked at random (xorshift).
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runBench } from '@filament/testkit';
import { Action, FlowBatch, FlowKey, FlowTable } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = (process.env.FLOW_BENCH_SIZES ?? '65536,524288,1048576,4194304').split(',').map(Number);
const LOADS = [0.5, 0.9];
const BATCH = 16_384;
const BURST = 64;
const DPORTS = [80, 443, 53, 8080];

// Pair i: source 10.x.y.z (unique), destination in 128.0.0.0/1 (so no reverse key equals a forward key),
// ports, VRF 1..16 and protocol derived from a mix of i and the salt.
const dstOf = (i: number, salt: number) => Math.imul(i ^ salt, 0x9e3779b1) | 0x80000000;
const mixOf = (i: number, salt: number) => Math.imul(dstOf(i, salt), 0x85ebca6b) >>> 0;
const srcOf = (i: number) => 0x0a000000 | i;
const sportOf = (r: number) => 1024 + ((r >>> 16) & 0x7fff);
const dportOf = (r: number) => DPORTS[r & 3]!;
const vrfOf = (r: number) => 1 + ((r >>> 4) & 15);
const protoOf = (r: number) => (r & 0x100 ? 6 : 17);

const tupleString = (vrf: number, proto: number, src: number, dst: number, sport: number, dport: number) =>
  `${vrf}|${proto}|${src >>> 0}|${dst >>> 0}|${sport}|${dport}`;

interface MapFlow {
  action: number;
  nextHop: number;
  reverse: MapFlow | undefined;
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
  rule: number;
}

function mapInsertPair(m: Map<string, MapFlow>, i: number, salt: number): void {
  const r = mixOf(i, salt);
  const src = srcOf(i);
  const dst = dstOf(i, salt);
  const fwd: MapFlow = {
    action: 2,
    nextHop: 1,
    reverse: undefined,
    packets: 0,
    bytes: 0,
    firstSeen: 0,
    lastSeen: 0,
    rule: 0,
  };
  const rev: MapFlow = {
    action: 2,
    nextHop: 2,
    reverse: fwd,
    packets: 0,
    bytes: 0,
    firstSeen: 0,
    lastSeen: 0,
    rule: 0,
  };
  fwd.reverse = rev;
  m.set(tupleString(vrfOf(r), protoOf(r), src, dst, sportOf(r), dportOf(r)), fwd);
  m.set(tupleString(vrfOf(r), protoOf(r), dst, src, dportOf(r), sportOf(r)), rev);
}

function mapDeletePair(m: Map<string, MapFlow>, i: number, salt: number): void {
  const r = mixOf(i, salt);
  const src = srcOf(i);
  const dst = dstOf(i, salt);
  m.delete(tupleString(vrfOf(r), protoOf(r), src, dst, sportOf(r), dportOf(r)));
  m.delete(tupleString(vrfOf(r), protoOf(r), dst, src, dportOf(r), sportOf(r)));
}

const spec = { action: Action.FORWARD as Action, nextHop: 1, reverseNextHop: 2, now: 0 };
const scratch = new FlowKey();

function tableInsertPair(t: FlowTable, i: number, salt: number): number {
  const r = mixOf(i, salt);
  scratch.setV4(vrfOf(r), protoOf(r), srcOf(i), dstOf(i, salt), sportOf(r), dportOf(r));
  return t.insertPair(scratch, spec);
}

interface Row {
  what: string;
  figure: string;
  baseline: string;
  ratio: number;
  /** The same figures per CPU-second of this process (robust when other processes share the cores). */
  cpu?: [number, number];
}

/**
 * Wraps a task so its own CPU time is summed with process.cpuUsage: on a shared machine, wall-clock rates
 * (what tinybench reports) drop whenever another process takes the core; items per CPU-second do not.
 */
function cpuTimed(fn: () => void, items: number): { fn: () => void; rate: () => number } {
  let micros = 0;
  let calls = 0;
  return {
    fn: () => {
      const c0 = process.cpuUsage();
      fn();
      const d = process.cpuUsage(c0);
      micros += d.user + d.system;
      calls++;
    },
    rate: () => (calls * items) / (micros / 1e6),
  };
}
const rows: Row[] = [];
const M = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;

/** The random walk the lookup loops share: xorshift state, and a sink their results go into (so V8 keeps the work). */
interface Walk {
  rng: number;
  sink: number;
}

// Each loop picks `count` flows of 0..pairs-1 at random, half forward, half reverse, so both entries of each pair
// are read; `vrfOffset` 1000 gives the same tuples in VRFs no flow uses (misses). Locals in the loops (not the
// closure's variables), so the loops neither box numbers nor store per item.

function tableLookups(t: FlowTable, pairs: number, salt: number, vrfOffset: number, w: Walk) {
  return (count: number): void => {
    let x = w.rng;
    let acc = 0;
    for (let n = 0; n < count; n++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = ((x >>> 0) * pairs * 2.3283064365386963e-10) >>> 0;
      const r = mixOf(i, salt);
      const src = srcOf(i);
      const dst = dstOf(i, salt);
      acc ^=
        n & 1
          ? t.lookupV4(vrfOf(r) + vrfOffset, protoOf(r), src, dst, sportOf(r), dportOf(r))
          : t.lookupV4(vrfOf(r) + vrfOffset, protoOf(r), dst, src, dportOf(r), sportOf(r));
    }
    w.rng = x;
    w.sink ^= acc;
  };
}

/** The same through `lookupBatch`, in bursts of BURST (`count` a multiple of BURST). */
function batchLookups(t: FlowTable, pairs: number, salt: number, vrfOffset: number, w: Walk) {
  const batch = new FlowBatch(BURST);
  return (count: number): void => {
    let x = w.rng;
    let acc = 0;
    for (let n = 0; n < count; n += BURST) {
      batch.clear();
      for (let k = 0; k < BURST; k++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const i = ((x >>> 0) * pairs * 2.3283064365386963e-10) >>> 0;
        const r = mixOf(i, salt);
        const src = srcOf(i);
        const dst = dstOf(i, salt);
        if (k & 1) batch.addV4(vrfOf(r) + vrfOffset, protoOf(r), src, dst, sportOf(r), dportOf(r));
        else batch.addV4(vrfOf(r) + vrfOffset, protoOf(r), dst, src, dportOf(r), sportOf(r));
      }
      acc ^= t.lookupBatch(batch);
    }
    w.rng = x;
    w.sink ^= acc;
  };
}

/** The baseline: the same through a Map keyed by the tuple string. */
function mapLookups(m: Map<string, MapFlow>, pairs: number, salt: number, vrfOffset: number, w: Walk) {
  return (count: number): void => {
    let x = w.rng;
    let acc = 0;
    for (let n = 0; n < count; n++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const i = ((x >>> 0) * pairs * 2.3283064365386963e-10) >>> 0;
      const r = mixOf(i, salt);
      const src = srcOf(i);
      const dst = dstOf(i, salt);
      const f =
        n & 1
          ? m.get(tupleString(vrfOf(r) + vrfOffset, protoOf(r), src, dst, sportOf(r), dportOf(r)))
          : m.get(tupleString(vrfOf(r) + vrfOffset, protoOf(r), dst, src, dportOf(r), sportOf(r)));
      if (f !== undefined) acc ^= f.nextHop;
    }
    w.rng = x;
    w.sink ^= acc;
  };
}

async function lookups(size: number, load: number): Promise<void> {
  const pairs = Math.floor((size * load) / 2);
  const salt = 0x1234 + size;
  const tag = `${size / 1024} K entries, ${load * 100}% load`;
  const t = new FlowTable({ capacity: size, seed: 42 });
  for (let i = 0; i < pairs; i++) if (tableInsertPair(t, i, salt) < 0) throw new Error(`insert ${i} failed`);
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, i, salt);
  const w: Walk = { rng: 0x2545f491, sink: 0 };
  const run = (loop: (count: number) => void) => () => loop(BATCH);
  const tableRun = (vrfOffset: number) => run(tableLookups(t, pairs, salt, vrfOffset, w));
  const batchRun = (vrfOffset: number) => run(batchLookups(t, pairs, salt, vrfOffset, w));
  const mapRun = (vrfOffset: number) => run(mapLookups(m, pairs, salt, vrfOffset, w));
  // Misses: the same tuples in VRFs no flow uses.
  const tasks = [
    ['FlowTable.lookupV4 hit', tableRun(0)],
    [`FlowTable.lookupBatch hit (bursts of ${BURST})`, batchRun(0)],
    ['Map<string, object>.get hit', mapRun(0)],
    ['FlowTable.lookupV4 miss', tableRun(1000)],
    [`FlowTable.lookupBatch miss (bursts of ${BURST})`, batchRun(1000)],
    ['Map<string, object>.get miss', mapRun(1000)],
  ] as const;
  const timed = tasks.map(([, fn]) => cpuTimed(fn, BATCH));
  const r = await runBench(
    `lookup, ${tag}`,
    tasks.map(([name], k) => ({ name, fn: timed[k]!.fn, items: BATCH })),
  );
  const v = r.map((x) => x.itemsPerSec);
  const c = timed.map((x) => x.rate());
  const row = (what: string, a: number, base: number) =>
    rows.push({
      what: `${what}, ${tag}`,
      figure: M(v[a]!),
      baseline: M(v[base]!),
      ratio: v[a]! / v[base]!,
      cpu: [c[a]!, c[base]!],
    });
  row('lookup hit', 0, 2);
  row(`lookup hit, bursts of ${BURST}`, 1, 2);
  row('lookup miss', 3, 5);
  row(`lookup miss, bursts of ${BURST}`, 4, 5);
  if (w.sink === 0x7fffffff) console.log(w.sink);
}

async function churn(size: number): Promise<void> {
  // Steady churn at 50% load: each call inserts a batch of new pairs and deletes them again.
  const pairs = Math.floor(size / 4);
  const salt = 0x51 + size;
  const t = new FlowTable({ capacity: size, seed: 43 });
  for (let i = 0; i < pairs; i++) tableInsertPair(t, i, salt);
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, i, salt);
  const idx = new Int32Array(BATCH);
  // Fresh flows: numbers above the resident ones.
  const tableTask = cpuTimed(() => {
    for (let i = 0; i < BATCH; i++) idx[i] = tableInsertPair(t, pairs + i, salt);
    for (let i = 0; i < BATCH; i++) t.deletePair(idx[i]!);
  }, BATCH);
  const mapTask = cpuTimed(() => {
    for (let i = 0; i < BATCH; i++) mapInsertPair(m, pairs + i, salt);
    for (let i = 0; i < BATCH; i++) mapDeletePair(m, pairs + i, salt);
  }, BATCH);
  const r = await runBench(`insert + delete a pair, ${size / 1024} K entries, 50% load`, [
    { name: 'FlowTable insertPair + deletePair', fn: tableTask.fn, items: BATCH },
    { name: 'Map set x2 + delete x2', fn: mapTask.fn, items: BATCH },
  ]);
  rows.push({
    what: `insert+delete pair cycle, ${size / 1024} K entries, 50% load`,
    figure: M(r[0]!.itemsPerSec),
    baseline: M(r[1]!.itemsPerSec),
    ratio: r[0]!.itemsPerSec / r[1]!.itemsPerSec,
    cpu: [tableTask.rate(), mapTask.rate()],
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Inserts pairs 0..pairs-1 through insertBatch in bursts, their forward indices into `idx`. */
function batchFill(t: FlowTable, pairs: number, salt: number, idx: Int32Array, batch: FlowBatch): void {
  for (let i = 0; i < pairs; i += BURST) {
    batch.clear();
    const end = Math.min(pairs, i + BURST);
    for (let j = i; j < end; j++) {
      const r = mixOf(j, salt);
      batch.addV4(vrfOf(r), protoOf(r), srcOf(j), dstOf(j, salt), sportOf(r), dportOf(r));
    }
    if (t.insertBatch(batch, spec) !== end - i) throw new Error(`insertBatch at ${i} failed`);
    const res = batch.result;
    for (let j = i; j < end; j++) idx[j] = res[j - i]!;
  }
}

/** Fill an empty table to 90% and drain it, timed directly (insert and delete alone, which runBench cannot split). */
function fillDrain(size: number): void {
  const pairs = Math.floor((size * 0.9) / 2);
  const salt = 0x3141 + size;
  const reps = size >= 4_000_000 ? 1 : 3;
  // Wall-clock ms and CPU ms of this process, per phase.
  const ti: number[] = [];
  const td: number[] = [];
  const mi: number[] = [];
  const md: number[] = [];
  const cti: number[] = [];
  const ctd: number[] = [];
  // The same fill and drain through insertBatch (bursts of BURST) and deletePairs.
  const bi: number[] = [];
  const bd: number[] = [];
  const cbi: number[] = [];
  const cbd: number[] = [];
  const cmi: number[] = [];
  const cmd: number[] = [];
  const cpuMs = (c0: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c0);
    return (d.user + d.system) / 1e3;
  };
  let tableBytes = 0;
  let mapBytes = 0;
  const idx = new Int32Array(pairs);
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const t = new FlowTable({ capacity: size, seed: 44 + rep });
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    for (let i = 0; i < pairs; i++) idx[i] = tableInsertPair(t, i, salt);
    ti.push(performance.now() - t0);
    cti.push(cpuMs(c0));
    // The table's memory is its typed arrays; the 1 M row below measures the whole process.
    tableBytes = t.byteLength;
    if (t.size !== pairs * 2) throw new Error(`table holds ${t.size}, expected ${pairs * 2}`);
    t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < pairs; i++) t.deletePair(idx[i]!);
    td.push(performance.now() - t0);
    ctd.push(cpuMs(c0));
  }
  const batch = new FlowBatch(BURST);
  // insertPair and deletePair ran many times before this point (table setup, churn); warm the batched forms
  // up as well so both are timed optimized.
  const warm = new FlowTable({ capacity: 1 << 15, seed: 1 });
  const warmIdx = new Int32Array(4096);
  for (let w = 0; w < 30; w++) {
    batchFill(warm, warmIdx.length, salt, warmIdx, batch);
    warm.deletePairs(warmIdx);
  }
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const t = new FlowTable({ capacity: size, seed: 44 + rep });
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    batchFill(t, pairs, salt, idx, batch);
    bi.push(performance.now() - t0);
    cbi.push(cpuMs(c0));
    if (t.size !== pairs * 2) throw new Error(`table holds ${t.size}, expected ${pairs * 2}`);
    t0 = performance.now();
    c0 = process.cpuUsage();
    t.deletePairs(idx, pairs);
    bd.push(performance.now() - t0);
    cbd.push(cpuMs(c0));
    if (t.size !== 0) throw new Error('deletePairs left flows');
  }
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const m = new Map<string, MapFlow>();
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    for (let i = 0; i < pairs; i++) mapInsertPair(m, i, salt);
    mi.push(performance.now() - t0);
    cmi.push(cpuMs(c0));
    gc();
    mapBytes = process.memoryUsage().heapUsed - h0;
    t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < pairs; i++) mapDeletePair(m, i, salt);
    md.push(performance.now() - t0);
    cmd.push(cpuMs(c0));
  }
  const ins = pairs / (median(ti) / 1e3);
  const mins = pairs / (median(mi) / 1e3);
  const del = (2 * pairs) / (median(td) / 1e3);
  const mdel = (2 * pairs) / (median(md) / 1e3);
  const tag = `${size / 1024} K entries`;
  console.log(`\ninsert / delete, ${tag}, 0 -> 90% -> 0 (timed directly, median of ${reps})`);
  console.log(
    `  FlowTable insertPair ${M(ins)} pairs, deletePair ${M(del)} flows, ${(tableBytes / (2 * pairs)).toFixed(1)} B/flow`,
  );
  console.log(
    `  Map                  ${M(mins)} pairs, delete     ${M(mdel)} flows, ${(mapBytes / (2 * pairs)).toFixed(1)} B/flow`,
  );
  const per = (n: number, ms: number[]) => n / (median(ms) / 1e3);
  rows.push({
    what: `insert pair, ${tag}, 0 -> 90% load`,
    figure: `${M(ins)} pairs`,
    baseline: `${M(mins)} pairs`,
    ratio: ins / mins,
    cpu: [per(pairs, cti), per(pairs, cmi)],
  });
  rows.push({
    what: `insert pair, bursts of ${BURST} (insertBatch), ${tag}, 0 -> 90% load`,
    figure: `${M(pairs / (median(bi) / 1e3))} pairs`,
    baseline: `${M(mins)} pairs`,
    ratio: pairs / (median(bi) / 1e3) / mins,
    cpu: [per(pairs, cbi), per(pairs, cmi)],
  });
  rows.push({
    what: `delete, ${tag}, 90% -> 0`,
    figure: `${M(del)} flows`,
    baseline: `${M(mdel)} flows`,
    ratio: del / mdel,
    cpu: [per(2 * pairs, ctd), per(2 * pairs, cmd)],
  });
  rows.push({
    what: `delete, passes of 64 (deletePairs), ${tag}, 90% -> 0`,
    figure: `${M((2 * pairs) / (median(bd) / 1e3))} flows`,
    baseline: `${M(mdel)} flows`,
    ratio: (2 * pairs) / (median(bd) / 1e3) / mdel,
    cpu: [per(2 * pairs, cbd), per(2 * pairs, cmd)],
  });
  rows.push({
    what: `bytes per flow, ${tag} at 90% load (table: typed arrays; Map: heap delta)`,
    figure: `${(tableBytes / (2 * pairs)).toFixed(1)} B`,
    baseline: `${(mapBytes / (2 * pairs)).toFixed(1)} B`,
    ratio: mapBytes / tableBytes,
  });
}

/** The issue's memory goal: 1 M flows (500 K pairs) in a 1 M-entry table (main area 2^20, overflow 20%). */
function memoryAtOneMillion(): void {
  const pairs = 500_000;
  gc();
  const h0 = process.memoryUsage();
  const t = new FlowTable({ capacity: 1 << 20, seed: 45 });
  for (let i = 0; i < pairs; i++) if (tableInsertPair(t, i, 0x2718) < 0) throw new Error('insert failed');
  gc();
  const h1 = process.memoryUsage();
  const measured = h1.heapUsed - h0.heapUsed + (h1.arrayBuffers - h0.arrayBuffers);
  gc();
  const m0 = process.memoryUsage().heapUsed;
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, i, 0x2718);
  gc();
  const mapBytes = process.memoryUsage().heapUsed - m0;
  console.log(
    `\nmemory, 1 M flows: table ${(measured / 1e6).toFixed(1)} MB measured (${(t.byteLength / 1e6).toFixed(1)} MB typed arrays), Map ${(mapBytes / 1e6).toFixed(1)} MB; ${hugePages()}`,
  );
  rows.push({
    what: 'bytes per flow at 1 M flows (1 M-entry table + 20% overflow, 100% main-area load; process heap + array buffers)',
    figure: `${(measured / 1e6).toFixed(1)} B`,
    baseline: `${(mapBytes / 1e6).toFixed(1)} B`,
    ratio: mapBytes / measured,
  });
  if (t.size !== 2 * pairs || m.size !== 2 * pairs) throw new Error('sizes differ');
}

/**
 * Whether the table's memory came on transparent huge pages (2 MiB: one TLB entry covers 512 times more of the
 * table). Node cannot madvise an ArrayBuffer; glibc does it for its large allocations when started with
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (THP in "madvise" mode, glibc >= 2.35).
 */
function hugePages(): string {
  try {
    const kb = /AnonHugePages:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'latin1'))?.[1];
    return `huge pages: ${Number(kb) > 0 ? `yes (${Math.round(Number(kb) / 1024)} MiB)` : 'no'}`;
  } catch {
    return 'huge pages: unknown';
  }
}

/** Nanoseconds this thread has run on a CPU (Linux schedstat), else the process's CPU time. */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
  } catch {
    const c = process.cpuUsage();
    return (c.user + c.system) * 1e3;
  }
}

/**
 * Latency of one dependent random read over `bytes` of memory: a pointer chase through a random cycle of
 * cache lines (Sattolo) in an Int32Array of that size, CPU time per read. A single lookup at that table size
 * has one such read it cannot overlap (the slot), so this is its floor.
 */
function chaseNs(bytes: number, reads: number): number {
  const lines = Math.floor(bytes / 64);
  const a = new Int32Array(lines * 16);
  const perm = new Int32Array(lines);
  for (let i = 0; i < lines; i++) perm[i] = i;
  let x = 0x9e3779b9;
  for (let i = lines - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = ((x >>> 0) * i * 2.3283064365386963e-10) >>> 0;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  for (let i = 0; i < lines; i++) a[perm[i]! << 4] = perm[(i + 1) % lines]! << 4;
  let p = 0;
  for (let n = 0; n < reads; n++) p = a[p]!;
  const t0 = threadCpuNs();
  for (let n = 0; n < reads; n++) p = a[p]!;
  const ns = threadCpuNs() - t0;
  if (p === -1) console.log(p);
  return ns / reads;
}

/**
 * The issue's remaining goals, per CPU-second of this process (median of 3): random lookup hits at 64 K and
 * 1 M entries, 90% load, and pair inserts 0 -> 90% at every size, each with its Map baseline, plus the
 * dependent-read latency of a typed array as large as the table's slots.
 *
 *   FLOW_BENCH_GOALS=1 pnpm --filter @filament/flow bench
 */
function goals(): void {
  const LOOKUPS = 1 << 21;
  // CPU time of this thread alone: process.cpuUsage also counts V8's background compiler and GC threads
  // (e.g. a freed table's memory being swept), which made runs of the same code differ by 2x.
  const cpuSec = (fn: () => void) => {
    const t0 = threadCpuNs();
    fn();
    return (threadCpuNs() - t0) / 1e9;
  };
  const out: string[] = [];
  for (const size of [65536, 1 << 20]) {
    const pairs = Math.floor((size * 0.9) / 2);
    const salt = 0x1234 + size;
    const t = new FlowTable({ capacity: size, seed: 42 });
    for (let i = 0; i < pairs; i++) if (tableInsertPair(t, i, salt) < 0) throw new Error('insert failed');
    const m = new Map<string, MapFlow>();
    for (let i = 0; i < pairs; i++) mapInsertPair(m, i, salt);
    const w: Walk = { rng: 0x2545f491, sink: 0 };
    const single = tableLookups(t, pairs, salt, 0, w);
    const missing = tableLookups(t, pairs, salt, 1000, w);
    const burst = batchLookups(t, pairs, salt, 0, w);
    const mapGet = mapLookups(m, pairs, salt, 0, w);
    // Warm-up so all three run optimized, then 3 timed runs each.
    single(LOOKUPS);
    missing(LOOKUPS);
    burst(LOOKUPS);
    mapGet(LOOKUPS >> 3);
    const s: number[] = [];
    const miss: number[] = [];
    const b: number[] = [];
    const g: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      s.push(LOOKUPS / cpuSec(() => single(LOOKUPS)));
      miss.push(LOOKUPS / cpuSec(() => missing(LOOKUPS)));
      b.push(LOOKUPS / cpuSec(() => burst(LOOKUPS)));
      g.push((LOOKUPS >> 3) / cpuSec(() => mapGet(LOOKUPS >> 3)));
    }
    const chase = chaseNs(t.slots * 64, 1 << 21);
    if (size > 65536) out.push(hugePages());
    out.push(
      `lookup, ${size / 1024} K entries, 90% load, per CPU-s: hits single ${M(median(s))} (${s.map((v) => (v / 1e6).toFixed(2)).join(' ')}), misses ${M(median(miss))}, bursts of ${BURST} ${M(median(b))}, Map ${M(median(g))}; dependent random read over ${((t.slots * 64) / 2 ** 20).toFixed(0)} MiB: ${chase.toFixed(1)} ns`,
    );
    if (w.sink === 0x7fffffff) console.log(w.sink);
    gc();
  }
  const batch = new FlowBatch(BURST);
  // Warm insertPair and insertBatch up so the timed fills run optimized code.
  const warm = new FlowTable({ capacity: 1 << 15, seed: 1 });
  const warmIdx = new Int32Array(4096);
  for (let w = 0; w < 30; w++) {
    for (let i = 0; i < warmIdx.length; i++) warmIdx[i] = tableInsertPair(warm, i, 7);
    warm.deletePairs(warmIdx);
    batchFill(warm, warmIdx.length, 7, warmIdx, batch);
    warm.deletePairs(warmIdx);
  }
  for (const size of SIZES) {
    const pairs = Math.floor((size * 0.9) / 2);
    const salt = 0x3141 + size;
    const idx = new Int32Array(pairs);
    const one: number[] = [];
    const many: number[] = [];
    const map: number[] = [];
    // Small tables fill in a few ms, so each timing fills several fresh tables (made before the clock
    // starts): at least 2^20 entries' worth, enough to average out scheduling and page-cache effects.
    const tables = Math.max(1, Math.floor((1 << 20) / size));
    const fresh = (rep: number) => {
      gc();
      return Array.from({ length: tables }, () => new FlowTable({ capacity: size, seed: 44 + rep }));
    };
    for (let rep = 0; rep < 3; rep++) {
      const ts = fresh(rep);
      one.push(
        (pairs * tables) /
          cpuSec(() => {
            for (const t of ts) for (let i = 0; i < pairs; i++) idx[i] = tableInsertPair(t, i, salt);
          }),
      );
      if (ts[0]!.size !== pairs * 2) throw new Error('insertPair fill failed');
      const tb = fresh(rep);
      many.push(
        (pairs * tables) /
          cpuSec(() => {
            for (const t of tb) batchFill(t, pairs, salt, idx, batch);
          }),
      );
      if (tb[0]!.size !== pairs * 2) throw new Error('insertBatch fill failed');
      tb.length = 0;
      ts.length = 0;
      if (rep === 0 || size <= 1 << 20) {
        gc();
        const maps = Array.from({ length: tables }, () => new Map<string, MapFlow>());
        map.push(
          (pairs * tables) /
            cpuSec(() => {
              for (const mm of maps) for (let i = 0; i < pairs; i++) mapInsertPair(mm, i, salt);
            }),
        );
      }
    }
    out.push(
      `insert pair, ${size / 1024} K entries, 0 -> 90%, per CPU-s: insertPair ${M(median(one))} (${one.map((v) => (v / 1e6).toFixed(2)).join(' ')}), insertBatch ${M(median(many))} (${many.map((v) => (v / 1e6).toFixed(2)).join(' ')}), Map ${M(median(map))}: ${(median(one) / median(map)).toFixed(1)}x / ${(median(many) / median(map)).toFixed(1)}x`,
    );
  }
  for (const line of out) console.log(line);
}

if (process.env.FLOW_BENCH_GOALS) {
  goals();
  process.exit(0);
}

// Memory first, while the process holds nothing else.
memoryAtOneMillion();
gc();
for (const size of SIZES) {
  for (const load of LOADS) {
    await lookups(size, load);
    gc();
  }
  await churn(size);
  gc();
  fillDrain(size);
  gc();
}

console.log(
  '\n| what | @filament/flow | Map<string, object> (same run) | ratio | per CPU-second: flow / Map |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const cpu = r.cpu ? `${M(r.cpu[0])} / ${M(r.cpu[1])}` : '';
  console.log(`| ${r.what} | ${r.figure} | ${r.baseline} | ${r.ratio.toFixed(1)}x | ${cpu} |`);
}
