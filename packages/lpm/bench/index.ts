// LPM benchmarks: IPv4 lookups per second on 100,000 and 1,000,000 routes, beside the linear scan
// (LinearLpm4) measured in the same run, and insert rate.
//
//   pnpm --filter @filament/lpm bench          (LPM_BENCH_SIZES=100000,1000000 picks sizes)
//
// Routes: a default route plus prefixes drawn like an Internet table: 60% /24, 25% /16../23, 10% /25../32,
// 5% /8../15, at random addresses (xorshift, fixed seed). Lookups: random addresses, half of them drawn
// inside installed prefixes so both hits of long prefixes and fall-through to shorter ones are measured.
import { runBench } from '@filament/testkit';
import { LinearLpm4, LpmTrie } from '../src/index.js';

const SIZES = (process.env.LPM_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const LOOKUPS = 1 << 16;

let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

function lengthOf(r: number): number {
  const x = r % 100;
  if (x < 60) return 24;
  if (x < 85) return 16 + (r % 8);
  if (x < 95) return 25 + (r % 8);
  return 8 + (r % 8);
}

for (const n of SIZES) {
  const addrs = new Uint32Array(n);
  const lens = new Uint8Array(n);
  const trie = new LpmTrie(32, { initialNodes: 1024 });
  const linear = new LinearLpm4();
  const bytes = new Uint8Array(4);
  const t0 = performance.now();
  trie.insert(bytes, 0, 0);
  for (let i = 0; i < n; i++) {
    addrs[i] = rnd();
    lens[i] = lengthOf(rnd());
    bytes[0] = addrs[i]! >>> 24;
    bytes[1] = (addrs[i]! >>> 16) & 0xff;
    bytes[2] = (addrs[i]! >>> 8) & 0xff;
    bytes[3] = addrs[i]! & 0xff;
    trie.insert(bytes, lens[i]!, i + 1);
  }
  const insertMs = performance.now() - t0;
  linear.insert(0, 0, 0);
  for (let i = 0; i < n; i++) linear.insert(addrs[i]!, lens[i]!, i + 1);
  const probes = new Uint32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) {
    const r = rnd();
    probes[i] = i & 1 ? r : (addrs[r % n]! ^ (rnd() & 0xff)) >>> 0;
  }
  // Both agree (checked on a sample, so the baseline is measuring the same answers).
  for (let i = 0; i < 200; i++) {
    if (trie.lookup4(probes[i]!) !== linear.lookup4(probes[i]!)) throw new Error(`mismatch at probe ${i}`);
  }
  console.log(
    `\n${n.toLocaleString('en')} routes: trie ${trie.size.toLocaleString('en')} prefixes, ${trie.nodes.toLocaleString('en')} nodes, ` +
      `${(trie.bytes / 2 ** 20).toFixed(1)} MiB slots; inserted in ${insertMs.toFixed(0)} ms (${((n / insertMs) * 1000).toFixed(0)} routes/s)`,
  );
  let k = 0;
  let sink = 0;
  const SCAN = 4;
  await runBench(`IPv4 LPM, ${n.toLocaleString('en')} routes`, [
    {
      name: 'LpmTrie.lookup4 (DIR-16-8-8 trie)',
      items: 1024,
      fn: () => {
        for (let i = 0; i < 1024; i++) sink ^= trie.lookup4(probes[(k + i) & (LOOKUPS - 1)]!);
        k = (k + 1024) & (LOOKUPS - 1);
      },
    },
    {
      name: 'LinearLpm4.lookup4 (baseline: scan every prefix)',
      items: SCAN,
      fn: () => {
        for (let i = 0; i < SCAN; i++) sink ^= linear.lookup4(probes[(k + i) & (LOOKUPS - 1)]!);
        k = (k + SCAN) & (LOOKUPS - 1);
      },
    },
  ]);
  if (sink === 0.5) console.log(sink);
}
