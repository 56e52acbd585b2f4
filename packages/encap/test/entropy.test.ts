// Entropy source ports (RFC 7510 section 3): one flow always maps to one port, every port is in
// 49152..65535, and different flows spread evenly (chi-square over 16 buckets with a fixed seed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENTROPY_PORT_MAX,
  ENTROPY_PORT_MIN,
  encapsulate,
  entropyPort,
  hashBytes,
  hashFinish,
  innerFlowHash,
} from '../src/index.js';
import { arbInnerFlow, innerEthernet, innerIp } from './support/tunnel-fixtures.js';

/** Deterministic pseudo-random flows (xorshift32), so the statistics are reproducible. */
function* flows(n: number, seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  for (let i = 0; i < n; i++) {
    const a = next();
    const b = next();
    yield {
      ipVersion: 4 as const,
      protocol: (next() & 1 ? 6 : 17) as 6 | 17,
      src: `10.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`,
      dst: `10.200.${(b >>> 8) & 255}.${b & 255}`,
      srcPort: next() & 0xffff,
      dstPort: 443,
      payload: new Uint8Array(0),
    };
  }
}

describe('entropy source port', () => {
  it('same flow -> same port whatever the payload; always in 49152..65535', () => {
    fc.assert(
      fc.property(arbInnerFlow, fc.uint8Array({ maxLength: 40 }), fc.integer(), (f, other, seed) => {
        const a = innerIp(f);
        const b = innerIp({ ...f, payload: other });
        const ha = innerFlowHash(a, 0, a.length, false, seed);
        expect(innerFlowHash(b, 0, b.length, false, seed)).toBe(ha);
        const p = entropyPort(ha);
        expect(p).toBeGreaterThanOrEqual(ENTROPY_PORT_MIN);
        expect(p).toBeLessThanOrEqual(ENTROPY_PORT_MAX);
        // Inside Ethernet (VXLAN) the same IP flow hashes the same way.
        const e = innerEthernet(f);
        expect(innerFlowHash(e, 0, e.length, true, seed)).toBe(ha);
      }),
      { numRuns: 300 },
    );
  });

  it('every 32-bit hash maps into the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (h) => {
        const p = entropyPort(h);
        expect(p >= 49152 && p <= 65535 && Number.isInteger(p)).toBe(true);
      }),
    );
  });

  it('10,000 flows spread over 16 buckets (chi-square, 15 degrees of freedom, below the 0.1% point)', () => {
    const buckets = new Array<number>(16).fill(0);
    const ports = new Set<number>();
    for (const f of flows(10_000, 12345)) {
      const pkt = encapsulate(
        { type: 'vxlan', vni: 1, src: '192.0.2.1', dst: '192.0.2.2', seed: 7 },
        innerEthernet(f),
      );
      const port = (pkt[20]! << 8) | pkt[21]!;
      ports.add(port);
      buckets[(port - ENTROPY_PORT_MIN) >> 10]!++;
    }
    const expected = 10_000 / 16;
    const chi2 = buckets.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 37.70 is the chi-square 99.9% quantile for 15 degrees of freedom.
    expect(chi2).toBeLessThan(37.7);
    // 10k flows over 16,384 ports: a uniform hash leaves about 16384*(1-e^-0.61) = 7,500 distinct ports.
    expect(ports.size).toBeGreaterThan(7000);
  });

  it('the seed changes the spread; non-IP frames hash their MAC addresses', () => {
    const f = [...flows(1, 99)][0]!;
    const e = innerEthernet(f);
    expect(innerFlowHash(e, 0, e.length, true, 1)).not.toBe(innerFlowHash(e, 0, e.length, true, 2));
    const arp = Uint8Array.from(
      Buffer.from('ffffffffffff0200000000010806000108000604000102000000000100000000', 'hex'),
    );
    const arp2 = arp.slice();
    arp2[11] = 2; // other source MAC
    expect(innerFlowHash(arp, 0, arp.length, true)).not.toBe(innerFlowHash(arp2, 0, arp2.length, true));
    const tail = arp.slice();
    tail[30] = 0x55; // ARP body does not count
    expect(innerFlowHash(tail, 0, tail.length, true)).toBe(innerFlowHash(arp, 0, arp.length, true));
  });

  it('fragments of a flow hash alike (ports only in the first fragment are left out)', () => {
    const f = [...flows(1, 5)][0]!;
    const first = innerIp(f);
    const later = first.slice();
    later[6] = 0x00;
    later[7] = 0x10; // fragment offset 16
    first[6] = 0x20; // MF
    expect(innerFlowHash(first, 0, first.length, false)).toBe(innerFlowHash(later, 0, later.length, false));
  });

  it('hashBytes handles any length and never reads past it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (b, n) => {
        const len = Math.min(n, b.length);
        const h = hashFinish(hashBytes(0, b, 0, len), len);
        const copy = new Uint8Array(len + 8).fill(0xff);
        copy.set(b.subarray(0, len));
        expect(hashFinish(hashBytes(0, copy, 0, len), len)).toBe(h);
      }),
    );
  });
});
