// Capability codes (IANA "Capability Codes"; RFC 5492 4 for the TLV).

export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
} as const;

const names = new Map<number, string>([
  [1, 'Multiprotocol Extensions'],
  [2, 'Route Refresh'],
  [3, 'Outbound Route Filtering'],
  [5, 'Extended Next Hop Encoding'],
  [6, 'BGP Extended Message'],
  [7, 'BGPsec'],
  [8, 'Multiple Labels'],
  [9, 'BGP Role'],
  [64, 'Graceful Restart'],
  [65, 'Support for 4-octet AS number'],
  [69, 'ADD-PATH'],
  [70, 'Enhanced Route Refresh'],
  [71, 'Long-Lived Graceful Restart'],
  [73, 'FQDN'],
  [128, 'Route Refresh (Cisco, pre-standard)'],
]);

/** The IANA name of a capability code, or `Capability N`. */
export function capabilityName(code: number): string {
  return names.get(code) ?? `Capability ${code}`;
}
