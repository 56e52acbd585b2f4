import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidFieldError,
  isVlanTpid,
  qinqTags,
  RangeFieldError,
  type TaggedEthernetHeader,
  TruncatedError,
  taggedEthernet,
  type VlanTag,
  vlan,
} from '../src/index.js';
import { arbTaggedEthernet, arbVlanTag, decoderFuzzProperty } from './support/arbitraries-l2l3.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('802.1Q tag (TCI + EtherType)', () => {
  const table: [string, VlanTag, string][] = [
    ['VID 100 priority 0', { pcp: 0, dei: false, vid: 100, etherType: 0x0800 }, '0064 0800'],
    ['PCP 7, DEI, VID 4095', { pcp: 7, dei: true, vid: 4095, etherType: 0x86dd }, 'ffff 86dd'],
    ['priority tag (VID 0), PCP 5', { pcp: 5, dei: false, vid: 0, etherType: 0x0806 }, 'a000 0806'],
    ['PCP 3 VID 4000 then another tag', { pcp: 3, dei: false, vid: 4000, etherType: 0x8100 }, '6fa0 8100'],
  ];
  it.each(table)('%s: encode and decode', (_n, value, bytes) => {
    expect(vlan.encode(value)).toEqual(hex(bytes));
    expect(vlan.decode(hex(bytes))).toEqual({ value, length: 4 });
  });

  it('bounds PCP and VID on encode', () => {
    expect(() => vlan.encode({ pcp: 8, dei: false, vid: 1, etherType: 0x800 })).toThrow(RangeFieldError);
    expect(() => vlan.encode({ pcp: 0, dei: false, vid: 4096, etherType: 0x800 })).toThrow(RangeFieldError);
    expect(() => vlan.encode({ pcp: 0, dei: false, vid: -1, etherType: 0x800 })).toThrow(RangeFieldError);
    expect(() => vlan.encode({ pcp: 0, dei: false, vid: 1.5, etherType: 0x800 })).toThrow(RangeFieldError);
  });

  it('round-trips random tags', () => {
    fc.assert(
      fc.property(arbVlanTag, (t) => {
        expect(vlan.decode(vlan.encode(t)).value).toEqual(t);
      }),
      { numRuns: 200 },
    );
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<VlanTag>(
        { layers: ['vlan'], decode: (b, o) => vlan.decode(b, o), encode: (v) => vlan.encode(v) },
        arbVlanTag.map((t) => vlan.encode(t)),
      ),
      { numRuns: 200 },
    );
  });
});

describe('Ethernet with a tag stack (802.1Q, QinQ 802.1ad)', () => {
  const table: [string, TaggedEthernetHeader, string][] = [
    [
      'untagged',
      { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', tags: [], etherType: 0x0806 },
      'ffffffffffff 020000000001 0806',
    ],
    [
      'single 802.1Q tag',
      {
        dst: '02:00:00:00:00:02',
        src: '02:00:00:00:00:01',
        tags: [{ tpid: 0x8100, pcp: 6, dei: true, vid: 42 }],
        etherType: 0x0800,
      },
      '020000000002 020000000001 8100 d02a 0800',
    ],
    [
      'QinQ: S-TAG 100 outside C-TAG 4000',
      {
        dst: '02:00:00:00:00:02',
        src: '02:00:00:00:00:01',
        tags: qinqTags({ pcp: 5, dei: true, vid: 100 }, { pcp: 3, dei: false, vid: 4000 }),
        etherType: 0x86dd,
      },
      '020000000002 020000000001 88a8 b064 8100 6fa0 86dd',
    ],
  ];
  it.each(table)('%s: encode and decode', (_n, value, bytes) => {
    expect(taggedEthernet.encode(value)).toEqual(hex(bytes));
    expect(taggedEthernet.decode(hex(bytes))).toEqual({ value, length: hex(bytes).length });
    expect(taggedEthernet.encodingLength(value)).toBe(hex(bytes).length);
  });

  it('refuses a non-TPID tag and a TPID as final type (decode would disagree)', () => {
    const base = table[1]![1];
    expect(() => taggedEthernet.encode({ ...base, etherType: 0x8100 })).toThrow(InvalidFieldError);
    expect(() =>
      taggedEthernet.encode({ ...base, tags: [{ tpid: 0x0800, pcp: 0, dei: false, vid: 1 }] }),
    ).toThrow(InvalidFieldError);
    expect(() =>
      taggedEthernet.encode({ ...base, tags: [{ tpid: 0x8100, pcp: 0, dei: false, vid: 5000 }] }),
    ).toThrow(RangeFieldError);
  });

  it('a tag cut short is a TruncatedError at the tag', () => {
    const b = hex('020000000002 020000000001 88a8 b064 8100 6f');
    try {
      taggedEthernet.decode(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TruncatedError);
      expect((e as TruncatedError).layer).toBe('vlan');
      expect((e as TruncatedError).offset).toBe(18);
    }
  });

  it('round-trips random stacks', () => {
    fc.assert(
      fc.property(arbTaggedEthernet, (h) => {
        const b = taggedEthernet.encode(h);
        expect(b.length).toBe(14 + 4 * h.tags.length);
        expect(taggedEthernet.decode(b)).toEqual({ value: h, length: b.length });
        expect(isVlanTpid(h.etherType)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('fuzz', () => {
    fc.assert(
      decoderFuzzProperty<TaggedEthernetHeader>(
        {
          layers: ['ethernet', 'vlan'],
          decode: (b, o) => taggedEthernet.decode(b, o),
          encode: (v) => taggedEthernet.encode(v),
        },
        arbTaggedEthernet.map((h) => taggedEthernet.encode(h)),
      ),
      { numRuns: 300 },
    );
  });
});
