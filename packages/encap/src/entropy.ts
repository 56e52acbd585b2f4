// Flow entropy for tunnel source ports: RFC 7510 section 3 (MPLS over UDP) and RFC 7348 section 5 (VXLAN)
// ask the encapsulator to put a hash of the inner flow in the outer UDP source port, so that underlay ECMP
// spreads flows over paths while every packet of one flow takes the same path. RFC 7510 takes the port from
// the dynamic range 49152-65535 (2^14 values), which the low 14 bits of a hash fill exactly.
//
// The hash is MurmurHash3's 32-bit block mix and finalizer over the flow's words: fast, no allocation,
// seeded so two hosts can choose different spreads. It is not cryptographic and does not need to be.

import { ETH_IPV4, ETH_IPV6, ETH_QINQ, ETH_VLAN } from './offsets.js';

/** Lowest source port RFC 7510 section 3 allows for entropy. */
export const ENTROPY_PORT_MIN = 49152;
/** Highest port (inclusive). */
export const ENTROPY_PORT_MAX = 65535;

/** Mixes one 32-bit word into the running hash `h` (a MurmurHash3 block step). */
export function hashMix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Final avalanche (MurmurHash3 fmix32), folding `len` in first. Returns the low 30 bits: V8 keeps integers
 * of up to 31 bits unboxed, so a 32-bit result would allocate a heap number on every packet. The entropy
 * port (bits 0-13 and 16-29) and the IPv6 flow label (bits 0-19) read only bits that are kept.
 */
export function hashFinish(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** Mixes `length` bytes at `offset` (big-endian words, a short tail zero-padded) into `h`. */
export function hashBytes(h: number, buf: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  let i = offset;
  for (; i + 3 < end; i += 4)
    h = hashMix(h, (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!);
  if (i < end) {
    let k = 0;
    for (let s = 24; i < end; i++, s -= 8) k |= buf[i]! << s;
    h = hashMix(h, k);
  }
  return h;
}

/** Maps a 32-bit hash into 49152..65535, folding the high half in so every hash bit counts. */
export function entropyPort(hash: number): number {
  return ENTROPY_PORT_MIN + ((hash ^ (hash >>> 16)) & 0x3fff);
}

/**
 * Hash of the flow an inner packet belongs to: protocol, addresses and ports of an IPv4/IPv6 TCP, UDP or
 * SCTP packet (addresses and protocol only for fragments, so every fragment takes the same path as the
 * first); addresses and protocol for other IP; for an Ethernet frame carrying neither, the MAC addresses
 * and EtherType. `ethernet` says whether the packet starts with an Ethernet header. Reads in place, never
 * past `offset + length`, and allocates nothing; bytes it cannot parse are hashed as they are.
 */
export function innerFlowHash(
  buf: Uint8Array,
  offset: number,
  length: number,
  ethernet: boolean,
  seed = 0,
): number {
  const end = Math.min(buf.length, offset + length);
  let p = offset;
  let h = seed | 0;
  if (ethernet) {
    if (p + 14 > end) return hashFinish(hashBytes(h, buf, p, Math.max(0, end - p)), 1);
    let type = (buf[p + 12]! << 8) | buf[p + 13]!;
    let q = p + 14;
    for (let tags = 0; (type === ETH_VLAN || type === ETH_QINQ) && tags < 2 && q + 4 <= end; tags++) {
      type = (buf[q + 2]! << 8) | buf[q + 3]!;
      q += 4;
    }
    if (type !== ETH_IPV4 && type !== ETH_IPV6) {
      // Non-IP (ARP, ...): the MAC pair and EtherType keep one conversation on one path.
      h = hashBytes(h, buf, p, 12);
      return hashFinish(hashMix(h, type), 2);
    }
    p = q;
  }
  if (p >= end) return hashFinish(h, 3);
  const version = buf[p]! >>> 4;
  if (version === 4 && p + 20 <= end) {
    const ihl = (buf[p]! & 0x0f) * 4;
    const proto = buf[p + 9]!;
    h = hashMix(h, proto);
    h = hashBytes(h, buf, p + 12, 8);
    const fragmented = (((buf[p + 6]! << 8) | buf[p + 7]!) & 0x3fff) !== 0;
    const l4 = p + ihl;
    if (!fragmented && ihl >= 20 && hasPorts(proto) && l4 + 4 <= end) h = hashBytes(h, buf, l4, 4);
    return hashFinish(h, 4);
  }
  if (version === 6 && p + 40 <= end) {
    h = hashBytes(h, buf, p + 8, 32);
    let next = buf[p + 6]!;
    let q = p + 40;
    let fragmented = false;
    // Walk at most 8 extension headers to the transport protocol.
    for (let n = 0; n < 8 && q + 8 <= end; n++) {
      if (next === 0 || next === 43 || next === 60) {
        const hdr = q;
        next = buf[hdr]!;
        q = hdr + (buf[hdr + 1]! + 1) * 8;
      } else if (next === 44) {
        fragmented = (((buf[q + 2]! << 8) | buf[q + 3]!) & 0xfff9) !== 0;
        next = buf[q]!;
        q += 8;
      } else break;
    }
    h = hashMix(h, next);
    if (!fragmented && hasPorts(next) && q + 4 <= end) h = hashBytes(h, buf, q, 4);
    // The IPv6 flow label is the sender's own flow identifier (RFC 6437): include it.
    h = hashMix(h, ((buf[p + 1]! & 0x0f) << 16) | (buf[p + 2]! << 8) | buf[p + 3]!);
    return hashFinish(h, 6);
  }
  return hashFinish(hashBytes(h, buf, p, Math.min(end - p, 40)), 5);
}

function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132 || proto === 136;
}
