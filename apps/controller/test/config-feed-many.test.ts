// Many agents at once: 40 real XMPP sessions, 3 ports each. Every agent gets exactly its own ports; one new
// port reaches only the agent of its VM; a change to a global object reaches every agent, once, and serves as
// the barrier after which "nobody else got the port" is a fact (each session is one ordered TCP stream, and
// the feed pushes changes in store order). The relevance rules are pinned by the feed's walk count per agent:
// a new interface (and its instance-ip) re-walks exactly its VM's agent; a new application-policy-set of the
// project reaches every agent, with the tags its firewall rule names as text; a network-policy change
// re-walks exactly the agents whose networks use it.
import { IfmapGraph } from '@filament/ifmap';
import { waitFor } from '@filament/testkit';
import { type ConfigBlock, XmppClient, XmppServer } from '@filament/xmpp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigFeed } from '../src/control/config-feed.js';
import { type Harness, PROJECT, startController, vnBody } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

const HOST = '127.0.61.3';
const AGENTS = 40;
const PORTS = 3;

interface SimAgent {
  name: string;
  client: XmppClient;
  graph: IfmapGraph;
  iqs: ConfigBlock[][];
}

describeWithSqlite('config feed with many agents', () => {
  let h: Harness;
  let xmpp: XmppServer;
  let feed: ConfigFeed;
  const agents: SimAgent[] = [];
  const vmOf = new Map<string, string[]>();

  async function create(type: string, body: Record<string, unknown>): Promise<string> {
    const r = await h.call('POST', `/${type}s`, { [type]: body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body[type].uuid as string;
  }
  const portFq = (a: number, p: number) => `${PROJECT.join(':')}:many-${a}-${p}`;

  beforeAll(async () => {
    h = await startController('sqlite');
    feed = new ConfigFeed({ store: h.c.store, changes: h.c.changes });
    xmpp = new XmppServer({ hostname: 'filament-controller' });
    xmpp.on('session', (s) => feed.attach(s.agent, s));
    const { port } = await xmpp.listen(0, HOST);
    for (let n = 0; n < 4; n++) {
      const r = await h.call(
        'POST',
        '/virtual-networks',
        vnBody(`many-vn${n}`, [{ ip_prefix: `10.63.${n}.0`, ip_prefix_len: 24 }]),
      );
      expect(r.status).toBe(200);
    }
    for (let a = 0; a < AGENTS; a++) {
      const vms: string[] = [];
      for (let p = 0; p < PORTS + 1; p++)
        vms.push(await create('virtual-machine', { fq_name: [`many-vm-${a}-${p}`] }));
      vmOf.set(`many-${a}`, vms);
      await create('virtual-router', {
        fq_name: ['default-global-system-config', `many-${a}`],
        parent_type: 'global-system-config',
        virtual_router_ip_address: `192.0.2.${a + 1}`,
        virtual_machine_refs: vms.map((uuid) => ({ uuid })),
      });
      for (let p = 0; p < PORTS; p++) {
        await create('virtual-machine-interface', {
          fq_name: [...PROJECT, `many-${a}-${p}`],
          parent_type: 'project',
          virtual_network_refs: [{ to: [...PROJECT, `many-vn${(a + p) % 4}`] }],
          virtual_machine_refs: [{ uuid: vms[p] }],
        });
      }
    }
    for (let a = 0; a < AGENTS; a++) {
      const sim: SimAgent = {
        name: `many-${a}`,
        client: new XmppClient({ name: `many-${a}`, servers: [{ host: HOST, port }], retryBaseMs: 100 }),
        graph: new IfmapGraph(),
        iqs: [],
      };
      sim.client.on('config', (_s, msg) => {
        sim.iqs.push(msg.blocks);
        sim.graph.apply(msg.blocks);
      });
      sim.client.start();
      agents.push(sim);
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.client.stop()));
    feed?.close();
    await xmpp?.close();
    await h?.close();
  });

  it('each agent holds exactly its ports; one new port goes to one agent only', async () => {
    await waitFor(
      'every agent has its ports',
      () =>
        agents.every((a) =>
          a.graph.has('virtual-machine-interface', portFq(Number(a.name.slice(5)), PORTS - 1)),
        ),
      60_000,
      100,
    );
    await feed.settled();
    for (const [i, a] of agents.entries()) {
      const ports = [...a.graph.objects('virtual-machine-interface')].map((o) =>
        (o.fq_name as string[]).join(':'),
      );
      expect(ports.sort()).toEqual(Array.from({ length: PORTS }, (_, p) => portFq(i, p)).sort());
      expect(a.graph.byUuid(vmOf.get(a.name)![PORTS]!)).toBeDefined(); // the VM without a port yet
    }

    const before = agents.map((a) => a.iqs.length);
    const target = 17;
    await create('virtual-machine-interface', {
      fq_name: [...PROJECT, `many-${target}-new`],
      parent_type: 'project',
      // A network the agent already has (its first port's): only the port itself is new to it.
      virtual_network_refs: [{ to: [...PROJECT, `many-vn${target % 4}`] }],
      virtual_machine_refs: [{ uuid: vmOf.get(`many-${target}`)![PORTS] }],
    });
    // The barrier: a property of the global-system-config every agent holds.
    const gsc = await h.call('GET', '/global-system-configs');
    const gscUuid = gsc.body['global-system-configs'][0].uuid as string;
    const put = await h.call('PUT', `/global-system-config/${gscUuid}`, {
      'global-system-config': { ibgp_auto_mesh: true },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await waitFor(
      'every agent has the new global setting',
      () =>
        agents.every(
          (a) => a.graph.get('global-system-config', 'default-global-system-config')?.ibgp_auto_mesh === true,
        ),
      60_000,
      100,
    );
    for (const [i, a] of agents.entries()) {
      const fresh = a.iqs.slice(before[i]).flatMap((iq) => iq.flatMap((b) => b.objects));
      const nodes = fresh.flatMap((o) => (o.kind === 'node' ? [o.type] : []));
      if (i === target) {
        expect(nodes).toEqual(['virtual-machine-interface', 'global-system-config']);
      } else {
        expect(nodes).toEqual(['global-system-config']);
        expect(fresh).toHaveLength(1);
      }
    }
    expect(
      agents[target]!.graph.has('virtual-machine-interface', `${PROJECT.join(':')}:many-${target}-new`),
    ).toBe(true);
  }, 180_000);

  const walks = () => agents.map((a) => feed.walksOf(a.name) ?? 0);
  const walked = (before: number[]) =>
    agents.flatMap((a, i) => ((feed.walksOf(a.name) ?? 0) > before[i]! ? [a.name] : []));

  it('a new interface and its instance-ip re-walk exactly the agent of its VM', async () => {
    await feed.settled();
    const target = 5;
    const before = walks();
    const vmi = await create('virtual-machine-interface', {
      fq_name: [...PROJECT, `many-${target}-walk`],
      parent_type: 'project',
      virtual_network_refs: [{ to: [...PROJECT, 'many-vn0'] }],
      virtual_machine_refs: [{ uuid: vmOf.get(`many-${target}`)![PORTS] }],
    });
    await create('instance-ip', {
      fq_name: [`many-${target}-walk-ip`],
      virtual_network_refs: [{ to: [...PROJECT, 'many-vn0'] }],
      virtual_machine_interface_refs: [{ uuid: vmi }],
    });
    await feed.settled();
    expect(walked(before)).toEqual([`many-${target}`]);
    await waitFor(
      'the agent has the instance-ip',
      () => agents[target]!.graph.has('instance-ip', `many-${target}-walk-ip`),
      30_000,
      50,
    );
  }, 60_000);

  it('a new application-policy-set of the project reaches every agent, with the tags its rule names', async () => {
    await feed.settled();
    const before = walks();
    const tag = await create('tag', {
      fq_name: ['tier=many-web'],
      tag_type_name: 'tier',
      tag_value: 'many-web',
    });
    // Nobody holds the tag yet: creating it re-walks no agent.
    await feed.settled();
    expect(walked(before)).toEqual([]);
    const rule = await create('firewall-rule', {
      fq_name: [...PROJECT, 'many-web-to-db'],
      parent_type: 'project',
      action_list: { simple_action: 'pass' },
      service: { protocol: 'tcp', dst_ports: { start_port: 8080, end_port: 8080 } },
      endpoint_1: { tags: ['tier=many-web'] },
      endpoint_2: { tags: ['global:tier=many-db'] },
      match_tags: { tag_list: ['application'] },
      direction: '>',
    });
    const fwp = await create('firewall-policy', {
      fq_name: [...PROJECT, 'many-firewall'],
      parent_type: 'project',
      firewall_rule_refs: [{ uuid: rule, attr: { sequence: '1.0' } }],
    });
    await create('application-policy-set', {
      fq_name: [...PROJECT, 'many-aps'],
      parent_type: 'project',
      firewall_policy_refs: [{ uuid: fwp, attr: { sequence: '1.0' } }],
    });
    await feed.settled();
    expect(walked(before)).toEqual(agents.map((a) => a.name));
    await waitFor(
      'every agent has the policy set and the tag its rule names',
      () =>
        agents.every(
          (a) =>
            a.graph.has('application-policy-set', `${PROJECT.join(':')}:many-aps`) &&
            a.graph.byUuid(tag) !== undefined,
        ),
      60_000,
      100,
    );
    // A tag the rule names that is created later still reaches every agent (the walk looked its name up).
    const late = await create('tag', {
      fq_name: ['tier=many-db'],
      tag_type_name: 'tier',
      tag_value: 'many-db',
    });
    await waitFor(
      'every agent has the later tag',
      () => agents.every((a) => a.graph.byUuid(late)),
      60_000,
      100,
    );
  }, 120_000);

  it('a network-policy change re-walks exactly the agents whose networks use it', async () => {
    await feed.settled();
    const np = await create('network-policy', {
      fq_name: [...PROJECT, 'many-np'],
      network_policy_entries: {
        policy_rule: [{ protocol: 'any', direction: '<>', action_list: { simple_action: 'pass' } }],
      },
    });
    const vn = (
      await h.call('POST', '/fqname-to-id', { type: 'virtual-network', fq_name: [...PROJECT, 'many-vn0'] })
    ).body.uuid as string;
    const put = await h.call('PUT', `/virtual-network/${vn}`, {
      'virtual-network': {
        network_policy_refs: [{ uuid: np, attr: { sequence: { major: 0, minor: 0 } } }],
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await feed.settled();
    const users = agents.filter((a) => a.graph.byUuid(vn) !== undefined).map((a) => a.name);
    expect(users.length).toBeGreaterThan(0);
    expect(users.length).toBeLessThan(AGENTS);
    await waitFor(
      'the agents of the network have the policy',
      () => agents.every((a) => (a.graph.byUuid(np) !== undefined) === users.includes(a.name)),
      30_000,
      50,
    );
    const before = walks();
    const upd = await h.call('PUT', `/network-policy/${np}`, {
      'network-policy': {
        network_policy_entries: {
          policy_rule: [{ protocol: 'tcp', direction: '<>', action_list: { simple_action: 'pass' } }],
        },
      },
    });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    await feed.settled();
    expect(walked(before)).toEqual(users);
  }, 60_000);
});
