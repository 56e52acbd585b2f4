// Route distribution end to end: a real controller (SQLite in a scratch dir; one case also on etcd) with its
// XMPP server on loopback, and simulated agents that are real @filament/xmpp XmppClients over TCP.
import { describeWithTool, waitFor } from '@filament/testkit';
import { encodeRoutePublish } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlDefaults, loadConfig } from '../src/config.js';
import {
  attachPolicy,
  createNetwork,
  createPassPolicy,
  createVirtualRouter,
  interfaceRoutes,
  SimAgent,
} from './support/agents.js';
import { type Engine, type Harness, startController } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

function controlConfig(graceSeconds: number) {
  const c = controlDefaults({ graceful_restart_seconds: graceSeconds });
  c.xmpp.host = '127.0.0.1';
  c.xmpp.port = 0;
  c.xmpp.hostname = 'control-test';
  c.introspect.port = 0;
  return c;
}

async function startWithControl(engine: Engine, graceSeconds: number): Promise<Harness> {
  return startController(engine, { control: controlConfig(graceSeconds) });
}

const agents: SimAgent[] = [];

function agent(h: Harness, name: string, underlay: string): SimAgent {
  const a = new SimAgent({ name, port: h.c.xmppPort!, underlay });
  agents.push(a);
  return a.start();
}

async function stopAgents(): Promise<void> {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
}

async function introspect(h: Harness, path: string, token: string | null = h.admin) {
  const r = await fetch(`http://127.0.0.1:${h.c.introspect!.port}${path}`, {
    headers: token ? { 'x-auth-token': token } : {},
  });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text) };
}

async function twoAgentsOneNetworkThirdElsewhere(h: Harness): Promise<void> {
  await createVirtualRouter(h, 'ca', '192.0.2.1');
  await createVirtualRouter(h, 'cb', '192.0.2.2');
  await createVirtualRouter(h, 'cc', '192.0.2.3');
  const vn1 = await createNetwork(h, 'blue', '10.1.1.0');
  const vn3 = await createNetwork(h, 'green', '10.3.1.0');
  const a = agent(h, 'ca', '192.0.2.1');
  const b = agent(h, 'cb', '192.0.2.2');
  const c = agent(h, 'cc', '192.0.2.3');
  a.subscribe(vn1.vrf);
  b.subscribe(vn1.vrf);
  c.subscribe(vn3.vrf);
  const ra = a.publishInterface({ vrf: vn1.vrf, ip: '10.1.1.3', mac: '02:00:00:01:01:03', label: 20 });
  const rb = b.publishInterface({ vrf: vn1.vrf, ip: '10.1.1.4', mac: '02:00:00:01:01:04', label: 21 });
  c.publishInterface({ vrf: vn3.vrf, ip: '10.3.1.3', mac: '02:00:00:03:01:03', label: 22 });
  await a.waitFor('route of cb', () => a.route(vn1.vrf, 'inet', rb.inet));
  await b.waitFor('route of ca', () => b.route(vn1.vrf, 'inet', ra.inet));
  await b.waitFor('evpn route of ca', () => b.route(vn1.vrf, 'evpn', ra.enet));
  expect(b.nextHops(vn1.vrf, 'inet', ra.inet)).toEqual(['192.0.2.1']);
  expect(a.nextHops(vn1.vrf, 'evpn', rb.enet)).toEqual(['192.0.2.2']);
  expect(b.nextHopsOf(vn1.vrf, 'inet', ra.inet)[0]?.label).toBe(20);
  // The third agent sees only its own network: its table holds nothing of blue, and blue nothing of green.
  await c.waitFor('own route back', () => c.route(vn3.vrf, 'inet', '10.3.1.3/32'));
  expect(c.table.has(vn1.vrf)).toBe(false);
  expect(a.ids(vn1.vrf, 'inet')).toEqual(['10.1.1.3/32', '10.1.1.4/32']);
  expect(a.endOfRibs).toBeGreaterThan(0);
  // Incremental: one more interface is one item per family to the other agent, not a table dump.
  await b.waitFor('end of rib', () => b.endOfRibs > 0);
  const got: string[] = [];
  b.client.on('route-update', (_s, msg) => got.push(...msg.items.map((i) => `${msg.family} ${i.id}`)));
  const rn = a.publishInterface({ vrf: vn1.vrf, ip: '10.1.1.5', mac: '02:00:00:01:01:05', label: 23 });
  await b.waitFor('new evpn route', () => b.route(vn1.vrf, 'evpn', rn.enet));
  await b.waitFor('new inet route', () => b.route(vn1.vrf, 'inet', rn.inet));
  expect(got.sort()).toEqual([`evpn ${rn.enet}`, `inet ${rn.inet}`]);
  const routes = (await introspect(h, `/routes?instance=${encodeURIComponent(vn1.vrf)}`)).json();
  expect(routes.instances[0].name).toBe(vn1.vrf);
  expect(routes.instances[0].routes).toHaveLength(6);
  expect(routes.instances[0].routes).toContainEqual({
    family: 'inet',
    key: '10.1.1.3/32',
    paths: [
      expect.objectContaining({
        source: 'agent:ca',
        nextHop: '192.0.2.1',
        label: 20,
        encapsulations: ['udp', 'gre'],
      }),
    ],
  });
}

describeWithSqlite('control plane: route distribution (sqlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWithControl('sqlite', 2);
  });
  afterAll(async () => {
    await stopAgents();
    await h?.close();
  });

  it('two agents in one network see each other; an agent of a third network does not', async () => {
    await twoAgentsOneNetworkThirdElsewhere(h);
    const ag = (await introspect(h, '/introspect/agents')).json();
    expect(ag.agents.map((x: { name: string }) => x.name).sort()).toEqual(['ca', 'cb', 'cc']);
    expect(ag.agents.find((x: { name: string }) => x.name === 'ca')).toMatchObject({
      state: 'established',
      address: '127.0.0.1',
      instances: ['default-domain:default-project:blue:blue'],
      routesPublished: 4,
    });
    const metrics = (await introspect(h, '/metrics')).text;
    expect(metrics).toMatch(/filament_control_agents_connected 3/);
    expect(metrics).toMatch(
      /filament_control_routes\{instance="default-domain:default-project:blue:blue"\} 6/,
    );
    expect(metrics).toMatch(/filament_control_xmpp_messages_total\{direction="in",kind="subscribe"\} 3/);
    await stopAgents();
  });

  it('introspect needs a cloud-admin token when auth is on', async () => {
    expect((await introspect(h, '/introspect/instances', null)).status).toBe(401);
    expect((await introspect(h, '/metrics', null)).status).toBe(401);
    const inst = (await introspect(h, '/introspect/instances')).json();
    const blue = inst.instances.find((i: { name: string }) => i.name.endsWith(':blue:blue'));
    expect(blue.exportTargets).toHaveLength(1);
    expect(blue.exportTargets[0]).toMatch(/^target:64512:8\d+$/);
  });

  it('a pass policy between two networks leaks routes both ways; detaching it withdraws them', async () => {
    await createVirtualRouter(h, 'pa', '192.0.2.11');
    await createVirtualRouter(h, 'pb', '192.0.2.12');
    const red = await createNetwork(h, 'red', '10.11.0.0');
    const yellow = await createNetwork(h, 'yellow', '10.12.0.0');
    const a = agent(h, 'pa', '192.0.2.11');
    const b = agent(h, 'pb', '192.0.2.12');
    a.subscribe(red.vrf);
    b.subscribe(yellow.vrf);
    const ra = a.publishInterface({ vrf: red.vrf, ip: '10.11.0.3', mac: '02:00:00:11:00:03', label: 30 });
    const rb = b.publishInterface({ vrf: yellow.vrf, ip: '10.12.0.3', mac: '02:00:00:12:00:03', label: 31 });
    await a.waitFor('own route', () => a.route(red.vrf, 'inet', ra.inet));
    await b.waitFor('own route', () => b.route(yellow.vrf, 'inet', rb.inet));
    expect(a.route(red.vrf, 'inet', rb.inet)).toBeUndefined();

    const pol = await createPassPolicy(h, 'red-yellow', red.fq, yellow.fq);
    await attachPolicy(h, red.uuid, pol);
    // One side alone does not connect the networks (TF's schema transformer needs both). Changes apply in
    // revision order, so once a network created after the attach shows up, the attach has been applied.
    const marker = await createNetwork(h, 'marker-after-attach', '10.13.0.0');
    const inst = await waitFor('marker instance', async () => {
      const r = (await introspect(h, '/introspect/instances')).json();
      return r.instances.some((i: { name: string }) => i.name === marker.vrf) ? r : undefined;
    });
    const byName = (n: string) => inst.instances.find((i: { name: string }) => i.name === n);
    expect(byName(red.vrf).importTargets).not.toContain(byName(yellow.vrf).exportTargets[0]);
    await attachPolicy(h, yellow.uuid, pol);
    await a.waitFor('yellow route leaked into red', () => a.route(red.vrf, 'inet', rb.inet));
    await b.waitFor('red route leaked into yellow', () => b.route(yellow.vrf, 'inet', ra.inet));
    await b.waitFor('red evpn route leaked', () => b.route(yellow.vrf, 'evpn', ra.enet));
    expect(a.nextHops(red.vrf, 'inet', rb.inet)).toEqual(['192.0.2.12']);

    await attachPolicy(h, yellow.uuid, pol, 'DELETE');
    await a.waitFor('leak withdrawn from red', () => a.route(red.vrf, 'inet', rb.inet) === undefined);
    await b.waitFor('leak withdrawn from yellow', () => b.route(yellow.vrf, 'inet', ra.inet) === undefined);
    expect(a.route(red.vrf, 'inet', ra.inet)).toBeDefined();
    await stopAgents();
  });

  it('two agents publishing one prefix give one entry with both next hops (ECMP)', async () => {
    await createVirtualRouter(h, 'ea', '192.0.2.21');
    await createVirtualRouter(h, 'eb', '192.0.2.22');
    await createVirtualRouter(h, 'ec', '192.0.2.23');
    const vn = await createNetwork(h, 'anycast', '10.21.0.0');
    const interest: [string, boolean][] = [];
    h.c.control!.agents.on('interest', (i, on) => {
      if (i === vn.vrf) interest.push([i, on]);
    });
    const a = agent(h, 'ea', '192.0.2.21');
    const b = agent(h, 'eb', '192.0.2.22');
    const c = agent(h, 'ec', '192.0.2.23');
    for (const x of [a, b, c]) x.subscribe(vn.vrf);
    a.publishInterface({ vrf: vn.vrf, ip: '10.21.0.100', mac: '02:00:00:21:00:64', label: 40 });
    b.publishInterface({ vrf: vn.vrf, ip: '10.21.0.100', mac: '02:00:00:21:00:64', label: 41 });
    await c.waitFor('ECMP entry', () => c.nextHops(vn.vrf, 'inet', '10.21.0.100/32').length === 2);
    expect(c.nextHops(vn.vrf, 'inet', '10.21.0.100/32')).toEqual(['192.0.2.21', '192.0.2.22']);
    b.withdrawInterface({ vrf: vn.vrf, ip: '10.21.0.100', mac: '02:00:00:21:00:64', label: 41 });
    await c.waitFor('one next hop left', () => c.nextHops(vn.vrf, 'inet', '10.21.0.100/32').length === 1);
    expect(c.nextHops(vn.vrf, 'inet', '10.21.0.100/32')).toEqual(['192.0.2.21']);
    await stopAgents();
    // The first subscriber and the last one gone are announced once each (the gateways' RT interest).
    await waitFor('interest gone', () => interest.length === 2);
    expect(interest).toEqual([
      [vn.vrf, true],
      [vn.vrf, false],
    ]);
  });

  it("a disconnected agent's routes stay during the grace time and are withdrawn after it", async () => {
    await createVirtualRouter(h, 'ga', '192.0.2.31');
    await createVirtualRouter(h, 'gb', '192.0.2.32');
    const vn = await createNetwork(h, 'grace', '10.31.0.0');
    const a = agent(h, 'ga', '192.0.2.31');
    const b = agent(h, 'gb', '192.0.2.32');
    a.subscribe(vn.vrf);
    b.subscribe(vn.vrf);
    const ra = a.publishInterface({ vrf: vn.vrf, ip: '10.31.0.3', mac: '02:00:00:31:00:03', label: 50 });
    await b.waitFor('route of ga', () => b.route(vn.vrf, 'inet', ra.inet));
    let retracted = 0;
    b.client.on('route-retract', (_s, msg) => {
      if (msg.ids.includes(ra.inet)) retracted++;
    });
    await a.stop();
    // The controller has seen the disconnect: the agent is in graceful restart with stale paths ...
    await b.waitFor('ga in graceful restart', async () => {
      const ag = (await introspect(h, '/introspect/agents')).json();
      return ag.agents.some(
        (x: { name: string; state: string }) => x.name === 'ga' && x.state === 'graceful-restart',
      );
    });
    const routes = (await introspect(h, `/routes?instance=${encodeURIComponent(vn.vrf)}`)).json();
    const r = routes.instances[0].routes.find((x: { key: string }) => x.key === ra.inet);
    expect(r.paths[0].stale).toBe(true);
    // ... and the other agent still has the route, not withdrawn before the grace time ends.
    expect(retracted).toBe(0);
    expect(b.route(vn.vrf, 'inet', ra.inet)).toBeDefined();
    await b.waitFor('route withdrawn after grace', () => b.route(vn.vrf, 'inet', ra.inet) === undefined);
    await b.waitFor('evpn withdrawn after grace', () => b.route(vn.vrf, 'evpn', ra.enet) === undefined);
    expect(retracted).toBe(1);
    await stopAgents();
  });

  it('an agent whose name is no virtual-router is refused with not-authorized, and counted', async () => {
    const x = agent(h, 'intruder', '192.0.2.99');
    await x.waitFor('refused', () => x.downs.length > 0);
    expect(x.downs[0]?.message).toMatch(/not-authorized/);
    expect(x.downs[0]?.name).toBe('RemoteStreamError');
    const metrics = (await introspect(h, '/metrics')).text;
    expect(metrics).toMatch(/filament_control_agent_rejects_total\{reason="not-authorized"\} [1-9]/);
    await stopAgents();
  });

  it("deleting an agent's virtual-router closes its live session with not-authorized and withdraws its routes", async () => {
    const vr = await createVirtualRouter(h, 'da', '192.0.2.41');
    await createVirtualRouter(h, 'db', '192.0.2.42');
    const vn = await createNetwork(h, 'retired', '10.41.0.0');
    const a = agent(h, 'da', '192.0.2.41');
    const b = agent(h, 'db', '192.0.2.42');
    a.subscribe(vn.vrf);
    b.subscribe(vn.vrf);
    const ra = a.publishInterface({ vrf: vn.vrf, ip: '10.41.0.3', mac: '02:00:00:41:00:03', label: 60 });
    await b.waitFor('route of da', () => b.route(vn.vrf, 'inet', ra.inet));
    expect(a.downs).toHaveLength(0);
    const del = await h.call('DELETE', `/virtual-router/${vr}`);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    await a.waitFor('session closed', () => a.downs.length > 0);
    expect(a.downs[0]?.name).toBe('RemoteStreamError');
    expect(a.downs[0]?.message).toMatch(/not-authorized/);
    // No graceful restart for a router that is gone: by the time the session is closed, the agent is no longer
    // listed (not even in graceful-restart) and its paths are out of the RouteDb.
    const ag = (await introspect(h, '/introspect/agents')).json();
    expect(ag.agents.map((x: { name: string }) => x.name)).not.toContain('da');
    const routes = (await introspect(h, `/routes?instance=${encodeURIComponent(vn.vrf)}`)).json();
    expect(routes.instances[0].routes.map((x: { key: string }) => x.key)).not.toContain(ra.inet);
    await b.waitFor('route of da withdrawn', () => b.route(vn.vrf, 'inet', ra.inet) === undefined);
    await b.waitFor('evpn route of da withdrawn', () => b.route(vn.vrf, 'evpn', ra.enet) === undefined);
    // The other agent's session is untouched.
    expect(b.downs).toHaveLength(0);
    await stopAgents();
  });

  it('a route for an unsubscribed VRF closes only that session', async () => {
    await createVirtualRouter(h, 'ua', '192.0.2.41');
    await createVirtualRouter(h, 'ub', '192.0.2.42');
    const vn = await createNetwork(h, 'rules', '10.41.0.0');
    const a = agent(h, 'ua', '192.0.2.41');
    const b = agent(h, 'ub', '192.0.2.42');
    a.subscribe(vn.vrf);
    b.subscribe(vn.vrf);
    await a.waitEstablished();
    await b.waitEstablished();
    await a.waitFor('end of rib', () => a.endOfRibs > 0);
    // The client refuses such a publish itself, so write the pair on its session directly.
    const bad = interfaceRoutes('192.0.2.41', {
      vrf: 'default-domain:default-project:nope:nope',
      ip: '10.9.9.9',
      mac: '02:00:00:09:09:09',
      label: 5,
    });
    a.client.sessionOf(0)!.send(
      encodeRoutePublish('associate', {
        from: 'ua',
        vrf: 'default-domain:default-project:nope:nope',
        route: bad.inet,
      }),
    );
    await a.waitFor('session closed', () => a.downs.length > 0);
    expect(a.downs[0]?.message).toMatch(/policy-violation|not-subscribed/);
    expect(b.downs).toHaveLength(0);
    const rb = b.publishInterface({ vrf: vn.vrf, ip: '10.41.0.4', mac: '02:00:00:41:00:04', label: 61 });
    await b.waitFor('b still served', () => b.route(vn.vrf, 'inet', rb.inet));
    await stopAgents();
  });

  it('items TF would skip (two next hops, a label over 20 bits) are skipped and counted; the session stays', async () => {
    await createVirtualRouter(h, 'ba', '192.0.2.81');
    await createVirtualRouter(h, 'bb', '192.0.2.82');
    const vn = await createNetwork(h, 'skips', '10.81.0.0');
    const a = agent(h, 'ba', '192.0.2.81');
    const b = agent(h, 'bb', '192.0.2.82');
    a.subscribe(vn.vrf);
    b.subscribe(vn.vrf);
    const twoHops = interfaceRoutes('192.0.2.81', {
      vrf: vn.vrf,
      ip: '10.81.0.3',
      mac: '02:00:00:81:00:03',
      label: 90,
    });
    const e = twoHops.inet.entry as { nextHops: object[] };
    e.nextHops = [e.nextHops[0]!, { ...e.nextHops[0]!, address: '192.0.2.99' }];
    a.client.publish(vn.vrf, twoHops.inet);
    const bigLabel = interfaceRoutes('192.0.2.81', {
      vrf: vn.vrf,
      ip: '10.81.0.4',
      mac: '02:00:00:81:00:04',
      label: 0x100000,
    });
    a.client.publish(vn.vrf, bigLabel.inet);
    const good = a.publishInterface({ vrf: vn.vrf, ip: '10.81.0.5', mac: '02:00:00:81:00:05', label: 91 });
    await b.waitFor('the good route', () => b.route(vn.vrf, 'inet', good.inet));
    expect(b.route(vn.vrf, 'inet', '10.81.0.3/32')).toBeUndefined();
    expect(b.route(vn.vrf, 'inet', '10.81.0.4/32')).toBeUndefined();
    expect(a.downs).toHaveLength(0);
    const metrics = (await introspect(h, '/metrics')).text;
    expect(metrics).toMatch(/filament_control_invalid_routes_total\{family="inet"\} 2/);
    await stopAgents();
  });

  it('an embedded virtual-router (VTEP without agent) gets its interfaces published from config', async () => {
    await createVirtualRouter(h, 'va', '192.0.2.51');
    const vn = await createNetwork(h, 'baremetal', '10.51.0.0');
    const vm = await h.call('POST', '/virtual-machines', {
      'virtual-machine': { fq_name: ['bm-server-1'] },
    });
    expect(vm.status).toBe(200);
    const vmUuid = vm.body['virtual-machine'].uuid;
    const vmi = await h.call('POST', '/virtual-machine-interfaces', {
      'virtual-machine-interface': {
        fq_name: ['default-domain', 'default-project', 'bm-port-1'],
        parent_type: 'project',
        virtual_network_refs: [{ uuid: vn.uuid }],
        virtual_machine_refs: [{ uuid: vmUuid }],
        virtual_machine_interface_mac_addresses: { mac_address: ['02:00:00:51:00:09'] },
      },
    });
    expect(vmi.status).toBe(200);
    const iip = await h.call('POST', '/instance-ips', {
      'instance-ip': {
        fq_name: ['bm-port-1-ip'],
        instance_ip_address: '10.51.0.9',
        virtual_network_refs: [{ uuid: vn.uuid }],
        virtual_machine_interface_refs: [{ uuid: vmi.body['virtual-machine-interface'].uuid }],
      },
    });
    expect(iip.status).toBe(200);
    const a = agent(h, 'va', '192.0.2.51');
    a.subscribe(vn.vrf);
    await createVirtualRouter(h, 'tor-vtep-1', '198.51.100.7', {
      virtual_router_type: 'embedded',
      virtual_machine_refs: [{ uuid: vmUuid }],
    });
    await a.waitFor('VTEP inet route', () => a.route(vn.vrf, 'inet', '10.51.0.9/32'));
    expect(a.nextHopsOf(vn.vrf, 'inet', '10.51.0.9/32')[0]).toMatchObject({
      address: '198.51.100.7',
      vni: vn.vni,
      label: 0,
      tunnelEncapsulations: ['vxlan'],
    });
    await a.waitFor('VTEP evpn route', () => a.route(vn.vrf, 'evpn', '02:00:00:51:00:09,10.51.0.9/32'));
    expect(a.nextHopsOf(vn.vrf, 'evpn', '02:00:00:51:00:09,10.51.0.9/32')[0]).toMatchObject({
      address: '198.51.100.7',
      label: vn.vni,
    });
    // Deleting the instance-ip withdraws the routes.
    const del = await h.call('DELETE', `/instance-ip/${iip.body['instance-ip'].uuid}`);
    expect(del.status).toBe(200);
    await a.waitFor('VTEP route withdrawn', () => a.route(vn.vrf, 'inet', '10.51.0.9/32') === undefined);
    await stopAgents();
  });
});

describeWithSqlite('control plane: graceful restart within the grace time (sqlite)', () => {
  let h: Harness;
  beforeAll(async () => {
    // Long grace time: a sweep seen here comes from the agent's End-of-RIB, not from the timer.
    h = await startWithControl('sqlite', 600);
  });
  afterAll(async () => {
    await stopAgents();
    await h?.close();
  });

  it('a reconnecting agent keeps its republished routes; leftovers are swept on its End-of-RIB', async () => {
    await createVirtualRouter(h, 'ra', '192.0.2.61');
    await createVirtualRouter(h, 'rb', '192.0.2.62');
    const vn = await createNetwork(h, 'restart', '10.61.0.0');
    const a = agent(h, 'ra', '192.0.2.61');
    const b = agent(h, 'rb', '192.0.2.62');
    a.subscribe(vn.vrf);
    b.subscribe(vn.vrf);
    const keep = { vrf: vn.vrf, ip: '10.61.0.3', mac: '02:00:00:61:00:03', label: 70 };
    const gone = { vrf: vn.vrf, ip: '10.61.0.4', mac: '02:00:00:61:00:04', label: 71 };
    const rk = a.publishInterface(keep);
    const rg = a.publishInterface(gone);
    await b.waitFor(
      'both routes',
      () => b.route(vn.vrf, 'inet', rk.inet) && b.route(vn.vrf, 'inet', rg.inet),
    );
    const retracted: string[] = [];
    b.client.on('route-retract', (_s, msg) => retracted.push(...msg.ids));
    await a.stop();
    await b.waitFor('ra in graceful restart', async () => {
      const ag = (await introspect(h, '/introspect/agents')).json();
      return ag.agents.some(
        (x: { name: string; state: string }) => x.name === 'ra' && x.state === 'graceful-restart',
      );
    });
    // The agent comes back (same name, same address) and republishes only one of its two interfaces.
    const a2 = agent(h, 'ra', '192.0.2.61');
    a2.subscribe(vn.vrf);
    a2.publishInterface(keep);
    await b.waitFor('stale route swept', () => b.route(vn.vrf, 'inet', rg.inet) === undefined);
    expect(retracted).toContain(rg.inet);
    expect(retracted).not.toContain(rk.inet);
    expect(b.route(vn.vrf, 'inet', rk.inet)).toBeDefined();
    // Full resync: the returning agent got the whole table of its VRF again.
    await a2.waitFor('resync', () => a2.route(vn.vrf, 'inet', rk.inet));
    const ag = (await introspect(h, '/introspect/agents')).json();
    expect(ag.agents.find((x: { name: string }) => x.name === 'ra')).toMatchObject({
      state: 'established',
      routesPublished: 2,
      staleSweepPending: false,
    });
    await stopAgents();
  });
});

describeWithTool('etcd', 'control plane on etcd', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWithControl('etcd', 2);
  }, 30_000);
  afterAll(async () => {
    await stopAgents();
    await h?.close();
  });

  it('two agents in one network see each other; an agent of a third network does not', async () => {
    await twoAgentsOneNetworkThirdElsewhere(h);
    await stopAgents();
  });
});

describe('control config', () => {
  it('listens for agents on 5269 with a 30 s graceful restart by default', () => {
    const c = loadConfig([]).control!;
    expect(c.xmpp).toMatchObject({ host: '0.0.0.0', port: 5269, max_sessions: 10_000 });
    expect(c.graceful_restart_seconds).toBe(30);
    expect(c.introspect).toEqual({ host: '127.0.0.1', port: 8083, public: false });
  });

  it('takes flags, and --no-control leaves the control plane out', () => {
    const c = loadConfig([
      '--xmpp-port',
      '15269',
      '--graceful-restart-seconds',
      '5',
      '--introspect-port',
      '18083',
      '--xmpp-tls-cert',
      'c.pem',
      '--xmpp-tls-key',
      'k.pem',
    ]).control!;
    expect(c.xmpp.port).toBe(15269);
    expect(c.xmpp.tls).toEqual({ cert_file: 'c.pem', key_file: 'k.pem' });
    expect(c.graceful_restart_seconds).toBe(5);
    expect(c.introspect.port).toBe(18083);
    expect(loadConfig(['--no-control']).control).toBeUndefined();
    expect(() => loadConfig(['--xmpp-tls-cert', 'c.pem'])).toThrow(/xmpp-tls-key/);
  });
});
