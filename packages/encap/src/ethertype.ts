// EtherType registry (IEEE 802 numbers, IANA "ieee-802-numbers"): the values this package decodes or
// meets in data-center traffic, with their names. Values below 0x0600 are an 802.3 length, not a type.

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  /** IEEE 802.1Q customer VLAN tag (C-TAG). */
  VLAN: 0x8100,
  IPv6: 0x86dd,
  MPLS: 0x8847,
  MPLSMulticast: 0x8848,
  /** IEEE 802.1ad service VLAN tag (S-TAG), the outer tag of QinQ. */
  QinQ: 0x88a8,
  /** Pre-standard QinQ outer tag still sent by some switches. */
  QinQLegacy: 0x9100,
  LLDP: 0x88cc,
  /** Transparent Ethernet Bridging: an Ethernet frame as GRE payload. */
  TEB: 0x6558,
  RARP: 0x8035,
  LACP: 0x8809,
} as const;

const NAMES = new Map<number, string>(Object.entries(EtherType).map(([k, v]) => [v, k]));

/** The registry name of an EtherType, or `0x....` hex when unknown (`802.3 length` below 0x0600). */
export function etherTypeName(type: number): string {
  const n = NAMES.get(type);
  if (n !== undefined) return n;
  if (type < 0x0600) return '802.3 length';
  return `0x${type.toString(16).padStart(4, '0')}`;
}

/** True for the TPIDs that introduce a VLAN tag (802.1Q, 802.1ad, legacy 0x9100). */
export function isVlanTpid(type: number): boolean {
  return type === EtherType.VLAN || type === EtherType.QinQ || type === EtherType.QinQLegacy;
}
