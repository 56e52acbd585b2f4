// Frames through a TAP device (root only), each beside a baseline measured in the same run.
//
//   pnpm --filter @filament/agent exec tsx --conditions=@filament/source bench/tap.ts
//
// A TAP device in a namespace of its own (10.77.0.1, the kernel's stack); this process is 10.77.0.2 on the
// other side of the device (a static neighbour entry, so the kernel never ARPs).
//   tx        64-byte UDP frames written to the device (one write(2) each; the kernel drops them: no listener)
//   echo      ICMP echo requests written to the device, the kernel's replies read back through the helper,
//             64 in flight; baseline: the same frames answered by an in-process workload (the agent's
//             fallback without root)
//   rx        frames read through the helper while the namespace floods UDP at the device; the kernel's own
//             count of frames it queued to the device (and dropped when the queue was full) is the offered load
//   http      2 MB HTTP GETs (curl -> python3 http.server) between TAP workloads on two agents in this process
//             across VXLAN over loopback; baseline: the same GETs between two namespaces joined by a veth pair
//             (the kernel alone)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { internetChecksum } from '@filament/encap';
import { runBench, scratchDir } from '@filament/testkit';
import { Agent, macFromText, putMac, Workload } from '../src/index.js';
import { openTap, tapSupported } from '../src/tap/index.js';
import { NetnsLab, netnsSupported } from '../test/netns.js';
import { httpGet, httpServe, randomFile } from '../test/netns-traffic.js';
import { attachTapWorkload } from '../test/netns-workload.js';

const NS_MAC = '02:00:00:77:00:01';
const OUR_MAC = '02:00:00:77:00:02';
const NS_IP = [10, 77, 0, 1];
const OUR_IP = [10, 77, 0, 2];
const IN_FLIGHT = 64;

/** Ethernet / IPv4 / ICMP echo request, 56 bytes of data (ping's default), checksums filled. */
function echoRequest(dstMac: string, dst: number[], seq: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + 56);
  putMac(f, 0, macFromText(dstMac));
  putMac(f, 6, macFromText(OUR_MAC));
  f[12] = 0x08;
  f.set([0x45, 0, 0, 84, seq >> 8, seq & 0xff, 0x40, 0, 64, 1, 0, 0, ...OUR_IP, ...dst], 14);
  const c = internetChecksum(f, 14, 20);
  f[24] = c >> 8;
  f[25] = c & 0xff;
  f.set([8, 0, 0, 0, 0x12, 0x34, seq >> 8, seq & 0xff], 34);
  for (let i = 0; i < 56; i++) f[42 + i] = i;
  const ic = internetChecksum(f, 34, 64);
  f[36] = ic >> 8;
  f[37] = ic & 0xff;
  return f;
}

function isEchoReply(b: Uint8Array, off: number, len: number): boolean {
  return len >= 42 && b[off + 12] === 0x08 && b[off + 13] === 0 && b[off + 23] === 1 && b[off + 34] === 0;
}

/** Frames the kernel dropped at its per-CPU input backlog (second column of /proc/net/softnet_stat). */
function backlogDrops(): number {
  return readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((n, line) => n + Number.parseInt(line.split(/\s+/)[1] ?? '0', 16), 0);
}

function kernelTx(ns: string, dev: string): { packets: number; dropped: number } {
  const j = JSON.parse(
    execFileSync('ip', ['-n', ns, '-s', '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' }),
  );
  const tx = j[0].stats64.tx;
  return { packets: tx.packets, dropped: tx.dropped };
}

/** A wait that fails the bench instead of hanging it when frames stop coming. */
function bounded(arm: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no frames for 10 s')), 10_000);
    arm(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const support = tapSupported();
  const nss = netnsSupported();
  if (!support.ok || !nss.ok) {
    console.log(`TAP bench skipped: ${!support.ok ? support.why : !nss.ok ? nss.why : ''}`);
    return;
  }
  const lab = new NetnsLab();
  let replies = 0;
  let received = 0;
  let wake: (() => void) | null = null;
  let want = 0;
  let countReplies = true;
  const onFrameAt = (b: Uint8Array, off: number, len: number): void => {
    received++;
    if (isEchoReply(b, off, len)) replies++;
    if (wake !== null && (countReplies ? replies : received) >= want) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const dev = await openTap(NetnsLab.linkName('fbt'), () => {}, { onFrameAt });
  try {
    const ns = lab.addNamespace('bench');
    lab.moveTo(dev.name, ns);
    lab.configure(ns, dev.name, { mac: NS_MAC, addresses: ['10.77.0.1/24'] });
    execFileSync('ip', ['-n', ns, 'neigh', 'replace', '10.77.0.2', 'lladdr', OUR_MAC, 'dev', dev.name]);
    // No IPv6 chatter from the kernel into the counts.
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${dev.name}.disable_ipv6=1`]);

    const udp = new Uint8Array(14 + 20 + 8 + 64);
    putMac(udp, 0, macFromText(NS_MAC));
    putMac(udp, 6, macFromText(OUR_MAC));
    udp[12] = 0x08;
    udp.set(
      [0x45, 0, 0, 92, 0, 0, 0x40, 0, 64, 17, 0, 0, ...OUR_IP, ...NS_IP, 0x9c, 0x40, 0x9c, 0x41, 0, 72],
      14,
    );
    const uc = internetChecksum(udp, 14, 20);
    udp[24] = uc >> 8;
    udp[25] = uc & 0xff;
    const tapRequests = Array.from({ length: IN_FLIGHT }, (_, i) => echoRequest(NS_MAC, NS_IP, i));
    const w = new Workload({ name: 'w', mac: NS_MAC, address: '10.77.0.1', prefixLen: 24 });
    let wReplies = 0;
    let wWake: (() => void) | null = null;
    w.attach((f) => {
      if (isEchoReply(f, 0, f.length)) wReplies++;
      if (wWake !== null && wReplies >= IN_FLIGHT) {
        const x = wWake;
        wWake = null;
        x();
      }
    });
    // The workload learns our MAC from an ARP reply, as the kernel has its static neighbour entry.
    const arp = new Uint8Array(42);
    putMac(arp, 0, macFromText(NS_MAC));
    putMac(arp, 6, macFromText(OUR_MAC));
    arp.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2], 12);
    putMac(arp, 22, macFromText(OUR_MAC));
    arp.set(OUR_IP, 28);
    putMac(arp, 32, macFromText(NS_MAC));
    arp.set(NS_IP, 38);
    w.deliver(arp, 0, arp.length);
    await new Promise((r) => setTimeout(r, 10));
    const wRequests = tapRequests;

    const drops0 = backlogDrops();
    const tx0 = dev.counters.txFrames;
    const rows = await runBench('TAP device: frames through the kernel and the helper (one TAP, 2-core VM)', [
      {
        name: 'tx: 106-byte UDP frames written to the TAP',
        items: 256,
        fn: () => {
          for (let i = 0; i < 256; i++) dev.send(udp, 0, udp.length);
        },
      },
      {
        name: `echo via TAP: kernel answers, replies through the helper (${IN_FLIGHT} in flight)`,
        items: IN_FLIGHT,
        fn: async () => {
          replies = 0;
          received = 0;
          want = IN_FLIGHT;
          countReplies = true;
          const done = bounded((r) => {
            wake = r;
          });
          for (const f of tapRequests) dev.send(f, 0, f.length);
          await done;
        },
      },
      {
        name: `baseline: the same echo answered by an in-process workload (${IN_FLIGHT} in flight)`,
        items: IN_FLIGHT,
        fn: async () => {
          wReplies = 0;
          const done = bounded((r) => {
            wWake = r;
          });
          for (const f of wRequests) w.deliver(f, 0, f.length);
          await done;
        },
      },
    ]);

    const written = dev.counters.txFrames - tx0;
    const dropped = backlogDrops() - drops0;
    console.log(
      `  written ${written} frames, of which the kernel dropped ${dropped} at its input backlog (${((100 * dropped) / written).toFixed(1)}%)`,
    );

    // rx: the namespace floods UDP at 10.77.0.2 through the device.
    const flood = lab.spawn(ns, [
      'python3',
      '-c',
      "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nb=b'x'*64\nwhile True:\n  s.sendto(b,('10.77.0.2',9))",
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const k0 = kernelTx(ns, dev.name);
    const r0 = dev.counters.rxFrames;
    const t0 = process.hrtime.bigint();
    // Reported as frames delivered over the wall-clock interval: tinybench's mean of per-call rates is
    // biased upwards when a call can be served from frames already buffered in the pipe.
    await runBench('TAP device: receive under a UDP flood from the namespace', [
      {
        name: 'rx: frames read through the helper (1,024 per call)',
        items: 1024,
        fn: async () => {
          received = 0;
          replies = 0;
          want = 1024;
          countReplies = false;
          await bounded((r) => {
            wake = r;
          });
        },
      },
    ]);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const k1 = kernelTx(ns, dev.name);
    flood.kill('SIGKILL');
    const offered = (k1.packets + k1.dropped - k0.packets - k0.dropped) / secs;
    const delivered = (dev.counters.rxFrames - r0) / secs;
    console.log(
      `  offered by the kernel ${Math.round(offered)} frames/s (queued ${Math.round((k1.packets - k0.packets) / secs)}/s, dropped at the full queue ${Math.round((k1.dropped - k0.dropped) / secs)}/s); delivered to Node ${Math.round(delivered)} frames/s`,
    );
    const echo = rows[1]!.itemsPerSec;
    const base = rows[2]!.itemsPerSec;
    console.log(
      `  echo through the TAP: ${(echo / base).toFixed(2)}x the in-process workload; rx ${Math.round(delivered)} frames/s (wall clock)`,
    );
  } finally {
    await dev.close();
    await lab.cleanup();
  }
}

/** HTTP goodput: TAP workloads on two agents (VXLAN) against two namespaces on a veth pair. */
async function http(): Promise<void> {
  const lab = new NetnsLab();
  const scratch = scratchDir('filament-tap-bench-');
  const a1 = new Agent({ name: 'b1', underlay: '127.0.56.1' });
  const a2 = new Agent({ name: 'b2', underlay: '127.0.56.2' });
  const MB = 8;
  try {
    await a1.start();
    await a2.start();
    for (const a of [a1, a2])
      a.addVrf({ name: 'blue', vni: 5600, gateways: ['10.56.0.1'], encapL2: ['vxlan'] });
    const spec = (name: string, n: number) => ({
      name,
      vrf: 'blue',
      mac: `02:00:00:56:00:${n}`,
      address: `10.56.0.${n}`,
      prefixLen: 24,
      gateway: '10.56.0.1',
    });
    const c = await attachTapWorkload(lab, a1, spec('bc', 11));
    const s = await attachTapWorkload(lab, a2, spec('bs', 12));
    a1.addMac(
      'blue',
      s.spec.mac,
      { tunnel: { dst: '127.0.56.2', vni: 5600, encaps: ['vxlan'] } },
      s.spec.address,
    );
    a2.addMac(
      'blue',
      c.spec.mac,
      { tunnel: { dst: '127.0.56.1', vni: 5600, encaps: ['vxlan'] } },
      c.spec.address,
    );
    // The kernel alone: two namespaces on a veth pair, same MTU.
    const v1 = lab.addNamespace('bv1');
    const v2 = lab.addNamespace('bv2');
    const [e1, e2] = lab.addVeth('fbva', 'fbvb');
    lab.moveTo(e1, v1);
    lab.moveTo(e2, v2);
    lab.configure(v1, e1, { mtu: 1450, addresses: ['10.57.0.11/24'] });
    lab.configure(v2, e2, { mtu: 1450, addresses: ['10.57.0.12/24'] });
    const blob = randomFile(scratch.path, 'blob', MB * 1024 * 1024);
    await Promise.all([
      httpServe(lab, s.ns, s.spec.address, 28090, scratch.path),
      httpServe(lab, v2, '10.57.0.12', 28090, scratch.path),
    ]);
    const out = `${scratch.path}/got`;
    const get = async (ns: string, url: string) => {
      const r = await httpGet(lab, ns, url, out);
      if (r.sha256 !== blob.sha256) throw new Error(`${url}: body differs`);
    };
    await runBench(
      `HTTP GET of ${MB} MB (curl in a namespace; MB/s, one connection per call)`,
      [
        {
          name: 'TAP workloads on two agents, VXLAN over loopback',
          items: MB,
          fn: () => get(c.ns, `http://${s.spec.address}:28090/blob`),
        },
        {
          name: 'baseline: two namespaces on a veth pair (kernel alone)',
          items: MB,
          fn: () => get(v1, 'http://10.57.0.12:28090/blob'),
        },
      ],
      { time: 3000 },
    );
    await c.detach();
    await s.detach();
  } finally {
    await lab.cleanup();
    await a1.stop();
    await a2.stop();
    scratch.cleanup();
  }
}

await main();
if (tapSupported().ok && netnsSupported().ok) await http();
