// gobgpd 3.10 <-> BIRD 2.0.12 on loopback, captured with tshark: VPNv4, VPNv6, IPv4 and IPv6 unicast
// (BIRD 2.0.12 has no EVPN and no RT-constraint). gobgpd treats an IPv4 unicast UPDATE whose NEXT_HOP is
// in 127/8 as withdrawn ("invalid nexthop address"), and BIRD sends `::` as IPv6 next hop on an IPv4
// session, so BIRD is given explicit next hops. BIRD originates one static route per family; gobgpd's
// are injected with the gobgp CLI. Every message of every TCP stream is decoded here and compared field by
// field with tshark (support/wire-compare.ts: OPEN capabilities including BIRD's graceful restart, LLGR,
// enhanced route refresh; UPDATE attributes and NLRI), and the routes decoded are those each side's CLI
// shows (`birdc show route all`, `gobgp neighbor X adj-in -j`).
import { describeWithTool, freePort, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findAttribute, formatExtendedCommunity, formatRd, type Nlri } from '../src/index.js';
import {
  type Bird,
  type Capture,
  type Gobgpd,
  startBird,
  startCapture,
  startGobgpd,
} from './support/daemons.js';
import { type Comparison, compareCapture } from './support/wire-compare.js';

const GOBGP = '127.0.13.1';
const BIRD = '127.0.13.3';

const birdConf = (dir: string, birdPort: number, gobgpPort: number) => `log "${dir}/bird.log" all;
router id 3.3.3.3;
vpn4 table vpntab;
vpn6 table vpntab6;
protocol device { }
protocol static s4 { ipv4; route 10.3.1.0/24 via "lo"; }
protocol static s6 { ipv6; route 2001:db8:3::/48 via "lo"; }
protocol static vs4 { vpn4 { table vpntab; }; route 65003:100 10.3.0.0/24 via "lo" mpls 300; }
protocol static vs6 { vpn6 { table vpntab6; }; route 65003:100 2001:db8:30::/64 via "lo" mpls 301; }
protocol bgp gobgp {
    local ${BIRD} port ${birdPort} as 65003;
    neighbor ${GOBGP} port ${gobgpPort} as 65001;
    multihop;
    connect retry time 1;
    hold time 90;
    ipv4 { import all; export all; next hop address 10.255.0.3; };
    ipv6 { import all; export all; next hop address 2001:db8::3; };
    vpn4 mpls { table vpntab; import all; export all; };
    vpn6 mpls { table vpntab6; import all; export all; next hop address 2001:db8::3; };
}
`;

const INJECT = [
  'ipv4 add 10.1.5.0/24 nexthop 10.255.0.1 community 65001:5 med 50',
  'ipv6 add 2001:db8:5::/48 nexthop 2001:db8::1',
  'vpnv4 add 10.1.0.0/24 label 100 rd 65001:100 rt 65001:100 nexthop 10.255.0.1',
  'vpnv4 add 10.1.1.0/24 label 101 rd 1.1.1.1:100 rt 65001:100 nexthop 10.255.0.1 community 65001:1 large-community 65001:1:1',
  'vpnv6 add 2001:db8:1::/64 label 102 rd 65001:100 rt 65001:100 nexthop 2001:db8::1',
];

interface Seen {
  afi: number;
  safi: number;
  nlri: Nlri;
  nextHop: string;
}

describeWithTool(
  ['gobgpd', 'gobgp', 'bird', 'birdc', 'tshark'],
  'gobgpd <-> BIRD: a captured session decoded field by field like tshark',
  () => {
    const dir = scratchDir('filament-interop-bird-');
    let capture: Capture | undefined;
    let gobgp: Gobgpd | undefined;
    let bird: Bird | undefined;
    let cmp: Comparison;
    const birdShows: Record<string, string> = {};
    const gobgpAdjIn: Record<string, string> = {};

    beforeAll(async () => {
      const gobgpPort = await freePort(GOBGP);
      const birdPort = await freePort(BIRD);
      const api = await freePort();
      try {
        capture = await startCapture(dir.path, 'bird', [gobgpPort, birdPort]);
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
                address: BIRD,
                as: 65003,
                port: birdPort,
                localAddress: GOBGP,
                families: ['ipv4-unicast', 'ipv6-unicast', 'l3vpn-ipv4-unicast', 'l3vpn-ipv6-unicast'],
              },
            ],
          },
          api,
        );
        bird = await startBird(dir.path, 'bird', birdConf(`${dir.path}/bird`, birdPort, gobgpPort));
        const g = gobgp;
        const b = bird;
        await waitFor('session established', () => g.state(BIRD) === 'established', 60_000, 500);
        for (const c of INJECT) g.cli(['global', 'rib', '-a', ...c.split(' ')]);
        const tables = {
          vpntab: '10.1.1.0/24',
          vpntab6: '2001:db8:1::/64',
          master4: '10.1.5.0/24',
          master6: '2001:db8:5::/48',
        };
        await waitFor(
          'injected routes at BIRD',
          () =>
            Object.entries(tables).every(([t, p]) => b.birdc('show', 'route', 'all', 'table', t).includes(p)),
          30_000,
        );
        await waitFor(
          "BIRD's routes at gobgpd",
          () =>
            ['ipv4', 'ipv6', 'vpnv4', 'vpnv6'].every((a) =>
              g.cli(['neighbor', BIRD, 'adj-in', '-a', a]).includes('65003'),
            ),
          30_000,
        );
        for (const t of Object.keys(tables)) birdShows[t] = b.birdc('show', 'route', 'all', 'table', t);
        for (const a of ['ipv4', 'ipv6', 'vpnv4', 'vpnv6'])
          gobgpAdjIn[a] = g.cli(['neighbor', BIRD, 'adj-in', '-a', a, '-j']);
      } finally {
        await capture?.stop();
        await bird?.stop();
        await gobgp?.stop();
      }
      cmp = compareCapture(capture!.file, [gobgpPort, birdPort]);
    }, 180_000);

    afterAll(async () => {
      await capture?.stop();
      await bird?.stop();
      await gobgp?.stop();
      dir.cleanup();
    });

    const routes = (from: string): Seen[] => {
      const out: Seen[] = [];
      for (const w of cmp.messages) {
        const m = w.decoded.message;
        if (!w.direction.startsWith(`${from}:`) || m.type !== 'update') continue;
        const nh = findAttribute(m, 'NEXT_HOP')?.nextHop ?? '';
        for (const n of m.nlri) out.push({ afi: 1, safi: 1, nlri: n, nextHop: nh });
        const r = findAttribute(m, 'MP_REACH_NLRI');
        if (r) {
          const address = r.nextHop.kind === 'raw' ? '' : r.nextHop.address;
          for (const n of r.nlri) out.push({ afi: r.afi, safi: r.safi, nlri: n, nextHop: address });
        }
      }
      return out;
    };

    it('every message of every stream equals tshark field by field, with no RFC 7606 problem', () => {
      expect(cmp.differences).toEqual([]);
      expect(cmp.problems).toEqual([]);
      expect(cmp.tsharkErrors).toEqual([]);
      expect(cmp.counts.open).toBeGreaterThanOrEqual(2);
      expect(cmp.counts.keepalive).toBeGreaterThanOrEqual(2);
      expect(cmp.counts.update).toBeGreaterThanOrEqual(9);
    });

    it("BIRD's OPEN: graceful restart, LLGR, enhanced route refresh, four families", () => {
      const open = cmp.messages.find(
        (w) => w.direction.startsWith(`${BIRD}:`) && w.decoded.message.type === 'open',
      )!.decoded.message;
      if (open.type !== 'open') throw new Error('no OPEN');
      const caps = open.parameters.flatMap((p) => (p.kind === 'capabilities' ? p.capabilities : []));
      expect(
        caps
          .filter((c) => c.type === 'multiprotocol')
          .map((c) => (c.type === 'multiprotocol' ? `${c.afi}/${c.safi}` : '')),
      ).toEqual(['1/1', '1/128', '2/1', '2/128']);
      expect(caps.map((c) => c.type)).toEqual(
        expect.arrayContaining([
          'route-refresh',
          'graceful-restart',
          'four-octet-as',
          'enhanced-route-refresh',
          'long-lived-graceful-restart',
        ]),
      );
      expect(open).toMatchObject({ bgpId: '3.3.3.3', holdTime: 90, myAs: 65003 });
    });

    it("BIRD's routes as gobgpd saw them: RD, labels, next hops", () => {
      const r = routes(BIRD);
      const v4 = r.find((x) => x.nlri.type === 'prefix' && x.nlri.prefix === '10.3.1.0/24');
      expect(v4?.nextHop).toBe('10.255.0.3');
      const v6 = r.find((x) => x.nlri.type === 'prefix' && x.nlri.prefix === '2001:db8:3::/48');
      expect(v6?.nextHop).toBe('2001:db8::3');
      const vpn4 = r.find((x) => x.nlri.type === 'vpn' && x.nlri.prefix === '10.3.0.0/24')!;
      const vpn6 = r.find((x) => x.nlri.type === 'vpn' && x.nlri.prefix === '2001:db8:30::/64')!;
      for (const [v, fam] of [
        [vpn4, 'vpnv4'],
        [vpn6, 'vpnv6'],
      ] as const) {
        const n = v.nlri;
        if (n.type !== 'vpn') throw new Error('not vpn');
        expect(formatRd(n.rd)).toBe('65003:100');
        // gobgpd's Adj-RIB-In shows the same labels
        const adj = JSON.parse(gobgpAdjIn[fam]!) as Record<
          string,
          { nlri: { prefix: string; labels: number[] } }[]
        >;
        const entry = Object.values(adj)
          .flat()
          .find((e) => e.nlri.prefix === n.prefix);
        expect(entry?.nlri.labels).toEqual(n.labels);
      }
      expect(vpn4.nextHop).toBe(BIRD);
      expect(vpn6.nextHop).toBe('2001:db8::3');
    });

    it("gobgpd's routes as BIRD shows them", () => {
      const r = routes(GOBGP);
      const u = r.find((x) => x.nlri.type === 'prefix' && x.nlri.prefix === '10.1.5.0/24')!;
      expect(u.nextHop).toBe('10.255.0.1');
      expect(birdShows.master4).toMatch(
        /10\.1\.5\.0\/24[\s\S]*BGP\.next_hop: 10\.255\.0\.1[\s\S]*BGP\.med: 50[\s\S]*BGP\.community: \(65001,5\)/,
      );
      const vpn = r.filter((x) => x.nlri.type === 'vpn');
      for (const v of vpn) {
        if (v.nlri.type !== 'vpn') continue;
        const table = v.afi === 1 ? birdShows.vpntab! : birdShows.vpntab6!;
        // BIRD prints `65001:100 10.1.0.0/24` and `BGP.mpls_label_stack: 100`
        expect(table).toContain(`${formatRd(v.nlri.rd)} ${v.nlri.prefix}`);
        expect(table).toContain(`BGP.mpls_label_stack: ${v.nlri.labels.join('/')}`);
      }
      expect(vpn.map((v) => (v.nlri.type === 'vpn' ? v.nlri.prefix : '')).sort()).toEqual([
        '10.1.0.0/24',
        '10.1.1.0/24',
        '2001:db8:1::/64',
      ]);
      const w = cmp.messages.find((x) => {
        const m = x.decoded.message;
        return m.type === 'update' && findAttribute(m, 'LARGE_COMMUNITY') !== undefined;
      })!.decoded.message;
      if (w.type !== 'update') throw new Error('no update');
      expect(findAttribute(w, 'EXTENDED_COMMUNITIES')?.communities.map(formatExtendedCommunity)).toEqual([
        'target:65001:100',
      ]);
      expect(birdShows.vpntab).toContain('BGP.large_community: (65001, 1, 1)');
    });
  },
);
