// The config push to agents, end to end: a controller (real store, REST API), a real XmppServer whose sessions
// are attached to a ConfigFeed, and real XmppClients as agents that apply what they receive to an IfmapGraph
// (@filament/ifmap, as the agent does). Shared by the SQLite and the etcd variant.
import { IfmapGraph } from '@filament/ifmap';
import { loadTfObjects, PolicyCompiler } from '@filament/policy';
import { waitFor } from '@filament/testkit';
import { type ConfigBlock, XmppClient, XmppServer } from '@filament/xmpp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigFeed } from '../src/control/config-feed.js';
import { type Engine, type Harness, IPAM, PROJECT, startController, vnBody } from './support/api.js';

/** One simulated agent: its client, the graph it holds and every config iq it received. */
class Agent {
  readonly graph = new IfmapGraph();
  readonly iqs: ConfigBlock[][] = [];
  readonly client: XmppClient;

  constructor(
    readonly name: string,
    host: string,
    port: number,
  ) {
    this.client = new XmppClient({ name, servers: [{ host, port }], retryBaseMs: 50, retryMaxMs: 200 });
    this.client.on('config', (_s, msg) => {
      this.iqs.push(msg.blocks);
      const res = this.graph.apply(msg.blocks);
      if (res.rejected.length > 0) throw res.rejected[0]!.error;
    });
  }

  /** Names of every object this agent was ever sent, by type. */
  everSent(type: string): Set<string> {
    const out = new Set<string>();
    for (const iq of this.iqs) {
      for (const b of iq)
        for (const o of b.objects) if (o.kind === 'node' && o.type === type) out.add(o.name);
    }
    return out;
  }

  names(type: string): string[] {
    return [...this.graph.objects(type)].map((o) => (o.fq_name as string[]).join(':')).sort();
  }
}

export function configFeedSuite(engine: Engine, host: string): void {
  let h: Harness;
  let xmpp: XmppServer;
  let feed: ConfigFeed;
  let xmppPort: number;
  const agents: Agent[] = [];
  const uuid: Record<string, string> = {};

  async function create(type: string, body: Record<string, unknown>): Promise<string> {
    const r = await h.call('POST', `/${type}s`, { [type]: body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body[type].uuid as string;
  }
  async function addPort(name: string, vn: string, vm: string): Promise<string> {
    const vmi = await create('virtual-machine-interface', {
      fq_name: [...PROJECT, name],
      parent_type: 'project',
      virtual_network_refs: [{ to: [...PROJECT, vn] }],
      virtual_machine_refs: [{ uuid: uuid[vm] }],
    });
    uuid[name] = vmi;
    uuid[`${name}-ip`] = await create('instance-ip', {
      fq_name: [`${name}-ip`],
      virtual_network_refs: [{ to: [...PROJECT, vn] }],
      virtual_machine_interface_refs: [{ uuid: vmi }],
    });
    return vmi;
  }
  function agent(name: string): Agent {
    const a = new Agent(name, host, xmppPort);
    agents.push(a);
    a.client.start();
    return a;
  }

  beforeAll(async () => {
    h = await startController(engine);
    feed = new ConfigFeed({ store: h.c.store, changes: h.c.changes });
    xmpp = new XmppServer({ hostname: 'filament-controller' });
    xmpp.on('session', (s) => feed.attach(s.agent, s));
    xmpp.on('session-closed', (s) => feed.detach(s.agent));
    xmppPort = (await xmpp.listen(0, host)).port;

    for (const [vn, prefix, vni] of [
      ['vn1', '10.61.1.0', 6101],
      ['vn2', '10.61.2.0', 6102],
    ] as const) {
      const r = await h.call(
        'POST',
        '/virtual-networks',
        vnBody(vn, [{ ip_prefix: prefix, ip_prefix_len: 24 }], {
          virtual_network_properties: { vxlan_network_identifier: vni },
        }),
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const vm of ['vm1', 'vm2', 'vm3']) uuid[vm] = await create('virtual-machine', { fq_name: [vm] });
    for (const [vr, ip, vm] of [
      ['compute-1', '192.0.2.11', 'vm1'],
      ['compute-2', '192.0.2.12', 'vm2'],
    ] as const) {
      await create('virtual-router', {
        fq_name: ['default-global-system-config', vr],
        parent_type: 'global-system-config',
        virtual_router_ip_address: ip,
        virtual_machine_refs: [{ uuid: uuid[vm] }],
      });
    }
    await addPort('port1', 'vn1', 'vm1');
    await addPort('port2', 'vn2', 'vm2');
    await addPort('port4', 'vn1', 'vm3');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.client.stop()));
    feed?.close();
    await xmpp?.close();
    await h?.close();
  });

  it('sends each agent exactly the graph of its VMs, at most 16 objects per iq', async () => {
    const a1 = agent('compute-1');
    const a2 = agent('compute-2');
    await waitFor('compute-1 config', () => a1.graph.has('instance-ip', 'port1-ip'), 20_000, 50);
    await waitFor('compute-2 config', () => a2.graph.has('instance-ip', 'port2-ip'), 20_000, 50);
    await feed.settled();

    expect(a1.names('virtual-machine')).toEqual([uuid.vm1]);
    expect(a1.names('virtual-machine-interface')).toEqual([`${PROJECT.join(':')}:port1`]);
    expect(a1.names('virtual-network')).toEqual([`${PROJECT.join(':')}:vn1`]);
    expect(a1.names('routing-instance')).toEqual([`${PROJECT.join(':')}:vn1:vn1`]);
    expect(a1.names('virtual-router')).toEqual(['default-global-system-config:compute-1']);
    expect(a2.names('virtual-machine-interface')).toEqual([`${PROJECT.join(':')}:port2`]);
    expect(a2.names('virtual-network')).toEqual([`${PROJECT.join(':')}:vn2`]);
    for (const iq of [...a1.iqs, ...a2.iqs]) {
      expect(iq.reduce((n, b) => n + b.objects.length, 0)).toBeLessThanOrEqual(16);
    }

    // What the agent needs, as TF shapes.
    const vr = a1.graph.get('virtual-router', 'default-global-system-config:compute-1')!;
    expect(vr.virtual_router_ip_address).toBe('192.0.2.11');
    expect(vr.virtual_machine_refs).toEqual([{ to: [uuid.vm1], uuid: uuid.vm1, attr: null }]);
    const vmi = a1.graph.byUuid(uuid.port1!)!;
    expect(vmi.virtual_network_refs).toMatchObject([{ to: [...PROJECT, 'vn1'] }]);
    expect(vmi.virtual_machine_refs).toMatchObject([{ uuid: uuid.vm1 }]);
    expect(
      (vmi.virtual_machine_interface_mac_addresses as { mac_address: string[] }).mac_address,
    ).toHaveLength(1);
    const ip = a1.graph.byUuid(uuid['port1-ip']!)!;
    expect(ip.instance_ip_address).toMatch(/^10\.61\.1\.\d+$/);
    expect(ip.virtual_machine_interface_refs).toMatchObject([{ uuid: uuid.port1 }]);
    const vn = a1.graph.get('virtual-network', `${PROJECT.join(':')}:vn1`)!;
    expect(vn.virtual_network_properties).toMatchObject({ vxlan_network_identifier: 6101 });
    expect(typeof vn.virtual_network_network_id).toBe('number');
    expect(vn.network_ipam_refs).toMatchObject([
      { to: IPAM, attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.61.1.0', ip_prefix_len: 24 } }] } },
    ]);
    expect(a1.graph.get('network-ipam', IPAM.join(':'))).toBeDefined();
    const ri = a1.graph.get('routing-instance', `${PROJECT.join(':')}:vn1:vn1`)!;
    expect(ri.routing_instance_is_default).toBe(true);
    expect(ri.parent_type).toBe('virtual-network');
    expect(ri.route_target_refs).toMatchObject([{ to: [expect.stringMatching(/^target:64512:\d+$/)] }]);
    expect(a1.graph.neighbours('virtual-network', `${PROJECT.join(':')}:vn1`, 'routing-instance')).toEqual([
      `${PROJECT.join(':')}:vn1:vn1`,
    ]);
    const gvc = a1.graph.get(
      'global-vrouter-config',
      'default-global-system-config:default-global-vrouter-config',
    )!;
    expect(gvc.encapsulation_priorities).toEqual({ encapsulation: ['MPLSoUDP', 'MPLSoGRE', 'VXLAN'] });
    expect(a1.graph.has('global-system-config', 'default-global-system-config')).toBe(true);
  }, 60_000);

  it('sends a new port on the agent incrementally, its delete only to that agent', async () => {
    const a1 = agents[0]!;
    const a2 = agents[1]!;
    const before = a1.iqs.length;
    const changes: string[] = [];
    a1.graph.on('change', (c) => changes.push(`${c.op} ${c.type} ${c.name}`));
    const vmi = await create('virtual-machine-interface', {
      fq_name: [...PROJECT, 'port3'],
      parent_type: 'project',
      virtual_network_refs: [{ to: [...PROJECT, 'vn1'] }],
      virtual_machine_refs: [{ uuid: uuid.vm1 }],
    });
    const port3 = `${PROJECT.join(':')}:port3`;
    await waitFor('port3 on compute-1', () => a1.graph.has('virtual-machine-interface', port3), 20_000, 50);
    await feed.settled();
    const fresh = a1.iqs.slice(before);
    // One small iq: the VMI node and its links (project, network, VM), not a dump of the graph.
    expect(fresh).toHaveLength(1);
    const objects = fresh[0]!.flatMap((b) => b.objects);
    expect(objects.filter((o) => o.kind === 'node').map((o) => (o.kind === 'node' ? o.type : ''))).toEqual([
      'virtual-machine-interface',
    ]);
    expect(objects.length).toBeLessThanOrEqual(4);
    expect(changes).toContain(`add virtual-machine-interface ${port3}`);
    expect(a1.graph.byUuid(vmi)?.virtual_machine_refs).toMatchObject([{ uuid: uuid.vm1 }]);

    const del = await h.call('DELETE', `/virtual-machine-interface/${vmi}`);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    await waitFor(
      'port3 deleted on compute-1',
      () => !a1.graph.has('virtual-machine-interface', port3),
      20_000,
      50,
    );
    await feed.settled();
    expect(changes).toContain(`delete virtual-machine-interface ${port3}`);
    const deletes = a1.iqs.slice(before + 1).flatMap((iq) => iq.filter((b) => b.op === 'delete'));
    expect(deletes.flatMap((b) => b.objects).some((o) => o.kind === 'node' && o.name === port3)).toBe(true);
    expect(a1.names('virtual-machine-interface')).toEqual([`${PROJECT.join(':')}:port1`]);

    // compute-2 then subscribes to a VM by uuid (as its port API does on a port add); what it receives after
    // that crossed the same TCP stream after anything about port3 would have.
    a2.client.subscribeConfig(`virtual-machine:${uuid.vm3}`);
    await waitFor('vm3 on compute-2', () => a2.graph.has('instance-ip', 'port4-ip'), 20_000, 50);
    expect(a2.everSent('virtual-machine-interface').has(port3)).toBe(false);
    expect(a2.names('virtual-machine')).toEqual([uuid.vm2, uuid.vm3].sort());
    expect(a2.names('virtual-machine-interface')).toEqual(
      [`${PROJECT.join(':')}:port2`, `${PROJECT.join(':')}:port4`].sort(),
    );
    expect(a2.names('virtual-network')).toEqual([`${PROJECT.join(':')}:vn1`, `${PROJECT.join(':')}:vn2`]);
    // compute-1 never saw compute-2's VMs.
    expect(a1.everSent('virtual-machine').has(uuid.vm3!)).toBe(false);
    expect(a1.everSent('virtual-machine').has(uuid.vm2!)).toBe(false);
  }, 60_000);

  it('a VM unsubscribe deletes what only that VM brought', async () => {
    const a2 = agents[1]!;
    a2.client.unsubscribeConfig(`virtual-machine:${uuid.vm3}`);
    await waitFor('vm3 gone from compute-2', () => !a2.graph.has('virtual-machine', uuid.vm3!), 20_000, 50);
    await feed.settled();
    expect(a2.names('virtual-machine-interface')).toEqual([`${PROJECT.join(':')}:port2`]);
    expect(a2.names('virtual-network')).toEqual([`${PROJECT.join(':')}:vn2`]);
  }, 60_000);

  it('pushes the firewall objects the agent compiles its ACLs from (@filament/policy)', async () => {
    const a1 = agents[0]!;
    const PM = 'default-policy-management';
    await create('tag', { fq_name: ['application=web'], tag_type_name: 'application', tag_value: 'web' });
    await create('firewall-rule', {
      fq_name: [PM, 'allow-web'],
      parent_type: 'policy-management',
      action_list: { simple_action: 'pass' },
      service: { protocol: 'tcp', dst_ports: { start_port: 80, end_port: 80 } },
      endpoint_1: { any: true },
      endpoint_2: { tags: ['application=web'] },
      direction: '>',
    });
    await create('firewall-policy', {
      fq_name: [PM, 'web-fp'],
      parent_type: 'policy-management',
      firewall_rule_refs: [{ to: [PM, 'allow-web'], attr: { sequence: '1.0' } }],
    });
    await create('application-policy-set', {
      fq_name: [PM, 'web-aps'],
      parent_type: 'policy-management',
      firewall_policy_refs: [{ to: [PM, 'web-fp'], attr: { sequence: '1.0' } }],
      tag_refs: [{ to: ['application=web'] }],
    });
    const put = await h.call('PUT', `/virtual-machine-interface/${uuid.port1}`, {
      'virtual-machine-interface': { tag_refs: [{ to: ['application=web'] }] },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const port1 = `${PROJECT.join(':')}:port1`;
    await waitFor(
      'the tagged port and its policy set on compute-1',
      () =>
        (a1.graph.get('virtual-machine-interface', port1)?.tag_refs as unknown[] | undefined)?.length === 1 &&
        a1.graph.get('application-policy-set', `${PM}:web-aps`)?.firewall_policy_refs !== undefined &&
        a1.graph.get('firewall-policy', `${PM}:web-fp`)?.firewall_rule_refs !== undefined,
      20_000,
      50,
    );
    expect(a1.graph.get('firewall-policy', `${PM}:web-fp`)!.firewall_rule_refs).toEqual([
      { to: [PM, 'allow-web'], uuid: expect.any(String), attr: { sequence: '1.0' } },
    ]);
    // Everything the agent holds, as @filament/policy takes TF objects.
    const objects = a1.graph.types().flatMap((t) => [...a1.graph.objects(t)].map((o) => ({ [t]: o })));
    const { model, inventory } = loadTfObjects(objects);
    const acl = new PolicyCompiler(model, inventory).describe(port1);
    expect(acl?.tags).toContain('application=web');
    expect(acl?.gates.firewall?.map((e) => e.rule)).toContain(`${PM}:allow-web`);
  }, 60_000);

  it('an edit of default-global-vrouter-config (the encapsulation priority) reaches every agent', async () => {
    const name = 'default-global-system-config:default-global-vrouter-config';
    const priority = (a: Agent) =>
      JSON.stringify(a.graph.get('global-vrouter-config', name)?.encapsulation_priorities);
    const list = await h.call('GET', '/global-vrouter-configs');
    expect(list.status).toBe(200);
    const gvc = list.body['global-vrouter-configs'][0] as { uuid: string; fq_name: string[] };
    expect(gvc.fq_name.join(':')).toBe(name);
    const put = (encapsulation: string[]) =>
      h.call('PUT', `/global-vrouter-config/${gvc.uuid}`, {
        'global-vrouter-config': { encapsulation_priorities: { encapsulation } },
      });
    expect((await put(['GRE'])).status, 'not a TF encapsulation').toBe(400);
    for (const order of [
      ['VXLAN', 'MPLSoUDP'],
      ['MPLSoUDP', 'MPLSoGRE', 'VXLAN'],
    ]) {
      const r = await put(order);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const want = JSON.stringify({ encapsulation: order });
      for (const a of agents) await waitFor(`${a.name}: ${order}`, () => priority(a) === want, 20_000, 50);
    }
  }, 60_000);

  it('a reconnecting agent gets its whole graph again on the new session', async () => {
    const old = agents[1]!;
    await old.client.stop();
    await waitFor('compute-2 detached', () => !feed.attached().includes('compute-2'), 20_000, 50);
    const again = agent('compute-2');
    await waitFor('compute-2 config again', () => again.graph.has('instance-ip', 'port2-ip'), 20_000, 50);
    await feed.settled();
    expect(again.names('virtual-machine-interface')).toEqual([`${PROJECT.join(':')}:port2`]);
    expect(again.names('routing-instance')).toEqual([`${PROJECT.join(':')}:vn2:vn2`]);
    for (const iq of again.iqs) expect(iq.reduce((n, b) => n + b.objects.length, 0)).toBeLessThanOrEqual(16);
    expect(again.iqs.length).toBeGreaterThan(1);
  }, 60_000);
}
