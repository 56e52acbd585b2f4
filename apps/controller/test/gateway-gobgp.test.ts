// The controller's BGP gateways against gobgpd 3.10 (software none of us wrote) on loopback: a bgp-router created
// through the REST API becomes an Established session; simulated agents (XmppClient over real TCP) publish
// interface routes and gobgpd's RIB shows them as VPNv4 and EVPN type 2/3 routes with the RD, route target,
// label/VNI, next hop and encapsulation we expect; a route injected into gobgpd reaches the subscribed agents
// with gobgpd's next hop and label, and so does its withdrawal; deleting the bgp-router tears the session down;
// and a second gobgpd that negotiates RT-constraint gets our RT membership routes.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import {
  defaultEnetNextHop,
  defaultUnicastNextHop,
  type EnetEntry,
  type Route,
  type RouteRetractStanza,
  type RouteUpdateStanza,
  type UnicastEntry,
  XmppClient,
} from '@filament/xmpp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlDefaults } from '../src/config.js';
import type { GatewayManager } from '../src/control/gateway/index.js';
import { type Harness, startController, vnBody } from './support/api.js';
import {
  BGP_ROUTER_PARENT,
  bgpRouterBody,
  type Gobgpd,
  sessionState,
  startGobgpd,
} from './support/gateway.js';

const US = '127.0.77.1';
const GO = '127.0.77.2';
const GO_RTC = '127.0.77.3';
const BGP_PORT = 31779;
const GO_PORT = 31780;
const GO_API = 31781;
const GO_RTC_PORT = 31782;
const GO_RTC_API = 31783;
const XMPP_PORT = 31784;
const ASN = 64512;
const CN1 = '10.77.1.11';
const CN2 = '10.77.1.12';
const VNI = 7001;
const GW_NEXT_HOP = '10.77.9.1';
const ROUTER_MAC = '02:00:0a:4d:01:0c';

interface GobgpPath {
  nlri: Record<string, unknown> & { prefix?: string; rd?: string; type?: number };
  attrs: (Record<string, unknown> & { type: number })[];
  'source-id'?: string;
  withdrawal?: boolean;
}

describeWithTool(['gobgpd', 'gobgp'], 'gateways: gobgpd', () => {
  let dir: { path: string; cleanup: () => void };
  let h: Harness;
  let gw: GatewayManager;
  let go: Gobgpd;
  let goRtc: Gobgpd | undefined;
  const agents: XmppClient[] = [];
  const updates = new Map<string, RouteUpdateStanza[]>();
  const retracts = new Map<string, RouteRetractStanza[]>();
  let vn: { id: number; rt: string; rd: string; instance: string };

  async function bgpRouterUuid(name: string): Promise<string> {
    const r = await h.call('POST', '/fqname-to-id', {
      type: 'bgp-router',
      fq_name: [...BGP_ROUTER_PARENT, name],
    });
    return r.body.uuid as string;
  }

  /** The latest item an agent got for `id` in our instance (undefined when retracted since). */
  function itemOf<T>(agent: string, family: string, id: string): T | undefined {
    let found: T | undefined;
    for (const m of updates.get(agent) ?? []) {
      if (m.vrf !== vn.instance || m.family !== family) continue;
      for (const it of m.items) if (it.id === id) found = it.route.entry as T;
    }
    return found;
  }

  beforeAll(async () => {
    dir = scratchDir('gateway-gobgp-');
    go = await startGobgpd(dir.path, {
      address: GO,
      port: GO_PORT,
      apiPort: GO_API,
      asn: ASN,
      routerId: '10.77.0.2',
      neighbor: { address: US, asn: ASN, port: BGP_PORT },
      families: ['l3vpn-ipv4-unicast', 'l3vpn-ipv6-unicast', 'l2vpn-evpn'],
    });
    // the controller as `filament-controller --bgp-port ... --bgp-host ... --bgp-router-id ...` runs it
    h = await startController('sqlite', {
      asn: ASN,
      control: controlDefaults({
        xmpp: { host: US, port: XMPP_PORT },
        introspect: { host: US, port: 0, public: true },
      }),
      bgp: { enabled: true, host: US, port: BGP_PORT, router_id: '10.77.0.1' },
    });
    gw = h.c.gateways!;
  }, 120_000);

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await go?.stop();
    await goRtc?.stop();
    await h?.close();
    dir?.cleanup();
  });

  it('makes a bgp-router created through the REST API an Established session', async () => {
    const r = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('gobgp-a', {
        address: GO,
        port: GO_PORT,
        autonomous_system: ASN,
        router_type: 'router',
        hold_time: 9,
        address_families: { family: ['inet-vpn', 'inet6-vpn', 'e-vpn'] },
      }),
    );
    expect(r.status).toBe(200);
    await waitFor('gobgpd Established', () => sessionState(go, US) === 6, 30_000);
    const peer = await waitFor(
      'our side Established',
      () => gw.peers().find((p) => p.address === GO && p.state === 'Established'),
      30_000,
    );
    expect(peer.negotiated?.families).toEqual(['ipv4-mpls-vpn', 'ipv6-mpls-vpn', 'l2vpn-evpn']);
    expect(peer.negotiated?.holdTime).toBe(9);
  });

  it('applies a change of the bgp-router live (new hold time: the session restarts with it)', async () => {
    const uuid = await bgpRouterUuid('gobgp-a');
    const downs: string[] = [];
    const onDown = (e: { peer: string }) => downs.push(e.peer);
    gw.on('peer-down', onDown);
    try {
      const r = await h.call('PUT', `/bgp-router/${uuid}`, {
        'bgp-router': {
          bgp_router_parameters: {
            address: GO,
            port: GO_PORT,
            autonomous_system: ASN,
            router_type: 'router',
            hold_time: 12,
            address_families: { family: ['inet-vpn', 'inet6-vpn', 'e-vpn'] },
          },
        },
      });
      expect(r.status).toBe(200);
      const peer = await waitFor(
        'session again with hold time 9 (gobgpd offers 9, the lower wins) after the restart',
        () =>
          downs.includes(GO)
            ? gw.peers().find((p) => p.address === GO && p.state === 'Established')
            : undefined,
        30_000,
      );
      expect(peer.negotiated?.holdTime).toBe(9);
      expect(gw.speaker.peer(GO).cfg.holdTime).toBe(12);
    } finally {
      gw.off('peer-down', onDown);
    }
  });

  it('refuses a bgp-router with TCP MD5 (auth_data) and says why', async () => {
    const refused = new Promise<{ address: string; reason: string }>((resolve) =>
      gw.once('peer-refused', resolve),
    );
    const r = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('gobgp-md5', {
        address: '127.0.77.9',
        autonomous_system: ASN,
        router_type: 'router',
        auth_data: { key_type: 'md5', key_items: [{ key_id: 0, key: 'secret' }] },
      }),
    );
    expect(r.status).toBe(200);
    const e = await refused;
    expect(e.address).toBe('127.0.77.9');
    expect(e.reason).toMatch(/MD5/i);
    expect(gw.peers().map((p) => p.address)).not.toContain('127.0.77.9');
    expect((await h.call('DELETE', `/bgp-router/${await bgpRouterUuid('gobgp-md5')}`)).status).toBe(200);
  });

  it('exports agent routes to gobgpd as VPNv4, VPNv6 and EVPN types 2 and 3', async () => {
    const created = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('gw-vn1', [{ ip_prefix: '10.1.0.0', ip_prefix_len: 24 }], {
        virtual_network_properties: { vxlan_network_identifier: VNI },
      }),
    );
    expect(created.status).toBe(200);
    const got = await h.call('GET', `/virtual-network/${created.body['virtual-network'].uuid}`);
    const id = got.body['virtual-network'].virtual_network_network_id as number;
    vn = {
      id,
      rt: `${ASN}:${8000000 + id}`,
      rd: `${ASN}:${id}`,
      instance: 'default-domain:default-project:gw-vn1:gw-vn1',
    };
    for (const [name, ip] of [
      ['gw-cn1', CN1],
      ['gw-cn2', CN2],
    ] as const) {
      const vr = await h.call('POST', '/virtual-routers', {
        'virtual-router': {
          fq_name: ['default-global-system-config', name],
          parent_type: 'global-system-config',
          virtual_router_ip_address: ip,
        },
      });
      expect(vr.status).toBe(200);
    }
    await waitFor('instance', () => h.c.control!.db.instance(vn.instance)?.configured, 10_000);
    for (const [name, node, last] of [
      ['gw-cn1', CN1, 3],
      ['gw-cn2', CN2, 4],
    ] as const) {
      const a = new XmppClient({
        name,
        servers: [{ host: US, port: XMPP_PORT }],
        retryBaseMs: 100,
        configSubscribe: false,
      });
      updates.set(name, []);
      retracts.set(name, []);
      a.on('route-update', (_s, m) => updates.get(name)!.push(m));
      a.on('route-retract', (_s, m) => retracts.get(name)!.push(m));
      agents.push(a);
      a.start();
      await waitFor(`${name} established`, () => a.establishedServers.length === 1, 15_000);
      a.subscribe(vn.instance);
      a.publish(vn.instance, inetRoute(`10.1.0.${last}/32`, node, 16 + last, ['udp', 'gre']));
      a.publish(vn.instance, enetRoute(`02:00:0a:01:00:0${last}`, `10.1.0.${last}/32`, node, VNI));
    }
    agents[0]!.publish(vn.instance, inetRoute('fd00:77::3/128', CN1, 40, ['udp']));
    // an inet route over VXLAN with the node's router MAC: EVPN type 5 as well (the network routes, l2_l3)
    const routed = inetRoute('10.1.0.50/32', CN2, VNI, ['vxlan']);
    (routed.entry as UnicastEntry).nextHops[0]!.mac = ROUTER_MAC;
    agents[1]!.publish(vn.instance, routed);
    const vpn = await waitFor(
      'VPNv4 routes in gobgpd',
      () => {
        const rib = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv4');
        return Object.keys(rib).length >= 2 ? rib : undefined;
      },
      20_000,
    );
    for (const [node, last] of [
      [CN1, 3],
      [CN2, 4],
    ] as const) {
      const p = vpn[`${vn.rd}:10.1.0.${last}/32`]?.[0];
      expect(p, `VPNv4 10.1.0.${last}/32 with RD ${vn.rd}`).toBeDefined();
      expect(p!.nlri).toMatchObject({ prefix: `10.1.0.${last}/32`, labels: [16 + last] });
      expect(reach(p!).nexthop).toBe(node);
      expect(communities(p!)).toEqual([`rt:${vn.rt}`, 'encap:13', 'encap:2']);
    }
    const vpn6 = await waitFor(
      'VPNv6 route in gobgpd',
      () => {
        const rib = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv6');
        return Object.keys(rib).length >= 1 ? rib : undefined;
      },
      20_000,
    );
    const p6 = vpn6[`${vn.rd}:fd00:77::3/128`]?.[0];
    expect(p6, 'VPNv6 fd00:77::3/128').toBeDefined();
    expect(p6!.nlri).toMatchObject({ prefix: 'fd00:77::3/128', labels: [40] });
    // RFC 4659 3.2.1.1: an IPv4 node as IPv4-mapped IPv6 next hop (gobgp prints the IPv4 form)
    expect(reach(p6!).nexthop).toMatch(/^(::ffff:)?10\.77\.1\.11$/);
    expect(communities(p6!)).toEqual([`rt:${vn.rt}`, 'encap:13']);
    const evpn = await waitFor(
      'EVPN routes in gobgpd',
      () => {
        const rib = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'evpn');
        return Object.keys(rib).length >= 5 ? rib : undefined;
      },
      20_000,
    );
    for (const [node, last] of [
      [CN1, 3],
      [CN2, 4],
    ] as const) {
      const mac = `02:00:0a:01:00:0${last}`;
      const t2 = evpn[`[type:macadv][rd:${vn.rd}][etag:0][mac:${mac}][ip:10.1.0.${last}]`]?.[0];
      expect(t2, `EVPN type 2 for ${mac}`).toBeDefined();
      // RFC 8365 5.1.3: under VXLAN the label field is the 24-bit VNI (gobgp prints the raw field)
      expect((t2!.nlri.value as { labels: number[] }).labels).toEqual([VNI]);
      expect(reach(t2!).nexthop).toBe(node);
      expect(communities(t2!)).toEqual([`rt:${vn.rt}`, 'encap:8']);
      const t3 = evpn[`[type:multicast][rd:${vn.rd}][etag:0][ip:${node}]`]?.[0];
      expect(t3, `EVPN type 3 for ${node}`).toBeDefined();
      expect(t3!.attrs.find((a) => a.type === 22)).toEqual({
        type: 22,
        'is-leaf-info-required': false,
        'tunnel-type': 6,
        label: VNI,
        'tunnel-id': node,
      });
      expect(reach(t3!).nexthop).toBe(node);
      expect(communities(t3!)).toEqual([`rt:${vn.rt}`, 'encap:8']);
    }
  });

  it('exports an inet route over VXLAN as EVPN type 5 with the VNI and the router MAC', () => {
    const rib = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'evpn');
    const t5 = rib[`[type:Prefix][rd:${vn.rd}][etag:0][prefix:10.1.0.50/32]`]?.[0];
    expect(t5, 'EVPN type 5 for 10.1.0.50/32').toBeDefined();
    expect((t5!.nlri.value as { label: number }).label).toBe(VNI);
    expect(reach(t5!).nexthop).toBe(CN2);
    expect(communities(t5!)).toEqual([`rt:${vn.rt}`, 'encap:8', `router-mac:${ROUTER_MAC}`]);
  });

  it('shows the sessions and routes in /metrics', async () => {
    const r = await h.call('GET', '/metrics');
    expect(r.status).toBe(200);
    const text = String(r.body);
    expect(text).toContain(`filament_bgp_peer_up{peer="${GO}"} 1`);
    const advertised = Number(
      new RegExp(`filament_bgp_routes_advertised\\{peer="${GO.replaceAll('.', '\\.')}"\\} (\\d+)`).exec(
        text,
      )?.[1],
    );
    // 3 VPNv4 + 1 VPNv6 + EVPN: 2 type 2, 2 type 3, 1 type 5
    expect(advertised).toBe(9);
    expect(text).toMatch(/filament_bgp_routes\{kind="exported"\} 9/);
  });

  it('exports ECMP paths one per compute node with their RDs, and withdraws what agents withdraw', async () => {
    const [a1, a2] = agents as [XmppClient, XmppClient];
    a1.publish(vn.instance, inetRoute('10.1.0.100/32', CN1, 30, ['udp']));
    a2.publish(vn.instance, inetRoute('10.1.0.100/32', CN2, 31, ['udp']));
    const keys = [`${CN1}:${vn.id}:10.1.0.100/32`, `${CN2}:${vn.id}:10.1.0.100/32`];
    const rib = await waitFor(
      'ECMP routes in gobgpd',
      () => {
        const r = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv4');
        return keys.every((k) => r[k]) ? r : undefined;
      },
      20_000,
    );
    expect(reach(rib[keys[0]!]![0]!).nexthop).toBe(CN1);
    expect(rib[keys[1]!]![0]!.nlri.labels).toEqual([31]);
    // the single-path RD is gone once the prefix has two paths
    expect(rib[`${vn.rd}:10.1.0.100/32`]).toBeUndefined();
    a1.withdraw(vn.instance, inetRoute('10.1.0.100/32', CN1, 30, ['udp']));
    a2.withdraw(vn.instance, inetRoute('10.1.0.100/32', CN2, 31, ['udp']));
    await waitFor(
      'ECMP routes withdrawn from gobgpd',
      () => {
        const r = go.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv4');
        return Object.keys(r).every((k) => !k.endsWith(':10.1.0.100/32'));
      },
      20_000,
    );
  });

  it('brings a route injected into gobgpd to the subscribed agents, and its withdrawal', async () => {
    go.cli(
      'global',
      'rib',
      'add',
      '-a',
      'vpnv4',
      '10.9.0.0/24',
      'label',
      '1000',
      'rd',
      '65001:9',
      'rt',
      vn.rt,
      'nexthop',
      GW_NEXT_HOP,
    );
    go.cli(
      'global',
      'rib',
      '-a',
      'evpn',
      'add',
      'macadv',
      '02:00:00:00:99:01',
      '10.1.0.99',
      'etag',
      '0',
      'label',
      String(VNI),
      'rd',
      `${GW_NEXT_HOP}:9`,
      'rt',
      vn.rt,
      'encap',
      'vxlan',
      'nexthop',
      GW_NEXT_HOP,
    );
    for (const name of ['gw-cn1', 'gw-cn2']) {
      const inet = await waitFor(
        `${name} gets 10.9.0.0/24`,
        () => itemOf<UnicastEntry>(name, 'inet', '10.9.0.0/24'),
        20_000,
      );
      expect(inet.nextHops).toHaveLength(1);
      expect(inet.nextHops[0]).toMatchObject({
        address: GW_NEXT_HOP,
        label: 1000,
        tunnelEncapsulations: ['gre'],
      });
      const mac = await waitFor(
        `${name} gets the gateway's MAC/IP route`,
        () => itemOf<EnetEntry>(name, 'evpn', '02:00:00:00:99:01,10.1.0.99/32'),
        20_000,
      );
      expect(mac.nextHops[0]).toMatchObject({
        address: GW_NEXT_HOP,
        label: VNI,
        tunnelEncapsulations: ['vxlan'],
      });
    }
    expect(h.c.control!.db.routes(vn.instance, 'inet')).toBeDefined();
    const paths = new Map(h.c.control!.db.routes(vn.instance, 'inet')).get('10.9.0.0/24');
    expect(paths?.map((p) => p.source)).toEqual([`bgp:${GO}`]);
    go.cli('global', 'rib', 'del', '-a', 'vpnv4', '10.9.0.0/24', 'label', '1000', 'rd', '65001:9');
    for (const name of ['gw-cn1', 'gw-cn2'])
      await waitFor(
        `${name} gets the withdrawal`,
        () => retracts.get(name)!.some((m) => m.vrf === vn.instance && m.ids.includes('10.9.0.0/24')),
        20_000,
      );
  });

  it('tears the session down when the bgp-router is deleted, and withdraws its routes from agents', async () => {
    const uuid = await bgpRouterUuid('gobgp-a');
    expect((await h.call('DELETE', `/bgp-router/${uuid}`)).status).toBe(200);
    await waitFor('gobgpd session down', () => sessionState(go, US) !== 6, 20_000);
    expect(gw.peers().find((p) => p.address === GO)).toBeUndefined();
    for (const name of ['gw-cn1', 'gw-cn2'])
      await waitFor(
        `${name} loses the gateway's MAC/IP route`,
        () => retracts.get(name)!.some((m) => m.ids.includes('02:00:00:00:99:01,10.1.0.99/32')),
        20_000,
      );
    const n = go.json<{ state: { session_state: number | string } }>('neighbor', US);
    expect(n.state.session_state).not.toBe(6);
  });

  it('advertises RT membership (RFC 4684) for the subscribed instances to a gobgpd with rtc', async () => {
    goRtc = await startGobgpd(dir.path, {
      address: GO_RTC,
      port: GO_RTC_PORT,
      apiPort: GO_RTC_API,
      asn: ASN,
      routerId: '10.77.0.3',
      neighbor: { address: US, asn: ASN, port: BGP_PORT },
      families: ['l3vpn-ipv4-unicast', 'rtc'],
    });
    const r = await h.call(
      'POST',
      '/bgp-routers',
      bgpRouterBody('gobgp-rtc', {
        address: GO_RTC,
        port: GO_RTC_PORT,
        autonomous_system: ASN,
        router_type: 'router',
        address_families: { family: ['inet-vpn', 'route-target'] },
      }),
    );
    expect(r.status).toBe(200);
    await waitFor('gobgpd (rtc) Established', () => sessionState(goRtc!, US) === 6, 30_000);
    const rtc = await waitFor(
      'our RTC route in gobgpd',
      () => {
        const rib = goRtc!.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'rtc');
        return Object.keys(rib).length > 0 ? rib : undefined;
      },
      20_000,
    );
    // RFC 4684 4: origin AS 64512 and the route target of the instance our agents subscribed to, next hop us
    expect(Object.keys(rtc)).toEqual([`${ASN}:${vn.rt}`]);
    expect(reach(rtc[`${ASN}:${vn.rt}`]![0]!).nexthop).toBe('10.77.0.1');
    // no VRF of gobgpd imports our target yet: it asked for none of our VPN routes
    expect(Object.keys(goRtc.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv4'))).toEqual([]);
    expect(gw.membership()).toEqual([`target:${vn.rt}`]);
    // an agent that only subscribes (publishes nothing) to another network makes its target wanted too
    const vn2 = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('gw-vn2', [{ ip_prefix: '10.2.0.0', ip_prefix_len: 24 }]),
    );
    const id2 = (await h.call('GET', `/virtual-network/${vn2.body['virtual-network'].uuid}`)).body[
      'virtual-network'
    ].virtual_network_network_id as number;
    const instance2 = 'default-domain:default-project:gw-vn2:gw-vn2';
    await waitFor('instance 2', () => h.c.control!.db.instance(instance2)?.configured, 10_000);
    agents[0]!.subscribe(instance2);
    await waitFor(
      'RTC route of the subscribed-only instance in gobgpd',
      () =>
        Boolean(
          goRtc!.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'rtc')[
            `${ASN}:${ASN}:${8000000 + id2}`
          ],
        ),
      20_000,
    );
    agents[0]!.unsubscribe(instance2);
    await waitFor(
      'RTC route withdrawn after the unsubscribe',
      () =>
        !goRtc!.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'rtc')[
          `${ASN}:${ASN}:${8000000 + id2}`
        ],
      20_000,
    );
    // gobgpd wants our route target once a VRF of its own imports it: our VPN routes then flow to it
    goRtc.cli('vrf', 'add', 'gw', 'rd', '64999:1', 'rt', 'import', vn.rt, 'export', '64999:1');
    await waitFor(
      'our VPNv4 routes in the RT-constrained gobgpd',
      () => Object.keys(goRtc!.json<Record<string, GobgpPath[]>>('global', 'rib', '-a', 'vpnv4')).length >= 2,
      20_000,
    );
  });
});

function reach(p: GobgpPath): { nexthop: string } {
  return p.attrs.find((a) => a.type === 14) as unknown as { nexthop: string };
}

/** Extended communities as `rt:<asn>:<n>`, `encap:<tunnel type>`, `router-mac:<mac>`. */
function communities(p: GobgpPath): string[] {
  const ext = p.attrs.find((a) => a.type === 16) as unknown as
    | { value: { type: number; subtype: number; value?: string; tunnel_type?: number; mac?: string }[] }
    | undefined;
  return (ext?.value ?? []).map((c) =>
    c.subtype === 2
      ? `rt:${c.value}`
      : c.subtype === 12
        ? `encap:${c.tunnel_type}`
        : c.type === 6 && c.subtype === 3
          ? `router-mac:${c.mac}`
          : JSON.stringify(c),
  );
}

function inetRoute(prefix: string, node: string, label: number, tunnels: string[]): Route {
  const v6 = prefix.includes(':');
  const entry: UnicastEntry = {
    nlri: { af: v6 ? 2 : 1, safi: 1, address: prefix },
    nextHops: [{ ...defaultUnicastNextHop(), af: 1, address: node, label, tunnelEncapsulations: tunnels }],
    version: 1,
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 100,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
  return { family: v6 ? 'inet6' : 'inet', entry };
}

function enetRoute(mac: string, address: string, node: string, vni: number): Route {
  const entry: EnetEntry = {
    nlri: { af: 25, safi: 242, ethernetTag: 0, mac, address, group: '', source: '', flags: 0 },
    nextHops: [
      { ...defaultEnetNextHop(), af: 1, address: node, label: vni, tunnelEncapsulations: ['vxlan'] },
    ],
    olist: [],
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    localPreference: 100,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  };
  return { family: 'evpn', entry };
}
