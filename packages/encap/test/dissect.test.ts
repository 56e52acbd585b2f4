// The dissector: layer names, offsets and lengths checked against tshark's own byte ranges for the same
// frames (every protocol instance tshark finds, by offset); then the registry, the per-call options, link
// types, trailers and the lax/strict error model.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  debianPython,
  describeWithTool,
  scapy,
  scratchDir,
  tsharkFields,
  tsharkJson,
} from '@filament/testkit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDissectorRegistry,
  type DissectedLayer,
  dissect,
  EncapError,
  encapsulate,
  ethernet,
  type LayerDecoder,
  LinkType,
  mplsPayloadGuess,
  pcapngPackets,
  TruncatedError,
  toHex,
  toHexPortable,
  writePcap,
} from '../src/index.js';
import { innerEthernet, innerIp } from './support/tunnel-fixtures.js';

const scratch = scratchDir('encap-dissect-');
afterAll(() => scratch.cleanup());

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const udpFlow = {
  ipVersion: 4 as const,
  protocol: 17 as const,
  src: '192.168.1.1',
  dst: '192.168.1.2',
  srcPort: 50001,
  dstPort: 50002,
  payload: Uint8Array.of(1, 2, 3),
};
const tcpFlow6 = {
  ipVersion: 6 as const,
  protocol: 6 as const,
  src: '2001:db8::1',
  dst: '2001:db8::2',
  srcPort: 50003,
  dstPort: 50004,
  payload: Uint8Array.of(4, 5),
};
const ARP = hex(
  'ffffffffffff 020000000a03 0806 0001 0800 06 04 0001 020000000a03 c0a80103 000000000000 c0a80101',
);
const ICMP_ECHO = hex(
  '020000000002 020000000001 0800 4500001c00010000400100000a0000010a000002 0800f7fa00050000',
);
// IPv4 header checksum of the ICMP frame above, filled in below.
{
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (ICMP_ECHO[i]! << 8) | ICMP_ECHO[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  ICMP_ECHO[24] = c >> 8;
  ICMP_ECHO[25] = c & 0xff;
}

const frames: { name: string; frame: Uint8Array; linktype?: number }[] = [
  {
    name: 'VXLAN, inner UDP',
    frame: encapsulate(
      { type: 'vxlan', vni: 10, src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
      innerEthernet(udpFlow),
    ),
  },
  {
    name: 'VXLAN/IPv6/802.1Q, inner ARP',
    frame: encapsulate(
      { type: 'vxlan', vni: 11, src: 'fd00::1', dst: 'fd00::2', ethernet: { ...eth, vlan: 5 } },
      ARP,
    ),
  },
  {
    name: 'MPLSoUDP 2 labels, inner IPv6/TCP',
    frame: encapsulate(
      { type: 'mpls-udp', labels: [100, 101], src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
      innerIp(tcpFlow6),
    ),
  },
  {
    name: 'MPLSoGRE key, inner IPv4/UDP',
    frame: encapsulate(
      { type: 'mpls-gre', labels: [200], key: 3, src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
      innerIp(udpFlow),
    ),
  },
  { name: 'ICMP echo', frame: ICMP_ECHO },
  { name: 'raw IP link type', frame: innerIp(udpFlow), linktype: LinkType.raw },
  {
    name: 'Linux cooked capture',
    frame: Uint8Array.of(0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00, ...innerIp(udpFlow)),
    linktype: LinkType.linuxSll,
  },
];

// tshark protocol names for ours; tshark shows each MPLS label stack entry as its own layer.
const TSHARK_NAME: Record<string, string> = { eth: 'ethernet', ip: 'ipv4', icmp: 'icmpv4', sll: 'sll' };
const KNOWN = new Set([
  'eth',
  'vlan',
  'ip',
  'ipv6',
  'udp',
  'tcp',
  'vxlan',
  'mpls',
  'gre',
  'arp',
  'icmp',
  'sll',
]);

function tsharkRanges(l: Record<string, unknown>): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const [k, v] of Object.entries(l)) {
    if (!k.endsWith('_raw')) continue;
    const proto = k.slice(0, -4);
    if (!KNOWN.has(proto)) continue;
    const list = (typeof (v as unknown[])[0] === 'string' ? [v] : v) as [string, number, number][];
    for (const [, off, len] of list) out.push([TSHARK_NAME[proto] ?? proto, off, len]);
  }
  return out.sort((a, b) => a[1] - b[1]);
}

function ourRanges(layers: DissectedLayer[]): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const l of layers) {
    if (l.name === 'payload' || l.name === 'trailer') continue;
    if (l.name === 'mpls') for (let i = 0; i < l.length / 4; i++) out.push(['mpls', l.offset + 4 * i, 4]);
    else out.push([l.name, l.offset, l.length]);
  }
  return out;
}

describeWithTool('tshark', 'dissect() layer offsets and lengths equal tshark byte ranges', () => {
  for (const lt of [LinkType.ethernet, LinkType.raw, LinkType.linuxSll]) {
    const set = frames.filter((f) => (f.linktype ?? LinkType.ethernet) === lt);
    it(`link type ${lt}: ${set.map((f) => f.name).join('; ')}`, () => {
      const file = join(scratch.path, `d-${lt}.pcap`);
      writeFileSync(
        file,
        writePcap(
          set.map((f) => ({ data: f.frame })),
          { linktype: lt },
        ),
      );
      const got = tsharkJson(file, ['-x', '-d', 'udp.port==6635,mpls']);
      set.forEach((f, i) => {
        const layers = dissect(f.frame, { linktype: lt, lax: false });
        // ICMP: tshark's range is the whole message; ours is the 8-byte header, the rest is payload.
        const theirs = tsharkRanges(got[i]!).map(([n, o, len]): [string, number, number] =>
          n === 'icmpv4' ? [n, o, layers.find((l) => l.name === 'icmpv4')!.length] : [n, o, len],
        );
        expect(ourRanges(layers), f.name).toEqual(theirs);
      });
    });
  }
});

describeWithTool('tshark', 'dissect() on a real capture', () => {
  it('the shared corpus pcapng (BGP over TCP): same layers and byte ranges as tshark, checksums verified', () => {
    const file = '/work/shared/corpus/bgp_orf_prefix_advertisement.pcapng';
    const got = tsharkJson(file, ['-x']);
    const packets = [...pcapngPackets(readFileSync(file))];
    expect(packets.length).toBe(got.length);
    packets.forEach((p, i) => {
      const layers = dissect(p.data, { linktype: p.linktype, lax: false });
      expect(ourRanges(layers)).toEqual(tsharkRanges(got[i]!));
      expect(layers.map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'tcp', 'payload']);
      for (const l of layers) {
        const cv = (l.value as { checksumValid?: boolean } | undefined)?.checksumValid;
        if (cv !== undefined) expect(cv, l.name).toBe(true);
      }
    });
  });
});

describe('dissect() structure', () => {
  it('a VXLAN frame: seven layers and the payload, all JSON-friendly', () => {
    const layers = dissect(frames[0]!.frame);
    expect(layers.map((l) => l.name)).toEqual([
      'ethernet',
      'ipv4',
      'udp',
      'vxlan',
      'ethernet',
      'ipv4',
      'udp',
      'payload',
    ]);
    expect(layers[7]).toEqual({ name: 'payload', offset: 92, length: 3, hex: '010203' });
    expect(JSON.parse(JSON.stringify(layers))).toEqual(layers);
    expect((layers[1]!.value as { options: unknown }).options).toBe('');
  });

  it("hex: the portable formatter (no Buffer) equals Node's, across its chunk boundary", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000 }), fc.nat(), (b, cut) => {
        const from = b.length === 0 ? 0 : cut % b.length;
        expect(toHexPortable(b, from)).toBe(Buffer.from(b.subarray(from)).toString('hex'));
        expect(toHex(b, from)).toBe(toHexPortable(b, from));
        // A Buffer (what file and socket reads give) formats in place, same text.
        const inBuffer = Buffer.alloc(b.length + 3);
        inBuffer.set(b, 3);
        expect(toHex(inBuffer.subarray(3), from)).toBe(toHexPortable(b, from));
        // A plain Uint8Array view that starts inside its ArrayBuffer, with an explicit end before its own.
        const inPlain = new Uint8Array(b.length + 5);
        inPlain.set(b, 3);
        const to = Math.max(from, b.length - 1);
        expect(toHex(inPlain.subarray(3, 4 + b.length), from, to)).toBe(toHexPortable(b, from, to));
      }),
      { numRuns: 60 },
    );
  });

  it('the default registry (names resolved without a map lookup) equals an explicit copy of the built-ins', () => {
    const registry = createDissectorRegistry();
    for (const { frame, linktype } of frames) {
      for (const l of [linktype ?? 1, LinkType.raw, LinkType.linuxSll, 0, 228, 229]) {
        expect(dissect(frame, { linktype: l })).toEqual(dissect(frame, { linktype: l, registry }));
      }
    }
  });

  it('Ethernet padding after a short IPv4 packet is a trailer, not payload', () => {
    const padded = new Uint8Array(60);
    padded.set(ICMP_ECHO);
    const layers = dissect(padded);
    expect(layers.map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'icmpv4', 'trailer']);
    expect(layers[3]).toMatchObject({
      offset: ICMP_ECHO.length,
      length: 60 - ICMP_ECHO.length,
      hex: '00'.repeat(60 - ICMP_ECHO.length),
    });
  });

  it('link types: IPv4 (228), IPv6 (229), BSD loopback (0)', () => {
    expect(dissect(innerIp(udpFlow), { linktype: 228 }).map((l) => l.name)).toEqual([
      'ipv4',
      'udp',
      'payload',
    ]);
    expect(dissect(innerIp(tcpFlow6), { linktype: 229 }).map((l) => l.name)).toEqual([
      'ipv6',
      'tcp',
      'payload',
    ]);
    const lo = Uint8Array.of(2, 0, 0, 0, ...innerIp(udpFlow));
    expect(dissect(lo, { linktype: 0 }).map((l) => l.name)).toEqual(['null', 'ipv4', 'udp', 'payload']);
    // An unknown link type leaves everything as payload.
    expect(dissect(lo, { linktype: 9999 })).toEqual([
      { name: 'payload', offset: 0, length: lo.length, hex: Buffer.from(lo).toString('hex') },
    ]);
  });

  it('MPLS payload hook: the bottom label says Ethernet', () => {
    const f = encapsulate(
      {
        type: 'mpls-udp',
        labels: [300],
        innerEthernet: true,
        src: '10.0.0.1',
        dst: '10.0.0.2',
        ethernet: eth,
      },
      innerEthernet(udpFlow),
    );
    expect(dissect(f).map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'udp', 'mpls', 'payload']);
    const named = dissect(f, { mplsPayload: mplsPayloadGuess([[300, 'ethernet']]) });
    expect(named.map((l) => l.name)).toEqual([
      'ethernet',
      'ipv4',
      'udp',
      'mpls',
      'ethernet',
      'ipv4',
      'udp',
      'payload',
    ]);
  });

  it('extra UDP ports per call (Linux VXLAN on 8472)', () => {
    const f = frames[0]!.frame.slice();
    f[36] = 8472 >> 8;
    f[37] = 8472 & 0xff;
    expect(dissect(f).map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'udp', 'payload']);
    expect(dissect(f, { udpPorts: { 8472: 'vxlan' } }).map((l) => l.name)).toContain('vxlan');
  });

  it('a registry lets another package plug in an application decoder, without global state', () => {
    // A stand-in for @filament/bgp: the 19-byte BGP header (RFC 4271 section 4.1) on TCP 179.
    const bgpHeader: LayerDecoder = (buf, offset) => {
      if (offset + 19 > buf.length)
        throw new TruncatedError('bgp', 'header', offset, 19, buf.length - offset);
      return {
        value: { length: (buf[offset + 16]! << 8) | buf[offset + 17]!, type: buf[offset + 18]! },
        length: 19,
      };
    };
    const registry = createDissectorRegistry().register('bgp', bgpHeader).tcpPort(179, 'bgp');
    const keepalive = Uint8Array.of(...new Uint8Array(16).fill(0xff), 0, 19, 4);
    const ip = innerIp({ ...tcpFlow6, srcPort: 40000, dstPort: 179, payload: keepalive });
    const withBgp = dissect(ip, { linktype: 229, registry });
    expect(withBgp.map((l) => l.name)).toEqual(['ipv6', 'tcp', 'bgp']);
    expect(withBgp[2]!.value).toEqual({ length: 19, type: 4 });
    expect(dissect(ip, { linktype: 229 }).map((l) => l.name)).toEqual(['ipv6', 'tcp', 'payload']);
    expect(createDissectorRegistry().decoders.has('bgp')).toBe(false);
    // The clone is independent too.
    const other = registry.clone().tcpPort(179, 'tcp-payload-free');
    expect(registry.tcpPorts.get(179)).toBe('bgp');
    expect(other.tcpPorts.get(179)).toBe('tcp-payload-free');
  });

  it('a non-first IPv4 fragment stops at the IP layer', () => {
    const f = innerIp(udpFlow);
    f[6] = 0x00;
    f[7] = 0x02; // offset 16 bytes
    const layers = dissect(f, { linktype: 101 });
    expect(layers.map((l) => l.name)).toEqual(['ipv4', 'payload']);
  });

  it('lax: a truncated layer ends the walk with an error entry; strict: it throws', () => {
    const cut = frames[0]!.frame.subarray(0, 70);
    const layers = dissect(cut);
    // The outer IPv4 and UDP lengths run past the capture: lax mode reads what is there.
    expect(layers.map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'udp', 'vxlan', 'ethernet', 'error']);
    expect(layers[5]).toMatchObject({
      name: 'error',
      offset: 64,
      error: { name: 'TruncatedError', layer: 'ipv4', field: 'header' },
    });
    expect(() => dissect(cut, { lax: false })).toThrow(EncapError);
    const garbage = Uint8Array.of(0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x55);
    expect(dissect(garbage)).toEqual([
      { name: 'ethernet', offset: 0, length: 14, value: ethernet.decode(garbage).value },
      {
        name: 'error',
        offset: 14,
        length: 0,
        error: expect.objectContaining({ name: 'TruncatedError', layer: 'ipv4', offset: 14 }),
      },
    ]);
  });
});

// A DHCPDISCOVER built by scapy with 12 bytes of link-layer padding after the IP packet (scapy's Padding
// layer is not counted in the IP or UDP length). tshark, told that frames carry no FCS, shows all 12 as the
// Ethernet trailer and the DHCP message as exactly the UDP payload; so must we: the padding is the frame's
// `trailer` layer, never part of the DHCP message (no `trailer` inside the DHCP value).
describeWithTool(
  [debianPython() ?? 'python3-scapy', 'tshark'],
  'dissect(): a DHCP frame with Ethernet padding',
  () => {
    it('the padding is the Ethernet trailer (as tshark shows it), not a DHCP trailer', () => {
      const frame = hex(
        scapy(
          [
            "p = (Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0', dst='255.255.255.255')",
            "     / UDP(sport=68, dport=67) / BOOTP(chaddr=bytes.fromhex('020000000001'), xid=0x1234)",
            "     / DHCP(options=[('message-type', 'discover'), ('hostname', b'vm1'), 'end']) / Padding(load=b'\\xaa' * 12))",
            'print(bytes(p).hex())',
          ].join('\n'),
        ).trim(),
      );
      const file = join(scratch.path, 'dhcp-padded.pcap');
      writeFileSync(file, writePcap([{ data: frame }]));
      const [t] = tsharkJson(file, ['-x', '-o', 'eth.fcs:never']);
      const theirTrailer = ((t!.eth as Record<string, string>)['eth.trailer'] ?? '').replace(/:/g, '');
      expect(theirTrailer).toBe('aa'.repeat(12));
      const [, dhcpOffset, dhcpLength] = t!.dhcp_raw as [string, number, number];

      for (const lax of [true, false]) {
        const layers = dissect(frame, { lax });
        expect(layers.map((l) => l.name)).toEqual(['ethernet', 'ipv4', 'udp', 'dhcpv4', 'trailer']);
        const [, , udpLayer, dhcp, trailer] = layers;
        expect([dhcp!.offset, dhcp!.length]).toEqual([dhcpOffset, dhcpLength]);
        expect(dhcp!.length).toBe((udpLayer!.value as { length: number }).length - 8);
        const msg = dhcp!.value as {
          trailer?: unknown;
          options: { kind: string }[];
          chaddr: string;
          xid: number;
        };
        expect(msg.trailer).toBeUndefined();
        expect(msg.options.map((o) => o.kind)).toEqual(['messageType', 'hostname', 'end']);
        expect([msg.chaddr, msg.xid]).toEqual(['02:00:00:00:00:01', 0x1234]);
        expect(trailer).toEqual({
          name: 'trailer',
          offset: frame.length - 12,
          length: 12,
          hex: theirTrailer,
        });
      }
      // The decoder itself takes the message length from where the datagram ends, not from the buffer.
      const registry = createDissectorRegistry();
      const step = registry.decoders.get('dhcpv4')!(frame, dhcpOffset, {
        registry,
        options: {},
        end: dhcpOffset + dhcpLength,
        layers: [],
      });
      expect(step.length).toBe(dhcpLength);
      expect((step.value as { trailer?: unknown }).trailer).toBeUndefined();
    });
  },
);

// RFC 8200 section 8.1: with a Routing header that still has segments left, the upper-layer checksum covers
// the final destination (the last RH0 address; Segment List[0] of an SRH), not the header's. scapy builds
// UDP, TCP and ICMPv6 that way; the dissector must verify all of them, and must call the checksums bad once
// segments left is set to 0 (the header's destination is then final), agreeing with tshark on every frame.
describeWithTool(
  [debianPython() ?? 'python3-scapy', 'tshark'],
  'dissect(): IPv6 transport checksums over the final destination of a Routing header',
  () => {
    it('UDP, TCP and ICMPv6 after RH0 / SRH with segments left verify; with none left they do not', () => {
      const built = scapy(
        [
          "b = lambda: Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IPv6(src='2001:db8::1', dst='2001:db8::a')",
          "rh0 = lambda: IPv6ExtHdrRouting(addresses=['2001:db8::b', '2001:db8::c'], segleft=2)",
          'ps = [',
          "  b() / rh0() / UDP(sport=1000, dport=2000) / Raw(b'rh0'),",
          "  b() / rh0() / TCP(sport=1000, dport=2000, flags='S') / Raw(b'rh0'),",
          "  b() / rh0() / ICMPv6EchoRequest(id=1, seq=2, data=b'rh0'),",
          "  b() / IPv6ExtHdrSegmentRouting(addresses=['2001:db8::f', '2001:db8::e'], segleft=1) / UDP(sport=1000, dport=2000) / Raw(b'srh'),",
          ']',
          'for p in ps: print(bytes(p).hex())',
        ].join('\n'),
      )
        .trim()
        .split('\n')
        .map(hex);
      // Segments left is the routing header's fourth octet (Ethernet 14 + IPv6 40 + 3).
      const exhausted = built.map((f) => {
        const g = f.slice();
        g[14 + 40 + 3] = 0;
        return g;
      });
      const all = [...built, ...exhausted];
      const file = join(scratch.path, 'ipv6-routing.pcap');
      writeFileSync(file, writePcap(all.map((data) => ({ data }))));
      const rows = tsharkFields(
        file,
        ['udp.checksum.status', 'tcp.checksum.status', 'icmpv6.checksum.status'],
        ['-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'],
      );
      expect(rows).toHaveLength(all.length);
      all.forEach((frame, i) => {
        const layers = dissect(frame, { lax: false });
        const names = layers.map((l) => l.name);
        expect(names.slice(0, 2)).toEqual(['ethernet', 'ipv6']);
        const transport = layers[2]!;
        expect(['udp', 'tcp', 'icmpv6']).toContain(transport.name);
        const ours = (transport.value as { checksumValid?: boolean }).checksumValid;
        expect(ours, `frame ${i} (${transport.name})`).toBe(i < built.length);
        // tshark: 1 good, 0 bad.
        const theirs = rows[i]!.find((x) => x !== '');
        expect(theirs, `tshark on frame ${i}`).toBe(ours ? '1' : '0');
      });
    });
  },
);
