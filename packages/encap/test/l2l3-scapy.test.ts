// Packets built by python3-scapy (Debian), software none of us wrote, decoded by the library layer by layer:
// every field scapy reports must equal ours, including IPv6 extension headers, ND options and the checksums
// scapy was told to get wrong (`checksumValid` false exactly where scapy's own recomputation disagrees).
import { debianPython, describeWithTool, scapy } from '@filament/testkit';
import { beforeAll, expect, it } from 'vitest';
import {
  arp,
  formatHexBytes,
  type ICMPv4Decoded,
  type ICMPv6Decoded,
  type IPv4Decoded,
  type IPv6Extension,
  type IPv6Header,
  type IPv6Option,
  icmpv4,
  icmpv6,
  ipv4,
  ipv6,
  ipv6ChecksumDestination,
  type NdOption,
  parseIPv6,
  taggedEthernet,
} from '../src/index.js';

// The generator: builds frames with scapy, re-dissects them (`Ether(raw(p))`) so computed fields are filled,
// and prints for each frame its bytes, every layer's fields (nested option packets with the bytes scapy writes
// for them), and for each checksummed layer whether the checksum equals what scapy recomputes.
const GENERATOR = String.raw`
import json
from scapy.layers.l2 import Dot1AD

def ser(v):
    if isinstance(v, Packet):
        # nested packets (IP and IPv6 options): their fields and the bytes scapy itself writes for them
        return {'cls': v.__class__.__name__, 'fields': {f.name: ser(v.getfieldval(f.name)) for f in v.fields_desc}, 'raw': raw(v).hex()}
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, (list, tuple)):
        return [ser(x) for x in v]
    if isinstance(v, FlagValue):
        return int(v)
    if v is None or isinstance(v, (int, str, float)):
        return v
    return str(v)

def layers(p):
    out = []
    while p is not None and not isinstance(p, NoPayload):
        fields = {f.name: ser(p.getfieldval(f.name)) for f in p.fields_desc}
        out.append({'cls': p.__class__.__name__, 'fields': fields, 'payload': raw(p.payload).hex()})
        p = p.payload
    return out

def valid(p, cls):
    f = 'chksum' if 'chksum' in [x.name for x in cls.fields_desc] else 'cksum'
    q = p.copy()
    delattr(q[cls], f)
    return getattr(Ether(raw(q))[cls], f) == getattr(p[cls], f)

frames = []
def add(name, pkt, checks=()):
    p = Ether(raw(pkt))
    frames.append({'name': name, 'hex': raw(p).hex(), 'layers': layers(p), 'valid': {c.__name__: valid(p, c) for c in checks}})

E = Ether(dst='0a:1b:2c:3d:4e:5f', src='02:00:00:00:00:01')
add('IPv4 options DF ICMP echo', E/IP(tos=0xb9, id=0xabcd, flags='DF', ttl=17, src='192.0.2.1', dst='198.51.100.2',
    options=[IPOption_NOP(), IPOption_Router_Alert()])/ICMP(type=8, id=0x1234, seq=7)/Raw(b'hello scapy'), (IP, ICMP))
add('802.1Q + IPv4 + ICMP echo reply', E/Dot1Q(prio=6, id=1, vlan=42)/IP(src='10.0.0.1', dst='10.0.0.2')/ICMP(type=0, id=1, seq=2), (IP, ICMP))
add('QinQ 802.1ad + 802.1Q + ARP request', Ether(dst='ff:ff:ff:ff:ff:ff', src='02:00:00:00:00:01')/Dot1AD(prio=5, id=1, vlan=100)/Dot1Q(prio=3, vlan=4000)/
    ARP(op=1, hwsrc='02:00:00:00:00:01', psrc='172.16.0.1', hwdst='00:00:00:00:00:00', pdst='172.16.0.2'))
add('ARP reply', E/ARP(op=2, hwsrc='0a:1b:2c:3d:4e:5f', psrc='10.1.2.254', hwdst='02:00:00:00:00:01', pdst='10.1.2.3'))
add('IPv4 first fragment MF', E/IP(id=0x7777, flags='MF', frag=0, proto=17, src='192.0.2.1', dst='192.0.2.2')/Raw(b'A' * 24), (IP,))
add('IPv4 middle fragment offset 3', E/IP(id=0x7777, flags='MF', frag=3, proto=17, src='192.0.2.1', dst='192.0.2.2')/Raw(b'B' * 16), (IP,))
add('IPv4 wrong header checksum', E/IP(chksum=0x1234, src='192.0.2.1', dst='192.0.2.2')/ICMP(), (IP, ICMP))
add('ICMPv4 wrong checksum', E/IP(src='192.0.2.1', dst='192.0.2.2')/ICMP(chksum=0x1234, id=5, seq=6)/Raw(b'xyz'), (IP, ICMP))
add('ICMPv4 destination unreachable (raw)', E/IP(src='192.0.2.1', dst='192.0.2.2')/ICMP(type=3, code=4, nexthopmtu=1400)/Raw(bytes(IP(src='192.0.2.2', dst='203.0.113.9')/UDP())[:28]), (IP, ICMP))
add('IPv4 timestamp option (record route style TLV)', E/IP(src='192.0.2.1', dst='192.0.2.2', options=[IPOption_RR(routers=['0.0.0.0', '0.0.0.0'])])/ICMP(), (IP, ICMP))
E6 = Ether(dst='0a:1b:2c:3d:4e:5f', src='02:00:00:00:00:01', type=0x86dd)
add('IPv6 hop-by-hop + routing + fragment + destination options + ICMPv6 echo',
    E6/IPv6(tc=0xb8, fl=0xabcde, hlim=33, src='2001:db8::1', dst='2001:db8::2')
    /IPv6ExtHdrHopByHop(options=[RouterAlert(value=0), PadN(optdata=b'\x00\x00')])
    /IPv6ExtHdrRouting(type=0, segleft=0, addresses=['2001:db8::3'])
    /IPv6ExtHdrFragment(offset=0, m=0, id=0xdeadbeef)
    /IPv6ExtHdrDestOpt(options=[Pad1(), HBHOptUnknown(otype=0x1e, optdata=b'\x09\x09\x09')])
    /ICMPv6EchoRequest(id=0x0101, seq=3, data=b'pingpong'), (ICMPv6EchoRequest,))
add('IPv6 routing type 0 with segments left (checksum to the last address)', E6/IPv6(src='2001:db8::1', dst='2001:db8::a')
    /IPv6ExtHdrRouting(type=0, segleft=2, addresses=['2001:db8::b', '2001:db8::c'])/ICMPv6EchoRequest(id=1, seq=1, data=b'rh0'), (ICMPv6EchoRequest,))
add('IPv6 segment routing header (checksum to Segment List[0])', E6/IPv6(src='2001:db8::1', dst='2001:db8::a')
    /IPv6ExtHdrSegmentRouting(segleft=1, lastentry=1, addresses=['2001:db8::f', '2001:db8::a'])/ICMPv6EchoRequest(id=2, seq=2, data=b'srh'), (ICMPv6EchoRequest,))
add('IPv6 non-first fragment', E6/IPv6(src='2001:db8::1', dst='2001:db8::2')/IPv6ExtHdrFragment(nh=58, offset=100, m=1, id=7)/Raw(b'\x01' * 16))
add('ICMPv6 echo reply', E6/IPv6(src='2001:db8:0:1::10', dst='2001:db8:1::20')/ICMPv6EchoReply(id=9, seq=0x8000), (ICMPv6EchoReply,))
add('ICMPv6 NS with source link-layer address', E6/IPv6(src='fe80::200:ff:fe00:1', dst='ff02::1:ff00:2', hlim=255)
    /ICMPv6ND_NS(tgt='fe80::200:ff:fe00:2')/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01'), (ICMPv6ND_NS,))
add('ICMPv6 NA R/O with target link-layer address', E6/IPv6(src='fe80::200:ff:fe00:2', dst='fe80::200:ff:fe00:1', hlim=255)
    /ICMPv6ND_NA(R=1, S=0, O=1, tgt='fe80::200:ff:fe00:2')/ICMPv6NDOptDstLLAddr(lladdr='0a:1b:2c:3d:4e:5f'), (ICMPv6ND_NA,))
add('ICMPv6 RS', E6/IPv6(src='fe80::1', dst='ff02::2', hlim=255)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01'), (ICMPv6ND_RS,))
add('ICMPv6 RA with prefix information and MTU', E6/IPv6(src='fe80::1', dst='ff02::1', hlim=255)
    /ICMPv6ND_RA(chlim=64, M=0, O=1, routerlifetime=1800, reachabletime=30000, retranstimer=1000)
    /ICMPv6NDOptPrefixInfo(prefix='2001:db8:1::', prefixlen=64)/ICMPv6NDOptMTU(mtu=1500), (ICMPv6ND_RA,))
add('ICMPv6 NS wrong checksum', E6/IPv6(src='fe80::200:ff:fe00:1', dst='ff02::1:ff00:2', hlim=255)
    /ICMPv6ND_NS(tgt='fe80::200:ff:fe00:2', cksum=0x1234), (ICMPv6ND_NS,))
print(json.dumps(frames))
`;

interface ScapyLayer {
  cls: string;
  fields: Record<string, unknown>;
  payload: string;
}
interface ScapyOption {
  cls: string;
  fields: Record<string, unknown>;
  raw: string;
}
interface ScapyFrame {
  name: string;
  hex: string;
  layers: ScapyLayer[];
  valid: Record<string, boolean>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** Walks the scapy layers in order as the library decodes the frame. */
class Layers {
  private i = 0;
  constructor(private readonly list: ScapyLayer[]) {}
  next(cls: string | string[]): ScapyLayer {
    const l = this.list[this.i++];
    expect(l, `a scapy layer ${String(cls)}`).toBeDefined();
    expect([cls].flat()).toContain(l!.cls);
    return l!;
  }
  peek(): ScapyLayer | undefined {
    return this.list[this.i];
  }
  /** The bytes of the layer just taken: the previous layer's payload less this layer's own payload. */
  ownBytes(): string {
    const prev = this.list[this.i - 2]!.payload;
    const mine = this.list[this.i - 1]!.payload;
    return prev.slice(0, prev.length - mine.length);
  }
}

function ipv6OptionBytes(o: IPv6Option): string {
  return o.type === 0 ? '00' : hex(Uint8Array.from([o.type, o.data.length, ...o.data]));
}

function ndOptionBytes(o: NdOption): string {
  if ('linkLayerAddress' in o)
    return `${o.type.toString(16).padStart(2, '0')}01${o.linkLayerAddress.replaceAll(':', '')}`;
  return hex(Uint8Array.from([o.type, (2 + o.data.length) / 8, ...o.data]));
}

function checkICMPv4(l: Layers, m: ICMPv4Decoded, valid: boolean): void {
  const s = l.next('ICMP');
  const f = s.fields;
  expect(m.type).toBe(f.type);
  expect(m.code).toBe(f.code);
  expect(m.checksum).toBe(f.chksum);
  expect(m.checksumValid).toBe(valid);
  if (m.kind === 'echo') {
    expect(m.identifier).toBe(f.id);
    expect(m.sequence).toBe(f.seq);
  } else if (m.type === 3) {
    expect(m.rest).toEqual(
      bytes(
        `${(f.unused as string).padStart(4, '0')}${(f.nexthopmtu as number).toString(16).padStart(4, '0')}`,
      ),
    );
  }
  expect(hex(m.data)).toBe(s.payload);
}

function checkNdOptions(l: Layers, options: NdOption[]): void {
  for (const o of options) {
    const s = l.next([
      'ICMPv6NDOptSrcLLAddr',
      'ICMPv6NDOptDstLLAddr',
      'ICMPv6NDOptPrefixInfo',
      'ICMPv6NDOptMTU',
    ]);
    expect(o.type).toBe(s.fields.type);
    if ('linkLayerAddress' in o) {
      expect(s.fields.len).toBe(1);
      expect(o.linkLayerAddress).toBe(s.fields.lladdr);
      expect(ndOptionBytes(o)).toBe(l.ownBytes());
    } else {
      expect((2 + o.data.length) / 8).toBe(s.fields.len);
      // the option's bytes are exactly what scapy wrote for its fields (prefix, lifetimes, MTU ...)
      expect(ndOptionBytes(o)).toBe(l.ownBytes());
      if (s.cls === 'ICMPv6NDOptMTU')
        expect((o.data[2]! << 24) | (o.data[3]! << 16) | (o.data[4]! << 8) | o.data[5]!).toBe(s.fields.mtu);
      if (s.cls === 'ICMPv6NDOptPrefixInfo') {
        expect(o.data[0]).toBe(s.fields.prefixlen);
        expect(formatHexBytes(o.data, 14, 16)).toBe(
          formatHexBytes(parseIPv6(s.fields.prefix as string), 0, 16),
        );
      }
    }
  }
}

function checkICMPv6(l: Layers, m: ICMPv6Decoded, valid: Record<string, boolean>): void {
  const s = l.next([
    'ICMPv6EchoRequest',
    'ICMPv6EchoReply',
    'ICMPv6ND_NS',
    'ICMPv6ND_NA',
    'ICMPv6ND_RS',
    'ICMPv6ND_RA',
  ]);
  const f = s.fields;
  expect(m.type).toBe(f.type);
  expect(m.code).toBe(f.code);
  expect(m.checksum).toBe(f.cksum);
  expect(m.checksumValid).toBe(valid[s.cls]);
  switch (m.kind) {
    case 'echo':
      expect(m.identifier).toBe(f.id);
      expect(m.sequence).toBe(f.seq);
      expect(hex(m.data)).toBe(f.data);
      break;
    case 'neighborSolicitation':
      expect(m.target).toBe(f.tgt);
      expect(m.reserved ?? 0).toBe(f.res);
      checkNdOptions(l, m.options);
      break;
    case 'neighborAdvertisement':
      expect([m.router, m.solicited, m.override]).toEqual([f.R === 1, f.S === 1, f.O === 1]);
      expect(m.target).toBe(f.tgt);
      expect(m.reserved ?? 0).toBe(f.res);
      checkNdOptions(l, m.options);
      break;
    case 'routerSolicitation':
      expect(m.reserved ?? 0).toBe(f.res);
      checkNdOptions(l, m.options);
      break;
    case 'routerAdvertisement':
      expect(m.curHopLimit).toBe(f.chlim);
      expect([m.managed, m.other]).toEqual([f.M === 1, f.O === 1]);
      // scapy splits the low six flag bits as H, prf (2 bits), P, res (2 bits)
      expect(m.extraFlags).toBe(
        ((f.H as number) << 5) | ((f.prf as number) << 3) | ((f.P as number) << 2) | (f.res as number),
      );
      expect(m.routerLifetime).toBe(f.routerlifetime);
      expect(m.reachableTime).toBe(f.reachabletime);
      expect(m.retransTimer).toBe(f.retranstimer);
      checkNdOptions(l, m.options);
      break;
    case 'raw':
      throw new Error('no raw ICMPv6 in the scapy set');
  }
}

function checkIPv6Extension(l: Layers, e: IPv6Extension, next: number): void {
  const cls = {
    0: 'IPv6ExtHdrHopByHop',
    43: 'IPv6ExtHdrRouting',
    44: 'IPv6ExtHdrFragment',
    60: 'IPv6ExtHdrDestOpt',
  }[e.type as 0];
  const s = l.next(
    e.type === 43 && e.routingType === 4 ? 'IPv6ExtHdrSegmentRouting' : (cls ?? `extension ${e.type}`),
  );
  const f = s.fields;
  expect(next).toBe(f.nh);
  switch (e.type) {
    case 0:
    case 60: {
      const opts = f.options as ScapyOption[];
      expect(e.options.map((o) => o.type)).toEqual(opts.map((o) => o.fields.otype));
      expect(e.options.map(ipv6OptionBytes)).toEqual(opts.map((o) => o.raw));
      break;
    }
    case 43:
      expect(e.routingType).toBe(f.type);
      expect(e.segmentsLeft).toBe(f.segleft);
      expect((4 + e.data.length) / 8 - 1).toBe(f.len);
      if (e.routingType === 4) {
        // SRH (RFC 8754): Last Entry, Flags, Tag, then the segment list
        expect([e.data[0], (e.data[2]! << 8) | e.data[3]!]).toEqual([f.lastentry, f.tag]);
        // scapy splits the flags octet into bits (draft names); none was set
        expect(e.data[1]).toBe(0);
        expect([f.unused1, f.protected, f.oam, f.alert, f.hmac, f.unused2]).toEqual([0, 0, 0, 0, 0, 0]);
      } else {
        // RH0: 4 reserved octets then the addresses
        expect(e.data.subarray(0, 4)).toEqual(new Uint8Array(4));
      }
      expect((f.addresses as string[]).map((a) => hex(parseIPv6(a)))).toEqual(
        Array.from({ length: (e.data.length - 4) / 16 }, (_, k) =>
          hex(e.data.subarray(4 + 16 * k, 20 + 16 * k)),
        ),
      );
      break;
    case 44:
      expect(e.fragmentOffset).toBe(f.offset);
      expect(e.moreFragments).toBe(f.m === 1);
      expect(e.identification).toBe(f.id);
      break;
    default:
      throw new Error(`unexpected extension ${e.type}`);
  }
}

function checkFrame(frame: ScapyFrame): void {
  const buf = bytes(frame.hex);
  const l = new Layers(frame.layers);
  const eth = taggedEthernet.decode(buf);
  const e = l.next('Ether');
  expect(eth.value.dst).toBe(e.fields.dst);
  expect(eth.value.src).toBe(e.fields.src);
  expect(eth.value.tags[0]?.tpid ?? eth.value.etherType).toBe(e.fields.type);
  eth.value.tags.forEach((t, i) => {
    const s = l.next(t.tpid === 0x88a8 ? 'Dot1AD' : 'Dot1Q');
    expect([t.pcp, t.dei ? 1 : 0, t.vid]).toEqual([s.fields.prio, s.fields.id, s.fields.vlan]);
    expect(eth.value.tags[i + 1]?.tpid ?? eth.value.etherType).toBe(s.fields.type);
  });
  let at = eth.length;
  if (eth.value.etherType === 0x0806) {
    const a = arp.decode(buf, at).value;
    const f = l.next('ARP').fields;
    expect([a.hardwareType, a.protocolType, a.hardwareLength, a.protocolLength, a.operation]).toEqual([
      f.hwtype,
      f.ptype,
      f.hwlen,
      f.plen,
      f.op,
    ]);
    expect([a.senderHardware, a.senderProtocol, a.targetHardware, a.targetProtocol]).toEqual([
      f.hwsrc,
      f.psrc,
      f.hwdst,
      f.pdst,
    ]);
    return;
  }
  if (eth.value.etherType === 0x0800) {
    const d = ipv4.decode(buf, at);
    const h: IPv4Decoded = d.value;
    const s = l.next('IP');
    const f = s.fields;
    expect([4, h.ihl, (h.dscp << 2) | h.ecn, h.totalLength, h.identification]).toEqual([
      f.version,
      f.ihl,
      f.tos,
      f.len,
      f.id,
    ]);
    // scapy flags: MF = 1, DF = 2, evil (reserved) = 4
    expect((h.moreFragments ? 1 : 0) | (h.dontFragment ? 2 : 0)).toBe(f.flags);
    expect([h.fragmentOffset, h.ttl, h.protocol, h.checksum, h.src, h.dst]).toEqual([
      f.frag,
      f.ttl,
      f.proto,
      f.chksum,
      f.src,
      f.dst,
    ]);
    expect(h.checksumValid).toBe(frame.valid.IP);
    // scapy lists each padding octet as an EOL option; our list stops at the first EOL
    const opts = f.options as ScapyOption[];
    const upToEol = opts.slice(0, opts.findIndex((o) => o.cls === 'IPOption_EOL') + 1 || opts.length);
    expect(h.optionList.map((o) => o.type)).toEqual(
      upToEol.map(
        (o) =>
          ((o.fields.copy_flag as number) << 7) |
          ((o.fields.optclass as number) << 5) |
          (o.fields.option as number),
      ),
    );
    expect(
      h.optionList.map((o) =>
        o.type < 2
          ? hex(Uint8Array.of(o.type))
          : hex(Uint8Array.from([o.type, 2 + o.data.length, ...o.data])),
      ),
    ).toEqual(upToEol.map((o) => o.raw));
    expect(hex(h.options)).toBe(opts.map((o) => o.raw).join(''));
    at += d.length;
    const payloadLen = h.totalLength - d.length;
    expect(hex(buf.subarray(at, at + payloadLen))).toBe(s.payload);
    if (h.protocol === 1 && h.fragmentOffset === 0 && !h.moreFragments) {
      checkICMPv4(l, icmpv4.decode(buf, at, { length: payloadLen }).value, frame.valid.ICMP!);
    }
    return;
  }
  expect(eth.value.etherType).toBe(0x86dd);
  const d = ipv6.decode(buf, at);
  const h: IPv6Header = d.value;
  const f = l.next('IPv6').fields;
  expect([6, h.trafficClass, h.flowLabel, h.payloadLength, h.hopLimit, h.src, h.dst]).toEqual([
    f.version,
    f.tc,
    f.fl,
    f.plen,
    f.hlim,
    f.src,
    f.dst,
  ]);
  expect(h.extensions[0]?.type ?? h.protocol).toBe(f.nh);
  h.extensions.forEach((x, i) => {
    checkIPv6Extension(l, x, h.extensions[i + 1]?.type ?? h.protocol);
  });
  const upper = at + d.length;
  const end = at + 40 + h.payloadLength;
  const lastFrag = h.extensions.at(-1);
  if (lastFrag?.type === 44 && lastFrag.fragmentOffset !== 0) {
    // the rest is the middle of a payload: scapy shows it as Raw, and so do we
    expect(hex(buf.subarray(upper, end))).toBe(l.next('Raw').fields.load);
    return;
  }
  expect(h.protocol).toBe(58);
  const m = icmpv6.decode(buf, upper, {
    length: end - upper,
    pseudoHeader: { src: h.src, dst: ipv6ChecksumDestination(h) },
  }).value;
  checkICMPv6(l, m, frame.valid);
  expect(l.peek()).toBeUndefined();
}

describeWithTool(
  debianPython() ?? 'python3-scapy',
  'L2/L3 packets built by scapy, decoded by the library',
  () => {
    let frames: ScapyFrame[] = [];
    beforeAll(() => {
      frames = JSON.parse(scapy(GENERATOR)) as ScapyFrame[];
    });

    const NAMES = [
      'IPv4 options DF ICMP echo',
      '802.1Q + IPv4 + ICMP echo reply',
      'QinQ 802.1ad + 802.1Q + ARP request',
      'ARP reply',
      'IPv4 first fragment MF',
      'IPv4 middle fragment offset 3',
      'IPv4 wrong header checksum',
      'ICMPv4 wrong checksum',
      'ICMPv4 destination unreachable (raw)',
      'IPv4 timestamp option (record route style TLV)',
      'IPv6 hop-by-hop + routing + fragment + destination options + ICMPv6 echo',
      'IPv6 routing type 0 with segments left (checksum to the last address)',
      'IPv6 segment routing header (checksum to Segment List[0])',
      'IPv6 non-first fragment',
      'ICMPv6 echo reply',
      'ICMPv6 NS with source link-layer address',
      'ICMPv6 NA R/O with target link-layer address',
      'ICMPv6 RS',
      'ICMPv6 RA with prefix information and MTU',
      'ICMPv6 NS wrong checksum',
    ];
    it('scapy produced every frame', () => {
      expect(frames.map((f) => f.name)).toEqual(NAMES);
    });
    for (const name of NAMES) {
      it(name, () => {
        const frame = frames.find((f) => f.name === name);
        expect(frame).toBeDefined();
        checkFrame(frame!);
      });
    }
    it('the wrong checksums were seen as wrong', () => {
      const bad = frames.flatMap((f) =>
        Object.entries(f.valid)
          .filter(([, v]) => !v)
          .map(([k]) => `${f.name}: ${k}`),
      );
      expect(bad).toEqual([
        'IPv4 wrong header checksum: IP',
        'ICMPv4 wrong checksum: ICMP',
        'ICMPv6 NS wrong checksum: ICMPv6ND_NS',
      ]);
    });
  },
);
