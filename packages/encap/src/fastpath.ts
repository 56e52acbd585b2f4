// The forwarder's receive path, zero-copy and allocation-free: check the untrusted outer headers once,
// read the fields in place and write them into a reused DecapMeta / FlowKey (view.ts).
//
// Stacks decapsulated (each header's diagram is in its own codec file):
//   Ethernet [802.1Q|802.1ad x2] / IPv4 | IPv6 / UDP 4789 / VXLAN (RFC 7348 section 5) / inner Ethernet
//   Ethernet [802.1Q]            / IPv4 | IPv6 / UDP 6635 / MPLS stack (RFC 7510 section 3) / inner
//   Ethernet [802.1Q]            / IPv4 | IPv6 / GRE 0x8847 / MPLS stack (RFC 4023 section 4) / inner
//   ... / GRE 0x6558 (Ethernet), 0x0800, 0x86DD (RFC 2784, key and sequence of RFC 2890)
// The MPLS payload has no type field (RFC 3032 section 2.1): the fast path guesses IPv4/IPv6 from the
// first nibble and leaves anything else as InnerKind.unknown for the caller, who knows what its label means.
//
// The common case, byte offsets of an untagged VXLAN frame over IPv4:
//    0              14                  34        42        50
//   +--------------+-------------------+---------+---------+---------------------
//   | Ethernet     | IPv4 (IHL x 4)    | UDP     | VXLAN   | inner Ethernet ...
//   | dst src type | ... proto src dst | sp dp l | I | VNI |
//   +--------------+-------------------+---------+---------+---------------------
// Field offsets within each header are stated once, in offsets.ts.

import {
  ETH_IPV4,
  ETH_IPV6,
  ETH_LEN,
  ETH_MPLS,
  ETH_MPLS_MC,
  ETH_QINQ,
  ETH_TEB,
  ETH_TYPE,
  ETH_VLAN,
  EXT_FRAG_OFFSET,
  EXT_LEN,
  EXT_MIN_LEN,
  EXT_NEXT,
  GRE_C,
  GRE_FLAGS,
  GRE_K,
  GRE_MIN_LEN,
  GRE_PROTOCOL,
  GRE_R,
  GRE_S,
  GRE_VERSION,
  ICMP_CODE,
  ICMP_ECHO_ID,
  ICMP_ECHO_LEN,
  ICMP_TYPE,
  IP_GRE,
  IP_UDP,
  IP4_DST,
  IP4_FLAGS_FRAG,
  IP4_MIN_LEN,
  IP4_PROTOCOL,
  IP4_SRC,
  IP4_TOTAL_LENGTH,
  IP4_TTL,
  IP6_DST,
  IP6_HOP_LIMIT,
  IP6_LEN,
  IP6_NEXT_HEADER,
  IP6_PAYLOAD_LENGTH,
  IP6_SRC,
  L4_DST_PORT,
  L4_SRC_PORT,
  MPLS_ENTRY_LEN,
  MPLS_S,
  UDP_DST_PORT,
  UDP_LEN,
  UDP_LENGTH,
  UDP_SRC_PORT,
  VLAN_LEN,
  VLAN_TCI,
  VLAN_TYPE,
  VXLAN_FLAG_I,
  VXLAN_FLAGS,
  VXLAN_LEN,
  VXLAN_VNI,
} from './offsets.js';
import { type DecapMeta, type FlowKey, InnerKind, MAX_LABELS, FastStatus as S, TunnelKind } from './view.js';

/** IANA UDP port for VXLAN (RFC 7348 section 5). */
export const VXLAN_PORT = 4789;
/** IANA UDP port for MPLS over UDP (RFC 7510 section 3). */
export const MPLS_UDP_PORT = 6635;

const MAX_EXT = 8;

// Big-endian reads, kept local although bytes.ts has the same two: imported into this module they measured
// 5-8% slower on the decapsulation bench (`pnpm --filter @filament/encap bench`), local they inline.
function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Clears what a previous packet left in `meta` (fields this packet may not reach). */
function resetMeta(meta: DecapMeta): void {
  meta.tunnel = TunnelKind.none;
  meta.outerVlan = -1;
  meta.vni = -1;
  meta.greKey = -1;
  meta.greProtocol = 0;
  meta.labelCount = 0;
  meta.srcPort = 0;
  meta.dstPort = 0;
  meta.innerKind = InnerKind.unknown;
}

/**
 * Decapsulates the outer headers of the frame at `buf[offset, offset + length)` (an Ethernet frame) into
 * `meta`. Returns FastStatus.ok (0) or a status naming the layer and field; `meta.errorOffset` then says
 * where. Never reads outside the range, never allocates.
 */
export function decapFast(buf: Uint8Array, offset: number, length: number, meta: DecapMeta): number {
  const end = Math.min(buf.length, offset + length);
  let p = offset;
  resetMeta(meta);
  if (p < 0 || p + ETH_LEN > end) return fail(meta, S.ethernetTruncated, p);
  let type = u16(buf, p + ETH_TYPE);
  p += ETH_LEN;
  for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ; tags++) {
    if (tags === 2) return fail(meta, S.vlanTooDeep, p - 2);
    if (p + VLAN_LEN > end) return fail(meta, S.vlanTruncated, p);
    if (tags === 0) meta.outerVlan = u16(buf, p + VLAN_TCI) & 0x0fff;
    type = u16(buf, p + VLAN_TYPE);
    p += VLAN_LEN;
  }
  return decapIp(buf, p, end, type, meta);
}

/** As decapFast for a packet that starts at the outer IP header (raw-IP captures, routed interfaces). */
export function decapFastIp(buf: Uint8Array, offset: number, length: number, meta: DecapMeta): number {
  const end = Math.min(buf.length, offset + length);
  resetMeta(meta);
  if (offset < 0 || offset >= end) return fail(meta, S.ipv4Truncated, offset);
  const v = buf[offset]! >>> 4;
  return decapIp(buf, offset, end, v === 6 ? ETH_IPV6 : ETH_IPV4, meta);
}

function decapIp(buf: Uint8Array, p: number, end: number, type: number, meta: DecapMeta): number {
  let proto: number;
  let ipEnd: number;
  meta.outerL3Offset = p;
  if (type === ETH_IPV4) {
    if (p + IP4_MIN_LEN > end) return fail(meta, S.ipv4Truncated, p);
    const b0 = buf[p]!;
    if (b0 >>> 4 !== 4) return fail(meta, S.ipv4Version, p);
    const ihl = (b0 & 0x0f) << 2;
    if (ihl < IP4_MIN_LEN || p + ihl > end) return fail(meta, S.ipv4HeaderLength, p);
    const total = u16(buf, p + IP4_TOTAL_LENGTH);
    if (total < ihl || p + total > end) return fail(meta, S.ipv4TotalLength, p + IP4_TOTAL_LENGTH);
    // MF or a fragment offset: the tunnel header may be in another fragment.
    if ((u16(buf, p + IP4_FLAGS_FRAG) & 0x3fff) !== 0) return fail(meta, S.ipv4Fragment, p + IP4_FLAGS_FRAG);
    meta.outerIpVersion = 4;
    meta.outerTtl = buf[p + IP4_TTL]!;
    proto = buf[p + IP4_PROTOCOL]!;
    meta.outerSrc4 = u32(buf, p + IP4_SRC);
    meta.outerDst4 = u32(buf, p + IP4_DST);
    ipEnd = p + total;
    p += ihl;
  } else if (type === ETH_IPV6) {
    if (p + IP6_LEN > end) return fail(meta, S.ipv6Truncated, p);
    if (buf[p]! >>> 4 !== 6) return fail(meta, S.ipv6Version, p);
    const plen = u16(buf, p + IP6_PAYLOAD_LENGTH);
    // A zero payload length means a jumbogram (RFC 2675), which no tunnel uses.
    if (plen === 0 || p + IP6_LEN + plen > end)
      return fail(meta, S.ipv6PayloadLength, p + IP6_PAYLOAD_LENGTH);
    meta.outerIpVersion = 6;
    meta.outerTtl = buf[p + IP6_HOP_LIMIT]!;
    meta.outerSrc4 = 0;
    meta.outerDst4 = 0;
    proto = buf[p + IP6_NEXT_HEADER]!;
    ipEnd = p + IP6_LEN + plen;
    p += IP6_LEN;
    // Hop-by-hop, routing and destination options are skipped (8-octet units, RFC 8200 section 4).
    for (let n = 0; proto === 0 || proto === 43 || proto === 60 || proto === 44; n++) {
      if (n === MAX_EXT) return fail(meta, S.ipv6ExtTooMany, p);
      if (p + EXT_MIN_LEN > ipEnd) return fail(meta, S.ipv6ExtTruncated, p);
      if (proto === 44) return fail(meta, S.ipv6Fragment, p);
      proto = buf[p + EXT_NEXT]!;
      p += (buf[p + EXT_LEN]! + 1) << 3;
    }
    if (p > ipEnd) return fail(meta, S.ipv6ExtTruncated, p);
  } else {
    return fail(meta, S.notIp, p - 2);
  }

  if (proto === IP_UDP) {
    if (p + UDP_LEN > ipEnd) return fail(meta, S.udpTruncated, p);
    const dport = u16(buf, p + UDP_DST_PORT);
    const ulen = u16(buf, p + UDP_LENGTH);
    if (ulen < UDP_LEN || p + ulen > ipEnd) return fail(meta, S.udpLength, p + UDP_LENGTH);
    meta.srcPort = u16(buf, p + UDP_SRC_PORT);
    meta.dstPort = dport;
    const uEnd = p + ulen;
    const udp = p;
    p += UDP_LEN;
    if (dport === VXLAN_PORT) {
      if (p + VXLAN_LEN > uEnd) return fail(meta, S.vxlanTruncated, p);
      if ((buf[p + VXLAN_FLAGS]! & VXLAN_FLAG_I) === 0) return fail(meta, S.vxlanFlags, p + VXLAN_FLAGS);
      meta.tunnel = TunnelKind.vxlan;
      meta.vni = u32(buf, p + VXLAN_VNI) >>> 8;
      meta.innerKind = InnerKind.ethernet;
      return done(meta, p + VXLAN_LEN, uEnd);
    }
    if (dport === MPLS_UDP_PORT) {
      meta.tunnel = TunnelKind.mplsUdp;
      return labels(buf, p, uEnd, meta);
    }
    return fail(meta, S.notTunnel, udp + UDP_DST_PORT);
  }
  if (proto === IP_GRE) {
    if (p + GRE_MIN_LEN > ipEnd) return fail(meta, S.greTruncated, p);
    const flags = u16(buf, p + GRE_FLAGS);
    // RFC 2784 section 2.3.1: version 0 only; RFC 1701 routing is not part of RFC 2784.
    if ((flags & GRE_VERSION) !== 0 || (flags & GRE_R) !== 0) return fail(meta, S.greVersion, p + GRE_FLAGS);
    const gproto = u16(buf, p + GRE_PROTOCOL);
    let q = p + GRE_MIN_LEN;
    if (flags & GRE_C) q += 4; // checksum + reserved1
    if (flags & GRE_K) {
      if (q + 4 > ipEnd) return fail(meta, S.greTruncated, q);
      meta.greKey = u32(buf, q);
      q += 4;
    }
    if (flags & GRE_S) q += 4; // sequence number
    if (q > ipEnd) return fail(meta, S.greTruncated, p);
    meta.greProtocol = gproto;
    if (gproto === ETH_MPLS || gproto === ETH_MPLS_MC) {
      meta.tunnel = TunnelKind.mplsGre;
      return labels(buf, q, ipEnd, meta);
    }
    meta.tunnel = TunnelKind.gre;
    meta.innerKind =
      gproto === ETH_TEB
        ? InnerKind.ethernet
        : gproto === ETH_IPV4
          ? InnerKind.ipv4
          : gproto === ETH_IPV6
            ? InnerKind.ipv6
            : InnerKind.unknown;
    return done(meta, q, ipEnd);
  }
  return fail(
    meta,
    S.notTunnel,
    meta.outerL3Offset + (meta.outerIpVersion === 4 ? IP4_PROTOCOL : IP6_NEXT_HEADER),
  );
}

function labels(buf: Uint8Array, p: number, end: number, meta: DecapMeta): number {
  for (let i = 0; ; i++) {
    if (i === MAX_LABELS) return fail(meta, S.mplsStackTooDeep, p);
    if (p + MPLS_ENTRY_LEN > end) return fail(meta, S.mplsTruncated, p);
    const e = u32(buf, p);
    meta.labelEntries[i] = e;
    meta.labels[i] = e >>> 12;
    meta.labelCount = i + 1;
    p += MPLS_ENTRY_LEN;
    if (e & MPLS_S) break;
  }
  const nib = p < end ? buf[p]! >>> 4 : 0;
  meta.innerKind = nib === 4 ? InnerKind.ipv4 : nib === 6 ? InnerKind.ipv6 : InnerKind.unknown;
  return done(meta, p, end);
}

function done(meta: DecapMeta, inner: number, end: number): number {
  meta.innerOffset = inner;
  meta.innerLength = end - inner;
  return S.ok;
}

function fail(meta: { errorOffset: number }, status: number, at: number): number {
  meta.errorOffset = at;
  return status;
}

/**
 * Reads the 5-tuple of the IPv4/IPv6 packet at `buf[offset, offset + length)` into `key` (after an
 * Ethernet header and up to two VLAN tags when `ethernet` is true). TCP/UDP/SCTP ports; ICMP/ICMPv6 echo
 * identifier as srcPort; IPv6 extension headers skipped (at most 8). A fragment other than the first has
 * no ports (they stay 0). Returns FastStatus.ok or a status; never allocates.
 */
export function flowKeyFast(
  buf: Uint8Array,
  offset: number,
  length: number,
  key: FlowKey,
  ethernet = false,
): number {
  const end = Math.min(buf.length, offset + length);
  let p = offset;
  key.srcPort = 0;
  key.dstPort = 0;
  key.icmpType = -1;
  key.icmpCode = -1;
  key.fragment = false;
  let version: number;
  if (ethernet) {
    if (p < 0 || p + ETH_LEN > end) return fail(key, S.ethernetTruncated, p);
    let type = u16(buf, p + ETH_TYPE);
    p += ETH_LEN;
    for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ; tags++) {
      if (tags === 2) return fail(key, S.vlanTooDeep, p - 2);
      if (p + VLAN_LEN > end) return fail(key, S.vlanTruncated, p);
      type = u16(buf, p + VLAN_TYPE);
      p += VLAN_LEN;
    }
    if (type === ETH_IPV4) version = 4;
    else if (type === ETH_IPV6) version = 6;
    else return fail(key, S.notIp, p - 2);
  } else {
    if (p < 0 || p >= end) return fail(key, S.ipv4Truncated, p);
    version = buf[p]! >>> 4;
  }
  let proto: number;
  let ipEnd: number;
  let noPorts = false;
  const src = key.src;
  const dst = key.dst;
  if (version === 4) {
    if (p + IP4_MIN_LEN > end) return fail(key, S.ipv4Truncated, p);
    const b0 = buf[p]!;
    if (b0 >>> 4 !== 4) return fail(key, S.ipv4Version, p);
    const ihl = (b0 & 0x0f) << 2;
    if (ihl < IP4_MIN_LEN || p + ihl > end) return fail(key, S.ipv4HeaderLength, p);
    const total = u16(buf, p + IP4_TOTAL_LENGTH);
    if (total < ihl || p + total > end) return fail(key, S.ipv4TotalLength, p + IP4_TOTAL_LENGTH);
    const frag = u16(buf, p + IP4_FLAGS_FRAG) & 0x3fff;
    key.fragment = frag !== 0;
    noPorts = (frag & 0x1fff) !== 0;
    key.ipVersion = 4;
    proto = buf[p + IP4_PROTOCOL]!;
    key.src4 = u32(buf, p + IP4_SRC);
    key.dst4 = u32(buf, p + IP4_DST);
    for (let i = 0; i < 10; i++) {
      src[i] = 0;
      dst[i] = 0;
    }
    src[10] = 0xff;
    src[11] = 0xff;
    dst[10] = 0xff;
    dst[11] = 0xff;
    for (let i = 0; i < 4; i++) {
      src[12 + i] = buf[p + IP4_SRC + i]!;
      dst[12 + i] = buf[p + IP4_DST + i]!;
    }
    ipEnd = p + total;
    p += ihl;
  } else if (version === 6) {
    if (p + IP6_LEN > end) return fail(key, S.ipv6Truncated, p);
    if (buf[p]! >>> 4 !== 6) return fail(key, S.ipv6Version, p);
    const plen = u16(buf, p + IP6_PAYLOAD_LENGTH);
    if (p + IP6_LEN + plen > end) return fail(key, S.ipv6PayloadLength, p + IP6_PAYLOAD_LENGTH);
    key.ipVersion = 6;
    key.src4 = 0;
    key.dst4 = 0;
    for (let i = 0; i < 16; i++) {
      src[i] = buf[p + IP6_SRC + i]!;
      dst[i] = buf[p + IP6_DST + i]!;
    }
    proto = buf[p + IP6_NEXT_HEADER]!;
    ipEnd = p + IP6_LEN + plen;
    p += IP6_LEN;
    for (let n = 0; proto === 0 || proto === 43 || proto === 60 || proto === 44 || proto === 51; n++) {
      if (n === MAX_EXT) return fail(key, S.ipv6ExtTooMany, p);
      if (p + EXT_MIN_LEN > ipEnd) return fail(key, S.ipv6ExtTruncated, p);
      const hdr = proto;
      proto = buf[p + EXT_NEXT]!;
      if (hdr === 44) {
        key.fragment = true;
        if ((u16(buf, p + EXT_FRAG_OFFSET) & 0xfff8) !== 0) noPorts = true;
        p += EXT_MIN_LEN;
      } else if (hdr === 51) {
        p += (buf[p + EXT_LEN]! + 2) << 2; // RFC 4302: AH length is in 4-octet units minus 2
      } else {
        p += (buf[p + EXT_LEN]! + 1) << 3;
      }
    }
    if (p > ipEnd) return fail(key, S.ipv6ExtTruncated, p);
  } else {
    return fail(key, S.ipv4Version, p);
  }
  key.protocol = proto;
  key.l4Offset = p;
  if (noPorts) return S.ok;
  if (proto === 6 || proto === 17 || proto === 132 || proto === 136) {
    if (p + 4 > ipEnd) return fail(key, S.l4Truncated, p);
    key.srcPort = u16(buf, p + L4_SRC_PORT);
    key.dstPort = u16(buf, p + L4_DST_PORT);
  } else if ((proto === 1 && version === 4) || (proto === 58 && version === 6)) {
    if (p + 4 > ipEnd) return fail(key, S.l4Truncated, p);
    const t = buf[p + ICMP_TYPE]!;
    key.icmpType = t;
    key.icmpCode = buf[p + ICMP_CODE]!;
    const echo = version === 4 ? t === 8 || t === 0 : t === 128 || t === 129;
    if (echo) {
      if (p + ICMP_ECHO_LEN > ipEnd) return fail(key, S.l4Truncated, p);
      key.srcPort = u16(buf, p + ICMP_ECHO_ID);
    }
  }
  return S.ok;
}
