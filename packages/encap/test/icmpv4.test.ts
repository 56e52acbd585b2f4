import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ICMPv4Decoded,
  type ICMPv4Message,
  InvalidFieldError,
  icmpv4,
  internetChecksum,
  RangeFieldError,
} from '../src/index.js';
import { arbICMPv4, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ping = Uint8Array.from(Buffer.from('ping'));

// [name, value, bytes]. The bytes are what scapy 2.5 wrote, e.g. raw(ICMP(type=8, id=0x1234, seq=1)/Raw(b'ping')).
const table: [string, ICMPv4Message, string, number][] = [
  [
    'echo request',
    { kind: 'echo', type: 8, code: 0, identifier: 0x1234, sequence: 1, data: ping },
    '0800 06fa 1234 0001 70696e67',
    0x06fa,
  ],
  [
    'destination unreachable, fragmentation needed, next-hop MTU 1400',
    { kind: 'raw', type: 3, code: 4, rest: hex('00000578'), data: hex('45000014') },
    '0304 b26f 00000578 45000014',
    0xb26f,
  ],
  [
    'time exceeded, no data',
    { kind: 'raw', type: 11, code: 0, rest: hex('00000000'), data: new Uint8Array(0) },
    '0b00 f4ff 00000000',
    0xf4ff,
  ],
];

describe('ICMPv4 (RFC 792)', () => {
  it.each(table)('%s: encode and decode', (_n, value, bytes, checksum) => {
    const b = hex(bytes);
    expect(icmpv4.encode(value)).toEqual(b);
    expect(icmpv4.encodingLength(value)).toBe(b.length);
    expect(icmpv4.decode(b)).toEqual({
      value: { ...value, checksum, checksumValid: true },
      length: b.length,
    });
  });

  it('a given checksum is written and reported bad, not fixed; clearing it recomputes', () => {
    const v = { ...table[0]![1], checksum: 0x1234 };
    const b = icmpv4.encode(v);
    expect(b.subarray(2, 4)).toEqual(hex('1234'));
    const d = icmpv4.decode(b).value;
    expect(d).toMatchObject({ checksum: 0x1234, checksumValid: false });
    expect(icmpv4.encode(d)).toEqual(b);
    expect(icmpv4.encode({ ...d, checksum: undefined })).toEqual(hex(table[0]![2]));
  });

  it('length from the IP layer excludes trailing padding from data and checksum', () => {
    const b = new Uint8Array(30);
    b.set(hex(table[0]![2]));
    const d = icmpv4.decode(b, 0, { length: 12 });
    expect(d.length).toBe(12);
    expect(d.value).toMatchObject({ data: ping, checksumValid: true });
  });

  it('round-trips random messages; the checksum always verifies', () => {
    fc.assert(
      fc.property(arbICMPv4, (m) => {
        const b = icmpv4.encode(m);
        expect(internetChecksum(b)).toBe(0);
        const d = icmpv4.decode(b);
        expect(d.value).toEqual({ ...m, checksum: (b[2]! << 8) | b[3]!, checksumValid: true });
        expect(icmpv4.encode(d.value)).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });

  it('encode checks kind against type and bounds fields; decode checks lengths', () => {
    expect(() => icmpv4.encode({ ...(table[0]![1] as ICMPv4Message), type: 3 })).toThrow(InvalidFieldError);
    expect(() => icmpv4.encode({ kind: 'raw', type: 3, code: 0, rest: hex('00'), data: ping })).toThrow(
      InvalidFieldError,
    );
    expect(() =>
      icmpv4.encode({ kind: 'echo', type: 8, code: 0, identifier: 70000, sequence: 0, data: ping }),
    ).toThrow(RangeFieldError);
    expect(() => icmpv4.decode(hex('0800'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', layer: 'icmpv4', field: 'header' }),
    );
    expect(() => icmpv4.decode(hex(table[0]![2]), 0, { length: 7 })).toThrow(
      expect.objectContaining({ name: 'InvalidFieldError', field: 'length', offset: 0 }),
    );
    expect(() => icmpv4.decode(hex(table[0]![2]), 0, { length: 13 })).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'data' }),
    );
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<ICMPv4Decoded>(
        {
          layers: ['icmpv4'],
          decode: (b, o, end) => icmpv4.decode(b, o, { length: end - o }),
          encode: (v) => icmpv4.encode(v),
        },
        arbICMPv4.map((m) => icmpv4.encode(m)),
      ),
      { numRuns: 300 },
    );
  });
});
