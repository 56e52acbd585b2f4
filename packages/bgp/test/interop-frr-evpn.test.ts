// EVPN types 2 and 3 as FRR 8.4 originates them from a kernel VXLAN (zebra + bgpd, `advertise-all-vni`,
// ../shared/ref/bgp-peers/RUN.md variant A), against gobgpd 3.10, all inside a network namespace this test
// makes (its own loopback, bridge, VXLAN device and veth; removed afterwards). A static FDB entry and a
// permanent neighbour give FRR a MAC and a MAC+IP route for VNI 100; gobgpd injects a MAC/IP route with the
// same route target, which FRR imports into VNI 100 and installs in the kernel FDB towards gobgpd's VTEP.
// The capture is compared field by field with tshark; the label fields are read as VNIs (encapsulation
// VXLAN): FRR writes an L2 VNI as its raw 24 bits here (unlike the MPLS-shifted label of a type-5
// `network ... label` route), and both sides agree on VNI 100, as FRR's `show evpn mac vni 100 json` shows.

import type { Daemon } from '@filament/testkit';
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type EvpnRoute,
  evpnLabelReading,
  evpnServiceLabels,
  findAttribute,
  formatExtendedCommunity,
  formatRd,
  type UpdateMessage,
} from '../src/index.js';
import {
  type Capture,
  createNetns,
  type Frr,
  type Gobgpd,
  type Netns,
  startCapture,
  startFrrBgpd,
  startFrrZebra,
  startGobgpd,
} from './support/daemons.js';
import { type Comparison, compareCapture } from './support/wire-compare.js';

const GOBGP = '10.255.0.1';
const FRR = '10.255.0.2';
// gobgpd's VTEP: not an address of the namespace (FRR ignores routes whose next hop is its own address),
// reachable through tv1 so that FRR's next-hop tracking resolves it
const VTEP = '10.255.0.11';
const GOBGP_PORT = 12279;
const FRR_PORT = 12280;
const API = 52279;

const frrConf = `frr defaults traditional
hostname frr-evpn
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${GOBGP} remote-as 65001
 neighbor ${GOBGP} port ${GOBGP_PORT}
 neighbor ${GOBGP} update-source ${FRR}
 neighbor ${GOBGP} disable-connected-check
 neighbor ${GOBGP} timers connect 1
 address-family l2vpn evpn
  neighbor ${GOBGP} activate
  advertise-all-vni
 exit-address-family
`;

const root = typeof process.getuid === 'function' && process.getuid() === 0;

describeWithTool(
  ['ip', 'bridge', 'gobgpd', 'gobgp', '/usr/lib/frr/zebra', '/usr/lib/frr/bgpd', 'vtysh', 'tshark'],
  `FRR (zebra, kernel VXLAN) <-> gobgpd: EVPN types 2 and 3 with VNIs${root ? '' : ' [skipped: needs root]'}`,
  () => {
    if (!root) {
      it.skip('needs root for a network namespace', () => {});
      return;
    }
    const dir = scratchDir('filament-interop-frr-evpn-');
    let ns: Netns | undefined;
    let capture: Capture | undefined;
    let gobgp: Gobgpd | undefined;
    let zebra: Daemon | undefined;
    let frr: Frr | undefined;
    let cmp: Comparison;
    let frrMacs = '';
    let frrRoutes = '';
    let fdb = '';

    const stopAll = async () => {
      await capture?.stop();
      await frr?.stop();
      await zebra?.stop();
      await gobgp?.stop();
    };

    beforeAll(async () => {
      ns = createNetns(`fil-evpn-${process.pid}`);
      const x = ns;
      try {
        for (const a of [GOBGP, FRR]) x.run('ip', ['addr', 'add', `${a}/32`, 'dev', 'lo']);
        x.run('ip', ['link', 'add', 'br100', 'type', 'bridge']);
        x.run('ip', [
          'link',
          'add',
          'vxlan100',
          'type',
          'vxlan',
          'id',
          '100',
          'local',
          FRR,
          'dstport',
          '4789',
          'nolearning',
        ]);
        x.run('ip', ['link', 'set', 'vxlan100', 'master', 'br100']);
        x.run('ip', ['link', 'add', 'tv0', 'type', 'veth', 'peer', 'name', 'tv1']);
        x.run('ip', ['link', 'set', 'tv0', 'master', 'br100']);
        for (const i of ['br100', 'vxlan100', 'tv0', 'tv1']) x.run('ip', ['link', 'set', i, 'up']);
        x.run('ip', ['addr', 'add', '10.100.0.1/24', 'dev', 'br100']);
        x.run('bridge', ['fdb', 'add', '02:aa:bb:cc:dd:01', 'dev', 'tv0', 'master', 'static']);
        x.run('ip', [
          'neigh',
          'replace',
          '10.100.0.5',
          'lladdr',
          '02:aa:bb:cc:dd:01',
          'dev',
          'br100',
          'nud',
          'permanent',
        ]);
        x.run('ip', ['route', 'add', `${VTEP}/32`, 'dev', 'tv1']);

        capture = await startCapture(dir.path, 'evpn', [GOBGP_PORT, FRR_PORT], x.name);
        gobgp = await startGobgpd(
          dir.path,
          'gobgpd',
          {
            as: 65001,
            routerId: '1.1.1.1',
            address: GOBGP,
            port: GOBGP_PORT,
            neighbors: [
              { address: FRR, as: 65002, port: FRR_PORT, localAddress: GOBGP, families: ['l2vpn-evpn'] },
            ],
          },
          API,
          x.name,
        );
        zebra = await startFrrZebra(dir.path, 'frr', x.name);
        frr = await startFrrBgpd(dir.path, 'frr', frrConf, FRR, FRR_PORT, { zebra: true, netns: x.name });
        const g = gobgp;
        const f = frr;
        await waitFor('session established', () => g.state(FRR) === 'established', 60_000, 500);
        await waitFor(
          "FRR's type-2 and type-3 routes at gobgpd",
          () => {
            const rib = g.cli(['global', 'rib', '-a', 'evpn']);
            return (
              rib.includes('10.100.0.5') &&
              rib.includes('[mac:02:aa:bb:cc:dd:01][ip:<nil>]') &&
              rib.includes('type:multicast')
            );
          },
          30_000,
        );
        g.cli([
          'global',
          'rib',
          '-a',
          'evpn',
          'add',
          'macadv',
          '02:00:00:00:09:01',
          '10.100.0.9',
          'etag',
          '0',
          'label',
          '100',
          'rd',
          '1.1.1.1:100',
          'rt',
          '65002:100',
          'encap',
          'vxlan',
          'nexthop',
          VTEP,
        ]);
        await waitFor(
          'remote MAC in FRR',
          () => f.vtysh('show evpn mac vni 100').includes('02:00:00:00:09:01'),
          30_000,
        );
        frrMacs = f.vtysh('show evpn mac vni 100 json');
        frrRoutes = f.vtysh('show bgp l2vpn evpn json');
        await waitFor(
          'remote MAC in the kernel FDB',
          () => {
            fdb = x.run('bridge', ['fdb', 'show', 'dev', 'vxlan100']);
            return fdb.includes('02:00:00:00:09:01');
          },
          20_000,
        );
      } finally {
        await stopAll();
      }
      cmp = compareCapture(capture!.file, [GOBGP_PORT, FRR_PORT]);
    }, 180_000);

    afterAll(async () => {
      await stopAll();
      ns?.remove();
      dir.cleanup();
    });

    const routes = (from: string) =>
      cmp.messages
        .filter((w) => w.direction.startsWith(`${from}:`))
        .map((w) => w.decoded.message)
        .filter((m): m is UpdateMessage => m.type === 'update')
        .flatMap((m) =>
          (findAttribute(m, 'MP_REACH_NLRI')?.nlri ?? []).map((n) => ({
            n: n as EvpnRoute,
            m,
            communities: findAttribute(m, 'EXTENDED_COMMUNITIES')?.communities ?? [],
          })),
        );

    it('every message of every stream equals tshark field by field, with no RFC 7606 problem', () => {
      expect(cmp.differences).toEqual([]);
      expect(cmp.problems).toEqual([]);
      expect(cmp.tsharkErrors).toEqual([]);
      expect(cmp.counts.update).toBeGreaterThanOrEqual(4);
    });

    it("FRR's type-2 (MAC, MAC+IP) and type-3 routes carry VNI 100 as 24 raw bits, with VXLAN encapsulation", () => {
      const r = routes(FRR);
      const macIp = r.find((x) => x.n.type === 'evpn-mac-ip' && x.n.ip === '10.100.0.5')!;
      const mac = r.find(
        (x) => x.n.type === 'evpn-mac-ip' && x.n.mac === '02:aa:bb:cc:dd:01' && x.n.ip === undefined,
      )!;
      for (const x of [macIp, mac]) {
        if (x.n.type !== 'evpn-mac-ip') throw new Error('not type 2');
        expect(x.n.label1.raw).toBe(100);
        expect(evpnLabelReading(x.communities)).toBe('vni');
        expect(evpnServiceLabels(x.n, x.communities)).toEqual({ reading: 'vni', values: [100] });
        expect(x.communities.map(formatExtendedCommunity)).toEqual(
          expect.arrayContaining(['target:65002:100', 'encap:vxlan']),
        );
        expect(findAttribute(x.m, 'MP_REACH_NLRI')?.nextHop).toMatchObject({ address: FRR });
      }
      const imet = r.find((x) => x.n.type === 'evpn-inclusive-multicast')!;
      expect(imet.n).toMatchObject({ originator: FRR, ethernetTag: 0 });
      const pmsi = findAttribute(imet.m, 'PMSI_TUNNEL')!;
      expect([pmsi.tunnelType, pmsi.labelField, [...pmsi.tunnelId].join('.')]).toEqual([6, 100, FRR]);
      // FRR's own table lists the routes under the RD we decoded
      expect(Object.keys(JSON.parse(frrRoutes) as object)).toContain(
        formatRd((macIp.n as { rd: Parameters<typeof formatRd>[0] }).rd),
      );
    });

    it("FRR reads gobgpd's MAC/IP route as VNI 100 towards gobgpd's VTEP, as we do", () => {
      const g = routes(GOBGP).find((x) => x.n.type === 'evpn-mac-ip' && x.n.mac === '02:00:00:00:09:01')!;
      if (g.n.type !== 'evpn-mac-ip') throw new Error('not type 2');
      expect(evpnServiceLabels(g.n, g.communities)).toEqual({ reading: 'vni', values: [100] });
      const macs = JSON.parse(frrMacs) as { macs?: Record<string, { type: string; remoteVtep?: string }> };
      const entry =
        macs.macs?.['02:00:00:00:09:01'] ??
        (macs as Record<string, { type: string; remoteVtep?: string }>)['02:00:00:00:09:01'];
      expect(entry).toMatchObject({ type: 'remote', remoteVtep: VTEP });
      expect(fdb).toMatch(new RegExp(`02:00:00:00:09:01 dst ${VTEP.replaceAll('.', '\\.')}`));
      expect(findAttribute(g.m, 'MP_REACH_NLRI')?.nextHop).toMatchObject({ address: VTEP });
    });
  },
);
