// Forwarding between two agent processes over real UDP on loopback, beside the limits measured in the
// same run: Node's bare UDP send, receive and forward rates, the kernel's own VXLAN forwarding (as root),
// and what batched system calls (recvmmsg/sendmmsg, in C) would change.
//
//   pnpm --filter @filament/agent bench:underlay          (BENCH_SECONDS=3 per measurement by default)
//   BENCH_CPU_PROF=/tmp/prof pnpm --filter @filament/agent bench:underlay   (agents write .cpuprofile files)
//   BENCH_UNDERLAY_RCVBUF=212992 ...   (the agents' tunnel sockets with another receive buffer than 4 MiB)
//
// Every process is a child (support/child.ts): a blaster writes Ethernet frames (16 flows, UDP payload
// 64 or 1,400 bytes) as datagrams to agent A's port wire (support/udp-wire.ts); A looks up the flow,
// encapsulates (VXLAN when bridged, MPLS over UDP when routed) and sends from its underlay 127.0.88.1 to
// agent B on 127.0.88.2, which decapsulates, looks up the flow and delivers to its port, whose wire sends the
// frame to a sink. So each agent does what a bare forwarder does (one receive, one send per packet) plus the
// data plane; rates are packets per second of each process's own CPU time (process.cpuUsage), which is what
// a shared, loaded 2-core machine can measure fairly. Each window is checked: only established flows (no
// flow misses), only the intended encapsulation, and every delivered frame as the agents should deliver it.
// Latency: a ping-pong through both agents (an echo behind B) against a bare UDP ping-pong between two
// processes and one through two bare forwarder processes.
import { execFileSync } from 'node:child_process';
import { internetChecksum } from '@filament/encap';
import { macFromText, putMac } from '../src/index.js';
import { udpFrame } from '../test/frames.js';
import { inProcessPipeline } from './support/in-process.js';
import { isRoot, kernelVxlanRate, teardown } from './support/kernel-vxlan.js';
import { kpps, measure, percentile, type Rate } from './support/measure.js';
import { Mmsg } from './support/mmsg.js';
import { Child, stopAll } from './support/spawn.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RCVBUF = process.env.BENCH_UNDERLAY_RCVBUF ? Number(process.env.BENCH_UNDERLAY_RCVBUF) : undefined;
const agentExtra = RCVBUF !== undefined ? { receiveBufferBytes: RCVBUF } : {};
const WARMUP_MS = 700;
const SIZES = [64, 1400] as const;
const FLOWS = 16;
const PINGS = 1000;
// The latency modes take turns, ROUNDS times, and their samples are pooled: the machine's load changes from
// second to second, and every mode should see the same mix of it. Each run starts with WARMUP_PINGS
// unrecorded round trips, so the optimizing compiler has settled.
const ROUNDS = 3;
const WARMUP_PINGS = 1000;
const ROUTER_MAC = '00:00:5e:00:01:00';
const A = { name: 'agent-a', underlay: '127.0.88.1', mac: '02:00:00:88:00:11', ip: '10.88.1.11' };
const B = { name: 'agent-b', underlay: '127.0.88.2', mac: '02:00:00:88:00:12', ip: '10.88.1.12' };
const LOCAL = '127.0.0.1';
// Default tunnel ports first; another pair if something (a kernel VTEP on 0.0.0.0:4789) holds them.
const TUNNEL_PORTS: [number, number][] = [
  [4789, 6635],
  [24_788, 26_634],
];

type Path = 'vxlan' | 'mpls';

/** Frames from A's workload to B's: bridged (to B's MAC, VXLAN) or routed (to the router MAC, MPLS over UDP). */
function frames(path: Path, payload: number): number[][] {
  const dst = macFromText(path === 'vxlan' ? B.mac : ROUTER_MAC);
  return Array.from({ length: FLOWS }, (_, i) => [
    ...udpFrame(dst, macFromText(A.mac), A.ip, B.ip, 40_000 + i, 7, new Uint8Array(payload)),
  ]);
}

/**
 * The frames B's workload should receive: bridged ones unchanged; routed ones with B's port MAC and the
 * router MAC, and the TTL decremented once (the two agents route as one distributed router: 64 -> 63,
 * header checksum to match).
 */
function delivered(path: Path, payload: number): number[][] {
  return frames(path, payload).map((f) => {
    if (path === 'vxlan') return f;
    const out = Uint8Array.from(f);
    putMac(out, 0, macFromText(B.mac));
    putMac(out, 6, macFromText(ROUTER_MAC));
    out[14 + 8] = 63;
    out[14 + 10] = 0;
    out[14 + 11] = 0;
    const sum = internetChecksum(out, 14, 20);
    out[14 + 10] = sum >>> 8;
    out[14 + 11] = sum & 0xff;
    return [...out];
  });
}

/** Throws unless the window saw only established flows on the intended encapsulation and only good frames. */
function checkPath(path: Path, r: { a: Rate; b: Rate; sink: Rate }): void {
  const [tx, rx, otherTx] =
    path === 'vxlan' ? ['vxlanTx', 'vxlanRx', 'mplsTx'] : ['mplsTx', 'mplsRx', 'vxlanTx'];
  const problems: string[] = [];
  if (!(r.a.detail[tx]! > 0) || r.a.detail[otherTx] !== 0)
    problems.push(`A sent ${JSON.stringify(r.a.detail)}`);
  if (!(r.b.detail[rx]! > 0)) problems.push(`B received ${JSON.stringify(r.b.detail)}`);
  if (r.a.detail.flowMiss !== 0 || r.b.detail.flowMiss !== 0) problems.push('flow misses in the window');
  if (r.sink.detail.bad !== 0 || !(r.sink.packets > 0))
    problems.push(`${r.sink.detail.bad} bad frames of ${r.sink.packets} delivered`);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
}

function frameBytes(payload: number): number {
  return 14 + 20 + 8 + payload;
}

/** Agents A and B on the underlay, A's workload at `aWorkload`, B's at `bWorkload`, routes exchanged. */
async function agents(aWorkload: Child, bWorkload: Child): Promise<[Child, Child]> {
  let lastError: unknown;
  for (const [vxlanPort, mplsPort] of TUNNEL_PORTS) {
    let a: Child | undefined;
    let b: Child | undefined;
    try {
      a = await Child.start(A.name, {
        role: 'agent',
        ...A,
        vxlanPort,
        mplsPort,
        ...agentExtra,
        workload: aWorkload.address,
      });
      b = await Child.start(B.name, {
        role: 'agent',
        ...B,
        vxlanPort,
        mplsPort,
        ...agentExtra,
        workload: bWorkload.address,
      });
      await a.remote({ underlay: B.underlay, mac: B.mac, ip: B.ip, label: b.label });
      await b.remote({ underlay: A.underlay, mac: A.mac, ip: A.ip, label: a.label });
      return [a, b];
    } catch (e) {
      lastError = e;
      await stopAll([a, b]);
    }
  }
  throw lastError;
}

const rows: string[] = [];
/** One measured process: per core, wall, CPU used, and the kernel's drops at its receiving sockets. */
function row(what: string, r: Rate, note = ''): void {
  const drops = r.name === 'blast' ? '' : `, ${kpps(r.socketDropsPerSec)}/s dropped by the kernel`;
  const line = `  ${what.padEnd(58)} ${kpps(r.perCore).padStart(9)}/s per core ${kpps(r.perSec).padStart(9)}/s wall  ${r.cores.toFixed(2)} cores${note}${drops}`;
  rows.push(line);
  console.log(line);
}

async function bareSendReceive(payload: number): Promise<{ send: Rate; recv: Rate }> {
  const sink = await Child.start('sink', { role: 'sink', bind: LOCAL });
  const blast = await Child.start('blast', { role: 'blast', bind: LOCAL, frames: frames('vxlan', payload) });
  try {
    blast.go(sink.address);
    const [send, recv] = await measure([blast, sink], WARMUP_MS, SECONDS * 1000);
    return { send: send!, recv: recv! };
  } finally {
    await stopAll([blast, sink]);
  }
}

async function bareForward(payload: number): Promise<Rate> {
  const sink = await Child.start('sink', { role: 'sink', bind: LOCAL });
  const fwd = await Child.start('forward', { role: 'forward', bind: LOCAL, to: sink.address });
  const blast = await Child.start('blast', { role: 'blast', bind: LOCAL, frames: frames('vxlan', payload) });
  try {
    blast.go(fwd.address);
    const [f] = await measure([fwd], WARMUP_MS, SECONDS * 1000);
    return f!;
  } finally {
    await stopAll([blast, fwd, sink]);
  }
}

async function agentForward(
  path: Path,
  payload: number,
): Promise<{ a: Rate; b: Rate; sink: Rate; blast: Rate }> {
  const sink = await Child.start('sink', { role: 'sink', bind: LOCAL, expect: delivered(path, payload) });
  const blast = await Child.start('blast', { role: 'blast', bind: LOCAL, frames: frames(path, payload) });
  let pair: [Child, Child] | undefined;
  try {
    pair = await agents(blast, sink);
    blast.go(pair[0].address);
    const [a, b, s, g] = await measure([pair[0], pair[1], sink, blast], WARMUP_MS, SECONDS * 1000);
    return { a: a!, b: b!, sink: s!, blast: g! };
  } finally {
    await stopAll([blast, ...(pair ?? []), sink]);
  }
}

/**
 * Round-trip times of a ping-pong: 'bare' client <-> echo; 'relays' through two bare two-way forwarder
 * processes (the same process hops as through the agents, without the data plane); or through both agents.
 */
async function pingPong(via: 'bare' | 'relays' | Path): Promise<number[]> {
  const echo = await Child.start('echo', { role: 'echo', bind: LOCAL });
  const frame = frames(via === 'mpls' ? 'mpls' : 'vxlan', 64)[0]!;
  const ping = await Child.start('ping', {
    role: 'ping',
    bind: LOCAL,
    frame,
    count: PINGS,
    warmup: WARMUP_PINGS,
  });
  // The hops between the client and the echo, the client's first.
  const hops: Child[] = [];
  try {
    if (via === 'relays') {
      hops.push(await Child.start('relay-b', { role: 'relay', bind: LOCAL, workload: echo.address }));
      hops.unshift(await Child.start('relay-a', { role: 'relay', bind: LOCAL, network: hops[0]!.network }));
    } else if (via !== 'bare') hops.push(...(await agents(ping, echo)));
    ping.go(hops[0]?.address ?? echo.address);
    return (await ping.done(120_000)).sort((x, y) => x - y);
  } finally {
    await stopAll([ping, ...hops, echo]);
  }
}

// Interrupted: the namespaces of the kernel VXLAN measurement go too (children exit when we do).
process.once('SIGINT', () => {
  void (isRoot() ? teardown() : Promise.resolve()).finally(() => process.exit(130));
});

const uptime = () => execFileSync('uptime').toString().trim();
console.log(`underlay benchmark, ${SECONDS} s per measurement; load at start: ${uptime()}`);

const limits = new Map<number, { send: Rate; recv: Rate; forward: Rate }>();
const agentRates = new Map<string, { a: Rate; b: Rate }>();
for (const payload of SIZES) {
  console.log(`\nUDP payload ${payload} bytes (frame ${frameBytes(payload)} bytes), ${FLOWS} flows`);
  const sr = await bareSendReceive(payload);
  row('node bare UDP send (blaster)', sr.send);
  row('node bare UDP receive', sr.recv);
  const fwd = await bareForward(payload);
  row('node bare UDP forward (receive one socket, send another)', fwd);
  limits.set(payload, { ...sr, forward: fwd });
  for (const path of ['vxlan', 'mpls'] as const) {
    const r = await agentForward(path, payload);
    checkPath(path, r);
    agentRates.set(`${path}/${payload}`, r);
    const pct = (x: Rate) => ` (${((100 * x.perCore) / fwd.perCore).toFixed(0)}% of bare forward)`;
    const label = path === 'vxlan' ? 'bridged, VXLAN' : 'routed, MPLS over UDP';
    row(
      `agent A: port -> flow -> ${path === 'vxlan' ? 'VXLAN encap' : 'MPLS/UDP encap'} -> underlay`,
      r.a,
      pct(r.a),
    );
    row(`agent B: underlay -> decap -> flow -> port (${label})`, r.b, pct(r.b));
    row(
      `  delivered to B's workload, end to end (${label})`,
      r.sink,
      `, agent drops ${r.a.drops + r.b.drops}`,
    );
    row('  offered by the blaster', r.blast);
  }
}

console.log(
  `\nlatency, ping-pong of one 106-byte frame, ${ROUNDS} x ${PINGS} round trips per mode (modes take turns)`,
);
const modes = ['bare', 'relays', 'vxlan', 'mpls'] as const;
const samples = new Map<(typeof modes)[number], number[]>(modes.map((m) => [m, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const mode of modes) samples.get(mode)!.push(...(await pingPong(mode)));
const rtt = (mode: (typeof modes)[number]) => samples.get(mode)!.sort((x, y) => x - y);
const us = (ns: number) => (ns / 1000).toFixed(1);
const bare = rtt('bare');
const relays = rtt('relays');
const latencyRow = (what: string, r: number[], note = ''): void => {
  const line = `  ${what.padEnd(58)} p50 ${us(percentile(r, 50)).padStart(7)} us  p99 ${us(percentile(r, 99)).padStart(8)} us${note}`;
  rows.push(line);
  console.log(line);
};
latencyRow('bare UDP ping-pong between two processes', bare);
latencyRow('through two bare Node UDP forwarders (same process hops)', relays);
for (const path of ['vxlan', 'mpls'] as const) {
  const r = rtt(path);
  const over = (base: number[], p: number) => us(percentile(r, p) - percentile(base, p));
  latencyRow(
    `through both agents (${path === 'vxlan' ? 'VXLAN' : 'MPLS over UDP'})`,
    r,
    `  added: to bare p50 ${over(bare, 50)} p99 ${over(bare, 99)} us, to the forwarders p50 ${over(relays, 50)} p99 ${over(relays, 99)} us (${r.length} answered)`,
  );
}

const mmsg = await Mmsg.build();
if (typeof mmsg === 'string') console.log(`\nbatching estimate and kernel VXLAN skipped: ${mmsg}`);
else {
  try {
    console.log(
      '\nbatching estimate (C, loopback, 106-byte datagrams, 2 senders; the receiver drains a backlog)',
    );
    const perCore = (x: { packets: number; cpuUs: number }) => (x.packets / x.cpuUs) * 1e6;
    const syscalls = new Map<number, { recv: number; send: number }>();
    // The two modes take turns twice; the best of each is kept (the load only ever slows a run down).
    for (const batch of [1, 64, 1, 64]) {
      const r = await mmsg.pair({
        address: '127.0.88.9',
        port: 30_189,
        bytes: 106,
        seconds: SECONDS,
        batch,
        senders: 2,
      });
      const send = perCore({
        packets: r.send.reduce((a, s) => a + s.packets, 0),
        cpuUs: r.send.reduce((a, s) => a + s.cpuUs, 0),
      });
      const best = syscalls.get(batch);
      syscalls.set(batch, {
        recv: Math.max(best?.recv ?? 0, perCore(r.recv)),
        send: Math.max(best?.send ?? 0, send),
      });
    }
    for (const [batch, r] of syscalls) {
      const line = `  ${(batch === 1 ? 'C recvfrom / sendto' : 'C recvmmsg / sendmmsg (64 a call)').padEnd(58)} receive ${kpps(r.recv)}/s per core, send ${kpps(r.send)}/s per core (best of 2)`;
      rows.push(line);
      console.log(line);
    }
    // What an agent would do with a batching socket layer (a native addon): the C batched receive and send
    // cost per packet, plus the data plane's own cost (both agents' pipelines, so an upper bound for one).
    const pipeline = await inProcessPipeline(64);
    const one = syscalls.get(1)!;
    const many = syscalls.get(64)!;
    const usPer = (rate: number) => 1e6 / rate;
    const measured = agentRates.get('vxlan/64')!;
    const agentUs = Math.max(usPer(measured.a.perCore), usPer(measured.b.perCore));
    const batchedUs = usPer(many.recv) + usPer(many.send) + usPer(pipeline.vxlan);
    const syscallSavedUs = usPer(one.recv) - usPer(many.recv) + (usPer(one.send) - usPer(many.send));
    const lines = [
      `  ${'agent now (slower of A and B, 64 bytes, VXLAN)'.padEnd(58)} ${agentUs.toFixed(2)} us/packet = ${kpps(1e6 / agentUs)}/s per core`,
      `  ${'same, with only the system calls batched (C saving)'.padEnd(58)} ${(agentUs - syscallSavedUs).toFixed(2)} us/packet = ${kpps(1e6 / (agentUs - syscallSavedUs))}/s per core`,
      `  ${'addon batching into JS (C batched I/O + in-process pipeline)'.padEnd(58)} ${batchedUs.toFixed(2)} us/packet = ${kpps(1e6 / batchedUs)}/s per core`,
    ];
    for (const line of lines) {
      rows.push(line);
      console.log(line);
    }
    if (!isRoot()) console.log('\nkernel VXLAN skipped: needs root (namespaces, veth, vxlan devices)');
    else {
      console.log(
        '\nkernel VXLAN between two namespaces over veth (sendmmsg blast, rx_packets of the receiving vx0)',
      );
      for (const payload of SIZES) {
        const k = await kernelVxlanRate(mmsg, payload, SECONDS);
        const line = `  ${`kernel VXLAN, UDP payload ${payload} bytes`.padEnd(58)} ${kpps(k.perSec).padStart(9)}/s decapsulated (senders ${kpps(k.senderPerSec)}/s)`;
        rows.push(line);
        console.log(line);
      }
    }
  } finally {
    mmsg.close();
    if (isRoot()) await teardown();
  }
}
console.log(`\nload at end: ${uptime()}`);
