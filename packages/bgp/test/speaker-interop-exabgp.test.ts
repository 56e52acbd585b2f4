// The Filament speaker against ExaBGP 4.2 on loopback: Established with IPv4 unicast, VPNv4 and EVPN,
// route refresh and graceful restart; ExaBGP's static and API-announced IPv4/VPNv4 routes arrive here
// (ExaBGP 4.2 cannot send EVPN), our IPv4, VPNv4 and EVPN type 2/3/5 routes arrive at ExaBGP, checked in
// the JSON ExaBGP's API process received; withdrawals both ways; ExaBGP's ROUTE-REFRESH answered; our
// ROUTE-REFRESH answered by ExaBGP; ExaBGP's Cease (API `teardown`) decoded.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BgpSpeaker,
  evpnLabelFromVni,
  type PeerDownEvent,
  parseExtendedCommunity,
  parseRd,
} from '../src/index.js';
import { type ExaBgp, established, startExaBgp } from './support/speaker-daemons.js';

const US = '127.0.3.31';
const EXA = '127.0.3.32';
const US_PORT = 13189;
const EXA_PORT = 13188;

const conf = (api: string) => `process api {
    run ${api};
    encoder json;
}

neighbor ${US} {
    router-id 4.4.4.4;
    local-address ${EXA};
    local-as 65004;
    peer-as 65100;
    hold-time 30;
    connect ${US_PORT};
    family {
        ipv4 unicast;
        ipv4 mpls-vpn;
        l2vpn evpn;
    }
    capability {
        route-refresh;
        graceful-restart 60;
        asn4 enable;
    }
    api {
        processes [ api ];
        receive { parsed; update; notification; open; refresh; }
    }
    static {
        route 10.4.1.0/24 next-hop 10.255.0.4 community [ 65004:1 ];
        route 10.4.0.0/24 rd 65004:100 next-hop 10.255.0.4 label 400 extended-community [ target:65004:100 ];
    }
}
`;

/** Every NLRI ExaBGP reported as announced by us (family -> list of NLRI objects), from its JSON. */
function announced(x: ExaBgp): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const m of x.received()) {
    if (m.type !== 'update') continue;
    const upd = (
      m.neighbor as {
        message?: {
          update?: {
            announce?: Record<string, Record<string, unknown[]>>;
            withdraw?: Record<string, unknown[]>;
          };
        };
      }
    ).message?.update;
    for (const [fam, byNh] of Object.entries(upd?.announce ?? {})) {
      const into = out[fam] ?? [];
      out[fam] = into;
      for (const list of Object.values(byNh)) into.push(...(list as Record<string, unknown>[]));
    }
    for (const [fam, list] of Object.entries(upd?.withdraw ?? {})) {
      const gone = new Set((list as Record<string, unknown>[]).map((n) => JSON.stringify(n.nlri ?? n)));
      out[fam] = (out[fam] ?? []).filter((n) => !gone.has(JSON.stringify(n.nlri ?? n)));
    }
  }
  return out;
}

describeWithTool('exabgp', 'speaker interop: ExaBGP 4.2', () => {
  let dir: { path: string; cleanup: () => void };
  let exa: ExaBgp;
  let s: BgpSpeaker;
  const downs: PeerDownEvent[] = [];
  const refreshes: number[] = [];

  beforeAll(async () => {
    dir = scratchDir('speaker-exabgp-');
    s = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.31',
      listen: [{ host: US, port: US_PORT }],
      gracefulRestart: { restartTime: 60 },
      peers: [
        {
          address: EXA,
          port: EXA_PORT,
          asn: 65004,
          localAddress: US,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'],
          passive: true,
        },
      ],
    });
    s.on('peer-down', (e) => downs.push(e));
    s.on('route-refresh', (e) => refreshes.push(e.subtype));
    await s.start();
    exa = await startExaBgp(dir.path, conf);
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await exa?.stop();
    dir?.cleanup();
  });

  it('reaches Established with the expected capabilities on both sides', async () => {
    const st = await established(s, EXA);
    expect(st.negotiated?.families).toEqual(['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn']);
    expect(st.negotiated?.fourOctetAs).toBe(true);
    expect(st.negotiated?.routeRefresh).toBe(true);
    expect(st.negotiated?.gracefulRestart).toBe(true);
    expect(st.negotiated?.holdTime).toBe(30);
    // ExaBGP's view of our OPEN
    await waitFor('our OPEN at ExaBGP', () => exa.received().some((m) => m.type === 'open'), 15_000, 100);
    const open = exa.received().find((m) => m.type === 'open')!;
    const received = JSON.stringify(
      (open.neighbor as { open: { received?: unknown } }).open.received ?? open.neighbor,
    );
    expect(received).toContain('65100');
    expect(received).toMatch(/route-refresh|Route Refresh/i);
    expect(received).toMatch(/graceful-restart|Graceful Restart/i);
    expect(received).toMatch(/l2vpn/);
  });

  it("receives ExaBGP's static and API-announced IPv4 and VPNv4 routes", async () => {
    exa.command(
      'announce route 10.4.2.0/24 rd 65004:100 next-hop 10.255.0.4 label 402 extended-community [ target:65004:100 ]',
    );
    await waitFor(
      'routes from ExaBGP',
      () => s.ribSize('ipv4-unicast') >= 1 && s.ribSize('ipv4-mpls-vpn') >= 2,
      20_000,
      50,
    );
    const v4 = s.routes('ipv4-unicast').find((r) => r.peer === EXA)!;
    expect(v4.nlri).toEqual({ type: 'prefix', prefix: '10.4.1.0/24' });
    expect(v4.attrs.nextHop).toBe('10.255.0.4');
    expect(v4.attrs.asPath).toEqual([{ type: 'sequence', asns: [65004] }]);
    expect(v4.attrs.attributes.find((a) => a.type === 'COMMUNITIES')).toMatchObject({
      communities: [65004 * 65536 + 1],
    });
    const vpn = s
      .routes('ipv4-mpls-vpn')
      .filter((r) => r.peer === EXA)
      .map((r) => r.nlri);
    expect(vpn).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: [400],
          prefix: '10.4.0.0/24',
          rd: { type: 0, asn: 65004, assigned: 100 },
        }),
        expect.objectContaining({
          labels: [402],
          prefix: '10.4.2.0/24',
          rd: { type: 0, asn: 65004, assigned: 100 },
        }),
      ]),
    );
  });

  it('sends IPv4, VPNv4 and EVPN types 2, 3 and 5 that ExaBGP decodes', async () => {
    const ext = {
      type: 'EXTENDED_COMMUNITIES' as const,
      communities: [parseExtendedCommunity('target:65100:1001'), parseExtendedCommunity('encap:vxlan')],
    };
    s.announce({ nlri: { type: 'prefix', prefix: '10.100.0.0/24' }, nextHop: '10.255.0.31' });
    s.announce({
      nlri: { type: 'vpn', labels: [900], rd: parseRd('65100:100'), prefix: '10.100.1.0/24' },
      nextHop: '10.255.0.31',
      attributes: [
        { type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65100:100')] },
      ],
    });
    s.announce({
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.3.31:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
      nextHop: '10.255.0.31',
      attributes: [ext],
    });
    s.announce({
      nlri: {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: parseRd('10.0.3.31:1001'),
        ethernetTag: 0,
        originator: '10.255.0.31',
      },
      nextHop: '10.255.0.31',
      attributes: [
        ext,
        {
          type: 'PMSI_TUNNEL',
          pmsiFlags: 0,
          tunnelType: 6,
          labelField: 1001,
          tunnelId: new Uint8Array([10, 255, 0, 31]),
        },
      ],
    });
    s.announce({
      nlri: {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: parseRd('10.0.3.31:5001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.90.0.0/24',
        gateway: '0.0.0.0',
        label: evpnLabelFromVni(5001),
      },
      nextHop: '10.255.0.31',
      attributes: [ext],
    });
    await waitFor(
      'ExaBGP decoded them',
      () => {
        const a = announced(exa);
        return (
          (a['ipv4 unicast']?.length ?? 0) >= 1 &&
          (a['ipv4 mpls-vpn']?.length ?? 0) >= 1 &&
          (a['l2vpn evpn']?.length ?? 0) >= 3
        );
      },
      20_000,
      200,
    );
    const a = announced(exa);
    expect(a['ipv4 unicast']).toEqual([expect.objectContaining({ nlri: '10.100.0.0/24' })]);
    expect(a['ipv4 mpls-vpn']![0]).toMatchObject({ nlri: '10.100.1.0/24', rd: '65100:100', label: [[900]] });
    const evpn = JSON.stringify(a['l2vpn evpn']);
    expect(evpn).toContain('"mac":"02:00:00:00:09:01"');
    expect(evpn).toContain('"ip":"10.9.0.11"');
    expect(evpn).toContain('"code":3'); // inclusive multicast
    expect(evpn).toContain('"code":5'); // IP prefix
    expect(evpn).toContain('10.90.0.0');
    // the attributes ExaBGP saw on the EVPN update: RT and VXLAN encapsulation (type 8), PMSI
    const upd = exa
      .received()
      .filter((m) => m.type === 'update')
      .map((m) => JSON.stringify(m))
      .find((t) => t.includes('02:00:00:00:09:01'))!;
    expect(upd).toMatch(/target:65100:1001/);
    expect(upd).toMatch(/encap|vxlan/i);
    expect(upd).toContain('"as-path":[65100]');
    // the 24-bit field carries VNI 1001; ExaBGP prints [MPLS reading, raw] = [62, 1001]
    expect(upd).toContain('"label":[[62,1001]]');
  });

  it('route refresh both ways', async () => {
    refreshes.length = 0;
    const updatesAtExa = () => exa.received().filter((m) => m.type === 'update').length;
    const before = updatesAtExa();
    exa.command('announce route-refresh ipv4 unicast');
    await waitFor('ROUTE-REFRESH from ExaBGP', () => refreshes.includes(0), 15_000, 50);
    // we answered with the IPv4 table again
    await waitFor('IPv4 re-sent to ExaBGP', () => updatesAtExa() > before, 10_000, 100);
    const updatesHere = s.peers()[0]!.updatesReceived;
    s.refresh(EXA, 'ipv4-mpls-vpn');
    await waitFor(
      'ExaBGP re-sent its VPN routes',
      () => s.peers()[0]!.updatesReceived > updatesHere,
      10_000,
      50,
    );
    expect(s.peers()[0]!.state).toBe('Established');
    expect(s.routes('ipv4-mpls-vpn').filter((r) => r.peer === EXA).length).toBe(2);
  });

  it('withdrawals travel both ways', async () => {
    exa.command('withdraw route 10.4.2.0/24 rd 65004:100 next-hop 10.255.0.4 label 402');
    s.withdraw({
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.3.31:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
    });
    await waitFor(
      'withdrawn',
      () =>
        !s.routes('ipv4-mpls-vpn').some((r) => (r.nlri as { prefix?: string }).prefix === '10.4.2.0/24') &&
        !JSON.stringify(announced(exa)['l2vpn evpn'] ?? []).includes('02:00:00:00:09:01'),
      20_000,
      100,
    );
    expect(
      s.routes('ipv4-mpls-vpn').some((r) => (r.nlri as { prefix?: string }).prefix === '10.4.0.0/24'),
    ).toBe(true);
  });

  it("ExaBGP's teardown closes without a NOTIFICATION; its OPEN Message Error / Bad Peer AS is decoded", async () => {
    downs.length = 0;
    exa.command(`neighbor ${US} teardown 2`);
    await waitFor('peer down', () => downs.length > 0, 15_000, 50);
    // ExaBGP 4.2 logs "closing the session without notification" for teardown
    expect(downs[0]!.reason.kind).toBe('tcp-closed');
    expect(downs[0]!.notification).toBeUndefined();
    // a speaker claiming AS 65101 where ExaBGP expects 65100 gets OPEN Message Error / Bad Peer AS
    await s.stop();
    const bad = new BgpSpeaker({
      asn: 65101,
      routerId: '10.0.3.39',
      listen: [{ host: US, port: US_PORT }],
      peers: [{ address: EXA, asn: 65004, families: ['ipv4-unicast'], passive: true }],
    });
    const got: PeerDownEvent[] = [];
    bad.on('peer-down', (e) => got.push(e));
    try {
      await bad.start();
      await waitFor('NOTIFICATION from ExaBGP', () => got.find((e) => e.notification), 30_000, 50);
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
  }, 45_000);
});
