// Address Family Identifiers (IANA "Address Family Numbers") and Subsequent AFIs (IANA "SAFI Values")
// that Filament knows by name. Unknown values are kept as numbers everywhere.

export const Afi = {
  IPv4: 1,
  IPv6: 2,
  /** Layer-2 VPN, used by EVPN (RFC 7432). */
  L2VPN: 25,
} as const;

export const Safi = {
  Unicast: 1,
  Multicast: 2,
  /** Labeled unicast (RFC 8277). */
  Labeled: 4,
  /** Multicast VPN (RFC 6514). */
  Mvpn: 5,
  /** EVPN (RFC 7432). */
  Evpn: 70,
  /** MPLS-labeled VPN, i.e. VPNv4/VPNv6 (RFC 4364/4659). */
  MplsVpn: 128,
  /** Route-target constrain (RFC 4684). */
  RouteTargetConstraint: 132,
  /** Tungsten Fabric's XMPP EVPN SAFI value as carried in its messages (not used on BGP wire). */
  TfEnet: 242,
  /** Tungsten Fabric's multicast SAFI in XMPP. */
  TfMcast: 241,
} as const;

/** An address family as a pair. */
export interface Family {
  afi: number;
  safi: number;
}

const afiNames = new Map<number, string>([
  [Afi.IPv4, 'ipv4'],
  [Afi.IPv6, 'ipv6'],
  [Afi.L2VPN, 'l2vpn'],
]);

const safiNames = new Map<number, string>([
  [Safi.Unicast, 'unicast'],
  [Safi.Multicast, 'multicast'],
  [Safi.Labeled, 'labeled-unicast'],
  [Safi.Mvpn, 'mvpn'],
  [Safi.Evpn, 'evpn'],
  [Safi.MplsVpn, 'mpls-vpn'],
  [Safi.RouteTargetConstraint, 'rtc'],
]);

/** `ipv4-unicast`, `l2vpn-evpn`, `ipv4-mpls-vpn`, or `afi-N-safi-M` for unknown pairs. */
export function familyName(f: Family): string {
  const a = afiNames.get(f.afi);
  const s = safiNames.get(f.safi);
  return a && s ? `${a}-${s}` : `afi-${f.afi}-safi-${f.safi}`;
}

/** A number key for maps: afi << 8 | safi. */
export function familyKey(f: Family): number {
  return (f.afi << 8) | f.safi;
}
