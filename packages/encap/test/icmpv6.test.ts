import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ICMPv6Decoded,
  type ICMPv6Message,
  InvalidFieldError,
  icmpv6,
  icmpv6PseudoSum,
  onesSum,
  parseIPv6,
  RangeFieldError,
} from '../src/index.js';
import {
  arbICMPv6,
  arbIPv6Address,
  checkDecoderOn,
  decoderFuzzProperty,
} from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ping = Uint8Array.from(Buffer.from('ping'));

// [name, pseudo-header addresses, value, bytes, checksum]. The bytes are what scapy 2.5 wrote for the same
// messages inside IPv6 between those addresses, e.g. raw(IPv6(src=..., dst=...)/ICMPv6ND_NS(tgt=...)/
// ICMPv6NDOptSrcLLAddr(lladdr=...))[40:].
const table: [string, { src: string; dst: string }, ICMPv6Message, string, number][] = [
  [
    'echo request',
    { src: '2001:db8::1', dst: '2001:db8::2' },
    { kind: 'echo', type: 128, code: 0, identifier: 0x1234, sequence: 1, data: ping },
    '8000 333e 1234 0001 70696e67',
    0x333e,
  ],
  [
    'neighbor solicitation with source link-layer address',
    { src: 'fe80::200:ff:fe00:1', dst: 'ff02::1:ff00:2' },
    {
      kind: 'neighborSolicitation',
      type: 135,
      code: 0,
      target: 'fe80::200:ff:fe00:2',
      options: [{ type: 1, linkLayerAddress: '02:00:00:00:00:01' }],
    },
    '8700 7897 00000000 fe80000000000000020000fffe000002 0101 020000000001',
    0x7897,
  ],
  [
    'neighbor advertisement R S with target link-layer address',
    { src: 'fe80::200:ff:fe00:2', dst: 'fe80::200:ff:fe00:1' },
    {
      kind: 'neighborAdvertisement',
      type: 136,
      code: 0,
      router: true,
      solicited: true,
      override: false,
      target: 'fe80::200:ff:fe00:2',
      options: [{ type: 2, linkLayerAddress: '0a:1b:2c:3d:4e:5f' }],
    },
    '8800 3264 c0000000 fe80000000000000020000fffe000002 0201 0a1b2c3d4e5f',
    0x3264,
  ],
  [
    'router advertisement M with MTU option (kept raw)',
    { src: 'fe80::1', dst: 'ff02::1' },
    {
      kind: 'routerAdvertisement',
      type: 134,
      code: 0,
      curHopLimit: 64,
      managed: true,
      other: false,
      extraFlags: 0x08, // scapy's default RFC 4191 preference, high (01)
      routerLifetime: 1800,
      reachableTime: 30000,
      retransTimer: 1000,
      options: [{ type: 5, data: hex('0000000005dc') }],
    },
    '8600 b0a1 40 88 0708 00007530 000003e8 0501 0000000005dc',
    0xb0a1,
  ],
  [
    'router solicitation with source link-layer address',
    { src: 'fe80::1', dst: 'ff02::2' },
    {
      kind: 'routerSolicitation',
      type: 133,
      code: 0,
      options: [{ type: 1, linkLayerAddress: '02:00:00:00:00:01' }],
    },
    '8500 7a2c 00000000 0101 020000000001',
    0x7a2c,
  ],
  [
    'packet too big (kept raw)',
    { src: '2001:db8::1', dst: '2001:db8::2' },
    { kind: 'raw', type: 2, code: 0, body: hex('00000500 60000000') },
    '0200 3d44 00000500 60000000',
    0x3d44,
  ],
];

describe('ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861)', () => {
  it.each(table)('%s: encode and decode', (_n, ph, value, bytes, checksum) => {
    const b = hex(bytes);
    expect(icmpv6.encode(value, undefined, 0, ph)).toEqual(b);
    expect(icmpv6.encodingLength(value)).toBe(b.length);
    expect(icmpv6.decode(b, 0, { pseudoHeader: ph })).toEqual({
      value: { ...value, checksum, checksumValid: true },
      length: b.length,
    });
    // without the pseudo-header the checksum is read but not judged
    expect(icmpv6.decode(b).value).toEqual({ ...value, checksum });
  });

  it('the pseudo-header may be given as the sum of the addresses', () => {
    const [, ph, value, bytes] = table[1]!;
    const a = new Uint8Array(32);
    parseIPv6(ph.src, a, 0);
    parseIPv6(ph.dst, a, 16);
    const addressSum = onesSum(a, 0, 32);
    expect(icmpv6.encode(value, undefined, 0, { addressSum })).toEqual(hex(bytes));
    expect(icmpv6.decode(hex(bytes), 0, { pseudoHeader: { addressSum } }).value.checksumValid).toBe(true);
    expect(icmpv6PseudoSum({ addressSum }, 24)).toBe(icmpv6PseudoSum(ph, 24));
  });

  it('a wrong checksum is written and reported; wrong addresses fail verification', () => {
    const [, ph, value, bytes] = table[1]!;
    const b = icmpv6.encode({ ...value, checksum: 0x1234 }, undefined, 0, ph);
    const d = icmpv6.decode(b, 0, { pseudoHeader: ph }).value;
    expect(d).toMatchObject({ checksum: 0x1234, checksumValid: false });
    expect(icmpv6.encode(d)).toEqual(b); // an explicit checksum needs no pseudo-header
    expect(
      icmpv6.decode(hex(bytes), 0, { pseudoHeader: { ...ph, dst: 'ff02::1' } }).value.checksumValid,
    ).toBe(false);
  });

  it('non-zero reserved bits are kept so that bytes and checksum survive a round trip', () => {
    const ph = table[1]![1];
    const b = hex(table[1]![3]);
    b[7] = 0x01; // NS reserved
    const d = icmpv6.decode(b, 0, { pseudoHeader: ph }).value;
    expect(d).toMatchObject({ kind: 'neighborSolicitation', reserved: 1, checksumValid: false });
    expect(icmpv6.encode(d)).toEqual(b);
    const na = hex(table[2]![3]);
    na[4] = 0xdf; // R S O and a reserved bit
    expect(icmpv6.decode(na).value).toMatchObject({
      router: true,
      solicited: true,
      override: false,
      reserved: 0x1f000000,
    });
  });

  it('computing a checksum without the pseudo-header is refused', () => {
    expect(() => icmpv6.encode(table[0]![2])).toThrow(InvalidFieldError);
  });

  it('round-trips random messages; the checksum always verifies', () => {
    fc.assert(
      fc.property(arbICMPv6, arbIPv6Address, arbIPv6Address, (m, src, dst) => {
        const b = icmpv6.encode(m, undefined, 0, { src, dst });
        const d = icmpv6.decode(b, 0, { pseudoHeader: { src, dst } });
        expect(d.value).toEqual({ ...m, checksum: (b[2]! << 8) | b[3]!, checksumValid: true });
        expect(icmpv6.encode(d.value)).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });

  it('encode checks kind against type, option sizes and ranges', () => {
    const ph = { src: '::1', dst: '::1' };
    expect(() =>
      icmpv6.encode(
        { kind: 'echo', type: 135, code: 0, identifier: 1, sequence: 1, data: ping },
        undefined,
        0,
        ph,
      ),
    ).toThrow(InvalidFieldError);
    expect(() =>
      icmpv6.encode(
        { kind: 'routerSolicitation', type: 133, code: 0, options: [{ type: 3, data: hex('0102') }] },
        undefined,
        0,
        ph,
      ),
    ).toThrow(InvalidFieldError);
    expect(() =>
      icmpv6.encode(
        { kind: 'neighborSolicitation', type: 135, code: 0, target: 'fe80::zz', options: [] },
        undefined,
        0,
        ph,
      ),
    ).toThrow(InvalidFieldError);
    expect(() =>
      icmpv6.encode(
        { kind: 'echo', type: 128, code: 256, identifier: 1, sequence: 1, data: ping },
        undefined,
        0,
        ph,
      ),
    ).toThrow(RangeFieldError);
  });

  describe('bad input names layer, field and offset', () => {
    const ns = hex(table[1]![3]);
    const edit = (b: Uint8Array, at: number, values: number[], len = b.length): Uint8Array => {
      const out = b.slice(0, len);
      out.set(values, at);
      return out;
    };
    const cases: [string, Uint8Array, string, string, number][] = [
      [
        'option length 0 (RFC 4861 4.6: discard)',
        edit(ns, 25, [0]),
        'InvalidFieldError',
        'option.length',
        25,
      ],
      ['option runs past the message', edit(ns, 25, [2]), 'TruncatedError', 'option.length', 25],
      ['option header cut', ns.slice(0, 25), 'TruncatedError', 'option', 24],
      ['NS without its target', ns.slice(0, 20), 'TruncatedError', 'target', 4],
      ['header cut', ns.slice(0, 3), 'TruncatedError', 'header', 0],
    ];
    it.each(cases)('%s', (_n, b, cls, field, offset) => {
      try {
        icmpv6.decode(b);
        expect.unreachable();
      } catch (e) {
        expect([
          (e as Error).name,
          (e as InvalidFieldError).layer,
          (e as InvalidFieldError).field,
          (e as InvalidFieldError).offset,
        ]).toEqual([cls, 'icmpv6', field, offset]);
      }
    });
  });

  it('regression: inputs that once broke the decoder contract', () => {
    const ph = { src: 'fe80::1', dst: 'ff02::1' };
    const target = {
      layers: ['icmpv6'],
      decode: (b: Uint8Array, o: number, end: number) =>
        icmpv6.decode(b, o, { length: end - o, pseudoHeader: ph }),
      encode: (v: ICMPv6Decoded) => icmpv6.encode(v, undefined, 0, ph),
    };
    // RS with a non-zero reserved word: re-encoding zeroed it, so the kept checksum stopped verifying
    for (const h of ['85007d3701000000']) checkDecoderOn(target, hex(h), new Uint8Array(0), Uint8Array.of(1));
  });

  it('fuzz', () => {
    const ph = { src: 'fe80::1', dst: 'ff02::1' };
    fc.assert(
      decoderFuzzProperty<ICMPv6Decoded>(
        {
          layers: ['icmpv6'],
          decode: (b, o, end) => icmpv6.decode(b, o, { length: end - o, pseudoHeader: ph }),
          encode: (v) => icmpv6.encode(v, undefined, 0, ph),
        },
        arbICMPv6.map((m) => icmpv6.encode(m, undefined, 0, ph)),
      ),
      { numRuns: 300 },
    );
  });
});
