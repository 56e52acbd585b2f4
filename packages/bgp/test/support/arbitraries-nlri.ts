// fast-check generators for NLRI, route distinguishers, EVPN labels and extended communities, shared by
// the NLRI and community tests (and by anyone who builds UPDATEs from them). Every generated value is
// canonical: encoding it and decoding the bytes gives the same value back.
import fc from 'fast-check';
import {
  decodeIpv6ExtendedCommunities,
  type EvpnLabel,
  type EvpnRoute,
  type ExtendedCommunity,
  evpnLabel,
  formatEsi,
  formatMac,
  type Ipv6ExtendedCommunity,
  type LabeledNlri,
  type PrefixNlri,
  type RouteDistinguisher,
  type RtcNlri,
  readExtendedCommunity,
  type VpnNlri,
} from '../../src/index.js';
import { formatIpv4, formatIpv6, formatPrefix } from '../../src/nlri/address.js';

export const arbU32 = fc.integer({ min: 0, max: 0xffffffff });
export const arbU16 = fc.integer({ min: 0, max: 0xffff });

export const arbIpv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIpv4(b, 0));
/** IPv6 addresses biased towards runs of zero groups, where RFC 5952 text has its corner cases. */
export const arbIpv6 = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), arbU16), { minLength: 8, maxLength: 8 })
  .map((words) => {
    const b = new Uint8Array(16);
    words.forEach((w, i) => {
      b[2 * i] = w >> 8;
      b[2 * i + 1] = w & 0xff;
    });
    return formatIpv6(b, 0, 16);
  });
export const arbIp = fc.oneof(arbIpv4, arbIpv6);

export function arbPrefix(ipv6: boolean): fc.Arbitrary<string> {
  const max = ipv6 ? 128 : 32;
  return fc
    .tuple(fc.integer({ min: 0, max }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
    .map(([len, b]) => formatPrefix(ipv6, b, 0, len));
}

/** A prefix whose address field is the full 4/16 octets (EVPN type 5 keeps bits past the length). */
export function arbFullPrefix(ipv6: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 0, max: ipv6 ? 128 : 32 }), ipv6 ? arbIpv6 : arbIpv4)
    .map(([len, a]) => `${a}/${len}`);
}

export const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => formatMac(b, 0));
export const arbEsi = fc.oneof(
  fc.constant('00:00:00:00:00:00:00:00:00:00'),
  fc.uint8Array({ minLength: 10, maxLength: 10 }).map((b) => formatEsi(b, 0)),
);

export const arbRd: fc.Arbitrary<RouteDistinguisher> = fc.oneof(
  fc.record({ type: fc.constant(0 as const), asn: arbU16, assigned: arbU32 }),
  fc.record({ type: fc.constant(1 as const), ip: arbIpv4, assigned: arbU16 }),
  fc.record({ type: fc.constant(2 as const), asn: arbU32, assigned: arbU16 }),
  fc.record({
    type: fc.constant('other' as const),
    code: fc.integer({ min: 3, max: 0xffff }),
    value: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b).toString('hex')),
  }),
);

export const arbEvpnLabel: fc.Arbitrary<EvpnLabel> = fc.integer({ min: 0, max: 0xffffff }).map(evpnLabel);
const arbTag = fc.oneof(fc.constant(0), fc.constant(0xffffffff), arbU32);

function withPathId<T extends { pathId?: number }>(a: fc.Arbitrary<T>, addPath: boolean): fc.Arbitrary<T> {
  return addPath ? fc.tuple(a, arbU32).map(([v, p]) => ({ ...v, pathId: p })) : a;
}

export function arbPrefixNlri(ipv6: boolean, addPath: boolean): fc.Arbitrary<PrefixNlri> {
  return withPathId(
    arbPrefix(ipv6).map((prefix): PrefixNlri => ({ type: 'prefix', prefix })),
    addPath,
  );
}

const arbLabelValue = fc.integer({ min: 0, max: 0xfffff });

/** A label stack that fits the NLRI length octet with `room` bits of prefix, or a withdrawal value. */
function arbStack(maxLabels: number): fc.Arbitrary<{ labels: number[]; withdrawLabel?: number }> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(arbLabelValue, { minLength: 1, maxLength: maxLabels })
        // A non-bottom top label of 0 or 0x80000 is the RFC 8277 withdrawal value on the wire.
        .filter((l) => l.length === 1 || (l[0] !== 0 && l[0] !== 0x80000))
        .map((labels) => ({ labels })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(0x800000, 0).map((w) => ({ labels: [] as number[], withdrawLabel: w })),
    },
  );
}

export function arbLabeledNlri(ipv6: boolean, addPath: boolean): fc.Arbitrary<LabeledNlri> {
  // 255 bits in the length octet: 128-bit prefixes leave room for 5 labels, 32-bit ones for 9.
  return withPathId(
    fc
      .tuple(arbStack(ipv6 ? 5 : 9), arbPrefix(ipv6))
      .map(([s, prefix]): LabeledNlri => ({ type: 'labeled', ...s, prefix })),
    addPath,
  );
}

export function arbVpnNlri(ipv6: boolean, addPath: boolean): fc.Arbitrary<VpnNlri> {
  return withPathId<VpnNlri>(
    fc
      .tuple(arbStack(ipv6 ? 2 : 6), arbRd, arbPrefix(ipv6))
      .map(([s, rd, prefix]): VpnNlri => ({ type: 'vpn', ...s, rd, prefix })),
    addPath,
  );
}

/** Any 8 octets, decoded: every community kind, typed or raw. */
export const arbCommunityFromBytes: fc.Arbitrary<ExtendedCommunity> = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((b) => readExtendedCommunity(b, 0));

const arbAsForm = fc.oneof(
  fc.record({ form: fc.constant('as2' as const), asn: arbU16, local: arbU32 }),
  fc.record({ form: fc.constant('as4' as const), asn: arbU32, local: arbU16 }),
);
const arbAdmin = fc.oneof(
  arbAsForm,
  fc.record({ form: fc.constant('ipv4' as const), ip: arbIpv4, local: arbU16 }),
);

/** Every typed community kind with values in range. */
export const arbTypedCommunity: fc.Arbitrary<ExtendedCommunity> = fc.oneof(
  arbAdmin.map((a) => ({ kind: 'route-target' as const, ...a })),
  arbAdmin.map((a) => ({ kind: 'route-origin' as const, ...a })),
  arbAsForm.map((a) => ({ kind: 'source-as' as const, ...a })),
  fc.record({ kind: fc.constant('vrf-route-import' as const), ip: arbIpv4, local: arbU16 }),
  fc.record({
    kind: fc.constant('link-bandwidth' as const),
    transitive: fc.boolean(),
    asn: arbU16,
    bandwidth: fc.float({ noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('encapsulation' as const),
    tunnelType: fc.oneof(fc.constantFrom(8, 9, 10, 11, 12, 13), arbU16),
  }),
  fc.record({ kind: fc.constant('color' as const), flags: arbU16, color: arbU32 }),
  fc.constant({ kind: 'default-gateway' as const }),
  fc.record({ kind: fc.constant('mac-mobility' as const), sticky: fc.boolean(), sequence: arbU32 }),
  fc.record({ kind: fc.constant('esi-label' as const), singleActive: fc.boolean(), label: arbEvpnLabel }),
  fc.record({ kind: fc.constant('es-import' as const), mac: arbMac }),
  fc.record({ kind: fc.constant('router-mac' as const), mac: arbMac }),
  fc.record({ kind: fc.constant('e-tree' as const), leaf: fc.boolean(), label: arbEvpnLabel }),
  fc.record({ kind: fc.constant('multicast-flags' as const), flags: arbU16 }),
  fc
    .tuple(arbAsForm, fc.constantFrom('tf-origin-vn', 'tf-security-group', 'tf-tag', 'tf-sub-cluster'))
    .map(([a, kind]): ExtendedCommunity => {
      if (kind === 'tf-origin-vn') return { kind, form: a.form, asn: a.asn, vnIndex: a.local };
      if (kind === 'tf-tag') return { kind, form: a.form, asn: a.asn, tag: a.local };
      return { kind: kind as 'tf-security-group' | 'tf-sub-cluster', form: a.form, asn: a.asn, id: a.local };
    }),
  fc.record({
    kind: fc.constant('tf-load-balance' as const),
    l3SourceAddress: fc.boolean(),
    l3DestinationAddress: fc.boolean(),
    l4Protocol: fc.boolean(),
    l4SourcePort: fc.boolean(),
    l4DestinationPort: fc.boolean(),
    sourceBias: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('tf-local-sequence-number' as const), sequence: arbU32 }),
);

export const arbExtendedCommunity: fc.Arbitrary<ExtendedCommunity> = fc.oneof(
  arbTypedCommunity,
  arbCommunityFromBytes,
);

export const arbIpv6ExtendedCommunity: fc.Arbitrary<Ipv6ExtendedCommunity> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('route-target' as const, 'route-origin' as const, 'vrf-route-import' as const),
    transitive: fc.boolean(),
    ip: arbIpv6,
    local: arbU16,
  }),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => decodeIpv6ExtendedCommunities(b, 0, 20)[0]!),
);

export function arbRtcNlri(addPath: boolean): fc.Arbitrary<RtcNlri> {
  const arb = fc.oneof(
    fc.constant<RtcNlri>({ type: 'rtc', prefixLength: 0 }),
    arbU32.map((originAs): RtcNlri => ({ type: 'rtc', prefixLength: 32, originAs })),
    fc
      .tuple(fc.integer({ min: 33, max: 96 }), arbU32, fc.uint8Array({ minLength: 8, maxLength: 8 }))
      .map(([len, originAs, rt]): RtcNlri => {
        rt.fill(0, (len - 32 + 7) >> 3);
        return { type: 'rtc', prefixLength: len, originAs, routeTarget: readExtendedCommunity(rt, 0) };
      }),
  );
  return withPathId(arb, addPath);
}

export function arbEvpnRoute(addPath: boolean): fc.Arbitrary<EvpnRoute> {
  const ad = fc
    .record({ rd: arbRd, esi: arbEsi, ethernetTag: arbTag, label: arbEvpnLabel })
    .map((v): EvpnRoute => ({ type: 'evpn-ethernet-ad', routeType: 1, ...v }));
  const macIp = fc
    .record({
      rd: arbRd,
      esi: arbEsi,
      ethernetTag: arbTag,
      mac: arbMac,
      ip: fc.option(arbIp, { nil: undefined }),
      label1: arbEvpnLabel,
      label2: fc.option(arbEvpnLabel, { nil: undefined }),
    })
    .map(({ ip, label2, ...v }): EvpnRoute => {
      const r: EvpnRoute = { type: 'evpn-mac-ip', routeType: 2, ...v };
      if (ip !== undefined) r.ip = ip;
      if (label2 !== undefined) r.label2 = label2;
      return r;
    });
  const imet = fc
    .record({ rd: arbRd, ethernetTag: arbTag, originator: arbIp })
    .map((v): EvpnRoute => ({ type: 'evpn-inclusive-multicast', routeType: 3, ...v }));
  const es = fc
    .record({ rd: arbRd, esi: arbEsi, originator: arbIp })
    .map((v): EvpnRoute => ({ type: 'evpn-ethernet-segment', routeType: 4, ...v }));
  const ipPrefix = fc
    .boolean()
    .chain((v6) =>
      fc.record({
        rd: arbRd,
        esi: arbEsi,
        ethernetTag: arbTag,
        prefix: arbFullPrefix(v6),
        gateway: v6 ? arbIpv6 : arbIpv4,
        label: arbEvpnLabel,
      }),
    )
    .map((v): EvpnRoute => ({ type: 'evpn-ip-prefix', routeType: 5, ...v }));
  const unknown = fc
    .record({ routeType: fc.integer({ min: 6, max: 255 }), bytes: fc.uint8Array({ maxLength: 60 }) })
    .map((v): EvpnRoute => ({ type: 'evpn-unknown', ...v }));
  return withPathId(fc.oneof(ad, macIp, imet, es, ipPrefix, unknown), addPath);
}
