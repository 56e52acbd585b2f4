// Tag policy across agents: the client's agent has no config for the server's interface, so the server's
// tags reach it on the server's routes (next-hop tag list, TF tag ids), and its compiled egress ACL puts the
// server's address into the `tier=web` set. The same policy as control-policy.test.ts (TCP 7 to tier=web
// passes, anything to tier=db is denied); the server's tag changes in config on its own agent, which
// republishes its routes with the new tags, and the client's decision follows. 127.0.63.4x-8x (the lab uses .1, .11, .12).

import type { UnicastEntry } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason, type RunningAgent, startAgent } from '../src/index.js';
import { http, ids, type SimController, type TfObject, tag, until, workloadConfig } from './control-sim.js';
import {
  addPort,
  portApiUrl as api,
  type SimulatedControl,
  startSimulatedControl,
  stopControlTest,
} from './support/control-setup.js';
import { policyClient as client, policyServer as server, tagPolicyObjects } from './support/tag-policy.js';
import { topologyObjects } from './support/topology.js';

const CONTROL = '127.0.63.41';
const U1 = '127.0.63.51';
const U2 = '127.0.63.52';
const XMPP_PORT = 35_631;

describe('tag policy across agents (tags on routes)', () => {
  let sim: SimController;
  let a: RunningAgent;
  let b: RunningAgent;
  let stateDir: string;
  let agentConfig: SimulatedControl['agentConfig'];
  const tcp = async () =>
    (await http('POST', `${api(a)}/port/${ids.vmi(1)}/tcp`, { to: '10.1.1.12', port: 7, bytes: 200 }))
      .json as {
      ok: boolean;
    };
  const serverTags = async () => {
    const r = sim.rib.get('default-domain:admin:blue:blue')?.get('inet|10.1.1.12/32')?.get('compute-63b');
    return (r?.route.entry as UnicastEntry | undefined)?.nextHops[0]?.tags ?? [];
  };

  beforeAll(async () => {
    // The client's agent gets no config for the server's VM, interface and address.
    const serverObject = (obj: TfObject) => {
      const fq = (obj.fq_name as string[]).join(':');
      return fq.endsWith(':vmi-2') || fq === ids.vm(2) || fq === 'iip-2';
    };
    ({ sim, stateDir, agentConfig } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'control-policy-remote',
      visibleTo: (agent, _type, obj) => agent !== 'compute-63a' || !serverObject(obj),
      objects: topologyObjects({
        routers: [
          ['compute-63a', U1],
          ['compute-63b', U2],
        ],
        networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1001 }],
        before: [...tagPolicyObjects()],
        workloads: [client, server('web')],
      }),
    }));
    a = await startAgent(agentConfig('compute-63a', U1, 'a'), { workloadTimeoutMs: 400 });
    b = await startAgent(agentConfig('compute-63b', U2, 'b'), { workloadTimeoutMs: 400 });
    expect(await addPort(a, client)).toBe(200);
    expect(await addPort(b, server('web'))).toBe(200);
    await until(() => a.agent.ports().length === 1 && b.agent.ports().length === 1, 'ports attached');
    await until(async () => (await serverTags()).length > 0, 'server routes with tags');
  });

  afterAll(async () => {
    await stopControlTest([a, b], [sim], stateDir);
  });

  it("the client's agent has no config for the server's interface", () => {
    expect(a.control.config.names('virtual-machine-interface')).toEqual(['default-domain:admin:vmi-1']);
    expect([...b.control.config.names('virtual-machine-interface')].sort()).toEqual([
      'default-domain:admin:vmi-1',
      'default-domain:admin:vmi-2',
    ]);
  });

  it('tier=web (from the route tags): TCP 7 passes', async () => {
    expect(await serverTags()).toEqual([Number(tag('tier=web')[1].tag_id)]);
    await until(async () => (await tcp()).ok === true, 'pass with the server tagged tier=web');
  });

  it("tier=db on the server's agent: republished tags, the client's egress denies", async () => {
    const drops = a.agent.fw.counters.drops[DropReason.policy]!;
    sim.set(...workloadConfig(server('db')));
    await until(async () => (await serverTags())[0] === Number(tag('tier=db')[1].tag_id), 'tags republished');
    // Denied at the client's agent (its egress ACL, recompiled from the route's new tags), not only at the
    // server's: poll until the client's agent counts the drop.
    await until(async () => {
      expect((await tcp()).ok).toBe(false);
      return a.agent.fw.counters.drops[DropReason.policy]! > drops;
    }, "a policy drop at the client's agent");
  });

  it('back to tier=web: passes again', async () => {
    sim.set(...workloadConfig(server('web')));
    await until(async () => (await tcp()).ok === true, 'pass after the tag change back');
  });
});
