import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArpOperation,
  type ArpPacket,
  arp,
  arpEthernetIPv4,
  InvalidFieldError,
  TruncatedError,
} from '../src/index.js';
import { arbArp, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const table: [string, ArpPacket, string][] = [
  [
    'Ethernet/IPv4 request (RFC 826: target hardware unknown)',
    arpEthernetIPv4(ArpOperation.Request, '02:00:00:00:00:01', '10.1.2.3', '00:00:00:00:00:00', '10.1.2.254'),
    '0001 0800 06 04 0001 020000000001 0a010203 000000000000 0a0102fe',
  ],
  [
    'Ethernet/IPv4 reply',
    arpEthernetIPv4(ArpOperation.Reply, '0a:1b:2c:3d:4e:5f', '10.1.2.254', '02:00:00:00:00:01', '10.1.2.3'),
    '0001 0800 06 04 0002 0a1b2c3d4e5f 0a0102fe 020000000001 0a010203',
  ],
  [
    'gratuitous ARP (sender = target protocol address)',
    arpEthernetIPv4(ArpOperation.Request, '02:00:00:00:00:01', '192.0.2.7', 'ff:ff:ff:ff:ff:ff', '192.0.2.7'),
    '0001 0800 06 04 0001 020000000001 c0000207 ffffffffffff c0000207',
  ],
  [
    'generic: 2-octet hardware, 3-octet protocol addresses',
    {
      hardwareType: 0x1234,
      protocolType: 0x9999,
      hardwareLength: 2,
      protocolLength: 3,
      operation: 9,
      senderHardware: 'aa:bb',
      senderProtocol: '01:02:03',
      targetHardware: 'cc:dd',
      targetProtocol: '04:05:06',
    },
    '1234 9999 02 03 0009 aabb 010203 ccdd 040506',
  ],
];

describe('ARP (RFC 826)', () => {
  it.each(table)('%s: encode and decode', (_n, value, bytes) => {
    expect(arp.encode(value)).toEqual(hex(bytes));
    expect(arp.decode(hex(bytes))).toEqual({ value, length: hex(bytes).length });
    expect(arp.encodingLength(value)).toBe(hex(bytes).length);
  });

  it('ignores Ethernet padding after the packet (length stays 28)', () => {
    const b = new Uint8Array(46);
    b.set(hex(table[0]![2]));
    expect(arp.decode(b)).toEqual({ value: table[0]![1], length: 28 });
  });

  it('accepts MAC text with dashes', () => {
    const dashed = { ...table[0]![1], senderHardware: '02-00-00-00-00-01' };
    expect(arp.encode(dashed)).toEqual(hex(table[0]![2]));
  });

  it('refuses addresses that do not match the declared lengths', () => {
    expect(() => arp.encode({ ...table[0]![1], senderHardware: '02:00:00:00:01' })).toThrow(
      InvalidFieldError,
    );
    expect(() => arp.encode({ ...table[3]![1], senderProtocol: '01:02' })).toThrow(InvalidFieldError);
    expect(() => arp.encode({ ...table[0]![1], targetProtocol: '10.0.0' })).toThrow(InvalidFieldError);
  });

  it('truncation names the field and offset', () => {
    const b = hex(table[0]![2]).subarray(0, 27);
    try {
      arp.decode(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TruncatedError);
      expect([
        (e as TruncatedError).layer,
        (e as TruncatedError).field,
        (e as TruncatedError).offset,
      ]).toEqual(['arp', 'addresses', 8]);
    }
  });

  it('round-trips random packets, Ethernet/IPv4 and generic', () => {
    fc.assert(
      fc.property(arbArp, (a) => {
        const b = arp.encode(a);
        expect(arp.decode(b)).toEqual({ value: a, length: b.length });
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<ArpPacket>(
        { layers: ['arp'], decode: (b, o) => arp.decode(b, o), encode: (v) => arp.encode(v) },
        arbArp.map((a) => arp.encode(a)),
      ),
      { numRuns: 300 },
    );
  });
});
