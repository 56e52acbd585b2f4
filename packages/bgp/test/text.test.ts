// Text forms: MAC, ESI (RFC 7432 5, types 0-5, gobgp CLI forms), and the IPv4/IPv6 address and prefix
// text the NLRI use (RFC 5952 canonical IPv6, checked against the ip-address package).
import fc from 'fast-check';
import { Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import {
  esiFields,
  esiFromFields,
  formatEsiTyped,
  normalizeEsi,
  normalizeMac,
  parseEsi,
  TextFormatError,
} from '../src/index.js';
import { formatIpv6, formatPrefix, parseIp, readPrefixText, writeIpv6 } from '../src/nlri/address.js';
import { arbEsi } from './support/arbitraries-nlri.js';

describe('MAC text', () => {
  it('accepts colon, dash and dotted forms; writes lower-case colon form', () => {
    expect(normalizeMac('02:AA:bb:00:01:ff')).toBe('02:aa:bb:00:01:ff');
    expect(normalizeMac('02-aa-bb-00-01-ff')).toBe('02:aa:bb:00:01:ff');
    expect(normalizeMac('02aa.bb00.01ff')).toBe('02:aa:bb:00:01:ff');
    for (const t of ['02:aa:bb:00:01', '02:aa:bb:00:01:fg', '02:aa-bb:00:01:ff', ''])
      expect(() => normalizeMac(t)).toThrow(TextFormatError);
  });
});

describe('ESI text (RFC 7432 5)', () => {
  const rows: [string, string, ReturnType<typeof esiFields>][] = [
    ['0', '00:00:00:00:00:00:00:00:00:00', { type: 0, value: '00:00:00:00:00:00:00:00:00' }],
    [
      'ARBITRARY 11:22:33:44:55:66:77:88:99',
      '00:11:22:33:44:55:66:77:88:99',
      { type: 0, value: '11:22:33:44:55:66:77:88:99' },
    ],
    [
      'LACP aa:bb:cc:dd:ee:ff 10',
      '01:aa:bb:cc:dd:ee:ff:00:0a:00',
      { type: 1, mac: 'aa:bb:cc:dd:ee:ff', portKey: 10 },
    ],
    [
      'MSTP 02:00:00:00:00:01 32768',
      '02:02:00:00:00:00:01:80:00:00',
      { type: 2, mac: '02:00:00:00:00:01', priority: 32768 },
    ],
    [
      'MAC 02:00:00:00:00:aa 7',
      '03:02:00:00:00:00:aa:00:00:07',
      { type: 3, mac: '02:00:00:00:00:aa', discriminator: 7 },
    ],
    [
      'ROUTERID 10.0.0.1 7',
      '04:0a:00:00:01:00:00:00:07:00',
      { type: 4, routerId: '10.0.0.1', discriminator: 7 },
    ],
    ['AS 65000 100', '05:00:00:fd:e8:00:00:00:64:00', { type: 5, asn: 65000, discriminator: 100 }],
  ];
  for (const [typed, canonical, fields] of rows) {
    it(typed, () => {
      expect(normalizeEsi(typed)).toBe(canonical);
      expect(esiFields(canonical)).toEqual(fields);
      expect(esiFromFields(fields)).toBe(canonical);
      expect(formatEsiTyped(canonical)).toBe(typed);
      expect(normalizeEsi(canonical.toUpperCase().replace(/:/g, '-'))).toBe(canonical);
    });
  }
  it('RID is accepted for ROUTERID; unknown types keep their value', () => {
    expect(normalizeEsi('RID 10.0.0.1 7')).toBe('04:0a:00:00:01:00:00:00:07:00');
    expect(esiFields('ff:01:02:03:04:05:06:07:08:09')).toEqual({
      type: 'other',
      code: 255,
      value: '01:02:03:04:05:06:07:08:09',
    });
    expect(formatEsiTyped('ff:01:02:03:04:05:06:07:08:09')).toBe('ff:01:02:03:04:05:06:07:08:09');
  });
  it('round trips every ESI and rejects bad text', () => {
    fc.assert(
      fc.property(arbEsi, (esi) => {
        expect(esiFromFields(esiFields(esi))).toBe(esi);
        expect(normalizeEsi(formatEsiTyped(esi))).toBe(esi);
      }),
      { numRuns: 300 },
    );
    for (const t of [
      'LACP aa:bb:cc:dd:ee:ff',
      'LACP aa:bb:cc:dd:ee:ff 65536',
      'FOO 1 2',
      '00:11',
      'AS x 1',
    ]) {
      expect(() => parseEsi(t), t).toThrow(TextFormatError);
    }
  });
});

describe('IPv6 text (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:DB8::A', '2001:db8::a'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::ffff:0a00:0001', '::ffff:10.0.0.1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ];
  for (const [input, canonical] of cases) {
    it(`${input} -> ${canonical}`, () => {
      const b = new Uint8Array(16);
      expect(writeIpv6(input, b, 0)).toBe(true);
      expect(formatIpv6(b, 0, 16)).toBe(canonical);
    });
  }
  it('agrees with ip-address on random addresses (canonical text and parsing)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
          minLength: 8,
          maxLength: 8,
        }),
        (words) => {
          const b = new Uint8Array(16);
          words.forEach((w, i) => {
            b[2 * i] = w >> 8;
            b[2 * i + 1] = w & 0xff;
          });
          const text = formatIpv6(b, 0, 16);
          const full = words.map((w) => w.toString(16).padStart(4, '0')).join(':');
          expect(new Address6(text).canonicalForm()).toBe(full);
          if (!text.includes('.')) expect(text).toBe(new Address6(full).correctForm());
          expect(parseIp(text)).toEqual(b);
          expect(parseIp(full)).toEqual(b);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('rejects what is not an address', () => {
    for (const t of [
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1:2',
      '1:2:3:4:5:6:7',
      '12345::',
      'g::',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
    ]) {
      expect(() => parseIp(t), t).toThrow(TextFormatError);
    }
  });
  it('prefix text', () => {
    expect(formatPrefix(true, Uint8Array.of(0x20, 0x01, 0x0d, 0xb8), 0, 32)).toBe('2001:db8::/32');
    expect(formatPrefix(false, Uint8Array.of(10, 1), 0, 16)).toBe('10.1.0.0/16');
    expect(readPrefixText('10.0.0.0/33', false)).toBe(-1);
    expect(readPrefixText('2001:db8::/129', true)).toBe(-1);
    expect(readPrefixText('2001:db8::/64', true)).toBe(64);
  });
});
