// A real loopback exchange: XmppClient (agent side) against XmppServer (control-node side).
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentSession,
  encodeRoutePublish,
  encodeStreamHeader,
  encodeSubscribe,
  keepaliveInterval,
  type RouteEvent,
  type RouteUpdateStanza,
  retryDelay,
  XmppClient,
  type XmppError,
  XmppServer,
} from '../src/index.js';
import { enetEntry, inetRoute, VRF } from './fixtures.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(
  opts: Partial<ConstructorParameters<typeof XmppServer>[0]> = {},
): Promise<{ server: XmppServer; port: number }> {
  const server = new XmppServer({ hostname: 'cn-test', ...opts });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  return { server, port };
}

function startClient(
  port: number,
  name = 'compute-1',
  extra: Partial<ConstructorParameters<typeof XmppClient>[0]> = {},
): XmppClient {
  const client = new XmppClient({ name, servers: [{ host: '127.0.0.1', port }], retryBaseMs: 20, ...extra });
  cleanups.push(() => client.stop());
  client.start();
  return client;
}

/** A raw TCP peer that speaks the header and then whatever a test writes. */
async function rawAgent(
  port: number,
  name: string,
): Promise<{ sock: Socket; received: () => string; closed: Promise<unknown> }> {
  const sock = connect({ host: '127.0.0.1', port });
  cleanups.push(() => {
    sock.destroy();
  });
  let got = '';
  sock.on('data', (b) => {
    got += b.toString('utf8');
  });
  const closed = once(sock, 'close');
  await once(sock, 'connect');
  sock.write(
    encodeStreamHeader({
      from: name,
      to: 'network-control@contrailsystems.com',
      version: '1.0',
      lang: 'en',
      xmlns: '',
    }),
  );
  return { sock, received: () => got, closed };
}

function waitFor<T>(pred: () => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      const v = pred();
      if (v !== undefined) resolve(v);
      else if (Date.now() - start > ms) reject(new Error('timed out waiting'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('loopback session', () => {
  it('agent subscribes and publishes; the server sees typed events; routes flow back; EoR both ways', async () => {
    const { server, port } = await startServer();
    const events: string[] = [];
    const routes: RouteEvent[] = [];
    let agent: AgentSession | undefined;
    server.on('session', (s) => {
      agent = s;
      s.on('config-subscribe', (n) => events.push(`config ${n}`));
      s.on('subscribe', (vrf, sub) => events.push(`subscribe ${vrf} ${sub.instanceId}`));
      s.on('route', (r) => routes.push(r));
      s.on('end-of-rib', () => events.push('eor'));
    });
    const client = startClient(port);
    client.subscribe(VRF, { instanceId: 3 });
    client.publish(VRF, inetRoute(1));
    client.publish(VRF, { family: 'evpn', entry: enetEntry('02:84:4f:c3:40:2b', '10.1.1.3/32') });
    await once(client, 'established');
    await waitFor(() => (events.includes('eor') ? true : undefined));
    expect(events).toEqual([
      'config virtual-router:default-global-system-config:compute-1',
      `subscribe ${VRF} 3`,
      'eor',
    ]);
    expect(routes.map((r) => [r.op, r.vrf, r.node])).toEqual([
      ['add', VRF, `1/1/${VRF}/10.0.0.1/32`],
      ['add', VRF, '25/242/02:84:4f:c3:40:2b,10.1.1.3/32'],
    ]);
    expect(server.sessions.get('compute-1')?.subscriptions.get(VRF)).toEqual({
      instanceId: 3,
      noRibout: false,
    });

    // Control node -> agent: 40 routes split into 32 + 8, then withdraws and EoR.
    const updates: RouteUpdateStanza[] = [];
    client.on('route-update', (_i, m) => updates.push(m));
    const retracts: string[] = [];
    client.on('route-retract', (_i, m) => retracts.push(...m.ids));
    const eor = once(client, 'end-of-rib');
    const items = Array.from({ length: 40 }, (_, i) => ({ route: inetRoute(100 + i) }));
    agent!.sendRoutes('inet', VRF, items);
    agent!.withdrawRoutes('inet', VRF, ['10.0.0.100/32']);
    agent!.sendEndOfRib();
    await eor;
    expect(updates.map((u) => u.items.length)).toEqual([32, 8]);
    expect(updates[0]?.items[0]).toEqual({ id: '10.0.0.100/32', route: inetRoute(100) });
    expect(retracts).toEqual(['10.0.0.100/32']);

    client.withdraw(VRF, inetRoute(1));
    const del = await waitFor(() => routes.find((r) => r.op === 'delete'));
    expect(del.node).toBe(`1/1/${VRF}/10.0.0.1/32`);
  });

  it('reconnects after the server drops it and replays subscriptions and routes', async () => {
    const { server, port } = await startServer();
    const routes = new Map<AgentSession, Promise<unknown[]>>();
    server.on('session', (s) => routes.set(s, once(s, 'route')));
    const client = startClient(port);
    client.subscribe(VRF, { instanceId: 3 });
    client.publish(VRF, inetRoute(7));
    const first = (await once(server, 'session'))[0] as AgentSession;
    first.close();
    const second = (await once(server, 'session'))[0] as AgentSession;
    expect(second).not.toBe(first);
    const route = (await routes.get(second)!)[0] as RouteEvent;
    expect(route.route).toEqual(inetRoute(7));
    expect(second.subscriptions.has(VRF)).toBe(true);
  });

  it('duplicate subscribe closes the channel with a typed reason', async () => {
    const { server, port } = await startServer();
    const closed = new Promise<XmppError | undefined>((r) =>
      server.on('session-closed', (_s, reason) => r(reason)),
    );
    const a = await rawAgent(port, 'dup-agent');
    const sub = encodeSubscribe(
      'subscribe',
      { from: 'dup-agent', to: 'network-control@contrailsystems.com/bgp-peer' },
      VRF,
      { instanceId: 1 },
    );
    a.sock.write(sub + sub);
    const reason = await closed;
    expect(reason?.name).toBe('SubscriptionError');
    expect(reason?.condition).toBe('policy-violation');
    await a.closed;
    expect(a.received()).toContain('<policy-violation');
  });

  it('a route for an unsubscribed VRF closes the channel; unknown unsubscribe too', async () => {
    const { server, port } = await startServer();
    const reasons: string[] = [];
    server.on('session-closed', (_s, r) => reasons.push(`${r?.name}:${(r as { rule?: string }).rule}`));
    const a = await rawAgent(port, 'agent-a');
    a.sock.write(encodeRoutePublish('associate', { from: 'agent-a', vrf: VRF, route: inetRoute(1) }));
    await a.closed;
    const b = await rawAgent(port, 'agent-b');
    b.sock.write(
      encodeSubscribe(
        'unsubscribe',
        { from: 'agent-b', to: 'network-control@contrailsystems.com/bgp-peer' },
        VRF,
      ),
    );
    await b.closed;
    await waitFor(() => (reasons.length === 2 ? true : undefined));
    expect(reasons.sort()).toEqual([
      'SubscriptionError:not-subscribed',
      'SubscriptionError:unknown-unsubscribe',
    ]);
  });

  it('same name from another address is refused; from the same address it replaces the old session', async () => {
    const { server, port } = await startServer();
    const a = await rawAgent(port, 'twin');
    const first = (await once(server, 'session'))[0] as AgentSession;
    const firstClosed = once(first, 'close');
    const b = await rawAgent(port, 'twin');
    const second = (await once(server, 'session'))[0] as AgentSession;
    const [reason] = (await firstClosed) as [XmppError];
    expect(reason.name).toBe('SessionReplacedError');
    expect(server.sessions.get('twin')).toBe(second);
    await a.closed;

    // Another address: 127.0.0.2 is loopback too on Linux.
    const other = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    cleanups.push(() => {
      other.destroy();
    });
    const refused = once(server, 'connection-failed');
    let got = '';
    other.on('data', (d) => {
      got += d;
    });
    const otherClosed = once(other, 'close');
    await once(other, 'connect');
    other.write(
      encodeStreamHeader({
        from: 'twin',
        to: 'network-control@contrailsystems.com',
        version: '1.0',
        lang: 'en',
        xmlns: '',
      }),
    );
    const [remote, err] = (await refused) as [string, XmppError];
    expect(remote).toBe('127.0.0.2');
    expect(err.name).toBe('DuplicateAgentError');
    expect(err.condition).toBe('conflict');
    await otherClosed;
    expect(got).toContain('<conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams" />');
    expect(server.sessions.get('twin')).toBe(second);
    expect(b.sock.destroyed).toBe(false);
  });

  it('hold timer closes a silent peer; keepalives keep it open', async () => {
    const { server, port } = await startServer({ holdTimeMs: 300 });
    const reasons: (XmppError | undefined)[] = [];
    server.on('session-closed', (_s, r) => reasons.push(r));
    const silent = await rawAgent(port, 'silent');
    const chatty = await rawAgent(port, 'chatty');
    const timer = setInterval(() => chatty.sock.write(Buffer.from([0xc8, 0x80])), 50);
    cleanups.push(() => clearInterval(timer));
    await silent.closed;
    await waitFor(() => (reasons.length > 0 ? true : undefined));
    expect(reasons[0]?.name).toBe('TimerExpiredError');
    expect(server.sessions.has('chatty')).toBe(true);
    expect(chatty.received()).toContain('\u0200'); // the server's own keepalives, every hold/3
  });

  it('open timer closes a peer that never sends its header', async () => {
    const { server, port } = await startServer({ openTimeMs: 150 });
    const failed = once(server, 'connection-failed');
    const sock = connect({ host: '127.0.0.1', port });
    cleanups.push(() => {
      sock.destroy();
    });
    let got = '';
    sock.on('data', (b) => {
      got += b;
    });
    const sockClosed = once(sock, 'close');
    const [, reason] = (await failed) as [string, XmppError];
    expect(reason.name).toBe('TimerExpiredError');
    await sockClosed;
    expect(got).toBe('</stream:stream>');
  });

  it('subcluster mismatch is refused', async () => {
    const { server, port } = await startServer({ subcluster: 'sc1' });
    const failed = once(server, 'connection-failed');
    await rawAgent(port, 'x');
    const [, reason] = (await failed) as [string, XmppError];
    expect(reason.name).toBe('SubclusterMismatchError');
  });

  it('two control nodes: independent sessions, config subscribe only on the config peer, fail-over keeps the other', async () => {
    const a = await startServer({ hostname: 'cn-a' });
    const b = await startServer({ hostname: 'cn-b' });
    const configs: string[] = [];
    const eor = new Map<AgentSession, Promise<unknown>>();
    for (const [label, srv] of [
      ['a', a.server],
      ['b', b.server],
    ] as const) {
      srv.on('session', (s) => {
        s.on('config-subscribe', () => configs.push(label));
        eor.set(s, once(s, 'end-of-rib'));
      });
    }
    const client = new XmppClient({
      name: 'compute-2',
      servers: [
        { host: '127.0.0.1', port: a.port },
        { host: '127.0.0.1', port: b.port },
      ],
      retryBaseMs: 20,
    });
    cleanups.push(() => client.stop());
    client.subscribe(VRF, { instanceId: 1 });
    const sa = once(a.server, 'session');
    const sb = once(b.server, 'session');
    client.start();
    const [[agentA], [agentB]] = (await Promise.all([sa, sb])) as [[AgentSession], [AgentSession]];
    await Promise.all([eor.get(agentA), eor.get(agentB)]);
    expect(configs).toHaveLength(1);
    expect(client.establishedServers.sort()).toEqual([0, 1]);
    // Server A drops the agent: B keeps its session; A gets it back with the subscription replayed.
    const down = once(client, 'down');
    const again = once(a.server, 'session');
    agentA.close();
    await down;
    expect(b.server.sessions.has('compute-2')).toBe(true);
    const [agentA2] = (await again) as [AgentSession];
    await eor.get(agentA2);
    expect(agentA2.subscriptions.has(VRF)).toBe(true);
    expect(
      () => new XmppClient({ name: 'x', servers: [{ host: 'a' }, { host: 'b' }, { host: 'c' }] }),
    ).toThrow(/1\.\.2/);
  });

  it('retry delays: about 50 ms first, then doubling to 30 s, within 10 % jitter', () => {
    const d = (n: number, r: number) => retryDelay(n, 1000, 30_000, () => r);
    expect(d(1, 0.5)).toBe(50);
    expect(d(2, 0.5)).toBe(2000);
    expect(d(3, 0.5)).toBe(4000);
    expect(d(10, 0.5)).toBe(30_000);
    expect(d(10, 0)).toBe(27_000);
    expect(d(10, 1)).toBe(33_000);
    expect(keepaliveInterval(90_000)).toBe(30_000);
  });

  it('IPv6 loopback, and the subscription bound closes a greedy agent', async () => {
    const server = new XmppServer({ hostname: 'cn6', maxSubscriptions: 3 });
    let port: number;
    try {
      ({ port } = await server.listen(0, '::1'));
    } catch {
      await server.close();
      return; // no IPv6 loopback on this host
    }
    cleanups.push(() => server.close());
    const closed = once(server, 'session-closed');
    const client = new XmppClient({ name: 'v6', servers: [{ host: '::1', port }], retryBaseMs: 60_000 });
    cleanups.push(() => client.stop());
    for (let i = 0; i < 5; i++) client.subscribe(`vrf-${i}`, { instanceId: i });
    client.start();
    const [agent, reason] = (await closed) as [AgentSession, XmppError];
    expect(agent.remoteAddress).toBe('::1');
    expect(reason.condition).toBe('resource-constraint');
  });

  it('config flows from the control node to the agent; sends after close are refused quietly', async () => {
    const { server, port } = await startServer();
    const vm = 'virtual-machine:6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const subs: string[] = [];
    server.on('session', (s) => s.on('config-subscribe', (n) => subs.push(n)));
    const client = startClient(port, 'compute-9');
    client.subscribeConfig(vm);
    const [agent] = (await once(server, 'session')) as [AgentSession];
    await waitFor(() => (subs.length === 2 ? true : undefined));
    expect(subs).toEqual(['virtual-router:default-global-system-config:compute-9', vm]);
    const got = once(client, 'config');
    const objects = Array.from({ length: 20 }, (_, i) => ({
      kind: 'node' as const,
      type: 'virtual-machine-interface',
      name: `default-domain:admin:port${i}`,
      properties: [
        {
          name: 'virtual-machine-interface-mac-addresses',
          attrs: {},
          children: [{ name: 'mac-address', attrs: {}, children: ['02:00:00:00:00:01'] }],
        },
      ],
    }));
    agent.sendConfig([{ op: 'update', objects }]);
    const [, first] = (await got) as [number, { to: string; blocks: { op: string; objects: unknown[] }[] }];
    expect(first.to).toBe('default-global-system-config:compute-9/config');
    expect(first.blocks[0]?.objects).toHaveLength(16);
    expect(first.blocks[0]?.objects[0]).toEqual(objects[0]);
    const closed = once(agent, 'close');
    agent.close();
    await closed;
    expect(agent.sendEndOfRib()).toBe(false);
  });

  it('an agent stream cut in two at random byte offsets over real TCP gives the same server events', async () => {
    const { server, port } = await startServer();
    const from = 'cut-agent';
    const bgp = 'network-control@contrailsystems.com/bgp-peer';
    const text =
      '<?xml version="1.0"?>\n' +
      encodeStreamHeader({
        from,
        to: 'network-control@contrailsystems.com',
        version: '1.0',
        lang: 'en',
        xmlns: '',
      }) +
      '\u0200' +
      encodeSubscribe('subscribe', { from, to: bgp, id: 'subscribe0' }, VRF, { instanceId: 7 }) +
      encodeRoutePublish('associate', { from, vrf: VRF, route: inetRoute(3) }) +
      encodeRoutePublish('associate', {
        from,
        vrf: VRF,
        route: { family: 'evpn', entry: enetEntry('02:00:00:00:00:0ü', '10.1.1.9/32') },
      }) +
      encodeRoutePublish('dissociate', { from, vrf: VRF, route: inetRoute(3) }) +
      '<message from="cut-agent" to="x"><event xmlns="http://jabber.org/protocol/pubsub"><items node="0/0/EndOfRib"></items></event></message>';
    const bytes = Buffer.from(text, 'utf8');
    const events: string[][] = [];
    server.on('session', (s) => {
      const log: string[] = [];
      events.push(log);
      s.on('subscribe', (v, sub) => log.push(`sub ${v} ${sub.instanceId}`));
      s.on('route', (r) => log.push(`${r.op} ${r.node} ${JSON.stringify(r.route)}`));
      s.on('end-of-rib', () => log.push('eor'));
    });
    // Inside the C8 80 keepalive and inside the two-byte 'ü' too.
    const cuts = [
      1,
      20,
      bytes.indexOf('\u0200') + 1,
      bytes.indexOf('ü') + 1,
      ...Array.from({ length: 25 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 26)),
    ];
    for (const cut of cuts) {
      const sock = connect({ host: '127.0.0.1', port });
      sock.setNoDelay(true);
      sock.on('data', () => {});
      await once(sock, 'connect');
      sock.write(bytes.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 5));
      sock.write(bytes.subarray(cut));
      await waitFor(() => (events[events.length - 1]?.includes('eor') ? true : undefined));
      const closed = once(sock, 'close');
      sock.end();
      await closed;
    }
    expect(events).toHaveLength(cuts.length);
    expect(events[0]).toHaveLength(5);
    for (const e of events) expect(e).toEqual(events[0]);
  });
});
