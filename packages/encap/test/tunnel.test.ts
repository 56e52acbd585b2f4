// Headroom encapsulation: writes only in front of the inner packet, never moves it; the value API and the
// hot path agree; encapsulate/decapsulate round-trip for random specs; bad parameters are typed errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalIPv6,
  DecapMeta,
  decapFast,
  decapsulate,
  EncapInfo,
  encapMplsGre,
  encapMplsUdp,
  encapsulate,
  encapVxlan,
  InnerKind,
  internetChecksum,
  ipv6PseudoSum,
  MAX_LABELS,
  mplsGreOverhead,
  mplsUdpOverhead,
  onesSum,
  RangeFieldError,
  TunnelKind,
  TunnelParams,
  type TunnelSpec,
  tunnelParams,
  vxlanOverhead,
} from '../src/index.js';
import { arbInnerFlow, arbTunnelSpec, innerEthernet, innerFor, innerIp } from './support/tunnel-fixtures.js';

const flow = {
  ipVersion: 4 as const,
  protocol: 6 as const,
  src: '172.16.0.1',
  dst: '172.16.0.2',
  srcPort: 1111,
  dstPort: 2222,
  payload: new Uint8Array(100).fill(0x5a),
};

describe('headroom encapsulation', () => {
  for (const [name, fn, over, spec] of [
    [
      'VXLAN',
      encapVxlan,
      vxlanOverhead,
      {
        type: 'vxlan',
        vni: 42,
        src: '10.0.0.1',
        dst: '10.0.0.2',
        ethernet: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', vlan: 9 },
      },
    ],
    [
      'MPLSoUDP',
      encapMplsUdp,
      mplsUdpOverhead,
      { type: 'mpls-udp', labels: [16, 17, 18], src: 'fd00::1', dst: 'fd00::2' },
    ],
    [
      'MPLSoGRE',
      encapMplsGre,
      mplsGreOverhead,
      { type: 'mpls-gre', labels: [99], key: 5, src: '10.0.0.1', dst: '10.0.0.2' },
    ],
  ] as const) {
    it(`${name}: outer headers go in front, the payload stays where it was, no new buffer`, () => {
      const p = tunnelParams(spec as TunnelSpec);
      const inner = spec.type === 'vxlan' ? innerEthernet(flow) : innerIp(flow);
      const headroom = 128;
      const buf = new Uint8Array(headroom + inner.length + 32).fill(0xee);
      buf.set(inner, headroom);
      const before = buf.buffer;
      const info = new EncapInfo();
      const start = fn(buf, headroom, inner.length, p, info);
      expect(typeof start).toBe('number');
      expect(buf.buffer).toBe(before);
      expect(start).toBe(headroom - over(p));
      expect(info).toMatchObject({ start, length: headroom + inner.length - start });
      // The inner packet was neither moved nor changed, and nothing outside [start, end) was written.
      expect(buf.subarray(headroom, headroom + inner.length)).toEqual(inner);
      expect(buf.subarray(0, start).every((b) => b === 0xee)).toBe(true);
      expect(buf.subarray(headroom + inner.length).every((b) => b === 0xee)).toBe(true);
      // Same bytes as the value API.
      expect(buf.subarray(start, headroom + inner.length)).toEqual(encapsulate(spec as TunnelSpec, inner));
      // And the fast path finds the inner packet at the very offset it was written at.
      const m = new DecapMeta();
      const eth = spec.type === 'vxlan';
      if (eth) {
        expect(decapFast(buf, start, info.length, m)).toBe(0);
        expect(m.innerOffset).toBe(headroom);
        expect(m.innerLength).toBe(inner.length);
      }
    });
  }

  it('reusing one params object and one buffer for many packets (the forwarder loop)', () => {
    const p = new TunnelParams();
    p.src4 = 0x0a000001;
    p.dst4 = 0x0a000002;
    p.vni = 7;
    p.ethernet = true;
    p.dstMac.set([2, 0, 0, 0, 0, 9]);
    const m = new DecapMeta();
    const buf = new Uint8Array(2048);
    for (let i = 0; i < 50; i++) {
      const inner = innerEthernet({ ...flow, srcPort: 1000 + i });
      buf.set(inner, 256);
      p.ipId = i;
      const start = encapVxlan(buf, 256, inner.length, p);
      expect(start).toBe(256 - 50);
      // Outer IPv4 header checksum verifies.
      expect(internetChecksum(buf, start + 14, 20)).toBe(0);
      expect(decapFast(buf, start, 256 + inner.length - start, m)).toBe(0);
      expect([m.vni, m.innerOffset, m.innerLength, m.outerDst4]).toEqual([7, 256, inner.length, 0x0a000002]);
    }
  });

  it('IPv6 outer UDP checksum is computed and verifies (RFC 6935/6936: not zero)', () => {
    const pkt = encapsulate(
      { type: 'mpls-udp', labels: [100], src: '2001:db8::1', dst: '2001:db8::2' },
      innerIp(flow),
    );
    const udpLen = pkt.length - 40;
    expect((pkt[46]! << 8) | pkt[47]!).not.toBe(0);
    expect(~onesSum(pkt, 40, udpLen, ipv6PseudoSum(pkt, 8, 24, 17, udpLen)) & 0xffff).toBe(0);
  });

  it('refuses missing headroom and out-of-range values with typed errors', () => {
    const p = tunnelParams({ type: 'vxlan', vni: 1, src: '10.0.0.1', dst: '10.0.0.2' });
    const buf = new Uint8Array(100);
    expect(() => encapVxlan(buf, 10, 50, p)).toThrow(RangeFieldError);
    expect(() => encapVxlan(buf, 60, 50, p)).toThrow(/innerLength/);
    p.vni = 1 << 24;
    expect(() => encapVxlan(buf, 40, 50, p)).toThrow(/vxlan\.vni/);
    const q = new TunnelParams();
    expect(() => encapMplsUdp(buf, 40, 10, q)).toThrow(/labelCount/);
    expect(() =>
      tunnelParams({ type: 'mpls-udp', labels: [1 << 20], src: '10.0.0.1', dst: '10.0.0.2' }),
    ).toThrow(/mpls\.label/);
    expect(() =>
      tunnelParams({ type: 'mpls-gre', labels: [{ label: 1, tc: 8 }], src: '10.0.0.1', dst: '10.0.0.2' }),
    ).toThrow(/mpls\.tc/);
    expect(() =>
      tunnelParams({
        type: 'mpls-udp',
        labels: new Array(MAX_LABELS + 1).fill(20),
        src: '10.0.0.1',
        dst: '10.0.0.2',
      }),
    ).toThrow(/labelCount/);
    expect(() => tunnelParams({ type: 'vxlan', vni: 1, src: '10.0.0.1', dst: 'fd00::1' })).toThrow(
      /IP version/,
    );
    expect(() => tunnelParams({ type: 'vxlan', vni: 1, src: '10.0.0.300', dst: '10.0.0.1' })).toThrow(
      /address/,
    );
  });
});

describe('encapsulate / decapsulate round trip', () => {
  it('random specs and inner flows: every field comes back', () => {
    fc.assert(
      fc.property(arbTunnelSpec, arbInnerFlow, (spec, f) => {
        const inner = innerFor(spec, f);
        const pkt = encapsulate(spec, inner);
        const d = decapsulate(pkt, { ethernet: spec.ethernet !== undefined });
        expect(d.type).toBe(spec.type);
        expect(d.inner).toEqual(inner);
        expect(d.outer.ttl).toBe(spec.ttl ?? 64);
        const v6 = spec.src.includes(':');
        expect(d.outer.ipVersion).toBe(v6 ? 6 : 4);
        if (v6)
          expect([d.outer.src, d.outer.dst]).toEqual([canonicalIPv6(spec.src), canonicalIPv6(spec.dst)]);
        else {
          expect([d.outer.src, d.outer.dst]).toEqual([spec.src, spec.dst]);
          expect(
            internetChecksum(
              pkt,
              d.innerOffset -
                (spec.type === 'vxlan'
                  ? 16
                  : spec.type === 'mpls-udp'
                    ? 8 + 4 * spec.labels.length
                    : (spec.key === undefined ? 4 : 8) + 4 * spec.labels.length) -
                20,
              20,
            ),
          ).toBe(0);
        }
        if (spec.ethernet) {
          expect(d.outer.ethernet).toEqual({
            src: spec.ethernet.src,
            dst: spec.ethernet.dst,
            ...(spec.ethernet.vlan === undefined ? {} : { vlan: spec.ethernet.vlan }),
          });
        }
        if (spec.type === 'vxlan') {
          expect(d.vni).toBe(spec.vni);
          expect(d.innerType).toBe('ethernet');
        } else {
          const want = spec.labels.map((l) =>
            typeof l === 'number'
              ? { label: l, tc: 0, ttl: 64 }
              : { label: l.label, tc: l.tc ?? 0, ttl: l.ttl ?? 64 },
          );
          expect(d.labels).toEqual(want.map((w, i) => ({ ...w, bottomOfStack: i === want.length - 1 })));
          expect(d.innerType).toBe(f.ipVersion === 4 ? 'ipv4' : 'ipv6');
          if (spec.type === 'mpls-gre' && spec.key !== undefined) expect(d.greKey).toBe(spec.key);
        }
        if (spec.type !== 'mpls-gre') expect(d.outer.srcPort).toBeGreaterThanOrEqual(49152);
      }),
      { numRuns: 300 },
    );
  });

  it('the fast path reports the same tunnel kind and inner kind', () => {
    const m = new DecapMeta();
    const pkt = encapsulate(
      {
        type: 'mpls-gre',
        labels: [20, 21],
        src: '10.0.0.1',
        dst: '10.0.0.2',
        ethernet: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      },
      innerIp(flow),
    );
    expect(decapFast(pkt, 0, pkt.length, m)).toBe(0);
    expect([m.tunnel, m.innerKind, m.labelCount, m.labels[0], m.labels[1]]).toEqual([
      TunnelKind.mplsGre,
      InnerKind.ipv4,
      2,
      20,
      21,
    ]);
  });
});
