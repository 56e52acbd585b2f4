// The zero-copy fast path against two independent readers of the same bytes: the value-level dissector
// (the codecs) on random valid tunnel frames, and a declarative binary-parser description of the outer
// Ethernet/IPv4/UDP/VXLAN stack. Plus the status codes for bad input, in place of exceptions.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecapMeta,
  type DissectedLayer,
  decapFast,
  decapFastIp,
  decapsulate,
  dissect,
  encapsulate,
  FastStatus,
  FlowKey,
  fastPathError,
  fastStatusName,
  flowKeyFast,
  formatIPv4,
  formatIPv6,
  InnerKind,
  InvalidFieldError,
  ipv4ToUint32,
  TruncatedError,
  TunnelKind,
  type TunnelSpec,
} from '../src/index.js';
import { arbInnerFlow, arbTunnelSpec, innerFor, innerIp } from './support/tunnel-fixtures.js';

const arbEthFrame = fc.tuple(arbTunnelSpec, arbInnerFlow).map(([spec, f]) => {
  const s: TunnelSpec = {
    ...spec,
    ethernet: spec.ethernet ?? { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
  };
  return { spec: s, flow: f, frame: encapsulate(s, innerFor(s, f)) };
});

function val(l: DissectedLayer | undefined): Record<string, unknown> {
  return (l?.value ?? {}) as Record<string, unknown>;
}

describe('fast path agrees with the value-level dissector', () => {
  it('decapFast on random valid tunnel frames', () => {
    const m = new DecapMeta();
    fc.assert(
      fc.property(arbEthFrame, ({ frame }) => {
        expect(decapFast(frame, 0, frame.length, m)).toBe(FastStatus.ok);
        const layers = dissect(frame, { lax: false });
        const names = layers.map((l) => l.name);
        const find = (n: string) => layers.find((l) => l.name === n);
        const vlan = find('vlan');
        expect(m.outerVlan).toBe(vlan ? val(vlan).vid : -1);
        const ip = layers.find((l) => l.name === 'ipv4' || l.name === 'ipv6')!;
        expect(m.outerL3Offset).toBe(ip.offset);
        expect(m.outerIpVersion).toBe(ip.name === 'ipv4' ? 4 : 6);
        if (ip.name === 'ipv4') {
          expect(m.outerSrc4).toBe(ipv4ToUint32(val(ip).src as string));
          expect(m.outerDst4).toBe(ipv4ToUint32(val(ip).dst as string));
          expect(m.outerTtl).toBe(val(ip).ttl);
        } else {
          expect(formatIPv6(frame, m.outerL3Offset + 8)).toBe(val(ip).src);
          expect(m.outerTtl).toBe(val(ip).hopLimit);
        }
        const tunnelLayer = layers.find((l) => l.name === 'vxlan' || l.name === 'mpls')!;
        if (names.includes('vxlan')) {
          expect(m.tunnel).toBe(TunnelKind.vxlan);
          expect(m.vni).toBe(val(tunnelLayer).vni);
          expect(m.innerKind).toBe(InnerKind.ethernet);
        } else {
          expect(m.tunnel).toBe(names.includes('gre') ? TunnelKind.mplsGre : TunnelKind.mplsUdp);
          const labels = val(tunnelLayer).labels as {
            label: number;
            tc: number;
            bottom: boolean;
            ttl: number;
          }[];
          expect(m.labelCount).toBe(labels.length);
          expect(Array.from(m.labels.subarray(0, m.labelCount))).toEqual(labels.map((x) => x.label));
          expect(Array.from(m.labelEntries.subarray(0, m.labelCount))).toEqual(
            labels.map((x) => ((x.label << 12) | (x.tc << 9) | (x.bottom ? 0x100 : 0) | x.ttl) >>> 0),
          );
        }
        const udp = find('udp');
        if (names.includes('gre')) {
          expect(m.greProtocol).toBe(val(find('gre')).protocolType);
          expect(m.greKey).toBe(val(find('gre')).key ?? -1);
        } else {
          expect([m.srcPort, m.dstPort]).toEqual([val(udp).srcPort, val(udp).dstPort]);
        }
        expect(m.innerOffset).toBe(tunnelLayer.offset + tunnelLayer.length);
        expect(m.innerOffset + m.innerLength).toBe(frame.length);
      }),
      { numRuns: 300 },
    );
  });

  it('flowKeyFast on random inner packets equals the dissected IP and transport headers', () => {
    const k = new FlowKey();
    fc.assert(
      fc.property(arbInnerFlow, fc.boolean(), (f, icmp) => {
        let pkt = innerIp(f);
        if (icmp && f.ipVersion === 4) {
          // An ICMP echo request instead of TCP/UDP: the identifier stands in for the port.
          pkt = Uint8Array.from(
            Buffer.from(
              `450000200001000040010000${Buffer.from(pkt.subarray(12, 20)).toString('hex')}0800000004d20009`,
              'hex',
            ),
          );
          pkt = Uint8Array.of(...pkt, 0, 0, 0, 0);
        }
        expect(flowKeyFast(pkt, 0, pkt.length, k)).toBe(FastStatus.ok);
        const layers = dissect(pkt, { linktype: 101 });
        const ip = val(layers[0]);
        const l4 = layers[1]!;
        expect(k.ipVersion).toBe(f.ipVersion);
        expect(k.protocol).toBe(ip.protocol);
        if (f.ipVersion === 4) {
          expect([formatIPv4(k.src, 12), formatIPv4(k.dst, 12)]).toEqual([ip.src, ip.dst]);
          expect(k.src4).toBe(ipv4ToUint32(ip.src as string));
          expect(formatIPv6(k.src)).toBe(`::ffff:${ip.src}`);
        } else {
          expect([formatIPv6(k.src), formatIPv6(k.dst)]).toEqual([ip.src, ip.dst]);
        }
        expect(k.l4Offset).toBe(l4.offset);
        if (l4.name === 'icmpv4') {
          expect([k.srcPort, k.dstPort, k.icmpType, k.icmpCode]).toEqual([
            val(l4).identifier,
            0,
            val(l4).type,
            val(l4).code,
          ]);
        } else {
          expect([k.srcPort, k.dstPort]).toEqual([val(l4).srcPort, val(l4).dstPort]);
          expect(k.icmpType).toBe(-1);
        }
        expect(k.fragment).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('IPv6 extension headers and fragments in the 5-tuple', () => {
    const k = new FlowKey();
    const f = {
      ipVersion: 6 as const,
      protocol: 17 as const,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      srcPort: 7,
      dstPort: 8,
      payload: new Uint8Array(4),
    };
    const plain = innerIp(f);
    // Insert a hop-by-hop header (8 bytes of PadN) and a first fragment header before UDP.
    const ext = Uint8Array.from([44, 0, 1, 4, 0, 0, 0, 0, 17, 0, 0x00, 0x01, 0, 0, 0, 9]);
    const pkt = new Uint8Array(plain.length + ext.length);
    pkt.set(plain.subarray(0, 40));
    pkt.set(ext, 40);
    pkt.set(plain.subarray(40), 56);
    pkt[6] = 0;
    pkt[5] = plain[5]! + 16;
    expect(flowKeyFast(pkt, 0, pkt.length, k)).toBe(FastStatus.ok);
    expect([k.protocol, k.srcPort, k.dstPort, k.fragment, k.l4Offset]).toEqual([17, 7, 8, true, 56]);
    // A later fragment has no ports.
    pkt[50] = 0x00;
    pkt[51] = 0x10;
    expect(flowKeyFast(pkt, 0, pkt.length, k)).toBe(FastStatus.ok);
    expect([k.srcPort, k.dstPort, k.fragment]).toEqual([0, 0, true]);
  });
});

// A declarative description of Ethernet / [802.1Q] / IPv4 / UDP / VXLAN, written independently of the
// fast path, used as an oracle.
const vxlanStack = new Parser()
  .endianness('big')
  .array('dst', { type: 'uint8', length: 6 })
  .array('src', { type: 'uint8', length: 6 })
  .uint16('etherType')
  .choice('tag', {
    tag: 'etherType',
    choices: { 33024: new Parser().uint16('tci').uint16('innerType') },
    defaultChoice: new Parser(),
  })
  .bit4('version')
  .bit4('ihl')
  .uint8('tos')
  .uint16('totalLength')
  .uint16('id')
  .uint16('fragment')
  .uint8('ttl')
  .uint8('protocol')
  .uint16('checksum')
  .uint32('src4')
  .uint32('dst4')
  .uint16('srcPort')
  .uint16('dstPort')
  .uint16('udpLength')
  .uint16('udpChecksum')
  .uint8('vxlanFlags')
  .bit24('reserved0')
  .bit24('vni')
  .uint8('reserved1');

interface Stack {
  etherType: number;
  tag: { tci?: number };
  ttl: number;
  src4: number;
  dst4: number;
  srcPort: number;
  dstPort: number;
  udpLength: number;
  vni: number;
  vxlanFlags: number;
}

describe('binary-parser as an oracle for the VXLAN fast path', () => {
  it('agrees on random VXLAN/IPv4 frames, tagged or not', () => {
    const m = new DecapMeta();
    const arb = fc
      .tuple(
        fc.integer({ min: 0, max: 0xffffff }),
        fc.option(fc.integer({ min: 0, max: 4095 }), { nil: undefined }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 255 }),
        arbInnerFlow,
      )
      .map(([vni, vlan, s, d, ttl, f]) => {
        const spec: TunnelSpec = {
          type: 'vxlan',
          vni,
          src: formatIPv4(Uint8Array.of(s >>> 24, (s >>> 16) & 255, (s >>> 8) & 255, s & 255)),
          dst: formatIPv4(Uint8Array.of(d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255)),
          ttl,
          ethernet: {
            src: '02:00:00:00:00:01',
            dst: '02:00:00:00:00:02',
            ...(vlan === undefined ? {} : { vlan }),
          },
        };
        return encapsulate(spec, innerFor(spec, f));
      });
    fc.assert(
      fc.property(arb, (frame) => {
        const o = vxlanStack.parse(frame) as Stack;
        expect(decapFast(frame, 0, frame.length, m)).toBe(FastStatus.ok);
        expect(m.outerVlan).toBe(o.tag.tci === undefined ? -1 : o.tag.tci & 0xfff);
        expect([m.outerSrc4, m.outerDst4, m.outerTtl]).toEqual([o.src4, o.dst4, o.ttl]);
        expect([m.srcPort, m.dstPort, m.vni]).toEqual([o.srcPort, o.dstPort, o.vni]);
        expect(o.vxlanFlags & 0x08).toBe(0x08);
        expect(m.innerOffset).toBe((o.tag.tci === undefined ? 14 : 18) + 20 + 16);
        expect(m.innerLength).toBe(o.udpLength - 16);
      }),
      { numRuns: 300 },
    );
  });
});

describe('binary-parser oracle on random bytes', () => {
  it('random frames with only the structural fields fixed: both read the same values', () => {
    const m = new DecapMeta();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 50, maxLength: 200 }), fc.boolean(), (b, checks) => {
        const f = b.slice();
        // Structure: IPv4 EtherType, version 4 / IHL 5, lengths that fit, not a fragment, UDP to 4789, I flag.
        f[12] = 0x08;
        f[13] = 0x00;
        f[14] = 0x45;
        f[16] = (f.length - 14) >> 8;
        f[17] = (f.length - 14) & 0xff;
        f[20] = f[20]! & 0x80; // keep only the reserved flag: DF, MF and the offset cleared
        f[21] = 0;
        f[23] = 17;
        f[36] = 0x12;
        f[37] = 0xb5;
        f[38] = (f.length - 34) >> 8;
        f[39] = (f.length - 34) & 0xff;
        if (checks) f[42] = f[42]! | 0x08;
        else f[42] = f[42]! & ~0x08;
        const st = decapFast(f, 0, f.length, m);
        const o = vxlanStack.parse(f) as Stack;
        // The fast path refuses exactly what the standard forbids: the reserved IP flag is not its concern,
        // a VXLAN header without the I flag is.
        expect(st).toBe(checks ? FastStatus.ok : FastStatus.vxlanFlags);
        if (st !== FastStatus.ok) return;
        expect([m.outerSrc4, m.outerDst4, m.outerTtl, m.srcPort, m.dstPort, m.vni]).toEqual([
          o.src4,
          o.dst4,
          o.ttl,
          o.srcPort,
          o.dstPort,
          o.vni,
        ]);
        expect(m.innerLength).toBe(o.udpLength - 16);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fast path status codes', () => {
  const frame = encapsulate(
    {
      type: 'vxlan',
      vni: 9,
      src: '10.0.0.1',
      dst: '10.0.0.2',
      ethernet: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
    },
    innerFor(
      { type: 'vxlan', vni: 9, src: '', dst: '' },
      {
        ipVersion: 4,
        protocol: 17,
        src: '1.1.1.1',
        dst: '2.2.2.2',
        srcPort: 1,
        dstPort: 2,
        payload: new Uint8Array(0),
      },
    ),
  );
  const m = new DecapMeta();

  it('names the layer, field and offset, and converts to the typed error', () => {
    const cases: [Uint8Array, number, number][] = [
      [frame.subarray(0, 10), FastStatus.ethernetTruncated, 0],
      [frame.subarray(0, 30), FastStatus.ipv4Truncated, 14],
      [frame.subarray(0, 45), FastStatus.ipv4TotalLength, 16],
    ];
    const badFlags = frame.slice();
    badFlags[42] = 0;
    cases.push([badFlags, FastStatus.vxlanFlags, 42]);
    const notTunnel = frame.slice();
    notTunnel[36] = 0x13; // UDP destination port 0x13b5, not 4789 (0x12b5)
    cases.push([notTunnel, FastStatus.notTunnel, 36]); // the destination port field
    const frag = frame.slice();
    frag[20] = 0x20; // MF
    cases.push([frag, FastStatus.ipv4Fragment, 20]);
    for (const [b, status, at] of cases) {
      expect(fastStatusName(decapFast(b, 0, b.length, m))).toBe(fastStatusName(status));
      expect(m.errorOffset).toBe(at);
      const e = fastPathError(status, m.errorOffset, b.length);
      expect(e.offset).toBe(at);
      expect(e).toBeInstanceOf(
        status === FastStatus.ethernetTruncated || status === FastStatus.ipv4Truncated
          ? TruncatedError
          : InvalidFieldError,
      );
    }
    // The value API throws exactly that error.
    expect(() => decapsulate(badFlags)).toThrow(/^vxlan\.flags at offset 42: invalid value 16/);
    expect(() => decapsulate(frame.subarray(0, 30))).toThrow(TruncatedError);
  });

  it('three VLAN tags and a negative offset are refused by status, not read', () => {
    const tags = Uint8Array.of(
      ...frame.subarray(0, 12),
      0x88,
      0xa8,
      0,
      1,
      0x81,
      0,
      0,
      2,
      0x81,
      0,
      0,
      3,
      0x08,
      0x00,
      ...frame.subarray(14),
    );
    expect(decapFast(tags, 0, tags.length, m)).toBe(FastStatus.vlanTooDeep);
    expect(m.errorOffset).toBe(20);
    expect(fastStatusName(FastStatus.vlanTooDeep)).toBe('vlan.tpid');
    const k = new FlowKey();
    expect(flowKeyFast(tags, 0, tags.length, k, true)).toBe(FastStatus.vlanTooDeep);
    expect(decapFast(frame, -1, frame.length, m)).toBe(FastStatus.ethernetTruncated);
    expect(decapFastIp(frame, -1, frame.length, m)).toBe(FastStatus.ipv4Truncated);
    expect(flowKeyFast(frame, -3, frame.length, k)).toBe(FastStatus.ipv4Truncated);
  });

  it('a length argument shorter than the buffer bounds every read', () => {
    expect(decapFast(frame, 0, frame.length - 1, m)).toBe(FastStatus.ipv4TotalLength);
    const ip = frame.subarray(14);
    expect(decapFastIp(ip, 0, ip.length, m)).toBe(FastStatus.ok);
    expect(m.innerOffset).toBe(36);
  });
});
