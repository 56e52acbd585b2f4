// Floating IPs from config: w1 (blue, agent A) has floating IP 203.0.113.10 from a pool of the "public"
// network, where w6 lives (agent B). Agent A adds the floating IP (1:1 NAT), subscribes the public VRF and
// publishes the floating IP's route there with its own label; w6 reaches w1 through it (DNAT) and w1 reaches
// w6 from it (SNAT). The floating IP removed from config: its route is withdrawn, and w6 no longer reaches
// it. 127.0.66.41-52 (the lab uses .1/.2/.11/.12).

import type { UnicastEntry } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.js';
import {
  http,
  ids,
  PROJECT,
  type SimController,
  type TfObject,
  until,
  type WorkloadConfig,
} from './control-sim.js';
import {
  addPort,
  portApiUrl as api,
  type SimulatedControl,
  startSimulatedControl,
  stopControlTest,
} from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const CONTROL = '127.0.66.41';
const U1 = '127.0.66.51';
const U2 = '127.0.66.52';
const XMPP_PORT = 35_661;
const PUBLIC = 'default-domain:admin:public:public';

const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:66:01:11' };
const w6: WorkloadConfig = { n: 6, vn: 'public', address: '203.0.113.20', mac: '02:00:00:66:03:20' };

const pool: [string, TfObject] = [
  'floating-ip-pool',
  {
    fq_name: [...PROJECT, 'public', 'pool'],
    parent_type: 'virtual-network',
    uuid: '00000050-0000-4000-8000-000000000001',
  },
];
const fip: [string, TfObject] = [
  'floating-ip',
  {
    fq_name: [...PROJECT, 'public', 'pool', 'fip1'],
    parent_type: 'floating-ip-pool',
    uuid: '00000050-0000-4000-8000-000000000002',
    floating_ip_address: '203.0.113.10',
    virtual_machine_interface_refs: [{ to: [...PROJECT, 'vmi-1'], attr: null }],
  },
];

describe('floating IPs from config', () => {
  let sim: SimController;
  let a: RunningAgent;
  let b: RunningAgent;
  let stateDir: string;
  let agentConfig: SimulatedControl['agentConfig'];
  const ping = async (x: RunningAgent, w: WorkloadConfig, to: string, count = 2) =>
    (await http('POST', `${api(x)}/port/${ids.vmi(w.n)}/ping`, { to, count })).json as { received: number };

  beforeAll(async () => {
    ({ sim, stateDir, agentConfig } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'control-fip',
      objects: topologyObjects({
        encapsulations: ['MPLSoUDP', 'VXLAN'],
        routers: [
          ['compute-66a', U1],
          ['compute-66b', U2],
        ],
        networks: [
          { n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1661 },
          { n: 3, name: 'public', subnet: '203.0.113.0/24', vni: 1663 },
        ],
        before: [pool],
        workloads: [w1, w6],
        after: [fip],
      }),
    }));
    a = await startAgent(agentConfig('compute-66a', U1, 'a'), { workloadTimeoutMs: 800 });
    b = await startAgent(agentConfig('compute-66b', U2, 'b'), { workloadTimeoutMs: 800 });
    expect(await addPort(a, w1)).toBe(200);
    expect(await addPort(b, w6)).toBe(200);
  });

  afterAll(async () => {
    await stopControlTest([a, b], [sim], stateDir);
  });

  it('the floating IP is added, and published in the public VRF with its own label', async () => {
    const published = await until(
      () => sim.rib.get(PUBLIC)?.get('inet|203.0.113.10/32')?.get('compute-66a'),
      'floating IP route',
    );
    const ifs = a.agent.describe('interfaces') as {
      name: string;
      label: number;
      floatingIp: { label: number };
    }[];
    const port = ifs.find((i) => i.name === ids.vmi(1))!;
    expect(port.floatingIp).toMatchObject({ vrf: PUBLIC, address: '203.0.113.10' });
    const hop = (published.route.entry as UnicastEntry).nextHops[0]!;
    expect(hop).toMatchObject({ address: U1, label: port.floatingIp.label, vni: 1663 });
    expect(hop.label).not.toBe(port.label);
  });

  it('DNAT in and SNAT out across agents', async () => {
    await until(() => b.agent.vrf(PUBLIC).lpm4.size >= 2, 'the floating IP route on B');
    await until(
      async () => (await ping(b, w6, '203.0.113.10', 1)).received === 1,
      'w6 reaches the floating IP',
    );
    const nat = a.agent.fw.counters.natPackets;
    expect(await ping(a, w1, '203.0.113.20')).toMatchObject({ received: 2 });
    expect(a.agent.fw.counters.natPackets).toBeGreaterThan(nat);
    const tcp = (
      await http('POST', `${api(b)}/port/${ids.vmi(6)}/tcp`, { to: '203.0.113.10', port: 7, bytes: 500 })
    ).json as { ok: boolean };
    expect(tcp.ok).toBe(true);
  });

  it('removed from config: the route is withdrawn and the floating IP no longer answers', async () => {
    sim.remove(fip);
    await until(() => !sim.rib.get(PUBLIC)?.has('inet|203.0.113.10/32'), 'floating IP route withdrawn');
    const ifs = a.agent.describe('interfaces') as { name: string; floatingIp: unknown }[];
    expect(ifs.find((i) => i.name === ids.vmi(1))!.floatingIp).toBeNull();
    expect(await ping(b, w6, '203.0.113.10', 1)).toMatchObject({ received: 0 });
  });
});
