import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EthernetHeader,
  EtherType,
  ethernet,
  etherTypeName,
  RangeFieldError,
  TruncatedError,
} from '../src/index.js';
import { arbEthernet, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const table: [string, EthernetHeader, string][] = [
  [
    'IPv4 unicast',
    { dst: '0a:1b:2c:3d:4e:5f', src: '02:00:00:00:00:01', etherType: 0x0800 },
    '0a1b2c3d4e5f 020000000001 0800',
  ],
  [
    'ARP broadcast',
    { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', etherType: 0x0806 },
    'ffffffffffff 020000000001 0806',
  ],
  [
    'IPv6 multicast',
    { dst: '33:33:00:00:00:01', src: '02:00:00:00:00:02', etherType: 0x86dd },
    '333300000001 020000000002 86dd',
  ],
  [
    '802.3 length',
    { dst: '01:80:c2:00:00:00', src: '02:00:00:00:00:02', etherType: 0x0026 },
    '0180c2000000 020000000002 0026',
  ],
];

describe('Ethernet II', () => {
  it.each(table)('%s: encode and decode', (_n, value, bytes) => {
    expect(ethernet.encode(value)).toEqual(hex(bytes));
    expect(ethernet.decode(hex(bytes))).toEqual({ value, length: 14 });
    expect(ethernet.encodingLength(value)).toBe(14);
  });

  it('encodes at an offset into a given buffer and decodes from there', () => {
    const buf = new Uint8Array(20);
    ethernet.encode(table[0]![1], buf, 4);
    expect(ethernet.decode(buf, 4).value).toEqual(table[0]![1]);
  });

  it('round-trips random headers', () => {
    fc.assert(
      fc.property(arbEthernet, (h) => {
        const b = ethernet.encode(h);
        expect(ethernet.decode(b)).toEqual({ value: h, length: 14 });
      }),
      { numRuns: 200 },
    );
  });

  it('reports truncation with layer, field and offset', () => {
    const err = (() => {
      try {
        ethernet.decode(new Uint8Array(20), 8);
      } catch (e) {
        return e;
      }
    })() as TruncatedError;
    expect(err).toBeInstanceOf(TruncatedError);
    expect([err.layer, err.field, err.offset, err.needed, err.available]).toEqual([
      'ethernet',
      'header',
      8,
      14,
      12,
    ]);
    expect(() => ethernet.encode({ ...table[0]![1], etherType: 0x10000 })).toThrow(RangeFieldError);
    expect(() => ethernet.encode(table[0]![1], new Uint8Array(13))).toThrow(TruncatedError);
  });

  it('names EtherTypes', () => {
    expect(etherTypeName(EtherType.IPv6)).toBe('IPv6');
    expect(etherTypeName(0x88a8)).toBe('QinQ');
    expect(etherTypeName(0x1234)).toBe('0x1234');
    expect(etherTypeName(0x05dc)).toBe('802.3 length');
  });

  it('fuzz: random and mutated bytes give a value or a typed error', () => {
    fc.assert(
      decoderFuzzProperty<EthernetHeader>(
        { layers: ['ethernet'], decode: (b, o) => ethernet.decode(b, o), encode: (v) => ethernet.encode(v) },
        arbEthernet.map((h) => ethernet.encode(h)),
      ),
      { numRuns: 300 },
    );
  });

  it('the fuzz harness itself catches untyped errors and reads past the buffer', () => {
    const valid = arbEthernet.map((h) => ethernet.encode(h));
    const overread = {
      layers: ['ethernet'],
      // Reads one octet beyond the header without checking: differs when bytes follow the buffer.
      decode: (b: Uint8Array, o: number) => ({
        value: { ...ethernet.decode(b, o).value, extra: b[o + 14] ?? 0 },
        length: 14,
      }),
      encode: (v: EthernetHeader) => ethernet.encode(v),
    };
    const failure = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return `${String(e)} ${String((e as Error).cause)}`;
      }
      return 'passed';
    };
    expect(failure(() => fc.assert(decoderFuzzProperty(overread, valid), { numRuns: 100 }))).toMatch(
      /followed the buffer/,
    );
    const untyped = {
      layers: ['ethernet'],
      decode: (b: Uint8Array, o: number) => {
        if (b.length - o < 14) throw new RangeError('short');
        return ethernet.decode(b, o);
      },
      encode: (v: EthernetHeader) => ethernet.encode(v),
    };
    expect(failure(() => fc.assert(decoderFuzzProperty(untyped, valid), { numRuns: 100 }))).toMatch(
      /untyped error/,
    );
  });
});
