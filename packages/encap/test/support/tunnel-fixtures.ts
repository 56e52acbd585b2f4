// Inner packets for the tunnel, view and dissector tests, built with the package's own value codecs, and
// fast-check generators of inner flows and tunnel specs.
import fc from 'fast-check';
import { ethernet, ipv4Packet, ipv6Packet, type TunnelSpec, tcp, udp } from '../../src/index.js';

export interface InnerFlow {
  ipVersion: 4 | 6;
  protocol: 6 | 17;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** An IPv4 or IPv6 packet carrying TCP or UDP with checksums computed. */
export function innerIp(f: InnerFlow): Uint8Array {
  const pseudo = { src: f.src, dst: f.dst };
  const l4 =
    f.protocol === 17
      ? udp.encode({ srcPort: f.srcPort, dstPort: f.dstPort }, undefined, 0, { pseudo, payload: f.payload })
      : tcp.encode(
          {
            srcPort: f.srcPort,
            dstPort: f.dstPort,
            seq: 1000,
            ack: 0,
            flags: {
              cwr: false,
              ece: false,
              urg: false,
              ack: false,
              psh: true,
              rst: false,
              syn: false,
              fin: false,
            },
            window: 65535,
            urgentPointer: 0,
            options: [],
          },
          new Uint8Array(20 + f.payload.length),
          0,
          { pseudo, payload: f.payload },
        );
  if (f.ipVersion === 4) {
    return ipv4Packet(
      {
        dscp: 0,
        ecn: 0,
        identification: 7,
        dontFragment: true,
        moreFragments: false,
        fragmentOffset: 0,
        ttl: 63,
        protocol: f.protocol,
        src: f.src,
        dst: f.dst,
        options: new Uint8Array(0),
      },
      l4,
    );
  }
  return ipv6Packet(
    {
      trafficClass: 0,
      flowLabel: 0x12345,
      hopLimit: 62,
      src: f.src,
      dst: f.dst,
      extensions: [],
      protocol: f.protocol,
    },
    l4,
  );
}

/** The IP packet behind an Ethernet header. */
export function innerEthernet(
  f: InnerFlow,
  src = '02:00:00:00:0a:01',
  dst = '02:00:00:00:0a:02',
): Uint8Array {
  const ip = innerIp(f);
  const out = new Uint8Array(14 + ip.length);
  ethernet.encode({ src, dst, etherType: f.ipVersion === 4 ? 0x0800 : 0x86dd }, out, 0);
  out.set(ip, 14);
  return out;
}

const u8 = fc.integer({ min: 0, max: 255 });
export const ipv4Text = fc.tuple(u8, u8, u8, u8).map((b) => b.join('.'));
export const ipv6Text = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':'));
export const port = fc.integer({ min: 0, max: 0xffff });

export const arbInnerFlow: fc.Arbitrary<InnerFlow> = fc.oneof(
  fc.record({
    ipVersion: fc.constant(4 as const),
    protocol: fc.constantFrom(6 as const, 17 as const),
    src: ipv4Text,
    dst: ipv4Text,
    srcPort: port,
    dstPort: port,
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    ipVersion: fc.constant(6 as const),
    protocol: fc.constantFrom(6 as const, 17 as const),
    src: ipv6Text,
    dst: ipv6Text,
    srcPort: port,
    dstPort: port,
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
);

const mac = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
const labels = fc.array(
  fc.oneof(
    fc.integer({ min: 16, max: 0xfffff }),
    fc.record({ label: fc.integer({ min: 16, max: 0xfffff }), tc: fc.integer({ min: 0, max: 7 }), ttl: u8 }),
  ),
  { minLength: 1, maxLength: 3 },
);

/** Outer headers: IPv4 or IPv6, with or without outer Ethernet and VLAN. */
const outer = fc
  .oneof(fc.record({ src: ipv4Text, dst: ipv4Text }), fc.record({ src: ipv6Text, dst: ipv6Text }))
  .chain((a) =>
    fc.record(
      {
        src: fc.constant(a.src),
        dst: fc.constant(a.dst),
        ttl: u8,
        tos: u8,
        seed: fc.integer(),
        ethernet: fc.record(
          { src: mac, dst: mac, vlan: fc.integer({ min: 0, max: 4095 }) },
          { requiredKeys: ['src', 'dst'] },
        ),
      },
      { requiredKeys: ['src', 'dst'] },
    ),
  );

/** Any tunnel spec the value API accepts (inner Ethernet for VXLAN, inner IP for MPLS). */
export const arbTunnelSpec: fc.Arbitrary<TunnelSpec> = fc.oneof(
  fc
    .tuple(outer, fc.integer({ min: 0, max: 0xffffff }))
    .map(([o, vni]) => ({ type: 'vxlan' as const, vni, ...o })),
  fc.tuple(outer, labels).map(([o, l]) => ({ type: 'mpls-udp' as const, labels: l, ...o })),
  fc
    .tuple(outer, labels, fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }))
    .map(([o, l, key]) => ({
      type: 'mpls-gre' as const,
      labels: l,
      ...o,
      ...(key === undefined ? {} : { key }),
    })),
);

/** The inner packet a spec wants: Ethernet for VXLAN, IP for MPLS. */
export function innerFor(spec: TunnelSpec, f: InnerFlow): Uint8Array {
  return spec.type === 'vxlan' ? innerEthernet(f) : innerIp(f);
}
