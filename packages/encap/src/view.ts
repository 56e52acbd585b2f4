// Preallocated metadata structs for the zero-copy hot path (after gopacket's DecodingLayerParser and
// smoltcp's checked views): the fast-path functions in fastpath.ts check the untrusted bytes once, read
// fields in place and write them into one of these structs, which the caller allocates once and reuses for
// every packet. Errors are returned as small integer status codes (no exception, no allocation); the
// table below turns a code into the package's typed error when a caller wants one.

import { type EncapError, InvalidFieldError, TruncatedError } from './errors.js';

/** Tunnel kinds found by `decapFast`. */
export const TunnelKind = { none: 0, vxlan: 1, mplsUdp: 2, mplsGre: 3, gre: 4 } as const;
/** What the bytes at `innerOffset` start with. */
export const InnerKind = { unknown: 0, ethernet: 1, ipv4: 4, ipv6: 6 } as const;

/** Deepest MPLS label stack the fast path records (a longer stack is reported, not truncated). */
export const MAX_LABELS = 8;

/** Result of `decapFast`: outer header fields and where the inner packet starts. Allocate once, reuse. */
export class DecapMeta {
  /** TunnelKind.* */
  tunnel = 0;
  /** Offset of the outer IP header. */
  outerL3Offset = 0;
  /** 4 or 6. */
  outerIpVersion = 0;
  /** Outer 802.1Q VLAN id, or -1 when untagged. */
  outerVlan = -1;
  /** Outer IPv4 addresses as unsigned 32-bit numbers (0 for IPv6; the bytes are at outerL3Offset). */
  outerSrc4 = 0;
  outerDst4 = 0;
  /** Outer IPv4 TTL or IPv6 hop limit. */
  outerTtl = 0;
  /** UDP ports (0 for GRE). */
  srcPort = 0;
  dstPort = 0;
  /** VXLAN network identifier, or -1. */
  vni = -1;
  /** GRE key when present, or -1. */
  greKey = -1;
  /** GRE protocol type (0 for UDP tunnels). */
  greProtocol = 0;
  /** Number of MPLS label stack entries read (bottom of stack included). */
  labelCount = 0;
  /** 20-bit labels, top of stack first. */
  readonly labels = new Uint32Array(MAX_LABELS);
  /** Whole 32-bit label stack entries (label, TC, S, TTL). */
  readonly labelEntries = new Uint32Array(MAX_LABELS);
  /** InnerKind.*: Ethernet for VXLAN and GRE 0x6558, IPv4/IPv6 by first nibble after MPLS. */
  innerKind = 0;
  innerOffset = 0;
  innerLength = 0;
  /** On failure: the byte offset where the problem was found. */
  errorOffset = 0;
}

/** A 5-tuple read in place by `flowKeyFast`. Allocate once, reuse. */
export class FlowKey {
  /** 4 or 6. */
  ipVersion = 0;
  /** IP protocol of the transport header (after IPv6 extension headers). */
  protocol = 0;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6). */
  src4 = 0;
  dst4 = 0;
  /** Addresses as 16 bytes: IPv6 as is, IPv4 as IPv4-mapped ::ffff:a.b.c.d, so keys compare alike. */
  readonly src = new Uint8Array(16);
  readonly dst = new Uint8Array(16);
  /** TCP/UDP/SCTP ports; for ICMP echo the identifier is in srcPort and dstPort is 0. */
  srcPort = 0;
  dstPort = 0;
  /** ICMP/ICMPv6 type and code, or -1. */
  icmpType = -1;
  icmpCode = -1;
  /** True for a fragment (IPv4 MF/offset, IPv6 fragment header): ports are only in the first fragment. */
  fragment = false;
  /** Offset of the transport header. */
  l4Offset = 0;
  errorOffset = 0;
}

/** Status codes returned by the fast-path functions: 0 is success, each other code names layer and field. */
export const FastStatus = {
  ok: 0,
  ethernetTruncated: 1,
  vlanTruncated: 2,
  notIp: 3,
  ipv4Truncated: 4,
  ipv4Version: 5,
  ipv4HeaderLength: 6,
  ipv4TotalLength: 7,
  ipv4Fragment: 8,
  ipv6Truncated: 9,
  ipv6Version: 10,
  ipv6PayloadLength: 11,
  notTunnel: 12,
  udpTruncated: 13,
  udpLength: 14,
  vxlanTruncated: 15,
  vxlanFlags: 16,
  mplsTruncated: 17,
  mplsStackTooDeep: 18,
  greTruncated: 19,
  greVersion: 20,
  l4Truncated: 21,
  ipv6ExtTruncated: 22,
  ipv6ExtTooMany: 23,
  ipv6Fragment: 24,
  vlanTooDeep: 25,
} as const;

type Kind = 'truncated' | 'invalid';
// layer, field, kind, description (invalid) or bytes the layer needs at least (truncated)
const TABLE: readonly (readonly [layer: string, field: string, kind: Kind, what: string | number])[] = [
  ['', '', 'invalid', 'ok'],
  ['ethernet', 'header', 'truncated', 14],
  ['vlan', 'tag', 'truncated', 4],
  ['ethernet', 'etherType', 'invalid', 'not IPv4 or IPv6'],
  ['ipv4', 'header', 'truncated', 20],
  ['ipv4', 'version', 'invalid', 'version is not 4'],
  ['ipv4', 'ihl', 'invalid', 'header length below 20 or beyond the buffer'],
  ['ipv4', 'totalLength', 'invalid', 'total length shorter than the header or longer than the buffer'],
  ['ipv4', 'fragmentOffset', 'invalid', 'a fragment cannot be decapsulated without reassembly'],
  ['ipv6', 'header', 'truncated', 40],
  ['ipv6', 'version', 'invalid', 'version is not 6'],
  ['ipv6', 'payloadLength', 'invalid', 'payload length beyond the buffer'],
  ['tunnel', 'protocol', 'invalid', 'not a VXLAN, MPLS-over-UDP or GRE packet'],
  ['udp', 'header', 'truncated', 8],
  ['udp', 'length', 'invalid', 'length shorter than 8 or beyond the IP payload'],
  ['vxlan', 'header', 'truncated', 8],
  ['vxlan', 'flags', 'invalid', 'the I flag (valid VNI) is not set'],
  ['mpls', 'labelStack', 'truncated', 4],
  ['mpls', 'labelStack', 'invalid', `label stack deeper than ${MAX_LABELS} entries`],
  ['gre', 'header', 'truncated', 4],
  ['gre', 'version', 'invalid', 'GRE version is not 0 or a routing (R) bit is set'],
  ['l4', 'header', 'truncated', 4],
  ['ipv6', 'extensionHeader', 'truncated', 8],
  ['ipv6', 'extensionHeader', 'invalid', 'more than 8 extension headers'],
  ['ipv6', 'fragment', 'invalid', 'a fragment cannot be decapsulated without reassembly'],
  ['vlan', 'tpid', 'invalid', 'more than two VLAN tags'],
];

/**
 * Turns a fast-path status code into the typed error the value-level API throws for the same input.
 * `end` is where the bytes being decoded end (the buffer's length unless a shorter length was given).
 */
export function fastPathError(status: number, offset: number, end: number): EncapError {
  const row = TABLE[status] ?? ['fastpath', 'status', 'invalid', `unknown status ${status}`];
  const [layer, field, kind, what] = row;
  if (kind === 'truncated') {
    return new TruncatedError(layer, field, offset, Number(what), Math.max(0, end - offset));
  }
  return new InvalidFieldError(layer, field, offset, status, String(what));
}

/** The layer and field a status code names, e.g. for counters. */
export function fastStatusName(status: number): string {
  const row = TABLE[status];
  return row ? `${row[0]}.${row[1]}` : `status ${status}`;
}
