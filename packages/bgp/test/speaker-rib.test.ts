// Speaker building blocks without sockets: capability negotiation, the decision process and its
// tie-breakers, ECMP sets, the Loc-RIB's best-path changes, Adj-RIB-Out update packing (decoded back
// with the codec), RFC 6793 AS path handling, route reflection rules, RT membership, policy rules,
// declarative config checking and the TCP MD5 error.
import { describe, expect, it } from 'vitest';
import {
  AdjRibOut,
  checkMd5,
  Decision,
  decodeMessage,
  downgradeAs4,
  type Family,
  ipv4Key,
  LocRib,
  makeOpen,
  makePathAttrs,
  mayAdvertise,
  membershipNlri,
  negotiateSession,
  nlriKey,
  Path,
  type PathAttribute,
  parseConfig,
  parseExtendedCommunity,
  parseRd,
  type RouteSource,
  RtMembership,
  reconstructAs4,
  reflectAttrs,
  reflectionLoop,
  rulePolicy,
  SpeakerConfigError,
  sessionContext,
  TcpMd5UnsupportedError,
  type UpdateMessage,
} from '../src/index.js';

const V4 = 0x101;
const src = (id: string, kind: RouteSource['kind'], bgpId = id, rrClient = false): RouteSource => ({
  id,
  kind,
  bgpId,
  asn: 65000,
  rrClient,
});
const attrs = (
  o: {
    lp?: number;
    path?: number[];
    origin?: 'igp' | 'egp' | 'incomplete';
    med?: number;
    extra?: PathAttribute[];
  } = {},
) =>
  makePathAttrs(
    [
      { type: 'ORIGIN', origin: o.origin ?? 'igp' },
      { type: 'AS_PATH', segments: o.path?.length ? [{ type: 'sequence', asns: o.path }] : [] },
      ...(o.lp !== undefined ? [{ type: 'LOCAL_PREF' as const, localPref: o.lp }] : []),
      ...(o.med !== undefined ? [{ type: 'MULTI_EXIT_DISC' as const, med: o.med }] : []),
      ...(o.extra ?? []),
    ],
    '10.255.0.1',
  );
const path = (s: RouteSource, a: ReturnType<typeof attrs>, key = ipv4Key(0x0a000000, 24)) =>
  new Path(s, V4, key, undefined, 0, a);

describe('negotiation', () => {
  it('hold time, families, 4-octet AS, add-path per direction and graceful restart', () => {
    const local = makeOpen({
      asn: 65001,
      holdTime: 90,
      bgpId: '1.1.1.1',
      capabilities: [
        { type: 'multiprotocol', afi: 1, safi: 1 },
        { type: 'multiprotocol', afi: 25, safi: 70 },
        { type: 'route-refresh' },
        { type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'receive' }] },
        { type: 'graceful-restart', restartState: false, notification: true, restartTime: 120, families: [] },
      ],
    });
    const remote = makeOpen({
      asn: 4200000001,
      holdTime: 30,
      bgpId: '2.2.2.2',
      capabilities: [
        { type: 'multiprotocol', afi: 1, safi: 1 },
        { type: 'multiprotocol', afi: 1, safi: 128 },
        { type: 'route-refresh' },
        { type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'both' }] },
        {
          type: 'graceful-restart',
          restartState: true,
          notification: true,
          restartTime: 45,
          families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
        },
      ],
    });
    const n = negotiateSession(local, remote, 65001);
    expect(n.holdTime).toBe(30);
    expect(n.keepaliveTime).toBe(10);
    expect(n.families).toEqual([{ afi: 1, safi: 1 }]);
    expect(n.peerAs).toBe(4200000001);
    expect(n.internal).toBe(false);
    expect(n.fourOctetAs).toBe(true);
    expect(n.routeRefresh).toBe(true);
    expect(n.enhancedRouteRefresh).toBe(false);
    expect(n.addPathReceive).toEqual([{ afi: 1, safi: 1 }]);
    expect(n.addPathSend).toEqual([]);
    expect(n.rx.addPath.has(V4)).toBe(true);
    expect(n.tx.addPath.size).toBe(0);
    expect(n.gracefulRestart).toEqual({
      restartTime: 45,
      restarting: true,
      notification: true,
      families: new Map([[V4, true]]),
    });
  });

  it('no multiprotocol capability on either side means IPv4 unicast', () => {
    const a = makeOpen({ asn: 1, bgpId: '1.1.1.1' });
    const b = makeOpen({ asn: 1, bgpId: '1.1.1.2' });
    const n = negotiateSession(a, b, 1);
    expect(n.families).toEqual([{ afi: 1, safi: 1 }]);
    expect(n.internal).toBe(true);
    expect(n.rx.peerType).toBe('internal');
  });
});

describe('decision process (RFC 4271 9.1.2.2)', () => {
  const d = new Decision();
  const ext = src('192.0.2.1', 'external');
  const ext2 = src('192.0.2.2', 'external', '192.0.2.2');
  const int = src('192.0.2.3', 'internal');
  it('prefers higher LOCAL_PREF, then shorter AS path, then lower origin', () => {
    expect(
      d.compare(path(int, attrs({ lp: 200, path: [1, 2, 3] })), path(ext, attrs({ path: [1] }))),
    ).toBeLessThan(0);
    expect(d.compare(path(ext, attrs({ path: [1, 2] })), path(ext2, attrs({ path: [1] })))).toBeGreaterThan(
      0,
    );
    expect(
      d.compare(
        path(ext, attrs({ path: [1], origin: 'egp' })),
        path(ext2, attrs({ path: [2], origin: 'igp' })),
      ),
    ).toBeGreaterThan(0);
  });
  it('compares MED only within the same neighbouring AS (unless always-compare-med)', () => {
    const a = path(ext2, attrs({ path: [1], med: 50 }));
    const b = path(ext, attrs({ path: [1], med: 10 }));
    expect(d.compare(a, b)).toBeGreaterThan(0);
    // different neighbour AS: MED ignored, falls to router ID (192.0.2.1 < 192.0.2.2)
    const c = path(ext2, attrs({ path: [2], med: 0 }));
    const e = path(ext, attrs({ path: [1], med: 100 }));
    expect(d.compare(c, e)).toBeGreaterThan(0);
    expect(new Decision({ alwaysCompareMed: true }).compare(c, e)).toBeLessThan(0);
  });
  it('prefers external over internal, then lower IGP cost, and never an unreachable next hop', () => {
    expect(d.compare(path(int, attrs({ path: [1] })), path(ext2, attrs({ path: [1] })))).toBeGreaterThan(0);
    const cost = new Decision({
      igpCost: (nh) => (nh === '10.255.0.1' ? 10 : nh === '10.255.0.2' ? 5 : undefined),
    });
    const near = new Path(
      int,
      V4,
      1,
      undefined,
      0,
      makePathAttrs(
        [
          { type: 'ORIGIN', origin: 'igp' },
          { type: 'AS_PATH', segments: [] },
        ],
        '10.255.0.2',
      ),
    );
    const far = path(src('192.0.2.9', 'internal', '0.0.0.1'), attrs({}));
    expect(cost.compare(near, far)).toBeLessThan(0);
    const dead = new Path(
      int,
      V4,
      1,
      undefined,
      0,
      makePathAttrs(
        [
          { type: 'ORIGIN', origin: 'igp' },
          { type: 'AS_PATH', segments: [] },
        ],
        '10.9.9.9',
      ),
    );
    expect(cost.eligible(dead)).toBe(false);
    expect(cost.compare(dead, far)).toBeGreaterThan(0);
  });
  it('then ORIGINATOR_ID / router ID, CLUSTER_LIST length, peer address', () => {
    const r1 = src('192.0.2.5', 'internal', '9.9.9.9');
    const r2 = src('192.0.2.6', 'internal', '1.1.1.1');
    const withOrig = path(r1, attrs({ extra: [{ type: 'ORIGINATOR_ID', originatorId: '0.0.0.5' }] }));
    expect(d.compare(withOrig, path(r2, attrs({})))).toBeLessThan(0);
    const shortCl = path(
      r1,
      attrs({
        extra: [
          { type: 'CLUSTER_LIST', clusterIds: ['1.1.1.1'] },
          { type: 'ORIGINATOR_ID', originatorId: '5.5.5.5' },
        ],
      }),
    );
    const longCl = path(
      r2,
      attrs({
        extra: [
          { type: 'CLUSTER_LIST', clusterIds: ['1.1.1.1', '2.2.2.2'] },
          { type: 'ORIGINATOR_ID', originatorId: '5.5.5.5' },
        ],
      }),
    );
    expect(d.compare(shortCl, longCl)).toBeLessThan(0);
    const sameId1 = path(src('192.0.2.10', 'internal', '7.7.7.7'), attrs({}));
    const sameId2 = path(src('192.0.2.9', 'internal', '7.7.7.7'), attrs({}));
    expect(d.compare(sameId2, sameId1)).toBeLessThan(0);
  });
  it('Loc-RIB reports best path changes and keeps ECMP sets', () => {
    const rib = new LocRib(new Decision());
    const k = ipv4Key(0x0a000000, 24);
    const a = path(src('192.0.2.1', 'external', '1.1.1.1'), attrs({ path: [65010] }));
    const b = path(src('192.0.2.2', 'external', '2.2.2.2'), attrs({ path: [65010] }));
    const c = path(src('192.0.2.3', 'external', '3.3.3.3'), attrs({ path: [65020, 1] }));
    expect(rib.replace(V4, k, undefined, b)).toEqual({ previous: undefined, best: b });
    expect(rib.replace(V4, k, undefined, c)).toBeUndefined();
    expect(rib.replace(V4, k, undefined, a)).toEqual({ previous: b, best: a });
    expect(rib.candidates(V4, k)).toEqual([a, b, c]);
    expect(rib.multipath(V4, k)).toEqual([a, b]);
    expect(rib.replace(V4, k, a, undefined)).toEqual({ previous: a, best: b });
    expect(rib.replace(V4, k, b, undefined)).toEqual({ previous: b, best: c });
    expect(rib.replace(V4, k, c, undefined)).toEqual({ previous: c, best: undefined });
    expect(rib.size(V4)).toBe(0);
  });
});

function decodeAll(msgs: Uint8Array[]): UpdateMessage[] {
  return msgs.map((m) => decodeMessage(m, 0, sessionContext()).message as UpdateMessage);
}

describe('Adj-RIB-Out update packing', () => {
  const local = src('local', 'local', '10.0.0.1');
  it('packs 5,000 IPv4 prefixes sharing attributes into few full UPDATEs, then withdraws them', () => {
    const a = attrs({ path: [65001] });
    const out = new AdjRibOut({ ctx: sessionContext(), exportPath: (p) => p.attrs });
    const keys: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const k = ipv4Key((0x0a000000 + i * 256) >>> 0, 24);
      keys.push(k);
      out.queue(V4, k, new Path(local, V4, k, undefined, 0, a));
    }
    const msgs: Uint8Array[] = [];
    expect(out.flush((m) => msgs.push(m.slice()) > 0)).toBe(true);
    // 4 bytes per /24 and 20 bytes of attributes: 1,013 prefixes fill a 4,096-byte UPDATE; the flush works
    // in slices of 4,096 changes, so 5,000 prefixes take 4 full UPDATEs + 1 per slice remainder
    expect(msgs.length).toBe(6);
    expect(msgs.filter((m) => m.length >= 4096 - 3).length).toBe(4);
    expect(msgs.every((m) => m.length <= 4096)).toBe(true);
    const ups = decodeAll(msgs);
    const got = ups.flatMap((u) => u.nlri.map((n) => (n as { prefix: string }).prefix));
    expect(got.length).toBe(5000);
    expect(new Set(got).size).toBe(5000);
    expect(got[1]).toBe('10.0.1.0/24');
    expect(ups[0]!.attributes.map((x) => x.type)).toEqual(['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
    expect(out.advertised(V4)).toBe(5000);
    for (const k of keys) out.queue(V4, k, null);
    const w: Uint8Array[] = [];
    out.flush((m) => w.push(m.slice()) > 0);
    expect(decodeAll(w).flatMap((u) => u.withdrawn).length).toBe(5000);
    expect(out.advertised(V4)).toBe(0);
  });

  it('groups by attribute set, coalesces repeated changes and writes MP_REACH for VPNv4 (decoded back)', () => {
    const vpn = (1 << 8) | 128;
    const rt1 = attrs({
      extra: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:1:1')] }],
    });
    const rt2 = attrs({
      extra: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:1:2')] }],
    });
    const out = new AdjRibOut({ ctx: sessionContext(), exportPath: (p) => p.attrs });
    for (let i = 0; i < 300; i++) {
      const n = {
        type: 'vpn' as const,
        labels: [100 + i],
        rd: parseRd('65000:1'),
        prefix: `10.${i >> 8}.${i & 255}.0/24`,
      };
      const p = new Path(local, vpn, nlriKey(vpn, n), n, 0, i % 2 ? rt1 : rt2);
      out.queue(vpn, p.key, p);
      out.queue(vpn, p.key, p); // coalesced
    }
    expect(out.backlog).toBe(300);
    const msgs: Uint8Array[] = [];
    out.flush((m) => msgs.push(m.slice()) > 0);
    const ups = decodeAll(msgs);
    const reach = ups.map((u) => u.attributes.find((a) => a.type === 'MP_REACH_NLRI')!);
    expect(
      reach.every(
        (r) => r.type === 'MP_REACH_NLRI' && r.nextHop.kind === 'vpn' && r.nextHop.address === '10.255.0.1',
      ),
    ).toBe(true);
    const all = reach.flatMap((r) => (r.type === 'MP_REACH_NLRI' ? r.nlri : []));
    expect(all.length).toBe(300);
    expect(all[0]).toMatchObject({ type: 'vpn', rd: { type: 0, asn: 65000, assigned: 1 } });
    // one attribute set per UPDATE: every UPDATE's RT is one of the two
    for (const u of ups) {
      const ec = u.attributes.find((a) => a.type === 'EXTENDED_COMMUNITIES');
      expect(ec && ec.type === 'EXTENDED_COMMUNITIES' ? ec.communities.length : 0).toBe(1);
    }
  });

  it('stops writing when the transport pushes back and resumes later with nothing lost', () => {
    const a = attrs({});
    const out = new AdjRibOut({ ctx: sessionContext(), exportPath: (p) => p.attrs, batch: 500 });
    for (let i = 0; i < 3000; i++) {
      const k = ipv4Key((0x0b000000 + i * 256) >>> 0, 24);
      out.queue(V4, k, new Path(local, V4, k, undefined, 0, a));
    }
    const msgs: Uint8Array[] = [];
    expect(out.flush((m) => msgs.push(m.slice()) < 1)).toBe(false);
    expect(out.backlog).toBeGreaterThan(0);
    while (!out.flush((m) => msgs.push(m.slice()) > 0));
    expect(decodeAll(msgs).flatMap((u) => u.nlri).length).toBe(3000);
  });
});

describe('RFC 6793 AS paths, route reflection, RT membership', () => {
  it('rebuilds the path from AS_PATH + AS4_PATH and downgrades for 2-octet peers', () => {
    const rx = reconstructAs4([
      { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 23456, 23456] }] },
      { type: 'AS4_PATH', segments: [{ type: 'sequence', asns: [4200000001, 4200000002] }] },
    ]);
    expect(rx).toEqual([
      { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 4200000001, 4200000002] }] },
    ]);
    const tx = downgradeAs4([
      { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] },
    ]);
    expect(tx).toEqual([
      { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 23456] }] },
      { type: 'AS4_PATH', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] },
    ]);
  });
  it('RFC 4456 advertisement rules, reflected attributes and loop checks', () => {
    const client = src('10.0.0.2', 'internal', '2.2.2.2', true);
    const nonClient = src('10.0.0.3', 'internal', '3.3.3.3');
    const ebgp = src('10.0.0.4', 'external');
    const t = (id: string, kind: 'internal' | 'external', rrClient: boolean) => ({ id, kind, rrClient });
    expect(mayAdvertise(nonClient, t('10.0.0.5', 'internal', false))).toBe(false);
    expect(mayAdvertise(nonClient, t('10.0.0.2', 'internal', true))).toBe(true);
    expect(mayAdvertise(client, t('10.0.0.3', 'internal', false))).toBe(true);
    expect(mayAdvertise(client, t('10.0.0.2', 'internal', true))).toBe(false); // back to its source
    expect(mayAdvertise(ebgp, t('10.0.0.3', 'internal', false))).toBe(true);
    expect(mayAdvertise(nonClient, t('10.0.0.4', 'external', false))).toBe(true);
    const r = reflectAttrs(attrs({}), client, '9.9.9.9');
    expect(r.originatorId).toBe('2.2.2.2');
    expect(r.clusterList).toEqual(['9.9.9.9']);
    const again = reflectAttrs(r, nonClient, '8.8.8.8');
    expect(again.originatorId).toBe('2.2.2.2');
    expect(again.clusterList).toEqual(['8.8.8.8', '9.9.9.9']);
    expect(reflectionLoop(again, '2.2.2.2', '7.7.7.7')).toBe(true);
    expect(reflectionLoop(again, '1.1.1.1', '9.9.9.9')).toBe(true);
    expect(reflectionLoop(again, '1.1.1.1', '7.7.7.7')).toBe(false);
  });
  it('RT membership allows routes carrying a wanted target, or everything after the default membership', () => {
    const m = new RtMembership();
    const a = attrs({
      extra: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65001:100')] }],
    });
    const b = attrs({
      extra: [{ type: 'EXTENDED_COMMUNITIES', communities: [parseExtendedCommunity('target:65001:200')] }],
    });
    expect(m.allows(a)).toBe(false);
    m.update(membershipNlri(65001, 'target:65001:100'), 1);
    expect(m.allows(a)).toBe(true);
    expect(m.allows(b)).toBe(false);
    m.update(membershipNlri(65001), 1);
    expect(m.allows(b)).toBe(true);
    m.update(membershipNlri(65001), -1);
    m.update(membershipNlri(65001, 'target:65001:100'), -1);
    expect(m.allows(a)).toBe(false);
  });
});

describe('policy rules and configuration', () => {
  const fam: Family = { afi: 1, safi: 1 };
  it('first matching rule decides; sets change attributes', () => {
    const pol = rulePolicy([
      { match: { prefix: ['10.0.0.0/8+'] }, set: { localPref: 300, addCommunities: ['65000:1'] } },
      { match: { asPathContains: [666] }, action: 'reject' },
    ]);
    const base = { direction: 'import' as const, peer: '192.0.2.1', peerAs: 65001, family: fam };
    const r = pol({
      ...base,
      nlri: { type: 'prefix', prefix: '10.1.0.0/16' },
      attrs: attrs({ path: [666] }),
    });
    expect(r).toEqual({
      set: [
        { type: 'LOCAL_PREF', localPref: 300 },
        { type: 'COMMUNITIES', communities: [65000 * 65536 + 1] },
      ],
    });
    expect(
      pol({ ...base, nlri: { type: 'prefix', prefix: '192.168.0.0/16' }, attrs: attrs({ path: [1, 666] }) }),
    ).toBe(false);
    expect(
      pol({ ...base, nlri: { type: 'prefix', prefix: '192.168.0.0/16' }, attrs: attrs({ path: [1] }) }),
    ).toBe(true);
  });
  it('parseConfig checks fields and names the bad one', () => {
    const ok = parseConfig({
      asn: 65000,
      routerId: '10.0.0.1',
      listen: [{ host: '127.0.0.1', port: 1179 }],
      peers: [
        {
          address: '127.0.0.2',
          asn: 65001,
          families: ['ipv4-unicast', 'l2vpn-evpn'],
          import: [{ action: 'reject', match: { prefix: ['0.0.0.0/0'] } }],
        },
      ],
    });
    expect(ok.peers[0]!.families).toEqual(['ipv4-unicast', 'l2vpn-evpn']);
    expect(typeof ok.peers[0]!.import).toBe('function');
    const bad = (c: unknown, field: string) => {
      try {
        parseConfig(c);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SpeakerConfigError);
        expect((e as SpeakerConfigError).field).toBe(field);
      }
    };
    bad({ asn: 0, routerId: '1.1.1.1', peers: [] }, 'asn');
    bad({ asn: 1, routerId: '1.1.1', peers: [] }, 'routerId');
    bad(
      { asn: 1, routerId: '1.1.1.1', peers: [{ address: 'x', asn: 2, families: ['ipv5-unicast'] }] },
      'peers[0].families[0]',
    );
    bad({ asn: 1, routerId: '1.1.1.1', peers: [{ address: 'x', asn: 2, holdTime: 2 }] }, 'peers[0].holdTime');
  });
  it('TCP MD5 is refused with a typed error naming the platform limitation', () => {
    expect(() => checkMd5('192.0.2.1', undefined)).not.toThrow();
    try {
      checkMd5('192.0.2.1', 'secret');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TcpMd5UnsupportedError);
      expect((e as TcpMd5UnsupportedError).code).toBe('ERR_BGP_TCP_MD5_UNSUPPORTED');
      expect((e as Error).message).toMatch(/TCP_MD5SIG/);
      expect((e as TcpMd5UnsupportedError).platform).toBe(process.platform);
    }
  });
});
