// Wire check against GoBGP (Debian gobgpd 3.10): routes are injected with the `gobgp` CLI, gobgpd
// advertises them over loopback to a passive peer in this test, and the NLRI and extended communities
// of the UPDATEs it sends are decoded here and compared with what was injected, with `gobgp global rib
// -j`, and (the same bytes written to a pcap) with tshark's dissection. Encoding what was decoded gives
// the captured bytes back.
//
// gobgpd runs from a scratch directory on non-privileged ports (no BGP listener: `port = -1`; gRPC on a
// port derived from the test's pid) with two eBGP neighbors: 127.0.3.2 for IPv4/IPv6 unicast and
// labeled unicast, 127.0.3.3 for VPNv4/VPNv6, EVPN and RT-constraint (GoBGP holds VPN and EVPN routes
// back until the peer sends RT membership, RFC 4684 6, and with RT-constraint negotiated it does not
// send unicast routes to that peer at all, so the families are split).
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describeWithTool, itWithTool, run, scratchDir, tsharkJson } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  decodeExtendedCommunities,
  decodeNlri,
  type EvpnRoute,
  type ExtendedCommunity,
  encodeExtendedCommunities,
  encodeNlri,
  esiFields,
  evpnLabelReading,
  evpnServiceLabels,
  type Family,
  formatExtendedCommunity,
  formatRd,
  type Nlri,
} from '../src/index.js';
import {
  type Captured,
  endOfRib,
  freePort,
  type Listener,
  listen,
  mpNlri,
  pcapOf,
  rtcDefaultUpdate,
  updateMessage,
  walkUpdate,
} from './support/nlri-peer.js';
import { checkPacket, updateFor } from './support/nlri-tshark.js';

const UNICAST: Family[] = [
  { afi: 1, safi: 1 },
  { afi: 2, safi: 1 },
  { afi: 1, safi: 4 },
  { afi: 2, safi: 4 },
];
const VPN: Family[] = [
  { afi: 1, safi: 128 },
  { afi: 2, safi: 128 },
  { afi: 25, safi: 70 },
  { afi: 1, safi: 132 },
];

/** Everything one UPDATE carried, decoded. */
interface Seen {
  family: Family;
  reach: boolean;
  nlri: Nlri[];
  communities: ExtendedCommunity[];
  /** Byte ranges of the MP_REACH/MP_UNREACH NLRI and of EXTENDED_COMMUNITIES in `msg`. */
  nlriBytes: Uint8Array;
  commBytes: Uint8Array | undefined;
  msg: Uint8Array;
  /** Whether the NLRI carried RFC 7911 path identifiers. */
  addPath: boolean;
}

/** Families the unicast session negotiated add-path (RFC 7911) for: gobgpd sends path identifiers. */
const ADD_PATH: Family[] = [
  { afi: 1, safi: 1 },
  { afi: 2, safi: 1 },
];
const addPathFor = (f: Family, on: boolean) =>
  on && ADD_PATH.some((a) => a.afi === f.afi && a.safi === f.safi);

function decodeAll(messages: readonly Captured[], addPath = false): Seen[] {
  const out: Seen[] = [];
  for (const m of messages) {
    if (m.type !== 2) continue;
    const u = walkUpdate(m.bytes);
    const ext = u.attrs.find((a) => a.code === 16);
    const communities = ext ? decodeExtendedCommunities(m.bytes, ext.offset, ext.length) : [];
    const commBytes = ext ? m.bytes.slice(ext.offset, ext.offset + ext.length) : undefined;
    for (const a of u.attrs) {
      if (a.code !== 14 && a.code !== 15) continue;
      const r = mpNlri(m.bytes, a);
      const nlri = decodeNlri(r.family, m.bytes, r.start, r.end, { addPath: addPathFor(r.family, addPath) });
      out.push({
        family: r.family,
        reach: a.code === 14,
        nlri,
        communities,
        nlriBytes: m.bytes.slice(r.start, r.end),
        commBytes,
        msg: m.bytes,
        addPath: addPathFor(r.family, addPath),
      });
    }
    if (u.nlri[1] > u.nlri[0]) {
      out.push({
        family: { afi: 1, safi: 1 },
        reach: true,
        nlri: decodeNlri({ afi: 1, safi: 1 }, m.bytes, u.nlri[0], u.nlri[1], { addPath }),
        communities,
        nlriBytes: m.bytes.slice(u.nlri[0], u.nlri[1]),
        commBytes,
        msg: m.bytes,
        addPath,
      });
    }
  }
  return out;
}

const zeroEsi = '00:00:00:00:00:00:00:00:00:00';
const lbl = (raw: number) => ({ raw, label: raw >>> 4, vni: raw });

/** gobgp CLI command (after `global rib -a <family> add`), the route it should produce and its communities. */
const injected: { family: string; args: string; route: Nlri; communities: string[] }[] = [
  {
    family: 'evpn',
    args: 'macadv 02:00:00:00:01:01 10.1.0.11 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan nexthop 10.255.0.1 router-mac 02:00:00:00:00:01',
    route: {
      type: 'evpn-mac-ip',
      routeType: 2,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
      esi: zeroEsi,
      ethernetTag: 0,
      mac: '02:00:00:00:01:01',
      ip: '10.1.0.11',
      label1: lbl(1001),
    },
    communities: ['target:65001:1001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01'],
  },
  {
    family: 'evpn',
    args: 'macadv 02:00:00:00:01:02 0.0.0.0 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan nexthop 10.255.0.1',
    route: {
      type: 'evpn-mac-ip',
      routeType: 2,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
      esi: zeroEsi,
      ethernetTag: 0,
      mac: '02:00:00:00:01:02',
      label1: lbl(1001),
    },
    communities: ['target:65001:1001', 'encap:vxlan'],
  },
  {
    family: 'evpn',
    args: 'macadv 02:00:00:00:01:03 2001:db8::3 etag 10 label 1001,5001 rd 65001:7 rt 65001:1001 encap vxlan nexthop 10.255.0.1',
    route: {
      type: 'evpn-mac-ip',
      routeType: 2,
      rd: { type: 0, asn: 65001, assigned: 7 },
      esi: zeroEsi,
      ethernetTag: 10,
      mac: '02:00:00:00:01:03',
      ip: '2001:db8::3',
      label1: lbl(1001),
      label2: lbl(5001),
    },
    communities: ['target:65001:1001', 'encap:vxlan'],
  },
  {
    family: 'evpn',
    args: 'macadv 02:00:00:00:01:05 10.0.0.5 esi AS 65000 100 etag 10 label 1001 rd 65001:8 rt 65001:1001 default-gateway encap mpls nexthop 10.255.0.1',
    route: {
      type: 'evpn-mac-ip',
      routeType: 2,
      rd: { type: 0, asn: 65001, assigned: 8 },
      esi: '05:00:00:fd:e8:00:00:00:64:00',
      ethernetTag: 10,
      mac: '02:00:00:00:01:05',
      ip: '10.0.0.5',
      label1: lbl(1001),
    },
    communities: ['target:65001:1001', 'default-gateway', 'encap:mpls'],
  },
  {
    family: 'evpn',
    args: 'multicast 10.255.0.1 etag 0 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan pmsi ingress-repl 1001 10.255.0.1 nexthop 10.255.0.1',
    route: {
      type: 'evpn-inclusive-multicast',
      routeType: 3,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
      ethernetTag: 0,
      originator: '10.255.0.1',
    },
    communities: ['target:65001:1001', 'encap:vxlan'],
  },
  {
    family: 'evpn',
    args: 'multicast 2001:db8::1 etag 5 rd 1.1.1.1:1003 rt 65001:1001 encap vxlan nexthop 10.255.0.1',
    route: {
      type: 'evpn-inclusive-multicast',
      routeType: 3,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1003 },
      ethernetTag: 5,
      originator: '2001:db8::1',
    },
    communities: ['target:65001:1001', 'encap:vxlan'],
  },
  {
    family: 'evpn',
    args: 'prefix 10.10.10.0/24 gw 0.0.0.0 esi 0 etag 0 label 5001 rd 1.1.1.1:5001 rt 65001:5001 encap vxlan router-mac 02:00:00:00:00:01 nexthop 10.255.0.1',
    route: {
      type: 'evpn-ip-prefix',
      routeType: 5,
      rd: { type: 1, ip: '1.1.1.1', assigned: 5001 },
      esi: zeroEsi,
      ethernetTag: 0,
      prefix: '10.10.10.0/24',
      gateway: '0.0.0.0',
      label: lbl(5001),
    },
    communities: ['target:65001:5001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01'],
  },
  {
    family: 'evpn',
    args: 'prefix 2001:db8:10::/64 gw 2001:db8::fe esi 0 etag 0 label 5001 rd 1.1.1.1:5002 rt 65001:5001 encap vxlan router-mac 02:00:00:00:00:01 nexthop 10.255.0.1',
    route: {
      type: 'evpn-ip-prefix',
      routeType: 5,
      rd: { type: 1, ip: '1.1.1.1', assigned: 5002 },
      esi: zeroEsi,
      ethernetTag: 0,
      prefix: '2001:db8:10::/64',
      gateway: '2001:db8::fe',
      label: lbl(5001),
    },
    communities: ['target:65001:5001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01'],
  },
  {
    family: 'evpn',
    args: 'a-d esi LACP aa:bb:cc:dd:ee:ff 10 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan esi-label 2001 nexthop 10.255.0.1',
    route: {
      type: 'evpn-ethernet-ad',
      routeType: 1,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
      esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00',
      ethernetTag: 0,
      label: lbl(1001),
    },
    communities: ['target:65001:1001', 'encap:vxlan', 'esi-label:2001'],
  },
  {
    family: 'evpn',
    args: 'a-d esi MAC 02:00:00:00:00:aa 7 etag 4294967295 label 0 rd 1.1.1.1:1002 rt 65001:1001 encap vxlan nexthop 10.255.0.1',
    route: {
      type: 'evpn-ethernet-ad',
      routeType: 1,
      rd: { type: 1, ip: '1.1.1.1', assigned: 1002 },
      esi: '03:02:00:00:00:00:aa:00:00:07',
      ethernetTag: 0xffffffff,
      label: lbl(0),
    },
    communities: ['target:65001:1001', 'encap:vxlan'],
  },
  {
    family: 'evpn',
    args: 'esi 10.255.0.1 esi LACP aa:bb:cc:dd:ee:ff 10 rd 1.1.1.1:0 encap vxlan nexthop 10.255.0.1',
    route: {
      type: 'evpn-ethernet-segment',
      routeType: 4,
      rd: { type: 1, ip: '1.1.1.1', assigned: 0 },
      esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00',
      originator: '10.255.0.1',
    },
    communities: ['encap:vxlan', 'es-import:aa:bb:cc:dd:ee:ff'],
  },
  {
    family: 'vpnv4',
    args: '10.1.0.0/24 label 100 rd 65001:100 rt 65001:100 nexthop 10.255.0.1',
    route: { type: 'vpn', labels: [100], rd: { type: 0, asn: 65001, assigned: 100 }, prefix: '10.1.0.0/24' },
    communities: ['target:65001:100'],
  },
  {
    family: 'vpnv4',
    args: '10.1.1.0/24 label 101 rd 1.1.1.1:100 rt 65001:100 rt 10.0.0.1:5 nexthop 10.255.0.1',
    route: {
      type: 'vpn',
      labels: [101],
      rd: { type: 1, ip: '1.1.1.1', assigned: 100 },
      prefix: '10.1.1.0/24',
    },
    communities: ['target:65001:100', 'target:10.0.0.1:5'],
  },
  {
    family: 'vpnv6',
    args: '2001:db8:1::/64 label 102 rd 65001:100 rt 65001:100 nexthop ::ffff:10.255.0.1',
    route: {
      type: 'vpn',
      labels: [102],
      rd: { type: 0, asn: 65001, assigned: 100 },
      prefix: '2001:db8:1::/64',
    },
    communities: ['target:65001:100'],
  },
  {
    family: 'ipv4-mpls',
    args: '10.5.0.0/24 100 nexthop 10.255.0.1',
    route: { type: 'labeled', labels: [100], prefix: '10.5.0.0/24' },
    communities: [],
  },
  {
    family: 'ipv4-mpls',
    args: '10.5.1.0/24 100/200 nexthop 10.255.0.1',
    route: { type: 'labeled', labels: [100, 200], prefix: '10.5.1.0/24' },
    communities: [],
  },
  {
    family: 'ipv6-mpls',
    args: '2001:db8:5::/48 300 nexthop 2001:db8::1',
    route: { type: 'labeled', labels: [300], prefix: '2001:db8:5::/48' },
    communities: [],
  },
  {
    family: 'ipv4',
    args: '10.9.0.0/16 nexthop 10.255.0.1',
    route: { type: 'prefix', prefix: '10.9.0.0/16' },
    communities: [],
  },
  {
    family: 'ipv6',
    args: '2001:db8:9::/48 nexthop 2001:db8::1',
    route: { type: 'prefix', prefix: '2001:db8:9::/48' },
    communities: [],
  },
];

/** Routes we encode and send to gobgpd, which must read them back as these values. */
const sent: { family: Family; nextHop: number[]; nlri: Nlri[]; communities: ExtendedCommunity[] }[] = [
  {
    family: { afi: 25, safi: 70 },
    nextHop: [10, 255, 0, 9],
    nlri: [
      {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: { type: 2, asn: 4200000000, assigned: 7 },
        esi: '05:00:00:fd:e8:00:00:00:64:00',
        ethernetTag: 100,
        mac: '02:aa:00:00:00:09',
        ip: '2001:db8::9',
        label1: { raw: 10009, label: 625, vni: 10009 },
        label2: { raw: 50009, label: 3125, vni: 50009 },
      },
      {
        type: 'evpn-ethernet-ad',
        routeType: 1,
        rd: { type: 1, ip: '10.255.0.9', assigned: 9 },
        esi: '01:aa:bb:cc:dd:ee:09:00:0a:00',
        ethernetTag: 0xffffffff,
        label: { raw: 0, label: 0, vni: 0 },
      },
      {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: { type: 0, asn: 65010, assigned: 9 },
        ethernetTag: 9,
        originator: '2001:db8::9',
      },
      {
        type: 'evpn-ethernet-segment',
        routeType: 4,
        rd: { type: 1, ip: '10.255.0.9', assigned: 0 },
        esi: '03:02:00:00:00:00:aa:00:00:09',
        originator: '10.255.0.9',
      },
      {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: { type: 0, asn: 65010, assigned: 5009 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.99.0.0/16',
        gateway: '10.99.0.254',
        label: { raw: 5009, label: 313, vni: 5009 },
      },
    ],
    communities: [
      { kind: 'route-target', form: 'as4', asn: 4200000000, local: 9 },
      { kind: 'route-target', form: 'ipv4', ip: '10.0.0.9', local: 9 },
      { kind: 'encapsulation', tunnelType: 8 },
      { kind: 'router-mac', mac: '02:00:00:00:00:09' },
      { kind: 'mac-mobility', sticky: true, sequence: 7 },
    ],
  },
  {
    family: { afi: 1, safi: 128 },
    nextHop: [0, 0, 0, 0, 0, 0, 0, 0, 10, 255, 0, 9],
    nlri: [
      { type: 'vpn', labels: [3009], rd: { type: 2, asn: 4200000000, assigned: 9 }, prefix: '10.98.0.0/16' },
    ],
    communities: [{ kind: 'route-target', form: 'as2', asn: 65010, local: 9 }],
  },
];

/** gobgp's JSON extended community, as our text where the two name the same thing. */
function gobgpCommunity(c: Record<string, unknown>): string | undefined {
  const type = c.type as number;
  const sub = c.subtype as number;
  if ((type === 0 || type === 1 || type === 2) && sub === 2) {
    // gobgp writes a 4-octet AS in asdot (RFC 5396): 64086.59904 is 4200000000.
    const v = String(c.value);
    const asdot = type === 2 ? /^(\d+)\.(\d+):(\d+)$/.exec(v) : null;
    return asdot ? `target:${Number(asdot[1]) * 65536 + Number(asdot[2])}:${asdot[3]}` : `target:${v}`;
  }
  if (type === 3 && sub === 12)
    return `encap:${{ 8: 'vxlan', 10: 'mpls' }[c.tunnel_type as number] ?? c.tunnel_type}`;
  if (type === 3 && sub === 13) return 'default-gateway';
  if (type === 6 && sub === 3) return `router-mac:${String(c.mac)}`;
  if (type === 6 && sub === 2) return `es-import:${String(c.value)}`;
  return undefined;
}

describeWithTool(['gobgpd', 'gobgp'], 'gobgpd advertises, we decode (NLRI + extended communities)', () => {
  const scratch = scratchDir('filament-nlri-gobgp-');
  let api = 0;
  let gobgpd: ChildProcess | undefined;
  let unicast: Listener;
  let vpn: Listener;
  let seen: Seen[] = [];
  const gobgp = (args: string[]) => run('gobgp', ['-p', String(api), ...args], { timeoutMs: 20_000 }).stdout;

  beforeAll(async () => {
    api = await freePort();
    unicast = await listen('127.0.3.2', 65010, UNICAST, UNICAST.map(endOfRib), ADD_PATH);
    vpn = await listen('127.0.3.3', 65010, VPN, [rtcDefaultUpdate(65010, '127.0.3.3'), ...VPN.map(endOfRib)]);
    const neighbor = (addr: string, port: number, fams: string[], extra = '') => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${addr}"
    peer-as = 65010
${extra}  [neighbors.transport.config]
    local-address = "127.0.3.1"
    remote-port = ${port}
  [neighbors.timers.config]
    connect-retry = 1
${fams.map((f) => `  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "${f}"`).join('\n')}
`;
    const conf = join(scratch.path, 'gobgpd.toml');
    writeFileSync(
      conf,
      `[global.config]\n  as = 65001\n  router-id = "1.1.1.1"\n  port = -1\n${neighbor(
        '127.0.3.2',
        unicast.port,
        ['ipv4-unicast', 'ipv6-unicast', 'ipv4-labelled-unicast', 'ipv6-labelled-unicast'],
        '  [neighbors.add-paths.config]\n    send-max = 4\n',
      )}${neighbor('127.0.3.3', vpn.port, ['l3vpn-ipv4-unicast', 'l3vpn-ipv6-unicast', 'l2vpn-evpn', 'rtc'])}`,
    );
    gobgpd = spawn(
      'gobgpd',
      ['-f', conf, '--api-hosts', `127.0.0.1:${api}`, '--pprof-disable', '-l', 'warn'],
      {
        cwd: scratch.path,
        stdio: 'ignore',
      },
    );
    // Both sessions up: each peer has sent its KEEPALIVE.
    const up = (m: Captured[]) => m.some((x) => x.type === 4);
    await Promise.all([unicast.waitFor(up, 40_000), vpn.waitFor(up, 40_000)]);
    for (const r of injected) gobgp(['global', 'rib', '-a', r.family, 'add', ...r.args.split(' ')]);
    gobgp(['vrf', 'add', 'blue', 'rd', '65001:600', 'rt', 'import', '65001:500', 'export', '65001:600']);
    const count = (l: Listener) =>
      decodeAll(l.messages, l === unicast).reduce((n, s) => n + (s.reach ? s.nlri.length : 0), 0);
    const want = injected.length + 1;
    const both = () => count(unicast) + count(vpn) >= want;
    // The last route may arrive on either session: whichever waiter sees the total first ends the wait.
    const quiet = (p: Promise<void>) => p.catch(() => undefined);
    await Promise.race([quiet(unicast.waitFor(both, 20_000)), quiet(vpn.waitFor(both, 20_000))]);
    // Withdrawals: one EVPN route, one VPNv4 route, one labeled route.
    gobgp([
      'global',
      'rib',
      '-a',
      'evpn',
      'del',
      ...'macadv 02:00:00:00:01:02 0.0.0.0 etag 0 label 1001 rd 1.1.1.1:1001'.split(' '),
    ]);
    gobgp(['global', 'rib', '-a', 'vpnv4', 'del', ...'10.1.0.0/24 label 100 rd 65001:100'.split(' ')]);
    gobgp(['global', 'rib', '-a', 'ipv4-mpls', 'del', ...'10.5.0.0/24 100'.split(' ')]);
    const unreach = (l: Listener) =>
      decodeAll(l.messages, l === unicast).filter((s) => !s.reach && s.nlri.length > 0).length;
    await Promise.all([
      vpn.waitFor(() => unreach(vpn) >= 2, 15_000),
      unicast.waitFor(() => unreach(unicast) >= 1, 15_000),
    ]).catch(() => undefined);
    seen = [...decodeAll(unicast.messages, true), ...decodeAll(vpn.messages)];
  }, 120_000);

  afterAll(async () => {
    gobgpd?.kill('SIGTERM');
    await unicast?.close();
    await vpn?.close();
    scratch.cleanup();
  });

  it('every injected route arrives, decoded to what was injected, with its extended communities', () => {
    for (const r of injected) {
      // The unicast session uses add-path: compare without the path identifier (checked below).
      const bare = (n: Nlri) => {
        const { pathId: _, ...rest } = n as Nlri & { pathId?: number };
        return rest;
      };
      const hit = seen.find((s) => s.reach && s.nlri.some((n) => isDeepStrictEqual(bare(n), r.route)));
      expect(hit, `${r.family} ${r.args}`).toBeDefined();
      const texts = hit!.communities.map(formatExtendedCommunity);
      for (const c of r.communities) expect(texts, r.args).toContain(c);
    }
  });

  it('add-path (RFC 7911): IPv4/IPv6 unicast from gobgpd carry path identifiers, labeled unicast does not', () => {
    const uni = seen.filter((s) => s.reach && s.family.safi === 1).flatMap((s) => s.nlri);
    expect(uni.map((n) => (n as { prefix: string }).prefix).sort()).toEqual([
      '10.9.0.0/16',
      '2001:db8:9::/48',
    ]);
    for (const n of uni) expect((n as { pathId?: number }).pathId).toBeGreaterThan(0);
    const lu = seen.filter((s) => s.reach && s.family.safi === 4).flatMap((s) => s.nlri);
    for (const n of lu) expect('pathId' in n).toBe(false);
  });

  it('RT-constraint NLRI from a VRF import RT decodes to origin AS + route target', () => {
    const rtc = seen.filter((s) => s.family.safi === 132 && s.reach).flatMap((s) => s.nlri);
    expect(rtc).toContainEqual({
      type: 'rtc',
      prefixLength: 96,
      originAs: 65001,
      routeTarget: { kind: 'route-target', form: 'as2', asn: 65001, local: 500 },
    });
  });

  it('gobgpd reads our encodings (EVPN types 1-5, VPNv4 with a type-2 RD, communities) as we meant them', async () => {
    for (const r of sent) {
      const nlri = encodeNlri(r.family, r.nlri, { addPath: false });
      const mp = Uint8Array.from([
        r.family.afi >> 8,
        r.family.afi & 0xff,
        r.family.safi,
        r.nextHop.length,
        ...r.nextHop,
        0,
        ...nlri,
      ]);
      vpn.send(
        updateMessage([
          { flags: 0x40, code: 1, value: Uint8Array.of(0) },
          { flags: 0x40, code: 2, value: Uint8Array.of(2, 1, 0, 0, 0xfd, 0xf2) },
          { flags: 0x80, code: 14, value: mp },
          { flags: 0xc0, code: 16, value: encodeExtendedCommunities(r.communities) },
        ]),
      );
    }
    type Path = {
      nlri: { type?: number; value?: Record<string, unknown> } & Record<string, unknown>;
      attrs: { type: number; value?: unknown }[];
    };
    const adjIn = (fam: string) =>
      JSON.parse(gobgp(['neighbor', '127.0.3.3', 'adj-in', '-a', fam, '-j'])) as Record<string, Path[]>;
    let evpn: Record<string, Path[]> = {};
    for (let i = 0; i < 50 && Object.keys(evpn).length < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      evpn = adjIn('evpn');
    }
    const paths = Object.values(evpn).map((p) => p[0]!);
    expect(paths.length).toBe(5);
    const rdText = (rd: { admin: unknown; assigned: unknown }) =>
      `${String(rd.admin)}:${String(rd.assigned)}`;
    for (const route of sent[0]!.nlri as EvpnRoute[]) {
      if (route.type === 'evpn-unknown') continue;
      const theirs = paths.find((p) => p.nlri.type === route.routeType)!;
      const v = theirs.nlri.value as Record<string, unknown>;
      // gobgp prints RDs without our type-2 `L` marker.
      expect(rdText(v.rd as { admin: unknown; assigned: unknown }), route.type).toBe(
        formatRd(route.rd).replace('L:', ':'),
      );
      if ('ethernetTag' in route) expect(v.etag).toBe(route.ethernetTag);
      if (route.type === 'evpn-mac-ip') {
        expect(v.mac).toBe(route.mac);
        expect(v.ip).toBe(route.ip);
        expect(v.labels).toEqual([route.label1.raw, route.label2!.raw]);
        expect(String(v.esi)).toContain('as 65000');
      }
      if (route.type === 'evpn-ethernet-ad') expect(String(v.esi)).toContain('aa:bb:cc:dd:ee:09');
      if (route.type === 'evpn-inclusive-multicast' || route.type === 'evpn-ethernet-segment')
        expect(v.ip).toBe(route.originator);
      if (route.type === 'evpn-ip-prefix') {
        expect(v.prefix).toBe(route.prefix);
        expect(v.gateway).toBe(route.gateway);
        expect(v.label).toBe(route.label.raw);
      }
      const ext = (theirs.attrs.find((a) => a.type === 16)?.value ?? []) as Record<string, unknown>[];
      expect(ext.map(gobgpCommunity)).toEqual(
        expect.arrayContaining([
          'target:4200000000:9',
          'target:10.0.0.9:9',
          'encap:vxlan',
          'router-mac:02:00:00:00:00:09',
        ]),
      );
      const mobility = ext.find((c) => c.type === 6 && c.subtype === 0)!;
      expect(JSON.stringify(mobility)).toMatch(/"sequence":7[,}]/);
      expect(JSON.stringify(mobility)).toMatch(/"is_sticky":true/);
    }
    let vpn4: Record<string, Path[]> = {};
    for (let i = 0; i < 50 && Object.keys(vpn4).length < 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      vpn4 = adjIn('vpnv4');
    }
    const p = Object.values(vpn4)[0]![0]!;
    expect(p.nlri.prefix).toBe('10.98.0.0/16');
    expect(p.nlri.labels).toEqual([3009]);
    expect(rdText(p.nlri.rd as { admin: unknown; assigned: unknown })).toBe('4200000000:9');
  });

  it('gobgpd accepted our encoding of the zero-length default RT membership (RFC 4684 4)', () => {
    // It is in gobgpd's Adj-RIB-In of the peer, and it is what made gobgpd send the VPN and EVPN routes.
    const adjIn = gobgp(['neighbor', '127.0.3.3', 'adj-in', '-a', 'rtc', '-j']);
    // gobgp 3.10 keys it `0:default`, learned from our peer.
    const entries = JSON.parse(adjIn) as Record<string, { 'neighbor-ip'?: string }[]>;
    expect(Object.keys(entries)).toEqual(['0:default']);
    expect(entries['0:default']![0]!['neighbor-ip']).toBe('127.0.3.3');
  });

  it('withdrawals decode: EVPN, VPNv4 and labeled routes in MP_UNREACH', () => {
    const gone = seen.filter((s) => !s.reach).flatMap((s) => s.nlri);
    expect(gone).toContainEqual(injected[1]!.route);
    // GoBGP 3.10 withdraws with the route's own label stack rather than 0x800000 (RFC 8277 2.4 lets the
    // receiver ignore the field either way).
    const vpn4 = gone.find((n) => n.type === 'vpn');
    expect(vpn4).toEqual({
      type: 'vpn',
      labels: [100],
      rd: { type: 0, asn: 65001, assigned: 100 },
      prefix: '10.1.0.0/24',
    });
    const lu = gone.find((n) => n.type === 'labeled');
    expect(lu).toMatchObject({ prefix: '10.5.0.0/24' });
  });

  it('encoding what we decoded gives back the bytes gobgpd sent', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const s of seen) {
      expect(Buffer.from(encodeNlri(s.family, s.nlri, { addPath: s.addPath })).toString('hex')).toBe(
        Buffer.from(s.nlriBytes).toString('hex'),
      );
      if (s.commBytes) expect(encodeExtendedCommunities(s.communities)).toEqual(s.commBytes);
    }
  });

  it('matches `gobgp global rib -a evpn -j` route by route', () => {
    const rib = JSON.parse(gobgp(['global', 'rib', '-a', 'evpn', '-j'])) as Record<
      string,
      { nlri: { type: number; value: Record<string, unknown> }; attrs: { type: number; value?: unknown }[] }[]
    >;
    const ours = seen
      .filter((s) => s.reach && s.family.afi === 25)
      .flatMap((s) => s.nlri.map((n) => ({ n: n as EvpnRoute, s })));
    let compared = 0;
    for (const [, paths] of Object.entries(rib)) {
      // Routes gobgpd learned from this test's peer (the encodings test) are not sent back to it.
      if ((paths[0] as { 'neighbor-ip'?: string })['neighbor-ip'] === '127.0.3.3') continue;
      const { nlri, attrs } = paths[0]!;
      const v = nlri.value;
      const rdText = `${String((v.rd as { admin: unknown }).admin)}:${String((v.rd as { assigned: unknown }).assigned)}`;
      const match = ours.filter(({ n }) => {
        if (n.routeType !== nlri.type || n.type === 'evpn-unknown' || formatRd(n.rd) !== rdText) return false;
        if ('mac' in n && n.mac !== v.mac) return false;
        if ('prefix' in n && n.prefix !== v.prefix) return false;
        if (n.type === 'evpn-inclusive-multicast' && n.originator !== v.ip) return false;
        if (n.type === 'evpn-ethernet-ad' && n.ethernetTag !== v.etag) return false;
        return true;
      });
      expect(match.length, JSON.stringify(nlri)).toBe(1);
      const { n, s } = match[0]!;
      if ('ethernetTag' in n) expect(n.ethernetTag).toBe(v.etag);
      if (n.type === 'evpn-mac-ip') {
        expect(n.ip ?? '<nil>').toBe(v.ip);
        // gobgp prints the raw 24 bits of each label field.
        expect([n.label1.raw, ...(n.label2 ? [n.label2.raw] : [])]).toEqual(v.labels);
      }
      if (n.type === 'evpn-ip-prefix') {
        expect(n.gateway).toBe(v.gateway);
        expect(n.label.raw).toBe(v.label);
      }
      if (n.type === 'evpn-ethernet-segment') expect(n.originator).toBe(v.ip);
      if ('esi' in n) {
        const f = esiFields(n.esi);
        if (v.esi === 'single-homed') expect(n.esi).toBe(zeroEsi);
        else if (f.type === 1) expect(v.esi).toBe(`ESI_LACP | system mac ${f.mac}, port key ${f.portKey}`);
        else expect(String(v.esi)).toContain(f.type === 5 ? `as ${f.asn}` : f.type === 3 ? f.mac : '');
      }
      const ext = attrs.find((a) => a.type === 16);
      const theirs = ((ext?.value ?? []) as Record<string, unknown>[])
        .map(gobgpCommunity)
        .filter((x) => x !== undefined);
      const mine = s.communities.map(formatExtendedCommunity);
      for (const t of theirs) expect(mine).toContain(t);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(9);
  });

  it('picks the label reading from the encapsulation community (VXLAN -> VNI, MPLS -> label)', () => {
    const evpn = seen.filter((s) => s.reach && s.family.afi === 25);
    const vx = evpn.find((s) =>
      s.nlri.some((n) => n.type === 'evpn-mac-ip' && n.mac === '02:00:00:00:01:03'),
    )!;
    expect(evpnLabelReading(vx.communities)).toBe('vni');
    expect(evpnServiceLabels(vx.nlri[0] as EvpnRoute, vx.communities)).toEqual({
      reading: 'vni',
      values: [1001, 5001],
    });
    const mp = evpn.find((s) =>
      s.nlri.some((n) => n.type === 'evpn-mac-ip' && n.mac === '02:00:00:00:01:05'),
    )!;
    expect(evpnLabelReading(mp.communities)).toBe('mpls');
    // gobgp writes `label 1001` as the raw 24 bits even under MPLS encapsulation: the MPLS reading is 62.
    expect(evpnServiceLabels(mp.nlri[0] as EvpnRoute, mp.communities)).toEqual({
      reading: 'mpls',
      values: [62],
    });
  });

  itWithTool(
    'tshark',
    'tshark dissects the captured UPDATEs and our re-encodings to the same fields, with no expert errors',
    () => {
      // The unicast session's UPDATEs come first; their IPv4/IPv6 unicast NLRI carry path identifiers.
      const unicastUpdates = unicast.messages.filter((m) => m.type === 2).length;
      const captured = [...unicast.messages, ...vpn.messages].filter((m) => m.type === 2).map((m) => m.bytes);
      // Our own encodings: one UPDATE per decoded MP_REACH, rebuilt from the decoded values.
      const ours = seen
        .filter((s) => s.reach && s.nlri.length > 0)
        .map((s) => ({ s, bytes: updateFor(s.family, s.nlri, s.communities) }));
      const file = join(scratch.path, 'bgp.pcap');
      writeFileSync(file, pcapOf([...captured, ...ours.map((o) => o.bytes)]));
      const packets = tsharkJson(file, ['-d', 'tcp.port==179,bgp']);
      expect(packets.length).toBe(captured.length + ours.length);
      const text = JSON.stringify(packets);
      expect(text).not.toMatch(/_ws\.malformed|_ws\.expert\.severity":\s*"(?:8388608|6291456)"|Malformed/);
      const all = [...captured, ...ours.map((o) => o.bytes)];
      let checked = 0;
      packets.forEach((p, i) => {
        checked += checkPacket(p, all[i]!, (f) => i < unicastUpdates && addPathFor(f, true));
      });
      // Every EVPN route, VPN route, labeled route and community of both halves was compared.
      expect(checked).toBeGreaterThan(100);
    },
  );
});
