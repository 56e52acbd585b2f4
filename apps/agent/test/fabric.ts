// Two agents in one process, wired as a controller would wire them: VRFs blue (VNI 100, 10.1.1.0/24) and
// red (VNI 200, 10.2.2.0/24) on both, in-process workloads on ports, the remote workloads' MAC/IP and
// routes pointing to tunnels with the remote's label and VNI, BUM peers, and security groups compiled by
// @filament/policy. Underlay on 127.0.0.1 / 127.0.0.2 (another 127.x pair when those ports are taken).

import { PolicyCompiler } from '@filament/policy';
import { Agent, Workload } from '../src/index.js';

export interface Fabric {
  a1: Agent;
  a2: Agent;
  w1: Workload;
  w2: Workload;
  w3: Workload;
  w4: Workload;
  addrs: [string, string];
  stop: () => Promise<void>;
}

const model = {
  securityGroups: [
    {
      name: 'client',
      rules: [
        { name: 'icmp-out', direction: 'egress' as const, protocol: 'icmp', remote: { any: true as const } },
        {
          name: 'tcp-echo-out',
          direction: 'egress' as const,
          protocol: 'tcp',
          ports: 7,
          remote: { any: true as const },
        },
        {
          name: 'udp-echo-out',
          direction: 'egress' as const,
          protocol: 'udp',
          ports: 7,
          remote: { any: true as const },
        },
      ],
    },
    {
      name: 'server',
      rules: [
        { name: 'icmp-in', direction: 'ingress' as const, protocol: 'icmp', remote: { any: true as const } },
        {
          name: 'tcp-echo-in',
          direction: 'ingress' as const,
          protocol: 'tcp',
          ports: 7,
          remote: { any: true as const },
        },
        { name: 'all-out', direction: 'egress' as const, remote: { any: true as const } },
      ],
    },
  ],
};
const inventory = {
  projects: [{ name: 'demo' }],
  virtualNetworks: [
    { name: 'blue', project: 'demo', subnets: ['10.1.1.0/24'] },
    { name: 'red', project: 'demo', subnets: ['10.2.2.0/24'] },
  ],
  interfaces: [
    { name: 'w1', virtualNetwork: 'blue', addresses: ['10.1.1.11'], securityGroups: ['client'] },
    { name: 'w2', virtualNetwork: 'blue', addresses: ['10.1.1.12'] },
    { name: 'w3', virtualNetwork: 'red', addresses: ['10.2.2.13'], securityGroups: ['server'] },
    { name: 'w4', virtualNetwork: 'blue', addresses: ['10.1.1.14'] },
  ],
};

async function startPair(a1: Agent, a2: Agent): Promise<void> {
  await a1.start({}, 0);
  try {
    await a2.start({}, 0);
  } catch (e) {
    await a1.stop();
    throw e;
  }
}

export async function makeFabric(opts: { timeoutMs?: number } = {}): Promise<Fabric> {
  const candidates: [string, string][] = [['127.0.0.1', '127.0.0.2']];
  for (let i = 0; i < 4; i++) {
    const x = 10 + Math.floor(Math.random() * 200);
    const y = 10 + Math.floor(Math.random() * 200);
    candidates.push([`127.${x}.${y}.1`, `127.${x}.${y}.2`]);
  }
  let a1: Agent | undefined;
  let a2: Agent | undefined;
  let addrs: [string, string] | undefined;
  for (const pair of candidates) {
    const x1 = new Agent({ name: 'compute-1', underlay: pair[0], routerMac: '00:00:5e:00:01:00' });
    const x2 = new Agent({ name: 'compute-2', underlay: pair[1], routerMac: '00:00:5e:00:01:00' });
    try {
      await startPair(x1, x2);
      a1 = x1;
      a2 = x2;
      addrs = pair;
      break;
    } catch {
      // ports taken on this pair of addresses: try another
    }
  }
  if (!a1 || !a2 || !addrs) throw new Error('no free loopback address pair for the underlay');
  const compiler = new PolicyCompiler(model, inventory);

  for (const a of [a1, a2]) {
    a.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
    a.addVrf({ name: 'red', vni: 200, gateways: ['10.2.2.1'] });
  }
  const timeoutMs = opts.timeoutMs ?? 3000;
  const wl = (name: string, mac: string, address: string, gateway: string) =>
    new Workload({ name, mac, address, prefixLen: 24, gateway, timeoutMs });
  const w1 = wl('w1', '02:00:00:00:01:11', '10.1.1.11', '10.1.1.1');
  const w2 = wl('w2', '02:00:00:00:01:12', '10.1.1.12', '10.1.1.1');
  const w3 = wl('w3', '02:00:00:00:02:13', '10.2.2.13', '10.2.2.1');
  const w4 = wl('w4', '02:00:00:00:01:14', '10.1.1.14', '10.1.1.1');
  const attach = (a: Agent, w: Workload, vrf: string, gateway: string) => {
    const p = a.addPort({
      name: w.name,
      vrf,
      mac: macOf(w),
      ipam: { address: w.address, prefixLen: 24, gateway, dns: [gateway], mtu: 1450 },
      acl: compiler.matcher(w.name) ?? null,
      deliver: w.deliver,
    });
    w.attach((frame) => a.fw.fromPort(p.index, frame));
    return p;
  };
  const p1 = attach(a1, w1, 'blue', '10.1.1.1');
  const p2 = attach(a2, w2, 'blue', '10.1.1.1');
  const p3 = attach(a2, w3, 'red', '10.2.2.1');
  const p4 = attach(a1, w4, 'blue', '10.1.1.1');

  // What the controller would send each agent.
  const both = ['vxlan', 'mpls-udp'] as const;
  // blue on compute-1: w2 is on compute-2 (bridged: VXLAN 100; routed: its label)
  a1.addMac(
    'blue',
    macOf(w2),
    { tunnel: { dst: addrs[1], vni: 100, label: p2.label, encaps: [...both] } },
    '10.1.1.12',
  );
  a1.addRoute('blue', '10.1.1.12/32', {
    tunnel: { dst: addrs[1], vni: 100, label: p2.label, encaps: [...both] },
  });
  // blue on compute-2: w1 and w4 are on compute-1
  a2.addMac(
    'blue',
    macOf(w1),
    { tunnel: { dst: addrs[0], vni: 100, label: p1.label, encaps: [...both] } },
    '10.1.1.11',
  );
  a2.addRoute('blue', '10.1.1.11/32', {
    tunnel: { dst: addrs[0], vni: 100, label: p1.label, encaps: [...both] },
  });
  a2.addMac(
    'blue',
    macOf(w4),
    { tunnel: { dst: addrs[0], vni: 100, label: p4.label, encaps: [...both] } },
    '10.1.1.14',
  );
  a2.addRoute('blue', '10.1.1.14/32', {
    tunnel: { dst: addrs[0], vni: 100, label: p4.label, encaps: [...both] },
  });
  // Route leaking between blue and red (a network policy would allow it): routed, MPLS over UDP.
  a1.addRoute('blue', '10.2.2.13/32', { tunnel: { dst: addrs[1], label: p3.label, encaps: ['mpls-udp'] } });
  a2.addRoute('red', '10.1.1.0/24', {
    ecmp: [{ tunnel: { dst: addrs[0], label: p1.label, encaps: ['mpls-udp'] } }],
  });
  a2.addRoute('red', '10.1.1.11/32', { tunnel: { dst: addrs[0], label: p1.label, encaps: ['mpls-udp'] } });
  a1.setBumPeers('blue', [addrs[1]]);
  a2.setBumPeers('blue', [addrs[0]]);

  return {
    a1,
    a2,
    w1,
    w2,
    w3,
    w4,
    addrs,
    stop: async () => {
      await a1.stop();
      await a2.stop();
    },
  };
}

export function macOf(w: Workload): string {
  const b: string[] = [];
  let m = w.mac;
  for (let i = 0; i < 6; i++) {
    b.unshift((m % 256).toString(16).padStart(2, '0'));
    m = Math.floor(m / 256);
  }
  return b.join(':');
}
