// MRT (RFC 6396) record types, with the RFC 8050 add-path subtypes. BGP messages and path attributes
// inside records are kept as bytes here; the codec decodes them with the session context the record implies
// (4-octet AS for the *_AS4 subtypes and for TABLE_DUMP_V2, add-path for the *_ADDPATH subtypes).

export const MrtType = {
  TableDump: 12,
  TableDumpV2: 13,
  Bgp4mp: 16,
  /** BGP4MP with a microsecond timestamp field (RFC 6396 3). */
  Bgp4mpEt: 17,
} as const;

export const Bgp4mpSubtype = {
  StateChange: 0,
  Message: 1,
  MessageAs4: 4,
  StateChangeAs4: 5,
  MessageLocal: 6,
  MessageAs4Local: 7,
  MessageAddPath: 8,
  MessageAs4AddPath: 9,
  MessageLocalAddPath: 10,
  MessageAs4LocalAddPath: 11,
} as const;

export const TableDumpV2Subtype = {
  PeerIndexTable: 1,
  RibIpv4Unicast: 2,
  RibIpv4Multicast: 3,
  RibIpv6Unicast: 4,
  RibIpv6Multicast: 5,
  RibGeneric: 6,
  RibIpv4UnicastAddPath: 8,
  RibIpv4MulticastAddPath: 9,
  RibIpv6UnicastAddPath: 10,
  RibIpv6MulticastAddPath: 11,
  RibGenericAddPath: 12,
} as const;

/** RFC 4271 8.2.2 states as numbered in BGP4MP_STATE_CHANGE. */
export const BgpStateNames: Record<number, string> = {
  1: 'Idle',
  2: 'Connect',
  3: 'Active',
  4: 'OpenSent',
  5: 'OpenConfirm',
  6: 'Established',
};

/** Fields common to every record. */
export interface MrtHeader {
  /** Seconds since the epoch. */
  timestamp: number;
  /** Microseconds, for the _ET types; 0 otherwise. */
  microseconds: number;
  type: number;
  subtype: number;
}

/** BGP4MP_MESSAGE and its AS4/LOCAL/ADDPATH variants: one BGP message as seen by the collector. */
export interface Bgp4mpMessage extends MrtHeader {
  kind: 'bgp4mp-message';
  peerAs: number;
  localAs: number;
  interfaceIndex: number;
  afi: number;
  peerAddress: string;
  localAddress: string;
  /** AS numbers in the message are 4 octets (the *_AS4 subtypes). */
  as4: boolean;
  /** NLRI carry add-path identifiers (RFC 8050 subtypes). */
  addPath: boolean;
  /** The message was sent by the collector, not received (*_LOCAL subtypes). */
  local: boolean;
  /** The whole BGP message, header included. */
  message: Uint8Array;
}

/** BGP4MP_STATE_CHANGE(_AS4). */
export interface Bgp4mpStateChange extends MrtHeader {
  kind: 'bgp4mp-state-change';
  peerAs: number;
  localAs: number;
  interfaceIndex: number;
  afi: number;
  peerAddress: string;
  localAddress: string;
  as4: boolean;
  oldState: number;
  newState: number;
}

export interface PeerEntry {
  bgpId: string;
  address: string;
  as: number;
  /** The entry used 4-octet AS encoding. */
  as4: boolean;
}

/** TABLE_DUMP_V2 PEER_INDEX_TABLE: the peers that RIB entries point to by index. */
export interface PeerIndexTable extends MrtHeader {
  kind: 'peer-index-table';
  collectorId: string;
  viewName: string;
  peers: PeerEntry[];
}

export interface RibEntry {
  peerIndex: number;
  originatedTime: number;
  /** RFC 8050 path identifier, for the *_ADDPATH subtypes. */
  pathId?: number;
  /** Path attributes as on the wire (4-octet AS; MP_REACH_NLRI in the RFC 6396 4.3.4 abbreviated form). */
  attributes: Uint8Array;
}

/** TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST/MULTICAST(_ADDPATH) and RIB_GENERIC(_ADDPATH). */
export interface RibRecord extends MrtHeader {
  kind: 'rib';
  sequence: number;
  afi: number;
  safi: number;
  /** For the AFI-specific subtypes: the prefix as text (`10.0.0.0/8`); for RIB_GENERIC: undefined. */
  prefix?: string;
  /** For RIB_GENERIC: the NLRI bytes as in MP_REACH_NLRI (one NLRI). */
  nlri?: Uint8Array;
  addPath: boolean;
  entries: RibEntry[];
}

/** TABLE_DUMP (version 1): one route per record, 2-octet AS. */
export interface TableDumpRecord extends MrtHeader {
  kind: 'table-dump';
  viewNumber: number;
  sequence: number;
  afi: number;
  prefix: string;
  status: number;
  originatedTime: number;
  peerAddress: string;
  peerAs: number;
  attributes: Uint8Array;
}

/** A record type Filament does not decode, kept whole. */
export interface UnknownMrtRecord extends MrtHeader {
  kind: 'unknown';
  body: Uint8Array;
}

export type MrtRecord =
  | Bgp4mpMessage
  | Bgp4mpStateChange
  | PeerIndexTable
  | RibRecord
  | TableDumpRecord
  | UnknownMrtRecord;
