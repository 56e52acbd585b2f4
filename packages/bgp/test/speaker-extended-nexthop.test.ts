// Extended next hop (RFC 8950) against FRR 8.4 bgpd (-Z, no zebra) on an IPv6 loopback session over ::1:
// both sides offer capability 5 for IPv4 unicast with next-hop AFI IPv6, our IPv4 route goes out in
// MP_REACH_NLRI (AFI 1 / SAFI 1) with an IPv6 next hop and FRR installs it with that next hop (vtysh JSON),
// and FRR's IPv4 route reaches our Loc-RIB with FRR's IPv6 next hop. Next hops are not in 127/8 or ::1
// on our side (FRR treats loopback next hops as martian); FRR is passive so the session has one connection.
// Then the wire itself, with a raw peer (speaker-raw.ts): the capability we offer (IPv4 unicast and VPNv4,
// next-hop AFI 2), the MP_REACH_NLRI we send (AFI 1 / SAFI 1, 16-byte next hop), a 32-byte (global +
// link-local) next hop accepted, and no capability 5 when the peer config does not enable it.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BgpSpeaker,
  makeOpen,
  openCapabilities,
  parseExtendedCommunity,
  parseRd,
  type UpdateMessage,
} from '../src/index.js';
import { established, type Frr, startFrr } from './support/speaker-daemons.js';
import { RawPeer } from './support/speaker-raw.js';

const LO6 = '::1';
const FRR_PORT = 14191;
const RAW_PORT = 14192;
const OUR_NH = '2001:db8:0:11::1';
const FRR_NH = '2001:db8:0:12::1';

const conf = `frr defaults traditional
hostname frr-enhe-test
log stdout informational
!
route-map NH6 permit 10
 set ipv6 next-hop global ${FRR_NH}
!
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor ${LO6} remote-as 65100
 neighbor ${LO6} passive
 neighbor ${LO6} update-source ${LO6}
 neighbor ${LO6} disable-connected-check
 neighbor ${LO6} capability extended-nexthop
 !
 address-family ipv4 unicast
  neighbor ${LO6} activate
  neighbor ${LO6} route-map NH6 out
  network 10.202.0.0/24
 exit-address-family
!
`;

interface FrrNexthop {
  ip?: string;
  afi?: string;
  scope?: string;
}

describeWithTool('/usr/lib/frr/bgpd', 'speaker extended next hop (RFC 8950) with FRR bgpd', () => {
  let dir: { path: string; cleanup: () => void };
  let frr: Frr;
  let s: BgpSpeaker;

  beforeAll(async () => {
    dir = scratchDir('speaker-enhe-');
    frr = await startFrr(dir.path, conf, LO6, FRR_PORT);
    s = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.21',
      listen: [],
      peers: [
        {
          address: LO6,
          port: FRR_PORT,
          asn: 65002,
          localAddress: LO6,
          families: ['ipv4-unicast'],
          extendedNextHop: true,
          connectRetryTime: 1,
        },
      ],
    });
    s.announce({ nlri: { type: 'prefix', prefix: '10.201.0.0/24' }, nextHop: OUR_NH });
    await s.start();
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await frr?.stop();
    dir?.cleanup();
  });

  it('negotiates extended next hop for IPv4 unicast on both sides', async () => {
    const st = await established(s, LO6);
    expect(st.negotiated?.extendedNextHop).toEqual(['ipv4-unicast']);
    expect(st.negotiated?.capabilities).toContain('extended-next-hop');
    const j = JSON.parse(frr.vtysh(`show bgp neighbors ${LO6} json`)) as Record<
      string,
      { neighborCapabilities?: Record<string, unknown> }
    >;
    const caps = j[LO6]?.neighborCapabilities ?? {};
    expect(caps.extendedNexthop).toBe('advertisedAndReceived');
    // FRR 8.4 spells these keys and values this way
    expect(caps.extendedNexthopFamililesByPeer).toEqual({ ipv4Unicast: 'recieved' });
  });

  it('FRR installs our IPv4 route with our IPv6 next hop', async () => {
    const route = await waitFor(
      'FRR has 10.201.0.0/24',
      () => {
        const j = JSON.parse(frr.vtysh('show bgp ipv4 unicast json')) as {
          routes?: Record<string, { nexthops?: FrrNexthop[]; valid?: boolean }[]>;
        };
        return j.routes?.['10.201.0.0/24']?.[0];
      },
      30_000,
      200,
    );
    expect(route.valid).toBe(true);
    expect(route.nexthops?.[0]).toMatchObject({ ip: OUR_NH, afi: 'ipv6' });
  });

  it("FRR's IPv4 route arrives with FRR's IPv6 next hop", async () => {
    const r = await waitFor(
      'FRR route in our Loc-RIB',
      () => s.routes('ipv4-unicast').find((x) => x.peer === LO6),
      30_000,
      100,
    );
    expect(r.nlri).toMatchObject({ prefix: '10.202.0.0/24' });
    expect(r.attrs.nextHop).toBe(FRR_NH);
    const adv = JSON.parse(frr.vtysh(`show bgp ipv4 unicast neighbors ${LO6} advertised-routes json`));
    expect(JSON.stringify(adv)).toContain('10.202.0.0/24');
  });
});

describe('speaker extended next hop (RFC 8950) on the wire, with a raw peer over ::1', () => {
  const speakers: BgpSpeaker[] = [];
  const raws: RawPeer[] = [];
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await Promise.all(speakers.splice(0).map((x) => x.stop()));
  });

  async function setup(port: number, extendedNextHop: boolean) {
    const sp = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.3.22',
      listen: [{ host: LO6, port }],
      peers: [
        {
          address: LO6,
          asn: 65003,
          passive: true,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn'],
          extendedNextHop,
        },
      ],
    });
    speakers.push(sp);
    sp.announce({ nlri: { type: 'prefix', prefix: '10.203.0.0/24' }, nextHop: OUR_NH });
    sp.announce({
      family: 'ipv4-mpls-vpn',
      nlri: { type: 'vpn', labels: [300], rd: parseRd('65100:3'), prefix: '10.205.0.0/24' },
      nextHop: OUR_NH,
      attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65100:3')] }],
    });
    await sp.start();
    const raw = await RawPeer.connect(LO6, port, LO6);
    raws.push(raw);
    raw.send(
      makeOpen({
        asn: 65003,
        bgpId: '10.0.3.23',
        holdTime: 90,
        capabilities: [
          { type: 'multiprotocol', afi: 1, safi: 1 },
          { type: 'multiprotocol', afi: 1, safi: 128 },
          {
            type: 'extended-next-hop',
            entries: [
              { afi: 1, safi: 1, nextHopAfi: 2 },
              { afi: 1, safi: 128, nextHopAfi: 2 },
            ],
          },
        ],
      }),
    );
    await waitFor('OPEN from speaker', () => raw.of('open').length > 0, 10_000, 20);
    raw.send({ type: 'keepalive' });
    await established(sp, LO6);
    return { sp, raw, open: raw.of('open')[0]! };
  }

  it('offers capability 5, sends MP_REACH_NLRI 1/1 with a 16-byte next hop, accepts a 32-byte one', async () => {
    const { sp, raw, open } = await setup(RAW_PORT, true);
    const cap = openCapabilities(open).find((c) => c.type === 'extended-next-hop');
    expect(cap).toEqual({
      type: 'extended-next-hop',
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    });
    expect(sp.peers()[0]!.negotiated?.extendedNextHop).toEqual(['ipv4-unicast', 'ipv4-mpls-vpn']);
    const reach = (safi: number) =>
      raw
        .of('update')
        .flatMap((u) => u.attributes)
        .find((a) => a.type === 'MP_REACH_NLRI' && a.afi === 1 && a.safi === safi);
    const mp = await waitFor('MP_REACH_NLRI for 10.203.0.0/24', () => reach(1), 10_000, 20);
    // VPNv4 with an IPv6 next hop: RD (zero) + IPv6 address, 24 bytes (RFC 8950 4)
    const vpn = await waitFor('MP_REACH_NLRI for VPNv4 10.205.0.0/24', () => reach(128), 10_000, 20);
    expect(vpn).toMatchObject({
      nextHop: { kind: 'vpn', address: OUR_NH },
      nlri: [{ type: 'vpn', labels: [300], prefix: '10.205.0.0/24' }],
    });
    expect(mp).toMatchObject({
      afi: 1,
      safi: 1,
      nextHop: { kind: 'ip', address: OUR_NH },
      nlri: [{ type: 'prefix', prefix: '10.203.0.0/24' }],
    });
    expect(mp.type === 'MP_REACH_NLRI' && mp.nextHop.kind === 'ip' && mp.nextHop.linkLocal).toBeFalsy();
    expect(raw.of('update').some((u) => u.attributes.some((a) => a.type === 'NEXT_HOP'))).toBe(false);

    const upd: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'igp' },
        { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65003] }] },
        {
          type: 'MP_REACH_NLRI',
          afi: 1,
          safi: 1,
          nextHop: { kind: 'ip', address: '2001:db8:0:13::1', linkLocal: 'fe80::13' },
          nlri: [{ type: 'prefix', prefix: '10.204.0.0/24' }],
        },
      ],
      nlri: [],
    };
    raw.send(upd);
    const r = await waitFor(
      'raw route in Loc-RIB',
      () => sp.routes('ipv4-unicast').find((x) => x.peer === LO6),
      10_000,
      20,
    );
    expect(r.nlri).toMatchObject({ prefix: '10.204.0.0/24' });
    expect(r.attrs.nextHop).toBe('2001:db8:0:13::1');
    expect(r.attrs.linkLocal).toBe('fe80::13');
    expect(raw.of('notification')).toHaveLength(0);
  });

  it('offers no capability 5 when the peer config does not enable it', async () => {
    const { sp, open } = await setup(RAW_PORT + 1, false);
    expect(openCapabilities(open).some((c) => c.type === 'extended-next-hop')).toBe(false);
    expect(sp.peers()[0]!.negotiated?.extendedNextHop).toEqual([]);
  });
});
