// GRE, RFC 2784 section 2 with the key and sequence number extensions of RFC 2890 section 2.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |C| |K|S| Reserved0       | Ver |         Protocol Type         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      Checksum (optional)      |       Reserved1 (optional)    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Key (optional)                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 Sequence Number (optional)                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 2784: a receiver that does not implement RFC 1701 discards packets with any of bits 1-5 set (bits 2
// and 3 are K and S since RFC 2890), so bits 1, 4 and 5 (RFC 1701 routing, strict route, recursion) are
// rejected; bits 6-12 must be ignored on receipt and are kept as `reserved0`. Only version 0 is GRE proper
// (version 1 is PPTP's enhanced GRE). The checksum covers the GRE header and payload.
import { put32, u32 } from './bytes.js';
import { internetChecksum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, RangeFieldError } from './errors.js';

const LAYER = 'gre';

/** Protocol types carried in GRE (EtherTypes). MPLS unicast for RFC 4023 MPLS over GRE. */
export const GreProtocol = {
  ipv4: 0x0800,
  ipv6: 0x86dd,
  mpls: 0x8847,
  transparentEthernetBridging: 0x6558,
} as const;

export interface Gre {
  /** C bit: the checksum and reserved1 fields are present. */
  checksumPresent: boolean;
  /** Written as given when present; computed over header and payload when omitted and C is set. */
  checksum?: number;
  /** Decode only: the checksum verified over header and payload; undefined when C is clear. */
  checksumValid?: boolean | undefined;
  /** The 16 bits after the checksum (RFC 2784: reserved, must be zero), kept. */
  reserved1?: number;
  /** RFC 2890 key; K is set exactly when present. */
  key?: number;
  /** RFC 2890 sequence number; S is set exactly when present. */
  sequence?: number;
  /** Bits 6-12 of the first word, as a 7-bit number (must be sent as zero), kept. */
  reserved0?: number;
  version?: number;
  protocolType: number;
}

export interface GreEncodeOptions {
  /** Payload to copy after the header; without it the payload is whatever follows the header in `buf`. */
  payload?: Uint8Array;
}

export interface GreDecodeOptions {
  /** Header plus payload bytes covered by the checksum (the IP payload length); defaults to the rest of `buf`. */
  packetLength?: number;
}

function encodingLength(value: Gre): number {
  return (
    4 +
    (value.checksumPresent ? 4 : 0) +
    (value.key !== undefined ? 4 : 0) +
    (value.sequence !== undefined ? 4 : 0)
  );
}

function encode(value: Gre, buf?: Uint8Array, offset = 0, opts: GreEncodeOptions = {}): Uint8Array {
  const reserved0 = value.reserved0 ?? 0;
  const version = value.version ?? 0;
  checkRange(LAYER, 'reserved0', reserved0, 0, 0x7f);
  checkRange(LAYER, 'version', version, 0, 7);
  checkRange(LAYER, 'protocolType', value.protocolType, 0, 0xffff);
  checkRange(LAYER, 'reserved1', value.reserved1 ?? 0, 0, 0xffff);
  if (value.key !== undefined) checkRange(LAYER, 'key', value.key, 0, 0xffffffff);
  if (value.sequence !== undefined) checkRange(LAYER, 'sequence', value.sequence, 0, 0xffffffff);
  const headerLength = encodingLength(value);
  const payloadLength = opts.payload?.length ?? (buf ? Math.max(0, buf.length - offset - headerLength) : 0);
  const out = buf ?? new Uint8Array(headerLength + payloadLength);
  if (offset < 0 || offset + headerLength + payloadLength > out.length) {
    throw new RangeFieldError(LAYER, 'offset', offset, 0, out.length - headerLength - payloadLength);
  }
  if (opts.payload) out.set(opts.payload, offset + headerLength);
  const word =
    (value.checksumPresent ? 0x8000 : 0) |
    (value.key !== undefined ? 0x2000 : 0) |
    (value.sequence !== undefined ? 0x1000 : 0) |
    (reserved0 << 3) |
    version;
  out[offset] = word >>> 8;
  out[offset + 1] = word & 0xff;
  out[offset + 2] = value.protocolType >>> 8;
  out[offset + 3] = value.protocolType & 0xff;
  let at = offset + 4;
  if (value.checksumPresent) {
    const r1 = value.reserved1 ?? 0;
    out.set([0, 0, r1 >>> 8, r1 & 0xff], at);
    at += 4;
  }
  if (value.key !== undefined) {
    put32(out, at, value.key);
    at += 4;
  }
  if (value.sequence !== undefined) put32(out, at, value.sequence);
  if (value.checksumPresent) {
    let c = value.checksum;
    if (c === undefined) c = internetChecksum(out, offset, headerLength + payloadLength);
    else checkRange(LAYER, 'checksum', c, 0, 0xffff);
    out[offset + 4] = c >>> 8;
    out[offset + 5] = c & 0xff;
  }
  return out;
}

function decode(buf: Uint8Array, offset = 0, opts: GreDecodeOptions = {}): Decoded<Gre> {
  need(buf, offset, 4, LAYER, 'header');
  const word = (buf[offset]! << 8) | buf[offset + 1]!;
  if (word & 0x4c00) {
    throw new InvalidFieldError(
      LAYER,
      'flags',
      offset,
      word >>> 8,
      'RFC 1701 routing/strict-route/recursion bits are not supported',
    );
  }
  const version = word & 7;
  if (version !== 0)
    throw new InvalidFieldError(LAYER, 'version', offset + 1, version, 'only GRE version 0 is supported');
  const c = (word & 0x8000) !== 0;
  const k = (word & 0x2000) !== 0;
  const s = (word & 0x1000) !== 0;
  const headerLength = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
  need(buf, offset, headerLength, LAYER, c ? 'checksum' : k ? 'key' : 'sequence');
  const value: Gre = {
    checksumPresent: c,
    reserved0: (word >>> 3) & 0x7f,
    version,
    protocolType: (buf[offset + 2]! << 8) | buf[offset + 3]!,
  };
  let at = offset + 4;
  if (c) {
    value.checksum = (buf[at]! << 8) | buf[at + 1]!;
    value.reserved1 = (buf[at + 2]! << 8) | buf[at + 3]!;
    const total = opts.packetLength ?? buf.length - offset;
    if (total < headerLength)
      throw new InvalidFieldError(LAYER, 'packetLength', offset, total, 'shorter than the header');
    need(buf, offset, total, LAYER, 'payload');
    value.checksumValid = internetChecksum(buf, offset, total) === 0;
    at += 4;
  } else {
    value.checksumValid = undefined;
  }
  if (k) {
    value.key = u32(buf, at);
    at += 4;
  }
  if (s) value.sequence = u32(buf, at);
  return { value, length: headerLength };
}

/** GRE header codec (RFC 2784/2890). */
export const gre = { encodingLength, encode, decode } satisfies HeaderCodec<Gre, GreDecodeOptions>;
