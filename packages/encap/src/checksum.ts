// RFC 1071 Internet checksum, the IPv4/IPv6 pseudo-headers of RFC 768/793/8200 section 8.1,
// and RFC 1624 incremental update (HC' = ~(~HC + ~m + m')) for NAT rewrites.
import { fold16 } from './bytes.js';

/**
 * One's-complement sum of `length` bytes at `offset`, added to `initial`, folded to 16 bits but not
 * complemented. Odd lengths are padded with a zero byte, as RFC 1071 says.
 */
export function onesSum(buf: Uint8Array, offset: number, length: number, initial = 0): number {
  let sum = initial;
  const end = offset + length;
  let i = offset;
  // Two 16-bit words per step; the carries are folded once at the end (exact: the sum stays far below 2^53).
  for (; i + 3 < end; i += 4) sum += ((buf[i]! << 8) | buf[i + 1]!) + ((buf[i + 2]! << 8) | buf[i + 3]!);
  if (i + 1 < end) {
    sum += (buf[i]! << 8) | buf[i + 1]!;
    i += 2;
  }
  if (i < end) sum += buf[i]! << 8;
  return fold16(sum);
}

/** The Internet checksum (complemented one's-complement sum) of a byte range. */
export function internetChecksum(
  buf: Uint8Array,
  offset = 0,
  length = buf.length - offset,
  initial = 0,
): number {
  return ~onesSum(buf, offset, length, initial) & 0xffff;
}

/**
 * One's-complement sum of the IPv4 pseudo-header (source, destination, zero, protocol, upper-layer
 * length) with addresses read from `buf` at `srcOffset`/`dstOffset`.
 */
export function ipv4PseudoSum(
  buf: Uint8Array,
  srcOffset: number,
  dstOffset: number,
  protocol: number,
  length: number,
): number {
  let sum = onesSum(buf, srcOffset, 4);
  sum = onesSum(buf, dstOffset, 4, sum);
  sum += protocol + length;
  return fold16(sum);
}

/** One's-complement sum of the IPv6 pseudo-header (RFC 8200 section 8.1). */
export function ipv6PseudoSum(
  buf: Uint8Array,
  srcOffset: number,
  dstOffset: number,
  nextHeader: number,
  length: number,
): number {
  let sum = onesSum(buf, srcOffset, 16);
  sum = onesSum(buf, dstOffset, 16, sum);
  sum += (length >>> 16) + (length & 0xffff) + nextHeader;
  return fold16(sum);
}

/**
 * RFC 1624 equation 3: the new checksum after a 16-bit field changed from `oldWord` to `newWord`.
 * Apply once per changed 16-bit word (an IPv4 address is two words).
 */
export function checksumUpdate16(checksum: number, oldWord: number, newWord: number): number {
  let sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 1624 update for a changed 32-bit value such as an IPv4 address. */
export function checksumUpdate32(checksum: number, oldValue: number, newValue: number): number {
  const c = checksumUpdate16(checksum, oldValue >>> 16, newValue >>> 16);
  return checksumUpdate16(c, oldValue & 0xffff, newValue & 0xffff);
}
