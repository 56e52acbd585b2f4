// Packets built by python3-scapy (Debian) — VXLAN, MPLS over UDP, MPLS over GRE, plain GRE, DHCP, QinQ,
// IPv6 extension headers, wrong checksums — are decapsulated and dissected by the library, and every field
// must equal what scapy says the packet holds (scapy re-dissects its own bytes, so computed lengths,
// checksums and flags are scapy's, not ours).
import { debianPython, describeWithTool, scapy } from '@filament/testkit';
import { expect, it } from 'vitest';
import {
  DecapMeta,
  type DissectedLayer,
  decapFast,
  decapsulate,
  dissect,
  FlowKey,
  flowKeyFast,
  formatIPv4,
  mplsPayloadGuess,
} from '../src/index.js';

interface ScapyLayer {
  name: string;
  fields: Record<string, number | string | null | (number | string)[]>;
}
interface ScapyPacket {
  label: string;
  hex: string;
  layers: ScapyLayer[];
}

const SCRIPT = `
import json
load_contrib("mpls")
from scapy.layers.vxlan import VXLAN
from scapy.contrib.mpls import MPLS
bind_layers(UDP, MPLS, dport=6635)

def conv(v):
    if isinstance(v, bytes): return v.hex()
    if isinstance(v, (int, str)) or v is None: return v
    if hasattr(v, 'value'): return int(v)
    if isinstance(v, list): return [conv(x) for x in v if isinstance(x, (int, str, bytes))]
    return str(v)

def emit(label, p, base=Ether):
    b = raw(p)
    q = base(b)
    layers = []
    l = q
    while l and not isinstance(l, NoPayload):
        layers.append({"name": l.__class__.__name__, "fields": {k: conv(v) for k, v in l.fields.items()}})
        l = l.payload
    print(json.dumps({"label": label, "hex": b.hex(), "layers": layers}))

inner4 = Ether(src="02:00:00:00:0a:01", dst="02:00:00:00:0a:02")/IP(src="192.168.1.10", dst="192.168.2.20", ttl=33, id=4242)/TCP(sport=33000, dport=8080, seq=123456789, ack=987654321, flags="PA", window=4096)/Raw(b"hello")
emit("vxlan4", Ether(src="52:54:00:00:00:01", dst="52:54:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2", ttl=60, tos=0x20)/UDP(sport=51234, dport=4789)/VXLAN(vni=0x123456, flags=0x08)/inner4)
emit("vxlan6", Ether()/Dot1Q(vlan=42, prio=3)/IPv6(src="fd00::1", dst="fd00::2", hlim=7, fl=0xbeef, tc=0x28)/UDP(sport=60000, dport=4789)/VXLAN(vni=77)/Ether(src="02:00:00:00:0a:03", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="02:00:00:00:0a:03", psrc="192.168.1.3", pdst="192.168.1.1"))
emit("mplsudp1", Ether()/IP(src="10.1.1.1", dst="10.2.2.2")/UDP(sport=50000, dport=6635)/MPLS(label=1000, cos=5, s=1, ttl=200)/IP(src="172.16.0.1", dst="172.16.0.2")/UDP(sport=1000, dport=2000)/Raw(b"x"*10))
emit("mplsudp3", Ether()/IPv6(src="2001:db8::a", dst="2001:db8::b")/UDP(sport=49999, dport=6635)/MPLS(label=16, s=0, ttl=1)/MPLS(label=17, cos=1, s=0, ttl=2)/MPLS(label=1048575, cos=7, s=1, ttl=255)/IPv6(src="2001:db8:1::1", dst="2001:db8:2::2")/TCP(sport=179, dport=40000, flags="S"))
emit("mplsgre", Ether()/IP(src="10.9.9.1", dst="10.9.9.2")/GRE(proto=0x8847)/MPLS(label=300, s=1, ttl=64)/IP(src="1.1.1.1", dst="2.2.2.2")/ICMP(type=8, id=0x4d2, seq=9))
emit("mplsgrekey", Ether()/IPv6(src="fd00::9", dst="fd00::a")/GRE(key_present=1, key=0xcafe, proto=0x8847)/MPLS(label=400, s=0)/MPLS(label=401, s=1)/IPv6(src="fd01::1", dst="fd01::2")/UDP(sport=5, dport=6))
emit("mplsgreeth", Ether()/IP(src="10.9.9.1", dst="10.9.9.2")/GRE(proto=0x8847)/MPLS(label=500, s=1)/Ether(src="02:00:00:00:0b:01", dst="02:00:00:00:0b:02")/IP(src="3.3.3.3", dst="4.4.4.4")/UDP(sport=7, dport=8))
emit("greteb", Ether()/IP(src="10.5.5.1", dst="10.5.5.2")/GRE(proto=0x6558, seqnum_present=1, sequence_number=77)/Ether(src="02:00:00:00:0c:01", dst="02:00:00:00:0c:02")/IP(src="5.5.5.5", dst="6.6.6.6")/ICMP(type=0, id=1, seq=2))
emit("dhcp", Ether(src="02:00:00:00:00:09", dst="ff:ff:ff:ff:ff:ff")/IP(src="0.0.0.0", dst="255.255.255.255")/UDP(sport=68, dport=67)/BOOTP(chaddr=bytes.fromhex("020000000009"), xid=0x11223344, flags=0x8000)/DHCP(options=[("message-type", "discover"), ("hostname", "vm1"), "end"]))
emit("qinq", Ether()/Dot1AD(vlan=100)/Dot1Q(vlan=200)/IP(src="8.8.8.8", dst="9.9.9.9")/ICMP(type=8, id=7, seq=1))
emit("ipv6ext", Ether()/IPv6(src="fe80::1", dst="ff02::1")/IPv6ExtHdrHopByHop()/IPv6ExtHdrFragment(offset=0, m=1, id=0x1234)/UDP(sport=9, dport=10)/Raw(b"abcd"))
emit("ipv6rh", Ether()/IPv6(src="2001:db8::1", dst="2001:db8::ff")/IPv6ExtHdrRouting(addresses=["2001:db8::2"], segleft=1)/UDP(sport=11, dport=12)/Raw(b"rh"))
emit("badsum", Ether()/IP(src="10.0.0.1", dst="10.0.0.2", chksum=0x1234)/UDP(sport=1, dport=2, chksum=0x4321)/Raw(b"zz"))
emit("rawip", IP(src="10.7.0.1", dst="10.7.0.2")/UDP(sport=40000, dport=4789)/VXLAN(vni=9)/Ether()/IPv6(src="::1", dst="::2")/ICMPv6EchoRequest(id=5, seq=6), IP)
`;

// Skipped, naming python3-scapy, when Debian's python with scapy is missing.
const python = debianPython();
const haveScapy = python !== undefined;

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

function v(l: DissectedLayer): Record<string, unknown> {
  return l.value as Record<string, unknown>;
}

/** Our layers (names) for scapy's classes; MPLS is one layer for the whole stack here, one per entry in scapy. */
const NAME: Record<string, string> = {
  Ether: 'ethernet',
  Dot1Q: 'vlan',
  Dot1AD: 'vlan',
  IP: 'ipv4',
  IPv6: 'ipv6',
  UDP: 'udp',
  TCP: 'tcp',
  VXLAN: 'vxlan',
  MPLS: 'mpls',
  GRE: 'gre',
  ARP: 'arp',
  ICMP: 'icmpv4',
  ICMPv6EchoRequest: 'icmpv6',
  BOOTP: 'dhcpv4',
};

function compareLayer(s: ScapyLayer, ours: Record<string, unknown>): void {
  const f = s.fields;
  const eq = (a: unknown, b: unknown, what: string) => expect(a, `${s.name}.${what}`).toEqual(b);
  switch (s.name) {
    case 'Ether':
      eq(ours.dst, f.dst, 'dst');
      eq(ours.src, f.src, 'src');
      eq(ours.etherType, f.type, 'type');
      break;
    case 'Dot1Q':
    case 'Dot1AD':
      eq(ours.vid, f.vlan, 'vlan');
      eq(ours.pcp, f.prio, 'prio');
      eq(ours.dei ? 1 : 0, f.id, 'dei');
      eq(ours.etherType, f.type, 'type');
      break;
    case 'IP':
      eq(ours.version, f.version, 'version');
      eq(ours.ihl, f.ihl, 'ihl');
      eq(((ours.dscp as number) << 2) | (ours.ecn as number), f.tos, 'tos');
      eq(ours.totalLength, f.len, 'len');
      eq(ours.identification, f.id, 'id');
      eq((ours.dontFragment ? 2 : 0) | (ours.moreFragments ? 1 : 0), f.flags, 'flags');
      eq(ours.fragmentOffset, f.frag, 'frag');
      eq(ours.ttl, f.ttl, 'ttl');
      eq(ours.protocol, f.proto, 'proto');
      eq(ours.checksum, f.chksum, 'chksum');
      eq(ours.src, f.src, 'src');
      eq(ours.dst, f.dst, 'dst');
      break;
    case 'IPv6':
      eq(ours.trafficClass, f.tc, 'tc');
      eq(ours.flowLabel, f.fl, 'fl');
      eq(ours.payloadLength, f.plen, 'plen');
      eq(ours.hopLimit, f.hlim, 'hlim');
      eq(ours.src, f.src, 'src');
      eq(ours.dst, f.dst, 'dst');
      break;
    case 'UDP':
      eq(ours.srcPort, f.sport, 'sport');
      eq(ours.dstPort, f.dport, 'dport');
      eq(ours.length, f.len, 'len');
      eq(ours.checksum, f.chksum, 'chksum');
      break;
    case 'TCP':
      eq(ours.srcPort, f.sport, 'sport');
      eq(ours.dstPort, f.dport, 'dport');
      eq(ours.seq, f.seq, 'seq');
      eq(ours.ack, f.ack, 'ack');
      eq(ours.dataOffset, f.dataofs, 'dataofs');
      eq(ours.window, f.window, 'window');
      eq(ours.checksum, f.chksum, 'chksum');
      eq(ours.urgentPointer, f.urgptr, 'urgptr');
      break;
    case 'VXLAN':
      eq(ours.flags, f.flags, 'flags');
      eq(ours.vni, f.vni, 'vni');
      break;
    case 'GRE':
      eq(ours.checksumPresent ? 1 : 0, f.chksum_present, 'chksum_present');
      eq(ours.key !== undefined ? 1 : 0, f.key_present, 'key_present');
      eq(ours.sequence !== undefined ? 1 : 0, f.seqnum_present, 'seqnum_present');
      eq(ours.protocolType, f.proto, 'proto');
      if (f.key_present) eq(ours.key, f.key, 'key');
      if (f.seqnum_present) eq(ours.sequence, f.sequence_number, 'sequence_number');
      break;
    case 'ARP':
      eq(ours.operation, f.op, 'op');
      eq(ours.senderHardware, f.hwsrc, 'hwsrc');
      eq(ours.senderProtocol, f.psrc, 'psrc');
      eq(ours.targetHardware, f.hwdst, 'hwdst');
      eq(ours.targetProtocol, f.pdst, 'pdst');
      break;
    case 'ICMP':
      eq(ours.type, f.type, 'type');
      eq(ours.code, f.code, 'code');
      eq(ours.checksum, f.chksum, 'chksum');
      eq(ours.identifier, f.id, 'id');
      eq(ours.sequence, f.seq, 'seq');
      break;
    case 'ICMPv6EchoRequest':
      eq(ours.type, f.type, 'type');
      eq(ours.checksum, f.cksum, 'cksum');
      eq(ours.identifier, f.id, 'id');
      eq(ours.sequence, f.seq, 'seq');
      break;
    case 'BOOTP':
      eq(ours.op, f.op, 'op');
      eq(ours.xid, f.xid, 'xid');
      eq(ours.broadcast, ((f.flags as number) & 0x8000) !== 0, 'flags');
      eq(ours.ciaddr, f.ciaddr, 'ciaddr');
      eq(ours.chaddr, (f.chaddr as string).slice(0, 12).replace(/(..)(?!$)/g, '$1:'), 'chaddr');
      break;
    default:
      throw new Error(`no comparison for scapy layer ${s.name}`);
  }
}

describeWithTool(python ?? 'python3-scapy', 'scapy-built tunnel packets, decoded by the library', () => {
  const packets = haveScapy
    ? scapy(SCRIPT, 120_000)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ScapyPacket)
    : [];
  const by = (label: string) => {
    const p = packets.find((x) => x.label === label);
    if (!p) throw new Error(`scapy did not build ${label}`);
    return p;
  };

  it('dissect(): the same layers as scapy, every field equal', () => {
    expect(packets.length).toBe(14);
    for (const p of packets) {
      const bytes = hex(p.hex);
      const guess = mplsPayloadGuess([[500, 'ethernet']]);
      const layers = dissect(bytes, {
        linktype: p.label === 'rawip' ? 101 : 1,
        lax: false,
        mplsPayload: guess,
      });
      // scapy keeps one MPLS layer per entry; DHCP rides inside BOOTP; Raw/Padding are our payload/trailer.
      const ours = layers.filter((l) => l.name !== 'payload' && l.name !== 'trailer');
      const theirs: ScapyLayer[] = [];
      const mplsRuns: ScapyLayer[][] = [];
      for (const s of p.layers) {
        if (s.name === 'Raw' || s.name === 'Padding' || s.name === 'DHCP' || s.name.startsWith('IPv6ExtHdr'))
          continue;
        const prev = theirs[theirs.length - 1];
        if (s.name === 'MPLS' && prev?.name === 'MPLS') mplsRuns[mplsRuns.length - 1]!.push(s);
        else {
          theirs.push(s);
          if (s.name === 'MPLS') mplsRuns.push([s]);
        }
      }
      try {
        expect(ours.map((l) => l.name)).toEqual(theirs.map((s) => NAME[s.name] ?? s.name));
        let run = 0;
        theirs.forEach((s, i) => {
          const o = v(ours[i]!);
          if (s.name === 'MPLS') {
            const entries = mplsRuns[run++]!;
            expect(
              (o.labels as Record<string, unknown>[]).map((e) => [e.label, e.tc, e.bottom ? 1 : 0, e.ttl]),
            ).toEqual(entries.map((e) => [e.fields.label, e.fields.cos, e.fields.s, e.fields.ttl]));
          } else compareLayer(s, o);
        });
        const raw = p.layers.find((s) => s.name === 'Raw');
        if (raw) expect(layers.find((l) => l.name === 'payload')?.hex).toBe(raw.fields.load);
      } catch (e) {
        throw new Error(`${p.label}: ${(e as Error).message}`);
      }
    }
  });

  it('checksums scapy computed verify (a routing header moves the pseudo-header destination), wrong ones are reported', () => {
    let checked = 0;
    for (const p of packets.filter((x) => x.label !== 'badsum' && x.label !== 'ipv6ext')) {
      for (const l of dissect(hex(p.hex), { linktype: p.label === 'rawip' ? 101 : 1, lax: false })) {
        const cv = (l.value as { checksumValid?: boolean } | undefined)?.checksumValid;
        if (cv !== undefined) {
          expect(cv, `${p.label} ${l.name}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    const rh = dissect(hex(by('ipv6rh').hex), { lax: false });
    expect(rh.map((l) => l.name)).toEqual(['ethernet', 'ipv6', 'udp', 'payload']);
    expect((rh[2]!.value as { checksumValid: boolean }).checksumValid).toBe(true);
    const bad = dissect(hex(by('badsum').hex), { lax: false });
    expect(
      bad.map((l) => [l.name, (l.value as { checksumValid?: boolean } | undefined)?.checksumValid]),
    ).toEqual([
      ['ethernet', undefined],
      ['ipv4', false],
      ['udp', false],
      ['payload', undefined],
    ]);
    expect(v(bad[1]!).checksum).toBe(0x1234);
  });

  it('IPv6 extension headers: hop-by-hop and a first fragment, as scapy wrote them', () => {
    const p = by('ipv6ext');
    const ip6 = v(dissect(hex(p.hex), { lax: false })[1]!);
    const ext = ip6.extensions as {
      type: number;
      fragmentOffset?: number;
      moreFragments?: boolean;
      identification?: number;
    }[];
    expect(ext.map((e) => e.type)).toEqual([0, 44]);
    const frag = p.layers.find((s) => s.name === 'IPv6ExtHdrFragment')!.fields;
    expect([ext[1]!.fragmentOffset, ext[1]!.moreFragments ? 1 : 0, ext[1]!.identification]).toEqual([
      frag.offset,
      frag.m,
      frag.id,
    ]);
    expect(ip6.protocol).toBe(17);
  });

  it('decapsulate() and the fast path read the tunnel fields scapy wrote', () => {
    const m = new DecapMeta();
    const k = new FlowKey();
    for (const label of [
      'vxlan4',
      'vxlan6',
      'mplsudp1',
      'mplsudp3',
      'mplsgre',
      'mplsgrekey',
      'mplsgreeth',
      'greteb',
      'rawip',
    ]) {
      const p = by(label);
      const bytes = hex(p.hex);
      const eth = label !== 'rawip';
      const d = decapsulate(bytes, { ethernet: eth });
      const outerIp = p.layers.find((s) => s.name === 'IP' || s.name === 'IPv6')!.fields;
      expect([d.outer.src, d.outer.dst], label).toEqual([outerIp.src, outerIp.dst]);
      const firstIp = p.layers.findIndex((s) => s.name === 'IP' || s.name === 'IPv6');
      const u = p.layers[firstIp + 1]?.name === 'UDP' ? p.layers[firstIp + 1]!.fields : undefined;
      const vx = p.layers.find((s) => s.name === 'VXLAN')?.fields;
      const labels = p.layers.filter((s) => s.name === 'MPLS').map((s) => s.fields.label);
      const g = p.layers.find((s) => s.name === 'GRE')?.fields;
      if (vx) {
        expect(d.type).toBe('vxlan');
        expect(d.vni).toBe(vx.vni);
        expect([d.outer.srcPort, d.outer.dstPort]).toEqual([u!.sport, u!.dport]);
      } else if (u) {
        expect(d.type).toBe('mpls-udp');
        expect(d.labels?.map((x) => x.label)).toEqual(labels);
      } else if (labels.length > 0) {
        expect(d.type).toBe('mpls-gre');
        expect(d.labels?.map((x) => x.label)).toEqual(labels);
        if (g?.key_present) expect(d.greKey).toBe(g.key);
      } else {
        expect(d.type).toBe('gre');
        expect(d.innerType).toBe('ethernet');
      }
      // The inner packet is exactly the bytes after the tunnel header.
      expect(bytes.length - d.innerOffset).toBe(d.inner.length);
      expect(eth ? decapFast(bytes, 0, bytes.length, m) : 0, label).toBe(0);
      if (eth) expect(m.innerOffset).toBe(d.innerOffset);
      // The inner 5-tuple through the fast path equals scapy's inner IP/transport fields.
      const ips = p.layers.filter((s) => s.name === 'IP' || s.name === 'IPv6');
      const inner = ips[ips.length - 1]!.fields;
      if (ips.length === 2) {
        // Label 500 carries Ethernet (EVPN); the fast path leaves that to the caller who owns the label.
        const innerEth = d.innerType === 'ethernet' || label === 'mplsgreeth';
        if (label === 'mplsgreeth') expect(d.innerType).toBe('unknown');
        expect(flowKeyFast(d.inner, 0, d.inner.length, k, innerEth), label).toBe(0);
        if (k.ipVersion === 4)
          expect([formatIPv4(k.src, 12), formatIPv4(k.dst, 12)]).toEqual([inner.src, inner.dst]);
        const l4 = p.layers.filter((s) => s.name === 'TCP' || s.name === 'UDP').pop()?.fields;
        const icmp = p.layers.find((s) => s.name === 'ICMP' || s.name === 'ICMPv6EchoRequest')?.fields;
        if (icmp) expect([k.srcPort, k.icmpType]).toEqual([icmp.id, icmp.type]);
        else if (l4 && l4 !== u) expect([k.srcPort, k.dstPort]).toEqual([l4.sport, l4.dport]);
      }
    }
  });
});
