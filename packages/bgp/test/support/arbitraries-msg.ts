// fast-check generators for BGP messages, capabilities and path attributes (everything but NLRI and
// extended communities, which come from arbitraries-nlri.ts). Every generated value is canonical for the
// default session context (4-octet AS, no add-path): encoding it and decoding the bytes gives it back.
import fc from 'fast-check';
import {
  AttrCode,
  AttrFlag,
  attrInfo,
  type BgpMessage,
  type Capability,
  defaultContext,
  encodeAttribute,
  type KeepaliveMessage,
  type MpNextHop,
  type Nlri,
  type NotificationMessage,
  notificationMessage,
  type OpenMessage,
  type OptionalParameter,
  type Orf,
  type PathAttribute,
  type RouteRefreshMessage,
  shutdownNotification,
  type UpdateMessage,
  unsupportedCapabilityNotification,
} from '../../src/index.js';
import { ipv4Text, ipv6Text } from '../../src/wire.js';
import {
  arbEvpnRoute,
  arbExtendedCommunity,
  arbIpv6ExtendedCommunity,
  arbPrefixNlri,
  arbRtcNlri,
  arbVpnNlri,
} from './arbitraries-nlri.js';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u24 = fc.integer({ min: 0, max: 0xffffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** AS numbers as AS_PATH and AGGREGATOR may carry them (RFC 7607: never 0). */
export const asn = fc.integer({ min: 1, max: 0xffffffff });
export const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipv4Text(b, 0));
export const v6 = fc
  .array(fc.oneof(fc.constant(0), u16), { minLength: 8, maxLength: 8 })
  .map((w) => ipv6Text(new Uint8Array(w.flatMap((x) => [x >> 8, x & 0xff])), 0));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const text = fc.string({ maxLength: 16 });
const afiSafi = fc.record({ afi: u16, safi: u8 });

// ---- capabilities -------------------------------------------------------------------------------------

export const arbCapability: fc.Arbitrary<Capability> = fc.oneof(
  afiSafi.map((f): Capability => ({ type: 'multiprotocol', ...f })),
  fc.constant<Capability>({ type: 'route-refresh' }),
  fc.constant<Capability>({ type: 'enhanced-route-refresh' }),
  fc.constant<Capability>({ type: 'extended-message' }),
  u32.map((asn): Capability => ({ type: 'four-octet-as', asn })),
  fc
    .record({
      restartState: fc.boolean(),
      notification: fc.boolean(),
      restartTime: fc.integer({ min: 0, max: 0xfff }),
      families: fc.array(fc.record({ afi: u16, safi: u8, forwardingPreserved: fc.boolean() }), {
        maxLength: 6,
      }),
    })
    .map((v): Capability => ({ type: 'graceful-restart', ...v })),
  fc
    .array(fc.record({ afi: u16, safi: u8, forwardingPreserved: fc.boolean(), staleTime: u24 }), {
      maxLength: 6,
    })
    .map((families): Capability => ({ type: 'long-lived-graceful-restart', families })),
  fc
    .array(
      fc.record({
        afi: u16,
        safi: u8,
        mode: fc.constantFrom('receive' as const, 'send' as const, 'both' as const),
      }),
      {
        maxLength: 6,
      },
    )
    .map((families): Capability => ({ type: 'add-path', families })),
  fc
    .array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 6 })
    .map((entries): Capability => ({ type: 'extended-next-hop', entries })),
  fc.record({ hostname: text, domain: text }).map((v): Capability => ({ type: 'fqdn', ...v })),
  u8.map((role): Capability => ({ type: 'role', role })),
  fc
    .record({
      code: fc
        .integer({ min: 0, max: 255 })
        .filter((c) => ![1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73].includes(c)),
      value: bytes(20),
    })
    .map((v): Capability => ({ type: 'unknown', ...v })),
);

// ---- messages: OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---------------------------------------------

const arbParameter: fc.Arbitrary<OptionalParameter> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(arbCapability, { maxLength: 5 })
      .map((capabilities): OptionalParameter => ({ kind: 'capabilities', capabilities })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ paramType: fc.integer({ min: 0, max: 254 }).filter((t) => t !== 2), value: bytes(12) })
      .map((v): OptionalParameter => ({ kind: 'unknown', ...v })),
  },
);

export const arbOpen: fc.Arbitrary<OpenMessage> = fc
  .record({
    version: u8,
    myAs: u16,
    holdTime: u16,
    bgpId: v4,
    parameters: fc.array(arbParameter, { maxLength: 4 }),
    extendedParameters: fc.boolean(),
  })
  .map(({ extendedParameters, ...v }): OpenMessage => {
    const m: OpenMessage = { type: 'open', ...v };
    if (extendedParameters) m.extendedParameters = true;
    return m;
  });

export const arbNotification: fc.Arbitrary<NotificationMessage> = fc.oneof(
  fc.tuple(u8, u8, bytes(40)).map(([c, s, d]) => notificationMessage(c, s, d)),
  fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 11 }), bytes(8))
    .map(([c, s, d]) => notificationMessage(c, s, d)),
  fc
    .tuple(fc.string({ maxLength: 60 }), fc.constantFrom(2 as const, 4 as const))
    .map(([t, s]) => shutdownNotification(t, s)),
  fc
    .tuple(u16, u8, u32)
    .map(([afi, safi, limit]) =>
      notificationMessage(
        6,
        1,
        new Uint8Array([
          afi >> 8,
          afi & 0xff,
          safi,
          limit >>> 24,
          (limit >>> 16) & 0xff,
          (limit >>> 8) & 0xff,
          limit & 0xff,
        ]),
      ),
    ),
  fc.array(arbCapability, { maxLength: 3 }).map((caps) => unsupportedCapabilityNotification(caps)),
);

export const arbKeepalive: fc.Arbitrary<KeepaliveMessage> = fc.constant({ type: 'keepalive' });

function arbOrfPrefixEntry(afi: 1 | 2) {
  const addrLen = afi === 1 ? 4 : 16;
  return fc.oneof(
    fc
      .constantFrom('permit' as const, 'deny' as const)
      .map((match) => ({ action: 'remove-all' as const, match })),
    fc
      .record({
        action: fc.constantFrom('add' as const, 'remove' as const),
        match: fc.constantFrom('permit' as const, 'deny' as const),
        sequence: u32,
        minLength: u8,
        maxLength: u8,
        prefixLength: fc.integer({ min: 0, max: addrLen * 8 }),
        addr: fc.uint8Array({ minLength: addrLen, maxLength: addrLen }),
      })
      .map(({ addr, ...e }) => {
        addr.fill(0, (e.prefixLength + 7) >>> 3);
        return { ...e, prefix: afi === 1 ? ipv4Text(addr, 0) : ipv6Text(addr, 0) };
      }),
  );
}

export const arbRouteRefresh: fc.Arbitrary<RouteRefreshMessage> = fc.oneof(
  fc
    .record({ afi: u16, safi: u8, subtype: u8 })
    .map((v): RouteRefreshMessage => ({ type: 'route-refresh', ...v })),
  fc.constantFrom(1 as const, 2 as const).chain((afi) =>
    fc
      .record({
        safi: u8,
        subtype: fc.constantFrom(0, 3, 255),
        when: fc.constantFrom(1, 2),
        orfs: fc.array(
          fc.oneof(
            fc
              .array(arbOrfPrefixEntry(afi), { maxLength: 4 })
              .map((entries): Orf => ({ orfType: 64, entries })),
            fc
              .record({ orfType: u8.filter((t) => t !== 64), value: bytes(16) })
              .map((v): Orf => ({ orfType: v.orfType, value: v.value })),
          ),
          { maxLength: 3 },
        ),
      })
      .map(
        ({ when, orfs, ...v }): RouteRefreshMessage => ({
          type: 'route-refresh',
          afi,
          ...v,
          orf: { when, orfs },
        }),
      ),
  ),
);

// ---- path attributes ----------------------------------------------------------------------------------

/** Registry flags, sometimes with the Extended Length bit (kept byte-exact). */
function flagsOf(code: number): fc.Arbitrary<number> {
  const f = attrInfo.get(code)!.flags;
  return fc.constantFrom(f, f, f | AttrFlag.EXTENDED_LENGTH);
}

function attr<T extends PathAttribute>(
  code: number,
  value: fc.Arbitrary<Omit<T, 'flags'>>,
): fc.Arbitrary<PathAttribute> {
  return fc.tuple(flagsOf(code), value).map(([flags, v]) => {
    const a = { ...v, flags } as unknown as PathAttribute;
    // the encoder sets Extended Length for values over 255 bytes: take the flags it wrote
    a.flags = encodeAttribute(a, defaultContext)[0]!;
    return a;
  });
}

const segment = fc.record({
  type: fc.constantFrom(
    'set' as const,
    'sequence' as const,
    'confed-sequence' as const,
    'confed-set' as const,
  ),
  asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
});
const segment4 = fc.record({
  type: fc.constantFrom('set' as const, 'sequence' as const),
  asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
});

export const arbMpNextHop = (afi: number, safi: number): fc.Arbitrary<MpNextHop> => {
  if (safi === 128) {
    return afi === 1
      ? v4.map((address): MpNextHop => ({ kind: 'vpn', address }))
      : fc
          .tuple(v6, fc.option(v6, { nil: undefined }))
          .map(
            ([address, ll]): MpNextHop =>
              ll === undefined ? { kind: 'vpn', address } : { kind: 'vpn', address, linkLocal: ll },
          );
  }
  if (afi === 2) {
    return fc
      .tuple(v6, fc.option(v6, { nil: undefined }))
      .map(
        ([address, ll]): MpNextHop =>
          ll === undefined ? { kind: 'ip', address } : { kind: 'ip', address, linkLocal: ll },
      );
  }
  // IPv4 unicast, EVPN, RTC: IPv4 or IPv6 (RFC 8950) next hops
  return fc.oneof(
    v4.map((address): MpNextHop => ({ kind: 'ip', address })),
    v6.map((address): MpNextHop => ({ kind: 'ip', address })),
  );
};

const families: { afi: number; safi: number; nlri: fc.Arbitrary<Nlri> }[] = [
  { afi: 1, safi: 1, nlri: arbPrefixNlri(false, false) },
  { afi: 2, safi: 1, nlri: arbPrefixNlri(true, false) },
  { afi: 1, safi: 128, nlri: arbVpnNlri(false, false) },
  { afi: 2, safi: 128, nlri: arbVpnNlri(true, false) },
  { afi: 25, safi: 70, nlri: arbEvpnRoute(false) },
  { afi: 1, safi: 132, nlri: arbRtcNlri(false) },
];

const arbFamily = fc.constantFrom(...families);

export const arbMpReach: fc.Arbitrary<PathAttribute> = arbFamily.chain((f) =>
  attr(
    AttrCode.MP_REACH_NLRI,
    fc
      .record({ nextHop: arbMpNextHop(f.afi, f.safi), nlri: fc.array(f.nlri, { maxLength: 4 }) })
      .map((v) => ({ type: 'MP_REACH_NLRI' as const, afi: f.afi, safi: f.safi, ...v })),
  ),
);

export const arbMpUnreach: fc.Arbitrary<PathAttribute> = arbFamily.chain((f) =>
  attr(
    AttrCode.MP_UNREACH_NLRI,
    fc
      .array(f.nlri, { maxLength: 4 })
      .map((withdrawn) => ({ type: 'MP_UNREACH_NLRI' as const, afi: f.afi, safi: f.safi, withdrawn })),
  ),
);

const known = new Set<number>(Object.values(AttrCode));

export const arbAttribute: fc.Arbitrary<PathAttribute> = fc.oneof(
  attr(
    AttrCode.ORIGIN,
    fc
      .constantFrom('igp' as const, 'egp' as const, 'incomplete' as const)
      .map((origin) => ({ type: 'ORIGIN' as const, origin })),
  ),
  attr(
    AttrCode.AS_PATH,
    fc.array(segment, { maxLength: 4 }).map((segments) => ({ type: 'AS_PATH' as const, segments })),
  ),
  attr(
    AttrCode.NEXT_HOP,
    v4.map((nextHop) => ({ type: 'NEXT_HOP' as const, nextHop })),
  ),
  attr(
    AttrCode.MULTI_EXIT_DISC,
    u32.map((med) => ({ type: 'MULTI_EXIT_DISC' as const, med })),
  ),
  attr(
    AttrCode.LOCAL_PREF,
    u32.map((localPref) => ({ type: 'LOCAL_PREF' as const, localPref })),
  ),
  attr(AttrCode.ATOMIC_AGGREGATE, fc.constant({ type: 'ATOMIC_AGGREGATE' as const })),
  attr(
    AttrCode.AGGREGATOR,
    fc.record({ asn, address: v4 }).map((v) => ({ type: 'AGGREGATOR' as const, ...v })),
  ),
  attr(
    AttrCode.COMMUNITIES,
    fc
      .array(u32, { minLength: 1, maxLength: 10 })
      .map((communities) => ({ type: 'COMMUNITIES' as const, communities })),
  ),
  attr(
    AttrCode.ORIGINATOR_ID,
    v4.map((originatorId) => ({ type: 'ORIGINATOR_ID' as const, originatorId })),
  ),
  attr(
    AttrCode.CLUSTER_LIST,
    fc
      .array(v4, { minLength: 1, maxLength: 6 })
      .map((clusterIds) => ({ type: 'CLUSTER_LIST' as const, clusterIds })),
  ),
  arbMpReach,
  arbMpUnreach,
  attr(
    AttrCode.EXTENDED_COMMUNITIES,
    fc
      .array(arbExtendedCommunity, { minLength: 1, maxLength: 6 })
      .map((communities) => ({ type: 'EXTENDED_COMMUNITIES' as const, communities })),
  ),
  attr(
    AttrCode.AS4_PATH,
    fc.array(segment4, { maxLength: 4 }).map((segments) => ({ type: 'AS4_PATH' as const, segments })),
  ),
  attr(
    AttrCode.AS4_AGGREGATOR,
    fc.record({ asn, address: v4 }).map((v) => ({ type: 'AS4_AGGREGATOR' as const, ...v })),
  ),
  attr(
    AttrCode.PMSI_TUNNEL,
    fc
      .record({
        pmsiFlags: u8,
        tunnelType: u8,
        labelField: u24,
        tunnelId: fc.oneof(bytes(20), fc.uint8Array({ minLength: 4, maxLength: 4 })),
      })
      .map((v) => ({ type: 'PMSI_TUNNEL' as const, ...v })),
  ),
  attr(
    AttrCode.TUNNEL_ENCAPSULATION,
    fc
      .array(
        fc.record({
          tunnelType: u16,
          subTlvs: fc.array(
            fc.oneof(
              bytes(12).map((value) => ({ kind: 'encapsulation' as const, value })),
              u16.map((protocol) => ({ kind: 'protocol-type' as const, protocol })),
              u32.map((color) => ({ kind: 'color' as const, color })),
              fc
                .oneof(fc.constant(null), v4, v6)
                .map((address) => ({ kind: 'egress-endpoint' as const, address })),
              u8.map((dscp) => ({ kind: 'ds-field' as const, dscp })),
              u16.map((port) => ({ kind: 'udp-port' as const, port })),
              fc
                .record({ subType: u8.filter((t) => ![1, 2, 4, 6, 7, 8].includes(t)), value: bytes(10) })
                .map((v) => ({ kind: 'raw' as const, ...v })),
            ),
            { maxLength: 4 },
          ),
        }),
        { maxLength: 3 },
      )
      .map((tunnels) => ({ type: 'TUNNEL_ENCAPSULATION' as const, tunnels })),
  ),
  attr(
    AttrCode.IPV6_EXTENDED_COMMUNITIES,
    fc
      .array(arbIpv6ExtendedCommunity, { minLength: 1, maxLength: 4 })
      .map((communities) => ({ type: 'IPV6_EXTENDED_COMMUNITIES' as const, communities })),
  ),
  attr(
    AttrCode.AIGP,
    fc
      .array(
        fc.oneof(
          fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }).map((metric) => ({ tlvType: 1 as const, metric })),
          fc.record({ tlvType: fc.integer({ min: 2, max: 255 }), value: bytes(10) }),
        ),
        { maxLength: 3 },
      )
      .map((tlvs) => ({ type: 'AIGP' as const, tlvs })),
  ),
  attr(
    AttrCode.LARGE_COMMUNITY,
    fc
      .array(fc.record({ global: u32, local1: u32, local2: u32 }), { minLength: 1, maxLength: 6 })
      .map((communities) => ({ type: 'LARGE_COMMUNITY' as const, communities })),
  ),
  attr(
    AttrCode.OTC,
    u32.map((asn) => ({ type: 'OTC' as const, asn })),
  ),
  fc
    .record({
      code: u8.filter((c) => !known.has(c)),
      flags: fc.constantFrom(0x80, 0xc0, 0xe0, 0xd0, 0xf0),
      value: bytes(30),
    })
    .map((v): PathAttribute => ({ type: 'UNKNOWN', ...v })),
);

const codeOf = (a: PathAttribute): number => (a.type === 'UNKNOWN' ? a.code : AttrCode[a.type]);

export const arbUpdate: fc.Arbitrary<UpdateMessage> = fc.record({
  type: fc.constant('update' as const),
  withdrawn: fc.array(arbPrefixNlri(false, false), { maxLength: 8 }),
  attributes: fc.uniqueArray(arbAttribute, { selector: codeOf, maxLength: 8 }),
  nlri: fc.array(arbPrefixNlri(false, false), { maxLength: 8 }),
});

export const arbMessage: fc.Arbitrary<BgpMessage> = fc.oneof(
  arbOpen,
  arbUpdate,
  arbNotification,
  arbKeepalive,
  arbRouteRefresh,
);
