// A tag change pushed as config flips a policy decision without restarting anything: two in-process
// workloads on one agent, a global application policy set whose firewall policy passes TCP 7 to
// `tier=web` and denies everything to `tier=db`. The server's tag goes web -> db -> web in config; the
// TCP exchange through the port API follows, and the drops are counted as policy drops. 127.0.68.4x-8x (the lab uses .1, .11, .12).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason, type RunningAgent, startAgent } from '../src/index.js';
import {
  baseConfig,
  http,
  ids,
  network,
  portBody,
  SimController,
  type TfObject,
  tag,
  until,
  virtualRouter,
  type WorkloadConfig,
  workloadConfig,
} from './control-sim.js';
import { controlAgentConfig } from './support/agent-config.js';

const CONTROL = '127.0.68.41';
const UNDERLAY = '127.0.68.51';
const XMPP_PORT = 35_681;

const client: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:00:01:11' };
const server = (tier: string): WorkloadConfig => ({
  n: 2,
  vn: 'blue',
  address: '10.1.1.12',
  mac: '02:00:00:00:01:12',
  tags: [`tier=${tier}`],
});

const PM = ['default-policy-management'];
const rule = (name: string, tier: string, action: 'pass' | 'deny', service: TfObject): [string, TfObject] => [
  'firewall-rule',
  {
    fq_name: [...PM, name],
    parent_type: 'policy-management',
    uuid: `00000030-0000-4000-8000-0000000000${name === 'web-7' ? '01' : '02'}`,
    action_list: { simple_action: action },
    endpoint_1: { any: true },
    endpoint_2: { tags: [`tier=${tier}`] },
    service,
    direction: '>',
  },
];

function policyObjects(): [string, TfObject][] {
  return [
    ['policy-management', { fq_name: PM, uuid: '00000030-0000-4000-8000-000000000010' }],
    tag('tier=web'),
    tag('tier=db'),
    rule('web-7', 'web', 'pass', { protocol: 'tcp', dst_ports: { start_port: 7, end_port: 7 } }),
    rule('db-none', 'db', 'deny', { protocol: 'any' }),
    [
      'firewall-policy',
      {
        fq_name: [...PM, 'fp'],
        parent_type: 'policy-management',
        uuid: '00000030-0000-4000-8000-000000000020',
        firewall_rule_refs: [
          { to: [...PM, 'web-7'], attr: { sequence: '1' } },
          { to: [...PM, 'db-none'], attr: { sequence: '2' } },
        ],
      },
    ],
    [
      'application-policy-set',
      {
        fq_name: [...PM, 'global-aps'],
        parent_type: 'policy-management',
        uuid: '00000030-0000-4000-8000-000000000030',
        all_applications: true,
        firewall_policy_refs: [{ to: [...PM, 'fp'], attr: { sequence: '1' } }],
      },
    ],
  ];
}

describe('policy from config follows a tag change', () => {
  let sim: SimController;
  let a: RunningAgent;
  let stateDir: string;
  const api = () => `http://${UNDERLAY}:${a.portApi.port}`;
  const tcp = async () =>
    (await http('POST', `${api()}/port/${ids.vmi(1)}/tcp`, { to: '10.1.1.12', port: 7, bytes: 200 }))
      .json as {
      ok: boolean;
    };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'filament-control-policy-'));
    sim = new SimController(CONTROL);
    await sim.listen(XMPP_PORT);
    sim.set(
      ...baseConfig(),
      virtualRouter('compute-68', UNDERLAY),
      network(1, 'blue', '10.1.1.0/24', 1001),
      ...policyObjects(),
      ...workloadConfig(client),
      ...workloadConfig(server('web')),
    );
    a = await startAgent(
      controlAgentConfig({
        name: 'compute-68',
        underlay: UNDERLAY,
        controllers: [{ host: CONTROL, port: XMPP_PORT }],
        stateDir,
      }),
      { workloadTimeoutMs: 400 },
    );
    for (const w of [client, server('web')])
      expect((await http('POST', `${api()}/port`, portBody(w))).status).toBe(200);
    await until(
      () => a.agent.ports().length === 2 && a.agent.ports().every((p) => p.acl !== null),
      'ports attached with ACLs',
    );
  });

  afterAll(async () => {
    await a?.stop();
    await sim?.close();
    await rm(stateDir, { recursive: true, force: true });
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
