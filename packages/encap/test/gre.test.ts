import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Gre,
  GreProtocol,
  gre,
  InvalidFieldError,
  internetChecksum,
  RangeFieldError,
} from '../src/index.js';
import { greValue } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const table: [string, Gre, string][] = [
  [
    'plain IPv4 (RFC 2784 minimal)',
    { checksumPresent: false, reserved0: 0, version: 0, protocolType: GreProtocol.ipv4 },
    '0000 0800',
  ],
  [
    'key only, MPLS (RFC 4023)',
    { checksumPresent: false, reserved0: 0, version: 0, protocolType: GreProtocol.mpls, key: 0x00012345 },
    '2000 8847 00012345',
  ],
  [
    'checksum, key and sequence, reserved bits kept',
    {
      checksumPresent: true,
      checksum: 0x1111,
      reserved1: 0x2222,
      key: 7,
      sequence: 0xffffffff,
      reserved0: 0x41,
      version: 0,
      protocolType: GreProtocol.transparentEthernetBridging,
    },
    'b208 6558 1111 2222 00000007 ffffffff',
  ],
];

describe('gre symmetry table', () => {
  for (const [name, value, bytes] of table) {
    it(`${name}: encode`, () => expect(toHex(gre.encode(value))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () => {
      const d = gre.decode(hex(bytes));
      expect(d.length).toBe(hex(bytes).length);
      expect({ ...d.value, checksumValid: undefined }).toEqual({ ...value, checksumValid: undefined });
    });
  }
});

describe('gre round trips and checksum', () => {
  it('decode(encode(v)) == v and encode(decode(b)) == b', () => {
    fc.assert(
      fc.property(greValue, (v) => {
        const b = gre.encode(v);
        const d = gre.decode(b);
        expect({ ...d.value, checksumValid: undefined }).toEqual(v);
        expect(toHex(gre.encode(d.value))).toBe(toHex(b));
      }),
      { numRuns: 300 },
    );
  });

  it('computes the checksum over header and payload, verifies it, and reports a wrong one', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
        fc.uint8Array({ maxLength: 60 }),
        fc.nat(),
        (key, payload, flip) => {
          const v: Gre = { checksumPresent: true, protocolType: GreProtocol.ipv4 };
          if (key !== undefined) v.key = key;
          const pkt = gre.encode(v, undefined, 0, { payload });
          expect(internetChecksum(pkt)).toBe(0);
          expect(gre.decode(pkt).value.checksumValid).toBe(true);
          if (payload.length > 0) {
            const bad = pkt.slice();
            const at = pkt.length - payload.length + (flip % payload.length);
            bad[at] = bad[at]! ^ 0x80;
            expect(gre.decode(bad).value.checksumValid).toBe(false);
          }
          const wrong = gre.encode({ ...v, checksum: 0xdead }, undefined, 0, { payload });
          expect(gre.decode(wrong).value).toMatchObject({ checksum: 0xdead, checksumValid: false });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('packetLength bounds the checksummed bytes; without C nothing is checked', () => {
    const pkt = gre.encode({ checksumPresent: true, protocolType: 0x0800 }, undefined, 0, {
      payload: Uint8Array.of(1, 2, 3),
    });
    const padded = new Uint8Array(pkt.length + 4).fill(9);
    padded.set(pkt);
    expect(gre.decode(padded, 0, { packetLength: pkt.length }).value.checksumValid).toBe(true);
    expect(gre.decode(hex('0000 0800')).value.checksumValid).toBeUndefined();
  });
});

describe('gre errors', () => {
  it('rejects RFC 1701 routing bits and other versions, truncation names the field', () => {
    expect(() => gre.decode(hex('4000 0800'))).toThrow(
      expect.objectContaining({ layer: 'gre', field: 'flags', offset: 0 }),
    );
    expect(() => gre.decode(hex('ff 0001 0800'), 1)).toThrow(
      expect.objectContaining({ field: 'version', offset: 2, value: 1 }),
    );
    expect(() => gre.decode(hex('3000 0800 0000 0001'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'key' }),
    );
    expect(() => gre.decode(hex('8000 0800 0000'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'checksum' }),
    );
    expect(() => gre.decode(hex('8000 0800 0000 0000'), 0, { packetLength: 4 })).toThrow(InvalidFieldError);
  });

  it('encode checks ranges', () => {
    expect(() => gre.encode({ checksumPresent: false, protocolType: 0x10000 })).toThrow(RangeFieldError);
    expect(() => gre.encode({ checksumPresent: false, protocolType: 1, key: -1 })).toThrow(RangeFieldError);
    expect(() => gre.encode({ checksumPresent: false, protocolType: 1, reserved0: 0x80 })).toThrow(
      RangeFieldError,
    );
  });

  it('fuzz: random and mutated bytes give only typed errors', () => {
    fuzzDecoder(
      (b, o) => gre.decode(b, o),
      greValue.map((v) => gre.encode(v)),
      'gre',
    );
  });
});
