// gobgpd 3.10 <-> FRR 8.4 bgpd (-Z, no zebra) on loopback, captured with tshark: FRR originates VPNv4,
// VPNv6 and an EVPN type-5 route from its config; EVPN types 1-5 and VPNv4/VPNv6 routes with communities,
// large communities, MED and AIGP are injected with the gobgp CLI (the commands of
// ../shared/ref/bgp-peers/RUN.md), one is withdrawn, FRR sends a ROUTE-REFRESH (`clear bgp ... soft in`)
// and gobgpd a NOTIFICATION (`gobgp neighbor X reset`: Cease / Administrative Reset). Every message of
// every TCP stream is reassembled and decoded here and compared field by field with tshark's dissection
// (support/wire-compare.ts); the routes decoded are those injected, and those FRR and gobgpd show.

import { describeWithTool, freePort, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type EvpnRoute,
  type ExtendedCommunity,
  evpnLabelReading,
  evpnServiceLabels,
  findAttribute,
  formatExtendedCommunity,
  formatRd,
  type UpdateMessage,
  type VpnNlri,
} from '../src/index.js';
import {
  type Capture,
  type Frr,
  type Gobgpd,
  startCapture,
  startFrrBgpd,
  startGobgpd,
} from './support/daemons.js';
import { type Comparison, compareCapture, type WireMessage } from './support/wire-compare.js';

const GOBGP = '127.0.12.1';
const FRR = '127.0.12.2';

const frrConf = (gobgpPort: number) => `frr defaults traditional
hostname frr-interop
!
route-map RM-RT permit 10
 set extcommunity rt 65002:100
!
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${GOBGP} remote-as 65001
 neighbor ${GOBGP} port ${gobgpPort}
 neighbor ${GOBGP} update-source ${FRR}
 neighbor ${GOBGP} disable-connected-check
 neighbor ${GOBGP} timers connect 1
 !
 address-family ipv4 vpn
  neighbor ${GOBGP} activate
  network 10.2.0.0/24 rd 65002:100 label 200 route-map RM-RT
 exit-address-family
 !
 address-family ipv6 vpn
  neighbor ${GOBGP} activate
  network 2001:db8:2::/64 rd 65002:100 label 201 route-map RM-RT
 exit-address-family
 !
 address-family l2vpn evpn
  neighbor ${GOBGP} activate
  network 10.20.0.0/24 rd 65002:5000 ethtag 0 label 5000 esi 00:00:00:00:00:00:00:00:00:00 gwip 0.0.0.0 routermac 02:00:00:00:00:02
 exit-address-family
!
`;

// The gobgp CLI commands of RUN.md (everything after `gobgp global rib`).
const INJECT = [
  'evpn add macadv 02:00:00:00:01:01 10.1.0.11 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan nexthop 10.255.0.1 router-mac 02:00:00:00:00:01',
  'evpn add macadv 02:00:00:00:01:02 0.0.0.0 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan nexthop 10.255.0.1',
  'evpn add multicast 10.255.0.1 etag 0 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan pmsi ingress-repl 1001 10.255.0.1 nexthop 10.255.0.1',
  'evpn add prefix 10.10.10.0/24 gw 0.0.0.0 esi 0 etag 0 label 5001 rd 1.1.1.1:5001 rt 65001:5001 encap vxlan router-mac 02:00:00:00:00:01 nexthop 10.255.0.1',
  'evpn add prefix 2001:db8:10::/64 gw :: esi 0 etag 0 label 5001 rd 1.1.1.1:5001 rt 65001:5001 encap vxlan router-mac 02:00:00:00:00:01 nexthop 10.255.0.1',
  'evpn add a-d esi LACP aa:bb:cc:dd:ee:ff 10 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan esi-label 2001 nexthop 10.255.0.1',
  'evpn add esi 10.255.0.1 esi LACP aa:bb:cc:dd:ee:ff 10 rd 1.1.1.1:0 encap vxlan nexthop 10.255.0.1',
  'vpnv4 add 10.1.0.0/24 label 100 rd 65001:100 rt 65001:100 nexthop 10.255.0.1',
  'vpnv4 add 10.1.1.0/24 label 101 rd 1.1.1.1:100 rt 65001:100 nexthop 10.255.0.1 community 65001:1 large-community 65001:1:1',
  'vpnv4 add 10.1.2.0/24 label 103 rd 65001:100 rt 65001:100 rt 65001:200 nexthop 10.255.0.1 med 10 aigp metric 20',
  'vpnv6 add 2001:db8:1::/64 label 102 rd 65001:100 rt 65001:100 nexthop ::ffff:10.255.0.1',
];
const WITHDRAW = 'evpn del macadv 02:00:00:00:01:02 0.0.0.0 etag 0 label 1001 rd 1.1.1.1:1001';

interface Route {
  family: string;
  nlri: VpnNlri | EvpnRoute;
  update: UpdateMessage;
  communities: ExtendedCommunity[];
}

/** Every reachable VPN/EVPN route in the UPDATEs of `msgs`, with the UPDATE that carried it. */
function routesOf(msgs: readonly WireMessage[]): Route[] {
  const out: Route[] = [];
  for (const w of msgs) {
    const m = w.decoded.message;
    if (m.type !== 'update') continue;
    const reach = findAttribute(m, 'MP_REACH_NLRI');
    if (!reach) continue;
    const communities = findAttribute(m, 'EXTENDED_COMMUNITIES')?.communities ?? [];
    for (const n of reach.nlri) {
      if (n.type === 'vpn' || n.type.startsWith('evpn'))
        out.push({
          family: `${reach.afi}/${reach.safi}`,
          nlri: n as VpnNlri | EvpnRoute,
          update: m,
          communities,
        });
    }
  }
  return out;
}

const rdOf = (r: Route) => ('rd' in r.nlri ? formatRd(r.nlri.rd) : '');
const rts = (r: Route) => r.communities.map(formatExtendedCommunity);

describeWithTool(
  ['gobgpd', 'gobgp', '/usr/lib/frr/bgpd', 'vtysh', 'tshark'],
  'gobgpd <-> FRR bgpd: a captured session decoded field by field like tshark',
  () => {
    const dir = scratchDir('filament-interop-frr-');
    let capture: Capture | undefined;
    let gobgp: Gobgpd | undefined;
    let frr: Frr | undefined;
    let cmp: Comparison;
    let frrEvpn = '';
    let frrVpn4 = '';
    let frrVpn6 = '';
    let gobgpEvpn = '';
    let gobgpVpn4 = '';
    let frrNotification = '';

    beforeAll(async () => {
      const gobgpPort = await freePort(GOBGP);
      const frrPort = await freePort(FRR);
      const api = await freePort();
      try {
        capture = await startCapture(dir.path, 'frr', [gobgpPort, frrPort]);
        gobgp = await startGobgpd(
          dir.path,
          'gobgpd',
          {
            as: 65001,
            routerId: '1.1.1.1',
            address: GOBGP,
            port: gobgpPort,
            neighbors: [
              {
                address: FRR,
                as: 65002,
                port: frrPort,
                localAddress: GOBGP,
                families: ['l3vpn-ipv4-unicast', 'l3vpn-ipv6-unicast', 'l2vpn-evpn'],
              },
            ],
          },
          api,
        );
        frr = await startFrrBgpd(dir.path, 'frr', frrConf(gobgpPort), FRR, frrPort);
        const g = gobgp;
        const f = frr;
        await waitFor('session established', () => g.state(FRR) === 'established', 60_000, 500);
        await waitFor(
          'FRR routes at gobgpd',
          () =>
            g.cli(['global', 'rib', '-a', 'evpn']).includes('10.20.0.0') &&
            g.cli(['global', 'rib', '-a', 'vpnv4']).includes('10.2.0.0/24') &&
            g.cli(['global', 'rib', '-a', 'vpnv6']).includes('2001:db8:2::/64'),
          30_000,
        );
        for (const c of INJECT) g.cli(['global', 'rib', '-a', ...c.split(' ')]);
        await waitFor(
          'injected routes at FRR',
          () => {
            const evpn = f.vtysh('show bgp l2vpn evpn json');
            const vpn = f.vtysh('show bgp ipv4 vpn json');
            const vpn6 = f.vtysh('show bgp ipv6 vpn json');
            return (
              ['1.1.1.1:1001', '1.1.1.1:5001', '1.1.1.1:0', '02:00:00:00:01:02'].every((s) =>
                evpn.includes(s),
              ) &&
              ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'].every((s) => vpn.includes(s)) &&
              vpn6.includes('2001:db8:1::/64')
            );
          },
          30_000,
        );
        frrEvpn = f.vtysh('show bgp l2vpn evpn json');
        frrVpn4 = f.vtysh('show bgp ipv4 vpn json');
        frrVpn6 = f.vtysh('show bgp ipv6 vpn json');
        gobgpEvpn = g.cli(['global', 'rib', '-a', 'evpn', '-j']);
        gobgpVpn4 = g.cli(['global', 'rib', '-a', 'vpnv4', '-j']);
        g.cli(['global', 'rib', '-a', ...WITHDRAW.split(' ')]);
        await waitFor(
          'withdrawal at FRR',
          () => !f.vtysh('show bgp l2vpn evpn json').includes('02:00:00:00:01:02'),
          30_000,
        );
        const stats = () =>
          (
            JSON.parse(f.vtysh(`show bgp neighbors ${GOBGP} json`)) as Record<string, Record<string, unknown>>
          )[GOBGP]!;
        f.vtysh(`clear bgp l2vpn evpn ${GOBGP} soft in`);
        await waitFor(
          'ROUTE-REFRESH sent by FRR',
          () => {
            const m = stats().messageStats as { routeRefreshSent?: number } | undefined;
            return (m?.routeRefreshSent ?? 0) >= 1;
          },
          20_000,
        );
        await new Promise((r) => setTimeout(r, 500));
        g.cli(['neighbor', FRR, 'reset']);
        await waitFor(
          'NOTIFICATION at FRR',
          () => {
            const reason = stats().lastNotificationReason;
            if (typeof reason === 'string') frrNotification = reason;
            return frrNotification.length > 0;
          },
          20_000,
        );
      } finally {
        await capture?.stop();
        await frr?.stop();
        await gobgp?.stop();
      }
      cmp = compareCapture(capture!.file, [gobgpPort, frrPort]);
    }, 180_000);

    afterAll(async () => {
      await capture?.stop();
      await frr?.stop();
      await gobgp?.stop();
      dir.cleanup();
    });

    it('every message of every stream equals tshark field by field, with no RFC 7606 problem', () => {
      expect(cmp.differences).toEqual([]);
      expect(cmp.problems).toEqual([]);
      expect(cmp.tsharkErrors).toEqual([]);
      expect(cmp.counts.open).toBeGreaterThanOrEqual(2);
      expect(cmp.counts.keepalive).toBeGreaterThanOrEqual(2);
      // 11 injected + 3 of FRR's own + echoes + a withdrawal + EoRs, and the refresh's re-sends
      expect(cmp.counts.update).toBeGreaterThanOrEqual(16);
      expect(cmp.counts['route-refresh']).toBeGreaterThanOrEqual(1);
      expect(cmp.counts.notification).toBeGreaterThanOrEqual(1);
    });

    const fromGobgp = () => cmp.messages.filter((w) => w.direction.startsWith(`${GOBGP}:`));
    const fromFrr = () => cmp.messages.filter((w) => w.direction.startsWith(`${FRR}:`));

    it("gobgpd's EVPN routes: every type, label and community as injected", () => {
      const r = routesOf(fromGobgp()).filter((x) => x.family === '25/70');
      const mac = r.find((x) => x.nlri.type === 'evpn-mac-ip' && x.nlri.mac === '02:00:00:00:01:01')!;
      expect(mac.nlri).toMatchObject({
        ip: '10.1.0.11',
        ethernetTag: 0,
        esi: '00:00:00:00:00:00:00:00:00:00',
      });
      expect(rdOf(mac)).toBe('1.1.1.1:1001');
      expect(evpnLabelReading(mac.communities)).toBe('vni');
      expect(evpnServiceLabels(mac.nlri, mac.communities)).toEqual({ reading: 'vni', values: [1001] });
      expect(rts(mac)).toEqual(['target:65001:1001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01']);
      const imet = r.find((x) => x.nlri.type === 'evpn-inclusive-multicast')!;
      expect(imet.nlri).toMatchObject({ originator: '10.255.0.1', ethernetTag: 0 });
      const pmsi = findAttribute(imet.update, 'PMSI_TUNNEL')!;
      expect([pmsi.tunnelType, pmsi.labelField, [...pmsi.tunnelId].join('.')]).toEqual([
        6,
        1001,
        '10.255.0.1',
      ]);
      const t5 = r.filter((x) => x.nlri.type === 'evpn-ip-prefix');
      expect(
        t5.map((x) =>
          x.nlri.type === 'evpn-ip-prefix' ? [x.nlri.prefix, x.nlri.gateway, x.nlri.label.vni] : [],
        ),
      ).toEqual(
        expect.arrayContaining([
          ['10.10.10.0/24', '0.0.0.0', 5001],
          ['2001:db8:10::/64', '::', 5001],
        ]),
      );
      const ad = r.find((x) => x.nlri.type === 'evpn-ethernet-ad')!;
      expect(ad.nlri).toMatchObject({ esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00', ethernetTag: 0 });
      const esiLabel = ad.communities.find((c) => c.kind === 'esi-label');
      expect(esiLabel).toMatchObject({ singleActive: false, label: { raw: 2001 } });
      const es = r.find((x) => x.nlri.type === 'evpn-ethernet-segment')!;
      expect(es.nlri).toMatchObject({ esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00', originator: '10.255.0.1' });
      expect(rdOf(es)).toBe('1.1.1.1:0');
      for (const x of r) {
        const reach = findAttribute(x.update, 'MP_REACH_NLRI')!;
        expect(reach.nextHop).toMatchObject({ address: '10.255.0.1' });
      }
      // gobgpd's own RIB (`gobgp global rib -a evpn -j`) holds the same keys
      for (const x of r) expect(gobgpEvpn).toContain(`[rd:${rdOf(x)}]`);
    });

    it("gobgpd's VPNv4/VPNv6 routes: RD, label, communities, large communities, MED, AIGP", () => {
      const r = routesOf(fromGobgp()).filter((x) => x.nlri.type === 'vpn');
      const by = (p: string) => r.find((x) => x.nlri.type === 'vpn' && x.nlri.prefix === p)!;
      const a = by('10.1.0.0/24');
      expect([(a.nlri as VpnNlri).labels, rdOf(a), rts(a)]).toEqual([
        [100],
        '65001:100',
        ['target:65001:100'],
      ]);
      const b = by('10.1.1.0/24');
      expect([(b.nlri as VpnNlri).labels, rdOf(b)]).toEqual([[101], '1.1.1.1:100']);
      expect(findAttribute(b.update, 'COMMUNITIES')?.communities).toEqual(
        [(65001 << 16) | 1].map((x) => x >>> 0),
      );
      expect(findAttribute(b.update, 'LARGE_COMMUNITY')?.communities).toEqual([
        { global: 65001, local1: 1, local2: 1 },
      ]);
      const c = by('10.1.2.0/24');
      expect(rts(c)).toEqual(['target:65001:100', 'target:65001:200']);
      expect(findAttribute(c.update, 'MULTI_EXIT_DISC')?.med).toBe(10);
      expect(findAttribute(c.update, 'AIGP')?.tlvs).toEqual([{ tlvType: 1, metric: 20n }]);
      const d = by('2001:db8:1::/64');
      expect([(d.nlri as VpnNlri).labels, rdOf(d)]).toEqual([[102], '65001:100']);
      expect(findAttribute(d.update, 'MP_REACH_NLRI')?.nextHop).toMatchObject({
        address: '::ffff:10.255.0.1',
      });
      for (const p of ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24']) expect(gobgpVpn4).toContain(p);
      // FRR installed them under the same RD and prefix
      const vpn4 = JSON.parse(frrVpn4) as {
        routes: { routeDistinguishers: Record<string, Record<string, unknown>> };
      };
      expect(Object.keys(vpn4.routes.routeDistinguishers['65001:100'] ?? {})).toEqual(
        expect.arrayContaining(['10.1.0.0/24', '10.1.2.0/24']),
      );
      expect(Object.keys(vpn4.routes.routeDistinguishers['1.1.1.1:100'] ?? {})).toContain('10.1.1.0/24');
      const vpn6 = JSON.parse(frrVpn6) as {
        routes: { routeDistinguishers: Record<string, Record<string, unknown>> };
      };
      expect(Object.keys(vpn6.routes.routeDistinguishers['65001:100'] ?? {})).toContain('2001:db8:1::/64');
    });

    it('FRR shows the EVPN routes gobgpd sent under the RDs we decoded', () => {
      const evpn = JSON.parse(frrEvpn) as Record<string, unknown>;
      for (const x of routesOf(fromGobgp()).filter((y) => y.family === '25/70')) {
        expect(Object.keys(evpn)).toContain(rdOf(x));
      }
    });

    it("FRR's own routes: VPNv4 label 200, VPNv6 label 201, and type-5 label 5000 written as an MPLS label", () => {
      const r = routesOf(fromFrr()).filter((x) =>
        x.update.attributes.some(
          (a) => a.type === 'AS_PATH' && a.segments.length === 1 && a.segments[0]!.asns.length === 1,
        ),
      );
      const v4 = r.find((x) => x.nlri.type === 'vpn' && x.nlri.prefix === '10.2.0.0/24')!;
      expect([(v4.nlri as VpnNlri).labels, rdOf(v4), rts(v4)]).toEqual([
        [200],
        '65002:100',
        ['target:65002:100'],
      ]);
      const v6 = r.find((x) => x.nlri.type === 'vpn' && x.nlri.prefix === '2001:db8:2::/64')!;
      expect([(v6.nlri as VpnNlri).labels, rdOf(v6)]).toEqual([[201], '65002:100']);
      const t5 = r.find((x) => x.nlri.type === 'evpn-ip-prefix')!;
      if (t5.nlri.type !== 'evpn-ip-prefix') throw new Error('no type 5');
      expect([t5.nlri.prefix, rdOf(t5), t5.nlri.label.raw]).toEqual(['10.20.0.0/24', '65002:5000', 0x013881]);
      // no encapsulation community: the RFC 7432 MPLS reading applies, and gives FRR's 5000
      expect(evpnLabelReading(t5.communities)).toBe('mpls');
      expect(evpnServiceLabels(t5.nlri, t5.communities)).toEqual({ reading: 'mpls', values: [5000] });
      expect(rts(t5)).toEqual(['router-mac:02:00:00:00:00:02']);
    });

    it('the withdrawal, the ROUTE-REFRESH and the NOTIFICATION', () => {
      const withdrawn = fromGobgp().flatMap((w) => {
        const m = w.decoded.message;
        return m.type === 'update' ? (findAttribute(m, 'MP_UNREACH_NLRI')?.withdrawn ?? []) : [];
      });
      expect(withdrawn).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'evpn-mac-ip', mac: '02:00:00:00:01:02' })]),
      );
      const rr = fromFrr()
        .map((w) => w.decoded.message)
        .filter((m) => m.type === 'route-refresh');
      expect(rr).toEqual(
        expect.arrayContaining([expect.objectContaining({ afi: 25, safi: 70, subtype: 0 })]),
      );
      const n = fromGobgp()
        .map((w) => w.decoded.message)
        .find((m) => m.type === 'notification');
      expect(n).toMatchObject({ code: 6, subcode: 4 });
      // FRR's reading of the same NOTIFICATION (`show bgp neighbors json`: lastNotificationReason)
      if (n?.type !== 'notification') throw new Error('no NOTIFICATION');
      expect(frrNotification).toBe(`${n.codeName}/${n.subcodeName}`);
    });
  },
);
