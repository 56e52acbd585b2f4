// Ingest and advertise benchmark of the Filament BGP speaker against BIRD 2 and gobgpd in the same run.
// One sender (a Filament speaker in a child process, bench/speaker-sender.ts: BIRD cannot send EVPN and
// gobgpd's API injects far slower than it receives) advertises a table; each receiver in turn (Filament in
// this process, then BIRD, then gobgpd) opens a fresh session to a fresh sender, and we time Established ->
// the whole table in its RIB (End-of-RIB processed for Filament; for the daemons from the sender's "up"
// line to the route count, polled every 100 ms), the CPU time the receiver used meanwhile (process.cpuUsage for Filament, /proc for BIRD: on
// a shared machine the CPU time moves less with other load than the wall time) and the memory it grew by
// (V8 heap after GC for Filament; BIRD's `show memory` total; gobgpd's RSS). Advertise: the Filament
// speaker holding the IPv4 table sends it to 10 sink peers (bench/speaker-sinks.ts, a separate process
// counting UPDATEs to End-of-RIB) versus BIRD doing the same.
// Run: node --expose-gc --import tsx --conditions=@filament/source bench/speaker-ingest.ts [IPV4_COUNT] [EVPN_COUNT] [ingest]
// With a third argument `ingest`, only the IPv4 ingest of Filament (two sessions) and BIRD runs (for
// repeated before/after measurements of the receive path); with `evpn`, only Filament's EVPN ingest (twice).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BgpSpeaker } from '../src/index.js';

const IPV4 = Number(process.argv[2] ?? 1_000_000);
const EVPN = Number(process.argv[3] ?? 200_000);
const INGEST_ONLY = process.argv[4] === 'ingest';
const EVPN_ONLY = process.argv[4] === 'evpn';
const DIR = `/tmp/filament-speaker-bench-${process.pid}`;
mkdirSync(DIR, { recursive: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const rows: string[] = [];
const CMD = 'node --expose-gc --import tsx --conditions=@filament/source bench/speaker-ingest.ts';

async function until<T>(what: string, f: () => T | undefined | false, ms: number, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(every);
  }
}

function sender(
  port: number,
  peer: string,
  family: string,
  n: number,
): Promise<{ child: ChildProcess; out: () => string; upAt: () => number }> {
  const child = spawn(
    'node',
    [
      '--import',
      'tsx',
      '--conditions=@filament/source',
      'bench/speaker-sender.ts',
      '127.0.9.1',
      String(port),
      peer,
      '65202',
      family,
      String(n),
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  let upAt = 0;
  child.stdout!.on('data', (b) => {
    out += b;
    // the sender's session is Established: the start of a daemon's ingest, as the sender's own clock said
    // (epoch ms) rather than when we notice (polling the daemon's CLI, or while spawnSync blocks, is late)
    const up = /^up ([\d.]+)$/m.exec(out);
    if (!upAt && up) upAt = Number(up[1]) - performance.timeOrigin;
  });
  return until('sender ready', () => out.includes('ready'), 300_000).then(() => ({
    child,
    out: () => out,
    upAt: () => upAt,
  }));
}

function stopChild(c: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (c.exitCode !== null) return r();
    c.once('exit', () => r());
    c.kill('SIGTERM');
    setTimeout(() => c.kill('SIGKILL'), 5000).unref();
  });
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
function cpuSecs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function filamentIngest(
  family: string,
  n: number,
  port: number,
): Promise<{ secs: number; cpu: number; bytesPerRoute: number; speaker: BgpSpeaker; snd: ChildProcess }> {
  const snd = await sender(port, '127.0.9.2', family, n);
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const s = new BgpSpeaker({
    asn: 65202,
    routerId: '10.0.9.2',
    listen: [{ host: '127.0.9.2', port: port + 1 }],
    gracefulRestart: { restartTime: 120 },
    peers: [
      {
        address: '127.0.9.1',
        port,
        asn: 65201,
        localAddress: '127.0.9.2',
        families: [family],
        maxPrefixes: 10_000_000,
      },
    ],
  });
  let tUp = 0;
  let tEor = 0;
  let cpuUp = process.cpuUsage();
  let cpu = 0;
  s.on('peer-up', () => {
    tUp = performance.now();
    cpuUp = process.cpuUsage();
  });
  s.on('end-of-rib', () => {
    if (tEor) return;
    tEor = performance.now();
    const c = process.cpuUsage(cpuUp);
    cpu = (c.user + c.system) / 1e6;
  });
  await s.start();
  await until('Filament EoR', () => tEor > 0, 600_000, 5);
  if (s.ribSize(family) !== n) throw new Error(`Filament has ${s.ribSize(family)} of ${n}`);
  gc();
  const bytes = (process.memoryUsage().heapUsed - h0) / n;
  return { secs: (tEor - tUp) / 1000, cpu, bytesPerRoute: bytes, speaker: s, snd: snd.child };
}

async function birdIngest(
  n: number,
  port: number,
): Promise<{ secs: number; cpu: number; bytesPerRoute: number }> {
  const d = join(DIR, 'bird');
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'bird.conf'),
    `router id 10.0.9.3;\nprotocol device {}\nprotocol bgp snd { local 127.0.9.3 as 65202; neighbor 127.0.9.1 port ${port} as 65201; multihop; hold time 240; graceful restart on; ipv4 { import all; export none; }; }\n`,
  );
  const snd = await sender(port, '127.0.9.3', 'ipv4-unicast', n);
  const ctl = join(d, 'bird.ctl');
  const bird = spawn('bird', ['-f', '-c', join(d, 'bird.conf'), '-s', ctl], { stdio: 'ignore' });
  const birdc = (...a: string[]) => spawnSync('birdc', ['-s', ctl, ...a], { encoding: 'utf8' }).stdout ?? '';
  await until('BIRD up', () => birdc('show', 'status').includes('Daemon is up'), 30_000);
  const mem = () => {
    const m = /Total:\s+([\d.]+)\s+([kMG]?B)/.exec(birdc('show', 'memory'));
    const mult = { B: 1, kB: 1024, MB: 1 << 20, GB: 1 << 30 }[m?.[2] ?? 'B'] ?? 1;
    return Number(m?.[1] ?? 0) * mult;
  };
  const m0 = mem();
  // CPU from here on includes BIRD's session setup: a little more than the ingest itself
  const cpu0 = cpuSecs(bird.pid!);
  const t0 = await until('BIRD Established', () => snd.upAt(), 60_000, 5);
  await until(
    'BIRD has the table',
    () => {
      const m = /(\d+) imported/.exec(birdc('show', 'protocols', 'all', 'snd'));
      return Number(m?.[1] ?? 0) >= n;
    },
    600_000,
    100,
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSecs(bird.pid!) - cpu0;
  const bytes = (mem() - m0) / n;
  bird.kill('SIGTERM');
  await stopChild(snd.child);
  return { secs, cpu, bytesPerRoute: bytes };
}

async function gobgpIngest(
  family: string,
  n: number,
  port: number,
  limitSecs = 900,
): Promise<{ secs: number; bytesPerRoute: number; got: number }> {
  const d = join(DIR, 'gobgp');
  mkdirSync(d, { recursive: true });
  const afi = family === 'l2vpn-evpn' ? 'l2vpn-evpn' : 'ipv4-unicast';
  writeFileSync(
    join(d, 'gobgpd.toml'),
    `[global.config]\n  as = 65202\n  router-id = "10.0.9.4"\n  port = ${port + 2}\n  local-address-list = ["127.0.9.4"]\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "127.0.9.1"\n    peer-as = 65201\n  [neighbors.transport.config]\n    local-address = "127.0.9.4"\n    remote-port = ${port}\n  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 240\n  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "${afi}"\n`,
  );
  const snd = await sender(port, '127.0.9.4', family, n);
  const api = `127.0.9.4:${port + 3}`;
  const g = spawn(
    'gobgpd',
    ['-f', join(d, 'gobgpd.toml'), '--api-hosts', api, '--pprof-disable', '-l', 'warn'],
    { stdio: 'ignore' },
  );
  const gobgp = (...a: string[]) =>
    spawnSync('gobgp', ['-u', '127.0.9.4', '-p', String(port + 3), ...a], { encoding: 'utf8' }).stdout ?? '';
  await until('gobgpd API', () => gobgp('global').includes('AS'), 30_000);
  const m0 = rssKb(g.pid!);
  const t0 = await until('gobgpd Established', () => snd.upAt(), 60_000, 5);
  let got = 0;
  try {
    await until(
      'gobgpd has the table',
      () => {
        got = Number(/Establ\s+\|\s+(\d+)\s+(\d+)/.exec(gobgp('neighbor'))?.[2] ?? 0);
        return got >= n;
      },
      limitSecs * 1000,
      100,
    );
  } catch {
    // gobgpd did not finish within the limit: the figure is its rate so far
  }
  const secs = (performance.now() - t0) / 1000;
  const bytes = ((rssKb(g.pid!) - m0) * 1024) / Math.max(1, got);
  g.kill('SIGTERM');
  await stopChild(snd.child);
  return { secs, bytesPerRoute: bytes, got };
}

/** The ten counting peers of bench/speaker-sinks.ts, in their own process; resolves to its seconds. */
function sinks(host: string, port: number, prefix: string): Promise<number> {
  const child = spawn(
    'node',
    [
      '--import',
      'tsx',
      '--conditions=@filament/source',
      'bench/speaker-sinks.ts',
      host,
      String(port),
      prefix,
      '65300',
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  return new Promise((resolve) => child.once('exit', () => resolve(Number(out.trim()))));
}

async function filamentAdvertise(speaker: BgpSpeaker, port: number): Promise<number> {
  for (let i = 0; i < 10; i++)
    speaker.addPeer({ address: `127.0.10.${i + 1}`, asn: 65300 + i, passive: true, holdTime: 240 });
  return sinks('127.0.9.2', port, '127.0.10');
}

async function birdAdvertise(n: number, port: number): Promise<number> {
  const d = join(DIR, 'bird-adv');
  mkdirSync(d, { recursive: true });
  const sinkProtocols = Array.from(
    { length: 10 },
    (_, i) =>
      `protocol bgp s${i} { local 127.0.9.3 port ${port + 10} as 65202; neighbor 127.0.11.${i + 1} as ${65300 + i}; multihop; passive on; hold time 240; ipv4 { import none; export all; next hop self; }; }`,
  );
  writeFileSync(
    join(d, 'bird.conf'),
    `router id 10.0.9.3;\nprotocol device {}\nprotocol bgp snd { local 127.0.9.3 port ${port + 10} as 65202; neighbor 127.0.9.1 port ${port} as 65201; multihop; hold time 240; graceful restart on; ipv4 { import all; export none; }; }\n${sinkProtocols.join('\n')}\n`,
  );
  const snd = await sender(port, '127.0.9.3', 'ipv4-unicast', n);
  const ctl = join(d, 'bird.ctl');
  const bird = spawn('bird', ['-f', '-c', join(d, 'bird.conf'), '-s', ctl], { stdio: 'ignore' });
  const birdc = (...a: string[]) => spawnSync('birdc', ['-s', ctl, ...a], { encoding: 'utf8' }).stdout ?? '';
  await until('BIRD up', () => birdc('show', 'status').includes('Daemon is up'), 30_000);
  await until(
    'BIRD has the table',
    () => Number(/(\d+) imported/.exec(birdc('show', 'protocols', 'all', 'snd'))?.[1] ?? 0) >= n,
    600_000,
    200,
  );
  const secs = await sinks('127.0.9.3', port + 10, '127.0.11');
  bird.kill('SIGTERM');
  await stopChild(snd.child);
  return secs;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const row = (what: string, fig: string, base: string) => {
  const r = `| @filament/bgp speaker | ${what} | ${fig} | ${base} | \`${CMD} ${IPV4} ${EVPN}\` |`;
  rows.push(r);
  console.log(r);
};

if (EVPN_ONLY) {
  for (let i = 0; i < 2; i++) {
    const e = await filamentIngest('l2vpn-evpn', EVPN, 13440 + i * 20);
    await e.speaker.stop();
    await stopChild(e.snd);
    console.log(
      `filament evpn: ${e.secs.toFixed(2)} s, CPU ${e.cpu.toFixed(2)} s, ${e.bytesPerRoute.toFixed(0)} B/route`,
    );
  }
  process.exit(0);
}
// IPv4 unicast
const f4 = await filamentIngest('ipv4-unicast', IPV4, 13400);
console.log(
  `filament ipv4: ${f4.secs.toFixed(2)} s, CPU ${f4.cpu.toFixed(2)} s, ${f4.bytesPerRoute.toFixed(0)} B/route`,
);
if (INGEST_ONLY) {
  await f4.speaker.stop();
  await stopChild(f4.snd);
  const again = await filamentIngest('ipv4-unicast', IPV4, 13460);
  await again.speaker.stop();
  await stopChild(again.snd);
  console.log(`filament ipv4, second session: ${again.secs.toFixed(2)} s, CPU ${again.cpu.toFixed(2)} s`);
  const bird = await birdIngest(IPV4, 13410);
  console.log(
    `bird ipv4: ${bird.secs.toFixed(2)} s, CPU ${bird.cpu.toFixed(2)} s, ${bird.bytesPerRoute.toFixed(0)} B/route`,
  );
  console.log(
    `ratio to BIRD: first ${(f4.secs / bird.secs).toFixed(2)}x (CPU ${(f4.cpu / bird.cpu).toFixed(2)}x), second ${(again.secs / bird.secs).toFixed(2)}x (CPU ${(again.cpu / bird.cpu).toFixed(2)}x)`,
  );
  process.exit(0);
}
const adv = await filamentAdvertise(f4.speaker, 13401);
console.log(`filament advertise to 10: ${adv.toFixed(2)} s`);
await f4.speaker.stop();
await stopChild(f4.snd);
// the same again in this process: JIT-compiled code and a heap already grown by the first session
const f4w = await filamentIngest('ipv4-unicast', IPV4, 13460);
await f4w.speaker.stop();
await stopChild(f4w.snd);
console.log(
  `filament ipv4, second session: ${f4w.secs.toFixed(2)} s, ${f4w.bytesPerRoute.toFixed(0)} B/route`,
);
const b4 = await birdIngest(IPV4, 13410);
console.log(`bird ipv4: ${b4.secs.toFixed(2)} s, ${b4.bytesPerRoute.toFixed(0)} B/route`);
const g4 = await gobgpIngest('ipv4-unicast', IPV4, 13420);
console.log(`gobgpd ipv4: ${g4.secs.toFixed(2)} s, ${g4.bytesPerRoute.toFixed(0)} B/route`);
const badv = await birdAdvertise(IPV4, 13430);
console.log(`bird advertise to 10: ${badv.toFixed(2)} s`);
row(
  `ingest ${fmt(IPV4)} IPv4 unicast routes, Established -> End-of-RIB in Loc-RIB`,
  `${f4.secs.toFixed(2)} s (${fmt(IPV4 / f4.secs)} routes/s), CPU ${f4.cpu.toFixed(2)} s`,
  `BIRD 2.0.12 ${b4.secs.toFixed(2)} s (${fmt(IPV4 / b4.secs)}/s), CPU ${b4.cpu.toFixed(2)} s; gobgpd 3.10 ${g4.secs.toFixed(2)} s (${fmt(IPV4 / g4.secs)}/s)`,
);
row(
  `ingest ${fmt(IPV4)} IPv4 unicast routes again, second session in the same process (JIT warm)`,
  `${f4w.secs.toFixed(2)} s (${fmt(IPV4 / f4w.secs)} routes/s), CPU ${f4w.cpu.toFixed(2)} s`,
  `BIRD 2.0.12 ${b4.secs.toFixed(2)} s, CPU ${b4.cpu.toFixed(2)} s (first session of a fresh daemon)`,
);
row(
  `memory per IPv4 route after ingest`,
  `${f4.bytesPerRoute.toFixed(0)} B (V8 heap after GC)`,
  `BIRD ${b4.bytesPerRoute.toFixed(0)} B (show memory); gobgpd ${g4.bytesPerRoute.toFixed(0)} B (RSS)`,
);
row(
  `advertise ${fmt(IPV4)} IPv4 routes to 10 peers (first Established -> last End-of-RIB)`,
  `${adv.toFixed(2)} s`,
  `BIRD 2.0.12 ${badv.toFixed(2)} s`,
);
// EVPN type 2
const fe = await filamentIngest('l2vpn-evpn', EVPN, 13440);
await fe.speaker.stop();
await stopChild(fe.snd);
console.log(`filament evpn: ${fe.secs.toFixed(2)} s, ${fe.bytesPerRoute.toFixed(0)} B/route`);
const ge = await gobgpIngest('l2vpn-evpn', EVPN, 13450, 120);
console.log(`gobgpd evpn: ${ge.secs.toFixed(2)} s, ${ge.bytesPerRoute.toFixed(0)} B/route`);
row(
  `ingest ${fmt(EVPN)} EVPN type-2 routes, Established -> End-of-RIB in Loc-RIB`,
  `${fe.secs.toFixed(2)} s (${fmt(EVPN / fe.secs)} routes/s), ${fe.bytesPerRoute.toFixed(0)} B/route`,
  `gobgpd 3.10 ${ge.got >= EVPN ? `${ge.secs.toFixed(2)} s` : `only ${fmt(ge.got)} routes after ${ge.secs.toFixed(0)} s`} (${fmt(ge.got / ge.secs)}/s), ${ge.bytesPerRoute.toFixed(0)} B/route RSS; BIRD 2.0.12: no EVPN`,
);
console.log(`\n${rows.join('\n')}`);
process.exit(0);
