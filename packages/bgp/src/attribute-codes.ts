// Path attribute type codes and flags (IANA "BGP Path Attributes"; RFC 4271 4.3 for the flags octet).
//
//   0 1 2 3 4 5 6 7
//  +-+-+-+-+-+-+-+-+
//  |O|T|P|E|  0    |   O optional, T transitive, P partial, E extended length (2-octet length)
//  +-+-+-+-+-+-+-+-+

export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

export const AttrCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  LARGE_COMMUNITY: 32,
  OTC: 35,
} as const;

export type AttrName = keyof typeof AttrCode;

/** Registry entry: name, the O/T flag bits the attribute must carry, and where it is defined. */
export interface AttrInfo {
  name: AttrName;
  /** The OPTIONAL|TRANSITIVE bits the attribute is defined with (partial/extended are not part of it). */
  flags: number;
  rfc: string;
}

const O = AttrFlag.OPTIONAL;
const T = AttrFlag.TRANSITIVE;

export const attrInfo: ReadonlyMap<number, AttrInfo> = new Map<number, AttrInfo>([
  [AttrCode.ORIGIN, { name: 'ORIGIN', flags: T, rfc: 'RFC 4271 5.1.1' }],
  [AttrCode.AS_PATH, { name: 'AS_PATH', flags: T, rfc: 'RFC 4271 5.1.2' }],
  [AttrCode.NEXT_HOP, { name: 'NEXT_HOP', flags: T, rfc: 'RFC 4271 5.1.3' }],
  [AttrCode.MULTI_EXIT_DISC, { name: 'MULTI_EXIT_DISC', flags: O, rfc: 'RFC 4271 5.1.4' }],
  [AttrCode.LOCAL_PREF, { name: 'LOCAL_PREF', flags: T, rfc: 'RFC 4271 5.1.5' }],
  [AttrCode.ATOMIC_AGGREGATE, { name: 'ATOMIC_AGGREGATE', flags: T, rfc: 'RFC 4271 5.1.6' }],
  [AttrCode.AGGREGATOR, { name: 'AGGREGATOR', flags: O | T, rfc: 'RFC 4271 5.1.7' }],
  [AttrCode.COMMUNITIES, { name: 'COMMUNITIES', flags: O | T, rfc: 'RFC 1997' }],
  [AttrCode.ORIGINATOR_ID, { name: 'ORIGINATOR_ID', flags: O, rfc: 'RFC 4456 8' }],
  [AttrCode.CLUSTER_LIST, { name: 'CLUSTER_LIST', flags: O, rfc: 'RFC 4456 8' }],
  [AttrCode.MP_REACH_NLRI, { name: 'MP_REACH_NLRI', flags: O, rfc: 'RFC 4760 3' }],
  [AttrCode.MP_UNREACH_NLRI, { name: 'MP_UNREACH_NLRI', flags: O, rfc: 'RFC 4760 4' }],
  [AttrCode.EXTENDED_COMMUNITIES, { name: 'EXTENDED_COMMUNITIES', flags: O | T, rfc: 'RFC 4360' }],
  [AttrCode.AS4_PATH, { name: 'AS4_PATH', flags: O | T, rfc: 'RFC 6793 3' }],
  [AttrCode.AS4_AGGREGATOR, { name: 'AS4_AGGREGATOR', flags: O | T, rfc: 'RFC 6793 3' }],
  [AttrCode.PMSI_TUNNEL, { name: 'PMSI_TUNNEL', flags: O | T, rfc: 'RFC 6514 5' }],
  [AttrCode.TUNNEL_ENCAPSULATION, { name: 'TUNNEL_ENCAPSULATION', flags: O | T, rfc: 'RFC 9012 2' }],
  [AttrCode.IPV6_EXTENDED_COMMUNITIES, { name: 'IPV6_EXTENDED_COMMUNITIES', flags: O | T, rfc: 'RFC 5701' }],
  [AttrCode.AIGP, { name: 'AIGP', flags: O, rfc: 'RFC 7311 3' }],
  [AttrCode.LARGE_COMMUNITY, { name: 'LARGE_COMMUNITY', flags: O | T, rfc: 'RFC 8092 3' }],
  [AttrCode.OTC, { name: 'OTC', flags: O | T, rfc: 'RFC 9234 5' }],
]);

/** The registry name of a type code, or `ATTR-N` for codes this codec does not know. */
export function attrName(code: number): string {
  return attrInfo.get(code)?.name ?? `ATTR-${code}`;
}
