// Forwarder benchmarks, in process (no sockets), each beside a naive pipeline measured in the same run.
//
//   pnpm --filter @filament/agent bench
//
// Paths (64-byte UDP payloads, 16 established flows unless stated):
//   bridged   port -> MAC table -> flow hit -> VXLAN encapsulation into headroom -> underlay send (a sink)
//   routed    port -> router MAC -> flow hit -> TTL -> MPLS over UDP with the remote label (VRF of 10,000 routes)
//   two-agent port -> VXLAN -> the peer agent's decapsulation, VNI, flow hit -> delivery to its port
//   setup     first packets: egress ACL evaluation, route lookup, forward+reverse flow install, encapsulation
// The naive pipeline is what a straightforward JS forwarder would write: value decoders (objects per header),
// a Map keyed by the 5-tuple string for flows, Maps keyed by MAC text and by prefix text (longest first) for
// tables, and the value-level `encapsulate` that allocates the outer packet.
import { encapsulate, ethernet, ipv4, udp } from '@filament/encap';
import { PolicyCompiler } from '@filament/policy';
import { runBench } from '@filament/testkit';
import { Agent, macFromText } from '../src/index.js';
import { udpFrame } from '../test/frames.js';

const ROUTER = '00:00:5e:00:01:00';
const M1 = macFromText('02:00:00:00:01:11');
const M2 = macFromText('02:00:00:00:01:12');
const N_ROUTES = 10_000;

const compiler = new PolicyCompiler(
  {
    securityGroups: [
      {
        name: 'web',
        rules: [
          { name: 'out-udp', direction: 'egress', protocol: 'udp', remote: { any: true } },
          { name: 'out-tcp', direction: 'egress', protocol: 'tcp', ports: [1, 65535], remote: { any: true } },
        ],
      },
    ],
  },
  {
    projects: [{ name: 'p' }],
    virtualNetworks: [{ name: 'blue', project: 'p', subnets: ['10.1.1.0/24'] }],
    interfaces: [{ name: 'w1', virtualNetwork: 'blue', addresses: ['10.1.1.11'], securityGroups: ['web'] }],
  },
);

function agents() {
  const a1 = new Agent({ name: 'a1', underlay: '192.0.2.1', routerMac: ROUTER, flow: { capacity: 1 << 19 } });
  const a2 = new Agent({ name: 'a2', underlay: '192.0.2.2', routerMac: ROUTER, flow: { capacity: 1 << 19 } });
  let delivered = 0;
  for (const a of [a1, a2]) a.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
  const p1 = a1.addPort({
    name: 'w1',
    vrf: 'blue',
    mac: '02:00:00:00:01:11',
    ipam: { address: '10.1.1.11', prefixLen: 24, gateway: '10.1.1.1' },
    acl: compiler.matcher('w1') ?? null,
    deliver: () => {},
  });
  const p2 = a2.addPort({
    name: 'w2',
    vrf: 'blue',
    mac: '02:00:00:00:01:12',
    ipam: { address: '10.1.1.12', prefixLen: 24, gateway: '10.1.1.1' },
    deliver: () => {
      delivered++;
    },
  });
  const tun = (dst: string, label: number) => ({
    tunnel: { dst, vni: 100, label, encaps: ['vxlan', 'mpls-udp'] as ('vxlan' | 'mpls-udp')[] },
  });
  a1.addMac('blue', '02:00:00:00:01:12', tun('192.0.2.2', p2.label), '10.1.1.12');
  a2.addMac('blue', '02:00:00:00:01:11', tun('192.0.2.1', p1.label), '10.1.1.11');
  // A VRF of N_ROUTES /24 routes toward remote agents, plus the one the routed path uses.
  for (let i = 0; i < N_ROUTES; i++)
    a1.addRoute('blue', `10.${100 + (i >> 8)}.${i & 255}.0/24`, {
      tunnel: { dst: `198.51.100.${1 + (i % 200)}`, label: 100 + (i % 1000), encaps: ['mpls-udp'] },
    });
  a1.addRoute('blue', '10.50.0.0/16', {
    tunnel: { dst: '192.0.2.2', label: p2.label, encaps: ['mpls-udp'] },
  });
  return { a1, a2, p1, p2, delivered: () => delivered };
}

// ---- the naive pipeline
interface NaiveFlow {
  action: 'forward' | 'drop';
  dst: string;
  vni?: number;
  label?: number;
}
class Naive {
  readonly macs = new Map<string, { dst: string; vni: number }>();
  readonly routes = new Map<string, { dst: string; label: number }>();
  readonly flows = new Map<string, NaiveFlow>();
  sent = 0;
  constructor() {
    this.macs.set('02:00:00:00:01:12', { dst: '192.0.2.2', vni: 100 });
    for (let i = 0; i < N_ROUTES; i++)
      this.routes.set(`10.${100 + (i >> 8)}.${i & 255}.0/24`, {
        dst: `198.51.100.${1 + (i % 200)}`,
        label: 100 + (i % 1000),
      });
    this.routes.set('10.50.0.0/16', { dst: '192.0.2.2', label: 17 });
  }
  private route(dst: string): { dst: string; label: number } | undefined {
    const n = dst.split('.').reduce((a, x) => a * 256 + Number(x), 0);
    for (let len = 32; len >= 0; len--) {
      const m = len === 0 ? 0 : Number((BigInt(n) >> BigInt(32 - len)) << BigInt(32 - len));
      const t = `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${len}`;
      const r = this.routes.get(t);
      if (r) return r;
    }
    return undefined;
  }
  packet(frame: Uint8Array): void {
    const eth = ethernet.decode(frame).value;
    const ip = ipv4.decode(frame, 14).value;
    const u = udp.decode(frame, 14 + 20).value;
    const key = `1|${ip.protocol}|${ip.src}|${ip.dst}|${u.srcPort}|${u.dstPort}`;
    let f = this.flows.get(key);
    if (!f) {
      if (eth.dst === ROUTER) {
        const r = this.route(ip.dst);
        f = r ? { action: 'forward', dst: r.dst, label: r.label } : { action: 'drop', dst: '' };
      } else {
        const m = this.macs.get(eth.dst);
        f = m ? { action: 'forward', dst: m.dst, vni: m.vni } : { action: 'drop', dst: '' };
      }
      this.flows.set(key, f);
      this.flows.set(`1|${ip.protocol}|${ip.dst}|${ip.src}|${u.dstPort}|${u.srcPort}`, {
        action: 'forward',
        dst: 'local',
      });
    }
    if (f.action === 'drop') return;
    const out =
      f.vni !== undefined
        ? encapsulate({ type: 'vxlan', vni: f.vni, src: '192.0.2.1', dst: f.dst }, frame)
        : encapsulate(
            { type: 'mpls-udp', labels: [f.label!], src: '192.0.2.1', dst: f.dst },
            frame.subarray(14),
          );
    this.sent += out.length > 0 ? 1 : 0;
  }
}

const payload = new Uint8Array(64);
const bridged = Array.from({ length: 16 }, (_, i) =>
  udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 6000 + i, 7, payload),
);
const routed = Array.from({ length: 16 }, (_, i) =>
  udpFrame(macFromText(ROUTER), M1, '10.1.1.11', `10.50.${i}.1`, 6000 + i, 7, payload),
);
const B = 256;

const t = agents();
let sent = 0;
t.a1.fw.send = () => {
  sent++;
};
const naive = new Naive();
let k = 0;
await runBench('forwarder, established flows (64-byte payload)', [
  {
    name: 'agent: bridged, port -> VXLAN encap -> send',
    items: B,
    fn: () => {
      for (let i = 0; i < B; i++) t.a1.fw.fromPort(t.p1.index, bridged[(k + i) & 15]!);
      k++;
    },
  },
  {
    name: 'naive: bridged (value decoders, Map flows, encapsulate)',
    items: B,
    fn: () => {
      for (let i = 0; i < B; i++) naive.packet(bridged[(k + i) & 15]!);
      k++;
    },
  },
  {
    name: `agent: routed, port -> LPM (${N_ROUTES} routes) -> MPLS over UDP -> send`,
    items: B,
    fn: () => {
      for (let i = 0; i < B; i++) t.a1.fw.fromPort(t.p1.index, routed[(k + i) & 15]!);
      k++;
    },
  },
  {
    name: 'naive: routed (prefix-text Map probes, Map flows, encapsulate)',
    items: B,
    fn: () => {
      for (let i = 0; i < B; i++) naive.packet(routed[(k + i) & 15]!);
      k++;
    },
  },
]);

// Two agents joined in process: a1's underlay send is a2's underlay receive.
const two = agents();
two.a1.fw.send = (b, s, l) => two.a2.fw.fromUnderlay(b, s, l);
await runBench('forwarder, two agents in process (64-byte payload)', [
  {
    name: 'agent: port -> VXLAN -> peer decap, flow, deliver',
    items: B,
    fn: () => {
      for (let i = 0; i < B; i++) two.a1.fw.fromPort(two.p1.index, bridged[(k + i) & 15]!);
      k++;
    },
  },
]);
if (two.delivered() === 0) throw new Error('nothing delivered');

// Flow setup: every packet is the first of its flow (distinct source ports and destinations).
function setupRate(kind: 'agent' | 'naive', n: number): number {
  const frames = Array.from({ length: n }, (_, i) =>
    udpFrame(
      macFromText(ROUTER),
      M1,
      '10.1.1.11',
      `10.${100 + ((i >> 8) % 39)}.${i & 255}.9`,
      1024 + (i % 60000),
      53,
      payload,
    ),
  );
  const s = agents();
  s.a1.fw.send = () => {};
  const nv = new Naive();
  const t0 = performance.now();
  if (kind === 'agent') for (const f of frames) s.a1.fw.fromPort(s.p1.index, f);
  else for (const f of frames) nv.packet(f);
  const ms = performance.now() - t0;
  if (kind === 'agent' && s.a1.fw.counters.flowsCreated !== n)
    throw new Error(`created ${s.a1.fw.counters.flowsCreated}`);
  return (n / ms) * 1000;
}
const rates = { agent: [] as number[], naive: [] as number[] };
for (let r = 0; r < 3; r++) {
  rates.agent.push(setupRate('agent', 100_000));
  rates.naive.push(setupRate('naive', 100_000));
}
console.log(
  '\nflow setup, 100,000 first packets (egress ACL, route lookup, pair install, encapsulation); best of 3',
);
console.log(
  `  ${'agent: first packets'.padEnd(60)} ${(Math.max(...rates.agent) / 1000).toFixed(1).padStart(10)} k/s`,
);
console.log(
  `  ${'naive: first packets'.padEnd(60)} ${(Math.max(...rates.naive) / 1000).toFixed(1).padStart(10)} k/s`,
);
if (sent === 0 || naive.sent === 0) throw new Error('nothing sent');
