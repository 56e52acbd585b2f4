import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EncapError,
  extensionLength,
  InvalidFieldError,
  type IPv6Header,
  IpProtocol,
  ipProtocolName,
  ipv6,
  ipv6ChecksumDestination,
  ipv6Packet,
  ipv6UpperLayer,
  padIPv6Options,
  parseIPv6,
  RangeFieldError,
} from '../src/index.js';
import { arbIPv6, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** The header and chain followed by zeros up to the payload length, as a packet the strict decoder accepts. */
function packet(h: IPv6Header): Uint8Array {
  const b = new Uint8Array(40 + h.payloadLength);
  ipv6.encode(h, b, 0);
  return b;
}

const addr = (text: string): Uint8Array => parseIPv6(text);
const none = new Uint8Array(0);

// [name, value, packet bytes (header, chain and payload), upper-layer offset]. The bytes are what scapy 2.5
// wrote for the same packets, e.g. raw(IPv6(...)/IPv6ExtHdrRouting(type=0, addresses=['2001:db8::3'])/
// IPv6ExtHdrFragment(m=1, id=0xdeadbeef)/IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\0'*4)])).
const table: [string, IPv6Header, string, number][] = [
  [
    'fixed header only, no next header',
    {
      trafficClass: 0xb8,
      flowLabel: 0x12345,
      payloadLength: 0,
      hopLimit: 64,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      extensions: [],
      protocol: 59,
    },
    '6b812345 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002',
    40,
  ],
  [
    'hop-by-hop with Router Alert and PadN (MLD style)',
    {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 8,
      hopLimit: 1,
      src: 'fe80::1',
      dst: 'ff02::16',
      extensions: [
        {
          type: 0,
          options: [
            { type: 5, data: hex('0000') },
            { type: 1, data: none },
          ],
        },
      ],
      protocol: 59,
    },
    '60000000 0008 00 01 fe800000000000000000000000000001 ff020000000000000000000000000016 3b00 05020000 0100',
    48,
  ],
  [
    'routing type 0 + fragment (M) + destination options with PadN',
    {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 40,
      hopLimit: 64,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      extensions: [
        {
          type: 43,
          routingType: 0,
          segmentsLeft: 0,
          data: new Uint8Array([0, 0, 0, 0, ...addr('2001:db8::3')]),
        },
        { type: 44, fragmentOffset: 0, moreFragments: true, identification: 0xdeadbeef },
        { type: 60, options: [{ type: 1, data: hex('00000000') }] },
      ],
      protocol: 59,
    },
    '60000000 0028 2b 40 20010db8000000000000000000000001 20010db8000000000000000000000002' +
      '2c02 0000 00000000 20010db8000000000000000000000003' +
      '3c00 0001 deadbeef' +
      '3b00 0104 00000000',
    80,
  ],
  [
    'non-first fragment ends the chain (TCP after it is not parsed)',
    {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 12,
      hopLimit: 64,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      extensions: [{ type: 44, fragmentOffset: 100, moreFragments: false, identification: 7 }],
      protocol: 6,
    },
    '60000000 000c 2c 40 20010db8000000000000000000000001 20010db8000000000000000000000002 0600 0320 00000007 61626364',
    48,
  ],
];

describe('IPv6 header and extension chain (RFC 8200)', () => {
  it.each(table)('%s: encode and decode', (_n, value, bytes, upper) => {
    const b = hex(bytes);
    expect(ipv6.encode(value)).toEqual(b.subarray(0, upper));
    expect(ipv6.encodingLength(value)).toBe(upper);
    expect(ipv6.decode(b)).toEqual({ value, length: upper });
    expect(ipv6UpperLayer(b)).toEqual({ protocol: value.protocol, offset: upper });
  });

  it('padIPv6Options pads to the 8-octet boundary with Pad1 or PadN', () => {
    expect(padIPv6Options([])).toEqual([{ type: 1, data: new Uint8Array(4) }]);
    expect(padIPv6Options([{ type: 5, data: hex('0000') }])).toEqual([
      { type: 5, data: hex('0000') },
      { type: 1, data: none },
    ]);
    expect(padIPv6Options([{ type: 0x1e, data: hex('090909') }])).toEqual([
      { type: 0x1e, data: hex('090909') },
      { type: 0, data: none },
    ]);
    const six = [
      { type: 0x1e, data: hex('0102') },
      { type: 0x1e, data: none },
    ];
    expect(padIPv6Options(six)).toBe(six);
  });

  it('round-trips random chains (value level and byte level) and the fast walk agrees', () => {
    fc.assert(
      fc.property(arbIPv6, (h) => {
        const b = packet(h);
        const d = ipv6.decode(b);
        expect(d.value).toEqual(h);
        const len = 40 + h.extensions.reduce((n, e) => n + extensionLength(e), 0);
        expect(d.length).toBe(len);
        expect(ipv6.encode(d.value)).toEqual(b.subarray(0, len));
        expect(ipv6UpperLayer(b)).toEqual({ protocol: h.protocol, offset: len });
      }),
      { numRuns: 200 },
    );
  });

  it('decoded extension bytes are copies; with view they are views of the input, with equal values', () => {
    const bytesOf = (h: IPv6Header): Uint8Array[] =>
      h.extensions.flatMap((e) =>
        'options' in e ? e.options.map((o) => o.data) : 'data' in e ? [e.data] : [],
      );
    fc.assert(
      fc.property(arbIPv6, (h) => {
        const b = packet(h);
        const copied = ipv6.decode(b).value;
        const viewed = ipv6.decode(b, 0, { view: true }).value;
        expect(viewed).toEqual(copied);
        for (const x of bytesOf(copied)) expect(x.buffer).not.toBe(b.buffer);
        for (const x of bytesOf(viewed)) if (x.length > 0) expect(x.buffer).toBe(b.buffer);
      }),
      { numRuns: 100 },
    );
  });

  it('ipv6Packet sets the payload length', () => {
    const p = ipv6Packet(
      {
        trafficClass: 0,
        flowLabel: 0,
        hopLimit: 64,
        src: '::1',
        dst: '::1',
        extensions: [{ type: 60, options: padIPv6Options([]) }],
        protocol: 17,
      },
      hex('0102030405060708'),
    );
    expect(p.length).toBe(56);
    expect(ipv6.decode(p).value.payloadLength).toBe(16);
  });

  it('encode refuses what decode would read differently', () => {
    const base = table[0]![1];
    // an extension type as the upper-layer protocol would be walked into
    expect(() => ipv6.encode({ ...base, protocol: 60 })).toThrow(InvalidFieldError);
    // a non-first fragment followed by more headers
    expect(() =>
      ipv6.encode({
        ...base,
        payloadLength: 16,
        extensions: [
          { type: 44, fragmentOffset: 1, moreFragments: false, identification: 1 },
          { type: 60, options: padIPv6Options([]) },
        ],
      }),
    ).toThrow(InvalidFieldError);
    // options that do not fill the header, a payload length shorter than the chain
    expect(() => ipv6.encode({ ...base, payloadLength: 8, extensions: [{ type: 0, options: [] }] })).toThrow(
      InvalidFieldError,
    );
    expect(() =>
      ipv6.encode({ ...base, payloadLength: 0, extensions: [{ type: 60, options: padIPv6Options([]) }] }),
    ).toThrow(InvalidFieldError);
    expect(() => ipv6.encode({ ...base, flowLabel: 0x100000 })).toThrow(RangeFieldError);
    expect(() => ipv6.encode({ ...base, src: '2001:db8:::1' })).toThrow(InvalidFieldError);
  });

  describe('bad input names layer, field and offset', () => {
    const chain = hex(table[2]![2]);
    const edit = (b: Uint8Array, at: number, values: number[], len = b.length): Uint8Array => {
      const out = b.slice(0, len);
      out.set(values, at);
      return out;
    };
    const cases: [string, Uint8Array, string, string, number][] = [
      ['version 4', edit(chain, 0, [0x40]), 'InvalidFieldError', 'version', 0],
      ['header cut', chain.slice(0, 39), 'TruncatedError', 'header', 0],
      ['payload length beyond buffer', chain.slice(0, 70), 'TruncatedError', 'payloadLength', 4],
      // trailing octets after the packet (Ethernet padding) must not be taken as part of the chain
      [
        'routing length runs past the payload length',
        edit(Uint8Array.from([...chain, ...new Uint8Array(100)]), 41, [0x09]),
        'InvalidFieldError',
        'payloadLength',
        4,
      ],
      [
        'routing length runs past the buffer',
        edit(chain, 41, [0x09]),
        'TruncatedError',
        'extension.length',
        41,
      ],
      [
        'routing length runs past the buffer',
        edit(chain, 4, [0x01, 0x00], 100),
        'TruncatedError',
        'payloadLength',
        4,
      ],
      ['option runs past its header', edit(chain, 75, [0x05]), 'InvalidFieldError', 'option.length', 75],
    ];
    it.each(cases)('%s', (_n, b, cls, field, offset) => {
      try {
        ipv6.decode(b);
        expect.unreachable();
      } catch (e) {
        expect([
          (e as Error).name,
          (e as InvalidFieldError).layer,
          (e as InvalidFieldError).field,
          (e as InvalidFieldError).offset,
        ]).toEqual([cls, 'ipv6', field, offset]);
      }
    });
    it('allowTruncated accepts a capture cut after the chain', () => {
      const cut = hex(table[3]![2]).slice(0, 48);
      expect(() => ipv6.decode(cut)).toThrow(/payloadLength/);
      expect(ipv6.decode(cut, 0, { allowTruncated: true })).toEqual({ value: table[3]![1], length: 48 });
    });
  });

  it('a jumbogram (RFC 2675: payload length 0, hop-by-hop first) is bounded by the buffer', () => {
    const jumbo: IPv6Header = {
      trafficClass: 0,
      flowLabel: 0,
      payloadLength: 0,
      hopLimit: 64,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      extensions: [{ type: 0, options: [{ type: 0xc2, data: hex('00010048') }] }],
      protocol: 17,
    };
    const b = new Uint8Array(48 + 8);
    ipv6.encode(jumbo, b, 0);
    expect(ipv6.decode(b)).toEqual({ value: jumbo, length: 48 });
  });

  it('checksum destination: the final hop of a routing header with segments left', () => {
    const base = table[0]![1];
    const rh0 = new Uint8Array(36);
    parseIPv6('2001:db8::b', rh0, 4);
    parseIPv6('2001:db8::c', rh0, 20);
    const srh = new Uint8Array(36);
    parseIPv6('2001:db8::f', srh, 4);
    parseIPv6('2001:db8::a', srh, 20);
    const with43 = (routingType: number, segmentsLeft: number, data: Uint8Array) => ({
      ...base,
      extensions: [{ type: 43 as const, routingType, segmentsLeft, data }],
    });
    expect(ipv6ChecksumDestination(base)).toBe('2001:db8::2');
    expect(ipv6ChecksumDestination(with43(0, 2, rh0))).toBe('2001:db8::c');
    expect(ipv6ChecksumDestination(with43(0, 0, rh0))).toBe('2001:db8::2');
    expect(ipv6ChecksumDestination(with43(2, 1, rh0.subarray(0, 20)))).toBe('2001:db8::b');
    expect(ipv6ChecksumDestination(with43(4, 1, srh))).toBe('2001:db8::f');
    expect(ipv6ChecksumDestination(with43(253, 1, srh))).toBe('2001:db8::2');
  });

  it('names protocol numbers', () => {
    expect(ipProtocolName(IpProtocol.ICMPv6)).toBe('ICMPv6');
    expect(ipProtocolName(44)).toBe('Fragment');
    expect(ipProtocolName(253)).toBe('253');
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<IPv6Header>(
        { layers: ['ipv6'], decode: (b, o) => ipv6.decode(b, o), encode: packet },
        arbIPv6.map(packet),
      ),
      { numRuns: 300 },
    );
  });

  it('fuzz the fast walk: only typed errors, never past the buffer', () => {
    fc.assert(
      fc.property(
        arbIPv6.map(packet),
        fc.array(fc.record({ at: fc.nat(), v: fc.nat(255) }), { maxLength: 4 }),
        (b, edits) => {
          for (const e of edits) b[e.at % b.length] = e.v;
          try {
            const r = ipv6UpperLayer(b);
            expect(r.offset).toBeLessThanOrEqual(b.length);
          } catch (e) {
            expect(e).toBeInstanceOf(EncapError);
            expect((e as InvalidFieldError).layer).toBe('ipv6');
            expect((e as Error).name).toMatch(/TruncatedError|InvalidFieldError/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
