// IP protocol numbers (IANA "protocol-numbers"; IPv4 Protocol and IPv6 Next Header share them), the ones
// this package decodes or meets, with their names, and which of them are IPv6 extension headers
// (RFC 8200 section 4, RFC 7045 section 2).

export const IpProtocol = {
  HopByHop: 0,
  ICMP: 1,
  IGMP: 2,
  IPv4: 4,
  TCP: 6,
  UDP: 17,
  IPv6: 41,
  Routing: 43,
  Fragment: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPv6: 58,
  NoNextHeader: 59,
  DestinationOptions: 60,
  OSPF: 89,
  PIM: 103,
  VRRP: 112,
  SCTP: 132,
  Mobility: 135,
  UDPLite: 136,
  MPLSInIP: 137,
  HIP: 139,
  Shim6: 140,
} as const;

const NAMES = new Map<number, string>(Object.entries(IpProtocol).map(([k, v]) => [v, k]));

/** The registry name of an IP protocol number, or its decimal text when unknown. */
export function ipProtocolName(protocol: number): string {
  return NAMES.get(protocol) ?? String(protocol);
}

/**
 * True for the IPv6 extension headers that share the generic next-header/length layout and that a
 * decoder walks past. ESP (50) is not one: everything after its SPI is encrypted.
 */
export function isIPv6ExtensionHeader(nextHeader: number): boolean {
  switch (nextHeader) {
    case 0:
    case 43:
    case 44:
    case 51:
    case 60:
    case 135:
    case 139:
    case 140:
      return true;
    default:
      return false;
  }
}
