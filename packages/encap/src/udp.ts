// UDP, RFC 768; checksum over the IPv4 pseudo-header (RFC 768) or the IPv6 one (RFC 8200 section 8.1).
//
//   0      7 8     15 16    23 24    31
//  +--------+--------+--------+--------+
//  |   Source Port   |  Destination    |
//  |                 |      Port       |
//  +--------+--------+--------+--------+
//  |     Length      |    Checksum     |
//  +--------+--------+--------+--------+
//  |          data octets ...
//  +---------------- ...
//
// Length counts header and data. A checksum of 0 means "none" on IPv4; a computed 0 is sent as 0xffff.
// On IPv6 the checksum is mandatory (RFC 6935/6936 tunnel exceptions are the caller's decision).
import { parseIPv4, parseIPv6 } from './address.js';
import { fold16 } from './bytes.js';
import { internetChecksum, onesSum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, RangeFieldError, TruncatedError } from './errors.js';
import { IpProtocol } from './ip-protocol.js';

const LAYER = 'udp';
export const UDP_HEADER_LENGTH = 8;

/**
 * What the checksum needs from the IP layer: the two addresses as text (IPv4 or IPv6, both the same family),
 * or a pseudo-header sum already computed with `ipv4PseudoSum`/`ipv6PseudoSum` (it includes protocol and
 * length); `ipv6` says which family that sum was for, since a zero UDP checksum means "none" only on IPv4.
 */
export type PseudoHeader = { src: string; dst: string } | { sum: number; ipv6?: boolean };

export interface Udp {
  srcPort: number;
  dstPort: number;
  /** Header plus payload bytes. Computed on encode when omitted. */
  length?: number;
  /** Written as given when present (to build bad packets); computed from the pseudo-header when omitted. */
  checksum?: number;
  /** Decode only: checksum verified against the pseudo-header; undefined when not checked. Ignored on encode. */
  checksumValid?: boolean | undefined;
}

export interface UdpEncodeOptions {
  /** Pseudo-header for the checksum; without it the checksum is written as 0 (none, IPv4 only). */
  pseudo?: PseudoHeader;
  /** Payload to copy after the header. Without it the payload is whatever follows the header in `buf`. */
  payload?: Uint8Array;
}

export interface UdpDecodeOptions {
  pseudo?: PseudoHeader;
  /** Accept a length field longer than the buffer (a capture cut by its snap length); checksum is not checked. */
  lax?: boolean;
}

// Address text errors come from address.ts (layer `address`); they name the bad character's index.
function addressBytes(text: string): Uint8Array {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/** True when the pseudo-header is for IPv6. */
export function pseudoIsIpv6(pseudo: PseudoHeader): boolean {
  return 'sum' in pseudo ? pseudo.ipv6 === true : pseudo.src.includes(':');
}

/**
 * One's-complement sum of the pseudo-header for `protocol` and upper-layer `length`
 * (source, destination, zero, protocol, length; IPv6 uses a 32-bit length).
 */
export function pseudoHeaderSum(pseudo: PseudoHeader, protocol: number, length: number): number {
  if ('sum' in pseudo) return pseudo.sum;
  const src = addressBytes(pseudo.src);
  const dst = addressBytes(pseudo.dst);
  if (src.length !== dst.length)
    throw new InvalidFieldError(LAYER, 'pseudo.dst', -1, pseudo.dst, 'address family differs from src');
  let sum = onesSum(dst, 0, dst.length, onesSum(src, 0, src.length));
  sum += protocol + (length >>> 16) + (length & 0xffff);
  return fold16(sum);
}

function encodingLength(_value: Udp): number {
  return UDP_HEADER_LENGTH;
}

/**
 * Writes the header at `offset`. The payload is `opts.payload` (copied in) or the bytes already after the header
 * in `buf` (headroom style: the inner packet was written first). The checksum covers header plus `length` bytes.
 */
function encode(value: Udp, buf?: Uint8Array, offset = 0, opts: UdpEncodeOptions = {}): Uint8Array {
  checkRange(LAYER, 'srcPort', value.srcPort, 0, 0xffff);
  checkRange(LAYER, 'dstPort', value.dstPort, 0, 0xffff);
  const payloadLength = opts.payload?.length ?? (buf ? buf.length - offset - UDP_HEADER_LENGTH : 0);
  const length = value.length ?? UDP_HEADER_LENGTH + Math.max(0, payloadLength);
  checkRange(LAYER, 'length', length, value.length === undefined ? UDP_HEADER_LENGTH : 0, 0xffff);
  const out = buf ?? new Uint8Array(UDP_HEADER_LENGTH + (opts.payload?.length ?? 0));
  if (offset < 0 || offset + UDP_HEADER_LENGTH + (opts.payload?.length ?? 0) > out.length) {
    throw new RangeFieldError(
      LAYER,
      'offset',
      offset,
      0,
      out.length - UDP_HEADER_LENGTH - (opts.payload?.length ?? 0),
    );
  }
  if (opts.payload) out.set(opts.payload, offset + UDP_HEADER_LENGTH);
  out[offset] = value.srcPort >>> 8;
  out[offset + 1] = value.srcPort & 0xff;
  out[offset + 2] = value.dstPort >>> 8;
  out[offset + 3] = value.dstPort & 0xff;
  out[offset + 4] = length >>> 8;
  out[offset + 5] = length & 0xff;
  let checksum = value.checksum;
  if (checksum === undefined) {
    checksum = 0;
    if (opts.pseudo) {
      if (offset + length > out.length || length < UDP_HEADER_LENGTH) {
        throw new RangeFieldError(LAYER, 'length', length, UDP_HEADER_LENGTH, out.length - offset);
      }
      out[offset + 6] = 0;
      out[offset + 7] = 0;
      const c = internetChecksum(out, offset, length, pseudoHeaderSum(opts.pseudo, IpProtocol.UDP, length));
      checksum = c === 0 ? 0xffff : c; // RFC 768: an all-zero result is transmitted as all ones
    }
  } else {
    checkRange(LAYER, 'checksum', checksum, 0, 0xffff);
  }
  out[offset + 6] = checksum >>> 8;
  out[offset + 7] = checksum & 0xff;
  return out;
}

/** Reads the 8-byte header; with a pseudo-header, verifies the checksum over header plus `length` bytes. */
function decode(buf: Uint8Array, offset = 0, opts: UdpDecodeOptions = {}): Decoded<Udp> {
  need(buf, offset, UDP_HEADER_LENGTH, LAYER, 'header');
  const length = (buf[offset + 4]! << 8) | buf[offset + 5]!;
  if (length < UDP_HEADER_LENGTH)
    throw new InvalidFieldError(LAYER, 'length', offset + 4, length, 'shorter than the 8-byte header');
  const available = buf.length - offset;
  if (length > available && !opts.lax) throw new TruncatedError(LAYER, 'payload', offset, length, available);
  const checksum = (buf[offset + 6]! << 8) | buf[offset + 7]!;
  let checksumValid: boolean | undefined;
  if (opts.pseudo && length <= available) {
    if (checksum === 0) checksumValid = pseudoIsIpv6(opts.pseudo) ? false : undefined;
    else
      checksumValid =
        internetChecksum(buf, offset, length, pseudoHeaderSum(opts.pseudo, IpProtocol.UDP, length)) === 0;
  }
  return {
    value: {
      srcPort: (buf[offset]! << 8) | buf[offset + 1]!,
      dstPort: (buf[offset + 2]! << 8) | buf[offset + 3]!,
      length,
      checksum,
      checksumValid,
    },
    length: UDP_HEADER_LENGTH,
  };
}

/** UDP header codec. `encode`/`decode` take an optional fourth/third argument with the pseudo-header. */
export const udp = { encodingLength, encode, decode } satisfies HeaderCodec<Udp, UdpDecodeOptions>;
