// The Filament speaker against FRR 8.4 bgpd (run with -Z, no zebra, so every next hop is usable) on
// loopback: Established with IPv4 unicast, VPNv4 and EVPN, graceful restart and enhanced route refresh;
// routes both ways checked with vtysh and our Loc-RIB (FRR originates IPv4, VPNv4 and EVPN type 5 from
// `network` statements; types 2 and 3 need zebra and a kernel VXLAN, so FRR only receives those here);
// withdrawals; FRR's ROUTE-REFRESH (`clear bgp ... soft in`) answered with BoRR / routes / EoRR; FRR's
// OPEN Message Error / Bad Peer AS decoded when a second speaker claims the wrong AS. FRR has no RT
// constraint (no RTC test here). Next hops are 10.255.0.x: FRR treats 127/8 next hops as martian.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BgpSpeaker,
  evpnLabelFromVni,
  type PeerDownEvent,
  parseExtendedCommunity,
  parseRd,
} from '../src/index.js';
import { established, type Frr, startFrr } from './support/speaker-daemons.js';

const US = '127.0.3.11';
const FRR = '127.0.3.12';
const BAD = '127.0.3.13';
const US_PORT = 13184;
const FRR_PORT = 13183;
const BAD_PORT = 13185;

const conf = `frr defaults traditional
hostname frr-speaker-test
log stdout informational
!
route-map RM-RT permit 10
 set extcommunity rt 65002:100
!
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 bgp graceful-restart
 neighbor ${US} remote-as 65100
 neighbor ${US} port ${US_PORT}
 neighbor ${US} update-source ${FRR}
 neighbor ${US} disable-connected-check
 neighbor ${US} timers connect 1
 neighbor ${BAD} remote-as 65105
 neighbor ${BAD} port ${BAD_PORT}
 neighbor ${BAD} update-source ${FRR}
 neighbor ${BAD} disable-connected-check
 neighbor ${BAD} timers connect 1
 !
 address-family ipv4 unicast
  neighbor ${US} activate
  neighbor ${BAD} activate
  network 10.2.1.0/24
 exit-address-family
 !
 address-family ipv4 vpn
  neighbor ${US} activate
  network 10.2.0.0/24 rd 65002:100 label 200 route-map RM-RT
 exit-address-family
 !
 address-family l2vpn evpn
  neighbor ${US} activate
  network 10.20.0.0/24 rd 65002:5000 ethtag 0 label 5000 esi 00:00:00:00:00:00:00:00:00:00 gwip 0.0.0.0 routermac 02:00:00:00:00:02
 exit-address-family
!
`;

describeWithTool('/usr/lib/frr/bgpd', 'speaker interop: FRR bgpd', () => {
  let dir: { path: string; cleanup: () => void };
  let frr: Frr;
  let s: BgpSpeaker;
  const refreshes: number[] = [];
  const downs: PeerDownEvent[] = [];

  beforeAll(async () => {
    dir = scratchDir('speaker-frr-');
    frr = await startFrr(dir.path, conf, FRR, FRR_PORT);
    s = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.11',
      listen: [{ host: US, port: US_PORT }],
      gracefulRestart: { restartTime: 60 },
      peers: [
        {
          address: FRR,
          port: FRR_PORT,
          asn: 65002,
          localAddress: US,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'],
          nextHop: '10.255.0.11',
          connectRetryTime: 1,
        },
      ],
    });
    s.on('route-refresh', (e) => refreshes.push(e.subtype));
    s.on('peer-down', (e) => downs.push(e));
    await s.start();
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await frr?.stop();
    dir?.cleanup();
  });

  it('reaches Established with the expected capabilities on both sides', async () => {
    const st = await established(s, FRR);
    expect(st.negotiated?.families).toEqual(['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn']);
    expect(st.negotiated?.fourOctetAs).toBe(true);
    expect(st.negotiated?.routeRefresh).toBe(true);
    expect(st.negotiated?.enhancedRouteRefresh).toBe(true);
    expect(st.negotiated?.gracefulRestart).toBe(true);
    const j = JSON.parse(frr.vtysh(`show bgp neighbors ${US} json`)) as Record<
      string,
      Record<string, unknown>
    >;
    const n = j[US]!;
    expect(n.bgpState).toBe('Established');
    const caps = n.neighborCapabilities as Record<string, unknown>;
    expect(caps['4byteAs']).toBeDefined();
    expect(JSON.stringify(caps)).toMatch(/enhancedRouteRefresh|routeRefresh/);
    expect(JSON.stringify(caps.multiprotocolExtensions)).toMatch(/ipv4Unicast/);
    expect(JSON.stringify(caps.multiprotocolExtensions)).toMatch(/ipv4Vpn/);
    expect(JSON.stringify(caps.multiprotocolExtensions)).toMatch(/l2VpnEvpn/);
  });

  it("receives FRR's IPv4, VPNv4 and EVPN type 5 routes", async () => {
    await waitFor(
      'routes from FRR',
      () => s.ribSize('ipv4-unicast') >= 1 && s.ribSize('ipv4-mpls-vpn') >= 1 && s.ribSize('l2vpn-evpn') >= 1,
      20_000,
      50,
    );
    const v4 = s.routes('ipv4-unicast').find((r) => r.peer === FRR)!;
    expect(v4.nlri).toEqual({ type: 'prefix', prefix: '10.2.1.0/24' });
    expect(v4.attrs.asPath).toEqual([{ type: 'sequence', asns: [65002] }]);
    const vpn = s.routes('ipv4-mpls-vpn').find((r) => r.peer === FRR)!;
    expect(vpn.nlri).toMatchObject({
      type: 'vpn',
      labels: [200],
      rd: { type: 0, asn: 65002, assigned: 100 },
      prefix: '10.2.0.0/24',
    });
    expect(vpn.attrs.routeTargets).toEqual(['target:65002:100']);
    const t5 = s.routes('l2vpn-evpn').find((r) => r.peer === FRR)!;
    expect(t5.nlri).toMatchObject({
      type: 'evpn-ip-prefix',
      prefix: '10.20.0.0/24',
      rd: { type: 0, asn: 65002, assigned: 5000 },
    });
    expect(t5.attrs.attributes.find((a) => a.type === 'EXTENDED_COMMUNITIES')).toMatchObject({
      communities: expect.arrayContaining([{ kind: 'router-mac', mac: '02:00:00:00:00:02' }]),
    });
  });

  it('sends IPv4, VPNv4 and EVPN types 2, 3 and 5 that FRR shows with RD, RT, label/VNI and next hop', async () => {
    const evpnExt = {
      type: 'EXTENDED_COMMUNITIES' as const,
      communities: [parseExtendedCommunity('target:65100:1001'), parseExtendedCommunity('encap:vxlan')],
    };
    s.announce({ nlri: { type: 'prefix', prefix: '10.100.0.0/24' }, nextHop: '10.255.0.11' });
    s.announce({
      nlri: { type: 'vpn', labels: [900], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' },
      nextHop: '10.255.0.11',
      attributes: [
        { type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65100:100')] },
      ],
    });
    s.announce({
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.3.11:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
      nextHop: '10.255.0.11',
      attributes: [evpnExt],
    });
    s.announce({
      nlri: {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: parseRd('10.0.3.11:1001'),
        ethernetTag: 0,
        originator: '10.255.0.11',
      },
      nextHop: '10.255.0.11',
      attributes: [
        evpnExt,
        {
          type: 'PMSI_TUNNEL',
          pmsiFlags: 0,
          tunnelType: 6,
          labelField: 1001,
          tunnelId: new Uint8Array([10, 255, 0, 11]),
        },
      ],
    });
    s.announce({
      nlri: {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: parseRd('10.0.3.11:5001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.90.0.0/24',
        gateway: '0.0.0.0',
        label: evpnLabelFromVni(5001),
      },
      nextHop: '10.255.0.11',
      attributes: [
        {
          type: 'EXTENDED_COMMUNITIES',
          communities: [
            parseExtendedCommunity('target:65100:5001'),
            parseExtendedCommunity('encap:vxlan'),
            { kind: 'router-mac', mac: '02:00:00:00:00:0b' },
          ],
        },
      ],
    });
    await waitFor(
      'FRR received',
      () =>
        frr.vtysh('show bgp l2vpn evpn').includes('10.90.0.0') &&
        frr.vtysh('show bgp ipv4 vpn').includes('10.100.1.0'),
      20_000,
      200,
    );
    const v4 = frr.vtysh('show bgp ipv4 unicast 10.100.0.0/24');
    expect(v4).toContain('65100');
    expect(v4).toContain('10.255.0.11');
    const vpn = frr.vtysh('show bgp ipv4 vpn 10.100.1.0/24');
    expect(vpn).toContain('65100:100');
    expect(vpn).toMatch(/RT:65100:100/);
    expect(vpn).toMatch(/[Rr]emote label: 900/);
    const evpn = frr.vtysh('show bgp l2vpn evpn');
    expect(evpn).toContain('[2]:[0]:[48]:[02:00:00:00:09:01]:[32]:[10.9.0.11]');
    expect(evpn).toContain('[3]:[0]:[32]:[10.255.0.11]');
    expect(evpn).toContain('[5]:[0]:[24]:[10.90.0.0]');
    const rd = frr.vtysh('show bgp l2vpn evpn route rd 10.0.3.11:1001');
    expect(rd).toContain('Route [2]:[0]:[48]:[02:00:00:00:09:01]:[32]:[10.9.0.11] VNI 1001');
    expect(rd).toMatch(/Extended Community: RT:65100:1001 ET:8/);
    expect(rd).toContain('10.255.0.11 from 127.0.3.11 (10.0.3.11)');
    expect(rd).toContain('PMSI Tunnel Type: Ingress Replication, label: 1001');
    const t5 = frr.vtysh('show bgp l2vpn evpn route rd 10.0.3.11:5001');
    expect(t5).toContain('[5]:[0]:[24]:[10.90.0.0]');
    expect(t5).toMatch(/RT:65100:5001 ET:8 Rmac:02:00:00:00:00:0b/);
  });

  it("answers FRR's ROUTE-REFRESH (soft in) with BoRR, the routes and EoRR (RFC 7313)", async () => {
    refreshes.length = 0;
    frr.vtysh(`clear bgp ipv4 unicast ${US} soft in`);
    await waitFor('ROUTE-REFRESH from FRR', () => refreshes.includes(0), 15_000, 50);
    const j = JSON.parse(frr.vtysh(`show bgp neighbors ${US} json`)) as Record<
      string,
      Record<string, Record<string, number>>
    >;
    const msgs = j[US]!.messageStats!;
    expect(msgs.routeRefreshSent).toBeGreaterThan(0);
    // Begin-of-RIB-Route-Refresh and End-of-RIB-Route-Refresh are counted as ROUTE-REFRESH messages
    await waitFor(
      'BoRR and EoRR at FRR',
      () => {
        const k = JSON.parse(frr.vtysh(`show bgp neighbors ${US} json`)) as Record<
          string,
          Record<string, Record<string, number>>
        >;
        return k[US]!.messageStats!.routeRefreshRecv! >= 2;
      },
      10_000,
      100,
    );
    // FRR still has the route after the refresh cycle (the EoRR did not sweep it)
    await new Promise((r) => setTimeout(r, 500));
    expect(frr.vtysh('show bgp ipv4 unicast 10.100.0.0/24')).toContain('10.255.0.11');
  });

  it('withdrawals travel both ways', async () => {
    s.withdraw({
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.3.11:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
    });
    s.withdraw({ nlri: { type: 'prefix', prefix: '10.100.0.0/24' } });
    frr.vtysh(
      'conf t',
      'router bgp 65002',
      'address-family ipv4 vpn',
      'no network 10.2.0.0/24 rd 65002:100 label 200',
    );
    await waitFor(
      'withdrawn at FRR and here',
      () =>
        !frr.vtysh('show bgp l2vpn evpn').includes('02:00:00:00:09:01') &&
        !frr.vtysh('show bgp ipv4 unicast').includes('10.100.0.0') &&
        !s.routes('ipv4-mpls-vpn').some((r) => r.peer === FRR),
      20_000,
      200,
    );
    expect(frr.vtysh('show bgp l2vpn evpn')).toContain('[3]:[0]:[32]:[10.255.0.11]');
  });

  it("decodes FRR's OPEN Message Error / Bad Peer AS for a speaker claiming the wrong AS", async () => {
    const bad = new BgpSpeaker({
      asn: 65199,
      routerId: '10.0.3.13',
      listen: [{ host: BAD, port: BAD_PORT }],
      peers: [
        { address: FRR, port: FRR_PORT, asn: 65002, localAddress: BAD, connectRetryTime: 1, passive: true },
      ],
    });
    const got: PeerDownEvent[] = [];
    bad.on('peer-down', (e) => got.push(e));
    try {
      await bad.start();
      await waitFor('NOTIFICATION from FRR', () => got.find((e) => e.notification), 20_000, 50);
      const n = got.find((e) => e.notification)!;
      expect(n.reason.kind).toBe('notification-received');
      expect(n.notification).toMatchObject({
        code: 2,
        subcode: 2,
        codeName: 'OPEN Message Error',
        subcodeName: 'Bad Peer AS',
      });
    } finally {
      await bad.stop();
    }
  });
});
