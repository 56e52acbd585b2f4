// The gateway's route conversions without sockets: RouteDb agent paths -> the BGP routes export.ts builds (RD,
// route targets, label/VNI, next hop, encapsulation, PMSI), BGP routes -> the RouteDb entries import.ts builds,
// export followed by import gives the agent's route back, and random decoded routes never make import throw.

import { writeFileSync } from 'node:fs';
import {
  type ExtendedCommunity,
  evpnLabelFromMpls,
  evpnLabelFromVni,
  formatExtendedCommunity,
  formatRd,
  makePathAttrs,
  type Nlri,
  type PathAttribute,
  parseExtendedCommunity,
  parseRd,
  type RouteDistinguisher,
} from '@filament/bgp';
import { scratchDir } from '@filament/testkit';
import { defaultEnetNextHop, defaultUnicastNextHop, type EnetEntry, type UnicastEntry } from '@filament/xmpp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import {
  type ExportedRoute,
  type ExportInstance,
  encapsulationCommunities,
  encapsulationNames,
  exportRoutes,
  gatewayConfigOf,
  imetRoute,
  importedRoute,
  peerConfig,
  speakerFamilies,
} from '../src/control/gateway/index.js';
import type { RoutePath } from '../src/control/routing/route-db.js';
import { ValidationError } from '../src/errors.js';
import type { StoredObject } from '../src/store/interface.js';

const inst: ExportInstance = {
  name: 'default-domain:admin:vn1:vn1',
  vni: 5001,
  exportTargets: [parseExtendedCommunity('target:64512:8000001')],
  rd: parseRd('64512:1'),
  index: 1,
  l3: true,
};

function unicast(prefix: string, node: string, label: number, tunnels: string[]): UnicastEntry {
  return {
    nlri: { af: prefix.includes(':') ? 2 : 1, safi: 1, address: prefix },
    nextHops: [
      {
        ...defaultUnicastNextHop(),
        af: 1,
        address: node,
        label,
        tunnelEncapsulations: tunnels,
        virtualNetwork: 'default-domain:admin:vn1',
      },
    ],
    version: 1,
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 200,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
}

function enet(mac: string, address: string, node: string, label: number, tunnels: string[]): EnetEntry {
  return {
    nlri: { af: 25, safi: 242, ethernetTag: 0, mac, address, group: '', source: '', flags: 0 },
    nextHops: [{ ...defaultEnetNextHop(), af: 1, address: node, label, tunnelEncapsulations: tunnels }],
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
}

const agent = (name: string, entry: UnicastEntry | EnetEntry): RoutePath => ({
  source: `agent:${name}`,
  entry,
});
const ext = (r: ExportedRoute) =>
  (
    r.attributes!.find((a) => a.type === 'EXTENDED_COMMUNITIES') as { communities: ExtendedCommunity[] }
  ).communities.map(formatExtendedCommunity);

describe('encapsulation communities', () => {
  it('maps the agent tunnel names to RFC 9012 tunnel types and back', () => {
    expect(encapsulationCommunities(['udp', 'gre', 'vxlan', 'native']).map(formatExtendedCommunity)).toEqual([
      'encap:mpls-in-udp',
      'encap:gre',
      'encap:vxlan',
    ]);
    expect(encapsulationNames(encapsulationCommunities(['udp', 'gre']))).toEqual(['udp', 'gre']);
    expect(encapsulationNames([{ kind: 'encapsulation', tunnelType: 11 }])).toEqual(['gre']);
    // TF: a labelled route without encapsulation community is GRE
    expect(encapsulationNames([])).toEqual(['gre']);
  });
});

describe('export', () => {
  it('turns an interface route into VPNv4 with the instance RD, targets, label, next hop and encapsulations', () => {
    const out: ExportedRoute[] = [];
    exportRoutes(inst, 'inet', [agent('cn1', unicast('10.1.0.3/32', '10.0.0.11', 25, ['udp', 'gre']))], out);
    expect(out).toHaveLength(1);
    const r = out[0]!;
    expect(r.family).toBe('ipv4-mpls-vpn');
    expect(r.nlri).toEqual({ type: 'vpn', labels: [25], rd: parseRd('64512:1'), prefix: '10.1.0.3/32' });
    expect(r.nextHop).toBe('10.0.0.11');
    expect(ext(r)).toEqual(['target:64512:8000001', 'encap:mpls-in-udp', 'encap:gre']);
    expect(r.attributes).toContainEqual({ type: 'LOCAL_PREF', localPref: 200 });
  });

  it('adds EVPN type 5 with the VNI and router MAC when the VN routes over VXLAN', () => {
    const e = unicast('10.1.0.4/32', '10.0.0.12', 5001, ['vxlan']);
    e.nextHops[0]!.mac = '02:00:0a:00:00:0c';
    const out: ExportedRoute[] = [];
    exportRoutes(inst, 'inet', [agent('cn2', e)], out);
    expect(out.map((r) => r.family)).toEqual(['ipv4-mpls-vpn', 'l2vpn-evpn']);
    const t5 = out[1]!;
    expect(t5.nlri).toMatchObject({
      type: 'evpn-ip-prefix',
      prefix: '10.1.0.4/32',
      label: evpnLabelFromVni(5001),
    });
    expect(ext(t5)).toEqual(['target:64512:8000001', 'encap:vxlan', 'router-mac:02:00:0a:00:00:0c']);
    const l2only: ExportedRoute[] = [];
    exportRoutes({ ...inst, l3: false }, 'inet', [agent('cn2', e)], l2only);
    expect(l2only.map((r) => r.family)).toEqual(['ipv4-mpls-vpn']);
  });

  it('gives ECMP paths one route each, with the RD of their compute node', () => {
    const out: ExportedRoute[] = [];
    exportRoutes(
      inst,
      'inet',
      [
        agent('cn1', unicast('10.1.0.9/32', '10.0.0.11', 30, ['udp'])),
        agent('cn2', unicast('10.1.0.9/32', '10.0.0.12', 31, ['udp'])),
      ],
      out,
    );
    expect(out.map((r) => [formatRd((r.nlri as { rd: RouteDistinguisher }).rd), r.nextHop])).toEqual([
      ['10.0.0.11:1', '10.0.0.11'],
      ['10.0.0.12:1', '10.0.0.12'],
    ]);
    expect(new Set(out.map((r) => r.id)).size).toBe(2);
  });

  it('turns a MAC/IP route into EVPN type 2: the VNI under VXLAN, the MPLS label otherwise', () => {
    const out: ExportedRoute[] = [];
    exportRoutes(
      inst,
      'enet',
      [agent('cn1', enet('02:00:00:00:00:03', '10.1.0.3/32', '10.0.0.11', 5001, ['vxlan']))],
      out,
    );
    expect(out[0]!.nlri).toMatchObject({
      type: 'evpn-mac-ip',
      mac: '02:00:00:00:00:03',
      ip: '10.1.0.3',
      ethernetTag: 0,
      label1: evpnLabelFromVni(5001),
    });
    expect(ext(out[0]!)).toEqual(['target:64512:8000001', 'encap:vxlan']);
    const mpls: ExportedRoute[] = [];
    exportRoutes(
      inst,
      'enet',
      [agent('cn1', enet('02:00:00:00:00:03', '0.0.0.0/32', '10.0.0.11', 40, ['udp']))],
      mpls,
    );
    expect(mpls[0]!.nlri).toMatchObject({ label1: evpnLabelFromMpls(40) });
    expect((mpls[0]!.nlri as { ip?: string }).ip).toBeUndefined();
    // the broadcast MAC route is represented by the IMET route of the node
    const bum: ExportedRoute[] = [];
    exportRoutes(
      inst,
      'enet',
      [agent('cn1', enet('ff:ff:ff:ff:ff:ff', '0.0.0.0/32', '10.0.0.11', 5001, ['vxlan']))],
      bum,
    );
    expect(bum).toEqual([]);
  });

  it('builds the IMET route of a compute node with ingress replication and the VNI', () => {
    const r = imetRoute(inst, '10.0.0.11')!;
    expect(r.nlri).toEqual({
      type: 'evpn-inclusive-multicast',
      routeType: 3,
      rd: parseRd('64512:1'),
      ethernetTag: 0,
      originator: '10.0.0.11',
    });
    expect(r.attributes).toContainEqual({
      type: 'PMSI_TUNNEL',
      pmsiFlags: 0,
      tunnelType: 6,
      labelField: 5001,
      tunnelId: new Uint8Array([10, 0, 0, 11]),
    });
    expect(imetRoute({ ...inst, vni: undefined }, '10.0.0.11')).toBeUndefined();
  });
});

describe('import', () => {
  const attrs = (nextHop: string, communities: string[], extra: PathAttribute[] = []) =>
    makePathAttrs(
      [
        { type: 'ORIGIN', origin: 'igp' },
        { type: 'EXTENDED_COMMUNITIES', communities: communities.map(parseExtendedCommunity) },
        ...extra,
      ],
      nextHop,
    );

  it('turns a VPNv4 route into an inet entry with the gateway next hop, label and encapsulation', () => {
    const r = importedRoute(
      { type: 'vpn', labels: [1000], rd: parseRd('65001:9'), prefix: '192.0.2.0/24' },
      attrs('10.255.0.1', ['target:64512:8000001', 'encap:mpls-in-udp']),
    )!;
    expect(r.family).toBe('inet');
    expect(r.key).toBe('192.0.2.0/24');
    const e = r.entry('default-domain:admin:vn1') as UnicastEntry;
    expect(e.nlri).toEqual({ af: 1, safi: 1, address: '192.0.2.0/24' });
    expect(e.nextHops).toEqual([
      expect.objectContaining({ address: '10.255.0.1', label: 1000, tunnelEncapsulations: ['udp'] }),
    ]);
    expect(e.virtualNetwork).toBe('default-domain:admin:vn1');
  });

  it('turns EVPN types 2, 3 and 5 into enet entries with TF item ids', () => {
    const t2 = importedRoute(
      {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('1.1.1.1:1'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:01:01',
        ip: '10.1.0.50',
        label1: evpnLabelFromVni(5001),
      },
      attrs('10.255.0.1', ['target:64512:8000001', 'encap:vxlan']),
    )!;
    expect(t2.key).toBe('02:00:00:00:01:01,10.1.0.50/32');
    expect((t2.entry('vn') as EnetEntry).nextHops[0]).toMatchObject({
      label: 5001,
      tunnelEncapsulations: ['vxlan'],
    });
    const t3 = importedRoute(
      {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: parseRd('1.1.1.1:1'),
        ethernetTag: 0,
        originator: '10.255.0.1',
      },
      attrs(
        '10.255.0.1',
        ['target:64512:8000001', 'encap:vxlan'],
        [
          {
            type: 'PMSI_TUNNEL',
            pmsiFlags: 0,
            tunnelType: 6,
            labelField: 5001,
            tunnelId: new Uint8Array([10, 255, 0, 1]),
          },
        ],
      ),
    )!;
    expect(t3.key).toBe('ff:ff:ff:ff:ff:ff,10.255.0.1/32');
    expect((t3.entry('vn') as EnetEntry).nextHops[0]!.label).toBe(5001);
    const t5 = importedRoute(
      {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: parseRd('1.1.1.1:1'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '198.51.100.0/24',
        gateway: '0.0.0.0',
        label: evpnLabelFromVni(7000),
      },
      attrs('10.255.0.1', ['target:64512:8000001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01']),
    )!;
    expect(t5.key).toBe('00:00:00:00:00:00,198.51.100.0/24');
    expect((t5.entry('vn') as EnetEntry).nextHops[0]).toMatchObject({
      mac: '02:00:00:00:00:01',
      label: 7000,
    });
  });

  it('gives back what export sent: label, next hop, encapsulations and key', () => {
    const paths = [agent('cn1', unicast('10.1.0.3/32', '10.0.0.11', 25, ['udp', 'gre']))];
    const out: ExportedRoute[] = [];
    exportRoutes(inst, 'inet', paths, out);
    const back = importedRoute(out[0]!.nlri, makePathAttrs(out[0]!.attributes!, out[0]!.nextHop!))!;
    const e = back.entry('default-domain:admin:vn1') as UnicastEntry;
    expect(back.key).toBe('10.1.0.3/32');
    expect(e.nextHops[0]).toMatchObject({
      address: '10.0.0.11',
      label: 25,
      tunnelEncapsulations: ['udp', 'gre'],
    });
    expect(e.localPreference).toBe(200);
  });

  it('never throws on routes of any shape the codec decodes', () => {
    const rd = fc.constantFrom(parseRd('65001:1'), parseRd('10.0.0.1:7'));
    const nlri: fc.Arbitrary<Nlri> = fc.oneof(
      fc.record({
        type: fc.constant('vpn' as const),
        labels: fc.array(fc.integer({ min: 0, max: 0xfffff }), { maxLength: 2 }),
        rd,
        prefix: fc.constantFrom('10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0'),
      }),
      fc.record({
        type: fc.constant('evpn-mac-ip' as const),
        routeType: fc.constant(2 as const),
        rd,
        esi: fc.constant('00:00:00:00:00:00:00:00:00:00'),
        ethernetTag: fc.integer({ min: 0, max: 0xffffffff }),
        mac: fc.constant('02:00:00:00:00:01'),
        label1: fc.integer({ min: 0, max: 0xffffff }).map((v) => evpnLabelFromVni(v)),
      }),
      fc.record({ type: fc.constant('rtc' as const), prefixLength: fc.constant(0) }),
    );
    const comm = fc.array(
      fc.constantFrom(
        'target:1:1',
        'encap:vxlan',
        'encap:gre',
        'router-mac:02:00:00:00:00:01',
        'mac-mobility:3',
      ),
    );
    fc.assert(
      fc.property(
        nlri,
        comm,
        fc.constantFrom('', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1'),
        (n, c, nh) => {
          const r = importedRoute(
            n,
            makePathAttrs([{ type: 'EXTENDED_COMMUNITIES', communities: c.map(parseExtendedCommunity) }], nh),
          );
          if (r) expect(typeof r.key).toBe('string');
        },
      ),
    );
  });
});

describe('bgp-router objects', () => {
  const obj = (params: Record<string, unknown>): StoredObject => ({
    type: 'bgp-router',
    uuid: 'u1',
    fqName: ['default-domain', 'default-project', 'ip-fabric', '__default__', 'gw1'],
    refs: [],
    claims: [],
    body: { bgp_router_parameters: params },
    version: 1,
    revision: 1,
  });

  it('become peers with TF families, port, hold time and AS; control nodes and admin-down ones do not', () => {
    expect(
      peerConfig(
        obj({
          address: '127.0.77.2',
          autonomous_system: 65001,
          port: 30179,
          hold_time: 30,
          router_type: 'router',
          address_families: { family: ['inet-vpn', 'e-vpn', 'route-target', 'erm-vpn'] },
        }),
        { asn: 64512, localAddress: '127.0.77.1' },
      ),
    ).toEqual({
      address: '127.0.77.2',
      asn: 65001,
      port: 30179,
      holdTime: 30,
      description: 'default-domain:default-project:ip-fabric:__default__:gw1',
      families: ['ipv4-mpls-vpn', 'l2vpn-evpn', 'ipv4-rtc'],
      connectRetryTime: 5,
      localAddress: '127.0.77.1',
    });
    expect(
      peerConfig(obj({ address: '127.0.77.2', router_type: 'control-node' }), {
        asn: 1,
        localAddress: undefined,
      }),
    ).toBeUndefined();
    expect(
      peerConfig(obj({ address: '127.0.77.2', admin_down: true }), { asn: 1, localAddress: undefined }),
    ).toBeUndefined();
    expect(speakerFamilies(undefined)).toEqual(['ipv4-rtc', 'ipv4-mpls-vpn', 'ipv6-mpls-vpn', 'l2vpn-evpn']);
    expect(
      peerConfig(
        obj({
          address: '127.0.77.2',
          auth_data: { key_type: 'md5', key_items: [{ key_id: 0, key: 's3cret' }] },
        }),
        {
          asn: 1,
          localAddress: undefined,
        },
      )?.md5Password,
    ).toBe('s3cret');
  });
});

describe('the bgp section of the controller config', () => {
  it('is off unless asked for; --bgp-port turns it on with the controller AS', () => {
    expect(loadConfig(['--no-auth']).bgp).toBeUndefined();
    const cfg = loadConfig(['--no-auth', '--asn', '65010', '--bgp-port', '31799', '--bgp-host', '127.0.0.1']);
    expect(cfg.bgp).toEqual({ enabled: true, host: '127.0.0.1', port: 31799 });
    expect(gatewayConfigOf(cfg)).toEqual({ defaultAsn: 65010, listen: { host: '127.0.0.1', port: 31799 } });
    // from a file without a port: the port comes from our control-node bgp-router, else 179 (GatewayManager)
    const dir = scratchDir('gateway-config-');
    try {
      writeFileSync(`${dir.path}/c.json`, JSON.stringify({ bgp: { enabled: true, router_id: '10.0.0.1' } }));
      const fromFile = loadConfig(['--no-auth', '--config', `${dir.path}/c.json`]);
      expect(fromFile.bgp).toEqual({ enabled: true, host: '0.0.0.0', router_id: '10.0.0.1' });
      expect(gatewayConfigOf(fromFile)).toEqual({
        defaultAsn: 64512,
        listen: { host: '0.0.0.0' },
        routerId: '10.0.0.1',
      });
    } finally {
      dir.cleanup();
    }
    expect(() => loadConfig(['--no-auth', '--bgp-port', '179', '--bgp-router-id', 'not-an-ip'])).toThrow(
      ValidationError,
    );
  });
});
