// Frames built by this library, written to a pcap and dissected by tshark: every field tshark reports must
// equal the value we encoded, no frame may be malformed or carry an error-level expert item other than the
// bad checksums we built on purpose, and those must be flagged bad by tshark.
import { join } from 'node:path';
import { describeWithTool, scratchDir, type TsharkPacket, tsharkJson } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ArpPacket,
  arp,
  arpEthernetIPv4,
  encodeIPv4Options,
  type ICMPv4Echo,
  type ICMPv4Message,
  type ICMPv6Message,
  type IPv4Header,
  type IPv6Header,
  icmpv4,
  icmpv6,
  ipv4,
  ipv4Packet,
  ipv6,
  ipv6ChecksumDestination,
  ipv6Packet,
  type NdOption,
  padIPv6Options,
  parseIPv6,
  qinqTags,
  type TaggedEthernetHeader,
  taggedEthernet,
} from '../src/index.js';
import { writePcap } from './support/pcap-writer.js';

// ---- tshark JSON helpers -------------------------------------------------------------------------

/** Every string value under `node`, grouped by field name, in document order. */
function flat(node: unknown, out = new Map<string, string[]>(), key = ''): Map<string, string[]> {
  if (typeof node === 'string') {
    const list = out.get(key) ?? [];
    list.push(node);
    out.set(key, list);
  } else if (Array.isArray(node)) {
    for (const n of node) flat(n, out, key);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) flat(v, out, k);
  }
  return out;
}

/** The single value of a field (fails when it is missing or repeated). */
function one(fields: Map<string, string[]>, key: string): string {
  const v = fields.get(key);
  expect(v, `tshark field ${key}`).toBeDefined();
  expect(v, `tshark field ${key} occurs once`).toHaveLength(1);
  return v![0]!;
}

/** tshark prints integers as decimal or 0x-hex; Number() reads both. */
function num(fields: Map<string, string[]>, key: string): number {
  return Number(one(fields, key));
}

function layer(p: TsharkPacket, name: string): Map<string, string[]> {
  expect(p[name], `tshark layer ${name}`).toBeDefined();
  return flat(p[name]);
}

const EXPERT_ERROR = 0x00800000;

/** Error-level expert messages and malformed markers anywhere in the packet. */
function problems(p: TsharkPacket): string[] {
  const f = flat(p);
  const out: string[] = [];
  if (f.has('_ws.malformed') || JSON.stringify(p).includes('_ws.malformed')) out.push('malformed');
  const sev = f.get('_ws.expert.severity') ?? [];
  const msg = f.get('_ws.expert.message') ?? [];
  sev.forEach((s, i) => {
    if (Number(s) >= EXPERT_ERROR) out.push(msg[i] ?? 'expert error');
  });
  return out;
}

const hexColon = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

// ---- frames --------------------------------------------------------------------------------------

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const MAC_A = '02:00:00:00:00:01';
const MAC_B = '0a:1b:2c:3d:4e:5f';

function ethHeader(etherType: number, tags: TaggedEthernetHeader['tags'] = []): TaggedEthernetHeader {
  return { dst: MAC_B, src: MAC_A, tags, etherType };
}

interface Case {
  name: string;
  frame: Uint8Array;
  /** Checksums built wrong on purpose: the tshark status fields that must say bad (0). */
  badChecksums?: string[];
  check: (p: TsharkPacket) => void;
}

function checkEthernet(p: TsharkPacket, h: TaggedEthernetHeader): void {
  const eth = layer(p, 'eth');
  expect(one(eth, 'eth.dst')).toBe(h.dst);
  expect(one(eth, 'eth.src')).toBe(h.src);
  expect(num(eth, 'eth.type')).toBe(h.tags[0]?.tpid ?? h.etherType);
  const outer = h.tags.filter((t) => t.tpid === 0x88a8);
  const inner = h.tags.filter((t) => t.tpid === 0x8100);
  expect(outer.length + inner.length).toBe(h.tags.length);
  if (outer.length > 0) {
    const ad = layer(p, 'ieee8021ad');
    expect(eth.has('ieee8021ad.id')).toBe(false);
    expect((ad.get('ieee8021ad.id') ?? []).map(Number)).toEqual(outer.map((t) => t.vid));
    expect((ad.get('ieee8021ad.priority') ?? []).map(Number)).toEqual(outer.map((t) => t.pcp));
    expect((ad.get('ieee8021ad.dei') ?? []).map(Number)).toEqual(outer.map((t) => (t.dei ? 1 : 0)));
  }
  if (inner.length > 0) {
    const v = layer(p, 'vlan');
    expect((v.get('vlan.id') ?? []).map(Number)).toEqual(inner.map((t) => t.vid));
    expect((v.get('vlan.priority') ?? []).map(Number)).toEqual(inner.map((t) => t.pcp));
    expect((v.get('vlan.dei') ?? []).map(Number)).toEqual(inner.map((t) => (t.dei ? 1 : 0)));
    expect(Number(v.get('vlan.etype')?.at(-1))).toBe(h.etherType);
  }
}

function checkArp(p: TsharkPacket, a: ArpPacket): void {
  const f = layer(p, 'arp');
  expect(num(f, 'arp.hw.type')).toBe(a.hardwareType);
  expect(num(f, 'arp.proto.type')).toBe(a.protocolType);
  expect(num(f, 'arp.hw.size')).toBe(a.hardwareLength);
  expect(num(f, 'arp.proto.size')).toBe(a.protocolLength);
  expect(num(f, 'arp.opcode')).toBe(a.operation);
  expect(one(f, 'arp.src.hw_mac')).toBe(a.senderHardware);
  expect(one(f, 'arp.src.proto_ipv4')).toBe(a.senderProtocol);
  expect(one(f, 'arp.dst.hw_mac')).toBe(a.targetHardware);
  expect(one(f, 'arp.dst.proto_ipv4')).toBe(a.targetProtocol);
}

function checkIPv4(p: TsharkPacket, bytes: Uint8Array): void {
  // Compare with what our decoder says was encoded (totalLength and checksum filled in by ipv4Packet).
  const h = ipv4.decode(bytes).value;
  const f = layer(p, 'ip');
  expect(num(f, 'ip.version')).toBe(4);
  expect(num(f, 'ip.hdr_len')).toBe(h.ihl * 4);
  expect(num(f, 'ip.dsfield.dscp')).toBe(h.dscp);
  expect(num(f, 'ip.dsfield.ecn')).toBe(h.ecn);
  expect(num(f, 'ip.len')).toBe(h.totalLength);
  expect(num(f, 'ip.id')).toBe(h.identification);
  expect(num(f, 'ip.flags.rb')).toBe(0);
  expect(num(f, 'ip.flags.df')).toBe(h.dontFragment ? 1 : 0);
  expect(num(f, 'ip.flags.mf')).toBe(h.moreFragments ? 1 : 0);
  expect(num(f, 'ip.frag_offset')).toBe(h.fragmentOffset); // 8-octet units in tshark 4.0
  expect(num(f, 'ip.ttl')).toBe(h.ttl);
  expect(num(f, 'ip.proto')).toBe(h.protocol);
  expect(num(f, 'ip.checksum')).toBe(h.checksum);
  expect(num(f, 'ip.checksum.status')).toBe(h.checksumValid ? 1 : 0);
  expect(one(f, 'ip.src')).toBe(h.src);
  expect(one(f, 'ip.dst')).toBe(h.dst);
  const tlv = h.optionList.filter((o) => o.type !== 0);
  expect((f.get('ip.opt.type') ?? []).map(Number)).toEqual(tlv.map((o) => o.type));
  expect((f.get('ip.opt.len') ?? []).map(Number)).toEqual(
    tlv.filter((o) => o.type > 1).map((o) => 2 + o.data.length),
  );
}

function checkICMPv4(p: TsharkPacket, m: ICMPv4Message, checksumValid: boolean): void {
  const f = layer(p, 'icmp');
  expect(num(f, 'icmp.type')).toBe(m.type);
  expect(num(f, 'icmp.code')).toBe(m.code);
  expect(num(f, 'icmp.checksum.status')).toBe(checksumValid ? 1 : 0);
  if (m.checksum !== undefined) expect(num(f, 'icmp.checksum')).toBe(m.checksum);
  if (m.kind === 'echo') {
    expect(num(f, 'icmp.ident')).toBe(m.identifier);
    expect(num(f, 'icmp.seq')).toBe(m.sequence);
    if (m.data.length > 0) expect(one(f, 'data.data')).toBe(hexColon(m.data));
  }
}

function checkIPv6(p: TsharkPacket, h: IPv6Header): void {
  const f = layer(p, 'ipv6');
  expect(num(f, 'ipv6.version')).toBe(6);
  expect(num(f, 'ipv6.tclass')).toBe(h.trafficClass);
  expect(num(f, 'ipv6.flow')).toBe(h.flowLabel);
  expect(num(f, 'ipv6.plen')).toBe(h.payloadLength);
  expect(num(f, 'ipv6.nxt')).toBe(h.extensions[0]?.type ?? h.protocol);
  expect(num(f, 'ipv6.hlim')).toBe(h.hopLimit);
  expect(one(f, 'ipv6.src')).toBe(h.src);
  expect(one(f, 'ipv6.dst')).toBe(h.dst);
  const ipv6Layer = p.ipv6 as Record<string, unknown>;
  const names: Record<number, string> = {
    0: 'ipv6.hopopts',
    43: 'ipv6.routing',
    44: 'ipv6.fraghdr',
    60: 'ipv6.dstopts',
  };
  h.extensions.forEach((e, i) => {
    const name = names[e.type];
    expect(name, `extension type ${e.type} is one tshark names`).toBeDefined();
    const sub = flat(ipv6Layer[name!]);
    const next = h.extensions[i + 1]?.type ?? h.protocol;
    expect(num(sub, `${name}.nxt`)).toBe(next);
    switch (e.type) {
      case 0:
      case 60: {
        expect(num(sub, `${name}.len_oct`)).toBe(
          2 + e.options.reduce((n, o) => n + (o.type === 0 ? 1 : 2 + o.data.length), 0),
        );
        expect((sub.get('ipv6.opt.type') ?? []).map(Number)).toEqual(e.options.map((o) => o.type));
        expect((sub.get('ipv6.opt.length') ?? []).map(Number)).toEqual(
          e.options.filter((o) => o.type !== 0).map((o) => o.data.length),
        );
        break;
      }
      case 43:
        expect(num(sub, 'ipv6.routing.type')).toBe(e.routingType);
        expect(num(sub, 'ipv6.routing.segleft')).toBe(e.segmentsLeft);
        expect(num(sub, 'ipv6.routing.len_oct')).toBe(4 + e.data.length);
        break;
      case 44:
        expect(num(sub, 'ipv6.fraghdr.offset')).toBe(e.fragmentOffset);
        expect(num(sub, 'ipv6.fraghdr.more')).toBe(e.moreFragments ? 1 : 0);
        expect(num(sub, 'ipv6.fraghdr.ident')).toBe(e.identification);
        break;
      default:
        break;
    }
  });
}

function checkNdOptions(f: Map<string, string[]>, options: NdOption[]): void {
  expect((f.get('icmpv6.opt.type') ?? []).map(Number)).toEqual(options.map((o) => o.type));
  expect((f.get('icmpv6.opt.length') ?? []).map(Number)).toEqual(
    options.map((o) => ('linkLayerAddress' in o ? 1 : (2 + o.data.length) / 8)),
  );
  const ll = options.flatMap((o) => ('linkLayerAddress' in o ? [o.linkLayerAddress] : []));
  expect(f.get('icmpv6.opt.linkaddr') ?? []).toEqual(ll);
  for (const o of options) {
    if ('linkLayerAddress' in o) {
      const key = o.type === 1 ? 'icmpv6.opt.src_linkaddr' : 'icmpv6.opt.target_linkaddr';
      expect(f.get(key)).toContain(o.linkLayerAddress);
    }
  }
}

function checkICMPv6(p: TsharkPacket, m: ICMPv6Message, checksum: number, checksumValid: boolean): void {
  const f = layer(p, 'icmpv6');
  expect(num(f, 'icmpv6.type')).toBe(m.type);
  expect(num(f, 'icmpv6.code')).toBe(m.code);
  expect(num(f, 'icmpv6.checksum')).toBe(checksum);
  expect(num(f, 'icmpv6.checksum.status')).toBe(checksumValid ? 1 : 0);
  switch (m.kind) {
    case 'echo':
      expect(num(f, 'icmpv6.echo.identifier')).toBe(m.identifier);
      expect(num(f, 'icmpv6.echo.sequence_number')).toBe(m.sequence);
      if (m.data.length > 0) expect(one(f, 'data.data')).toBe(hexColon(m.data));
      break;
    case 'neighborSolicitation':
      expect(one(f, 'icmpv6.nd.ns.target_address')).toBe(m.target);
      checkNdOptions(f, m.options);
      break;
    case 'neighborAdvertisement':
      expect(num(f, 'icmpv6.nd.na.flag.r')).toBe(m.router ? 1 : 0);
      expect(num(f, 'icmpv6.nd.na.flag.s')).toBe(m.solicited ? 1 : 0);
      expect(num(f, 'icmpv6.nd.na.flag.o')).toBe(m.override ? 1 : 0);
      expect(one(f, 'icmpv6.nd.na.target_address')).toBe(m.target);
      checkNdOptions(f, m.options);
      break;
    case 'routerSolicitation':
      checkNdOptions(f, m.options);
      break;
    case 'routerAdvertisement':
      expect(num(f, 'icmpv6.nd.ra.cur_hop_limit')).toBe(m.curHopLimit);
      expect(num(f, 'icmpv6.nd.ra.flag.m')).toBe(m.managed ? 1 : 0);
      expect(num(f, 'icmpv6.nd.ra.flag.o')).toBe(m.other ? 1 : 0);
      expect(num(f, 'icmpv6.nd.ra.router_lifetime')).toBe(m.routerLifetime);
      expect(num(f, 'icmpv6.nd.ra.reachable_time')).toBe(m.reachableTime);
      expect(num(f, 'icmpv6.nd.ra.retrans_timer')).toBe(m.retransTimer);
      checkNdOptions(f, m.options);
      break;
    case 'raw':
      break;
  }
}

const IP4: Omit<IPv4Header, 'totalLength' | 'protocol'> = {
  dscp: 10,
  ecn: 2,
  identification: 0x4242,
  dontFragment: false,
  moreFragments: false,
  fragmentOffset: 0,
  ttl: 63,
  src: '192.0.2.10',
  dst: '198.51.100.200',
  options: new Uint8Array(0),
};

function ipv4Case(
  name: string,
  tags: TaggedEthernetHeader['tags'],
  header: Omit<IPv4Header, 'totalLength'>,
  msg: ICMPv4Message,
  opts: { payload?: Uint8Array; badChecksums?: string[]; icmpValid?: boolean; noIcmp?: boolean } = {},
): Case {
  const icmpBytes = icmpv4.encode(msg);
  const packet = ipv4Packet(header, opts.payload ?? icmpBytes);
  const eth = ethHeader(0x0800, tags);
  const c: Case = {
    name,
    frame: cat(taggedEthernet.encode(eth), packet),
    check: (p) => {
      checkEthernet(p, eth);
      checkIPv4(p, packet);
      if (!opts.noIcmp) checkICMPv4(p, msg, opts.icmpValid ?? true);
    },
  };
  if (opts.badChecksums) c.badChecksums = opts.badChecksums;
  return c;
}

const echo4: ICMPv4Echo = {
  kind: 'echo',
  type: 8,
  code: 0,
  identifier: 0x1234,
  sequence: 7,
  data: Uint8Array.from({ length: 40 }, (_, i) => i),
};

function ipv6Case(
  name: string,
  header: Omit<IPv6Header, 'payloadLength' | 'protocol'>,
  msg: ICMPv6Message,
  badChecksum = false,
): Case {
  // RFC 8200 8.1: the checksum is over the final destination when a routing header has segments left
  const ph = { src: header.src, dst: ipv6ChecksumDestination(header) };
  const icmp = icmpv6.encode(msg, undefined, 0, ph);
  const decoded = icmpv6.decode(icmp, 0, { pseudoHeader: ph }).value;
  expect(decoded.checksumValid).toBe(!badChecksum);
  const packet = ipv6Packet({ ...header, protocol: 58 }, icmp);
  const h = ipv6.decode(packet).value;
  const eth = ethHeader(0x86dd);
  const c: Case = {
    name,
    frame: cat(taggedEthernet.encode(eth), packet),
    check: (p) => {
      checkEthernet(p, eth);
      checkIPv6(p, h);
      checkICMPv6(p, msg, decoded.checksum, !badChecksum);
    },
  };
  if (badChecksum) c.badChecksums = ['icmpv6.checksum.status'];
  return c;
}

const V6 = { trafficClass: 0, flowLabel: 0, hopLimit: 255, extensions: [] };

function buildCases(): Case[] {
  const cases: Case[] = [];
  cases.push(ipv4Case('Ethernet + IPv4 + ICMP echo request', [], { ...IP4, protocol: 1 }, echo4));
  cases.push(
    ipv4Case(
      '802.1Q tag + IPv4 + ICMP echo reply',
      [{ tpid: 0x8100, pcp: 6, dei: true, vid: 42 }],
      { ...IP4, protocol: 1 },
      {
        ...echo4,
        type: 0,
        identifier: 0xfffe,
        sequence: 65535,
      },
    ),
  );
  cases.push(
    ipv4Case(
      'IPv4 with NOP, Record Route and Router Alert options',
      [],
      {
        ...IP4,
        protocol: 1,
        dontFragment: true,
        options: encodeIPv4Options([
          { type: 1, data: new Uint8Array(0) },
          { type: 7, data: Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0) }, // pointer 4, two empty slots
          { type: 148, data: Uint8Array.of(0, 0) },
        ]),
      },
      echo4,
    ),
  );
  cases.push(
    ipv4Case('IPv4 with a wrong header checksum', [], { ...IP4, protocol: 1, checksum: 0x1234 }, echo4, {
      badChecksums: ['ip.checksum.status'],
    }),
  );
  cases.push(
    ipv4Case(
      'ICMPv4 echo with a wrong checksum',
      [],
      { ...IP4, protocol: 1 },
      { ...echo4, checksum: 0xbeef },
      {
        badChecksums: ['icmp.checksum.status'],
        icmpValid: false,
      },
    ),
  );
  // An ICMP echo of 48 octets split in two fragments at octet 24 (fragment offset 3 units).
  const whole = icmpv4.encode(echo4);
  cases.push(
    ipv4Case(
      'IPv4 first fragment (MF)',
      [],
      { ...IP4, identification: 0x7777, protocol: 1, moreFragments: true },
      echo4,
      {
        payload: whole.subarray(0, 24),
        noIcmp: true,
      },
    ),
  );
  cases.push(
    ipv4Case(
      'IPv4 last fragment (offset 3) completes the echo',
      [],
      { ...IP4, identification: 0x7777, protocol: 1, fragmentOffset: 3 },
      echo4,
      {
        payload: whole.subarray(24),
      },
    ),
  );
  const arpCase = (name: string, a: ArpPacket, tags: TaggedEthernetHeader['tags'] = []): Case => {
    const eth = { ...ethHeader(0x0806, tags), dst: a.operation === 1 ? 'ff:ff:ff:ff:ff:ff' : MAC_B };
    return {
      name,
      frame: cat(taggedEthernet.encode(eth), arp.encode(a)),
      check: (p) => {
        checkEthernet(p, eth);
        checkArp(p, a);
      },
    };
  };
  cases.push(
    arpCase('ARP request', arpEthernetIPv4(1, MAC_A, '10.1.2.3', '00:00:00:00:00:00', '10.1.2.254')),
  );
  cases.push(arpCase('ARP reply', arpEthernetIPv4(2, MAC_B, '10.1.2.254', MAC_A, '10.1.2.3')));
  cases.push(
    arpCase(
      'QinQ (802.1ad S-TAG + 802.1Q C-TAG) + ARP request',
      arpEthernetIPv4(1, MAC_A, '172.16.0.1', '00:00:00:00:00:00', '172.16.0.2'),
      qinqTags({ pcp: 5, dei: true, vid: 100 }, { pcp: 3, dei: false, vid: 4000 }),
    ),
  );
  const routeData = new Uint8Array(20); // RH0: 4 reserved octets and one address
  parseIPv6('2001:db8::2', routeData, 4);
  cases.push(
    ipv6Case(
      'IPv6 hop-by-hop + routing + fragment + destination options + ICMPv6 echo',
      {
        ...V6,
        trafficClass: 0xb9,
        flowLabel: 0xabcde,
        hopLimit: 64,
        src: '2001:db8::1',
        dst: '2001:db8::2',
        extensions: [
          { type: 0, options: padIPv6Options([{ type: 5, data: Uint8Array.of(0, 0) }]) },
          { type: 43, routingType: 0, segmentsLeft: 0, data: routeData },
          { type: 44, fragmentOffset: 0, moreFragments: false, identification: 0xdeadbeef },
          {
            type: 60,
            options: padIPv6Options([
              { type: 0, data: new Uint8Array(0) },
              { type: 0x1e, data: Uint8Array.of(9, 9, 9) },
            ]),
          },
        ],
      },
      {
        kind: 'echo',
        type: 128,
        code: 0,
        identifier: 0x0101,
        sequence: 3,
        data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7),
      },
    ),
  );
  const twoHops = new Uint8Array(36); // RH0: reserved, then two addresses; the last is the final destination
  parseIPv6('2001:db8::b', twoHops, 4);
  parseIPv6('2001:db8::c', twoHops, 20);
  cases.push(
    ipv6Case(
      'IPv6 routing type 0 with segments left: ICMPv6 checksum over the final destination',
      {
        ...V6,
        hopLimit: 64,
        src: '2001:db8::1',
        dst: '2001:db8::a',
        extensions: [{ type: 43, routingType: 0, segmentsLeft: 2, data: twoHops }],
      },
      { kind: 'echo', type: 128, code: 0, identifier: 1, sequence: 1, data: Uint8Array.of(0x72, 0x68, 0x30) },
    ),
  );
  const nsSrc = { ...V6, src: 'fe80::200:ff:fe00:1', dst: 'ff02::1:ff00:2' };
  cases.push(
    ipv6Case(
      'ICMPv6 echo reply',
      { ...V6, hopLimit: 64, src: '2001:db8:0:1::10', dst: '2001:db8:1::20' },
      {
        kind: 'echo',
        type: 129,
        code: 0,
        identifier: 9,
        sequence: 0x8000,
        data: new Uint8Array(0),
      },
    ),
  );
  cases.push(
    ipv6Case('ICMPv6 neighbor solicitation with source link-layer option', nsSrc, {
      kind: 'neighborSolicitation',
      type: 135,
      code: 0,
      target: 'fe80::200:ff:fe00:2',
      options: [{ type: 1, linkLayerAddress: MAC_A }],
    }),
  );
  cases.push(
    ipv6Case(
      'ICMPv6 neighbor advertisement R/S/O with target link-layer option',
      { ...V6, src: 'fe80::200:ff:fe00:2', dst: 'fe80::200:ff:fe00:1' },
      {
        kind: 'neighborAdvertisement',
        type: 136,
        code: 0,
        router: true,
        solicited: true,
        override: false,
        target: 'fe80::200:ff:fe00:2',
        options: [{ type: 2, linkLayerAddress: MAC_B }],
      },
    ),
  );
  cases.push(
    ipv6Case(
      'ICMPv6 router solicitation',
      { ...V6, src: 'fe80::1', dst: 'ff02::2' },
      {
        kind: 'routerSolicitation',
        type: 133,
        code: 0,
        options: [{ type: 1, linkLayerAddress: MAC_A }],
      },
    ),
  );
  // MTU option (RFC 4861 4.6.4): 2 reserved octets then the MTU 1500, kept raw.
  cases.push(
    ipv6Case(
      'ICMPv6 router advertisement with MTU option',
      { ...V6, src: 'fe80::1', dst: 'ff02::1' },
      {
        kind: 'routerAdvertisement',
        type: 134,
        code: 0,
        curHopLimit: 64,
        managed: true,
        other: false,
        extraFlags: 0,
        routerLifetime: 1800,
        reachableTime: 30000,
        retransTimer: 1000,
        options: [
          { type: 1, linkLayerAddress: MAC_B },
          { type: 5, data: Uint8Array.of(0, 0, 0, 0, 0x05, 0xdc) },
        ],
      },
    ),
  );
  cases.push(
    ipv6Case(
      'ICMPv6 neighbor solicitation with a wrong checksum',
      nsSrc,
      {
        kind: 'neighborSolicitation',
        type: 135,
        code: 0,
        checksum: 0x1234,
        target: 'fe80::200:ff:fe00:2',
        options: [],
      },
      true,
    ),
  );
  // An ICMPv6 echo of 48 octets in two IPv6 fragments; tshark reassembles it in the second frame.
  const fsrc = '2001:db8:f::1';
  const fdst = '2001:db8:f::2';
  const fecho: ICMPv6Message = {
    kind: 'echo',
    type: 128,
    code: 0,
    identifier: 77,
    sequence: 1,
    data: Uint8Array.from({ length: 40 }, (_, i) => 255 - i),
  };
  const fwhole = icmpv6.encode(fecho, undefined, 0, { src: fsrc, dst: fdst });
  const fsum = icmpv6.decode(fwhole).value.checksum;
  [
    { fragmentOffset: 0, moreFragments: true, part: fwhole.subarray(0, 24) },
    { fragmentOffset: 3, moreFragments: false, part: fwhole.subarray(24) },
  ].forEach(({ fragmentOffset, moreFragments, part }, k) => {
    const packet = ipv6Packet(
      {
        ...V6,
        hopLimit: 64,
        src: fsrc,
        dst: fdst,
        extensions: [{ type: 44, fragmentOffset, moreFragments, identification: 0x01020304 }],
        protocol: 58,
      },
      part,
    );
    const h = ipv6.decode(packet).value;
    const eth = ethHeader(0x86dd);
    cases.push({
      name: `IPv6 fragment ${k + 1} of 2 (offset ${fragmentOffset}${moreFragments ? ', M' : ''})`,
      frame: cat(taggedEthernet.encode(eth), packet),
      check: (p) => {
        checkEthernet(p, eth);
        checkIPv6(p, h);
        if (!moreFragments) checkICMPv6(p, fecho, fsum, true);
      },
    });
  });
  return cases;
}

describeWithTool('tshark', 'L2/L3 headers written by the library, dissected by tshark', () => {
  const scratch = scratchDir('filament-l2l3-tshark-');
  let cases: Case[] = [];
  let packets: TsharkPacket[] = [];

  beforeAll(() => {
    cases = buildCases();
    const file = join(scratch.path, 'l2l3.pcap');
    writePcap(
      file,
      cases.map((c) => c.frame),
    );
    packets = tsharkJson(file, ['-o', 'ip.check_checksum:TRUE']);
  });
  afterAll(() => scratch.cleanup());

  it('tshark read every frame', () => {
    expect(packets).toHaveLength(cases.length);
  });

  for (const [i, name] of buildCases().map((c, i) => [i, c.name] as const)) {
    it(name, () => {
      const c = cases[i]!;
      const p = packets[i]!;
      c.check(p);
      const bad = c.badChecksums ?? [];
      for (const key of bad) expect(Number(flat(p).get(key)?.[0]), `${key} flagged bad`).toBe(0);
      // The only error-level expert items allowed are the bad checksums we built.
      const errs = problems(p).filter((m) => !(bad.length > 0 && /checksum/i.test(m)));
      expect(errs).toEqual([]);
      // tshark raises a "Bad checksum" expert item (error for IPv4, warning for ICMP) for each one we broke.
      const badMsgs = (flat(p).get('_ws.expert.message') ?? []).filter((m) => /bad checksum/i.test(m));
      expect(badMsgs).toHaveLength(bad.length);
    });
  }

  it('control: the malformed-frame check does fire (IPv4 total length beyond the frame)', () => {
    const file = join(scratch.path, 'control.pcap');
    const ip = ipv4.encode({ ...IP4, protocol: 1, totalLength: 200 });
    writePcap(file, [cat(taggedEthernet.encode(ethHeader(0x0800)), ip)]);
    const [p] = tsharkJson(file);
    expect(problems(p!).length).toBeGreaterThan(0);
  });
});
