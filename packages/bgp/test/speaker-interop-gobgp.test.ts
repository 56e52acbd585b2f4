// The Filament speaker against gobgpd 3.10 (software none of us wrote) on loopback: a session with
// IPv4 unicast, VPNv4 and EVPN and graceful restart (both sides connect: collision handling), routes both
// ways checked through the `gobgp` CLI and our Loc-RIB, withdrawals, our ROUTE-REFRESH answered, gobgpd's
// Cease/Administrative Reset decoded, graceful restart (gobgpd SIGKILLed: routes kept stale, swept at its
// End-of-RIB); and a second session with VPNv4 + RT constraint (RFC 4684) in both directions.
// gobgpd limits seen here: `neighbor softresetin` re-applies policy locally and sends no ROUTE-REFRESH
// (route refresh towards us is checked with FRR); with RTC negotiated gobgpd filters IPv4 unicast by RT
// too and does not honour the default RT membership, hence the separate RTC session.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BgpSpeaker,
  evpnLabelFromVni,
  type PeerDownEvent,
  parseExtendedCommunity,
  parseRd,
  type RouteView,
} from '../src/index.js';
import { established, type Gobgpd, startGobgpd } from './support/speaker-daemons.js';

const US = '127.0.3.1';
const GO = '127.0.3.2';
const US_PORT = 13180;
const GO_PORT = 13179;
const API_PORT = 13181;
/** A second Filament speaker for RT constraint: gobgpd also applies RTC to IPv4 unicast and ignores the
 * default membership, so the session carrying IPv4/EVPN runs without RTC and this one tests RTC. */
const US_RTC = '127.0.3.3';
const US_RTC_PORT = 13182;

const toml = `
[global.config]
  as = 65001
  router-id = "1.1.1.1"
  port = ${GO_PORT}
  local-address-list = ["${GO}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${US}"
    peer-as = 65100
  [neighbors.transport.config]
    local-address = "${GO}"
    remote-port = ${US_PORT}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
${['ipv4-unicast', 'l3vpn-ipv4-unicast', 'l2vpn-evpn']
  .map(
    (f) => `  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${f}"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true`,
  )
  .join('\n')}
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${US_RTC}"
    peer-as = 65100
  [neighbors.transport.config]
    local-address = "${GO}"
    remote-port = ${US_RTC_PORT}
  [neighbors.timers.config]
    connect-retry = 1
${['l3vpn-ipv4-unicast', 'rtc']
  .map(
    (f) => `  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${f}"`,
  )
  .join('\n')}
`;

const rt = (t: string) => parseExtendedCommunity(t);

describeWithTool(['gobgpd', 'gobgp'], 'speaker interop: gobgpd', () => {
  let dir: { path: string; cleanup: () => void };
  let go: Gobgpd;
  let s: BgpSpeaker;
  const downs: PeerDownEvent[] = [];

  beforeAll(async () => {
    dir = scratchDir('speaker-gobgp-');
    go = await startGobgpd(dir.path, toml, GO, API_PORT);
    // gobgpd imports route target 65100:100 into a VRF: its RT membership asks for that target only
    go.cli('vrf', 'add', 'blue', 'rd', '65001:600', 'rt', 'import', '65100:100', 'export', '65001:600');
    s = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.1',
      listen: [{ host: US, port: US_PORT }],
      gracefulRestart: { restartTime: 60 },
      peers: [
        {
          address: GO,
          port: GO_PORT,
          asn: 65001,
          localAddress: US,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'],
          connectRetryTime: 1,
          idleHoldTime: 1,
          holdTime: 9,
        },
      ],
    });
    s.on('peer-down', (e) => downs.push(e));
    await s.start();
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await go?.stop();
    dir?.cleanup();
  });

  it('reaches Established with the expected capabilities on both sides', async () => {
    const st = await established(s, GO);
    expect(st.negotiated?.families).toEqual(['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn']);
    expect(st.negotiated?.fourOctetAs).toBe(true);
    expect(st.negotiated?.routeRefresh).toBe(true);
    expect(st.negotiated?.gracefulRestart).toBe(true);
    expect(st.negotiated?.holdTime).toBe(9);
    const n = JSON.parse(go.cli('neighbor', US, '-j')) as {
      state: { session_state: number; remote_cap: { type_url: string }[] };
    };
    expect(n.state.session_state).toBe(6); // ESTABLISHED
    const caps = n.state.remote_cap.map((c) => c.type_url.split('.').pop());
    expect(caps).toEqual(
      expect.arrayContaining([
        'MultiProtocolCapability',
        'RouteRefreshCapability',
        'EnhancedRouteRefreshCapability',
        'FourOctetASNCapability',
        'GracefulRestartCapability',
      ]),
    );
  });

  it('receives IPv4, VPNv4 and EVPN types 2, 3 and 5 from gobgpd with their attributes', async () => {
    go.cli(
      'global',
      'rib',
      'add',
      '10.1.0.0/24',
      'nexthop',
      '10.255.0.1',
      'med',
      '10',
      'community',
      '65001:7',
      '-a',
      'ipv4',
    );
    go.cli(
      'global',
      'rib',
      'add',
      '-a',
      'vpnv4',
      '10.1.1.0/24',
      'label',
      '100',
      'rd',
      '65001:100',
      'rt',
      '65100:100',
      'nexthop',
      '10.255.0.1',
    );
    go.cli(
      'global',
      'rib',
      '-a',
      'evpn',
      'add',
      'macadv',
      '02:00:00:00:01:01',
      '10.1.0.11',
      'etag',
      '0',
      'label',
      '1001',
      'rd',
      '1.1.1.1:1001',
      'rt',
      '65001:1001',
      'encap',
      'vxlan',
      'nexthop',
      '10.255.0.1',
      'router-mac',
      '02:00:00:00:00:01',
    );
    go.cli(
      'global',
      'rib',
      '-a',
      'evpn',
      'add',
      'multicast',
      '10.255.0.1',
      'etag',
      '0',
      'rd',
      '1.1.1.1:1001',
      'rt',
      '65001:1001',
      'encap',
      'vxlan',
      'pmsi',
      'ingress-repl',
      '1001',
      '10.255.0.1',
      'nexthop',
      '10.255.0.1',
    );
    go.cli(
      'global',
      'rib',
      '-a',
      'evpn',
      'add',
      'prefix',
      '10.10.10.0/24',
      'gw',
      '0.0.0.0',
      'esi',
      '0',
      'etag',
      '0',
      'label',
      '5001',
      'rd',
      '1.1.1.1:5001',
      'rt',
      '65001:5001',
      'encap',
      'vxlan',
      'router-mac',
      '02:00:00:00:00:01',
      'nexthop',
      '10.255.0.1',
    );
    await waitFor(
      'routes from gobgpd',
      () => s.ribSize('ipv4-unicast') >= 1 && s.ribSize('ipv4-mpls-vpn') >= 1 && s.ribSize('l2vpn-evpn') >= 3,
      15_000,
      50,
    );
    const v4 = s.routes('ipv4-unicast').find((r) => r.peer === GO)!;
    expect(v4.nlri).toEqual({ type: 'prefix', prefix: '10.1.0.0/24' });
    expect(v4.attrs.nextHop).toBe('10.255.0.1');
    expect(v4.attrs.med).toBe(10);
    expect(v4.attrs.asPath).toEqual([{ type: 'sequence', asns: [65001] }]);
    expect(v4.attrs.attributes.find((a) => a.type === 'COMMUNITIES')).toMatchObject({
      communities: [65001 * 65536 + 7],
    });
    const vpn = s.routes('ipv4-mpls-vpn').find((r) => r.peer === GO)!;
    expect(vpn.nlri).toMatchObject({
      type: 'vpn',
      labels: [100],
      rd: { type: 0, asn: 65001, assigned: 100 },
      prefix: '10.1.1.0/24',
    });
    expect(vpn.attrs.routeTargets).toEqual(['target:65100:100']);
    const evpn = s.routes('l2vpn-evpn').filter((r) => r.peer === GO);
    const t2 = evpn.find((r) => r.nlri.type === 'evpn-mac-ip')!;
    expect(t2.nlri).toMatchObject({
      mac: '02:00:00:00:01:01',
      ip: '10.1.0.11',
      rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
    });
    expect((t2.nlri as { label1: { vni: number } }).label1.vni).toBe(1001);
    const ext = (r: RouteView) => r.attrs.attributes.find((a) => a.type === 'EXTENDED_COMMUNITIES');
    expect(ext(t2)).toMatchObject({
      communities: expect.arrayContaining([
        { kind: 'route-target', form: 'as2', asn: 65001, local: 1001 },
        { kind: 'encapsulation', tunnelType: 8 },
        { kind: 'router-mac', mac: '02:00:00:00:00:01' },
      ]),
    });
    const t3 = evpn.find((r) => r.nlri.type === 'evpn-inclusive-multicast')!;
    expect(t3.nlri).toMatchObject({ originator: '10.255.0.1', ethernetTag: 0 });
    expect(t3.attrs.attributes.find((a) => a.type === 'PMSI_TUNNEL')).toMatchObject({ tunnelType: 6 });
    const t5 = evpn.find((r) => r.nlri.type === 'evpn-ip-prefix')!;
    expect(t5.nlri).toMatchObject({ prefix: '10.10.10.0/24', gateway: '0.0.0.0' });
    expect((t5.nlri as { label: { vni: number } }).label.vni).toBe(5001);
    expect(t5.attrs.nextHop).toBe('10.255.0.1');
  });

  it('sends IPv4, VPNv4 and EVPN 2/3/5 to gobgpd', async () => {
    s.announce({
      nlri: { type: 'prefix', prefix: '10.100.0.0/24' },
      nextHop: '10.255.0.9',
      attributes: [{ type: 'COMMUNITIES', communities: [65100 * 65536 + 1] }],
    });
    s.announce({
      nlri: { type: 'vpn', labels: [900], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' },
      nextHop: '10.255.0.9',
      attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [rt('target:65100:100')] }],
    });
    s.announce({
      nlri: { type: 'vpn', labels: [901], rd: parseRd('65100:200'), prefix: '10.100.2.0/24' },
      nextHop: '10.255.0.9',
      attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [rt('target:65100:200')] }],
    });
    const evpnExt = {
      type: 'EXTENDED_COMMUNITIES' as const,
      communities: [rt('target:65100:100'), rt('encap:vxlan')],
    };
    s.announce({
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.3.1:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
      nextHop: '10.255.0.9',
      attributes: [evpnExt],
    });
    s.announce({
      nlri: {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: parseRd('10.0.3.1:1001'),
        ethernetTag: 0,
        originator: '10.255.0.9',
      },
      nextHop: '10.255.0.9',
      attributes: [
        evpnExt,
        {
          type: 'PMSI_TUNNEL',
          pmsiFlags: 0,
          tunnelType: 6,
          labelField: 1001,
          tunnelId: new Uint8Array([10, 255, 0, 9]),
        },
      ],
    });
    s.announce({
      nlri: {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: parseRd('10.0.3.1:5001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.90.0.0/24',
        gateway: '0.0.0.0',
        label: evpnLabelFromVni(5001),
      },
      nextHop: '10.255.0.9',
      attributes: [evpnExt],
    });
    const adjIn = (fam: string) => go.cli('neighbor', US, 'adj-in', '-a', fam);
    await waitFor(
      'gobgpd adj-in',
      () =>
        adjIn('ipv4').includes('10.100.0.0/24') &&
        adjIn('vpnv4').includes('10.100.1.0/24') &&
        (adjIn('evpn').match(/\[type:/g) ?? []).length >= 3,
      15_000,
    );
    const v4 = adjIn('ipv4');
    expect(v4).toMatch(/10\.100\.0\.0\/24\s+10\.255\.0\.9\s+65100/);
    expect(v4).toContain('65100:1');
    const vpn = adjIn('vpnv4');
    expect(vpn).toMatch(/65100:100:10\.100\.1\.0\/24\s+\[900\]\s+10\.255\.0\.9/);
    expect(vpn).toContain('65100:100');
    expect(vpn).toMatch(/65100:200:10\.100\.2\.0\/24\s+\[901\]/);
    const evpn = adjIn('evpn');
    expect(evpn).toContain('[type:macadv][rd:10.0.3.1:1001][etag:0][mac:02:00:00:00:09:01][ip:10.9.0.11]');
    expect(evpn).toContain('[type:multicast][rd:10.0.3.1:1001][etag:0][ip:10.255.0.9]');
    expect(evpn).toContain('[type:Prefix][rd:10.0.3.1:5001][etag:0][prefix:10.90.0.0/24]');
    expect(evpn).toContain('[GW: 0.0.0.0]');
    expect(evpn).toContain('[VXLAN]');
    expect(evpn).toMatch(/\[1001\]/);
  });

  it('RT constraint (RFC 4684) both ways on a VPNv4 + RTC session', async () => {
    const r = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.3',
      listen: [{ host: US_RTC, port: US_RTC_PORT }],
      rtcRouteTargets: ['target:65001:1001'],
      peers: [
        {
          address: GO,
          port: GO_PORT,
          asn: 65001,
          localAddress: US_RTC,
          families: ['ipv4-mpls-vpn', 'ipv4-rtc'],
          connectRetryTime: 1,
        },
      ],
    });
    try {
      r.announce({
        nlri: { type: 'vpn', labels: [900], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' },
        nextHop: '10.255.0.9',
        attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [rt('target:65100:100')] }],
      });
      r.announce({
        nlri: { type: 'vpn', labels: [901], rd: parseRd('65100:200'), prefix: '10.100.2.0/24' },
        nextHop: '10.255.0.9',
        attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [rt('target:65100:200')] }],
      });
      go.cli(
        'global',
        'rib',
        'add',
        '-a',
        'vpnv4',
        '10.1.2.0/24',
        'label',
        '102',
        'rd',
        '65001:102',
        'rt',
        '65001:1001',
        'nexthop',
        '10.255.0.1',
      );
      await r.start();
      const st = await established(r, GO);
      expect(st.negotiated?.families).toEqual(['ipv4-mpls-vpn', 'ipv4-rtc']);
      // gobgpd's membership (VRF blue imports 65100:100) reaches us ...
      await waitFor(
        'gobgpd RT membership',
        () => r.routes('ipv4-rtc').some((x) => x.peer === GO),
        15_000,
        50,
      );
      expect(r.routes('ipv4-rtc').find((x) => x.peer === GO)!.nlri).toMatchObject({
        prefixLength: 96,
        originAs: 65001,
        routeTarget: { kind: 'route-target', asn: 65100, local: 100 },
      });
      // ... so gobgpd gets 10.100.1.0/24 (target:65100:100) and not 10.100.2.0/24 (target:65100:200)
      await waitFor(
        'gobgpd adj-in',
        () => go.cli('neighbor', US_RTC, 'adj-in', '-a', 'vpnv4').includes('10.100.1.0/24'),
        15_000,
        100,
      );
      expect(go.cli('neighbor', US_RTC, 'adj-in', '-a', 'vpnv4')).not.toContain('10.100.2.0/24');
      expect(go.cli('neighbor', US_RTC, 'adj-in', '-a', 'rtc')).toContain('65100:65001:1001');
      // and our membership (target:65001:1001) makes gobgpd send only 10.1.2.0/24, not 10.1.1.0/24 (65100:100)
      await waitFor(
        'VPN route for our RT',
        () => r.routes('ipv4-mpls-vpn').some((x) => x.peer === GO),
        15_000,
        50,
      );
      const got = r
        .routes('ipv4-mpls-vpn')
        .filter((x) => x.peer === GO)
        .map((x) => (x.nlri as { prefix: string }).prefix);
      expect(got).toEqual(['10.1.2.0/24']);
    } finally {
      await r.stop();
      go.cli('global', 'rib', 'del', '-a', 'vpnv4', '10.1.2.0/24', 'label', '102', 'rd', '65001:102');
    }
  });

  it('withdrawals travel both ways', async () => {
    go.cli('global', 'rib', 'del', '10.1.0.0/24', '-a', 'ipv4');
    go.cli(
      'global',
      'rib',
      '-a',
      'evpn',
      'del',
      'macadv',
      '02:00:00:00:01:01',
      '10.1.0.11',
      'etag',
      '0',
      'label',
      '1001',
      'rd',
      '1.1.1.1:1001',
    );
    s.withdraw({ nlri: { type: 'vpn', labels: [], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' } });
    await waitFor(
      'withdrawals',
      () =>
        !s.routes('ipv4-unicast').some((r) => r.peer === GO) &&
        !s.routes('l2vpn-evpn').some((r) => r.nlri.type === 'evpn-mac-ip' && r.peer === GO) &&
        !go.cli('neighbor', US, 'adj-in', '-a', 'vpnv4').includes('10.100.1.0/24'),
      15_000,
      100,
    );
    expect(s.routes('l2vpn-evpn').filter((r) => r.peer === GO).length).toBe(2);
  });

  it('route refresh: gobgpd answers our ROUTE-REFRESH', async () => {
    const before =
      (
        JSON.parse(go.cli('neighbor', US, '-j')) as {
          state: { messages: { received: { refresh?: number } } };
        }
      ).state.messages.received.refresh ?? 0;
    s.refresh(GO, 'l2vpn-evpn');
    await waitFor(
      'gobgpd counted our ROUTE-REFRESH',
      () =>
        ((
          JSON.parse(go.cli('neighbor', US, '-j')) as {
            state: { messages: { received: { refresh?: number } } };
          }
        ).state.messages.received.refresh ?? 0) > before,
      10_000,
      100,
    );
    // gobgpd re-sent its EVPN routes; nothing was lost
    expect(s.routes('l2vpn-evpn').filter((r) => r.peer === GO).length).toBe(2);
  });

  it("decodes gobgpd's Cease / Administrative Reset and comes back", async () => {
    downs.length = 0;
    go.cli('neighbor', US, 'reset');
    await waitFor('peer down', () => downs.length > 0, 10_000, 50);
    expect(downs[0]!.notification).toMatchObject({
      code: 6,
      subcode: 4,
      codeName: 'Cease',
      subcodeName: 'Administrative Reset',
    });
    // gobgpd 3.10 stays Idle for about 30 s after a reset (it closes our connections meanwhile)
    await established(s, GO, 75_000);
  }, 90_000);

  it('graceful restart: gobgpd killed -> its routes stay stale; after restart its End-of-RIB sweeps them', async () => {
    await waitFor(
      'routes back after reset',
      () => s.routes('l2vpn-evpn').filter((r) => r.peer === GO).length === 2,
      15_000,
      100,
    );
    downs.length = 0;
    await go.kill();
    await waitFor('session lost', () => downs.length > 0, 20_000, 50);
    expect(downs[0]!.gracefulRestart).toBe(true);
    const stale = s.routes('l2vpn-evpn').filter((r) => r.peer === GO);
    expect(stale.length).toBe(2);
    expect(stale.every((r) => r.stale)).toBe(true);
    await go.restart();
    await established(s, GO);
    // the restarted gobgpd has no routes: its End-of-RIB removes the stale ones
    await waitFor(
      'stale routes swept',
      () => s.routes('l2vpn-evpn').filter((r) => r.peer === GO).length === 0,
      20_000,
      100,
    );
    // and it learns ours again
    await waitFor(
      'our routes re-learned',
      () => go.cli('neighbor', US, 'adj-in', '-a', 'ipv4').includes('10.100.0.0/24'),
      15_000,
      100,
    );
  });
});
