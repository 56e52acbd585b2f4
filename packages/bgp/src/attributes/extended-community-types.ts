// Registry of the extended community types and sub-types Filament reads (IANA "BGP Extended Communities"),
// the Tungsten Fabric ones as tf-controller defines them (src/bgp/extended-community/types.h), and the
// RFC 9012 tunnel types carried by the encapsulation extended community.
//
// RFC 4360 section 2: the high-order octet is the type; its bit 0x80 is "IANA authority" and 0x40 means
// non-transitive. The second octet is the sub-type for the types that have one.

/** High-order type octet. */
export const ExtCommunityType = {
  /** Transitive two-octet AS specific (RFC 4360 3.1). */
  TwoOctetAs: 0x00,
  /** Transitive IPv4 address specific (RFC 4360 3.2). */
  Ipv4Address: 0x01,
  /** Transitive four-octet AS specific (RFC 5668). */
  FourOctetAs: 0x02,
  /** Transitive opaque (RFC 4360 3.3). */
  Opaque: 0x03,
  /** EVPN (RFC 7153 / RFC 7432 7). */
  Evpn: 0x06,
  /** Non-transitive two-octet AS specific (RFC 4360 3.1), used by link bandwidth. */
  NonTransitiveTwoOctetAs: 0x40,
  /** Generic transitive experimental use; Tungsten Fabric's origin VN, security group, tag, sub-cluster. */
  Experimental: 0x80,
  /** Tungsten Fabric's four-octet-AS experimental type. */
  Experimental4ByteAs: 0x82,
  /** Tungsten Fabric's non-transitive experimental type (local sequence number). */
  ExperimentalNonTransitive: 0xc0,
} as const;

/** Sub-types of the AS- and IPv4-address-specific types. */
export const ExtCommunitySubtype = {
  RouteTarget: 0x02,
  /** Route origin, also called site of origin (RFC 4360 5). */
  RouteOrigin: 0x03,
  /** Link bandwidth (draft-ietf-idr-link-bandwidth). */
  LinkBandwidth: 0x04,
  /** Source AS (RFC 6514 5). */
  SourceAs: 0x09,
  /** VRF route import (RFC 6514 5). */
  VrfRouteImport: 0x0b,
} as const;

/** Sub-types of the transitive opaque type 0x03. */
export const OpaqueSubtype = {
  /** Color (RFC 9012 4.3). */
  Color: 0x0b,
  /** Encapsulation (RFC 9012 4.1). */
  Encapsulation: 0x0c,
  /** Default gateway (RFC 7432 7.8). */
  DefaultGateway: 0x0d,
  /** Tungsten Fabric ECMP load-balance field selection. */
  TfLoadBalance: 0xaa,
} as const;

/** Sub-types of the EVPN type 0x06. */
export const EvpnSubtype = {
  /** MAC mobility (RFC 7432 7.7). */
  MacMobility: 0x00,
  /** ESI label (RFC 7432 7.5). */
  EsiLabel: 0x01,
  /** ES-import route target (RFC 7432 7.6). */
  EsImport: 0x02,
  /** Router's MAC (RFC 9135 8.1). */
  RouterMac: 0x03,
  /** E-tree (RFC 8317 5.1). */
  ETree: 0x05,
  /** Multicast flags (RFC 9251 9.1). */
  MulticastFlags: 0x09,
} as const;

/** Tungsten Fabric sub-types of the experimental types 0x80 and 0x82. */
export const TfSubtype = {
  /** Security group ID. */
  SecurityGroup: 0x04,
  /** Origin virtual network (VN index). */
  OriginVn: 0x71,
  /** Tag (policy tag ID). */
  Tag: 0x84,
  /** Sub-cluster ID (RR sub-clusters). */
  SubCluster: 0x85,
} as const;

/** Tungsten Fabric sub-types of the non-transitive experimental type 0xc0. */
export const TfNonTransitiveSubtype = {
  LocalSequenceNumber: 0x00,
} as const;

/** RFC 9012 / IANA "BGP Tunnel Encapsulation Attribute Tunnel Types". */
export const TunnelType = {
  L2tpv3: 1,
  Gre: 2,
  TransmitTunnelEndpoint: 3,
  IpsecTunnel: 4,
  IpInIpIpsec: 5,
  MplsInIpIpsec: 6,
  IpInIp: 7,
  Vxlan: 8,
  Nvgre: 9,
  Mpls: 10,
  MplsInGre: 11,
  VxlanGpe: 12,
  MplsInUdp: 13,
  Ipv6Tunnel: 14,
  SrPolicy: 15,
  Bare: 16,
  SrTunnel: 17,
  Geneve: 19,
} as const;

const tunnelNames = new Map<number, string>([
  [TunnelType.L2tpv3, 'l2tpv3'],
  [TunnelType.Gre, 'gre'],
  [TunnelType.TransmitTunnelEndpoint, 'transmit-tunnel-endpoint'],
  [TunnelType.IpsecTunnel, 'ipsec'],
  [TunnelType.IpInIpIpsec, 'ip-in-ip-ipsec'],
  [TunnelType.MplsInIpIpsec, 'mpls-in-ip-ipsec'],
  [TunnelType.IpInIp, 'ip-in-ip'],
  [TunnelType.Vxlan, 'vxlan'],
  [TunnelType.Nvgre, 'nvgre'],
  [TunnelType.Mpls, 'mpls'],
  [TunnelType.MplsInGre, 'mpls-in-gre'],
  [TunnelType.VxlanGpe, 'vxlan-gpe'],
  [TunnelType.MplsInUdp, 'mpls-in-udp'],
  [TunnelType.Ipv6Tunnel, 'ipv6-tunnel'],
  [TunnelType.SrPolicy, 'sr-policy'],
  [TunnelType.Bare, 'bare'],
  [TunnelType.SrTunnel, 'sr-tunnel'],
  [TunnelType.Geneve, 'geneve'],
]);

const tunnelByName = new Map<string, number>([...tunnelNames].map(([k, v]) => [v, k]));
// gobgp's CLI spells VXLAN-GPE `vxlan-gre`.
tunnelByName.set('vxlan-gre', TunnelType.VxlanGpe);

/** `vxlan`, `mpls-in-udp`, ...; the number as text for unassigned types. */
export function tunnelTypeName(t: number): string {
  return tunnelNames.get(t) ?? String(t);
}

/** The tunnel type for a name (`vxlan`) or a decimal number; undefined when unknown. */
export function tunnelTypeFromName(name: string): number | undefined {
  const n = tunnelByName.get(name.toLowerCase());
  if (n !== undefined) return n;
  return /^\d{1,5}$/.test(name) && Number(name) <= 0xffff ? Number(name) : undefined;
}

/** Tunnel types whose EVPN label field carries a 24-bit VNI/VSID (RFC 8365 5.1.3). */
export function isVniTunnel(t: number): boolean {
  return t === TunnelType.Vxlan || t === TunnelType.Nvgre || t === TunnelType.VxlanGpe;
}

/** Tunnel types whose EVPN label field carries a 20-bit MPLS label (RFC 7432, RFC 8365 5.1.3). */
export function isMplsTunnel(t: number): boolean {
  return t === TunnelType.Mpls || t === TunnelType.MplsInGre || t === TunnelType.MplsInUdp;
}
