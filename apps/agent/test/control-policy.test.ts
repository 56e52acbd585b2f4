// A tag change pushed as config flips a policy decision without restarting anything: two in-process
// workloads on one agent, a global application policy set whose firewall policy passes TCP 7 to
// `tier=web` and denies everything to `tier=db`. The server's tag goes web -> db -> web in config; the
// TCP exchange through the port API follows, and the drops are counted as policy drops. 127.0.68.4x-8x (the lab uses .1, .11, .12).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason, type RunningAgent, startAgent } from '../src/index.js';
import { http, ids, type SimController, until, workloadConfig } from './control-sim.js';
import {
  addPort,
  portApiUrl as api,
  type SimulatedControl,
  startSimulatedControl,
  stopControlTest,
} from './support/control-setup.js';
import { policyClient as client, policyServer as server, tagPolicyObjects } from './support/tag-policy.js';
import { topologyObjects } from './support/topology.js';

const CONTROL = '127.0.68.41';
const UNDERLAY = '127.0.68.51';
const XMPP_PORT = 35_681;

describe('policy from config follows a tag change', () => {
  let sim: SimController;
  let a: RunningAgent;
  let stateDir: string;
  let agentConfig: SimulatedControl['agentConfig'];
  const tcp = async () =>
    (await http('POST', `${api(a)}/port/${ids.vmi(1)}/tcp`, { to: '10.1.1.12', port: 7, bytes: 200 }))
      .json as {
      ok: boolean;
    };

  beforeAll(async () => {
    ({ sim, stateDir, agentConfig } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'control-policy',
      objects: topologyObjects({
        routers: [['compute-68', UNDERLAY]],
        networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1001 }],
        before: [...tagPolicyObjects()],
        workloads: [client, server('web')],
      }),
    }));
    a = await startAgent(agentConfig('compute-68', UNDERLAY), { workloadTimeoutMs: 400 });
    for (const w of [client, server('web')]) expect(await addPort(a, w)).toBe(200);
    await until(
      () => a.agent.ports().length === 2 && a.agent.ports().every((p) => p.acl !== null),
      'ports attached with ACLs',
    );
  });

  afterAll(async () => {
    await stopControlTest([a], [sim], stateDir);
  });

  it('tier=web: TCP 7 passes', async () => {
    expect(await tcp()).toMatchObject({ ok: true });
  });

  it('tier=db pushed as config: the same exchange is denied, counted as a policy drop', async () => {
    const drops = a.agent.fw.counters.drops[DropReason.policy]!;
    sim.set(...workloadConfig(server('db')));
    // The decision flips without a restart (the established flows went with the old ACL).
    await until(async () => (await tcp()).ok === false, 'deny after the tag change');
    expect(a.agent.fw.counters.drops[DropReason.policy]!).toBeGreaterThan(drops);
  });

  it('back to tier=web: passes again', async () => {
    sim.set(...workloadConfig(server('web')));
    await until(async () => (await tcp()).ok === true, 'pass after the tag change back');
  });
});
