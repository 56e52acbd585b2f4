// The Filament speaker against BIRD 2.0.12 on loopback: Established with IPv4 unicast and VPNv4 (BIRD
// 2.0.12 has no EVPN and no RT constraint), graceful restart, route refresh; routes both ways checked with
// `birdc show route ... all` and our Loc-RIB (RD, RT, label, next hop, AS path); withdrawals both ways;
// our ROUTE-REFRESH answered and BIRD's (`reload in`) answered; BIRD's Cease / Administrative Shutdown
// (`disable`) decoded.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BgpSpeaker, type PeerDownEvent, parseExtendedCommunity, parseRd } from '../src/index.js';
import { type Bird, established, startBird } from './support/speaker-daemons.js';

const US = '127.0.3.21';
const BIRD = '127.0.3.22';
const US_PORT = 13187;
const BIRD_PORT = 13186;

const conf = `router id 3.3.3.3;
vpn4 table vpntab;
protocol device { }
protocol static st4 {
  ipv4;
  route 10.3.1.0/24 via "lo";
}
protocol static stvpn {
  vpn4 { table vpntab; };
  route 65003:100 10.3.0.0/24 via "lo" mpls 300;
}
protocol bgp fil {
  local ${BIRD} port ${BIRD_PORT} as 65003;
  neighbor ${US} port ${US_PORT} as 65100;
  multihop;
  hold time 30;
  connect retry time 1;
  error wait time 1, 2;
  graceful restart on;
  enable route refresh on;
  ipv4 { import all; export all; next hop self; };
  vpn4 mpls { table vpntab; import all; export all; next hop self; extended next hop off; };
}
`;

describeWithTool('bird', 'speaker interop: BIRD 2', () => {
  let dir: { path: string; cleanup: () => void };
  let bird: Bird;
  let s: BgpSpeaker;
  const downs: PeerDownEvent[] = [];
  const refreshes: number[] = [];

  beforeAll(async () => {
    dir = scratchDir('speaker-bird-');
    bird = await startBird(dir.path, conf);
    s = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.21',
      listen: [{ host: US, port: US_PORT }],
      gracefulRestart: { restartTime: 60 },
      peers: [
        {
          address: BIRD,
          port: BIRD_PORT,
          asn: 65003,
          localAddress: US,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn'],
          connectRetryTime: 1,
        },
      ],
    });
    s.on('peer-down', (e) => downs.push(e));
    s.on('route-refresh', (e) => refreshes.push(e.subtype));
    await s.start();
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await bird?.stop();
    dir?.cleanup();
  });

  it('reaches Established with the expected capabilities on both sides', async () => {
    const st = await established(s, BIRD);
    expect(st.negotiated?.families).toEqual(['ipv4-unicast', 'ipv4-mpls-vpn']);
    expect(st.negotiated?.fourOctetAs).toBe(true);
    expect(st.negotiated?.routeRefresh).toBe(true);
    expect(st.negotiated?.gracefulRestart).toBe(true);
    expect(st.negotiated?.holdTime).toBe(30);
    const p = bird.birdc('show', 'protocols', 'all', 'fil');
    expect(p).toMatch(/BGP state:\s+Established/);
    const remote = p.slice(p.indexOf('Neighbor capabilities'), p.indexOf('Session:'));
    expect(remote).toContain('AF announced: ipv4 vpn4-mpls');
    expect(remote).toContain('Route refresh');
    expect(remote).toContain('Enhanced refresh');
    expect(remote).toContain('Graceful restart');
    expect(remote).toContain('Restart time: 60');
    expect(remote).toContain('4-octet AS numbers');
  });

  it("receives BIRD's IPv4 and VPNv4 routes", async () => {
    await waitFor(
      'routes from BIRD',
      () => s.ribSize('ipv4-unicast') >= 1 && s.ribSize('ipv4-mpls-vpn') >= 1,
      20_000,
      50,
    );
    const v4 = s.routes('ipv4-unicast').find((r) => r.peer === BIRD)!;
    expect(v4.nlri).toEqual({ type: 'prefix', prefix: '10.3.1.0/24' });
    expect(v4.attrs.asPath).toEqual([{ type: 'sequence', asns: [65003] }]);
    expect(v4.attrs.nextHop).toBe(BIRD);
    const vpn = s.routes('ipv4-mpls-vpn').find((r) => r.peer === BIRD)!;
    expect(vpn.nlri).toMatchObject({
      type: 'vpn',
      rd: { type: 0, asn: 65003, assigned: 100 },
      prefix: '10.3.0.0/24',
    });
    expect((vpn.nlri as { labels: number[] }).labels.length).toBe(1);
  });

  it('sends IPv4 and VPNv4 routes that BIRD shows with AS path, RD, RT, label and next hop', async () => {
    s.announce({
      nlri: { type: 'prefix', prefix: '10.100.0.0/24' },
      nextHop: '10.255.0.21',
      attributes: [{ type: 'COMMUNITIES', communities: [65100 * 65536 + 5] }],
    });
    s.announce({
      nlri: { type: 'vpn', labels: [900], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' },
      nextHop: '10.255.0.21',
      attributes: [
        { type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65100:100')] },
      ],
    });
    await waitFor(
      'BIRD has them',
      () =>
        bird.birdc('show', 'route', 'table', 'vpntab', 'all').includes('10.100.1.0/24') &&
        bird.birdc('show', 'route', 'all').includes('10.100.0.0/24'),
      20_000,
      200,
    );
    const v4 = bird.birdc('show', 'route', '10.100.0.0/24', 'all');
    expect(v4).toMatch(/BGP.as_path: 65100/);
    expect(v4).toMatch(/BGP.next_hop: 10\.255\.0\.21/);
    expect(v4).toMatch(/BGP.community: \(65100,5\)/);
    const vpn = bird.birdc('show', 'route', 'table', 'vpntab', 'all');
    expect(vpn).toContain('65100:100 10.100.1.0/24');
    expect(vpn).toMatch(/BGP.mpls_label_stack: 900/);
    expect(vpn).toMatch(/BGP.ext_community: \(rt, 65100, 100\)/);
  });

  it('route refresh: BIRD answers ours, we answer BIRD', async () => {
    refreshes.length = 0;
    bird.birdc('reload', 'in', 'fil');
    await waitFor('ROUTE-REFRESH from BIRD', () => refreshes.includes(0), 15_000, 50);
    // ours: BIRD re-sends its routes between Begin- and End-of-RIB-Route-Refresh (RFC 7313); after the
    // EoRR sweep its route is still here
    refreshes.length = 0;
    s.refresh(BIRD, 'ipv4-mpls-vpn');
    await waitFor(
      'BoRR and EoRR from BIRD',
      () => refreshes.includes(1) && refreshes.includes(2),
      15_000,
      50,
    );
    expect(s.routes('ipv4-mpls-vpn').some((r) => r.peer === BIRD && !r.stale)).toBe(true);
    expect(bird.birdc('show', 'route', 'table', 'vpntab', 'all')).toContain('10.100.1.0/24');
  });

  it('withdrawals travel both ways', async () => {
    s.withdraw({ nlri: { type: 'vpn', labels: [], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' } });
    bird.birdc('disable', 'st4');
    await waitFor(
      'withdrawn',
      () =>
        !bird.birdc('show', 'route', 'table', 'vpntab', 'all').includes('10.100.1.0/24') &&
        !s.routes('ipv4-unicast').some((r) => r.peer === BIRD),
      20_000,
      200,
    );
    expect(bird.birdc('show', 'route', 'all')).toContain('10.100.0.0/24');
  });

  it("decodes BIRD's Cease / Administrative Shutdown and comes back after enable", async () => {
    downs.length = 0;
    bird.birdc('disable', 'fil');
    await waitFor('peer down', () => downs.length > 0, 15_000, 50);
    expect(downs[0]!.notification).toMatchObject({
      code: 6,
      subcode: 2,
      codeName: 'Cease',
      subcodeName: 'Administrative Shutdown',
    });
    bird.birdc('enable', 'fil');
    await established(s, BIRD);
    await waitFor(
      'BIRD re-learned our route',
      () => bird.birdc('show', 'route', 'all').includes('10.100.0.0/24'),
      20_000,
      200,
    );
  });
});
