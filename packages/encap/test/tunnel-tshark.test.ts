// Packets built by encapsulate() (which runs the headroom hot path) are written to pcap files and
// dissected by tshark: every outer and inner field must be what we asked for, the checksums tshark
// computes must agree with ours, and tshark must find nothing malformed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, scratchDir, tsharkJson } from '@filament/testkit';
import { afterAll, expect, it } from 'vitest';
import {
  decapsulate,
  ENTROPY_PORT_MAX,
  ENTROPY_PORT_MIN,
  encapsulate,
  entropyPort,
  innerFlowHash,
  type LabelSpec,
  LinkType,
  type TunnelSpec,
  writePcap,
} from '../src/index.js';
import { type InnerFlow, innerEthernet, innerIp } from './support/tunnel-fixtures.js';

const scratch = scratchDir('encap-tunnel-tshark-');
afterAll(() => scratch.cleanup());

type Layers = Record<string, unknown>;

/** Every leaf field of a tshark layer, flattening its *_tree sub-objects (first occurrence wins). */
function fields(layer: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (o: unknown) => {
    if (Array.isArray(o)) return;
    if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'string') {
          if (!(k in out)) out[k] = v;
        } else walk(v);
      }
    }
  };
  walk(layer);
  return out;
}

/** The i-th instance of a protocol in the packet (tshark merges repeated keys into arrays). */
function nth(l: Layers, proto: string, i: number): Record<string, string> {
  const v = l[proto];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  expect(arr.length, `${proto} instance ${i}`).toBeGreaterThan(i);
  return fields(arr[i]);
}

function all(l: Layers, proto: string): Record<string, string>[] {
  const v = l[proto];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(fields);
}

interface Case {
  name: string;
  spec: TunnelSpec;
  flow: InnerFlow;
  /** The inner packet is an Ethernet frame. */
  innerEth: boolean;
}

const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const udp4: InnerFlow = {
  ipVersion: 4,
  protocol: 17,
  src: '192.168.10.1',
  dst: '192.168.20.2',
  srcPort: 50123,
  dstPort: 50321,
  payload: Uint8Array.of(1, 2, 3, 4, 5),
};
const tcp4: InnerFlow = { ...udp4, protocol: 6, srcPort: 41000, dstPort: 41001 };
const tcp6: InnerFlow = {
  ipVersion: 6,
  protocol: 6,
  src: '2001:db8:a::1',
  dst: '2001:db8:b::2',
  srcPort: 42000,
  dstPort: 42001,
  payload: Uint8Array.of(9, 8, 7),
};
const udp6: InnerFlow = { ...tcp6, protocol: 17, srcPort: 43000, dstPort: 43001 };
const v4 = { src: '10.1.0.1', dst: '10.2.0.2' };
const v6 = { src: 'fd00:1::1', dst: 'fd00:2::2' };
const L = (label: number, tc = 0, ttl = 64): LabelSpec => ({ label, tc, ttl });

const withEth: Case[] = [
  {
    name: 'VXLAN / IPv4, inner Ethernet+IPv4/UDP',
    spec: { type: 'vxlan', vni: 5001, ...v4, ethernet: eth, tos: 0xb8 },
    flow: udp4,
    innerEth: true,
  },
  {
    name: 'VXLAN / IPv6 / 802.1Q, inner Ethernet+IPv6/TCP',
    spec: { type: 'vxlan', vni: 0xabcdef, ...v6, ttl: 17, ethernet: { ...eth, vlan: 300, pcp: 5 } },
    flow: tcp6,
    innerEth: true,
  },
  {
    name: 'MPLSoUDP 1 label / IPv4, inner IPv4/UDP',
    spec: { type: 'mpls-udp', labels: [L(1001, 3, 200)], ...v4, ethernet: eth },
    flow: udp4,
    innerEth: false,
  },
  {
    name: 'MPLSoUDP 2 labels / IPv6, inner IPv6/TCP',
    spec: { type: 'mpls-udp', labels: [L(2001), L(2002, 7, 1)], ...v6, ethernet: eth },
    flow: tcp6,
    innerEth: false,
  },
  {
    name: 'MPLSoUDP 3 labels / IPv4, inner Ethernet (EVPN)',
    spec: {
      type: 'mpls-udp',
      labels: [L(3001), L(3002), L(3003, 1, 5)],
      innerEthernet: true,
      ...v4,
      ethernet: eth,
    },
    flow: tcp4,
    innerEth: true,
  },
  {
    name: 'MPLSoGRE 1 label / IPv4, inner IPv4/TCP',
    spec: { type: 'mpls-gre', labels: [L(4001)], ...v4, ethernet: eth },
    flow: tcp4,
    innerEth: false,
  },
  {
    name: 'MPLSoGRE 2 labels + key / IPv6, inner IPv6/UDP',
    spec: { type: 'mpls-gre', labels: [L(5001, 2, 33), L(5002)], key: 0xdeadbeef, ...v6, ethernet: eth },
    flow: udp6,
    innerEth: false,
  },
  {
    name: 'MPLSoGRE 3 labels / IPv4, inner Ethernet',
    spec: {
      type: 'mpls-gre',
      labels: [L(6001), L(6002), L(6003)],
      innerEthernet: true,
      ...v4,
      ethernet: { ...eth, vlan: 7 },
    },
    flow: udp4,
    innerEth: true,
  },
];
const rawIp: Case[] = [
  {
    name: 'raw IP: VXLAN / IPv6, inner Ethernet+IPv4/UDP',
    spec: { type: 'vxlan', vni: 1, ...v6 },
    flow: udp4,
    innerEth: true,
  },
  {
    name: 'raw IP: MPLSoUDP / IPv4, inner IPv6/UDP',
    spec: { type: 'mpls-udp', labels: [L(7001)], ...v4 },
    flow: udp6,
    innerEth: false,
  },
  {
    name: 'raw IP: MPLSoGRE / IPv6, inner IPv4/TCP',
    spec: { type: 'mpls-gre', labels: [L(8001), L(8002)], ...v6 },
    flow: tcp4,
    innerEth: false,
  },
];

// Decode-as: MPLS over UDP on 6635, and Ethernet without control word under the EVPN cases' bottom labels.
const TSHARK_ARGS = [
  '-d',
  'udp.port==6635,mpls',
  '-d',
  'mpls.label==3003,pwethnocw',
  '-d',
  'mpls.label==6003,pwethnocw',
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
];

function labelsOf(spec: TunnelSpec): { label: number; tc: number; ttl: number }[] {
  if (spec.type === 'vxlan') return [];
  return spec.labels.map((l) =>
    typeof l === 'number'
      ? { label: l, tc: 0, ttl: 64 }
      : { label: l.label, tc: l.tc ?? 0, ttl: l.ttl ?? 64 },
  );
}

function check(c: Case, l: Layers, raw: string, pkt: Uint8Array, hasEth: boolean): void {
  expect(raw, 'tshark reports a malformed packet').not.toContain('_ws.malformed');
  // Expert severities: error 0x800000, warning 0x600000.
  expect(raw).not.toMatch(/"_ws\.expert\.severity": "(8388608|6291456)"/);
  const outer6 = c.spec.src.includes(':');
  const inner = c.innerEth ? innerEthernet(c.flow) : innerIp(c.flow);
  const hash = innerFlowHash(inner, 0, inner.length, c.innerEth, c.spec.seed ?? 0);
  const d = decapsulate(pkt, { ethernet: hasEth });
  const frame = fields(l.frame);
  expect(frame['frame.len']).toBe(String(pkt.length));

  // Outer Ethernet and VLAN.
  let ethIdx = 0;
  if (hasEth && c.spec.ethernet) {
    const e = nth(l, 'eth', 0);
    expect(e['eth.src']).toBe(c.spec.ethernet.src);
    expect(e['eth.dst']).toBe(c.spec.ethernet.dst);
    ethIdx = 1;
    if (c.spec.ethernet.vlan !== undefined) {
      const v = nth(l, 'vlan', 0);
      expect(v['vlan.id']).toBe(String(c.spec.ethernet.vlan));
      expect(v['vlan.priority']).toBe(String(c.spec.ethernet.pcp ?? 0));
    }
  }
  // Outer IP.
  const ipProto = c.spec.type === 'mpls-gre' ? '47' : '17';
  if (outer6) {
    const ip = nth(l, 'ipv6', 0);
    expect(ip['ipv6.src']).toBe(c.spec.src);
    expect(ip['ipv6.dst']).toBe(c.spec.dst);
    expect(ip['ipv6.hlim']).toBe(String(c.spec.ttl ?? 64));
    expect(ip['ipv6.nxt']).toBe(ipProto);
    expect(Number(ip['ipv6.tclass'])).toBe(c.spec.tos ?? 0);
    // RFC 6438: the flow label carries the inner flow's entropy.
    expect(Number(ip['ipv6.flow'])).toBe(hash & 0xfffff);
    expect(Number(ip['ipv6.plen'])).toBe(
      pkt.length - (hasEth ? (c.spec.ethernet?.vlan !== undefined ? 18 : 14) : 0) - 40,
    );
  } else {
    const ip = nth(l, 'ip', 0);
    expect(ip['ip.src']).toBe(c.spec.src);
    expect(ip['ip.dst']).toBe(c.spec.dst);
    expect(ip['ip.ttl']).toBe(String(c.spec.ttl ?? 64));
    expect(ip['ip.proto']).toBe(ipProto);
    expect(Number(ip['ip.dsfield'])).toBe(c.spec.tos ?? 0);
    expect(ip['ip.flags.df']).toBe('1');
    expect(ip['ip.checksum.status']).toBe('1'); // good
  }
  // UDP or GRE.
  let udpIdx = 0;
  if (c.spec.type !== 'mpls-gre') {
    const u = nth(l, 'udp', 0);
    udpIdx = 1;
    const sport = Number(u['udp.srcport']);
    expect(sport).toBe(entropyPort(hash));
    expect(sport).toBeGreaterThanOrEqual(ENTROPY_PORT_MIN);
    expect(sport).toBeLessThanOrEqual(ENTROPY_PORT_MAX);
    expect(d.outer.srcPort).toBe(sport);
    expect(u['udp.dstport']).toBe(c.spec.type === 'vxlan' ? '4789' : '6635');
    expect(Number(u['udp.length'])).toBe(
      8 + (c.spec.type === 'vxlan' ? 8 : 4 * labelsOf(c.spec).length) + inner.length,
    );
    // Zero (absent) over IPv4, computed and verified by tshark over IPv6.
    if (outer6) expect(u['udp.checksum.status']).toBe('1');
    else expect(u['udp.checksum']).toBe('0x0000');
  } else {
    const g = nth(l, 'gre', 0);
    expect(g['gre.proto']).toBe('0x8847');
    expect(g['gre.flags.version']).toBe('0');
    if (c.spec.key !== undefined) expect(Number(g['gre.key'])).toBe(c.spec.key);
    else expect(g['gre.key']).toBeUndefined();
  }
  // Tunnel header.
  if (c.spec.type === 'vxlan') {
    const v = nth(l, 'vxlan', 0);
    expect(v['vxlan.vni']).toBe(String(c.spec.vni));
    expect(v['vxlan.flag_i']).toBe('1');
    expect(d.vni).toBe(c.spec.vni);
  } else {
    const want = labelsOf(c.spec);
    const got = all(l, 'mpls');
    expect(got.map((m) => [m['mpls.label'], m['mpls.exp'], m['mpls.bottom'], m['mpls.ttl']])).toEqual(
      want.map((w, i) => [String(w.label), String(w.tc), i === want.length - 1 ? '1' : '0', String(w.ttl)]),
    );
    expect(d.labels?.map((x) => x.label)).toEqual(want.map((w) => w.label));
  }
  // Inner packet.
  expect(d.inner).toEqual(inner);
  if (c.innerEth) {
    const e = nth(l, 'eth', ethIdx);
    expect(e['eth.src']).toBe('02:00:00:00:0a:01');
    expect(e['eth.dst']).toBe('02:00:00:00:0a:02');
  }
  const f = c.flow;
  if (f.ipVersion === 4) {
    const ip = nth(l, 'ip', outer6 ? 0 : 1);
    expect([ip['ip.src'], ip['ip.dst'], ip['ip.proto'], ip['ip.ttl'], ip['ip.checksum.status']]).toEqual([
      f.src,
      f.dst,
      String(f.protocol),
      '63',
      '1',
    ]);
  } else {
    const ip = nth(l, 'ipv6', outer6 ? 1 : 0);
    expect([ip['ipv6.src'], ip['ipv6.dst'], ip['ipv6.nxt'], ip['ipv6.hlim'], ip['ipv6.flow']]).toEqual([
      f.src,
      f.dst,
      String(f.protocol),
      '62',
      '0x012345',
    ]);
  }
  const t = f.protocol === 6 ? nth(l, 'tcp', 0) : nth(l, 'udp', udpIdx);
  const p = f.protocol === 6 ? 'tcp' : 'udp';
  expect([t[`${p}.srcport`], t[`${p}.dstport`], t[`${p}.checksum.status`]]).toEqual([
    String(f.srcPort),
    String(f.dstPort),
    '1',
  ]);
}

describeWithTool('tshark', 'tshark dissects library-built tunnel packets', () => {
  for (const [linktype, cases] of [
    [LinkType.ethernet, withEth],
    [LinkType.raw, rawIp],
  ] as const) {
    it(`${cases.length} tunnels, link type ${linktype}: every field equal, nothing malformed`, () => {
      const pkts = cases.map((c) =>
        encapsulate(c.spec, c.innerEth ? innerEthernet(c.flow) : innerIp(c.flow)),
      );
      const file = join(scratch.path, `tunnels-${linktype}.pcap`);
      writeFileSync(
        file,
        writePcap(
          pkts.map((data, i) => ({ data, seconds: 1_700_000_000 + i })),
          { linktype },
        ),
      );
      const layers = tsharkJson(file, TSHARK_ARGS);
      expect(layers).toHaveLength(cases.length);
      cases.forEach((c, i) => {
        try {
          check(c, layers[i]!, JSON.stringify(layers[i], null, 1), pkts[i]!, linktype === LinkType.ethernet);
        } catch (e) {
          throw new Error(`${c.name}: ${(e as Error).message}`);
        }
      });
    });
  }
});
