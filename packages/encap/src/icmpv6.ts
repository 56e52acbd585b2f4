// ICMPv6, RFC 4443 section 2.1 (message format), 2.3 (checksum over the RFC 8200 section 8.1 pseudo-header),
// 4.1/4.2 (echo); Neighbor Discovery, RFC 4861 sections 4.1-4.4 (RS, RA, NS, NA) and 4.6 (options).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |     Code      |          Checksum             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  Echo (128/129):            |   Identifier   |   Sequence Number   | data ...
//  Router Solicitation (133): |            Reserved                  | options ...
//  Router Advert. (134):      | Cur Hop Limit |M|O|flags| Router Lifetime |
//                             |   Reachable Time (32)  |  Retrans Timer (32) | options ...
//  Neighbor Solicit. (135):   |            Reserved                  | Target Address (128) | options ...
//  Neighbor Advert. (136):    |R|S|O|        Reserved                | Target Address (128) | options ...
//
// ND option (RFC 4861 section 4.6), length in units of 8 octets counting type and length, never 0:
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |    Length     |  Link-Layer Address (1: source, 2: target) / data ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The checksum covers the pseudo-header (source, destination, upper-layer length, next header 58), so
// encode and decode take the addresses, or their one's-complement sum, as `IPv6PseudoHeader`.
import { formatIPv6, formatMac, parseIPv6, parseMac } from './address.js';
import { fold16, put32, u32 } from './bytes.js';
import { internetChecksum, onesSum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, TruncatedError } from './errors.js';

export const ICMPv6Type = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  Redirect: 137,
} as const;

export const NdOptionType = {
  SourceLinkLayerAddress: 1,
  TargetLinkLayerAddress: 2,
  PrefixInformation: 3,
  RedirectedHeader: 4,
  MTU: 5,
} as const;

/** Source (1) or target (2) link-layer address option carrying a 6-octet MAC (length 1). */
export interface NdLinkLayerOption {
  type: 1 | 2;
  linkLayerAddress: string;
}
/** Any other option: the octets after type and length ((2 + data.length) is a multiple of 8). */
export interface NdRawOption {
  type: number;
  data: Uint8Array;
}
export type NdOption = NdLinkLayerOption | NdRawOption;

interface ICMPv6Common {
  type: number;
  code: number;
  /** Written as is when given (to build bad packets); computed from the pseudo-header when absent or undefined. */
  checksum?: number | undefined;
}
export interface ICMPv6Echo extends ICMPv6Common {
  kind: 'echo';
  identifier: number;
  sequence: number;
  data: Uint8Array;
}
/**
 * The reserved bits of RS, NS and NA must be sent as zero and ignored on receipt (RFC 4861); decode keeps
 * them here only when they are not zero, so that a message re-encodes to the same bytes and checksum.
 */
interface Reserved {
  reserved?: number;
}
export interface ICMPv6RouterSolicitation extends ICMPv6Common, Reserved {
  kind: 'routerSolicitation';
  options: NdOption[];
}
export interface ICMPv6RouterAdvertisement extends ICMPv6Common {
  kind: 'routerAdvertisement';
  curHopLimit: number;
  /** M: addresses are available via DHCPv6. */
  managed: boolean;
  /** O: other configuration is available via DHCPv6. */
  other: boolean;
  /** The low 6 flag bits (home agent, RFC 4191 preference, ...), 0..63. */
  extraFlags: number;
  routerLifetime: number;
  reachableTime: number;
  retransTimer: number;
  options: NdOption[];
}
export interface ICMPv6NeighborSolicitation extends ICMPv6Common, Reserved {
  kind: 'neighborSolicitation';
  target: string;
  options: NdOption[];
}
export interface ICMPv6NeighborAdvertisement extends ICMPv6Common, Reserved {
  kind: 'neighborAdvertisement';
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: string;
  options: NdOption[];
}
/** Any other type (errors, redirect, MLD, ...): everything after the checksum, raw. */
export interface ICMPv6Raw extends ICMPv6Common {
  kind: 'raw';
  body: Uint8Array;
}
export type ICMPv6Message =
  | ICMPv6Echo
  | ICMPv6RouterSolicitation
  | ICMPv6RouterAdvertisement
  | ICMPv6NeighborSolicitation
  | ICMPv6NeighborAdvertisement
  | ICMPv6Raw;

/** The decoded message: the checksum read and, when a pseudo-header was given, whether it verified. */
export type ICMPv6Decoded = ICMPv6Message & { checksum: number; checksumValid?: boolean };

/** The IPv6 source and destination as text, or the one's-complement sum of their 32 octets. */
export type IPv6PseudoHeader = { src: string; dst: string } | { addressSum: number };

export interface ICMPv6DecodeOptions {
  /** Message length (IPv6 upper-layer length); default: to the end of the buffer. */
  length?: number;
  /** Needed to verify the checksum; without it `checksumValid` is absent. */
  pseudoHeader?: IPv6PseudoHeader;
}

const LAYER = 'icmpv6';
const KIND_TYPES: Record<ICMPv6Message['kind'], readonly number[] | undefined> = {
  echo: [128, 129],
  routerSolicitation: [133],
  routerAdvertisement: [134],
  neighborSolicitation: [135],
  neighborAdvertisement: [136],
  raw: undefined,
};

/** One's-complement sum of the pseudo-header for an ICMPv6 message of `length` octets. */
export function icmpv6PseudoSum(ph: IPv6PseudoHeader, length: number): number {
  let sum: number;
  if ('addressSum' in ph) {
    sum = ph.addressSum;
  } else {
    const a = new Uint8Array(32);
    parseIPv6(ph.src, a, 0);
    parseIPv6(ph.dst, a, 16);
    sum = onesSum(a, 0, 32);
  }
  sum += (length >>> 16) + (length & 0xffff) + 58;
  return fold16(sum);
}

function optionsLength(options: NdOption[]): number {
  let n = 0;
  for (const o of options) n += 'linkLayerAddress' in o ? 8 : 2 + o.data.length;
  return n;
}

function bodyLength(v: ICMPv6Message): number {
  switch (v.kind) {
    case 'echo':
      return 4 + v.data.length;
    case 'routerSolicitation':
      return 4 + optionsLength(v.options);
    case 'routerAdvertisement':
      return 12 + optionsLength(v.options);
    case 'neighborSolicitation':
    case 'neighborAdvertisement':
      return 20 + optionsLength(v.options);
    case 'raw':
      return v.body.length;
  }
}

function writeOptions(options: NdOption[], buf: Uint8Array, at: number): void {
  for (const [i, o] of options.entries()) {
    checkRange(LAYER, `options[${i}].type`, o.type, 0, 255);
    if ('linkLayerAddress' in o) {
      buf[at] = o.type;
      buf[at + 1] = 1;
      parseMac(o.linkLayerAddress, buf, at + 2);
      at += 8;
      continue;
    }
    const len = 2 + o.data.length;
    if (len % 8 !== 0 || len > 255 * 8) {
      throw new InvalidFieldError(
        LAYER,
        `options[${i}].data`,
        -1,
        o.data.length,
        '2 + length must be a multiple of 8',
      );
    }
    buf[at] = o.type;
    buf[at + 1] = len / 8;
    buf.set(o.data, at + 2);
    at += len;
  }
}

function parseOptions(buf: Uint8Array, start: number, end: number): NdOption[] {
  const list: NdOption[] = [];
  let at = start;
  while (at < end) {
    if (at + 2 > end) throw new TruncatedError(LAYER, 'option', at, 2, end - at);
    const type = buf[at]!;
    const units = buf[at + 1]!;
    // RFC 4861 section 4.6: a zero length would never advance, and such packets must be discarded.
    if (units === 0) throw new InvalidFieldError(LAYER, 'option.length', at + 1, 0, 'zero');
    const len = units * 8;
    if (at + len > end) throw new TruncatedError(LAYER, 'option.length', at + 1, len, end - at);
    if ((type === 1 || type === 2) && units === 1)
      list.push({ type, linkLayerAddress: formatMac(buf, at + 2) });
    else list.push({ type, data: buf.slice(at + 2, at + len) });
    at += len;
  }
  return list;
}

/** The icmpv6 codec: HeaderCodec whose decode returns the richer decoded value. */
export interface ICMPv6Codec extends HeaderCodec<ICMPv6Message, ICMPv6DecodeOptions> {
  encode(
    value: ICMPv6Message,
    buf?: Uint8Array,
    offset?: number,
    pseudoHeader?: IPv6PseudoHeader,
  ): Uint8Array;
  decode(buf: Uint8Array, offset?: number, opts?: ICMPv6DecodeOptions): Decoded<ICMPv6Decoded>;
}

export const icmpv6: ICMPv6Codec = {
  encodingLength(value: ICMPv6Message): number {
    return 4 + bodyLength(value);
  },

  encode(value: ICMPv6Message, buf?: Uint8Array, offset = 0, pseudoHeader?: IPv6PseudoHeader): Uint8Array {
    checkRange(LAYER, 'type', value.type, 0, 255);
    checkRange(LAYER, 'code', value.code, 0, 255);
    const types = KIND_TYPES[value.kind];
    if (types && !types.includes(value.type)) {
      throw new InvalidFieldError(
        LAYER,
        'type',
        -1,
        value.type,
        `${value.kind} is type ${types.join(' or ')}`,
      );
    }
    if (value.checksum !== undefined) checkRange(LAYER, 'checksum', value.checksum, 0, 0xffff);
    else if (!pseudoHeader)
      throw new InvalidFieldError(
        LAYER,
        'checksum',
        -1,
        'absent',
        'computing it needs the IPv6 pseudo-header',
      );
    const len = 4 + bodyLength(value);
    const out = buf ?? new Uint8Array(len);
    need(out, offset, len, LAYER, 'buffer');
    out[offset] = value.type;
    out[offset + 1] = value.code;
    out[offset + 2] = 0;
    out[offset + 3] = 0;
    const b = offset + 4;
    switch (value.kind) {
      case 'echo':
        checkRange(LAYER, 'identifier', value.identifier, 0, 0xffff);
        checkRange(LAYER, 'sequence', value.sequence, 0, 0xffff);
        out[b] = value.identifier >> 8;
        out[b + 1] = value.identifier & 0xff;
        out[b + 2] = value.sequence >> 8;
        out[b + 3] = value.sequence & 0xff;
        out.set(value.data, b + 4);
        break;
      case 'routerSolicitation':
        checkRange(LAYER, 'reserved', value.reserved ?? 0, 0, 0xffffffff);
        put32(out, b, value.reserved ?? 0);
        writeOptions(value.options, out, b + 4);
        break;
      case 'routerAdvertisement':
        checkRange(LAYER, 'curHopLimit', value.curHopLimit, 0, 255);
        checkRange(LAYER, 'extraFlags', value.extraFlags, 0, 63);
        checkRange(LAYER, 'routerLifetime', value.routerLifetime, 0, 0xffff);
        checkRange(LAYER, 'reachableTime', value.reachableTime, 0, 0xffffffff);
        checkRange(LAYER, 'retransTimer', value.retransTimer, 0, 0xffffffff);
        out[b] = value.curHopLimit;
        out[b + 1] = (value.managed ? 0x80 : 0) | (value.other ? 0x40 : 0) | value.extraFlags;
        out[b + 2] = value.routerLifetime >> 8;
        out[b + 3] = value.routerLifetime & 0xff;
        put32(out, b + 4, value.reachableTime);
        put32(out, b + 8, value.retransTimer);
        writeOptions(value.options, out, b + 12);
        break;
      case 'neighborSolicitation':
      case 'neighborAdvertisement': {
        const na = value.kind === 'neighborAdvertisement';
        checkRange(LAYER, 'reserved', value.reserved ?? 0, 0, na ? 0x1fffffff : 0xffffffff);
        const flags = na
          ? (value.router ? 0x80 : 0) | (value.solicited ? 0x40 : 0) | (value.override ? 0x20 : 0)
          : 0;
        put32(out, b, ((flags << 24) | (value.reserved ?? 0)) >>> 0);
        parseIPv6(value.target, out, b + 4);
        writeOptions(value.options, out, b + 20);
        break;
      }
      case 'raw':
        out.set(value.body, b);
        break;
    }
    const sum = value.checksum ?? internetChecksum(out, offset, len, icmpv6PseudoSum(pseudoHeader!, len));
    out[offset + 2] = sum >> 8;
    out[offset + 3] = sum & 0xff;
    return out;
  },

  decode(buf: Uint8Array, offset = 0, opts?: ICMPv6DecodeOptions): Decoded<ICMPv6Decoded> {
    const len = opts?.length ?? buf.length - offset;
    need(buf, offset, 4, LAYER, 'header');
    if (len < 4) throw new InvalidFieldError(LAYER, 'length', offset, len, 'below the 4-octet header');
    need(buf, offset, len, LAYER, 'body');
    const end = offset + len;
    const type = buf[offset]!;
    const b = offset + 4;
    const head = { type, code: buf[offset + 1]!, checksum: (buf[offset + 2]! << 8) | buf[offset + 3]! };
    const ph = opts?.pseudoHeader;
    const valid = ph
      ? { checksumValid: internetChecksum(buf, offset, len, icmpv6PseudoSum(ph, len)) === 0 }
      : {};
    // Non-zero reserved bits are kept (see Reserved) so that the message re-encodes to the same bytes.
    const reserved = (mask: number): { reserved?: number } => {
      const r = (u32(buf, b) & mask) >>> 0;
      return r === 0 ? {} : { reserved: r };
    };
    const min = (n: number, field: string): void => {
      if (len < 4 + n) throw new TruncatedError(LAYER, field, b, n, len - 4);
    };
    let value: ICMPv6Decoded;
    switch (type) {
      case 128:
      case 129:
        min(4, 'identifier');
        value = {
          kind: 'echo',
          ...head,
          ...valid,
          identifier: (buf[b]! << 8) | buf[b + 1]!,
          sequence: (buf[b + 2]! << 8) | buf[b + 3]!,
          data: buf.slice(b + 4, end),
        };
        break;
      case 133:
        min(4, 'reserved');
        value = {
          kind: 'routerSolicitation',
          ...head,
          ...valid,
          ...reserved(0xffffffff),
          options: parseOptions(buf, b + 4, end),
        };
        break;
      case 134: {
        min(12, 'retransTimer');
        const f = buf[b + 1]!;
        value = {
          kind: 'routerAdvertisement',
          ...head,
          ...valid,
          curHopLimit: buf[b]!,
          managed: (f & 0x80) !== 0,
          other: (f & 0x40) !== 0,
          extraFlags: f & 0x3f,
          routerLifetime: (buf[b + 2]! << 8) | buf[b + 3]!,
          reachableTime: u32(buf, b + 4),
          retransTimer: u32(buf, b + 8),
          options: parseOptions(buf, b + 12, end),
        };
        break;
      }
      case 135:
        min(20, 'target');
        value = {
          kind: 'neighborSolicitation',
          ...head,
          ...valid,
          ...reserved(0xffffffff),
          target: formatIPv6(buf, b + 4),
          options: parseOptions(buf, b + 20, end),
        };
        break;
      case 136: {
        min(20, 'target');
        const f = buf[b]!;
        value = {
          kind: 'neighborAdvertisement',
          ...head,
          ...valid,
          ...reserved(0x1fffffff),
          router: (f & 0x80) !== 0,
          solicited: (f & 0x40) !== 0,
          override: (f & 0x20) !== 0,
          target: formatIPv6(buf, b + 4),
          options: parseOptions(buf, b + 20, end),
        };
        break;
      }
      default:
        value = { kind: 'raw', ...head, ...valid, body: buf.slice(b, end) };
    }
    return { value, length: len };
  },
};
