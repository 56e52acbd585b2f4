// Port API -> config subscription -> port attached -> routes published (label, next hop, VNI, encaps);
// routes from the control node installed and visible in introspect; bad requests are 400s; ports persist
// across an agent restart. One agent against the simulated control node, real sockets on 127.0.64.4x-8x (the lab uses .1, .11, .12).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnetEntry, UnicastEntry } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.js';
import {
  http,
  ids,
  network,
  portBody,
  type SimController,
  until,
  type WorkloadConfig,
  workloadConfig,
} from './control-sim.js';
import {
  portApiUrl,
  type SimulatedControl,
  startSimulatedControl,
  stopControlTest,
} from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const CONTROL = '127.0.64.41';
const UNDERLAY = '127.0.64.51';
const REMOTE = '127.0.64.52';
const XMPP_PORT = 35_641;

const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:00:01:11' };

describe('agent control: port API, config, routes', () => {
  let sim: SimController;
  let a: RunningAgent;
  let stateDir: string;
  let agentConfig: SimulatedControl['agentConfig'];
  const api = () => portApiUrl(a);
  const intro = () => `http://${UNDERLAY}:${a.introspect.port}`;

  beforeAll(async () => {
    ({ sim, stateDir, agentConfig } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'control-port',
      objects: topologyObjects({
        encapsulations: ['MPLSoUDP', 'VXLAN'],
        routers: [['compute-64', UNDERLAY]],
        networks: [{ n: 5, name: 'blue', subnet: '10.1.1.0/24', vni: 1005 }],
        workloads: [w1],
      }),
    }));
    a = await startAgent(agentConfig('compute-64', UNDERLAY), { workloadTimeoutMs: 1000 });
  });

  afterAll(async () => {
    await stopControlTest([a], [sim], stateDir);
  });

  it('subscribes its virtual-router config when the channel comes up', async () => {
    await until(
      () => sim.configSubscriptions.includes('virtual-router:default-global-system-config:compute-64'),
      'config subscribe',
    );
    const x = await http('GET', `${intro()}/xmpp`);
    expect(x.status).toBe(200);
    expect((x.json as { controllers: { state: string }[] }).controllers[0]!.state).toBe('established');
  });

  it('rejects bad port requests with 400 and the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...portBody(w1), id: 'not-a-uuid' }, 'id'],
      [{ ...portBody(w1), 'mac-address': '02:00:00:00:01' }, 'mac-address'],
      [{ ...portBody(w1), 'ip-address': '10.1.1.300' }, 'ip-address'],
      [{ ...portBody(w1), workload: { kind: 'vm' } }, 'workload.kind'],
      [{ ...portBody(w1), listen: [0] }, 'listen[0]'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await http('POST', `${api()}/port`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.json as { field: string }).field).toBe(field);
    }
    const notJson = await http('POST', `${api()}/port`, '{"id": ');
    expect(notJson.status).toBe(400);
    expect((await http('DELETE', `${api()}/port/${ids.vmi(99)}`)).status).toBe(404);
    expect((await http('POST', `${api()}/port/${ids.vmi(99)}/ping`, { to: '10.1.1.1' })).status).toBe(404);
  });

  it('port add: VM config subscribed, port attached, routes published with label, next hop and VNI', async () => {
    const r = await http('POST', `${api()}/port`, portBody(w1));
    expect(r.status).toBe(200);
    await until(
      () => sim.configSubscriptions.includes(`virtual-machine:${ids.vm(1)}`),
      'VM config subscribe',
    );
    const vrf = 'default-domain:admin:blue:blue';
    const status = await until(async () => {
      const p = (await http('GET', `${api()}/port/${ids.vmi(1)}`)).json as {
        status: { state: string; label: number };
      };
      return p.status.state === 'attached' ? p.status : undefined;
    }, 'port attached');
    const label = status.label;
    expect(label).toBeGreaterThanOrEqual(16);
    // The control node received the interface's inet, enet and the VRF's BUM route.
    await until(() => sim.ids(vrf).length >= 3, 'routes published');
    const inet = sim.rib.get(vrf)!.get('inet|10.1.1.11/32')!.get('compute-64')!.route.entry as UnicastEntry;
    expect(inet.nextHops).toHaveLength(1);
    expect(inet.nextHops[0]).toMatchObject({
      address: UNDERLAY,
      label,
      vni: 1005,
      tunnelEncapsulations: ['udp', 'vxlan'],
    });
    expect(inet.nextHops[0]!.virtualNetwork).toBe('default-domain:admin:blue');
    const enet = sim.rib.get(vrf)!.get(`evpn|1005-${w1.mac},10.1.1.11/32`)!.get('compute-64')!.route
      .entry as EnetEntry;
    expect(enet.nlri).toMatchObject({ ethernetTag: 1005, mac: w1.mac, address: '10.1.1.11/32' });
    expect(enet.nextHops[0]).toMatchObject({ address: UNDERLAY, label: 1005, l3Label: label });
    // The data plane has the VRF with the VNI and the port with its label.
    const vrfs = (await http('GET', `${intro()}/vrfs`)).json as {
      name: string;
      vni: number;
      encapL3: string[];
    }[];
    expect(vrfs.find((v) => v.name === vrf)).toMatchObject({ vni: 1005, encapL3: ['mpls-udp', 'vxlan'] });
    const ifs = (await http('GET', `${intro()}/interfaces`)).json as {
      name: string;
      label: number;
      address: string;
    }[];
    expect(ifs).toContainEqual(expect.objectContaining({ name: ids.vmi(1), label, address: '10.1.1.11/24' }));
    // The agent's own routes came back from the control node and were not installed over the local ones.
    const routes = (await http('GET', `${intro()}/routes?vrf=${encodeURIComponent(vrf)}`)).json as {
      routes: { prefix: string; nextHop: { kind: string } }[];
    }[];
    expect(routes[0]!.routes.find((x) => x.prefix === '10.1.1.11/32')!.nextHop.kind).toBe('interface');
  });

  it('installs routes the control node sends (ECMP for several next hops) and shows them in introspect', async () => {
    const vrf = 'default-domain:admin:blue:blue';
    const s = sim.sessions.get('compute-64')!;
    const hop = (address: string, label: number) => ({
      af: 1,
      address,
      mac: '00:00:5e:00:01:00',
      label,
      vni: 1005,
      tunnelEncapsulations: ['udp'],
      virtualNetwork: 'default-domain:admin:blue',
      tags: [],
      localSequenceNumber: 0,
    });
    const entry = (prefix: string, hops: ReturnType<typeof hop>[]): UnicastEntry => ({
      nlri: { af: 1, safi: 1, address: prefix },
      nextHops: hops,
      version: 1,
      virtualNetwork: 'default-domain:admin:blue',
      mobility: { seqno: 0, sticky: false },
      sequenceNumber: 0,
      securityGroups: [],
      communityTags: [],
      localPreference: 200,
      med: 0,
      loadBalance: { fields: [], decision: 'field-hash' },
      subProtocol: 'interface',
    });
    s.sendRoutes('inet', vrf, [
      { route: { family: 'inet', entry: entry('10.1.1.12/32', [hop(REMOTE, 40)]) } },
      { route: { family: 'inet', entry: entry('10.9.0.0/16', [hop(REMOTE, 41), hop('127.0.64.53', 42)]) } },
    ]);
    const installed = await until(async () => {
      const r = (await http('GET', `${intro()}/routes?vrf=${encodeURIComponent(vrf)}`)).json as {
        routes: {
          prefix: string;
          nextHop: { kind: string; dst?: string; label?: number; members?: number[] };
        }[];
      }[];
      const rs = r[0]!.routes;
      const one = rs.find((x) => x.prefix === '10.1.1.12/32');
      const two = rs.find((x) => x.prefix === '10.9.0.0/16');
      return one && two ? { one, two } : undefined;
    }, 'remote routes installed');
    expect(installed.one.nextHop).toMatchObject({ kind: 'tunnel', dst: REMOTE, label: 40 });
    expect(installed.two.nextHop.kind).toBe('ecmp');
    expect(installed.two.nextHop.members).toHaveLength(2);
    // A retract removes it.
    s.withdrawRoutes('inet', vrf, ['10.9.0.0/16']);
    await until(async () => {
      const r = (await http('GET', `${intro()}/routes?vrf=${encodeURIComponent(vrf)}`)).json as {
        routes: { prefix: string }[];
      }[];
      return !r[0]!.routes.some((x) => x.prefix === '10.9.0.0/16');
    }, 'route retracted');
    const x = (await http('GET', `${intro()}/xmpp`)).json as { controllers: { routesReceived: number }[] };
    expect(x.controllers[0]!.routesReceived).toBeGreaterThanOrEqual(2);
    const metrics = (await http('GET', `${intro()}/metrics`)).json as string;
    expect(metrics).toMatch(/filament_agent_xmpp_up\{controller="127\.0\.64\.41:35641"\} 1/);
    expect(metrics).toMatch(/filament_agent_config_objects\{type="virtual-network"\} 1/);
    const cfg = (await http('GET', `${intro()}/config`)).json as { byType: Record<string, number> };
    expect(cfg.byType['virtual-machine-interface']).toBe(1);
  });

  it('a VNI change in config is followed: VRF, VNI table, published routes', async () => {
    const vrf = 'default-domain:admin:blue:blue';
    const vniNow = async () =>
      ((await http('GET', `${intro()}/vrfs`)).json as { name: string; vni: number }[]).find(
        (v) => v.name === vrf,
      )?.vni;
    const publishedVni = () =>
      (sim.rib.get(vrf)?.get('inet|10.1.1.11/32')?.get('compute-64')?.route.entry as UnicastEntry | undefined)
        ?.nextHops[0]?.vni;
    sim.set(network(5, 'blue', '10.1.1.0/24', 1006));
    await until(async () => (await vniNow()) === 1006, 'VRF with the new VNI');
    await until(() => publishedVni() === 1006, 'routes republished with the new VNI');
    expect(a.agent.fw.vnis.lookup(1006)).toBe(a.agent.vrf(vrf).id);
    expect(a.agent.fw.vnis.lookup(1005)).toBe(-1);
    sim.set(network(5, 'blue', '10.1.1.0/24', 1005));
    await until(() => publishedVni() === 1005, 'back to 1005');
  });

  it('a workload that moves here takes its address over from the remote route, and gives it back', async () => {
    const vrf = 'default-domain:admin:blue:blue';
    const w2: WorkloadConfig = { n: 2, vn: 'blue', address: '10.1.1.12', mac: '02:00:00:00:01:12' };
    const kindOf = async (prefix: string) => {
      const r = (await http('GET', `${intro()}/routes?vrf=${encodeURIComponent(vrf)}`)).json as {
        routes: { prefix: string; nextHop: { kind: string; label?: number } }[];
      }[];
      return r[0]!.routes.find((x) => x.prefix === prefix)?.nextHop;
    };
    // Another agent's path for 10.1.1.12 (in the control node's table, unlike the one sent by hand above).
    const own = sim.rib.get(vrf)!.get('inet|10.1.1.11/32')!.get('compute-64')!.route.entry as UnicastEntry;
    sim.inject('compute-x', vrf, {
      family: 'inet',
      entry: {
        ...own,
        nlri: { ...own.nlri, address: '10.1.1.12/32' },
        nextHops: [{ ...own.nextHops[0]!, address: REMOTE, label: 40 }],
      },
    });
    await until(async () => (await kindOf('10.1.1.12/32'))?.label === 40, 'the remote route');
    sim.set(...workloadConfig(w2));
    expect((await http('POST', `${api()}/port`, portBody(w2))).status).toBe(200);
    await until(
      async () => (await kindOf('10.1.1.12/32'))?.kind === 'interface',
      'local route for the moved workload',
    );
    const ping = (await http('POST', `${api()}/port/${ids.vmi(1)}/ping`, { to: '10.1.1.12', count: 1 }))
      .json as { received: number };
    expect(ping.received).toBe(1);
    expect((await http('DELETE', `${api()}/port/${ids.vmi(2)}`)).status).toBe(200);
    // The control node's merged entry (this agent's path gone) puts the remote path back.
    await until(async () => (await kindOf('10.1.1.12/32'))?.label === 40, 'the remote route back');
    expect((await kindOf('10.1.1.12/32'))?.kind).toBe('tunnel');
  });

  it('ports persist: a restarted agent re-adds them from its state directory', async () => {
    const stored = JSON.parse(await readFile(join(stateDir, 'ports.json'), 'utf8')) as {
      ports: { id: string }[];
    };
    expect(stored.ports.map((p) => p.id)).toEqual([ids.vmi(1)]);
    await a.stop();
    a = await startAgent(agentConfig('compute-64', UNDERLAY), { workloadTimeoutMs: 1000 });
    await until(async () => {
      const p = (await http('GET', `${api()}/port/${ids.vmi(1)}`)).json as { status?: { state: string } };
      return p.status?.state === 'attached';
    }, 'port re-attached after restart');
    const r = await http('DELETE', `${api()}/port/${ids.vmi(1)}`);
    expect(r.status).toBe(200);
    const after = JSON.parse(await readFile(join(stateDir, 'ports.json'), 'utf8')) as { ports: unknown[] };
    expect(after.ports).toEqual([]);
    // Withdrawn from the control node.
    await until(
      () => !sim.rib.get('default-domain:admin:blue:blue')?.has('inet|10.1.1.11/32'),
      'routes withdrawn',
    );
    // The VRF went with its last port: VNI table entry, BUM next hop, routes and next hops freed.
    const vrf = 'default-domain:admin:blue:blue';
    await until(() => !a.agent.hasVrf(vrf), 'VRF deleted');
    const fw = a.agent.fw;
    expect(fw.vnis.lookup(1005)).toBe(-1);
    expect(fw.vrfs.every((v) => v === undefined)).toBe(true);
    expect(fw.nexthops.size).toBe(3); // only the fixed discard, receive and resolve
    expect(fw.labels.size).toBe(0);
    // Re-adding a port (now with an IPv6 address too) re-creates it: subscribed, routes published and
    // installed (the /128 as well), the gateway answers.
    expect((await http('POST', `${api()}/port`, portBody(w1, { 'ip6-address': 'fd00:64::11' }))).status).toBe(
      200,
    );
    await until(
      () => sim.rib.get(vrf)?.has('inet|10.1.1.11/32') && sim.rib.get(vrf)?.has('inet6|fd00:64::11/128'),
      'routes published again after the VRF was re-created',
    );
    expect(a.agent.hasVrf(vrf)).toBe(true);
    const local = (
      a.agent.describe('routes', vrf) as { routes: { prefix: string; nextHop: { kind: string } }[] }[]
    )[0]!.routes;
    expect(local.find((r) => r.prefix === 'fd00:64::11/128')?.nextHop.kind).toBe('interface');
    expect(fw.vnis.lookup(1005)).toBe(a.agent.vrf(vrf).id);
    const ping = (await http('POST', `${api()}/port/${ids.vmi(1)}/ping`, { to: '10.1.1.1', count: 1 }))
      .json as { received: number };
    expect(ping.received).toBe(1);
    expect((await http('DELETE', `${api()}/port/${ids.vmi(1)}`)).status).toBe(200);
    await until(() => !a.agent.hasVrf(vrf), 'VRF deleted again');
  });
});
