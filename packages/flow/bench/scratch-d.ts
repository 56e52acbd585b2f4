import { Action, FlowKey, FlowTable } from '../src/index.js';

const size = 65536;
const pairs = Math.floor((size * 0.9) / 2);
const keys = new Int32Array(pairs * 4);
let x = 12345;
const rnd = () => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
};
for (let i = 0; i < pairs; i++) {
  keys[i * 4] = 0x0a000000 | i;
  keys[i * 4 + 1] = rnd() | 0;
  keys[i * 4 + 2] = ((1024 + (rnd() % 60000)) << 16) | 80;
  keys[i * 4 + 3] = (1 << 8) | 6;
}
const spec = { action: Action.FORWARD as Action, nextHop: 1, reverseNextHop: 2, now: 0 };
const k = new FlowKey();
const idx = new Int32Array(pairs);
for (let rep = 0; rep < 30; rep++) {
  const t = new FlowTable({ capacity: size, seed: rep });
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    const p = keys[i * 4 + 2]!;
    k.setV4(1, 6, keys[i * 4]!, keys[i * 4 + 1]!, p >>> 16, p & 0xffff);
    idx[i] = t.insertPair(k, spec);
  }
  const t1 = performance.now();
  for (let i = 0; i < pairs; i++) t.deletePair(idx[i]!);
  const t2 = performance.now();
  if (rep % 5 === 4)
    console.log(
      'insert M pairs/s',
      (pairs / (t1 - t0) / 1000).toFixed(2),
      'delete M flows/s',
      ((2 * pairs) / (t2 - t1) / 1000).toFixed(2),
    );
}
