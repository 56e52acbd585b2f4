// Two agents wired only through simulated control nodes (primary and backup, both serving the same config
// and reflecting routes): workloads added through the port API ping each other across VXLAN (same VN,
// bridged) and MPLS over UDP (routed between VNs whose routes the control nodes leak). Then the primary
// goes (fail-over: traffic keeps flowing, nothing is dropped), the backup goes too (headless: the agents
// keep forwarding with the last routes), both come back (resync: republish, re-subscribe, and a route
// that is not sent again is swept after End-of-RIB, with no duplicates). Real sockets on 127.0.67.4x-8x (the lab uses .1, .11, .12).

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnicastEntry } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentConfig, type RunningAgent, startAgent } from '../src/index.js';
import { http, ids, type SimController, type TfObject, until, type WorkloadConfig } from './control-sim.js';
import { controlAgentConfig } from './support/agent-config.js';
import { addPort, portApiUrl as api, startSimController, stopControlTest } from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const PRIMARY = '127.0.67.41';
const BACKUP = '127.0.67.42';
const U1 = '127.0.67.51';
const U2 = '127.0.67.52';
const XMPP_PORT = 35_671;
const BLUE = 'default-domain:admin:blue:blue';
const RED = 'default-domain:admin:red:red';

const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:00:01:11' };
const w2: WorkloadConfig = { n: 2, vn: 'blue', address: '10.1.1.12', mac: '02:00:00:00:01:12' };
const w3: WorkloadConfig = { n: 3, vn: 'red', address: '10.2.2.13', mac: '02:00:00:00:02:13' };

function objects(): [string, TfObject][] {
  return [
    ...topologyObjects({
      encapsulations: ['MPLSoUDP', 'VXLAN'],
      routers: [
        ['compute-a', U1],
        ['compute-b', U2],
      ],
      networks: [
        { n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1001 },
        { n: 2, name: 'red', subnet: '10.2.2.0/24', vni: 1002 },
      ],
      workloads: [w1, w2, w3],
    }),
  ];
}

const sim = (host: string, without: string[] = []): Promise<SimController> =>
  startSimController({
    host,
    xmppPort: XMPP_PORT,
    objects: objects().filter(([, o]) => !without.includes((o.fq_name as string[]).join(':'))),
    leaks: [[BLUE, RED]],
  });

function config(name: string, underlay: string, stateDir: string): AgentConfig {
  return controlAgentConfig({
    name,
    underlay,
    controllers: [
      { host: PRIMARY, port: XMPP_PORT },
      { host: BACKUP, port: XMPP_PORT },
    ],
    stateDir,
    timers: { retryBaseMs: 40, endOfRibTimeoutMs: 3_000 },
  });
}

interface RouteView {
  vrf: string;
  routes: { prefix: string; nextHop: { kind: string; dst?: string } }[];
}

describe('two agents through simulated control nodes', () => {
  let primary: SimController;
  let backup: SimController;
  let a: RunningAgent;
  let b: RunningAgent;
  let stateDir: string;
  const intro = (x: RunningAgent) => `http://${x.agent.underlayAddress}:${x.introspect.port}`;

  const ping = async (from: RunningAgent, w: WorkloadConfig, to: string, count = 2) =>
    (await http('POST', `${api(from)}/port/${ids.vmi(w.n)}/ping`, { to, count })).json as {
      sent: number;
      received: number;
    };
  const routes = async (x: RunningAgent, vrf: string) =>
    ((await http('GET', `${intro(x)}/routes?vrf=${encodeURIComponent(vrf)}`)).json as RouteView[])[0]!.routes;
  const xmpp = async (x: RunningAgent) =>
    (await http('GET', `${intro(x)}/xmpp`)).json as {
      headless: boolean;
      configPeer: string | null;
      controllers: { endpoint: string; state: string }[];
    };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'filament-control-fabric-'));
    primary = await sim(PRIMARY);
    backup = await sim(BACKUP);
    a = await startAgent(config('compute-a', U1, join(stateDir, 'a')), { workloadTimeoutMs: 800 });
    b = await startAgent(config('compute-b', U2, join(stateDir, 'b')), { workloadTimeoutMs: 800 });
    for (const [x, w] of [
      [a, w1],
      [b, w2],
      [b, w3],
    ] as const) {
      expect(await addPort(x, w)).toBe(200);
    }
    // Each agent holds the other's routes.
    await until(
      async () => (await routes(a, BLUE)).some((r) => r.prefix === '10.1.1.12/32'),
      'w2 route on a',
    );
    await until(
      async () => (await routes(a, BLUE)).some((r) => r.prefix === '10.2.2.13/32'),
      'w3 leaked route on a',
    );
    await until(
      async () => (await routes(b, RED)).some((r) => r.prefix === '10.1.1.11/32'),
      'w1 leaked route on b',
    );
  });

  afterAll(async () => {
    await stopControlTest([a, b], [primary, backup], stateDir);
  });

  it('ping across VXLAN (same VN) and MPLS over UDP (routed between VNs)', async () => {
    const c = a.agent.fw.counters;
    const vx = c.tunnelTx[1]!;
    expect(await ping(a, w1, '10.1.1.12')).toMatchObject({ sent: 2, received: 2 });
    expect(c.tunnelTx[1]!).toBeGreaterThan(vx);
    const mpls = c.tunnelTx[2]!;
    expect(await ping(a, w1, '10.2.2.13')).toMatchObject({ sent: 2, received: 2 });
    expect(c.tunnelTx[2]!).toBeGreaterThan(mpls);
    expect(b.agent.fw.counters.tunnelRx[2]!).toBeGreaterThan(0);
    // BUM: each agent replicates the VN's broadcast to the other.
    const vrfs = (await http('GET', `${intro(a)}/vrfs`)).json as { name: string; bumPeers: string[] }[];
    expect(vrfs.find((v) => v.name === BLUE)!.bumPeers).toEqual([U2]);
    // TCP echo through the port API, checked by digest.
    const tcp = (
      await http('POST', `${api(a)}/port/${ids.vmi(1)}/tcp`, { to: '10.2.2.13', port: 7, bytes: 1000 })
    ).json as { ok: boolean; bytes: number; sha256: string };
    expect(tcp).toMatchObject({ ok: true, bytes: 1000 });
    expect(tcp.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fail-over: the primary goes, routes stay installed and traffic keeps flowing', async () => {
    const before = await routes(a, BLUE);
    await primary.close();
    await until(async () => (await xmpp(a)).controllers[0]!.state === 'down', 'primary down on a');
    const x = await xmpp(a);
    expect(x.headless).toBe(false);
    expect(x.controllers[1]!.state).toBe('established');
    expect(x.configPeer).toBe(`${BACKUP}:${XMPP_PORT}`);
    expect(await routes(a, BLUE)).toEqual(before);
    expect(await ping(a, w1, '10.1.1.12')).toMatchObject({ received: 2 });
    expect(await ping(a, w1, '10.2.2.13')).toMatchObject({ received: 2 });
  });

  it('headless: with every control node gone the agents keep forwarding with the last routes', async () => {
    // A route only the backup sends: it must not survive the resync later.
    const s = backup.sessions.get('compute-a')!;
    const ghost = (await routes(a, BLUE)).length;
    const e = backup.rib.get(BLUE)!.get('inet|10.1.1.12/32')!.get('compute-b')!.route.entry as UnicastEntry;
    s.sendRoutes('inet', BLUE, [
      { route: { family: 'inet', entry: { ...e, nlri: { ...e.nlri, address: '10.1.1.99/32' } } } },
    ]);
    await until(async () => (await routes(a, BLUE)).length === ghost + 1, 'ghost route installed');
    await backup.close();
    await until(async () => (await xmpp(a)).headless, 'a headless');
    await until(async () => (await xmpp(b)).headless, 'b headless');
    expect(await ping(a, w1, '10.1.1.12')).toMatchObject({ received: 2 });
    expect(await ping(a, w1, '10.2.2.13')).toMatchObject({ received: 2 });
    expect((await routes(a, BLUE)).some((r) => r.prefix === '10.1.1.99/32')).toBe(true);
  });

  it('resync: control nodes back, routes republished, the unsent route swept, no duplicates', async () => {
    primary = await sim(PRIMARY);
    backup = await sim(BACKUP);
    await until(
      async () => (await xmpp(a)).controllers.every((c) => c.state === 'established'),
      'a resynced',
    );
    await until(
      async () => (await xmpp(b)).controllers.every((c) => c.state === 'established'),
      'b resynced',
    );
    // The agents republished: each control node has both agents' routes again.
    for (const s of [primary, backup]) {
      await until(() => s.rib.get(BLUE)?.get('inet|10.1.1.11/32')?.has('compute-a'), 'w1 republished');
      await until(() => s.rib.get(RED)?.get('inet|10.2.2.13/32')?.has('compute-b'), 'w3 republished');
    }
    await until(async () => !(await routes(a, BLUE)).some((r) => r.prefix === '10.1.1.99/32'), 'stale swept');
    const prefixes = (await routes(a, BLUE)).map((r) => r.prefix).sort();
    expect(prefixes).toEqual(['10.1.1.11/32', '10.1.1.12/32', '10.2.2.13/32']);
    const held = (await http('GET', `${intro(a)}/remote-routes`)).json as {
      vrf: string;
      routes: { id: string; from: { server: number; stale: boolean }[] }[];
    }[];
    for (const v of held) for (const r of v.routes) for (const f of r.from) expect(f.stale, r.id).toBe(false);
    expect(await ping(a, w1, '10.1.1.12')).toMatchObject({ received: 2 });
    expect(await ping(b, w3, '10.1.1.11')).toMatchObject({ received: 2 });
  });

  it('config deleted while headless: after the resync the stale config is swept, the port detaches', async () => {
    await primary.close();
    await backup.close();
    await until(async () => (await xmpp(b)).headless, 'b headless');
    // w2's VM, interface and address are gone from the control nodes' config in the meantime.
    const gone = [`default-domain:admin:vmi-${w2.n}`, ids.vm(w2.n), `iip-${w2.n}`];
    primary = await sim(PRIMARY, gone);
    backup = await sim(BACKUP, gone);
    await until(async () => {
      const p = (await http('GET', `${api(b)}/port/${ids.vmi(w2.n)}`)).json as {
        status: { state: string; why?: string };
      };
      return p.status.state === 'pending' && p.status.why?.includes('virtual-machine-interface');
    }, 'w2 detached after the config sweep');
    await until(
      async () => !(await routes(a, BLUE)).some((r) => r.prefix === '10.1.1.12/32'),
      'w2 route withdrawn on a',
    );
    // The rest is untouched.
    expect(await ping(b, w3, '10.1.1.11')).toMatchObject({ received: 2 });
  });
});
