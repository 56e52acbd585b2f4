import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeIPv4Options,
  InvalidFieldError,
  type IPv4Decoded,
  type IPv4Header,
  internetChecksum,
  ipv4,
  ipv4Packet,
  parseIPv4Options,
  RangeFieldError,
} from '../src/index.js';
import { arbIPv4, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** The header followed by zeros up to its total length, as a packet the strict decoder accepts. */
function packet(h: IPv4Header): Uint8Array {
  const b = new Uint8Array(h.totalLength);
  ipv4.encode(h, b, 0);
  return b;
}

const base: IPv4Header = {
  dscp: 0,
  ecn: 0,
  totalLength: 115,
  identification: 0,
  dontFragment: true,
  moreFragments: false,
  fragmentOffset: 0,
  ttl: 64,
  protocol: 17,
  src: '192.168.0.1',
  dst: '192.168.0.199',
  options: new Uint8Array(0),
};

// [name, value given to encode, header bytes, decoded extras]. Checksums of rows 2 and 3 as scapy 2.5 computed
// them (`raw(IP(tos=0xbb, len=1500, id=0xbeef, flags='MF', frag=185, proto=1, ...))`).
const table: [string, IPv4Header, string, Partial<IPv4Decoded>][] = [
  // The widely used worked example of the header checksum (UDP, 192.168.0.1 -> 192.168.0.199): 0xb861.
  [
    'textbook checksum example',
    base,
    '4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7',
    { checksum: 0xb861, checksumValid: true, ihl: 5 },
  ],
  [
    'DSCP EF + ECN CE, MF fragment at offset 185 (1480 octets)',
    {
      ...base,
      dscp: 46,
      ecn: 3,
      totalLength: 1500,
      identification: 0xbeef,
      dontFragment: false,
      moreFragments: true,
      fragmentOffset: 185,
      protocol: 1,
    },
    '45bb 05dc beef 20b9 4001 12a5 c0a8 0001 c0a8 00c7',
    { checksumValid: true },
  ],
  [
    'Router Alert option (RFC 2113), IHL 6',
    { ...base, totalLength: 24, protocol: 2, ttl: 1, dontFragment: false, options: hex('94040000') },
    '4600 0018 0000 0000 0102 a2c7 c0a8 0001 c0a8 00c7 94040000',
    { ihl: 6, optionList: [{ type: 148, data: hex('0000') }] },
  ],
  [
    'wrong checksum given explicitly is written and reported, not fixed',
    { ...base, checksum: 0x1234 },
    '4500 0073 0000 4000 4011 1234 c0a8 0001 c0a8 00c7',
    { checksum: 0x1234, checksumValid: false },
  ],
];

describe('IPv4 header (RFC 791)', () => {
  it.each(table)('%s: encode and decode', (_n, value, bytes, extras) => {
    const h = hex(bytes);
    expect(ipv4.encode(value)).toEqual(h);
    const b = new Uint8Array(value.totalLength);
    b.set(h);
    const d = ipv4.decode(b);
    expect(d.length).toBe(h.length);
    expect(d.value).toMatchObject({ ...value, ...extras, version: 4 });
    // decode then encode reproduces the bytes, even a bad checksum
    expect(ipv4.encode(d.value)).toEqual(h);
  });

  it('checksum: computed checksum verifies (RFC 1071 over the header sums to zero)', () => {
    fc.assert(
      fc.property(
        arbIPv4,
        fc.constantFrom(4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19),
        fc.nat(7),
        (h, at, bit) => {
          const b = ipv4.encode(h);
          expect(internetChecksum(b)).toBe(0);
          const d = ipv4.decode(packet(h)).value;
          expect(d.checksumValid).toBe(true);
          // a flipped bit in identification, TTL, protocol, checksum or an address is detected
          const bad = packet(h);
          bad[at] = bad[at]! ^ (1 << bit);
          expect(ipv4.decode(bad).value.checksumValid).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('recomputes after an edit when checksum is cleared', () => {
    const d = ipv4.decode(packet(base)).value;
    const b = ipv4.encode({ ...d, ttl: 63, checksum: undefined });
    expect(ipv4.decode(packet({ ...d, ttl: 63, checksum: undefined })).value.checksumValid).toBe(true);
    expect(internetChecksum(b)).toBe(0);
  });

  it('option TLVs: NOP, Record Route, padding; list and raw agree', () => {
    const raw = encodeIPv4Options([
      { type: 1, data: new Uint8Array(0) },
      { type: 7, data: hex('040000000000000000') },
    ]);
    expect(raw).toEqual(hex('01 07 0b 04 0000000000000000'));
    expect(parseIPv4Options(raw)).toEqual([
      { type: 1, data: new Uint8Array(0) },
      { type: 7, data: hex('040000000000000000') },
    ]);
    // padded with End of Option List, which ends the list
    const padded = encodeIPv4Options([{ type: 148, data: hex('00') }]);
    expect(padded).toEqual(hex('94 03 00 00'));
    expect(parseIPv4Options(padded)).toEqual([
      { type: 148, data: hex('00') },
      { type: 0, data: new Uint8Array(0) },
    ]);
  });

  it('round-trips random headers (value level and byte level)', () => {
    fc.assert(
      fc.property(arbIPv4, (h) => {
        const b = packet(h);
        const d = ipv4.decode(b);
        expect(d.length).toBe(20 + h.options.length);
        expect({ ...d.value }).toMatchObject({ ...h });
        expect(ipv4.encode(d.value)).toEqual(b.subarray(0, d.length));
      }),
      { numRuns: 200 },
    );
  });

  it('decoded bytes are copies; with view they are views of the input, with equal values', () => {
    fc.assert(
      fc.property(arbIPv4, (h) => {
        const b = packet(h);
        const copied = ipv4.decode(b).value;
        const viewed = ipv4.decode(b, 0, { view: true }).value;
        expect(viewed).toEqual(copied);
        const all = [copied.options, ...copied.optionList.map((o) => o.data)];
        for (const bytes of all) expect(bytes.buffer).not.toBe(b.buffer);
        if (h.options.length > 0) {
          expect(viewed.options.buffer).toBe(b.buffer);
          for (const o of viewed.optionList) if (o.data.length > 0) expect(o.data.buffer).toBe(b.buffer);
        } else {
          expect(viewed.options.length).toBe(0);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('ipv4Packet sets total length from the payload', () => {
    const { totalLength: _t, ...h } = base;
    const p = ipv4Packet(h, hex('01020304'));
    expect(p.length).toBe(24);
    expect(ipv4.decode(p).value).toMatchObject({ totalLength: 24, checksumValid: true });
  });

  describe('bad input names layer, field and offset', () => {
    const good = packet(base);
    /** A copy of `b` (cut to `len` octets) with `at`..: `values` written. */
    const edit = (b: Uint8Array, at: number, values: number[], len = b.length): Uint8Array => {
      const out = b.slice(0, len);
      out.set(values, at);
      return out;
    };
    // IHL 6 with a NOP then a Timestamp option (68) whose length octet says 1
    const badOption = edit(
      packet({ ...base, totalLength: 24, options: hex('01010101') }),
      20,
      [0x01, 0x44, 0x01],
    );
    const cases: [string, Uint8Array, string, string, number][] = [
      ['version 6', edit(good, 0, [0x65]), 'InvalidFieldError', 'version', 0],
      ['IHL 4', edit(good, 0, [0x44]), 'InvalidFieldError', 'ihl', 0],
      ['total length below header', edit(good, 2, [0, 19]), 'InvalidFieldError', 'totalLength', 2],
      ['total length beyond buffer', good.slice(0, 100), 'TruncatedError', 'totalLength', 2],
      ['reserved flag', edit(good, 6, [0xc0]), 'InvalidFieldError', 'flags', 6],
      ['IHL beyond buffer', edit(good, 0, [0x4f], 40), 'TruncatedError', 'options', 0],
      ['option length 1', badOption, 'InvalidFieldError', 'option.length', 22],
      ['header cut', good.slice(0, 19), 'TruncatedError', 'header', 0],
    ];
    it.each(cases)('%s', (_name, b, cls, field, offset) => {
      expectError(b, cls, field, offset);
    });
    function expectError(b: Uint8Array, cls: string, field: string, offset: number): void {
      try {
        ipv4.decode(b);
        expect.unreachable();
      } catch (e) {
        expect((e as Error).name).toBe(cls);
        expect((e as InvalidFieldError).layer).toBe('ipv4');
        expect((e as InvalidFieldError).field).toBe(field);
        expect((e as InvalidFieldError).offset).toBe(offset);
      }
    }
    it('allowTruncated accepts a capture cut short', () => {
      expect(ipv4.decode(good.subarray(0, 40), 0, { allowTruncated: true }).value.totalLength).toBe(115);
    });
  });

  it('encode bounds fields and options', () => {
    expect(() => ipv4.encode({ ...base, dscp: 64 })).toThrow(RangeFieldError);
    expect(() => ipv4.encode({ ...base, fragmentOffset: 8192 })).toThrow(RangeFieldError);
    expect(() => ipv4.encode({ ...base, totalLength: 19 })).toThrow(RangeFieldError);
    expect(() => ipv4.encode({ ...base, options: hex('010101') })).toThrow(InvalidFieldError);
    expect(() => ipv4.encode({ ...base, options: hex('07010000') })).toThrow(InvalidFieldError);
    expect(() => ipv4.encode({ ...base, options: new Uint8Array(44) })).toThrow(InvalidFieldError);
    expect(() => ipv4.encode({ ...base, src: '1.2.3' })).toThrow(InvalidFieldError);
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<IPv4Decoded>(
        { layers: ['ipv4'], decode: (b, o) => ipv4.decode(b, o), encode: (v) => packet(v) },
        arbIPv4.map(packet),
      ),
      { numRuns: 300 },
    );
  });
});
