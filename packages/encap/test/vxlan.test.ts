import { Parser } from 'binary-parser/dist/binary_parser.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeFieldError, udp, VXLAN_FLAG_I, type Vxlan, vxlan } from '../src/index.js';
import { udpValue, vxlanValue } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const table: [string, Vxlan, string][] = [
  [
    'RFC 7348 I flag, VNI 5000',
    { flags: VXLAN_FLAG_I, vni: 5000, reserved0: 0, reserved1: 0 },
    '08000000 00138800',
  ],
  [
    'max VNI, reserved bits kept',
    { flags: 0xff, vni: 0xffffff, reserved0: 0xabcdef, reserved1: 0x12 },
    'ffabcdef ffffff12',
  ],
];

describe('vxlan symmetry table', () => {
  for (const [name, value, bytes] of table) {
    it(`${name}: encode`, () => expect(toHex(vxlan.encode(value))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () => expect(vxlan.decode(hex(bytes))).toEqual({ value, length: 8 }));
  }
  it('flags default to I set', () => expect(toHex(vxlan.encode({ vni: 1 }))).toBe('0800000000000100'));
});

describe('vxlan round trips and errors', () => {
  it('decode(encode(v)) == v', () => {
    fc.assert(
      fc.property(vxlanValue, (v) => {
        const b = vxlan.encode(v);
        expect(vxlan.decode(b)).toEqual({ value: v, length: 8 });
        expect(toHex(vxlan.encode(vxlan.decode(b).value))).toBe(toHex(b));
      }),
      { numRuns: 200 },
    );
  });
  it('bounds the VNI on encode, truncation on decode', () => {
    expect(() => vxlan.encode({ vni: 0x1000000 })).toThrow(RangeFieldError);
    expect(() => vxlan.encode({ vni: -1 })).toThrow(RangeFieldError);
    expect(() => vxlan.decode(new Uint8Array(10), 3)).toThrow(
      expect.objectContaining({ name: 'TruncatedError', layer: 'vxlan', offset: 3 }),
    );
  });
  it('fuzz: random and mutated bytes give only typed errors', () => {
    fuzzDecoder(
      (b, o) => vxlan.decode(b, o),
      vxlanValue.map((v) => vxlan.encode(v)),
      'vxlan',
    );
  });
});

// The oracle use of binary-parser: an independent declarative description of UDP + VXLAN must read the same
// fields as the hand decoders from any 16 bytes.
const udpVxlanParser = new Parser()
  .endianness('big')
  .uint16('srcPort')
  .uint16('dstPort')
  .uint16('length')
  .uint16('checksum')
  .uint8('flags')
  .bit24('reserved0')
  .bit24('vni')
  .uint8('reserved1');

describe('binary-parser oracle agrees with the hand decoders', () => {
  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const o = udpVxlanParser.parse(b) as Record<string, number>;
        const v = vxlan.decode(b, 8).value;
        expect(v).toEqual({ flags: o.flags, reserved0: o.reserved0, vni: o.vni, reserved1: o.reserved1 });
        // the hand decoder also validates: a length below the header is an error binary-parser does not raise
        if (o.length! < 8) {
          expect(() => udp.decode(b, 0, { lax: true })).toThrow(
            expect.objectContaining({ field: 'length', value: o.length }),
          );
          return;
        }
        const u = udp.decode(b, 0, { lax: true }).value;
        expect({ srcPort: u.srcPort, dstPort: u.dstPort, length: u.length, checksum: u.checksum }).toEqual({
          srcPort: o.srcPort,
          dstPort: o.dstPort,
          length: o.length,
          checksum: o.checksum,
        });
      }),
      { numRuns: 500 },
    );
  });
  it('on encoded headers', () => {
    fc.assert(
      fc.property(udpValue, vxlanValue, (u, v) => {
        const b = new Uint8Array(16);
        udp.encode(u, b, 0);
        vxlan.encode(v, b, 8);
        const o = udpVxlanParser.parse(b) as Record<string, number>;
        expect(o).toMatchObject({
          srcPort: u.srcPort,
          dstPort: u.dstPort,
          length: u.length,
          checksum: u.checksum,
          ...v,
        });
      }),
      { numRuns: 200 },
    );
  });
});
