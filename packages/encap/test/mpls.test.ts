import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  guessMplsPayloadByNibble,
  InvalidFieldError,
  MplsLabel,
  type MplsStack,
  mpls,
  mplsPayloadGuess,
  RangeFieldError,
  TruncatedError,
} from '../src/index.js';
import { mplsEntry, mplsStack } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const table: [string, MplsStack, string][] = [
  [
    'one label (RFC 3032 example values)',
    { labels: [{ label: 16, tc: 0, bottom: true, ttl: 64 }] },
    '00010140',
  ],
  [
    'three labels, max label and TC',
    {
      labels: [
        { label: 0xfffff, tc: 7, bottom: false, ttl: 255 },
        { label: 3, tc: 5, bottom: false, ttl: 1 },
        { label: 299792, tc: 0, bottom: true, ttl: 0 },
      ],
    },
    'fffffeff 0000 3a01 49310100',
  ],
];

describe('mpls symmetry table', () => {
  for (const [name, value, bytes] of table) {
    it(`${name}: encode`, () => expect(toHex(mpls.encode(value))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () =>
      expect(mpls.decode(hex(bytes))).toEqual({ value, length: hex(bytes).length }));
  }
});

describe('mpls round trips', () => {
  it('decode(encode(v)) == v; S defaults to the last entry', () => {
    fc.assert(
      fc.property(mplsStack, (v) => {
        const b = mpls.encode(v);
        expect(mpls.decode(b)).toEqual({ value: v, length: 4 * v.labels.length });
        const noS = { labels: v.labels.map(({ bottom: _b, ...e }) => e) };
        expect(toHex(mpls.encode(noS))).toBe(toHex(b));
      }),
      { numRuns: 300 },
    );
  });

  it('decode stops at the bottom of stack and leaves the payload', () => {
    fc.assert(
      fc.property(mplsStack, fc.uint8Array({ maxLength: 20 }), (v, tail) => {
        const b = new Uint8Array(4 * v.labels.length + tail.length);
        mpls.encode(v, b, 0);
        b.set(tail, 4 * v.labels.length);
        expect(mpls.decode(b).length).toBe(4 * v.labels.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('mpls payload guess', () => {
  const stack = (label: number): MplsStack => ({ labels: [{ label, tc: 0, bottom: true, ttl: 1 }] });
  it('defaults to explicit null, then the first nibble', () => {
    expect(guessMplsPayloadByNibble(stack(100), Uint8Array.of(0x45), 0)).toBe('ipv4');
    expect(guessMplsPayloadByNibble(stack(100), Uint8Array.of(0x60), 0)).toBe('ipv6');
    expect(guessMplsPayloadByNibble(stack(100), Uint8Array.of(0x00), 0)).toBe('unknown');
    expect(guessMplsPayloadByNibble(stack(100), new Uint8Array(0), 0)).toBe('unknown');
    expect(guessMplsPayloadByNibble(stack(MplsLabel.ipv4ExplicitNull), Uint8Array.of(0x60), 0)).toBe('ipv4');
    expect(guessMplsPayloadByNibble(stack(MplsLabel.ipv6ExplicitNull), Uint8Array.of(0x45), 0)).toBe('ipv6');
  });
  it('a label map says Ethernet for EVPN labels (pseudowire without control word), else falls back', () => {
    // an Ethernet frame whose destination MAC starts with 0x4x would fool the nibble guess
    const frame = hex('4a0000000001 020000000002 0800');
    const g = mplsPayloadGuess(new Map([[5000, 'ethernet' as const]]));
    expect(g(stack(5000), frame, 0)).toBe('ethernet');
    expect(g(stack(5001), frame, 0)).toBe('ipv4');
    const custom = mplsPayloadGuess([[1, 'ipv6']], () => 'ethernet');
    expect(custom(stack(1), frame, 0)).toBe('ipv6');
    expect(custom(stack(2), frame, 0)).toBe('ethernet');
  });
});

describe('mpls errors', () => {
  it('a stack without S runs to a typed error; depth is bounded', () => {
    expect(() => mpls.decode(hex('00010040 00020040'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'label', offset: 8 }),
    );
    const deep = new Uint8Array(4 * 20).fill(0);
    deep[4 * 19 + 2] = 1;
    expect(() => mpls.decode(deep)).toThrow(InvalidFieldError);
    expect(mpls.decode(deep, 0, { maxDepth: 20 }).value.labels).toHaveLength(20);
    expect(() => mpls.decode(hex('000101'))).toThrow(TruncatedError);
  });
  it('encode bounds label, TC and TTL', () => {
    expect(() => mpls.encode({ labels: [{ label: 0x100000, tc: 0, ttl: 0 }] })).toThrow(RangeFieldError);
    expect(() => mpls.encode({ labels: [{ label: 0, tc: 8, ttl: 0 }] })).toThrow(RangeFieldError);
    expect(() => mpls.encode({ labels: [{ label: 0, tc: 0, ttl: 256 }] })).toThrow(RangeFieldError);
    expect(() => mpls.encode({ labels: [] })).toThrow(RangeFieldError);
  });
  it('fuzz: random and mutated bytes give only typed errors', () => {
    fuzzDecoder(
      (b, o) => mpls.decode(b, o),
      mplsStack.map((v) => mpls.encode(v)),
      'mpls',
    );
    fuzzDecoder(
      (b, o) => mpls.decode(b, o),
      fc
        .array(mplsEntry, { minLength: 1, maxLength: 30 })
        .map((l) => mpls.encode({ labels: l.map((e) => ({ ...e, bottom: false })) })),
      'mpls',
      100,
    );
  });
});
