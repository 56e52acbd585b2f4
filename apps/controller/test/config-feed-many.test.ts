// Many agents at once: 40 real XMPP sessions, 3 ports each. Every agent gets exactly its own ports; one new
// port reaches only the agent of its VM; a change to a global object reaches every agent, once, and serves as
// the barrier after which "nobody else got the port" is a fact (each session is one ordered TCP stream, and
// the feed pushes changes in store order).
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
});
