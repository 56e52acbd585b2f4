// Config fail-over between two control nodes without losing config: the primary (config peer) goes, the
// backup takes over (the agent subscribes config there itself); the primary comes back (the XMPP client
// makes it its config peer and subscribes there); the backup goes: the primary has been feeding config all
// along, so nothing is marked stale and an incremental update afterwards sweeps nothing. The simulated
// control nodes send the config once per subscription, as a control node keeping one per node does.
// 127.0.65.41-51 (the lab uses .1/.11/.12).

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.js';
import {
  http,
  ids,
  network,
  type SimController,
  type TfObject,
  until,
  type WorkloadConfig,
} from './control-sim.js';
import { controlAgentConfig } from './support/agent-config.js';
import { addPort, startSimController, stopControlTest } from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const PRIMARY = '127.0.65.41';
const BACKUP = '127.0.65.42';
const UNDERLAY = '127.0.65.51';
const XMPP_PORT = 35_651;
const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:65:01:11' };

const objects = (): [string, TfObject][] => [
  ...topologyObjects({
    routers: [['compute-65', UNDERLAY]],
    networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1651 }],
    workloads: [w1],
  }),
];

const sim = (host: string): Promise<SimController> =>
  startSimController({ host, xmppPort: XMPP_PORT, objects: objects() });

describe('config fail-over between two control nodes', () => {
  let primary: SimController;
  let backup: SimController;
  let a: RunningAgent;
  let stateDir: string;
  const intro = () => `http://${UNDERLAY}:${a.introspect.port}`;
  const xmpp = async () =>
    (await http('GET', `${intro()}/xmpp`)).json as { configPeer: string; controllers: { state: string }[] };
  const attached = async () => {
    const p = (await http('GET', `http://${UNDERLAY}:${a.portApi.port}/port/${ids.vmi(1)}`)).json as {
      status: { state: string };
    };
    return p.status.state === 'attached';
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'filament-control-failover-'));
    primary = await sim(PRIMARY);
    backup = await sim(BACKUP);
    const cfg = controlAgentConfig({
      name: 'compute-65',
      underlay: UNDERLAY,
      controllers: [
        { host: PRIMARY, port: XMPP_PORT },
        { host: BACKUP, port: XMPP_PORT },
      ],
      stateDir,
      timers: { retryBaseMs: 40, configSweepMs: 200 },
    });
    a = await startAgent(cfg);
    expect(await addPort(a, w1)).toBe(200);
    await until(attached, 'port attached');
    await until(async () => (await xmpp()).controllers.every((c) => c.state === 'established'), 'both up');
  });

  afterAll(async () => {
    await stopControlTest([a], [primary, backup], stateDir);
  });

  // Which control node the client picked as config peer depends on which channel came up first.
  let first: 'primary' | 'backup';
  const host = { primary: PRIMARY, backup: BACKUP };
  const sims = () => ({ primary, backup });
  const other = (x: 'primary' | 'backup') => (x === 'primary' ? 'backup' : 'primary');
  const restart = async (x: 'primary' | 'backup') => {
    if (x === 'primary') primary = await sim(PRIMARY);
    else backup = await sim(BACKUP);
  };

  it('config peer down: the other control node becomes the config peer, the port stays', async () => {
    first = (await xmpp()).configPeer === `${PRIMARY}:${XMPP_PORT}` ? 'primary' : 'backup';
    await sims()[first].close();
    await until(
      async () => (await xmpp()).configPeer === `${host[other(first)]}:${XMPP_PORT}`,
      'the other config peer',
    );
    await new Promise((r) => setTimeout(r, 500)); // longer than the config sweep
    expect(await attached()).toBe(true);
  });

  it('it comes back, then the other goes: its config is kept, an update sweeps nothing', async () => {
    await restart(first);
    const back = sims()[first];
    await until(
      () => back.configSubscriptions.includes('virtual-router:default-global-system-config:compute-65'),
      'the client subscribed config on the returning control node',
    );
    await sims()[other(first)].close();
    await until(async () => (await xmpp()).configPeer === `${host[first]}:${XMPP_PORT}`, 'config peer again');
    // An incremental update from the config peer, then longer than the sweep: the port is still there.
    back.set(network(2, 'red', '10.2.2.0/24', 1652));
    await until(() => a.control.config.names('virtual-network').length === 2, 'update applied');
    await new Promise((r) => setTimeout(r, 500));
    expect(await attached()).toBe(true);
    expect(a.control.config.names('virtual-machine-interface')).toEqual(['default-domain:admin:vmi-1']);
  });
});
