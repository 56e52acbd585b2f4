// A peer that sends garbage, disconnects mid-message, floods, exceeds its prefix limit, sends a malformed
// attribute (RFC 7606 treat-as-withdraw) or stops reading affects only itself: another peer of the same
// speaker stays Established with its routes. Also: route reflection across three Filament speakers
// (RFC 4456), and a 2-octet-AS peer getting AS_TRANS + AS4_PATH (RFC 6793).
import { waitFor } from '@filament/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BgpSpeaker,
  encodeMessage,
  ManualClock,
  type PeerDownEvent,
  type SpeakerConfig,
  sessionContext,
  type UpdateMessage,
} from '../src/index.js';
import { established } from './support/speaker-daemons.js';
import { RawPeer } from './support/speaker-raw.js';

const speakers: BgpSpeaker[] = [];
const raws: RawPeer[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  await Promise.all(speakers.splice(0).map((s) => s.stop()));
});

let port = 13200 + (process.pid % 100) * 4;
function speaker(cfg: SpeakerConfig, clock?: ManualClock): BgpSpeaker {
  const s = new BgpSpeaker(cfg, clock ? { clock } : {});
  speakers.push(s);
  return s;
}

/** A speaker at 127.0.4.1 with a healthy Filament neighbour (127.0.4.2, AS 65002) and raw peers allowed. */
async function setup(
  rawPeers: { address: string; asn: number; maxPrefixes?: number; sendHoldTime?: number }[],
  clock?: ManualClock,
) {
  const p = port++;
  const s = speaker(
    {
      asn: 65001,
      routerId: '10.0.4.1',
      listen: [{ host: '127.0.4.1', port: p }],
      peers: [
        { address: '127.0.4.2', asn: 65002, passive: true },
        ...rawPeers.map((r) => ({ ...r, passive: true })),
      ],
    },
    clock,
  );
  const downs: PeerDownEvent[] = [];
  s.on('peer-down', (e) => downs.push(e));
  await s.start();
  const good = speaker({
    asn: 65002,
    routerId: '10.0.4.2',
    peers: [{ address: '127.0.4.1', port: p, asn: 65001, localAddress: '127.0.4.2', connectRetryTime: 1 }],
  });
  good.announce({ nlri: { type: 'prefix', prefix: '10.2.0.0/16' }, nextHop: '10.255.0.2' });
  await good.start();
  await established(s, '127.0.4.2');
  await waitFor('good route', () => s.ribSize('ipv4-unicast') === 1, 10_000, 20);
  const connectRaw = async (addr: string, read = true) => {
    const r = await RawPeer.connect('127.0.4.1', p, addr, { read });
    raws.push(r);
    return r;
  };
  const healthy = () => {
    const st = s.peers().find((x) => x.address === '127.0.4.2')!;
    return st.state === 'Established' && s.routes('ipv4-unicast').some((r) => r.peer === '127.0.4.2');
  };
  return { s, good, downs, connectRaw, healthy };
}

const upd = (prefixes: string[], asPath = [65009]): UpdateMessage => ({
  type: 'update',
  withdrawn: [],
  attributes: [
    { type: 'ORIGIN', origin: 'igp' },
    { type: 'AS_PATH', segments: [{ type: 'sequence', asns: asPath }] },
    { type: 'NEXT_HOP', nextHop: '10.255.0.9' },
  ],
  nlri: prefixes.map((prefix) => ({ type: 'prefix', prefix })),
});

describe('one bad peer affects only itself', () => {
  it('garbage (bad marker): NOTIFICATION Message Header Error / Connection Not Synchronized to it alone', async () => {
    const t = await setup([{ address: '127.0.4.9', asn: 65009 }]);
    const r = await t.connectRaw('127.0.4.9');
    await r.establish(65009, '9.9.9.9');
    const junk = new Uint8Array(40).fill(0x5a);
    r.send(junk);
    await waitFor('NOTIFICATION', () => r.of('notification').length > 0, 10_000, 20);
    expect(r.of('notification')[0]).toMatchObject({ code: 1, subcode: 1 });
    await waitFor('closed', () => r.closed, 10_000, 20);
    expect(t.healthy()).toBe(true);
  });

  it('disconnect in the middle of a message: only that session goes down', async () => {
    const t = await setup([{ address: '127.0.4.9', asn: 65009 }]);
    const r = await t.connectRaw('127.0.4.9');
    await r.establish(65009, '9.9.9.9');
    r.send(upd(['10.9.0.0/24']));
    await waitFor('route from raw', () => t.s.ribSize('ipv4-unicast') === 2, 10_000, 20);
    const half = encodeMessage(upd(['10.9.1.0/24', '10.9.2.0/24']));
    r.send(half.subarray(0, 30));
    r.close();
    await waitFor('down', () => t.downs.some((d) => d.peer === '127.0.4.9'), 10_000, 20);
    expect(t.downs.find((d) => d.peer === '127.0.4.9')!.reason.kind).toBe('tcp-closed');
    expect(t.s.routes('ipv4-unicast').map((x) => x.peer)).toEqual(['127.0.4.2']);
    expect(t.healthy()).toBe(true);
  });

  it('RFC 7606 treat-as-withdraw (malformed AS_PATH) removes the route and keeps the session', async () => {
    const t = await setup([{ address: '127.0.4.9', asn: 65009 }]);
    const warnings: string[] = [];
    t.s.on('warning', (w) => warnings.push(w.message));
    const r = await t.connectRaw('127.0.4.9');
    await r.establish(65009, '9.9.9.9');
    r.send(upd(['10.9.0.0/24']));
    await waitFor('route', () => t.s.ribSize('ipv4-unicast') === 2, 10_000, 20);
    const bytes = encodeMessage(upd(['10.9.0.0/24']));
    // AS_PATH segment type 2 -> 9 (unknown): Malformed AS_PATH, treat-as-withdraw (RFC 7606 7.2)
    const at = bytes.indexOf(2, 23 + 4 + 1);
    expect(bytes[at + 1]).toBe(6);
    bytes[at + 2] = 9;
    r.send(bytes);
    await waitFor('withdrawn', () => t.s.ribSize('ipv4-unicast') === 1, 10_000, 20);
    expect(warnings.some((w) => /treat-as-withdraw/.test(w))).toBe(true);
    expect(t.s.peers().find((p) => p.address === '127.0.4.9')!.state).toBe('Established');
    expect(r.of('notification')).toEqual([]);
    expect(t.healthy()).toBe(true);
  });

  it('a flood past the prefix limit: Cease / Maximum Number of Prefixes Reached, its routes dropped', async () => {
    const t = await setup([{ address: '127.0.4.9', asn: 65009, maxPrefixes: 5000 }]);
    const r = await t.connectRaw('127.0.4.9');
    await r.establish(65009, '9.9.9.9');
    for (let m = 0; m < 20; m++) {
      const prefixes: string[] = [];
      for (let i = 0; i < 500; i++) prefixes.push(`10.${100 + m}.${i >> 1}.${(i & 1) * 128}/25`);
      r.send(upd(prefixes));
    }
    await waitFor('NOTIFICATION', () => r.of('notification').length > 0, 15_000, 20);
    expect(r.of('notification')[0]).toMatchObject({
      code: 6,
      subcode: 1,
      maxPrefix: { afi: 1, safi: 1, limit: 5000 },
    });
    await waitFor('routes dropped', () => t.s.ribSize('ipv4-unicast') === 1, 10_000, 20);
    expect(t.healthy()).toBe(true);
  });

  it('a peer that stops reading: its backlog stays bounded per route while the healthy peer gets everything', async () => {
    // the speaker's timers run on a manual clock, so the send hold timer fires exactly when advanced
    const clock = new ManualClock();
    const t = await setup([{ address: '127.0.4.9', asn: 65009, sendHoldTime: 60 }], clock);
    const r = await t.connectRaw('127.0.4.9');
    await r.establish(65009, '9.9.9.9');
    r.sock.pause(); // never reads again
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      // a MED per route: nothing packs, about 50 bytes per route, far more than the socket buffers hold
      t.s.announce({
        nlri: { type: 'prefix', prefix: `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24` },
        nextHop: '10.255.0.1',
        attributes: [{ type: 'MULTI_EXIT_DISC', med: i }],
      });
    }
    await waitFor('healthy peer has all', () => t.good.ribSize('ipv4-unicast') === N + 1, 60_000, 100);
    const st = t.s.peers().find((p) => p.address === '127.0.4.9')!;
    expect(st.state).toBe('Established');
    // what it has not taken is one pending entry per route at most, not queued messages
    expect(st.backlog).toBeGreaterThan(0);
    expect(st.backlog).toBeLessThanOrEqual(N);
    // the socket holds a bounded amount (write high-water mark + one flush slice), not the table
    expect(st.outputBuffered).toBeLessThan(2 << 20);
    // RFC 9687: after the send hold time (60 s on the manual clock, before the 90 s hold timer) it is dropped: Send Hold Timer Expired
    clock.advance(60_000);
    await waitFor('send hold timer', () => t.downs.some((d) => d.peer === '127.0.4.9'), 20_000, 50);
    expect(t.downs.find((d) => d.peer === '127.0.4.9')!.notification).toMatchObject({ code: 8, subcode: 0 });
    expect(t.healthy()).toBe(true);
  }, 90_000);
});

describe('route reflection and 4-octet AS', () => {
  it('RFC 4456: a reflector passes a client route to another client with ORIGINATOR_ID and CLUSTER_LIST', async () => {
    const p = port++;
    const rr = speaker({
      asn: 65000,
      routerId: '10.0.5.1',
      clusterId: '10.0.5.100',
      listen: [{ host: '127.0.5.1', port: p }],
      peers: [
        { address: '127.0.5.2', asn: 65000, passive: true, routeReflectorClient: true },
        { address: '127.0.5.3', asn: 65000, passive: true, routeReflectorClient: true },
        { address: '127.0.5.4', asn: 65000, passive: true },
      ],
    });
    await rr.start();
    const mk = (n: number) =>
      speaker({
        asn: 65000,
        routerId: `10.0.5.${n}`,
        peers: [
          { address: '127.0.5.1', port: p, asn: 65000, localAddress: `127.0.5.${n}`, connectRetryTime: 1 },
        ],
      });
    const a = mk(2);
    const b = mk(3);
    const c = mk(4);
    a.announce({
      nlri: { type: 'prefix', prefix: '10.50.0.0/24' },
      nextHop: '10.255.0.2',
      attributes: [{ type: 'LOCAL_PREF', localPref: 150 }],
    });
    c.announce({ nlri: { type: 'prefix', prefix: '10.60.0.0/24' }, nextHop: '10.255.0.4' });
    await Promise.all([a.start(), b.start(), c.start()]);
    await waitFor(
      'reflected',
      () =>
        b.ribSize('ipv4-unicast') === 2 && c.ribSize('ipv4-unicast') === 2 && a.ribSize('ipv4-unicast') === 2,
      15_000,
      50,
    );
    const atB = b
      .routes('ipv4-unicast')
      .find((x) => (x.nlri as { prefix: string }).prefix === '10.50.0.0/24')!;
    expect(atB.attrs.originatorId).toBe('10.0.5.2');
    expect(atB.attrs.clusterList).toEqual(['10.0.5.100']);
    expect(atB.attrs.nextHop).toBe('10.255.0.2');
    expect(atB.attrs.localPref).toBe(150);
    expect(atB.attrs.asPath).toEqual([]);
    // the non-client gets the client's route (reflected); the non-client's route goes to the clients
    expect(
      c
        .routes('ipv4-unicast')
        .filter((x) => x.peer !== 'local')
        .map((x) => (x.nlri as { prefix: string }).prefix),
    ).toEqual(['10.50.0.0/24']);
    expect(
      a.routes('ipv4-unicast').some((x) => (x.nlri as { prefix: string }).prefix === '10.60.0.0/24'),
    ).toBe(true);
  });

  it('RFC 6793: a 2-octet-AS peer gets AS_TRANS in AS_PATH and the real path in AS4_PATH', async () => {
    const p = port++;
    const s = speaker({
      asn: 4200000100,
      routerId: '10.0.6.1',
      listen: [{ host: '127.0.6.1', port: p }],
      peers: [{ address: '127.0.6.2', asn: 65010, passive: true }],
    });
    s.announce({ nlri: { type: 'prefix', prefix: '10.66.0.0/24' }, nextHop: '10.255.0.6' });
    await s.start();
    const r = await RawPeer.connect('127.0.6.1', p, '127.0.6.2');
    raws.push(r);
    r.ctx = sessionContext({ fourOctetAs: false });
    // an OLD speaker: no 4-octet AS capability
    const open = {
      type: 'open' as const,
      version: 4,
      myAs: 65010,
      holdTime: 90,
      bgpId: '10.0.6.2',
      parameters: [
        {
          kind: 'capabilities' as const,
          capabilities: [{ type: 'multiprotocol' as const, afi: 1, safi: 1 }],
        },
      ],
    };
    r.send(open);
    await waitFor('OPEN', () => r.of('open').length > 0, 10_000, 20);
    expect(r.of('open')[0]!.myAs).toBe(23456);
    r.send({ type: 'keepalive' });
    await waitFor('UPDATE', () => r.of('update').some((u) => u.nlri.length > 0), 10_000, 20);
    const u = r.of('update').find((x) => x.nlri.length > 0)!;
    expect(u.attributes.find((a) => a.type === 'AS_PATH')).toMatchObject({
      segments: [{ type: 'sequence', asns: [23456] }],
    });
    expect(u.attributes.find((a) => a.type === 'AS4_PATH')).toMatchObject({
      segments: [{ type: 'sequence', asns: [4200000100] }],
    });
    // and what it sends with AS_TRANS + AS4_PATH is rebuilt on our side
    const rx = {
      type: 'update' as const,
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN' as const, origin: 'igp' as const },
        { type: 'AS_PATH' as const, segments: [{ type: 'sequence' as const, asns: [65010, 23456] }] },
        { type: 'NEXT_HOP' as const, nextHop: '10.255.0.7' },
        { type: 'AS4_PATH' as const, segments: [{ type: 'sequence' as const, asns: [4200000200] }] },
      ],
      nlri: [{ type: 'prefix' as const, prefix: '10.77.0.0/24' }],
    };
    r.send(rx);
    await waitFor('rebuilt', () => s.routes('ipv4-unicast').some((x) => x.peer === '127.0.6.2'), 10_000, 20);
    expect(s.routes('ipv4-unicast').find((x) => x.peer === '127.0.6.2')!.attrs.asPath).toEqual([
      { type: 'sequence', asns: [65010, 4200000200] },
    ]);
  });
});
