// Flow table benchmarks, each beside its baseline from the same run: a Map<string, object> keyed by the
// 5-tuple string, which is what a straightforward JS forwarder would write. Table sizes 64 K, 512 K, 1 M and
// 4 M entries at 50% and 90% load (load = entries / capacity, a flow pair is 2 entries).
//
//   pnpm --filter @filament/flow bench            (FLOW_BENCH_SIZES=65536,1048576 to pick sizes)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runBench } from '@filament/testkit';
import { Action, FlowKey, FlowTable } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = (process.env.FLOW_BENCH_SIZES ?? '65536,524288,1048576,4194304').split(',').map(Number);
const LOADS = [0.5, 0.9];
const BATCH = 16_384;
const ORDER = 1 << 20;

/** Deterministic keys: [src, dst, sport << 16 | dport, vrf << 8 | proto] per pair, all distinct. */
function makeKeys(pairs: number, seed: number): Int32Array {
  const out = new Int32Array(pairs * 4);
  let x = seed | 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < pairs; i++) {
    // The counter in the source address keeps keys distinct; the rest is random.
    out[i * 4] = (0x0a000000 | (i & 0xffffff)) ^ ((seed & 0x7f) << 24);
    out[i * 4 + 1] = rnd() | 0;
    out[i * 4 + 2] = ((1024 + (rnd() % 60000)) << 16) | [80, 443, 53, 8080][rnd() & 3]!;
    out[i * 4 + 3] = ((1 + (rnd() & 15)) << 8) | (rnd() & 1 ? 6 : 17);
  }
  return out;
}

function randomOrder(n: number, seed: number): Int32Array {
  const o = new Int32Array(ORDER);
  let x = seed | 1;
  for (let i = 0; i < ORDER; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    o[i] = (x >>> 0) % n;
  }
  return o;
}

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

function mapInsertPair(m: Map<string, MapFlow>, k: Int32Array, i: number, now: number): void {
  const src = k[i * 4]!;
  const dst = k[i * 4 + 1]!;
  const ports = k[i * 4 + 2]!;
  const vp = k[i * 4 + 3]!;
  const sport = ports >>> 16;
  const dport = ports & 0xffff;
  const fwd: MapFlow = {
    action: 2,
    nextHop: 1,
    reverse: undefined,
    packets: 0,
    bytes: 0,
    firstSeen: now,
    lastSeen: now,
    rule: 0,
  };
  const rev: MapFlow = {
    action: 2,
    nextHop: 2,
    reverse: fwd,
    packets: 0,
    bytes: 0,
    firstSeen: now,
    lastSeen: now,
    rule: 0,
  };
  fwd.reverse = rev;
  m.set(tupleString(vp >>> 8, vp & 0xff, src, dst, sport, dport), fwd);
  m.set(tupleString(vp >>> 8, vp & 0xff, dst, src, dport, sport), rev);
}

function mapDeletePair(m: Map<string, MapFlow>, k: Int32Array, i: number): void {
  const src = k[i * 4]!;
  const dst = k[i * 4 + 1]!;
  const ports = k[i * 4 + 2]!;
  const vp = k[i * 4 + 3]!;
  m.delete(tupleString(vp >>> 8, vp & 0xff, src, dst, ports >>> 16, ports & 0xffff));
  m.delete(tupleString(vp >>> 8, vp & 0xff, dst, src, ports & 0xffff, ports >>> 16));
}

const spec = { action: Action.FORWARD as Action, nextHop: 1, reverseNextHop: 2, now: 0 };
const scratch = new FlowKey();

function tableInsertPair(t: FlowTable, k: Int32Array, i: number): number {
  const ports = k[i * 4 + 2]!;
  const vp = k[i * 4 + 3]!;
  scratch.setV4(vp >>> 8, vp & 0xff, k[i * 4]!, k[i * 4 + 1]!, ports >>> 16, ports & 0xffff);
  return t.insertPair(scratch, spec);
}

interface Row {
  what: string;
  figure: string;
  baseline: string;
  ratio: number;
}
const rows: Row[] = [];
const M = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;

async function lookups(size: number, load: number): Promise<void> {
  const pairs = Math.floor((size * load) / 2);
  const keys = makeKeys(pairs, 0x1234 + size);
  const order = randomOrder(pairs, 0x9e37 + size);
  const t = new FlowTable({ capacity: size, seed: 42 });
  for (let i = 0; i < pairs; i++) if (tableInsertPair(t, keys, i) < 0) throw new Error(`insert ${i} failed`);
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, keys, i, 0);
  let cur = 0;
  let sink = 0;
  // Half the lookups go forward, half reverse, so both entries of each pair are read.
  // Locals in the loop (not the closure's variables), so the loop neither boxes numbers nor stores per item.
  const tableRun = (vrfOffset: number) => () => {
    let c = cur;
    let acc = 0;
    for (let n = 0; n < BATCH; n++) {
      const i = order[c]!;
      c = c + 1 === ORDER ? 0 : c + 1;
      const b = i * 4;
      const ports = keys[b + 2]!;
      const vp = keys[b + 3]!;
      acc ^=
        n & 1
          ? t.lookupV4(
              (vp >>> 8) + vrfOffset,
              vp & 0xff,
              keys[b]!,
              keys[b + 1]!,
              ports >>> 16,
              ports & 0xffff,
            )
          : t.lookupV4(
              (vp >>> 8) + vrfOffset,
              vp & 0xff,
              keys[b + 1]!,
              keys[b]!,
              ports & 0xffff,
              ports >>> 16,
            );
    }
    cur = c;
    sink ^= acc;
  };
  const mapRun = (vrfOffset: number) => () => {
    let c = cur;
    let acc = 0;
    for (let n = 0; n < BATCH; n++) {
      const i = order[c]!;
      c = c + 1 === ORDER ? 0 : c + 1;
      const b = i * 4;
      const ports = keys[b + 2]!;
      const vp = keys[b + 3]!;
      const f =
        n & 1
          ? m.get(
              tupleString(
                (vp >>> 8) + vrfOffset,
                vp & 0xff,
                keys[b]!,
                keys[b + 1]!,
                ports >>> 16,
                ports & 0xffff,
              ),
            )
          : m.get(
              tupleString(
                (vp >>> 8) + vrfOffset,
                vp & 0xff,
                keys[b + 1]!,
                keys[b]!,
                ports & 0xffff,
                ports >>> 16,
              ),
            );
      if (f !== undefined) acc ^= f.nextHop;
    }
    cur = c;
    sink ^= acc;
  };
  const tag = `${size / 1024} K entries, ${load * 100}% load`;
  // Misses: the same tuples in a VRF no flow uses.
  const r = await runBench(`lookup, ${tag}`, [
    { name: 'FlowTable.lookupV4 hit', fn: tableRun(0), items: BATCH },
    { name: 'Map<string, object>.get hit', fn: mapRun(0), items: BATCH },
    { name: 'FlowTable.lookupV4 miss', fn: tableRun(1000), items: BATCH },
    { name: 'Map<string, object>.get miss', fn: mapRun(1000), items: BATCH },
  ]);
  const v = r.map((x) => x.itemsPerSec);
  rows.push({ what: `lookup hit, ${tag}`, figure: M(v[0]!), baseline: M(v[1]!), ratio: v[0]! / v[1]! });
  rows.push({ what: `lookup miss, ${tag}`, figure: M(v[2]!), baseline: M(v[3]!), ratio: v[2]! / v[3]! });
  if (sink === 0x7fffffff) console.log(sink);
}

async function churn(size: number): Promise<void> {
  // Steady churn at 50% load: each call inserts a batch of new pairs and deletes them again.
  const pairs = Math.floor(size / 4);
  const keys = makeKeys(pairs, 0x51 + size);
  const fresh = makeKeys(BATCH, 0x77);
  const t = new FlowTable({ capacity: size, seed: 43 });
  for (let i = 0; i < pairs; i++) tableInsertPair(t, keys, i);
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, keys, i, 0);
  const idx = new Int32Array(BATCH);
  const r = await runBench(`insert + delete a pair, ${size / 1024} K entries, 50% load`, [
    {
      name: 'FlowTable insertPair + deletePair',
      fn: () => {
        for (let i = 0; i < BATCH; i++) idx[i] = tableInsertPair(t, fresh, i);
        for (let i = 0; i < BATCH; i++) t.deletePair(idx[i]!);
      },
      items: BATCH,
    },
    {
      name: 'Map set x2 + delete x2',
      fn: () => {
        for (let i = 0; i < BATCH; i++) mapInsertPair(m, fresh, i, 0);
        for (let i = 0; i < BATCH; i++) mapDeletePair(m, fresh, i);
      },
      items: BATCH,
    },
  ]);
  rows.push({
    what: `insert+delete pair cycle, ${size / 1024} K entries, 50% load`,
    figure: M(r[0]!.itemsPerSec),
    baseline: M(r[1]!.itemsPerSec),
    ratio: r[0]!.itemsPerSec / r[1]!.itemsPerSec,
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Fill an empty table to 90% and drain it, timed directly; bytes per flow from array sizes and heap deltas. */
function fillDrain(size: number): void {
  const pairs = Math.floor((size * 0.9) / 2);
  const keys = makeKeys(pairs, 0x3141 + size);
  const reps = size >= 4_000_000 ? 1 : 3;
  const ti: number[] = [];
  const td: number[] = [];
  const mi: number[] = [];
  const md: number[] = [];
  let tableBytes = 0;
  let mapBytes = 0;
  // Per size, the table's memory is its typed arrays (t.byteLength); the 1 M row below measures the process.
  const idx = new Int32Array(pairs);
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const t = new FlowTable({ capacity: size, seed: 44 + rep });
    let t0 = performance.now();
    for (let i = 0; i < pairs; i++) idx[i] = tableInsertPair(t, keys, i);
    ti.push(performance.now() - t0);
    tableBytes = t.byteLength;
    if (t.size !== pairs * 2) throw new Error(`table holds ${t.size}, expected ${pairs * 2}`);
    t0 = performance.now();
    for (let i = 0; i < pairs; i++) t.deletePair(idx[i]!);
    td.push(performance.now() - t0);
  }
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    const m = new Map<string, MapFlow>();
    let t0 = performance.now();
    for (let i = 0; i < pairs; i++) mapInsertPair(m, keys, i, 0);
    mi.push(performance.now() - t0);
    gc();
    mapBytes = process.memoryUsage().heapUsed - h0;
    t0 = performance.now();
    for (let i = 0; i < pairs; i++) mapDeletePair(m, keys, i);
    md.push(performance.now() - t0);
  }
  const ins = pairs / (median(ti) / 1e3);
  const mins = pairs / (median(mi) / 1e3);
  const del = (2 * pairs) / (median(td) / 1e3);
  const mdel = (2 * pairs) / (median(md) / 1e3);
  const tag = `${size / 1024} K entries, 0 -> 90% load`;
  console.log(`\ninsert / delete, ${tag} (timed directly, median of ${reps})`);
  console.log(
    `  FlowTable insertPair ${M(ins)} pairs, deletePair ${M(del)} flows, ${(tableBytes / (2 * pairs)).toFixed(1)} B/flow`,
  );
  console.log(
    `  Map                  ${M(mins)} pairs, delete     ${M(mdel)} flows, ${(mapBytes / (2 * pairs)).toFixed(1)} B/flow`,
  );
  rows.push({
    what: `insert pair, ${tag}`,
    figure: `${M(ins)} pairs`,
    baseline: `${M(mins)} pairs`,
    ratio: ins / mins,
  });
  rows.push({
    what: `delete, ${size / 1024} K entries, 90% -> 0`,
    figure: `${M(del)} flows`,
    baseline: `${M(mdel)} flows`,
    ratio: del / mdel,
  });
  rows.push({
    what: `bytes per flow, ${size / 1024} K entries at 90% load (typed arrays / heap delta)`,
    figure: `${(tableBytes / (2 * pairs)).toFixed(1)} B`,
    baseline: `${(mapBytes / (2 * pairs)).toFixed(1)} B`,
    ratio: mapBytes / tableBytes,
  });
}

/** The memory goal: 1 M flows (500 K pairs) in a 1 M-entry table (main area 2^20, overflow 20%). */
function memoryAtOneMillion(): void {
  const pairs = 500_000;
  const keys = makeKeys(pairs, 0x2718);
  gc();
  const h0 = process.memoryUsage();
  const t = new FlowTable({ capacity: 1 << 20, seed: 45 });
  for (let i = 0; i < pairs; i++) if (tableInsertPair(t, keys, i) < 0) throw new Error('insert failed');
  gc();
  const h1 = process.memoryUsage();
  const measured = h1.heapUsed - h0.heapUsed + (h1.arrayBuffers - h0.arrayBuffers);
  const arrays = t.byteLength;
  gc();
  const m0 = process.memoryUsage().heapUsed;
  const m = new Map<string, MapFlow>();
  for (let i = 0; i < pairs; i++) mapInsertPair(m, keys, i, 0);
  gc();
  const mapBytes = process.memoryUsage().heapUsed - m0;
  console.log(
    `\nmemory, 1 M flows: table ${(measured / 1e6).toFixed(1)} MB measured (${(arrays / 1e6).toFixed(1)} MB typed arrays), Map ${(mapBytes / 1e6).toFixed(1)} MB`,
  );
  rows.push({
    what: 'bytes per flow at 1 M flows (1 M-entry table + 20% overflow; heap + typed arrays)',
    figure: `${(measured / 1e6).toFixed(1)} B`,
    baseline: `${(mapBytes / 1e6).toFixed(1)} B`,
    ratio: mapBytes / measured,
  });
  if (t.size !== 2 * pairs || m.size !== 2 * pairs) throw new Error('sizes differ');
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

console.log('\n| what | @filament/flow | Map<string, object> (same run) | ratio |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.what} | ${r.figure} | ${r.baseline} | ${r.ratio.toFixed(1)}x |`);
