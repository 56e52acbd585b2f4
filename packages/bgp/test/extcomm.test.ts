// Extended communities (RFC 4360 and the types listed in src/attributes/extended-community.ts) and IPv6
// address-specific extended communities (RFC 5701): one table checks value, bytes and text in every
// direction; fast-check round trips; decoder fuzzing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeExtendedCommunities,
  decodeIpv6ExtendedCommunities,
  type ExtendedCommunity,
  encodeExtendedCommunities,
  encodeIpv6ExtendedCommunities,
  evpnLabel,
  formatExtendedCommunity,
  formatIpv6ExtendedCommunity,
  type Ipv6ExtendedCommunity,
  MalformedError,
  parseExtendedCommunity,
  parseIpv6ExtendedCommunity,
  TextFormatError,
  TruncatedError,
  tunnelTypeFromName,
  tunnelTypeName,
} from '../src/index.js';
import { arbExtendedCommunity, arbIpv6ExtendedCommunity } from './support/arbitraries-nlri.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const rows: { value: ExtendedCommunity; bytes: string; text: string }[] = [
  // RFC 4360 3.1 / 4: route target, 2-octet AS
  {
    value: { kind: 'route-target', form: 'as2', asn: 65000, local: 100 },
    bytes: '0002 fde8 00000064',
    text: 'target:65000:100',
  },
  // RFC 4360 3.2
  {
    value: { kind: 'route-target', form: 'ipv4', ip: '10.0.0.1', local: 5 },
    bytes: '0102 0a000001 0005',
    text: 'target:10.0.0.1:5',
  },
  // RFC 5668
  {
    value: { kind: 'route-target', form: 'as4', asn: 4200000000, local: 7 },
    bytes: '0202 fa56ea00 0007',
    text: 'target:4200000000:7',
  },
  {
    value: { kind: 'route-target', form: 'as4', asn: 65000, local: 7 },
    bytes: '0202 0000fde8 0007',
    text: 'target:65000L:7',
  },
  // RFC 4360 5: route origin (site of origin)
  {
    value: { kind: 'route-origin', form: 'as2', asn: 65000, local: 100 },
    bytes: '0003 fde8 00000064',
    text: 'origin:65000:100',
  },
  {
    value: { kind: 'route-origin', form: 'ipv4', ip: '192.0.2.1', local: 9 },
    bytes: '0103 c0000201 0009',
    text: 'origin:192.0.2.1:9',
  },
  // RFC 6514 5
  {
    value: { kind: 'source-as', form: 'as2', asn: 65000, local: 0 },
    bytes: '0009 fde8 00000000',
    text: 'source-as:65000:0',
  },
  {
    value: { kind: 'source-as', form: 'as4', asn: 4200000000, local: 0 },
    bytes: '0209 fa56ea00 0000',
    text: 'source-as:4200000000:0',
  },
  {
    value: { kind: 'vrf-route-import', ip: '10.0.0.1', local: 5 },
    bytes: '010b 0a000001 0005',
    text: 'rt-import:10.0.0.1:5',
  },
  // draft-ietf-idr-link-bandwidth: 10 Gbit/s = 1.25e9 bytes/s as IEEE float32 0x4e9502f9
  {
    value: { kind: 'link-bandwidth', transitive: false, asn: 65000, bandwidth: 1250000000 },
    bytes: '4004 fde8 4e9502f9',
    text: 'link-bandwidth:65000:1250000000',
  },
  // RFC 9012 4.1 / 4.3
  { value: { kind: 'encapsulation', tunnelType: 8 }, bytes: '030c 00000000 0008', text: 'encap:vxlan' },
  {
    value: { kind: 'encapsulation', tunnelType: 13 },
    bytes: '030c 00000000 000d',
    text: 'encap:mpls-in-udp',
  },
  { value: { kind: 'encapsulation', tunnelType: 999 }, bytes: '030c 00000000 03e7', text: 'encap:999' },
  { value: { kind: 'color', flags: 0, color: 100 }, bytes: '030b 0000 00000064', text: 'color:100' },
  // RFC 7432 7.8
  { value: { kind: 'default-gateway' }, bytes: '030d 000000000000', text: 'default-gateway' },
  // RFC 7432 7.7
  {
    value: { kind: 'mac-mobility', sticky: true, sequence: 5 },
    bytes: '0600 01 00 00000005',
    text: 'mac-mobility:5:sticky',
  },
  {
    value: { kind: 'mac-mobility', sticky: false, sequence: 0 },
    bytes: '0600 00 00 00000000',
    text: 'mac-mobility:0',
  },
  // RFC 7432 7.5 (label field as gobgp writes it: the raw 24 bits)
  {
    value: { kind: 'esi-label', singleActive: true, label: evpnLabel(2001) },
    bytes: '0601 01 0000 0007d1',
    text: 'esi-label:2001:single-active',
  },
  // RFC 7432 7.6
  {
    value: { kind: 'es-import', mac: 'aa:bb:cc:dd:ee:ff' },
    bytes: '0602 aabbccddeeff',
    text: 'es-import:aa:bb:cc:dd:ee:ff',
  },
  // RFC 9135 8.1
  {
    value: { kind: 'router-mac', mac: '02:00:00:00:00:01' },
    bytes: '0603 020000000001',
    text: 'router-mac:02:00:00:00:00:01',
  },
  // RFC 8317 5.1: leaf label 100 in the high 20 bits
  {
    value: { kind: 'e-tree', leaf: true, label: evpnLabel(100 << 4) },
    bytes: '0605 01 0000 000640',
    text: 'etree:leaf:1600',
  },
  // RFC 9251: IGMP proxy
  { value: { kind: 'multicast-flags', flags: 1 }, bytes: '0609 0001 00000000', text: 'mcast-flags:1' },
  // Tungsten Fabric (tf-controller src/bgp/extended-community/types.h, origin-vn/, security_group/)
  {
    value: { kind: 'tf-origin-vn', form: 'as2', asn: 64512, vnIndex: 5 },
    bytes: '8071 fc00 00000005',
    text: 'originvn:64512:5',
  },
  {
    value: { kind: 'tf-origin-vn', form: 'as4', asn: 4200000000, vnIndex: 5 },
    bytes: '8271 fa56ea00 0005',
    text: 'originvn:4200000000:5',
  },
  {
    value: { kind: 'tf-security-group', form: 'as2', asn: 64512, id: 8000001 },
    bytes: '8004 fc00 007a1201',
    text: 'secgroup:64512:8000001',
  },
  {
    value: { kind: 'tf-security-group', form: 'as4', asn: 70000, id: 9 },
    bytes: '8204 00011170 0009',
    text: 'secgroup:70000:9',
  },
  {
    value: { kind: 'tf-tag', form: 'as2', asn: 64512, tag: 0x00ff0001 },
    bytes: '8084 fc00 00ff0001',
    text: 'tag:64512:16711681',
  },
  {
    value: { kind: 'tf-tag', form: 'as4', asn: 64512, tag: 3 },
    bytes: '8284 0000fc00 0003',
    text: 'tag:64512L:3',
  },
  {
    value: { kind: 'tf-sub-cluster', form: 'as2', asn: 64512, id: 3 },
    bytes: '8085 fc00 00000003',
    text: 'subcluster:64512:3',
  },
  {
    value: {
      kind: 'tf-load-balance',
      l3SourceAddress: true,
      l3DestinationAddress: true,
      l4Protocol: true,
      l4SourcePort: true,
      l4DestinationPort: true,
      sourceBias: false,
    },
    bytes: '03aa f8 00 00 000000',
    text: 'load-balance:l3-source-address,l3-destination-address,l4-protocol,l4-source-port,l4-destination-port',
  },
  {
    value: {
      kind: 'tf-load-balance',
      l3SourceAddress: false,
      l3DestinationAddress: false,
      l4Protocol: false,
      l4SourcePort: false,
      l4DestinationPort: false,
      sourceBias: true,
    },
    bytes: '03aa 00 00 80 000000',
    text: 'load-balance:source-bias',
  },
  {
    value: { kind: 'tf-local-sequence-number', sequence: 7 },
    bytes: 'c000 00000007 0000',
    text: 'local-sequence-number:7',
  },
  // Unknown types, and known types whose reserved octets are not zero, stay raw.
  {
    value: { kind: 'raw', bytes: hex('0a0b0c0d0e0f1011') },
    bytes: '0a0b0c0d0e0f1011',
    text: 'raw:0a0b0c0d0e0f1011',
  },
  {
    value: { kind: 'raw', bytes: hex('030c000100000008') },
    bytes: '030c000100000008',
    text: 'raw:030c000100000008',
  },
  {
    value: { kind: 'raw', bytes: hex('0600020000000001') },
    bytes: '0600020000000001',
    text: 'raw:0600020000000001',
  },
];

describe('extended communities: symmetry table', () => {
  for (const r of rows) {
    it(r.text, () => {
      const b = hex(r.bytes);
      expect(decodeExtendedCommunities(b, 0, 8)).toEqual([r.value]);
      expect(toHex(encodeExtendedCommunities([r.value]))).toBe(toHex(b));
      expect(formatExtendedCommunity(r.value)).toBe(r.text);
      expect(parseExtendedCommunity(r.text)).toEqual(r.value);
    });
  }

  it('a whole attribute value decodes in order, inside a larger buffer', () => {
    const all = hex(rows.map((r) => r.bytes).join(''));
    const buf = new Uint8Array(all.length + 10);
    buf.set(all, 5);
    expect(decodeExtendedCommunities(buf, 5, all.length)).toEqual(rows.map((r) => r.value));
  });

  it('operator aliases', () => {
    expect(parseExtendedCommunity('rt:65000:100')).toEqual(rows[0]!.value);
    expect(parseExtendedCommunity('soo:65000:100')).toEqual(rows[4]!.value);
    expect(parseExtendedCommunity('encap:vxlan-gre')).toEqual({ kind: 'encapsulation', tunnelType: 12 });
    expect(parseExtendedCommunity('rtrmac:02-00-00-00-00-01')).toEqual(rows[19]!.value);
    expect(parseExtendedCommunity('local_sequence_number:7')).toEqual({
      kind: 'tf-local-sequence-number',
      sequence: 7,
    });
    expect(tunnelTypeName(9)).toBe('nvgre');
    expect(tunnelTypeFromName('MPLS')).toBe(10);
  });

  it('bad text is a TextFormatError', () => {
    for (const t of [
      'target:65536L',
      'target:x:1',
      'target:65000:4294967296',
      'target:4200000000:65536',
      'encap:warp',
      'nope:1',
      'raw:00',
      'mac-mobility:1:x',
      'router-mac:zz:00:00:00:00:00',
    ]) {
      expect(() => parseExtendedCommunity(t), t).toThrow(TextFormatError);
    }
  });

  it('lengths that are not a multiple of 8 are malformed (treat-as-withdraw); past the buffer, truncated', () => {
    const b = new Uint8Array(20);
    expect(() => decodeExtendedCommunities(b, 0, 12)).toThrow(MalformedError);
    try {
      decodeExtendedCommunities(b, 0, 12);
    } catch (e) {
      expect((e as MalformedError).action).toBe('treat-as-withdraw');
      expect((e as MalformedError).layer).toBe('attribute:EXTENDED_COMMUNITIES');
    }
    expect(() => decodeExtendedCommunities(b, 16, 8)).toThrow(TruncatedError);
  });
});

describe('extended communities: properties', () => {
  it('decode(encode(v)) = v, and text round-trips', () => {
    fc.assert(
      fc.property(fc.array(arbExtendedCommunity, { maxLength: 6 }), (list) => {
        const b = encodeExtendedCommunities(list);
        expect(decodeExtendedCommunities(b, 0, b.length)).toEqual(list);
        for (const c of list) expect(parseExtendedCommunity(formatExtendedCommunity(c))).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });

  it('any bytes: encode(decode(x)) = x, or a BgpError for a bad length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(90), fc.nat(8), (b, len, off) => {
        try {
          const v = decodeExtendedCommunities(b, off, len);
          expect(encodeExtendedCommunities(v)).toEqual(b.slice(off, off + len));
        } catch (e) {
          expect(e).toBeInstanceOf(BgpError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

const v6rows: { value: Ipv6ExtendedCommunity; bytes: string; text: string }[] = [
  {
    value: { kind: 'route-target', transitive: true, ip: '2001:db8::1', local: 100 },
    bytes: '0002 20010db8000000000000000000000001 0064',
    text: 'target:2001:db8::1:100',
  },
  {
    value: { kind: 'route-origin', transitive: false, ip: '2001:db8:1::', local: 7 },
    bytes: '4003 20010db8000100000000000000000000 0007',
    text: 'origin-nt:2001:db8:1:::7',
  },
  {
    value: { kind: 'vrf-route-import', transitive: true, ip: '::ffff:10.0.0.1', local: 2 },
    bytes: '000b 00000000000000000000ffff0a000001 0002',
    text: 'rt-import:::ffff:10.0.0.1:2',
  },
  {
    value: { kind: 'raw', bytes: hex('0005 20010db8000000000000000000000001 0064') },
    bytes: '0005 20010db8000000000000000000000001 0064',
    text: 'raw:000520010db80000000000000000000000010064',
  },
];

describe('IPv6 address-specific extended communities (RFC 5701)', () => {
  for (const r of v6rows) {
    it(r.text, () => {
      const b = hex(r.bytes);
      expect(decodeIpv6ExtendedCommunities(b, 0, 20)).toEqual([r.value]);
      expect(toHex(encodeIpv6ExtendedCommunities([r.value]))).toBe(toHex(b));
      expect(formatIpv6ExtendedCommunity(r.value)).toBe(r.text);
      expect(parseIpv6ExtendedCommunity(r.text)).toEqual(r.value);
    });
  }

  it('bracketed text form', () => {
    expect(parseIpv6ExtendedCommunity('target:[2001:db8::1]:100')).toEqual(v6rows[0]!.value);
  });

  it('round trips and fuzzing', () => {
    fc.assert(
      fc.property(fc.array(arbIpv6ExtendedCommunity, { maxLength: 4 }), (list) => {
        const b = encodeIpv6ExtendedCommunities(list);
        expect(decodeIpv6ExtendedCommunities(b, 0, b.length)).toEqual(list);
        for (const c of list) expect(parseIpv6ExtendedCommunity(formatIpv6ExtendedCommunity(c))).toEqual(c);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(70), (b, len) => {
        try {
          const v = decodeIpv6ExtendedCommunities(b, 0, len);
          expect(encodeIpv6ExtendedCommunities(v)).toEqual(b.slice(0, len));
        } catch (e) {
          expect(e).toBeInstanceOf(BgpError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
