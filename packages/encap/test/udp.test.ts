import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidFieldError,
  internetChecksum,
  ipv4PseudoSum,
  pseudoHeaderSum,
  RangeFieldError,
  TruncatedError,
  type Udp,
  udp,
} from '../src/index.js';
import { port, pseudoHeader, udpValue } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const table: [string, Udp, string][] = [
  [
    'DNS reply header, no checksum',
    { srcPort: 53, dstPort: 1234, length: 8, checksum: 0 },
    '0035 04d2 0008 0000',
  ],
  [
    'VXLAN outer header',
    { srcPort: 49152, dstPort: 4789, length: 58, checksum: 0x1234 },
    'c000 12b5 003a 1234',
  ],
  ['all ones', { srcPort: 0xffff, dstPort: 0xffff, length: 0xffff, checksum: 0xffff }, 'ffff ffff ffff ffff'],
];

describe('udp symmetry table', () => {
  for (const [name, value, bytes] of table) {
    it(`${name}: encode`, () => expect(toHex(udp.encode(value))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () => {
      // the length field covers a payload, so give decode that many bytes
      const buf = new Uint8Array(value.length ?? 8);
      buf.set(hex(bytes));
      expect(udp.decode(buf)).toEqual({ value: { ...value, checksumValid: undefined }, length: 8 });
    });
  }
});

describe('udp round trips', () => {
  it('decode(encode(v)) == v and encode(decode(b)) == b', () => {
    fc.assert(
      fc.property(udpValue, (v) => {
        const buf = new Uint8Array(v.length ?? 8);
        udp.encode(v, buf, 0);
        const d = udp.decode(buf);
        expect(d.value).toEqual(v);
        expect(toHex(udp.encode(d.value, new Uint8Array(buf.length)))).toBe(toHex(buf));
      }),
      { numRuns: 200 },
    );
  });
});

describe('udp checksum', () => {
  it('is computed on encode and verified on decode for IPv4 and IPv6 pseudo-headers', () => {
    fc.assert(
      fc.property(
        pseudoHeader,
        port,
        port,
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        (pseudo, s, d, payload, flipAt) => {
          const pkt = udp.encode({ srcPort: s, dstPort: d }, undefined, 0, { pseudo, payload });
          expect(pkt.length).toBe(8 + payload.length);
          const dec = udp.decode(pkt, 0, { pseudo });
          expect(dec.value.length).toBe(pkt.length);
          expect(dec.value.checksum).not.toBe(0);
          expect(dec.value.checksumValid).toBe(true);
          // one changed byte is always caught by a one's-complement sum
          const bad = pkt.slice();
          const at = flipAt % bad.length;
          bad[at] = bad[at]! ^ 0x5a;
          if (at !== 6 && at !== 7 && at !== 4 && at !== 5)
            expect(udp.decode(bad, 0, { pseudo }).value.checksumValid).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a precomputed pseudo sum equals the text-address form', () => {
    const ip = hex('4500 0000 0000 0000 4011 0000 c0a8 0001 0a00 0002');
    const payload = Uint8Array.of(1, 2, 3);
    const a = udp.encode({ srcPort: 1, dstPort: 2 }, undefined, 0, {
      pseudo: { src: '192.168.0.1', dst: '10.0.0.2' },
      payload,
    });
    const b = udp.encode({ srcPort: 1, dstPort: 2 }, undefined, 0, {
      pseudo: { sum: ipv4PseudoSum(ip, 12, 16, 17, 11) },
      payload,
    });
    expect(toHex(a)).toBe(toHex(b));
    expect(pseudoHeaderSum({ src: '192.168.0.1', dst: '10.0.0.2' }, 17, 11)).toBe(
      ipv4PseudoSum(ip, 12, 16, 17, 11),
    );
  });

  it('a computed zero is sent as 0xffff (RFC 768) and verifies', () => {
    const pseudo = { src: '10.1.2.3', dst: '10.9.8.7' };
    const payload = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0);
    const first = udp.encode({ srcPort: 1000, dstPort: 2000 }, undefined, 0, { pseudo, payload });
    // putting the checksum into the last payload word makes the data sum 0xffff, so the checksum becomes 0
    const c = (first[6]! << 8) | first[7]!;
    payload[4] = c >>> 8;
    payload[5] = c & 0xff;
    const pkt = udp.encode({ srcPort: 1000, dstPort: 2000 }, undefined, 0, { pseudo, payload });
    expect(pkt[6]).toBe(0xff);
    expect(pkt[7]).toBe(0xff);
    expect(udp.decode(pkt, 0, { pseudo }).value.checksumValid).toBe(true);
  });

  it('zero means none on IPv4 and is invalid on IPv6; an explicit checksum is written, not fixed', () => {
    const pkt = udp.encode({ srcPort: 1, dstPort: 2, checksum: 0 }, undefined, 0, {
      payload: Uint8Array.of(9),
    });
    expect(
      udp.decode(pkt, 0, { pseudo: { src: '1.1.1.1', dst: '2.2.2.2' } }).value.checksumValid,
    ).toBeUndefined();
    expect(udp.decode(pkt, 0, { pseudo: { src: '::1', dst: '::2' } }).value.checksumValid).toBe(false);
    const wrong = udp.encode({ srcPort: 1, dstPort: 2, checksum: 0xbeef }, undefined, 0, {
      payload: Uint8Array.of(9),
      pseudo: { src: '::1', dst: '::2' },
    });
    expect(wrong[6]).toBe(0xbe);
    expect(udp.decode(wrong, 0, { pseudo: { src: '::1', dst: '::2' } }).value).toMatchObject({
      checksum: 0xbeef,
      checksumValid: false,
    });
    expect(udp.decode(wrong).value.checksumValid).toBeUndefined();
  });

  it('writes the header into headroom in front of a payload already in place', () => {
    const buf = new Uint8Array(14 + 8 + 5);
    buf.set([1, 2, 3, 4, 5], 22);
    const pseudo = { src: '2001:db8::1', dst: '2001:db8::2' };
    udp.encode({ srcPort: 7, dstPort: 4789 }, buf, 14, { pseudo });
    expect(udp.decode(buf, 14, { pseudo }).value).toMatchObject({ length: 13, checksumValid: true });
    expect(internetChecksum(buf, 14, 13, pseudoHeaderSum(pseudo, 17, 13))).toBe(0);
  });
});

describe('udp errors', () => {
  it('names layer, field and absolute offset', () => {
    const short = new Uint8Array(10);
    expect(() => udp.decode(short, 4)).toThrow(TruncatedError);
    expect(() => udp.decode(hex('aaaa 0001 0002 0007 0000'), 2)).toThrow(
      expect.objectContaining({
        name: 'InvalidFieldError',
        layer: 'udp',
        field: 'length',
        offset: 6,
        value: 7,
      }),
    );
  });

  it('a length past the buffer is truncated, unless lax', () => {
    const b = hex('0001 0002 0010 0000 aabb');
    expect(() => udp.decode(b)).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'payload', needed: 16, available: 10 }),
    );
    expect(udp.decode(b, 0, { lax: true, pseudo: { src: '1.1.1.1', dst: '1.1.1.2' } }).value).toMatchObject({
      length: 16,
      checksumValid: undefined,
    });
  });

  it('encode rejects out-of-range values', () => {
    expect(() => udp.encode({ srcPort: 65536, dstPort: 1 })).toThrow(RangeFieldError);
    expect(() => udp.encode({ srcPort: 1, dstPort: 1, checksum: -1 })).toThrow(RangeFieldError);
    expect(() =>
      udp.encode({ srcPort: 1, dstPort: 1, length: 30 }, undefined, 0, {
        pseudo: { src: '1.1.1.1', dst: '2.2.2.2' },
      }),
    ).toThrow(RangeFieldError);
    expect(() =>
      udp.encode({ srcPort: 1, dstPort: 1 }, undefined, 0, { pseudo: { src: '1.1.1', dst: '2.2.2.2' } }),
    ).toThrow(InvalidFieldError);
    expect(() =>
      udp.encode({ srcPort: 1, dstPort: 1 }, undefined, 0, { pseudo: { src: '1.1.1.1', dst: '::2' } }),
    ).toThrow(InvalidFieldError);
  });

  it('fuzz: random and mutated bytes give only typed errors', () => {
    const valid = udpValue.map((v) =>
      udp.encode({ ...v, length: 8 + ((v.length ?? 8) % 32) }, new Uint8Array(8 + ((v.length ?? 8) % 32))),
    );
    fuzzDecoder((b, o) => udp.decode(b, o, { pseudo: { src: '10.0.0.1', dst: '10.0.0.2' } }), valid, 'udp');
    fuzzDecoder(
      (b, o) => udp.decode(b, o, { lax: true, pseudo: { src: '::1', dst: '::2' } }),
      valid,
      'udp',
      100,
    );
  });
});
