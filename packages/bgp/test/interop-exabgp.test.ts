// gobgpd 3.10 (AS 4200000001) <-> ExaBGP 4.2 with `asn4 disable` on loopback, captured with tshark: a
// 2-octet-AS session, so gobgpd writes AS_TRANS (23456) in its OPEN and AS_PATH, and the real AS in
// AS4_PATH (RFC 6793 4.2.2). ExaBGP (which cannot send EVPN) announces VPNv4 routes with communities,
// large communities and several route targets, and an IPv4 unicast route; gobgpd's are injected with the
// gobgp CLI. Every message is decoded here (2-octet context, as negotiated) and compared field by field with
// tshark, and gobgpd's routes are compared with what ExaBGP's API process received (its own JSON decode).
import { readFileSync } from 'node:fs';
import { describeWithTool, freePort, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findAttribute, formatExtendedCommunity, formatRd, type UpdateMessage } from '../src/index.js';
import {
  type Capture,
  type ExaBgp,
  type Gobgpd,
  startCapture,
  startExabgp,
  startGobgpd,
} from './support/daemons.js';
import { type Comparison, compareCapture } from './support/wire-compare.js';

const GOBGP = '127.0.14.1';
const EXA = '127.0.14.4';

const exaConf = (exaPort: number, gobgpPort: number) => `process recv {
    run $RECV;
    encoder json;
}
neighbor ${GOBGP} {
    router-id 4.4.4.4;
    local-address ${EXA};
    local-as 65004;
    peer-as 23456;
    hold-time 90;
    listen ${exaPort};
    connect ${gobgpPort};
    family {
        ipv4 unicast;
        ipv4 mpls-vpn;
    }
    capability {
        route-refresh;
        asn4 disable;
    }
    api {
        processes [ recv ];
        receive { parsed; update; open; notification; refresh; }
    }
    static {
        route 10.4.0.0/24 rd 65004:100 next-hop 10.255.0.4 label 400 extended-community [ target:65004:100 ];
        route 10.4.1.0/24 rd 4.4.4.4:100 next-hop 10.255.0.4 label 401 extended-community [ target:65004:100 target:65001:100 ] community [ 65004:1 ] large-community [ 65004:1:1 ];
        route 10.80.0.0/24 next-hop 10.255.0.8 community [ 65004:2 ] med 20;
    }
}
`;

const INJECT = [
  'ipv4 add 10.1.5.0/24 nexthop 10.255.0.1 community 65001:5 large-community 4200000001:5:5',
  'vpnv4 add 10.1.0.0/24 label 100 rd 65001:100 rt 65001:100 nexthop 10.255.0.1',
  'vpnv4 add 10.1.1.0/24 label 101 rd 1.1.1.1:100 rt 65001:100 nexthop 10.255.0.1 community 65001:1 large-community 65001:1:1',
];

describeWithTool(
  ['gobgpd', 'gobgp', 'exabgp', 'tshark'],
  'gobgpd (4-octet AS) <-> ExaBGP (2-octet AS): a captured session decoded field by field like tshark',
  () => {
    const dir = scratchDir('filament-interop-exabgp-');
    let capture: Capture | undefined;
    let gobgp: Gobgpd | undefined;
    let exa: ExaBgp | undefined;
    let cmp: Comparison;
    let received = '';

    beforeAll(async () => {
      const gobgpPort = await freePort(GOBGP);
      const exaPort = await freePort(EXA);
      const api = await freePort();
      try {
        capture = await startCapture(dir.path, 'exabgp', [gobgpPort, exaPort]);
        gobgp = await startGobgpd(
          dir.path,
          'gobgpd',
          {
            as: 4200000001,
            routerId: '1.1.1.1',
            address: GOBGP,
            port: gobgpPort,
            neighbors: [
              {
                address: EXA,
                as: 65004,
                port: exaPort,
                localAddress: GOBGP,
                families: ['ipv4-unicast', 'l3vpn-ipv4-unicast'],
              },
            ],
          },
          api,
        );
        exa = await startExabgp(dir.path, 'exabgp', exaConf(exaPort, gobgpPort));
        const g = gobgp;
        const e = exa;
        await waitFor('session established', () => g.state(EXA) === 'established', 60_000, 500);
        await waitFor(
          "ExaBGP's routes at gobgpd",
          () =>
            g.cli(['neighbor', EXA, 'adj-in', '-a', 'vpnv4']).includes('10.4.1.0/24') &&
            g.cli(['neighbor', EXA, 'adj-in', '-a', 'ipv4']).includes('10.80.0.0/24'),
          30_000,
        );
        for (const c of INJECT) g.cli(['global', 'rib', '-a', ...c.split(' ')]);
        await waitFor(
          'injected routes at ExaBGP',
          () => {
            const r = readFileSync(e.received, 'utf8');
            return ['10.1.5.0/24', '10.1.0.0/24', '10.1.1.0/24'].every((p) => r.includes(p));
          },
          30_000,
        );
        received = readFileSync(e.received, 'utf8');
      } finally {
        await capture?.stop();
        await exa?.stop();
        await gobgp?.stop();
      }
      cmp = compareCapture(capture!.file, [gobgpPort, exaPort]);
    }, 180_000);

    afterAll(async () => {
      await capture?.stop();
      await exa?.stop();
      await gobgp?.stop();
      dir.cleanup();
    });

    const updates = (from: string): UpdateMessage[] =>
      cmp.messages
        .filter((w) => w.direction.startsWith(`${from}:`))
        .map((w) => w.decoded.message)
        .filter((m): m is UpdateMessage => m.type === 'update');

    it('every message of every stream equals tshark field by field, with no RFC 7606 problem', () => {
      expect(cmp.differences).toEqual([]);
      expect(cmp.problems).toEqual([]);
      expect(cmp.tsharkErrors).toEqual([]);
      expect(cmp.counts.open).toBeGreaterThanOrEqual(2);
      expect(cmp.counts.update).toBeGreaterThanOrEqual(6);
    });

    it('2-octet AS session: AS_TRANS in OPEN and AS_PATH, the real AS in the capability and AS4_PATH', () => {
      const open = cmp.messages.find(
        (w) => w.direction.startsWith(`${GOBGP}:`) && w.decoded.message.type === 'open',
      )!.decoded.message;
      expect(open).toMatchObject({ myAs: 23456 });
      const exaOpen = cmp.messages.find(
        (w) => w.direction.startsWith(`${EXA}:`) && w.decoded.message.type === 'open',
      )!.decoded.message;
      if (exaOpen.type !== 'open') throw new Error('no OPEN');
      expect(
        exaOpen.parameters
          .flatMap((p) => (p.kind === 'capabilities' ? p.capabilities : []))
          .map((c) => c.type),
      ).not.toContain('four-octet-as');
      const u = updates(GOBGP).find((m) =>
        m.nlri.some((n) => n.type === 'prefix' && n.prefix === '10.1.5.0/24'),
      )!;
      expect(findAttribute(u, 'AS_PATH')?.segments).toEqual([{ type: 'sequence', asns: [23456] }]);
      expect(findAttribute(u, 'AS4_PATH')?.segments).toEqual([{ type: 'sequence', asns: [4200000001] }]);
      expect(findAttribute(u, 'LARGE_COMMUNITY')?.communities).toEqual([
        { global: 4200000001, local1: 5, local2: 5 },
      ]);
      expect(findAttribute(u, 'NEXT_HOP')?.nextHop).toBe('10.255.0.1');
      // ExaBGP's own decode of the same UPDATE merges AS_PATH and AS4_PATH (RFC 6793 4.2.3)
      expect(received).toMatch(/"as-path": \[ 4200000001 \]/);
    });

    it("ExaBGP's routes: RDs, labels, route targets, communities, large communities, MED", () => {
      const vpn = updates(EXA).flatMap((m) => {
        const r = findAttribute(m, 'MP_REACH_NLRI');
        return (r?.nlri ?? []).map((n) => ({ n, m }));
      });
      const a = vpn.find((x) => x.n.type === 'vpn' && x.n.prefix === '10.4.0.0/24')!;
      const b = vpn.find((x) => x.n.type === 'vpn' && x.n.prefix === '10.4.1.0/24')!;
      if (a.n.type !== 'vpn' || b.n.type !== 'vpn') throw new Error('no vpn routes');
      expect([formatRd(a.n.rd), a.n.labels]).toEqual(['65004:100', [400]]);
      expect([formatRd(b.n.rd), b.n.labels]).toEqual(['4.4.4.4:100', [401]]);
      expect(findAttribute(b.m, 'EXTENDED_COMMUNITIES')?.communities.map(formatExtendedCommunity)).toEqual([
        'target:65004:100',
        'target:65001:100',
      ]);
      expect(findAttribute(b.m, 'COMMUNITIES')?.communities).toEqual([((65004 << 16) | 1) >>> 0]);
      expect(findAttribute(b.m, 'LARGE_COMMUNITY')?.communities).toEqual([
        { global: 65004, local1: 1, local2: 1 },
      ]);
      expect(findAttribute(b.m, 'AS_PATH')?.segments).toEqual([{ type: 'sequence', asns: [65004] }]);
      const u = updates(EXA).find((m) =>
        m.nlri.some((n) => n.type === 'prefix' && n.prefix === '10.80.0.0/24'),
      )!;
      expect(findAttribute(u, 'MULTI_EXIT_DISC')?.med).toBe(20);
      expect(findAttribute(u, 'NEXT_HOP')?.nextHop).toBe('10.255.0.8');
    });

    it("gobgpd's VPNv4 routes equal what ExaBGP parsed", () => {
      const lines = received
        .split('\n')
        .filter((l) => l.includes('"announce"'))
        .map(
          (l) =>
            JSON.parse(l) as {
              neighbor: {
                message: {
                  update: {
                    announce: Record<
                      string,
                      Record<string, { nlri: string; rd?: string; label?: number[][] }[]>
                    >;
                  };
                };
              };
            },
        );
      const exaVpn = lines.flatMap((l) =>
        Object.values(l.neighbor.message.update.announce['ipv4 mpls-vpn'] ?? {}).flat(),
      );
      const ours = updates(GOBGP).flatMap((m) => findAttribute(m, 'MP_REACH_NLRI')?.nlri ?? []);
      expect(ours.length).toBeGreaterThanOrEqual(2);
      for (const n of ours) {
        if (n.type !== 'vpn') continue;
        const e = exaVpn.find((x) => x.nlri === n.prefix);
        expect(e?.rd).toBe(formatRd(n.rd));
        expect(e?.label?.[0]?.[0]).toBe(n.labels[0]);
      }
    });
  },
);
