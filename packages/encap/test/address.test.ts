import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import {
  canonicalIPv6,
  formatHexBytes,
  formatIPv4,
  formatIPv6,
  formatMac,
  InvalidFieldError,
  ipv4ToUint32,
  parseHexBytes,
  parseIPv4,
  parseIPv6,
  parseMac,
  uint32ToIPv4,
} from '../src/index.js';
import { arbIPv6Address } from './support/arbitraries-l2l3.js';

describe('MAC text', () => {
  const table: [string, string, number[]][] = [
    ['locally administered', '02:00:00:00:00:01', [2, 0, 0, 0, 0, 1]],
    ['broadcast', 'ff:ff:ff:ff:ff:ff', [255, 255, 255, 255, 255, 255]],
    ['mixed digits', '0a:1b:2c:3d:4e:5f', [0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]],
  ];
  it.each(table)('%s: both directions', (_n, text, bytes) => {
    expect([...parseMac(text)]).toEqual(bytes);
    expect(formatMac(Uint8Array.from(bytes))).toBe(text);
  });

  it('accepts upper case, dashes and single digits, writes at an offset without allocating', () => {
    const buf = new Uint8Array(10);
    expect(parseMac('0A-1B-2C-3D-4E-5F', buf, 3)).toBe(buf);
    expect(formatMac(buf, 3)).toBe('0a:1b:2c:3d:4e:5f');
    expect(formatMac(parseMac('2:0:0:0:0:1'))).toBe('02:00:00:00:00:01');
  });

  it.each([
    '',
    '02:00:00:00:00',
    '02:00:00:00:00:01:02',
    '02:00:00:00:00:0g',
    '020:00:00:00:00:01',
    '02::00:00:00:01',
  ])('rejects %j with InvalidFieldError', (text) => {
    expect(() => parseMac(text)).toThrow(InvalidFieldError);
  });

  it('round-trips any 6 octets; generic hex octets of any length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.uint8Array({ maxLength: 20 }),
        (mac, any) => {
          expect(parseMac(formatMac(mac))).toEqual(mac);
          const out = new Uint8Array(any.length);
          parseHexBytes('hw', formatHexBytes(any, 0, any.length), any.length, out, 0);
          expect(out).toEqual(any);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('IPv4 text', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.0.2.1', 0xc0000201],
    ['255.255.255.255', 0xffffffff],
  ])('%s <-> %d', (text, n) => {
    expect(ipv4ToUint32(text)).toBe(n);
    expect(uint32ToIPv4(n)).toBe(text);
    expect(formatIPv4(parseIPv4(text))).toBe(text);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..2.3'])(
    'rejects %j',
    (text) => {
      expect(() => parseIPv4(text)).toThrow(InvalidFieldError);
    },
  );

  it('agrees with ip-address on random addresses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        const text = formatIPv4(b);
        expect(new Address4(text).toArray()).toEqual([...b]);
        expect(parseIPv4(text)).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });
});

describe('IPv6 text (RFC 4291 input, RFC 5952 output)', () => {
  // RFC 5952 sections 4.1-4.3 and 5 examples, and RFC 4291 2.2 forms.
  const table: [string, string, string][] = [
    ['4.1 leading zeros suppressed', '2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['4.2.1 shorten as much as possible', '2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['4.2.2 a single 0 group is not shortened', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['4.2.3 the longest run is shortened', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['4.2.3 first of equal runs is shortened', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['4.3 lower case', '2001:DB8::ABCD', '2001:db8::abcd'],
    ['5 IPv4-mapped uses a dotted quad', '0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['unspecified', '0:0:0:0:0:0:0:0', '::'],
    ['loopback', '::1', '::1'],
    ['trailing run', '1:0:0:0:0:0:0:0', '1::'],
    ['RFC 4291 embedded dotted quad', '::13.1.68.3', '::d01:4403'],
    ['all groups', 'fe80:1:2:3:4:5:6:7', 'fe80:1:2:3:4:5:6:7'],
  ];
  it.each(table)('%s', (_n, input, canonical) => {
    expect(canonicalIPv6(input)).toBe(canonical);
    expect(formatIPv6(parseIPv6(canonical))).toBe(canonical);
  });

  it.each([
    '',
    ':',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    '1:2:3:4:5:6:7:8::',
    'g::1',
    ':1::',
    '1:',
    '::1.2.3.256',
    '1:2:3:4:5:6:7:1.2.3.4',
  ])('rejects %j', (text) => {
    expect(() => parseIPv6(text)).toThrow(InvalidFieldError);
  });

  it('agrees with ip-address on random addresses (format and parse)', () => {
    fc.assert(
      fc.property(arbIPv6Address, (text) => {
        const oracle = new Address6(text);
        const bytes = parseIPv6(text);
        expect(Buffer.from(bytes).toString('hex')).toBe(oracle.canonicalForm().replaceAll(':', ''));
        // ip-address prints IPv4-mapped addresses in hex; RFC 5952 section 5 prefers the dotted quad.
        const mapped =
          bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
        if (!mapped) expect(text).toBe(oracle.correctForm());
        else expect(text).toBe(`::ffff:${formatIPv4(bytes, 12)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('writes in place into a dirty buffer at an offset, touching only its 16 octets', () => {
    fc.assert(
      fc.property(arbIPv6Address, fc.nat(8), (text, at) => {
        const buf = new Uint8Array(32).fill(0xaa);
        expect(parseIPv6(text, buf, at)).toBe(buf);
        expect(formatIPv6(buf, at)).toBe(text);
        expect([...buf.subarray(0, at), ...buf.subarray(at + 16)].every((x) => x === 0xaa)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('parses the uncompressed form of any address back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const full = Array.from({ length: 8 }, (_, i) =>
          (((b[2 * i]! << 8) | b[2 * i + 1]!) >>> 0).toString(16).padStart(4, '0'),
        ).join(':');
        expect(parseIPv6(full)).toEqual(b);
        expect(parseIPv6(formatIPv6(b))).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });
});
