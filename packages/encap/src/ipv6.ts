// IPv6 header and extension-header chain, RFC 8200 sections 3 and 4 (options 4.2, hop-by-hop 4.3,
// routing 4.4, fragment 4.5, destination options 4.6); RFC 7045 for which next headers are extensions.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Version| Traffic Class |           Flow Label                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Payload Length        |  Next Header  |   Hop Limit   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 Source Address (128 bits)                     |
//  |                 Destination Address (128 bits)                |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Hop-by-hop / destination options, routing and the generic layout (length in 8-octet units, not
// counting the first 8):
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Next Header  |  Hdr Ext Len  |  options (TLVs) / Routing Type, Segments Left, data ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Fragment (always 8 octets):
//  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//  |                         Identification                        |
// Authentication Header (RFC 4302) has the same first two octets with the length in 4-octet units minus 2.
//
// The decoder walks the chain until a next header that is not an extension header, returning the list,
// the upper-layer protocol and (as `length`) the offset of the upper-layer header. A fragment header with
// a non-zero offset ends the chain: what follows is the middle of a payload, not a header.
import { formatIPv6, parseIPv6 } from './address.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, TruncatedError } from './errors.js';
import { isIPv6ExtensionHeader } from './ip-protocol.js';

/** One option TLV of hop-by-hop or destination options. Pad1 (type 0) has no length octet, no data. */
export interface IPv6Option {
  type: number;
  data: Uint8Array;
}

export interface IPv6HopByHop {
  type: 0;
  options: IPv6Option[];
}
export interface IPv6DestinationOptions {
  type: 60;
  options: IPv6Option[];
}
export interface IPv6Routing {
  type: 43;
  routingType: number;
  segmentsLeft: number;
  /** Type-specific data after the first 4 octets; its length + 4 is a multiple of 8. */
  data: Uint8Array;
}
export interface IPv6Fragment {
  type: 44;
  /** Offset in 8-octet units, 0..8191. */
  fragmentOffset: number;
  moreFragments: boolean;
  identification: number;
}
/** AH (51), Mobility (135), HIP (139), Shim6 (140): kept as the bytes after the first two octets. */
export interface IPv6GenericExtension {
  type: 51 | 135 | 139 | 140;
  data: Uint8Array;
}
export type IPv6Extension =
  | IPv6HopByHop
  | IPv6DestinationOptions
  | IPv6Routing
  | IPv6Fragment
  | IPv6GenericExtension;

export interface IPv6Header {
  /** 0..255 (DSCP << 2 | ECN). */
  trafficClass: number;
  /** 0..0xfffff. */
  flowLabel: number;
  /** Octets after the fixed 40-octet header, extension headers included. */
  payloadLength: number;
  hopLimit: number;
  /** RFC 5952 text. */
  src: string;
  dst: string;
  /** Extension headers in wire order; their Next Header fields come from the order and `protocol`. */
  extensions: IPv6Extension[];
  /** Upper-layer protocol after the last extension header (the fixed Next Header when there is none). */
  protocol: number;
}

export interface IPv6DecodeOptions {
  /** Accept a payload length beyond the buffer (a capture cut by its snap length). Default false. */
  allowTruncated?: boolean;
  /**
   * Return extension-header bytes (option data, routing data, generic data) as views into `buf` instead of
   * copies. Default false: decoded values own their bytes and stay valid when the caller reuses the buffer.
   */
  view?: boolean;
}

export const IPv6OptionType = { Pad1: 0, PadN: 1, Jumbo: 0xc2, RouterAlert: 5 } as const;

const LAYER = 'ipv6';
export const IPV6 = { length: 40, payloadLength: 4, nextHeader: 6, hopLimit: 7, src: 8, dst: 24 } as const;

function optionsLength(options: IPv6Option[]): number {
  let n = 0;
  for (const o of options) n += o.type === 0 ? 1 : 2 + o.data.length;
  return n;
}

/** Appends Pad1/PadN so that options fill a whole hop-by-hop/destination header (2 + n is a multiple of 8). */
export function padIPv6Options(options: IPv6Option[]): IPv6Option[] {
  const gap = (8 - ((2 + optionsLength(options)) % 8)) % 8;
  if (gap === 0) return options;
  if (gap === 1) return [...options, { type: 0, data: new Uint8Array(0) }];
  return [...options, { type: 1, data: new Uint8Array(gap - 2) }];
}

/** Bytes an extension header takes on the wire. */
export function extensionLength(e: IPv6Extension): number {
  switch (e.type) {
    case 0:
    case 60:
      return 2 + optionsLength(e.options);
    case 43:
      return 4 + e.data.length;
    case 44:
      return 8;
    default:
      return 2 + e.data.length;
  }
}

function headerLength(value: IPv6Header): number {
  let n = IPV6.length;
  for (const e of value.extensions) n += extensionLength(e);
  return n;
}

/**
 * Throws unless `len` octets of an extension header at `at` fit before `end` (where the payload length says
 * the packet ends): TruncatedError when the buffer itself is shorter, otherwise the payload length is wrong.
 */
function extensionFits(
  buf: Uint8Array,
  at: number,
  len: number,
  end: number,
  field: string,
  fieldAt: number,
  offset: number,
  payloadLength: number,
): void {
  if (at + len <= end) return;
  if (at + len > buf.length) throw new TruncatedError(LAYER, field, fieldAt, len, buf.length - at);
  throw new InvalidFieldError(
    LAYER,
    'payloadLength',
    offset + 4,
    payloadLength,
    'extension headers run past it',
  );
}

/** Bytes `[start, end)` of `buf`: a copy, or with `view` a subarray. */
function bytesOf(buf: Uint8Array, start: number, end: number, view: boolean): Uint8Array {
  return view ? buf.subarray(start, end) : buf.slice(start, end);
}

function parseOptions(buf: Uint8Array, start: number, end: number, view: boolean): IPv6Option[] {
  const list: IPv6Option[] = [];
  let i = start;
  while (i < end) {
    const type = buf[i]!;
    if (type === 0) {
      list.push({ type, data: new Uint8Array(0) });
      i++;
      continue;
    }
    if (i + 1 >= end) throw new TruncatedError(LAYER, 'option.length', i + 1, 1, 0);
    const len = buf[i + 1]!;
    if (i + 2 + len > end)
      throw new InvalidFieldError(LAYER, 'option.length', i + 1, len, 'runs past the header');
    list.push({ type, data: bytesOf(buf, i + 2, i + 2 + len, view) });
    i += 2 + len;
  }
  return list;
}

function writeOptions(options: IPv6Option[], buf: Uint8Array, at: number): void {
  for (const o of options) {
    checkRange(LAYER, 'option.type', o.type, 0, 255);
    buf[at++] = o.type;
    if (o.type === 0) {
      if (o.data.length !== 0)
        throw new InvalidFieldError(LAYER, 'option.data', -1, o.data.length, 'Pad1 has no data');
      continue;
    }
    checkRange(LAYER, 'option.length', o.data.length, 0, 255);
    buf[at++] = o.data.length;
    buf.set(o.data, at);
    at += o.data.length;
  }
}

function checkExtension(e: IPv6Extension, i: number, last: boolean): number {
  const len = extensionLength(e);
  const f = `extensions[${i}]`;
  if (e.type === 44) {
    checkRange(LAYER, `${f}.fragmentOffset`, e.fragmentOffset, 0, 0x1fff);
    checkRange(LAYER, `${f}.identification`, e.identification, 0, 0xffffffff);
    // decode stops after a non-first fragment, so nothing may follow one
    if (e.fragmentOffset !== 0 && !last) {
      throw new InvalidFieldError(
        LAYER,
        f,
        -1,
        e.fragmentOffset,
        'a non-first fragment must be the last extension',
      );
    }
    return len;
  }
  if (e.type === 43) {
    checkRange(LAYER, `${f}.routingType`, e.routingType, 0, 255);
    checkRange(LAYER, `${f}.segmentsLeft`, e.segmentsLeft, 0, 255);
  }
  if (e.type === 51) {
    if (len % 4 !== 0 || len < 8 || len > 1028)
      throw new InvalidFieldError(LAYER, f, -1, len, 'AH length must be 8..1028, a multiple of 4');
    return len;
  }
  if (len % 8 !== 0 || len > 2048)
    throw new InvalidFieldError(LAYER, f, -1, len, 'length must be a multiple of 8, at most 2048');
  return len;
}

export const ipv6: HeaderCodec<IPv6Header, IPv6DecodeOptions> = {
  encodingLength: headerLength,

  encode(value: IPv6Header, buf?: Uint8Array, offset = 0): Uint8Array {
    checkRange(LAYER, 'trafficClass', value.trafficClass, 0, 255);
    checkRange(LAYER, 'flowLabel', value.flowLabel, 0, 0xfffff);
    checkRange(LAYER, 'payloadLength', value.payloadLength, 0, 0xffff);
    checkRange(LAYER, 'hopLimit', value.hopLimit, 0, 255);
    checkRange(LAYER, 'protocol', value.protocol, 0, 255);
    // The protocol after the chain must not itself read as an extension, or decode would walk on.
    if (isIPv6ExtensionHeader(value.protocol)) {
      const lastFrag = value.extensions.at(-1);
      if (!(lastFrag?.type === 44 && lastFrag.fragmentOffset !== 0)) {
        throw new InvalidFieldError(
          LAYER,
          'protocol',
          -1,
          value.protocol,
          'is an extension header type; add it to extensions',
        );
      }
    }
    const exts = value.extensions;
    let extLen = 0;
    for (const [i, e] of exts.entries()) extLen += checkExtension(e, i, i === exts.length - 1);
    // decode bounds the chain by the payload length (except for a jumbogram's zero), so encode does too
    const jumbo = value.payloadLength === 0 && exts[0]?.type === 0;
    if (!jumbo && value.payloadLength < extLen) {
      throw new InvalidFieldError(
        LAYER,
        'payloadLength',
        -1,
        value.payloadLength,
        `below the extension headers' ${extLen} octets`,
      );
    }
    const len = IPV6.length + extLen;
    const out = buf ?? new Uint8Array(len);
    need(out, offset, len, LAYER, 'buffer');
    const w0 = (0x6 << 28) | (value.trafficClass << 20) | value.flowLabel;
    out[offset] = w0 >>> 24;
    out[offset + 1] = (w0 >>> 16) & 0xff;
    out[offset + 2] = (w0 >>> 8) & 0xff;
    out[offset + 3] = w0 & 0xff;
    out[offset + 4] = value.payloadLength >> 8;
    out[offset + 5] = value.payloadLength & 0xff;
    out[offset + IPV6.nextHeader] = exts[0]?.type ?? value.protocol;
    out[offset + IPV6.hopLimit] = value.hopLimit;
    parseIPv6(value.src, out, offset + IPV6.src);
    parseIPv6(value.dst, out, offset + IPV6.dst);
    let at = offset + IPV6.length;
    for (const [i, e] of exts.entries()) {
      const next = exts[i + 1]?.type ?? value.protocol;
      const el = extensionLength(e);
      out[at] = next;
      switch (e.type) {
        case 0:
        case 60:
          out[at + 1] = el / 8 - 1;
          writeOptions(e.options, out, at + 2);
          break;
        case 43:
          out[at + 1] = el / 8 - 1;
          out[at + 2] = e.routingType;
          out[at + 3] = e.segmentsLeft;
          out.set(e.data, at + 4);
          break;
        case 44: {
          out[at + 1] = 0;
          const w = (e.fragmentOffset << 3) | (e.moreFragments ? 1 : 0);
          out[at + 2] = w >> 8;
          out[at + 3] = w & 0xff;
          out[at + 4] = e.identification >>> 24;
          out[at + 5] = (e.identification >>> 16) & 0xff;
          out[at + 6] = (e.identification >>> 8) & 0xff;
          out[at + 7] = e.identification & 0xff;
          break;
        }
        case 51:
          out[at + 1] = el / 4 - 2;
          out.set(e.data, at + 2);
          break;
        default:
          out[at + 1] = el / 8 - 1;
          out.set(e.data, at + 2);
      }
      at += el;
    }
    return out;
  },

  decode(buf: Uint8Array, offset = 0, opts?: IPv6DecodeOptions): Decoded<IPv6Header> {
    need(buf, offset, IPV6.length, LAYER, 'header');
    const version = buf[offset]! >> 4;
    if (version !== 6) throw new InvalidFieldError(LAYER, 'version', offset, version, 'not 6');
    const w0 =
      ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
    const payloadLength = (buf[offset + 4]! << 8) | buf[offset + 5]!;
    let next = buf[offset + IPV6.nextHeader]!;
    // A jumbogram (RFC 2675) has payload length 0 and its real length in a hop-by-hop option.
    const jumbo = payloadLength === 0 && next === 0;
    if (!jumbo && !opts?.allowTruncated && offset + IPV6.length + payloadLength > buf.length) {
      throw new TruncatedError(
        LAYER,
        'payloadLength',
        offset + 4,
        IPV6.length + payloadLength,
        buf.length - offset,
      );
    }
    const end = jumbo ? buf.length : Math.min(buf.length, offset + IPV6.length + payloadLength);
    const extensions: IPv6Extension[] = [];
    const view = opts?.view === true;
    let at = offset + IPV6.length;
    // Each extension header is at least 8 octets of a bounded range, so the walk ends.
    while (isIPv6ExtensionHeader(next)) {
      extensionFits(buf, at, 8, end, 'extension', at, offset, payloadLength);
      const type = next;
      next = buf[at]!;
      const el = type === 44 ? 8 : type === 51 ? (buf[at + 1]! + 2) * 4 : (buf[at + 1]! + 1) * 8;
      extensionFits(buf, at, el, end, 'extension.length', at + 1, offset, payloadLength);
      if (type === 0 || type === 60) {
        extensions.push({ type, options: parseOptions(buf, at + 2, at + el, view) });
      } else if (type === 43) {
        extensions.push({
          type,
          routingType: buf[at + 2]!,
          segmentsLeft: buf[at + 3]!,
          data: bytesOf(buf, at + 4, at + el, view),
        });
      } else if (type === 44) {
        const w = (buf[at + 2]! << 8) | buf[at + 3]!;
        const identification =
          ((buf[at + 4]! << 24) | (buf[at + 5]! << 16) | (buf[at + 6]! << 8) | buf[at + 7]!) >>> 0;
        const frag: IPv6Fragment = {
          type,
          fragmentOffset: w >> 3,
          moreFragments: (w & 1) !== 0,
          identification,
        };
        extensions.push(frag);
        at += el;
        if (frag.fragmentOffset !== 0) break;
        continue;
      } else {
        extensions.push({
          type: type as IPv6GenericExtension['type'],
          data: bytesOf(buf, at + 2, at + el, view),
        });
      }
      at += el;
    }
    return {
      value: {
        trafficClass: (w0 >>> 20) & 0xff,
        flowLabel: w0 & 0xfffff,
        payloadLength,
        hopLimit: buf[offset + IPV6.hopLimit]!,
        src: formatIPv6(buf, offset + IPV6.src),
        dst: formatIPv6(buf, offset + IPV6.dst),
        extensions,
        protocol: next,
      },
      length: at - offset,
    };
  },
};

/**
 * The upper-layer protocol and its absolute offset, walking the chain without building values (for
 * code that only needs to find the transport header). Throws like decode on a broken chain.
 */
export function ipv6UpperLayer(buf: Uint8Array, offset = 0): { protocol: number; offset: number } {
  need(buf, offset, IPV6.length, LAYER, 'header');
  let next = buf[offset + IPV6.nextHeader]!;
  let at = offset + IPV6.length;
  while (isIPv6ExtensionHeader(next)) {
    need(buf, at, 8, LAYER, 'extension');
    const type = next;
    next = buf[at]!;
    const el = type === 44 ? 8 : type === 51 ? (buf[at + 1]! + 2) * 4 : (buf[at + 1]! + 1) * 8;
    need(buf, at, el, LAYER, 'extension.length');
    at += el;
    if (type === 44 && ((buf[at - 6]! << 8) | buf[at - 5]!) >> 3 !== 0) break;
  }
  return { protocol: next, offset: at };
}

/** A whole IPv6 packet: the header and chain with payloadLength set from the payload, then the payload. */
export function ipv6Packet(header: Omit<IPv6Header, 'payloadLength'>, payload: Uint8Array): Uint8Array {
  const hl = headerLength({ ...header, payloadLength: 0 });
  const out = new Uint8Array(hl + payload.length);
  ipv6.encode({ ...header, payloadLength: out.length - IPV6.length }, out, 0);
  out.set(payload, hl);
  return out;
}

/**
 * The destination address that upper-layer checksums use (RFC 8200 section 8.1). With a Routing header
 * whose Segments Left is not zero the packet is not yet at its final destination, which is then the last
 * address of a type 0 (RFC 2460) header, the address of a type 2 (RFC 6275 section 6.4) header, or
 * Segment List[0] of a type 4 Segment Routing Header (RFC 8754 section 2). All three keep that address
 * 4 octets into the type-specific data (after the last in type 0). Otherwise it is the Destination Address.
 */
export function ipv6ChecksumDestination(h: Pick<IPv6Header, 'dst' | 'extensions'>): string {
  for (const e of h.extensions) {
    if (e.type !== 43 || e.segmentsLeft === 0) continue;
    if (e.routingType === 0 && e.data.length >= 20)
      return formatIPv6(e.data, 4 + 16 * Math.floor((e.data.length - 20) / 16));
    if ((e.routingType === 2 || e.routingType === 4) && e.data.length >= 20) return formatIPv6(e.data, 4);
  }
  return h.dst;
}
