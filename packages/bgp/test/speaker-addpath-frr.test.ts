// Add-path (RFC 7911) and extended messages (RFC 8654) between the Filament speaker (A) and FRR 8.4 bgpd
// (-Z) on loopback. FRR sends all paths to A (`neighbor A addpath-tx-all-paths`) and takes several paths
// from A (FRR offers add-path receive on its own); A offers add-path send and receive. A helper Filament
// speaker (B, no add-path) peers with both, so that each side has two paths for one prefix: A's for
// 10.29.1.0/24 (injected + B's), FRR's for 10.29.2.0/24 (its `network` + B's). Both Filament speakers
// offer extended messages, which FRR 8.4 offers by default; a route with 1,200 communities (an UPDATE of
// about 4,900 bytes, more than the 4,096 of RFC 4271) then travels A -> FRR, and B -> FRR -> A.
// Checked with vtysh JSON (capabilities, paths per neighbour with their received path ids, community
// counts) and our Adj-RIB-In (path ids, attributes). Next hops we give FRR are 10.255.29.x (FRR treats
// 127/8 next hops as martian).
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BgpSpeaker, type PathAttribute } from '../src/index.js';
import { established, type Frr, frrRouterBgp, startFrr } from './support/speaker-daemons.js';

const FRR = '127.0.29.2';
const A = '127.0.29.1';
const B = '127.0.29.3';
const FRR_PORT = 29179;
const A_PORT = 29180;
const B_PORT = 29182;
const BIG = 1200;

const conf = `${frrRouterBgp({
  hostname: 'frr-addpath-test',
  asn: 65002,
  routerId: '2.2.2.29',
  source: FRR,
  peers: [
    [A, 65100, A_PORT],
    [B, 65101, B_PORT],
  ],
})} !
 address-family ipv4 unicast
  network 10.29.2.0/24
  neighbor ${A} activate
  neighbor ${A} addpath-tx-all-paths
  neighbor ${B} activate
 exit-address-family
!
`;

interface FrrPath {
  peer?: { peerId?: string };
  peerId?: string;
  addpathRxId?: number;
  addpathTxId?: number;
  aspath?: { string?: string };
  path?: string;
  community?: { string?: string; list?: string[] };
  nexthops?: { ip?: string }[];
}

const communities = (first: number): PathAttribute => ({
  type: 'COMMUNITIES',
  communities: Array.from({ length: BIG }, (_, i) => ((first << 16) | (i + 1)) >>> 0),
});

describeWithTool(
  '/usr/lib/frr/bgpd',
  'speaker add-path (RFC 7911) and extended messages (RFC 8654) with FRR bgpd',
  () => {
    let dir: { path: string; cleanup: () => void };
    let frr: Frr;
    let a: BgpSpeaker;
    let b: BgpSpeaker;

    const frrPaths = (prefix: string): FrrPath[] => {
      const j = JSON.parse(frr.vtysh(`show bgp ipv4 unicast ${prefix} json`)) as { paths?: FrrPath[] };
      return j.paths ?? [];
    };
    const peerOf = (p: FrrPath) => p.peer?.peerId ?? p.peerId;
    const asPathOf = (p: FrrPath) => p.aspath?.string ?? p.path;
    const fromA = (prefix: string) => frrPaths(prefix).filter((p) => peerOf(p) === A);
    const ourPathsFromFrr = (prefix: string) =>
      a
        .adjRibIn(FRR, 'ipv4-unicast')
        // FRR also sends back the paths it learned from A (all paths): those fail our AS-loop check
        .filter((r) => r.accepted && r.nlri.type === 'prefix' && r.nlri.prefix === prefix);

    beforeAll(async () => {
      dir = scratchDir('speaker-addpath-frr-');
      frr = await startFrr(dir.path, conf, FRR, FRR_PORT);
      a = new BgpSpeaker({
        asn: 65100,
        routerId: '10.0.29.1',
        listen: [{ host: A, port: A_PORT }],
        peers: [
          {
            address: FRR,
            port: FRR_PORT,
            asn: 65002,
            localAddress: A,
            addPathReceive: ['ipv4-unicast'],
            addPathSend: ['ipv4-unicast'],
            extendedMessage: true,
            nextHop: '10.255.29.1',
            connectRetryTime: 1,
          },
          { address: B, port: B_PORT, asn: 65101, localAddress: A, passive: true },
        ],
      });
      b = new BgpSpeaker({
        asn: 65101,
        routerId: '10.0.29.3',
        listen: [{ host: B, port: B_PORT }],
        peers: [
          { address: A, port: A_PORT, asn: 65100, localAddress: B, connectRetryTime: 1 },
          {
            address: FRR,
            port: FRR_PORT,
            asn: 65002,
            localAddress: B,
            extendedMessage: true,
            nextHop: '10.255.29.3',
            connectRetryTime: 1,
          },
        ],
      });
      a.announce({ nlri: { type: 'prefix', prefix: '10.29.1.0/24' }, nextHop: '10.255.29.1' });
      b.announce({ nlri: { type: 'prefix', prefix: '10.29.1.0/24' }, nextHop: '10.255.29.3' });
      b.announce({ nlri: { type: 'prefix', prefix: '10.29.2.0/24' }, nextHop: '10.255.29.3' });
      // one route too big for a 4,096-byte UPDATE each way
      a.announce({
        nlri: { type: 'prefix', prefix: '10.29.4.0/24' },
        nextHop: '10.255.29.1',
        attributes: [communities(65100)],
      });
      b.announce({
        nlri: { type: 'prefix', prefix: '10.29.3.0/24' },
        nextHop: '10.255.29.3',
        attributes: [communities(65101)],
      });
      await a.start();
      await b.start();
    }, 120_000);

    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await frr?.stop();
      dir?.cleanup();
    });

    it('negotiates add-path and extended messages with FRR', async () => {
      const st = await established(a, FRR);
      await established(b, FRR);
      await established(b, A);
      expect(st.negotiated?.addPathReceive).toEqual(['ipv4-unicast']);
      expect(st.negotiated?.addPathSend).toEqual(['ipv4-unicast']);
      expect(st.negotiated?.extendedMessage).toBe(true);
      const j = JSON.parse(frr.vtysh(`show bgp neighbors ${A} json`)) as Record<
        string,
        { bgpState?: string; neighborCapabilities?: Record<string, unknown> }
      >;
      const n = j[A]!;
      expect(n.bgpState).toBe('Established');
      const caps = n.neighborCapabilities ?? {};
      expect(caps.extendedMessage).toBe('advertisedAndReceived');
      expect(JSON.stringify(caps.addPath)).toMatch(/ipv4Unicast/);
      const ap = (caps.addPath as Record<string, Record<string, boolean>>).ipv4Unicast!;
      expect(ap.txAdvertisedAndReceived).toBe(true);
      expect(ap.rxAdvertisedAndReceived).toBe(true);
    });

    it('sends FRR both of our paths for one prefix, under different path identifiers', async () => {
      const paths = await waitFor(
        'two paths for 10.29.1.0/24 from A at FRR',
        () => {
          const p = fromA('10.29.1.0/24');
          return p.length >= 2 ? p : undefined;
        },
        30_000,
        200,
      );
      expect(paths).toHaveLength(2);
      expect(new Set(paths.map((p) => p.addpathRxId)).size).toBe(2);
      expect(paths.map(asPathOf).sort()).toEqual(['65100', '65100 65101']);
    });

    it("receives FRR's two paths for one prefix, under different path identifiers", async () => {
      const paths = await waitFor(
        'two paths for 10.29.2.0/24 from FRR in our Adj-RIB-In',
        () => {
          const p = ourPathsFromFrr('10.29.2.0/24');
          return p.length >= 2 ? p : undefined;
        },
        30_000,
        100,
      );
      expect(paths).toHaveLength(2);
      expect(new Set(paths.map((p) => p.pathId)).size).toBe(2);
      expect(paths.map((p) => JSON.stringify(p.attrs.asPath)).sort()).toEqual([
        JSON.stringify([{ type: 'sequence', asns: [65002, 65101] }]),
        JSON.stringify([{ type: 'sequence', asns: [65002] }]),
      ]);
      // FRR's own view: each of its paths has its own TX path id, and those are the ids we got
      const frrSide = frrPaths('10.29.2.0/24').filter((p) => peerOf(p) !== A);
      const txIds = frrSide.map((p) => p.addpathTxId).sort();
      expect(new Set(txIds).size).toBe(2);
      expect(paths.map((p) => p.pathId).sort()).toEqual(txIds);
    });

    it('carries routes too big for 4,096-byte UPDATEs both ways', async () => {
      const atFrr = await waitFor('10.29.4.0/24 from A at FRR', () => fromA('10.29.4.0/24')[0], 30_000, 200);
      const list = atFrr.community?.list ?? atFrr.community?.string?.split(' ') ?? [];
      expect(list).toHaveLength(BIG);
      expect(list[0]).toBe('65100:1');
      expect(list[BIG - 1]).toBe(`65100:${BIG}`);
      const ours = await waitFor(
        "B's big route through FRR in our Adj-RIB-In",
        () => ourPathsFromFrr('10.29.3.0/24')[0],
        30_000,
        100,
      );
      const c = ours.attrs.attributes.find((x) => x.type === 'COMMUNITIES');
      expect(c?.type === 'COMMUNITIES' && c.communities.length).toBe(BIG);
      expect(ours.attrs.asPath).toEqual([{ type: 'sequence', asns: [65002, 65101] }]);
      expect(a.peers().find((p) => p.address === FRR)?.state).toBe('Established');
    });

    it('does not send those routes on the A-B session, which has no extended messages', async () => {
      const prefixes = (s: BgpSpeaker, peer: string) =>
        s.adjRibIn(peer, 'ipv4-unicast').map((r) => (r.nlri.type === 'prefix' ? r.nlri.prefix : ''));
      await waitFor(
        'A and B exchanged their small routes',
        () => prefixes(b, A).includes('10.29.1.0/24'),
        30_000,
      );
      await waitFor('B idle towards A', () => b.peers().find((p) => p.address === A)?.backlog === 0, 10_000);
      await waitFor('A idle towards B', () => a.peers().find((p) => p.address === B)?.backlog === 0, 10_000);
      expect(prefixes(b, A)).not.toContain('10.29.4.0/24');
      expect(prefixes(a, B)).not.toContain('10.29.3.0/24');
      expect(prefixes(a, B)).toContain('10.29.1.0/24');
      for (const [s, peer] of [
        [a, B],
        [b, A],
      ] as const) {
        const st = s.peers().find((p) => p.address === peer)!;
        expect(st.negotiated?.extendedMessage).toBe(false);
        expect(st.state).toBe('Established');
      }
    });

    it('withdrawing one path on either side leaves the other path in place', async () => {
      b.withdraw({ nlri: { type: 'prefix', prefix: '10.29.2.0/24' } });
      const left = await waitFor(
        'one FRR path left for 10.29.2.0/24',
        () => {
          const p = ourPathsFromFrr('10.29.2.0/24');
          return p.length === 1 ? p : undefined;
        },
        30_000,
        100,
      );
      expect(left[0]!.attrs.asPath).toEqual([{ type: 'sequence', asns: [65002] }]);
      a.withdraw({ nlri: { type: 'prefix', prefix: '10.29.1.0/24' } });
      const rest = await waitFor(
        'one path from A left at FRR',
        () => {
          const p = fromA('10.29.1.0/24');
          return p.length === 1 ? p : undefined;
        },
        30_000,
        200,
      );
      expect(asPathOf(rest[0]!)).toBe('65100 65101');
    });
  },
);
