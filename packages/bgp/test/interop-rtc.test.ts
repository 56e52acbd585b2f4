// gobgpd <-> gobgpd over iBGP on loopback, captured with tshark, for route-target constraint (RFC 4684):
// gobgp has no `global rib add -a rtc`; its RT membership NLRI come from VRF import route targets
// (`gobgp vrf add ... rt import ...`, ../shared/ref/bgp-peers/RUN.md). A imports 65001:600, B imports
// 65001:500 and exports 65001:600; a route added to B's VRF then reaches A as VPNv4 (A's membership asks
// for it). Every message is decoded here and compared field by field with tshark (RTC NLRI: origin AS and
// route target; iBGP LOCAL_PREF), and the RT membership decoded equals the VRF import route targets and
// what each side's `gobgp neighbor X adj-in -a rtc` shows.
import { describeWithTool, freePort, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  findAttribute,
  formatExtendedCommunity,
  formatRd,
  type RtcNlri,
  type UpdateMessage,
} from '../src/index.js';
import { type Capture, type Gobgpd, startCapture, startGobgpd } from './support/daemons.js';
import { type Comparison, compareCapture } from './support/wire-compare.js';

const A = '127.0.15.5';
const B = '127.0.15.6';
const FAMILIES = ['l3vpn-ipv4-unicast', 'rtc'];

describeWithTool(
  ['gobgpd', 'gobgp', 'tshark'],
  'gobgpd <-> gobgpd iBGP: RT-constraint NLRI decoded like tshark',
  () => {
    const dir = scratchDir('filament-interop-rtc-');
    let capture: Capture | undefined;
    let a: Gobgpd | undefined;
    let b: Gobgpd | undefined;
    let cmp: Comparison;
    let adjInA = '';
    let adjInB = '';
    let vpnAtA = '';

    beforeAll(async () => {
      const portA = await freePort(A);
      const portB = await freePort(B);
      try {
        capture = await startCapture(dir.path, 'rtc', [portA, portB]);
        a = await startGobgpd(
          dir.path,
          'a',
          {
            as: 65001,
            routerId: '5.5.5.5',
            address: A,
            port: portA,
            neighbors: [{ address: B, as: 65001, port: portB, localAddress: A, families: FAMILIES }],
          },
          await freePort(),
        );
        b = await startGobgpd(
          dir.path,
          'b',
          {
            as: 65001,
            routerId: '6.6.6.6',
            address: B,
            port: portB,
            neighbors: [{ address: A, as: 65001, port: portA, localAddress: B, families: FAMILIES }],
          },
          await freePort(),
        );
        const ga = a;
        const gb = b;
        await waitFor('session established', () => ga.state(B) === 'established', 60_000, 500);
        ga.cli(['vrf', 'add', 'red', 'rd', '65001:700', 'rt', 'import', '65001:600', 'export', '65001:700']);
        gb.cli(['vrf', 'add', 'blue', 'rd', '65001:600', 'rt', 'import', '65001:500', 'export', '65001:600']);
        await waitFor(
          'RT membership both ways',
          () =>
            ga.cli(['neighbor', B, 'adj-in', '-a', 'rtc']).includes('65001:500') &&
            gb.cli(['neighbor', A, 'adj-in', '-a', 'rtc']).includes('65001:600'),
          30_000,
        );
        gb.cli(['vrf', 'blue', 'rib', '-a', 'ipv4', 'add', '10.6.0.0/24', 'nexthop', '10.255.0.6']);
        await waitFor(
          'the VRF route at A',
          () => ga.cli(['neighbor', B, 'adj-in', '-a', 'vpnv4']).includes('10.6.0.0/24'),
          30_000,
        );
        adjInA = ga.cli(['neighbor', B, 'adj-in', '-a', 'rtc', '-j']);
        vpnAtA = ga.cli(['neighbor', B, 'adj-in', '-a', 'vpnv4', '-j']);
        adjInB = gb.cli(['neighbor', A, 'adj-in', '-a', 'rtc', '-j']);
      } finally {
        await capture?.stop();
        await b?.stop();
        await a?.stop();
      }
      cmp = compareCapture(capture!.file, [portA, portB]);
    }, 180_000);

    afterAll(async () => {
      await capture?.stop();
      await b?.stop();
      await a?.stop();
      dir.cleanup();
    });

    const updates = (from: string): UpdateMessage[] =>
      cmp.messages
        .filter((w) => w.direction.startsWith(`${from}:`))
        .map((w) => w.decoded.message)
        .filter((m): m is UpdateMessage => m.type === 'update');
    const rtc = (from: string): RtcNlri[] =>
      updates(from).flatMap((m) =>
        (findAttribute(m, 'MP_REACH_NLRI')?.nlri ?? []).filter((n): n is RtcNlri => n.type === 'rtc'),
      );

    it('every message of every stream equals tshark field by field, with no RFC 7606 problem', () => {
      expect(cmp.differences).toEqual([]);
      expect(cmp.problems).toEqual([]);
      expect(cmp.tsharkErrors).toEqual([]);
      expect(cmp.counts.update).toBeGreaterThanOrEqual(3);
    });

    it('RT membership NLRI equal the VRF import route targets and what gobgpd shows', () => {
      const fromB = rtc(B);
      const fromA = rtc(A);
      expect(
        fromB.map((n) => [
          n.prefixLength,
          n.originAs,
          n.routeTarget && formatExtendedCommunity(n.routeTarget),
        ]),
      ).toContainEqual([96, 65001, 'target:65001:500']);
      expect(
        fromA.map((n) => [
          n.prefixLength,
          n.originAs,
          n.routeTarget && formatExtendedCommunity(n.routeTarget),
        ]),
      ).toContainEqual([96, 65001, 'target:65001:600']);
      expect(adjInA).toContain('65001:500');
      expect(adjInB).toContain('65001:600');
      // iBGP: LOCAL_PREF on every UPDATE with NLRI
      for (const m of updates(B).filter((u) => findAttribute(u, 'MP_REACH_NLRI'))) {
        expect(findAttribute(m, 'LOCAL_PREF')?.localPref).toBe(100);
      }
    });

    it("the VPNv4 route of B's VRF reaches A with the VRF's RD and export route target", () => {
      const m = updates(B).find((u) =>
        findAttribute(u, 'MP_REACH_NLRI')?.nlri.some((n) => n.type === 'vpn' && n.prefix === '10.6.0.0/24'),
      )!;
      const n = findAttribute(m, 'MP_REACH_NLRI')!.nlri[0]!;
      if (n.type !== 'vpn') throw new Error('not vpn');
      expect(formatRd(n.rd)).toBe('65001:600');
      // the label gobgpd allocated, as A's Adj-RIB-In shows it
      const adj = JSON.parse(vpnAtA) as Record<
        string,
        { nlri: { prefix: string; labels: number[]; rd: unknown } }[]
      >;
      const e = Object.values(adj)
        .flat()
        .find((x) => x.nlri.prefix === '10.6.0.0/24');
      expect(e?.nlri.labels).toEqual(n.labels);
      expect(findAttribute(m, 'EXTENDED_COMMUNITIES')?.communities.map(formatExtendedCommunity)).toEqual([
        'target:65001:600',
      ]);
    });
  },
);
