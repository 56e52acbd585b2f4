// IPv4 routes with an IPv6 next hop towards peers that did not negotiate extended next hop (RFC 8950),
// against FRR 8.4 bgpd (-Z) on IPv4 loopback. Two Filament speakers peer with the same FRR, neither
// offering capability 5. Speaker A has no next-hop setting: its IPv4 route with an IPv6 next hop must not
// reach FRR at all (FRR would otherwise get an MP_REACH_NLRI it never agreed to), and a route that had an
// IPv4 next hop and is re-announced with an IPv6 one is withdrawn. Speaker B has an IPv4 `nextHop`
// configured: FRR gets the same route from it with that next hop. Control routes with IPv4 next hops show
// both sessions deliver routes, and an IPv6 route sharing the withheld route's attribute set still goes
// out (the export decision is per family). What FRR holds is read with vtysh JSON.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BgpSpeaker } from '../src/index.js';
import { established, type Frr, frrRouterBgp, startFrr } from './support/speaker-daemons.js';

const FRR = '127.0.27.10';
const A = '127.0.27.11';
const B = '127.0.27.13';
const FRR_PORT = 27180;
const A_PORT = 27181;
const B_PORT = 27182;
const V6_NH = '2001:db8:27::1';
const B_NH = '10.255.27.13';

const conf = `${frrRouterBgp({
  hostname: 'frr-nh-withheld',
  asn: 65002,
  routerId: '2.2.2.27',
  source: FRR,
  peers: [
    [A, 65111, A_PORT],
    [B, 65113, B_PORT],
  ],
})} !
 address-family ipv4 unicast
  neighbor ${A} activate
  neighbor ${B} activate
 exit-address-family
 address-family ipv6 unicast
  neighbor ${A} activate
 exit-address-family
!
`;

interface FrrPath {
  peerId?: string;
  nexthops?: { ip?: string; afi?: string }[];
}

describeWithTool('/usr/lib/frr/bgpd', 'speaker: IPv6 next hops withheld from peers without RFC 8950', () => {
  let dir: { path: string; cleanup: () => void };
  let frr: Frr;
  let a: BgpSpeaker;
  let b: BgpSpeaker;

  const frrPaths = (prefix: string): FrrPath[] => {
    const j = JSON.parse(frr.vtysh(`show bgp ipv4 unicast json`)) as { routes?: Record<string, FrrPath[]> };
    return j.routes?.[prefix] ?? [];
  };
  const from = (prefix: string, peer: string) => frrPaths(prefix).filter((p) => p.peerId === peer);
  const frrV6Paths = (prefix: string): FrrPath[] => {
    const j = JSON.parse(frr.vtysh(`show bgp ipv6 unicast json`)) as { routes?: Record<string, FrrPath[]> };
    return j.routes?.[prefix] ?? [];
  };

  beforeAll(async () => {
    dir = scratchDir('speaker-nh-withheld-');
    frr = await startFrr(dir.path, conf, FRR, FRR_PORT);
    const speaker = (addr: string, asn: number, port: number, families: string[], nextHop?: string) =>
      new BgpSpeaker({
        asn,
        routerId: addr.replace('127.', '10.'),
        listen: [{ host: addr, port }],
        peers: [
          {
            address: FRR,
            port: FRR_PORT,
            asn: 65002,
            localAddress: addr,
            families,
            connectRetryTime: 1,
            ...(nextHop ? { nextHop } : {}),
          },
        ],
      });
    a = speaker(A, 65111, A_PORT, ['ipv4-unicast', 'ipv6-unicast']);
    b = speaker(B, 65113, B_PORT, ['ipv4-unicast'], B_NH);
    for (const s of [a, b]) {
      s.announce({ nlri: { type: 'prefix', prefix: '10.27.10.0/24' }, nextHop: V6_NH });
    }
    a.announce({ nlri: { type: 'prefix', prefix: '10.27.11.0/24' }, nextHop: '10.255.27.11' });
    a.announce({ nlri: { type: 'prefix', prefix: '10.27.14.0/24' }, nextHop: '10.255.27.11' });
    // an IPv6 route with the same attributes and next hop as the withheld IPv4 one (one shared attribute
    // set): it must still go out in its own family
    a.announce({ nlri: { type: 'prefix', prefix: '2001:db8:27:16::/64' }, nextHop: V6_NH });
    await a.start();
    await b.start();
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await frr?.stop();
    dir?.cleanup();
  });

  it('negotiates no extended next hop with FRR on either session', async () => {
    for (const [s, addr] of [
      [a, A],
      [b, B],
    ] as const) {
      const st = await established(s, FRR);
      expect(st.negotiated?.extendedNextHop).toEqual([]);
      expect(st.negotiated?.capabilities).not.toContain('extended-next-hop');
      const j = JSON.parse(frr.vtysh(`show bgp neighbors ${addr} json`)) as Record<
        string,
        { bgpState?: string; neighborCapabilities?: Record<string, unknown> }
      >;
      expect(j[addr]?.bgpState).toBe('Established');
      expect(j[addr]?.neighborCapabilities?.extendedNexthop).toBeUndefined();
    }
  });

  it('withholds the IPv6-next-hop route from a peer without a configured IPv4 next hop', async () => {
    await waitFor('control routes at FRR', () => from('10.27.11.0/24', A).length === 1, 30_000, 200);
    await waitFor('10.27.14.0/24 at FRR', () => from('10.27.14.0/24', A).length === 1, 30_000, 200);
    await waitFor('the IPv6 route at FRR', () => frrV6Paths('2001:db8:27:16::/64').length === 1, 30_000, 200);
    // everything A has for FRR is written (nothing queued): two IPv4 routes and the IPv6 one, not four
    const st = await waitFor(
      'A idle towards FRR',
      () => {
        const p = a.peers()[0]!;
        return p.backlog === 0 && p.outputBuffered === 0 ? p : undefined;
      },
      10_000,
      50,
    );
    expect(st.routesAdvertised).toBe(3);
    expect(from('10.27.10.0/24', A)).toEqual([]);
    expect(a.routes('ipv4-unicast').some((r) => r.attrs.nextHop === V6_NH)).toBe(true);
  });

  it('sends the route with the configured IPv4 next hop instead', async () => {
    const p = await waitFor('B route at FRR', () => from('10.27.10.0/24', B)[0], 30_000, 200);
    expect(p.nexthops?.[0]).toMatchObject({ ip: B_NH, afi: 'ipv4' });
  });

  it('withdraws a route whose next hop becomes IPv6', async () => {
    expect(from('10.27.14.0/24', A)).toHaveLength(1);
    a.announce({ nlri: { type: 'prefix', prefix: '10.27.14.0/24' }, nextHop: V6_NH });
    await waitFor('10.27.14.0/24 withdrawn at FRR', () => from('10.27.14.0/24', A).length === 0, 30_000, 200);
    // the session stayed up and FRR still has the control route
    expect(a.peers()[0]!.state).toBe('Established');
    expect(from('10.27.11.0/24', A)).toHaveLength(1);
  });
});
