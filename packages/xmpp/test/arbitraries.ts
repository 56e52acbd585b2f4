// fast-check generators for every route family, shared by round-trip, schema and fuzz tests.
import fc from 'fast-check';
import type { EnetNextHop, McastNextHop, MvpnNextHop, Route, UnicastNextHop } from '../src/index.js';

/** Text that XML can carry, including characters that need escaping and non-ASCII. */
export const xmlText = fc
  .string({
    unit: fc.constantFrom('a', 'Z', '0', ':', '/', '.', '-', '&', '<', '>', '"', "'", 'é', '€', '𝄞', ' '),
    maxLength: 12,
  })
  .map((s) => s.trim());
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const small = fc.integer({ min: 0, max: 1_000_000 });
const encap = fc.constantFrom('gre', 'udp', 'vxlan');
const mcastEncap = fc.constantFrom('gre', 'udp');
const lbField = fc.constantFrom(
  'l3-source-address',
  'l3-destination-address',
  'l4-protocol',
  'l4-source-port',
  'l4-destination-port',
);
const ipv4 = fc.ipV4();
const mobility = fc.record({ seqno: u32, sticky: fc.boolean() });

const unicastNh: fc.Arbitrary<UnicastNextHop> = fc.record({
  af: fc.constant(1),
  address: ipv4,
  mac: fc.oneof(fc.constant(''), fc.mixedCase(fc.constant('52:54:00:aa:bb:cc'))),
  label: fc.integer({ min: 0, max: 0xfffff }),
  vni: fc.integer({ min: 0, max: 0xffffff }),
  tunnelEncapsulations: fc.array(encap, { maxLength: 3 }),
  virtualNetwork: xmlText,
  tags: fc.array(u32, { maxLength: 3 }),
  localSequenceNumber: small,
});

export const unicastRoute: fc.Arbitrary<Route> = fc
  .record({
    family: fc.constantFrom('inet' as const, 'inet6' as const, 'inet-mpls' as const),
    prefix: fc.oneof(
      ipv4.map((a) => `${a}/32`),
      fc.ipV6().map((a) => `${a}/128`),
    ),
    nextHops: fc.array(unicastNh, { minLength: 1, maxLength: 3 }),
    virtualNetwork: xmlText,
    mobility,
    sequenceNumber: small,
    securityGroups: fc.array(fc.integer({ min: 8000000, max: 8999999 }), { maxLength: 3 }),
    communityTags: fc.array(fc.constantFrom('64512:100', 'no-export', 'accept-own'), { maxLength: 2 }),
    localPreference: small,
    med: small,
    fields: fc.array(lbField, { maxLength: 5 }),
    decision: fc.constantFrom('field-hash', 'source-bias'),
    subProtocol: fc.constantFrom('interface', 'interface-static', 'service-interface', 'bgpaas'),
  })
  .map((r) => ({
    family: r.family,
    entry: {
      nlri: { af: r.family === 'inet6' ? 2 : 1, safi: r.family === 'inet-mpls' ? 4 : 1, address: r.prefix },
      nextHops: r.nextHops,
      version: 1,
      virtualNetwork: r.virtualNetwork,
      mobility: r.mobility,
      sequenceNumber: r.sequenceNumber,
      securityGroups: r.securityGroups,
      communityTags: r.communityTags,
      localPreference: r.localPreference,
      med: r.med,
      loadBalance: { fields: r.fields, decision: r.decision },
      subProtocol: r.subProtocol,
    },
  }));

const enetNh: fc.Arbitrary<EnetNextHop> = fc.record({
  af: fc.constant(1),
  address: ipv4,
  mac: fc.constantFrom('', '00:00:5e:00:01:00'),
  label: fc.integer({ min: 0, max: 0xffffff }),
  l3Label: fc.integer({ min: 0, max: 0xffffff }),
  tunnelEncapsulations: fc.array(encap, { maxLength: 3 }),
  tags: fc.array(u32, { maxLength: 2 }),
  localSequenceNumber: small,
});

export const enetRoute: fc.Arbitrary<Route> = fc
  .record({
    ethernetTag: fc.integer({ min: 0, max: 0xffffff }),
    mac: fc.constantFrom('02:84:4f:c3:40:2b', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00'),
    address: fc.oneof(
      ipv4.map((a) => `${a}/32`),
      fc.constant('0.0.0.0/32'),
      fc.constant('::/128'),
    ),
    smet: fc.option(fc.tuple(ipv4, ipv4), { nil: undefined }),
    flags: fc.integer({ min: 0, max: 255 }),
    nextHops: fc.array(enetNh, { minLength: 1, maxLength: 2 }),
    olist: fc.array(enetNh, { maxLength: 2 }),
    leafOlist: fc.array(enetNh, { maxLength: 2 }),
    virtualNetwork: xmlText,
    mobility,
    sequenceNumber: small,
    securityGroups: fc.array(fc.integer({ min: 8000000, max: 8999999 }), { maxLength: 2 }),
    localPreference: small,
    med: small,
    ern: fc.boolean(),
    ars: fc.boolean(),
    replicatorAddress: fc.oneof(fc.constant(''), ipv4),
    etreeLeaf: fc.boolean(),
  })
  .map((r) => ({
    family: 'evpn' as const,
    entry: {
      nlri: {
        af: 25,
        safi: 242,
        ethernetTag: r.ethernetTag,
        mac: r.mac,
        address: r.address,
        group: r.smet?.[0] ?? '',
        source: r.smet?.[1] ?? '',
        flags: r.flags,
      },
      nextHops: r.nextHops,
      olist: r.olist,
      virtualNetwork: r.virtualNetwork,
      mobility: r.mobility,
      sequenceNumber: r.sequenceNumber,
      securityGroups: r.securityGroups,
      localPreference: r.localPreference,
      med: r.med,
      edgeReplicationNotSupported: r.ern,
      assistedReplicationSupported: r.ars,
      leafOlist: r.leafOlist,
      replicatorAddress: r.replicatorAddress,
      etreeLeaf: r.etreeLeaf,
    },
  }));

const mcastNh: fc.Arbitrary<McastNextHop> = fc.record({
  af: fc.constant(1),
  address: ipv4,
  label: fc.oneof(
    fc.integer({ min: 16, max: 0xfffff }).map(String),
    fc
      .tuple(fc.integer({ min: 16, max: 9999 }), fc.integer({ min: 0, max: 999 }))
      .map(([a, b]) => `${a}-${a + b}`),
  ),
  tunnelEncapsulations: fc.array(mcastEncap, { maxLength: 2 }),
});

export const mcastRoute: fc.Arbitrary<Route> = fc
  .record({
    group: ipv4,
    source: ipv4,
    sourceLabel: fc.integer({ min: 0, max: 0xfffff }),
    sourceAddress: fc.oneof(fc.constant(''), ipv4),
    nextHops: fc.array(mcastNh, { minLength: 1, maxLength: 2 }),
    olist: fc.array(mcastNh, { maxLength: 3 }),
  })
  .map((r) => ({
    family: 'ermvpn' as const,
    entry: {
      nlri: {
        af: 1,
        safi: 241,
        group: r.group,
        source: r.source,
        sourceLabel: r.sourceLabel,
        sourceAddress: r.sourceAddress,
      },
      nextHops: r.nextHops,
      olist: r.olist,
    },
  }));

const mvpnNh: fc.Arbitrary<MvpnNextHop> = fc.record({
  af: fc.constant(1),
  address: ipv4,
  label: fc.integer({ min: 0, max: 0xfffff }),
  tunnelEncapsulations: fc.array(mcastEncap, { maxLength: 2 }),
});

export const mvpnRoute: fc.Arbitrary<Route> = fc
  .record({
    group: ipv4,
    source: ipv4,
    routeType: fc.integer({ min: 1, max: 7 }),
    nextHop: mvpnNh,
    olist: fc.array(mvpnNh, { maxLength: 3 }),
  })
  .map((r) => ({
    family: 'mvpn' as const,
    entry: {
      nlri: { af: 1, safi: 5, group: r.group, source: r.source, routeType: r.routeType },
      nextHop: r.nextHop,
      olist: r.olist,
    },
  }));

export const anyRoute: fc.Arbitrary<Route> = fc.oneof(unicastRoute, enetRoute, mcastRoute, mvpnRoute);
