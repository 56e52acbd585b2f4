// IPv4 header, RFC 791 section 3.1; DSCP/ECN per RFC 2474 and RFC 3168 (the old TOS octet);
// the header checksum is RFC 1071's Internet checksum over the header alone.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Version|  IHL  |   DSCP    |ECN|          Total Length         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Identification        |0|D|M|      Fragment Offset    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Time to Live |    Protocol   |         Header Checksum       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Source Address                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Destination Address                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Options                    |    Padding    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Options (RFC 791 pages 15-23): type 0 End of Option List and type 1 No Operation are one octet; every
// other option is type, length (counting type and length), data. They are kept as raw bytes (the source
// of truth for encoding) and also listed as parsed TLVs on decode.
import { formatIPv4, parseIPv4 } from './address.js';
import { internetChecksum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, TruncatedError } from './errors.js';

export interface IPv4Header {
  /** Differentiated services code point, 0..63. */
  dscp: number;
  /** Explicit congestion notification, 0..3. */
  ecn: number;
  /** Header plus payload length in octets. */
  totalLength: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in 8-octet units, 0..8191 (tshark shows it multiplied by 8). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  /**
   * When given, written as is (to build packets with a wrong checksum); when absent or undefined, computed.
   * A decoded header carries the checksum it had, so re-encoding it reproduces the bytes.
   */
  checksum?: number | undefined;
  src: string;
  dst: string;
  /** Raw option bytes including padding, a multiple of 4, at most 40. */
  options: Uint8Array;
}

/** One option TLV. EOL (0) and NOP (1) have no length octet and empty data. */
export interface IPv4Option {
  type: number;
  data: Uint8Array;
}

/** What decode returns: the header plus derived and verified fields. */
export interface IPv4Decoded extends IPv4Header {
  version: 4;
  /** Header length in 32-bit words. */
  ihl: number;
  checksum: number;
  /** Whether the header checksum verified; a bad checksum is reported here, never fixed. */
  checksumValid: boolean;
  optionList: IPv4Option[];
}

export interface IPv4DecodeOptions {
  /** Accept a total length beyond the buffer (a capture cut by its snap length). Default false. */
  allowTruncated?: boolean;
  /**
   * Return `options` and option `data` as views into `buf` (a header without options shares one empty
   * array) instead of copies. Default false: decoded values own their bytes, so they stay valid when the
   * caller reuses the buffer. For callers that convert the bytes at once, such as the dissector.
   */
  view?: boolean;
}

/** The `options` of every header without options decoded with `view`: zero-length, so nothing to write. */
const NO_OPTIONS = new Uint8Array(0);

export const IPv4OptionType = {
  EndOfOptionList: 0,
  NoOperation: 1,
  RecordRoute: 7,
  Timestamp: 68,
  LooseSourceRoute: 131,
  StrictSourceRoute: 137,
  RouterAlert: 148,
} as const;

const LAYER = 'ipv4';
export const IPV4 = { minLength: 20, maxOptions: 40, checksum: 10, src: 12, dst: 16 } as const;

/**
 * Parses option TLVs from raw option bytes. `base` is the absolute offset of the first option octet, so
 * errors point into the packet. After End of Option List the rest is padding and is not listed.
 */
export function parseIPv4Options(
  bytes: Uint8Array,
  base = 0,
  start = 0,
  end = bytes.length,
  view = false,
): IPv4Option[] {
  const list: IPv4Option[] = [];
  let i = start;
  while (i < end) {
    const type = bytes[i]!;
    if (type === 0) {
      list.push({ type, data: new Uint8Array(0) });
      break;
    }
    if (type === 1) {
      list.push({ type, data: new Uint8Array(0) });
      i++;
      continue;
    }
    if (i + 1 >= end) throw new TruncatedError(LAYER, 'option.length', base + i - start + 1, 1, 0);
    const len = bytes[i + 1]!;
    if (len < 2) throw new InvalidFieldError(LAYER, 'option.length', base + i - start + 1, len, 'below 2');
    if (i + len > end)
      throw new InvalidFieldError(LAYER, 'option.length', base + i - start + 1, len, 'runs past the header');
    list.push({ type, data: view ? bytes.subarray(i + 2, i + len) : bytes.slice(i + 2, i + len) });
    i += len;
  }
  return list;
}

/** Encodes option TLVs and pads with End of Option List octets (zeros) to a multiple of 4. */
export function encodeIPv4Options(options: IPv4Option[]): Uint8Array {
  let len = 0;
  for (const o of options) len += o.type === 0 || o.type === 1 ? 1 : 2 + o.data.length;
  const out = new Uint8Array((len + 3) & ~3);
  let i = 0;
  for (const o of options) {
    checkRange(LAYER, 'option.type', o.type, 0, 255);
    out[i++] = o.type;
    if (o.type === 0 || o.type === 1) continue;
    checkRange(LAYER, 'option.length', 2 + o.data.length, 2, 255);
    out[i++] = 2 + o.data.length;
    out.set(o.data, i);
    i += o.data.length;
  }
  if (out.length > IPV4.maxOptions)
    throw new InvalidFieldError(LAYER, 'options', -1, out.length, 'more than 40 octets');
  return out;
}

function headerLength(value: IPv4Header): number {
  return IPV4.minLength + value.options.length;
}

/** The ipv4 codec: HeaderCodec whose decode returns the richer decoded value. */
export interface IPv4Codec extends HeaderCodec<IPv4Header, IPv4DecodeOptions> {
  decode(buf: Uint8Array, offset?: number, opts?: IPv4DecodeOptions): Decoded<IPv4Decoded>;
}

export const ipv4: IPv4Codec = {
  encodingLength: headerLength,

  encode(value: IPv4Header, buf?: Uint8Array, offset = 0): Uint8Array {
    const hl = headerLength(value);
    if (value.options.length % 4 !== 0 || value.options.length > IPV4.maxOptions) {
      throw new InvalidFieldError(
        LAYER,
        'options',
        -1,
        value.options.length,
        'must be a multiple of 4, at most 40 octets',
      );
    }
    // the same check decode makes (offsets relative to the options), so encode never writes what decode refuses
    parseIPv4Options(value.options, 0);
    checkRange(LAYER, 'dscp', value.dscp, 0, 63);
    checkRange(LAYER, 'ecn', value.ecn, 0, 3);
    checkRange(LAYER, 'totalLength', value.totalLength, hl, 0xffff);
    checkRange(LAYER, 'identification', value.identification, 0, 0xffff);
    checkRange(LAYER, 'fragmentOffset', value.fragmentOffset, 0, 0x1fff);
    checkRange(LAYER, 'ttl', value.ttl, 0, 255);
    checkRange(LAYER, 'protocol', value.protocol, 0, 255);
    if (value.checksum !== undefined) checkRange(LAYER, 'checksum', value.checksum, 0, 0xffff);
    const out = buf ?? new Uint8Array(hl);
    need(out, offset, hl, LAYER, 'buffer');
    out[offset] = 0x40 | (hl >> 2);
    out[offset + 1] = (value.dscp << 2) | value.ecn;
    out[offset + 2] = value.totalLength >> 8;
    out[offset + 3] = value.totalLength & 0xff;
    out[offset + 4] = value.identification >> 8;
    out[offset + 5] = value.identification & 0xff;
    const frag =
      (value.dontFragment ? 0x4000 : 0) | (value.moreFragments ? 0x2000 : 0) | value.fragmentOffset;
    out[offset + 6] = frag >> 8;
    out[offset + 7] = frag & 0xff;
    out[offset + 8] = value.ttl;
    out[offset + 9] = value.protocol;
    out[offset + 10] = 0;
    out[offset + 11] = 0;
    parseIPv4(value.src, out, offset + IPV4.src);
    parseIPv4(value.dst, out, offset + IPV4.dst);
    out.set(value.options, offset + IPV4.minLength);
    const sum = value.checksum ?? internetChecksum(out, offset, hl);
    out[offset + 10] = sum >> 8;
    out[offset + 11] = sum & 0xff;
    return out;
  },

  decode(buf: Uint8Array, offset = 0, opts?: IPv4DecodeOptions): Decoded<IPv4Decoded> {
    need(buf, offset, IPV4.minLength, LAYER, 'header');
    const b0 = buf[offset]!;
    if (b0 >> 4 !== 4) throw new InvalidFieldError(LAYER, 'version', offset, b0 >> 4, 'not 4');
    const ihl = b0 & 15;
    if (ihl < 5) throw new InvalidFieldError(LAYER, 'ihl', offset, ihl, 'below 5 words');
    const hl = ihl * 4;
    need(buf, offset, hl, LAYER, 'options');
    const totalLength = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    if (totalLength < hl)
      throw new InvalidFieldError(
        LAYER,
        'totalLength',
        offset + 2,
        totalLength,
        `below the header length ${hl}`,
      );
    if (!opts?.allowTruncated && offset + totalLength > buf.length) {
      throw new TruncatedError(LAYER, 'totalLength', offset + 2, totalLength, buf.length - offset);
    }
    const frag = (buf[offset + 6]! << 8) | buf[offset + 7]!;
    if (frag & 0x8000)
      throw new InvalidFieldError(LAYER, 'flags', offset + 6, frag >> 13, 'reserved flag set');
    const checksum = (buf[offset + 10]! << 8) | buf[offset + 11]!;
    const view = opts?.view === true;
    const start = offset + IPV4.minLength;
    const end = offset + hl;
    const optionList = parseIPv4Options(buf, start, start, end, view);
    return {
      value: {
        version: 4,
        ihl,
        dscp: buf[offset + 1]! >> 2,
        ecn: buf[offset + 1]! & 3,
        totalLength,
        identification: (buf[offset + 4]! << 8) | buf[offset + 5]!,
        dontFragment: (frag & 0x4000) !== 0,
        moreFragments: (frag & 0x2000) !== 0,
        fragmentOffset: frag & 0x1fff,
        ttl: buf[offset + 8]!,
        protocol: buf[offset + 9]!,
        checksum,
        checksumValid: internetChecksum(buf, offset, hl) === 0,
        src: formatIPv4(buf, offset + IPV4.src),
        dst: formatIPv4(buf, offset + IPV4.dst),
        options: !view
          ? buf.slice(start, end)
          : hl === IPV4.minLength
            ? NO_OPTIONS
            : buf.subarray(start, end),
        optionList,
      },
      length: hl,
    };
  },
};

/**
 * A whole IPv4 packet: the header with totalLength set from the payload and the checksum computed
 * (unless `header.checksum` is given), followed by the payload.
 */
export function ipv4Packet(header: Omit<IPv4Header, 'totalLength'>, payload: Uint8Array): Uint8Array {
  const hl = IPV4.minLength + header.options.length;
  const out = new Uint8Array(hl + payload.length);
  ipv4.encode({ ...header, totalLength: out.length }, out, 0);
  out.set(payload, hl);
  return out;
}
