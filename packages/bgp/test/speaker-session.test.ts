import { waitFor } from '@filament/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BgpSpeaker,
  evpnLabelFromVni,
  type PeerConfig,
  parseExtendedCommunity,
  parseRd,
  type SpeakerConfig,
} from '../src/index.js';

const speakers: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

let nextPort = 13400 + (process.pid % 200) * 2;

function speaker(cfg: Omit<SpeakerConfig, 'peers'> & { peers?: PeerConfig[] }): BgpSpeaker {
  const s = new BgpSpeaker({ peers: [], ...cfg });
  speakers.push(s);
  return s;
}

const established = (s: BgpSpeaker, peer: string) =>
  waitFor(
    `${peer} Established`,
    () => s.peers().find((p) => p.address === peer)?.state === 'Established',
    15_000,
    50,
  );

describe('two Filament speakers', () => {
  it('eBGP: IPv4 unicast, VPNv4 and EVPN flow both ways, attributes follow the eBGP rules, withdrawals arrive', async () => {
    const port = nextPort++;
    const fams = ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'];
    const a = speaker({ asn: 65101, routerId: '10.0.0.1', listen: [{ host: '127.0.0.21', port }] });
    const b = speaker({ asn: 65102, routerId: '10.0.0.2', listen: [] });
    a.addPeer({ address: '127.0.0.22', asn: 65102, families: fams, passive: true });
    b.addPeer({
      address: '127.0.0.21',
      port,
      asn: 65101,
      localAddress: '127.0.0.22',
      families: fams,
      connectRetryTime: 1,
    });
    a.announce({
      nlri: { type: 'prefix', prefix: '10.1.0.0/24' },
      nextHop: '10.255.0.1',
      attributes: [
        { type: 'MULTI_EXIT_DISC', med: 5 },
        { type: 'COMMUNITIES', communities: [65101 * 65536 + 7] },
      ],
    });
    await a.start();
    await b.start();
    await established(b, '127.0.0.21');
    const st = b.peers()[0]!;
    expect(st.negotiated?.families).toEqual(fams);
    expect(st.negotiated?.fourOctetAs).toBe(true);
    expect(st.negotiated?.routeRefresh).toBe(true);
    expect(st.negotiated?.enhancedRouteRefresh).toBe(true);
    await waitFor('10.1.0.0/24 at b', () => b.ribSize('ipv4-unicast') === 1, 10_000, 20);
    const r = b.routes('ipv4-unicast')[0]!;
    expect(r.nlri).toEqual({ type: 'prefix', prefix: '10.1.0.0/24' });
    expect(r.attrs.asPath).toEqual([{ type: 'sequence', asns: [65101] }]);
    expect(r.attrs.nextHop).toBe('10.255.0.1');
    expect(r.attrs.med).toBe(5); // locally originated MED goes to the external peer
    expect(r.attrs.localPref).toBeUndefined();
    // b -> a: VPNv4 and EVPN type 2
    b.announce({
      nlri: { type: 'vpn', labels: [900], rd: parseRd('65102:100'), prefix: '10.9.1.0/24' },
      nextHop: '10.255.0.2',
      attributes: [
        { type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65102:100')] },
      ],
    });
    b.announce({
      family: 'l2vpn-evpn',
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: parseRd('10.0.0.2:1001'),
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:09:01',
        ip: '10.9.0.11',
        label1: evpnLabelFromVni(1001),
      },
      nextHop: '10.255.0.2',
      attributes: [
        {
          type: 'EXTENDED_COMMUNITIES',
          communities: [parseExtendedCommunity('target:65102:1001'), parseExtendedCommunity('encap:vxlan')],
        },
      ],
    });
    await waitFor(
      'vpn + evpn at a',
      () => a.ribSize('ipv4-mpls-vpn') === 1 && a.ribSize('l2vpn-evpn') === 1,
      10_000,
      20,
    );
    const v = a.routes('ipv4-mpls-vpn')[0]!;
    expect(v.nlri).toMatchObject({ type: 'vpn', labels: [900], prefix: '10.9.1.0/24' });
    expect(v.attrs.routeTargets).toEqual(['target:65102:100']);
    expect(v.attrs.nextHop).toBe('10.255.0.2');
    const e = a.routes('l2vpn-evpn')[0]!;
    expect(e.nlri).toMatchObject({ type: 'evpn-mac-ip', mac: '02:00:00:00:09:01', ip: '10.9.0.11' });
    // withdraw
    b.withdraw({ nlri: { type: 'vpn', labels: [], rd: parseRd('65102:100'), prefix: '10.9.1.0/24' } });
    a.withdraw({ nlri: { type: 'prefix', prefix: '10.1.0.0/24' } });
    await waitFor(
      'withdrawals',
      () => a.ribSize('ipv4-mpls-vpn') === 0 && b.ribSize('ipv4-unicast') === 0,
      10_000,
      20,
    );
    expect(a.ribSize('l2vpn-evpn')).toBe(1);
  });

  it('extended messages (RFC 8654): both offer them, UPDATEs grow past 4,096 bytes and still decode', async () => {
    const port = nextPort++;
    const a = speaker({ asn: 65121, routerId: '10.0.1.21', listen: [{ host: '127.0.1.21', port }] });
    a.addPeer({ address: '127.0.1.22', asn: 65122, passive: true, extendedMessage: true });
    const b = speaker({
      asn: 65122,
      routerId: '10.0.1.22',
      peers: [
        {
          address: '127.0.1.21',
          port,
          asn: 65121,
          localAddress: '127.0.1.22',
          connectRetryTime: 1,
          extendedMessage: true,
        },
      ],
    });
    for (let i = 0; i < 20_000; i++) {
      a.announce({
        nlri: { type: 'prefix', prefix: `${30 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24` },
        nextHop: '10.255.0.21',
      });
    }
    await a.start();
    await b.start();
    await established(b, '127.0.1.21');
    expect(b.peers()[0]!.negotiated?.extendedMessage).toBe(true);
    await waitFor('all routes', () => b.ribSize('ipv4-unicast') === 20_000, 20_000, 20);
    // a flush slice of 4,096 changes fits one 65,535-byte UPDATE: 5 UPDATEs + End-of-RIB, where 4,096-byte
    // messages would need at least 20
    expect(b.peers()[0]!.updatesReceived).toBe(6);
  });

  it('graceful restart, restarting side (RFC 4724 4.1): R bit set, our routes wait for the peer End-of-RIB', async () => {
    const port = nextPort++;
    const log: string[] = [];
    const a = speaker({
      asn: 65131,
      routerId: '10.0.1.31',
      listen: [{ host: '127.0.1.31', port }],
      gracefulRestart: { restarting: true, restartTime: 90, selectionDeferralTime: 60 },
    });
    a.addPeer({ address: '127.0.1.32', asn: 65132, passive: true });
    const b = speaker({
      asn: 65132,
      routerId: '10.0.1.32',
      gracefulRestart: { restartTime: 90 },
      peers: [{ address: '127.0.1.31', port, asn: 65131, localAddress: '127.0.1.32', connectRetryTime: 1 }],
    });
    for (let i = 0; i < 5000; i++)
      b.announce({
        nlri: { type: 'prefix', prefix: `40.0.${i >> 8}.${i & 255}/32` },
        nextHop: '10.255.0.32',
      });
    a.announce({ nlri: { type: 'prefix', prefix: '10.31.0.0/24' }, nextHop: '10.255.0.31' });
    a.on('end-of-rib', (e) => log.push(`a: End-of-RIB ${e.family.afi}/${e.family.safi} from b`));
    b.on('route', (e) => {
      if (e.peer === '127.0.1.31') log.push(`b: route ${(e.nlri as { prefix: string }).prefix}`);
    });
    await a.start();
    await b.start();
    await waitFor('b has a route', () => b.ribSize('ipv4-unicast') === 5001, 15_000, 20);
    const st = b.peers()[0]!;
    expect(st.negotiated?.gracefulRestart).toBe(true);
    expect(b.peer('127.0.1.31').negotiated?.gracefulRestart?.restarting).toBe(true);
    expect(a.ribSize('ipv4-unicast')).toBe(5001);
    expect(log.indexOf('a: End-of-RIB 1/1 from b')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('a: End-of-RIB 1/1 from b')).toBeLessThan(log.indexOf('b: route 10.31.0.0/24'));
  });

  it('add-path (RFC 7911): a hub sends both paths of a prefix with their own path identifiers', async () => {
    const port = nextPort++;
    const hub = speaker({ asn: 65110, routerId: '10.0.1.10', listen: [{ host: '127.0.1.10', port }] });
    hub.addPeer({ address: '127.0.1.11', asn: 65111, passive: true });
    hub.addPeer({ address: '127.0.1.12', asn: 65112, passive: true });
    hub.addPeer({ address: '127.0.1.13', asn: 65113, passive: true, addPathSend: ['ipv4-unicast'] });
    await hub.start();
    const mk = (n: number, extra: Partial<PeerConfig> = {}) =>
      speaker({
        asn: 65100 + n,
        routerId: `10.0.1.${n}`,
        peers: [
          {
            address: '127.0.1.10',
            port,
            asn: 65110,
            localAddress: `127.0.1.${n}`,
            connectRetryTime: 1,
            ...extra,
          },
        ],
      });
    const x = mk(11);
    const y = mk(12);
    const b = mk(13, { addPathReceive: ['ipv4-unicast'] });
    x.announce({ nlri: { type: 'prefix', prefix: '10.8.0.0/24' }, nextHop: '10.255.0.11' });
    y.announce({ nlri: { type: 'prefix', prefix: '10.8.0.0/24' }, nextHop: '10.255.0.12' });
    await Promise.all([x.start(), y.start(), b.start()]);
    await established(b, '127.0.1.10');
    const st = b.peers()[0]!;
    await waitFor('two paths at b', () => b.routes('ipv4-unicast').length === 2, 15_000, 20);
    expect(hub.peers().find((p) => p.address === '127.0.1.13')!.negotiated?.addPathSend).toEqual([
      'ipv4-unicast',
    ]);
    expect(st.negotiated?.addPathReceive).toEqual(['ipv4-unicast']);
    const paths = b.routes('ipv4-unicast');
    expect(
      paths.every((r) => r.peer === '127.0.1.10' && (r.nlri as { prefix: string }).prefix === '10.8.0.0/24'),
    ).toBe(true);
    expect(new Set(paths.map((r) => r.pathId)).size).toBe(2);
    expect(paths.map((r) => r.attrs.asPath[0]!.asns).sort()).toEqual([
      [65110, 65111],
      [65110, 65112],
    ]);
    // one path withdrawn upstream: b keeps the other
    x.withdraw({ nlri: { type: 'prefix', prefix: '10.8.0.0/24' } });
    await waitFor('one path left', () => b.routes('ipv4-unicast').length === 1, 15_000, 20);
    expect(b.routes('ipv4-unicast')[0]!.attrs.asPath[0]!.asns).toEqual([65110, 65112]);
  });
});
