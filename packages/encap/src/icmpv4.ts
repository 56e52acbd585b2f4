// ICMP for IPv4, RFC 792; the checksum is RFC 1071's Internet checksum over the whole message
// (header and data), with the checksum field taken as zero.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |     Code      |          Checksum             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  rest of header: Identifier | Sequence Number (echo), unused,  |
//  |  gateway (redirect), pointer (parameter problem), next-hop MTU |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Data ... (echo payload, or the invoking IP header + 8 octets) |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The codec covers the whole message because the checksum does; its length comes from the IPv4
// total length (pass `length`) or else runs to the end of the buffer.
import { internetChecksum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need } from './errors.js';

export const ICMPv4Type = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  SourceQuench: 4,
  Redirect: 5,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSolicitation: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
} as const;

interface ICMPv4Common {
  type: number;
  code: number;
  /** Written as is when given (to build bad packets); computed when absent or undefined. */
  checksum?: number | undefined;
  data: Uint8Array;
}

/** Echo request (8) and echo reply (0). */
export interface ICMPv4Echo extends ICMPv4Common {
  kind: 'echo';
  identifier: number;
  sequence: number;
}

/** Any other type: the 4 rest-of-header octets kept raw. */
export interface ICMPv4Raw extends ICMPv4Common {
  kind: 'raw';
  rest: Uint8Array;
}

export type ICMPv4Message = ICMPv4Echo | ICMPv4Raw;

/** What decode returns: the message with the checksum read and whether it verified. */
export type ICMPv4Decoded = ICMPv4Message & { checksum: number; checksumValid: boolean };

export interface ICMPv4DecodeOptions {
  /** Message length in octets (IPv4 total length minus header length); default: to the buffer's end. */
  length?: number;
}

const LAYER = 'icmpv4';

function isEcho(type: number): boolean {
  return type === 0 || type === 8;
}

/** The icmpv4 codec: HeaderCodec whose decode returns the richer decoded value. */
export interface ICMPv4Codec extends HeaderCodec<ICMPv4Message, ICMPv4DecodeOptions> {
  decode(buf: Uint8Array, offset?: number, opts?: ICMPv4DecodeOptions): Decoded<ICMPv4Decoded>;
}

export const icmpv4: ICMPv4Codec = {
  encodingLength(value: ICMPv4Message): number {
    return 8 + value.data.length;
  },

  encode(value: ICMPv4Message, buf?: Uint8Array, offset = 0): Uint8Array {
    checkRange(LAYER, 'type', value.type, 0, 255);
    checkRange(LAYER, 'code', value.code, 0, 255);
    if (value.checksum !== undefined) checkRange(LAYER, 'checksum', value.checksum, 0, 0xffff);
    const len = 8 + value.data.length;
    const out = buf ?? new Uint8Array(len);
    need(out, offset, len, LAYER, 'buffer');
    out[offset] = value.type;
    out[offset + 1] = value.code;
    out[offset + 2] = 0;
    out[offset + 3] = 0;
    if (value.kind === 'echo') {
      if (!isEcho(value.type))
        throw new InvalidFieldError(LAYER, 'type', -1, value.type, 'echo is type 0 or 8');
      checkRange(LAYER, 'identifier', value.identifier, 0, 0xffff);
      checkRange(LAYER, 'sequence', value.sequence, 0, 0xffff);
      out[offset + 4] = value.identifier >> 8;
      out[offset + 5] = value.identifier & 0xff;
      out[offset + 6] = value.sequence >> 8;
      out[offset + 7] = value.sequence & 0xff;
    } else {
      if (value.rest.length !== 4)
        throw new InvalidFieldError(LAYER, 'rest', -1, value.rest.length, 'must be 4 octets');
      out.set(value.rest, offset + 4);
    }
    out.set(value.data, offset + 8);
    const sum = value.checksum ?? internetChecksum(out, offset, len);
    out[offset + 2] = sum >> 8;
    out[offset + 3] = sum & 0xff;
    return out;
  },

  decode(buf: Uint8Array, offset = 0, opts?: ICMPv4DecodeOptions): Decoded<ICMPv4Decoded> {
    const len = opts?.length ?? buf.length - offset;
    need(buf, offset, 8, LAYER, 'header');
    if (len < 8) throw new InvalidFieldError(LAYER, 'length', offset, len, 'below the 8-octet header');
    need(buf, offset, len, LAYER, 'data');
    const type = buf[offset]!;
    const common = {
      type,
      code: buf[offset + 1]!,
      checksum: (buf[offset + 2]! << 8) | buf[offset + 3]!,
      checksumValid: internetChecksum(buf, offset, len) === 0,
      data: buf.slice(offset + 8, offset + len),
    };
    const value: ICMPv4Decoded = isEcho(type)
      ? {
          kind: 'echo',
          ...common,
          identifier: (buf[offset + 4]! << 8) | buf[offset + 5]!,
          sequence: (buf[offset + 6]! << 8) | buf[offset + 7]!,
        }
      : { kind: 'raw', ...common, rest: buf.slice(offset + 4, offset + 8) };
    return { value, length: len };
  },
};
