// The gateway manager's bookkeeping with a Filament BGP speaker as the gateway (eBGP over loopback TCP, no
// external tool): a gateway route that arrives before any instance imports its target is imported once one
// does; a route is added to each instance importing one of its own targets, and not leaked further by the
// importing VRF's export targets; a network's new route targets re-export its routes and move gateway routes
// between instances; an agent path's export follows its withdrawal.
import { BgpSpeaker, parseExtendedCommunity, parseRd, type RouteView } from '@filament/bgp';
import { waitFor } from '@filament/testkit';
import type { UnicastEntry } from '@filament/xmpp';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlDefaults } from '../src/config.js';
import { GatewayManager } from '../src/control/gateway/index.js';
import { unicastEntry } from '../src/control/routing/entries.js';
import { type Harness, startController, vnBody } from './support/api.js';
import { BGP_ROUTER_PARENT, bgpRouterBody } from './support/gateway.js';

const US = '127.0.77.21';
const GW = '127.0.77.22';
const XMPP_PORT = 31790;
const BGP_PORT = 31791;
const GW_PORT = 31792;
const OWN = '127.0.77.23';
const OWN_PORT = 31793;
const ASN = 64512;
const GW_ASN = 65077;
const SHARED_RT = 'target:64512:7777';
const A = 'default-domain:default-project:mgr-a:mgr-a';
const B = 'default-domain:default-project:mgr-b:mgr-b';

/** An agent's /32 route with MPLS over UDP (the routing code's own entry builder). */
const agentEntry = (ip: string, node: string, label: number): UnicastEntry =>
  unicastEntry({
    ip,
    mac: '02:00:00:00:00:01',
    nextHop: node,
    label,
    vni: 0,
    encapsulations: ['udp'],
    vn: '',
  });

describe('gateway manager', () => {
  let h: Harness;
  let gw: BgpSpeaker;

  const paths = (instance: string, key: string) =>
    new Map(h.c.control!.db.routes(instance, 'inet')).get(key) ?? [];
  const atGateway = (prefix: string): RouteView | undefined =>
    gw
      .routes('ipv4-mpls-vpn')
      .find((r) => r.peer === US && r.nlri.type === 'vpn' && r.nlri.prefix === prefix);

  beforeAll(async () => {
    h = await startController('sqlite', {
      asn: ASN,
      control: controlDefaults({
        xmpp: { host: US, port: XMPP_PORT },
        introspect: { host: US, port: 0, public: true },
      }),
      bgp: { enabled: true, host: US, port: BGP_PORT, router_id: '10.77.21.1' },
    });
    gw = new BgpSpeaker({
      asn: GW_ASN,
      routerId: '10.77.22.1',
      listen: [{ host: GW, port: GW_PORT }],
      peers: [
        {
          address: US,
          port: BGP_PORT,
          asn: ASN,
          localAddress: GW,
          families: ['ipv4-mpls-vpn', 'l2vpn-evpn'],
          passive: true,
        },
      ],
    });
    await gw.start();
    const r = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('filament-gw', {
        address: GW,
        port: GW_PORT,
        autonomous_system: GW_ASN,
        router_type: 'router',
        address_families: { family: ['inet-vpn', 'e-vpn'] },
      }),
    );
    expect(r.status).toBe(200);
    await waitFor('eBGP session', () => gw.peers()[0]?.state === 'Established', 30_000);
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await h?.close();
  });

  it('imports a gateway route into an instance created after it arrived', async () => {
    gw.announce({
      nlri: { type: 'vpn', labels: [500], rd: parseRd('65077:1'), prefix: '10.50.0.0/24' },
      nextHop: '10.77.9.9',
      attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity(SHARED_RT)] }],
    });
    await waitFor(
      'the route at the controller',
      () => (h.c.gateways!.speaker.ribSize('ipv4-mpls-vpn') > 0 ? true : undefined),
      10_000,
    );
    const created = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('mgr-a', [], { route_target_list: { route_target: [SHARED_RT] } }),
    );
    expect(created.status).toBe(200);
    const got = await waitFor('imported into mgr-a', () => paths(A, '10.50.0.0/24')[0], 10_000);
    expect(got.source).toBe(`bgp:${GW}`);
    expect((got.entry as UnicastEntry).nextHops[0]).toMatchObject({ address: '10.77.9.9', label: 500 });
  });

  it('imports a route into each instance that imports one of its targets, once there', async () => {
    // mgr-b imports the target mgr-a exports: RouteDb shows mgr-a's paths in mgr-b
    const created = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('mgr-b', [], { import_route_target_list: { route_target: [SHARED_RT] } }),
    );
    expect(created.status).toBe(200);
    const inB = await waitFor(
      'visible in mgr-b',
      () => (paths(B, '10.50.0.0/24').length > 0 ? paths(B, '10.50.0.0/24') : undefined),
      10_000,
    );
    // the gateway re-matches its routes in a setImmediate queued when mgr-b was added: let it run first
    await new Promise((r) => setImmediate(r));
    expect(paths(B, '10.50.0.0/24').map((p) => [p.source, p.origin])).toEqual([[`bgp:${GW}`, B]]);
    expect(inB).toHaveLength(1);
    expect(paths(A, '10.50.0.0/24').map((p) => [p.source, p.origin])).toEqual([[`bgp:${GW}`, A]]);
  });

  it('does not leak a gateway route into an instance that imports only what the importing VRF exports', async () => {
    // mgr-c imports a target mgr-a exports but the gateway route does not carry: it sees mgr-a's own (agent)
    // routes, not the gateway route mgr-a imported (TF imports a VPN route by its own targets and never
    // re-exports it from the VRF).
    const EXPORT_ONLY = 'target:64512:5555';
    const C = 'default-domain:default-project:mgr-c:mgr-c';
    const uuidA = (
      await h.call('POST', '/fqname-to-id', {
        type: 'virtual-network',
        fq_name: ['default-domain', 'default-project', 'mgr-a'],
      })
    ).body.uuid;
    const setExport = (targets: string[]) =>
      h.call('PUT', `/virtual-network/${uuidA}`, {
        'virtual-network': { export_route_target_list: { route_target: targets } },
      });
    expect((await setExport([EXPORT_ONLY])).status).toBe(200);
    const created = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('mgr-c', [], { import_route_target_list: { route_target: [EXPORT_ONLY] } }),
    );
    expect(created.status).toBe(200);
    h.c.control!.db.addPath(A, 'inet', '10.61.0.5/32', {
      source: 'agent:mgr-cn1',
      entry: agentEntry('10.61.0.5', '10.77.23.1', 78),
    });
    const leaked = await waitFor('mgr-a agent route in mgr-c', () => paths(C, '10.61.0.5/32')[0], 10_000);
    expect(leaked.origin).toBe(A);
    await new Promise((r) => setImmediate(r));
    expect(paths(C, '10.50.0.0/24')).toEqual([]);
    expect(paths(A, '10.50.0.0/24').map((p) => p.source)).toEqual([`bgp:${GW}`]);
    h.c.control!.db.removePath(A, 'inet', '10.61.0.5/32', 'agent:mgr-cn1');
    expect((await setExport([])).status).toBe(200);
  });

  it('exports with the new route targets when a network changes them, and moves gateway routes', async () => {
    h.c.control!.db.addPath(A, 'inet', '10.60.0.3/32', {
      source: 'agent:mgr-cn1',
      entry: agentEntry('10.60.0.3', '10.77.23.1', 77),
    });
    const before = await waitFor('agent route at the gateway', () => atGateway('10.60.0.3/32'), 10_000);
    expect(before.attrs.routeTargets).toContain(SHARED_RT);
    expect(before.attrs.nextHop).toBe('10.77.23.1');
    const uuid = (
      await h.call('POST', '/fqname-to-id', {
        type: 'virtual-network',
        fq_name: ['default-domain', 'default-project', 'mgr-a'],
      })
    ).body.uuid;
    const put = await h.call('PUT', `/virtual-network/${uuid}`, {
      'virtual-network': { route_target_list: { route_target: ['target:64512:8888'] } },
    });
    expect(put.status).toBe(200);
    const after = await waitFor(
      'agent route re-exported with the new target',
      () => {
        const r = atGateway('10.60.0.3/32');
        return r?.attrs.routeTargets.includes('target:64512:8888') ? r : undefined;
      },
      10_000,
    );
    expect(after.attrs.routeTargets).not.toContain(SHARED_RT);
    // mgr-a no longer imports the shared target, mgr-b still does: the gateway route now lives in mgr-b
    await waitFor('gateway route moved to mgr-b', () => paths(B, '10.50.0.0/24')[0]?.origin === B, 10_000);
    expect(paths(A, '10.50.0.0/24')).toEqual([]);
    h.c.control!.db.removePath(A, 'inet', '10.60.0.3/32', 'agent:mgr-cn1');
    await waitFor('withdrawn at the gateway', () => !atGateway('10.60.0.3/32'), 10_000);
  });
  it('refuses a second bgp-router for the same address, and peers with it once the first is deleted', async () => {
    const refused = new Promise<{ uuid: string; reason: string }>((resolve) =>
      h.c.gateways!.once('peer-refused', resolve),
    );
    const dup = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('filament-gw-again', {
        address: GW,
        port: GW_PORT,
        autonomous_system: GW_ASN,
        router_type: 'router',
        address_families: { family: ['inet-vpn'] },
      }),
    );
    expect(dup.status).toBe(200);
    expect((await refused).reason).toMatch(/already a peer/);
    const first = (
      await h.call('POST', '/fqname-to-id', {
        type: 'bgp-router',
        fq_name: [...BGP_ROUTER_PARENT, 'filament-gw'],
      })
    ).body.uuid;
    expect((await h.call('DELETE', `/bgp-router/${first}`)).status).toBe(200);
    const st = await waitFor(
      'session with the second object (VPNv4 only)',
      () => h.c.gateways!.peers().find((p) => p.address === GW && p.state === 'Established'),
      30_000,
    );
    expect(st.negotiated?.families).toEqual(['ipv4-mpls-vpn']);
  });
  it('keeps the session when a bgp-router change touches nothing the peer uses', async () => {
    const uuid = (
      await h.call('POST', '/fqname-to-id', {
        type: 'bgp-router',
        fq_name: [...BGP_ROUTER_PARENT, 'filament-gw-again'],
      })
    ).body.uuid as string;
    const downs: string[] = [];
    const onDown = (e: { peer: string }) => downs.push(e.peer);
    h.c.gateways!.on('peer-down', onDown);
    // the gateway manager listens to the store's changes before this test does: once we see the change, it has
    const seen = new Promise<void>((resolve) => {
      const f = (c: { uuid: string }) => {
        if (c.uuid !== uuid) return;
        h.c.changes.off('change', f);
        resolve();
      };
      h.c.changes.on('change', f);
    });
    try {
      expect(
        (await h.call('PUT', `/bgp-router/${uuid}`, { 'bgp-router': { display_name: 'renamed' } })).status,
      ).toBe(200);
      await seen;
      expect(downs).toEqual([]);
      expect(h.c.gateways!.peers().find((p) => p.address === GW)?.state).toBe('Established');
    } finally {
      h.c.gateways!.off('peer-down', onDown);
    }
  });

  it('takes AS, router id and port from our own control-node bgp-router when the config leaves them out', async () => {
    const own = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('control-node-2', {
        router_type: 'control-node',
        address: OWN,
        identifier: '10.77.24.1',
        autonomous_system: 64999,
        port: OWN_PORT,
      }),
    );
    expect(own.status).toBe(200);
    const g = await GatewayManager.start(
      {
        store: h.c.store,
        changes: h.c.changes,
        routes: h.c.control!.db,
        log: pino({ level: 'silent' }),
      },
      { defaultAsn: ASN, listen: { host: OWN } },
    );
    try {
      expect(g.config).toMatchObject({
        asn: 64999,
        routerId: '10.77.24.1',
        listen: { host: OWN, port: OWN_PORT },
      });
      expect(g.speaker.listening()).toEqual([{ host: OWN, port: OWN_PORT }]);
      // the control node itself is not a gateway
      expect(g.peers().map((p) => p.address)).not.toContain(OWN);
    } finally {
      await g.close();
    }
  });
});
