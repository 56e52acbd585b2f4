// `filament pcap` throughput: decode a capture of fabric traffic (the demo's frames repeated) frame by frame,
// layers and BGP reassembly included, against tshark dissecting the same file to JSON in the same run.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PcapWriter } from '@filament/encap';
import { hasTool, scratchDir } from '@filament/testkit';
import { buildFrames } from '../src/commands/demo.js';
import { decodeCapture } from '../src/commands/pcap.js';

const REPEAT = 2000;
const frames = buildFrames();
const writer = new PcapWriter();
const chunks: Uint8Array[] = [writer.header()];
for (let r = 0; r < REPEAT; r++) {
  // Only the tunnelled frames repeat: the BGP session (SYN, OPEN, ...) appears once, as in a real capture.
  for (const [i, f] of frames.entries())
    if (r === 0 || i < 5) chunks.push(writer.packet(f, { seconds: 1_700_000_000 + r }));
}
const total = chunks.length - 1;
const dir = scratchDir('filament-cli-bench-');
const file = join(dir.path, 'fabric.pcap');
writeFileSync(file, Buffer.concat(chunks));

const t0 = process.hrtime.bigint();
let n = 0;
let layers = 0;
for await (const f of decodeCapture(Readable.from(chunks))) {
  n++;
  layers += f.layers.length;
}
const ours = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`\nfilament pcap decode (in process, ${n} frames, ${layers} layers)`);
console.log(`  ${(n / ours / 1e3).toFixed(1)} k frames/s  (${((ours / n) * 1e6).toFixed(2)} µs/frame)`);

if (hasTool('tshark')) {
  const t1 = process.hrtime.bigint();
  const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'json'], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const theirs = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(`tshark -T json on the same file (baseline, exit ${r.status})`);
  console.log(
    `  ${(total / theirs / 1e3).toFixed(1)} k frames/s  (${((theirs / total) * 1e6).toFixed(2)} µs/frame)`,
  );
} else console.log('tshark not installed: no baseline this run');
dir.cleanup();
