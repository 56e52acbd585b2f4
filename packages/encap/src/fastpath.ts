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

import { type DecapMeta, type FlowKey, InnerKind, MAX_LABELS, FastStatus as S, TunnelKind } from './view.js';

/** IANA UDP port for VXLAN (RFC 7348 section 5). */
export const VXLAN_PORT = 4789;
/** IANA UDP port for MPLS over UDP (RFC 7510 section 3). */
export const MPLS_UDP_PORT = 6635;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_TEB = 0x6558;
const IP_UDP = 17;
const IP_GRE = 47;
const MAX_EXT = 8;

/**
 * Decapsulates the outer headers of the frame at `buf[offset, offset + length)` (an Ethernet frame) into
 * `meta`. Returns FastStatus.ok (0) or a status naming the layer and field; `meta.errorOffset` then says
 * where. Never reads outside the range, never allocates.
 */
export function decapFast(buf: Uint8Array, offset: number, length: number, meta: DecapMeta): number {
  const end = Math.min(buf.length, offset + length);
  let p = offset;
  meta.tunnel = TunnelKind.none;
  meta.outerVlan = -1;
  meta.vni = -1;
  meta.greKey = -1;
  meta.greProtocol = 0;
  meta.labelCount = 0;
  meta.srcPort = 0;
  meta.dstPort = 0;
  meta.innerKind = InnerKind.unknown;
  if (p + 14 > end) return fail(meta, S.ethernetTruncated, p);
  let type = (buf[p + 12]! << 8) | buf[p + 13]!;
  p += 14;
  for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ; tags++) {
    if (tags === 2 || p + 4 > end) return fail(meta, S.vlanTruncated, p);
    if (tags === 0) meta.outerVlan = ((buf[p]! << 8) | buf[p + 1]!) & 0x0fff;
    type = (buf[p + 2]! << 8) | buf[p + 3]!;
    p += 4;
  }
  return decapIp(buf, p, end, type, meta);
}

/** As decapFast for a packet that starts at the outer IP header (raw-IP captures, routed interfaces). */
export function decapFastIp(buf: Uint8Array, offset: number, length: number, meta: DecapMeta): number {
  const end = Math.min(buf.length, offset + length);
  meta.tunnel = TunnelKind.none;
  meta.outerVlan = -1;
  meta.vni = -1;
  meta.greKey = -1;
  meta.greProtocol = 0;
  meta.labelCount = 0;
  meta.srcPort = 0;
  meta.dstPort = 0;
  meta.innerKind = InnerKind.unknown;
  if (offset >= end) return fail(meta, S.ipv4Truncated, offset);
  const v = buf[offset]! >>> 4;
  return decapIp(buf, offset, end, v === 6 ? ETH_IPV6 : ETH_IPV4, meta);
}

function decapIp(buf: Uint8Array, p: number, end: number, type: number, meta: DecapMeta): number {
  let proto: number;
  let ipEnd: number;
  meta.outerL3Offset = p;
  if (type === ETH_IPV4) {
    if (p + 20 > end) return fail(meta, S.ipv4Truncated, p);
    const b0 = buf[p]!;
    if (b0 >>> 4 !== 4) return fail(meta, S.ipv4Version, p);
    const ihl = (b0 & 0x0f) << 2;
    if (ihl < 20 || p + ihl > end) return fail(meta, S.ipv4HeaderLength, p);
    const total = (buf[p + 2]! << 8) | buf[p + 3]!;
    if (total < ihl || p + total > end) return fail(meta, S.ipv4TotalLength, p + 2);
    if ((((buf[p + 6]! << 8) | buf[p + 7]!) & 0x3fff) !== 0) return fail(meta, S.ipv4Fragment, p + 6);
    meta.outerIpVersion = 4;
    meta.outerTtl = buf[p + 8]!;
    proto = buf[p + 9]!;
    meta.outerSrc4 = ((buf[p + 12]! << 24) | (buf[p + 13]! << 16) | (buf[p + 14]! << 8) | buf[p + 15]!) >>> 0;
    meta.outerDst4 = ((buf[p + 16]! << 24) | (buf[p + 17]! << 16) | (buf[p + 18]! << 8) | buf[p + 19]!) >>> 0;
    ipEnd = p + total;
    p += ihl;
  } else if (type === ETH_IPV6) {
    if (p + 40 > end) return fail(meta, S.ipv6Truncated, p);
    if (buf[p]! >>> 4 !== 6) return fail(meta, S.ipv6Version, p);
    const plen = (buf[p + 4]! << 8) | buf[p + 5]!;
    // A zero payload length means a jumbogram (RFC 2675), which no tunnel uses.
    if (plen === 0 || p + 40 + plen > end) return fail(meta, S.ipv6PayloadLength, p + 4);
    meta.outerIpVersion = 6;
    meta.outerTtl = buf[p + 7]!;
    meta.outerSrc4 = 0;
    meta.outerDst4 = 0;
    proto = buf[p + 6]!;
    ipEnd = p + 40 + plen;
    p += 40;
    for (let n = 0; proto === 0 || proto === 43 || proto === 60 || proto === 44; n++) {
      if (n === MAX_EXT) return fail(meta, S.ipv6ExtTooMany, p);
      if (p + 8 > ipEnd) return fail(meta, S.ipv6ExtTruncated, p);
      if (proto === 44) return fail(meta, S.ipv6Fragment, p);
      proto = buf[p]!;
      p += (buf[p + 1]! + 1) << 3;
    }
    if (p > ipEnd) return fail(meta, S.ipv6ExtTruncated, p);
  } else {
    return fail(meta, S.notIp, p - 2);
  }

  if (proto === IP_UDP) {
    if (p + 8 > ipEnd) return fail(meta, S.udpTruncated, p);
    const sport = (buf[p]! << 8) | buf[p + 1]!;
    const dport = (buf[p + 2]! << 8) | buf[p + 3]!;
    const ulen = (buf[p + 4]! << 8) | buf[p + 5]!;
    if (ulen < 8 || p + ulen > ipEnd) return fail(meta, S.udpLength, p + 4);
    meta.srcPort = sport;
    meta.dstPort = dport;
    const uEnd = p + ulen;
    p += 8;
    if (dport === VXLAN_PORT) {
      if (p + 8 > uEnd) return fail(meta, S.vxlanTruncated, p);
      if ((buf[p]! & 0x08) === 0) return fail(meta, S.vxlanFlags, p);
      meta.tunnel = TunnelKind.vxlan;
      meta.vni = (buf[p + 4]! << 16) | (buf[p + 5]! << 8) | buf[p + 6]!;
      meta.innerKind = InnerKind.ethernet;
      return done(meta, p + 8, uEnd);
    }
    if (dport === MPLS_UDP_PORT) {
      meta.tunnel = TunnelKind.mplsUdp;
      return labels(buf, p, uEnd, meta);
    }
    return fail(meta, S.notTunnel, p - 6);
  }
  if (proto === IP_GRE) {
    if (p + 4 > ipEnd) return fail(meta, S.greTruncated, p);
    const flags = (buf[p]! << 8) | buf[p + 1]!;
    // RFC 2784 section 2.3.1: version 0 only; RFC 1701 routing is not part of RFC 2784.
    if ((flags & 0x0007) !== 0 || (flags & 0x4000) !== 0) return fail(meta, S.greVersion, p);
    const gproto = (buf[p + 2]! << 8) | buf[p + 3]!;
    let q = p + 4;
    if (flags & 0x8000) q += 4; // checksum + reserved1
    if (flags & 0x2000) {
      if (q + 4 > ipEnd) return fail(meta, S.greTruncated, q);
      meta.greKey = ((buf[q]! << 24) | (buf[q + 1]! << 16) | (buf[q + 2]! << 8) | buf[q + 3]!) >>> 0;
      q += 4;
    }
    if (flags & 0x1000) q += 4; // sequence number
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
  return fail(meta, S.notTunnel, meta.outerIpVersion === 4 ? meta.outerL3Offset + 9 : meta.outerL3Offset + 6);
}

function labels(buf: Uint8Array, p: number, end: number, meta: DecapMeta): number {
  for (let i = 0; ; i++) {
    if (i === MAX_LABELS) return fail(meta, S.mplsStackTooDeep, p);
    if (p + 4 > end) return fail(meta, S.mplsTruncated, p);
    const e = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
    meta.labelEntries[i] = e;
    meta.labels[i] = e >>> 12;
    meta.labelCount = i + 1;
    p += 4;
    if (e & 0x100) break;
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
    if (p + 14 > end) return fail(key, S.ethernetTruncated, p);
    let type = (buf[p + 12]! << 8) | buf[p + 13]!;
    p += 14;
    for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ; tags++) {
      if (tags === 2 || p + 4 > end) return fail(key, S.vlanTruncated, p);
      type = (buf[p + 2]! << 8) | buf[p + 3]!;
      p += 4;
    }
    if (type === ETH_IPV4) version = 4;
    else if (type === ETH_IPV6) version = 6;
    else return fail(key, S.notIp, p - 2);
  } else {
    if (p >= end) return fail(key, S.ipv4Truncated, p);
    version = buf[p]! >>> 4;
  }
  let proto: number;
  let ipEnd: number;
  let noPorts = false;
  const src = key.src;
  const dst = key.dst;
  if (version === 4) {
    if (p + 20 > end) return fail(key, S.ipv4Truncated, p);
    const b0 = buf[p]!;
    if (b0 >>> 4 !== 4) return fail(key, S.ipv4Version, p);
    const ihl = (b0 & 0x0f) << 2;
    if (ihl < 20 || p + ihl > end) return fail(key, S.ipv4HeaderLength, p);
    const total = (buf[p + 2]! << 8) | buf[p + 3]!;
    if (total < ihl || p + total > end) return fail(key, S.ipv4TotalLength, p + 2);
    const frag = ((buf[p + 6]! << 8) | buf[p + 7]!) & 0x3fff;
    key.fragment = frag !== 0;
    noPorts = (frag & 0x1fff) !== 0;
    key.ipVersion = 4;
    proto = buf[p + 9]!;
    key.src4 = ((buf[p + 12]! << 24) | (buf[p + 13]! << 16) | (buf[p + 14]! << 8) | buf[p + 15]!) >>> 0;
    key.dst4 = ((buf[p + 16]! << 24) | (buf[p + 17]! << 16) | (buf[p + 18]! << 8) | buf[p + 19]!) >>> 0;
    for (let i = 0; i < 10; i++) {
      src[i] = 0;
      dst[i] = 0;
    }
    src[10] = 0xff;
    src[11] = 0xff;
    dst[10] = 0xff;
    dst[11] = 0xff;
    for (let i = 0; i < 4; i++) {
      src[12 + i] = buf[p + 12 + i]!;
      dst[12 + i] = buf[p + 16 + i]!;
    }
    ipEnd = p + total;
    p += ihl;
  } else if (version === 6) {
    if (p + 40 > end) return fail(key, S.ipv6Truncated, p);
    if (buf[p]! >>> 4 !== 6) return fail(key, S.ipv6Version, p);
    const plen = (buf[p + 4]! << 8) | buf[p + 5]!;
    if (p + 40 + plen > end) return fail(key, S.ipv6PayloadLength, p + 4);
    key.ipVersion = 6;
    key.src4 = 0;
    key.dst4 = 0;
    for (let i = 0; i < 16; i++) {
      src[i] = buf[p + 8 + i]!;
      dst[i] = buf[p + 24 + i]!;
    }
    proto = buf[p + 6]!;
    ipEnd = p + 40 + plen;
    p += 40;
    for (let n = 0; proto === 0 || proto === 43 || proto === 60 || proto === 44 || proto === 51; n++) {
      if (n === MAX_EXT) return fail(key, S.ipv6ExtTooMany, p);
      if (p + 8 > ipEnd) return fail(key, S.ipv6ExtTruncated, p);
      if (proto === 44) {
        key.fragment = true;
        if ((((buf[p + 2]! << 8) | buf[p + 3]!) & 0xfff8) !== 0) noPorts = true;
        proto = buf[p]!;
        p += 8;
      } else if (proto === 51) {
        proto = buf[p]!;
        p += (buf[p + 1]! + 2) << 2; // RFC 4302: AH length is in 4-octet units minus 2
      } else {
        proto = buf[p]!;
        p += (buf[p + 1]! + 1) << 3;
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
    key.srcPort = (buf[p]! << 8) | buf[p + 1]!;
    key.dstPort = (buf[p + 2]! << 8) | buf[p + 3]!;
  } else if ((proto === 1 && version === 4) || (proto === 58 && version === 6)) {
    if (p + 4 > ipEnd) return fail(key, S.l4Truncated, p);
    const t = buf[p]!;
    key.icmpType = t;
    key.icmpCode = buf[p + 1]!;
    const echo = version === 4 ? t === 8 || t === 0 : t === 128 || t === 129;
    if (echo) {
      if (p + 8 > ipEnd) return fail(key, S.l4Truncated, p);
      key.srcPort = (buf[p + 4]! << 8) | buf[p + 5]!;
    }
  }
  return S.ok;
}
