// Path attributes one by one: a symmetry table (name, value, TLV bytes), the text forms, fast-check round
// trips of every attribute through its TLV, and fuzzing of every attribute decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aigpMetric,
  asPathToString,
  BgpError,
  communityToString,
  decodeAttributeValue,
  defaultContext,
  encodeAttribute,
  largeCommunityToString,
  type PathAttribute,
  parseCommunity,
  parseLargeCommunity,
  pmsiMplsLabel,
  pmsiTunnelEndpoint,
  pmsiVni,
  readvertiseUnknown,
  type SessionContext,
  sessionContext,
  vxlanEncapsulation,
} from '../src/index.js';
import { arbAttribute } from './support/arbitraries-msg.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function decodeTlv(b: Uint8Array, ctx: SessionContext = defaultContext): PathAttribute {
  const flags = b[0]!;
  const ext = (flags & 0x10) !== 0;
  const len = ext ? (b[2]! << 8) | b[3]! : b[2]!;
  const v = ext ? 4 : 3;
  expect(v + len).toBe(b.length);
  return decodeAttributeValue(b[1]!, flags, b, v, len, ctx);
}

const two = sessionContext({ fourOctetAs: false });
const table: { name: string; value: PathAttribute; bytes: string; ctx?: SessionContext }[] = [
  {
    name: 'ORIGIN INCOMPLETE',
    value: { type: 'ORIGIN', flags: 0x40, origin: 'incomplete' },
    bytes: '40010102',
  },
  {
    name: 'AS_PATH 4-octet sequence + set',
    value: {
      type: 'AS_PATH',
      flags: 0x40,
      segments: [
        { type: 'sequence', asns: [65001, 4200000001] },
        { type: 'set', asns: [1, 2] },
      ],
    },
    bytes: '40021402020000fde9fa56ea01 01020000000100000002',
  },
  {
    name: 'AS_PATH 2-octet with confed sequence',
    value: {
      type: 'AS_PATH',
      flags: 0x40,
      segments: [
        { type: 'confed-sequence', asns: [64512] },
        { type: 'sequence', asns: [65001] },
      ],
    },
    bytes: '4002080301fc000201fde9',
    ctx: two,
  },
  {
    name: 'AS_PATH empty (iBGP-originated)',
    value: { type: 'AS_PATH', flags: 0x40, segments: [] },
    bytes: '400200',
  },
  {
    name: 'NEXT_HOP',
    value: { type: 'NEXT_HOP', flags: 0x40, nextHop: '192.0.2.1' },
    bytes: '400304c0000201',
  },
  { name: 'MED 100', value: { type: 'MULTI_EXIT_DISC', flags: 0x80, med: 100 }, bytes: '80040400000064' },
  {
    name: 'LOCAL_PREF 200',
    value: { type: 'LOCAL_PREF', flags: 0x40, localPref: 200 },
    bytes: '400504000000c8',
  },
  { name: 'ATOMIC_AGGREGATE', value: { type: 'ATOMIC_AGGREGATE', flags: 0x40 }, bytes: '400600' },
  {
    name: 'AGGREGATOR 4-octet',
    value: { type: 'AGGREGATOR', flags: 0xc0, asn: 65001, address: '10.0.0.1' },
    bytes: 'c007080000fde90a000001',
  },
  {
    name: 'AGGREGATOR 2-octet',
    value: { type: 'AGGREGATOR', flags: 0xc0, asn: 65001, address: '10.0.0.1' },
    bytes: 'c00706fde90a000001',
    ctx: two,
  },
  {
    name: 'COMMUNITIES 65000:100 NO_EXPORT',
    value: { type: 'COMMUNITIES', flags: 0xc0, communities: [0xfde80064, 0xffffff01] },
    bytes: 'c00808fde80064ffffff01',
  },
  {
    name: 'ORIGINATOR_ID',
    value: { type: 'ORIGINATOR_ID', flags: 0x80, originatorId: '1.1.1.1' },
    bytes: '80090401010101',
  },
  {
    name: 'CLUSTER_LIST',
    value: { type: 'CLUSTER_LIST', flags: 0x80, clusterIds: ['2.2.2.2', '3.3.3.3'] },
    bytes: '800a080202020203030303',
  },
  {
    name: 'MP_REACH_NLRI IPv6 unicast, global + link-local',
    value: {
      type: 'MP_REACH_NLRI',
      flags: 0x90,
      afi: 2,
      safi: 1,
      nextHop: { kind: 'ip', address: '2001:db8::1', linkLocal: 'fe80::1' },
      nlri: [{ type: 'prefix', prefix: '2001:db8:1::/48' }],
    },
    bytes:
      '900e002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001',
  },
  {
    name: 'MP_REACH_NLRI VPNv4 next hop (zero RD)',
    value: {
      type: 'MP_REACH_NLRI',
      flags: 0x80,
      afi: 1,
      safi: 128,
      nextHop: { kind: 'vpn', address: '10.255.0.1' },
      nlri: [],
    },
    bytes: '800e11 0001 80 0c 0000000000000000 0aff0001 00',
  },
  {
    name: 'MP_REACH_NLRI IPv4 unicast with an IPv6 next hop (RFC 8950)',
    value: {
      type: 'MP_REACH_NLRI',
      flags: 0x80,
      afi: 1,
      safi: 1,
      nextHop: { kind: 'ip', address: '2001:db8::2' },
      nlri: [{ type: 'prefix', prefix: '10.0.0.0/8' }],
    },
    bytes: '800e17 0001 01 10 20010db8000000000000000000000002 00 080a',
  },
  {
    name: 'MP_UNREACH_NLRI IPv4 unicast',
    value: {
      type: 'MP_UNREACH_NLRI',
      flags: 0x80,
      afi: 1,
      safi: 1,
      withdrawn: [{ type: 'prefix', prefix: '10.1.0.0/16' }],
    },
    bytes: '800f06 0001 01 100a01',
  },
  {
    name: 'AS4_PATH',
    value: { type: 'AS4_PATH', flags: 0xc0, segments: [{ type: 'sequence', asns: [4200000001] }] },
    bytes: 'c0110602 01fa56ea01',
  },
  {
    name: 'AS4_AGGREGATOR',
    value: { type: 'AS4_AGGREGATOR', flags: 0xc0, asn: 4200000001, address: '10.0.0.1' },
    bytes: 'c01208fa56ea010a000001',
  },
  {
    name: 'PMSI_TUNNEL ingress replication, VNI 1001',
    value: {
      type: 'PMSI_TUNNEL',
      flags: 0xc0,
      pmsiFlags: 0,
      tunnelType: 6,
      labelField: 1001,
      tunnelId: hex('0aff0001'),
    },
    bytes: 'c01609 00 06 0003e9 0aff0001',
  },
  {
    name: 'TUNNEL_ENCAPSULATION VXLAN with egress endpoint, UDP port, color and an unknown sub-TLV',
    value: {
      type: 'TUNNEL_ENCAPSULATION',
      flags: 0xc0,
      tunnels: [
        {
          tunnelType: 8,
          subTlvs: [
            { kind: 'encapsulation', value: hex('80000064 000000000000 0000') },
            { kind: 'egress-endpoint', address: '10.0.0.2' },
            { kind: 'udp-port', port: 4789 },
            { kind: 'color', color: 100 },
            { kind: 'raw', subType: 200, value: hex('abcd') },
          ],
        },
      ],
    },
    bytes:
      'c01731 0008 002d 010c80000064000000000000 0000 060a000000000001 0a000002 08 02 12b5 0408030b000000000064 c80002abcd',
  },
  {
    name: 'AIGP metric 20',
    value: { type: 'AIGP', flags: 0x80, tlvs: [{ tlvType: 1, metric: 20n }] },
    bytes: '801a0b 01000b0000000000000014',
  },
  {
    name: 'LARGE_COMMUNITY 65001:1:2',
    value: { type: 'LARGE_COMMUNITY', flags: 0xc0, communities: [{ global: 65001, local1: 1, local2: 2 }] },
    bytes: 'c0200c 0000fde9 00000001 00000002',
  },
  { name: 'OTC', value: { type: 'OTC', flags: 0xc0, asn: 65001 }, bytes: 'c023040000fde9' },
  {
    name: 'EXTENDED_COMMUNITIES route target 65001:100 (decoded by the extended-community module)',
    value: { type: 'EXTENDED_COMMUNITIES', flags: 0xc0, communities: decodeAttributeValueEc() },
    bytes: 'c01008 0002fde900000064',
  },
  {
    name: 'unknown optional transitive, partial',
    value: { type: 'UNKNOWN', code: 99, flags: 0xe0, value: hex('0102') },
    bytes: 'e063020102',
  },
  {
    name: 'extended length kept on a short value',
    value: { type: 'MULTI_EXIT_DISC', flags: 0x90, med: 1 },
    bytes: '9004000400000001',
  },
];

function decodeAttributeValueEc() {
  const b = hex('c010080002fde900000064');
  const a = decodeAttributeValue(16, 0xc0, b, 3, 8, defaultContext);
  if (a.type !== 'EXTENDED_COMMUNITIES') throw new Error('unexpected');
  return a.communities;
}

describe('attribute symmetry table', () => {
  for (const t of table) {
    it(`${t.name}`, () => {
      const ctx = t.ctx ?? defaultContext;
      expect(decodeTlv(hex(t.bytes), ctx)).toEqual(t.value);
      expect(toHex(encodeAttribute(t.value, ctx))).toBe(toHex(hex(t.bytes)));
    });
  }
});

describe('text forms and readings', () => {
  it('communities', () => {
    expect(communityToString(0xfde80064)).toBe('65000:100');
    expect(communityToString(0xffffff01)).toBe('NO_EXPORT');
    expect(communityToString(0xffff029a)).toBe('BLACKHOLE');
    expect(parseCommunity('65000:100')).toBe(0xfde80064);
    expect(parseCommunity('no-advertise')).toBe(0xffffff02);
    expect(() => parseCommunity('70000:1')).toThrow(BgpError);
    expect(largeCommunityToString({ global: 65001, local1: 1, local2: 2 })).toBe('65001:1:2');
    expect(parseLargeCommunity('4200000001:0:4294967295')).toEqual({
      global: 4200000001,
      local1: 0,
      local2: 4294967295,
    });
  });
  it('AS path text', () => {
    expect(
      asPathToString([
        { type: 'confed-sequence', asns: [64512, 64513] },
        { type: 'sequence', asns: [1, 2] },
        { type: 'set', asns: [3, 4] },
      ]),
    ).toBe('(64512 64513) 1 2 {3,4}');
  });
  it('PMSI label readings (RFC 8365 5.1.3) and endpoint', () => {
    const a = decodeTlv(hex('c01609 00 06 03e801 0aff0001'));
    if (a.type !== 'PMSI_TUNNEL') throw new Error('type');
    expect(pmsiVni(a)).toBe(0x03e801);
    expect(pmsiMplsLabel(a)).toBe(0x3e80);
    expect(pmsiTunnelEndpoint(a)).toBe('10.255.0.1');
  });
  it('VXLAN encapsulation sub-TLV, AIGP metric, unknown attribute re-advertisement', () => {
    expect(vxlanEncapsulation(hex('c0001388 020000000001 0000'))).toEqual({
      vni: 5000,
      mac: '02:00:00:00:00:01',
    });
    expect(aigpMetric({ type: 'AIGP', tlvs: [{ tlvType: 1, metric: 7n }] })).toBe(7n);
    expect(
      readvertiseUnknown({ type: 'UNKNOWN', code: 99, flags: 0xc0, value: new Uint8Array() })?.flags,
    ).toBe(0xe0);
    expect(
      readvertiseUnknown({ type: 'UNKNOWN', code: 99, flags: 0x80, value: new Uint8Array() }),
    ).toBeUndefined();
  });
});

describe('attribute round trips and fuzz', () => {
  it('every attribute round-trips through its TLV', () => {
    fc.assert(
      fc.property(arbAttribute, (a) => {
        const b = encodeAttribute(a, defaultContext);
        expect(decodeTlv(b)).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });

  it('every attribute decoder, fed random values, returns or throws BgpError', () => {
    const codes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 22, 23, 25, 26, 32, 35, 99];
    const ctxs = [
      defaultContext,
      sessionContext({
        fourOctetAs: false,
        peerType: 'external',
        addPath: [
          { afi: 1, safi: 1 },
          { afi: 2, safi: 128 },
          { afi: 25, safi: 70 },
        ],
      }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.uint8Array({ maxLength: 80 }),
        fc.nat(3),
        fc.integer({ min: 0, max: 255 }),
        (code, v, pad, flags) => {
          // the value sits inside a larger buffer: decoders must not read past their own length
          const buf = new Uint8Array(pad + v.length + pad);
          buf.fill(0xaa);
          buf.set(v, pad);
          const outcome = (b: Uint8Array, o: number, ctx: SessionContext): unknown => {
            try {
              return decodeAttributeValue(code, flags, b, o, v.length, ctx);
            } catch (e) {
              if (!(e instanceof BgpError)) throw e;
              expect(e.action).toMatch(/attribute-discard|treat-as-withdraw|afi-safi-disable|session-reset/);
              return `${e.name}:${e.action}`;
            }
          };
          for (const ctx of ctxs) {
            // the same outcome whether or not bytes surround the value: nothing is read outside it
            expect(outcome(buf, pad, ctx)).toEqual(outcome(v.slice(), 0, ctx));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('MP_REACH_NLRI with random NLRI for every family only gives BgpError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([1, 1], [2, 1], [1, 128], [2, 128], [25, 70], [1, 132], [1, 4]),
        fc.uint8Array({ maxLength: 60 }),
        ([afi, safi], nlri) => {
          const nh = afi === 2 ? 16 : safi === 128 ? 12 : 4;
          const v = new Uint8Array(5 + nh + nlri.length);
          v.set([0, afi!, safi!, nh], 0);
          v.set(nlri, 5 + nh);
          try {
            decodeAttributeValue(14, 0x80, v, 0, v.length, defaultContext);
          } catch (e) {
            if (!(e instanceof BgpError)) throw e;
            expect(e.action).toBe('afi-safi-disable');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
