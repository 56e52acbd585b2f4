// TCP header, RFC 9293 section 3.1; options from RFC 9293 3.2 (EOL, NOP, MSS), RFC 7323 (window scale,
// timestamps) and RFC 2018 (SACK-permitted, SACK). Checksum over the pseudo-header as for UDP.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Source Port          |       Destination Port        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                        Sequence Number                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Acknowledgment Number                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Data |       |C|E|U|A|P|R|S|F|                               |
//  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//  |       |       |R|E|G|K|H|T|N|N|                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Checksum            |         Urgent Pointer        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           [Options]                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Options are kept byte-exact: unknown kinds raw, and whatever follows an EOL up to the data offset kept as
// `padding`, so encode(decode(x)) reproduces x.
import { put32, u32 } from './bytes.js';
import { internetChecksum } from './checksum.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, RangeFieldError } from './errors.js';
import { IpProtocol } from './ip-protocol.js';
import { type PseudoHeader, pseudoHeaderSum } from './udp.js';

const LAYER = 'tcp';
export const TCP_MIN_HEADER_LENGTH = 20;
const MAX_OPTIONS = 40; // data offset is 4 bits of 32-bit words: 60 - 20

export interface TcpFlags {
  cwr: boolean;
  ece: boolean;
  urg: boolean;
  ack: boolean;
  psh: boolean;
  rst: boolean;
  syn: boolean;
  fin: boolean;
}

export interface SackBlock {
  left: number;
  right: number;
}

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; mss: number }
  | { kind: 'windowScale'; shift: number }
  | { kind: 'sackPermitted' }
  | { kind: 'sack'; blocks: SackBlock[] }
  | { kind: 'timestamps'; value: number; echo: number }
  /** Any other kind, or a known kind with a length it should not have: type byte and the bytes after length. */
  | { kind: 'unknown'; type: number; data: Uint8Array };

/** Option kind numbers (IANA "TCP Option Kind Numbers"). */
export const TcpOptionKind = {
  eol: 0,
  nop: 1,
  mss: 2,
  windowScale: 3,
  sackPermitted: 4,
  sack: 5,
  timestamps: 8,
} as const;

export interface Tcp {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Header length in 32-bit words; computed on encode when omitted (must match the options when given). */
  dataOffset?: number;
  /** The 4 reserved bits (12..15 of the fourth word), kept. */
  reserved?: number;
  flags: TcpFlags;
  window: number;
  /** Written as given when present; computed from the pseudo-header when omitted. */
  checksum?: number;
  /** Decode only: checksum verified against the pseudo-header; undefined when not checked. */
  checksumValid?: boolean | undefined;
  urgentPointer: number;
  options: TcpOption[];
  /** Bytes after an EOL option up to the data offset (should be zero), kept byte-exact. */
  padding?: Uint8Array;
}

export interface TcpEncodeOptions {
  pseudo?: PseudoHeader;
  /** Payload to copy after the header; without it the payload is whatever follows the header in `buf`. */
  payload?: Uint8Array;
}

export interface TcpDecodeOptions {
  pseudo?: PseudoHeader;
  /** Header plus payload bytes (the IP payload length); defaults to the rest of `buf`. */
  segmentLength?: number;
}

/** The flags byte as an object; one literal of fixed shape, no table walk or closure per call. */
export function tcpFlagsFromByte(b: number): TcpFlags {
  return {
    cwr: (b & 0x80) !== 0,
    ece: (b & 0x40) !== 0,
    urg: (b & 0x20) !== 0,
    ack: (b & 0x10) !== 0,
    psh: (b & 0x08) !== 0,
    rst: (b & 0x04) !== 0,
    syn: (b & 0x02) !== 0,
    fin: (b & 0x01) !== 0,
  };
}

export function tcpFlagsToByte(f: TcpFlags): number {
  return (
    (f.cwr ? 0x80 : 0) |
    (f.ece ? 0x40 : 0) |
    (f.urg ? 0x20 : 0) |
    (f.ack ? 0x10 : 0) |
    (f.psh ? 0x08 : 0) |
    (f.rst ? 0x04 : 0) |
    (f.syn ? 0x02 : 0) |
    (f.fin ? 0x01 : 0)
  );
}

function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'windowScale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamps':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
  }
}

function optionsLength(value: Tcp): number {
  let n = value.padding?.length ?? 0;
  for (const o of value.options) n += optionLength(o);
  return n;
}

function encodingLength(value: Tcp): number {
  return TCP_MIN_HEADER_LENGTH + ((optionsLength(value) + 3) & ~3);
}

function writeOption(o: TcpOption, buf: Uint8Array, at: number): number {
  const len = optionLength(o);
  switch (o.kind) {
    case 'eol':
      buf[at] = 0;
      return 1;
    case 'nop':
      buf[at] = 1;
      return 1;
    case 'mss':
      checkRange(LAYER, 'options.mss', o.mss, 0, 0xffff);
      buf.set([2, 4, o.mss >>> 8, o.mss & 0xff], at);
      return len;
    case 'windowScale':
      checkRange(LAYER, 'options.windowScale', o.shift, 0, 0xff);
      buf.set([3, 3, o.shift], at);
      return len;
    case 'sackPermitted':
      buf.set([4, 2], at);
      return len;
    case 'sack':
      buf.set([5, len], at);
      o.blocks.forEach((b, i) => {
        checkRange(LAYER, 'options.sack.left', b.left, 0, 0xffffffff);
        checkRange(LAYER, 'options.sack.right', b.right, 0, 0xffffffff);
        put32(buf, at + 2 + 8 * i, b.left);
        put32(buf, at + 6 + 8 * i, b.right);
      });
      return len;
    case 'timestamps':
      checkRange(LAYER, 'options.timestamps.value', o.value, 0, 0xffffffff);
      checkRange(LAYER, 'options.timestamps.echo', o.echo, 0, 0xffffffff);
      buf.set([8, 10], at);
      put32(buf, at + 2, o.value);
      put32(buf, at + 6, o.echo);
      return len;
    case 'unknown':
      checkRange(LAYER, 'options.type', o.type, 2, 0xff);
      buf.set([o.type, len], at);
      buf.set(o.data, at + 2);
      return len;
  }
}

/**
 * Writes the header at `offset`; options are padded with zero bytes (EOL) to a 32-bit boundary. The checksum
 * covers header plus payload (`opts.payload`, or the rest of `buf` after the header).
 */
function encode(value: Tcp, buf?: Uint8Array, offset = 0, opts: TcpEncodeOptions = {}): Uint8Array {
  checkRange(LAYER, 'srcPort', value.srcPort, 0, 0xffff);
  checkRange(LAYER, 'dstPort', value.dstPort, 0, 0xffff);
  checkRange(LAYER, 'seq', value.seq, 0, 0xffffffff);
  checkRange(LAYER, 'ack', value.ack, 0, 0xffffffff);
  checkRange(LAYER, 'window', value.window, 0, 0xffff);
  checkRange(LAYER, 'urgentPointer', value.urgentPointer, 0, 0xffff);
  checkRange(LAYER, 'reserved', value.reserved ?? 0, 0, 15);
  const optLen = optionsLength(value);
  checkRange(LAYER, 'options', optLen, 0, MAX_OPTIONS);
  const headerLength = encodingLength(value);
  if (value.dataOffset !== undefined && value.dataOffset * 4 !== headerLength) {
    throw new RangeFieldError(LAYER, 'dataOffset', value.dataOffset, headerLength / 4, headerLength / 4);
  }
  const payloadLength = opts.payload?.length ?? (buf ? Math.max(0, buf.length - offset - headerLength) : 0);
  const out = buf ?? new Uint8Array(headerLength + payloadLength);
  if (offset < 0 || offset + headerLength + payloadLength > out.length) {
    throw new RangeFieldError(LAYER, 'offset', offset, 0, out.length - headerLength - payloadLength);
  }
  if (opts.payload) out.set(opts.payload, offset + headerLength);
  out[offset] = value.srcPort >>> 8;
  out[offset + 1] = value.srcPort & 0xff;
  out[offset + 2] = value.dstPort >>> 8;
  out[offset + 3] = value.dstPort & 0xff;
  put32(out, offset + 4, value.seq);
  put32(out, offset + 8, value.ack);
  out[offset + 12] = ((headerLength / 4) << 4) | (value.reserved ?? 0);
  out[offset + 13] = tcpFlagsToByte(value.flags);
  out[offset + 14] = value.window >>> 8;
  out[offset + 15] = value.window & 0xff;
  out[offset + 16] = 0;
  out[offset + 17] = 0;
  out[offset + 18] = value.urgentPointer >>> 8;
  out[offset + 19] = value.urgentPointer & 0xff;
  let at = offset + TCP_MIN_HEADER_LENGTH;
  for (const o of value.options) at += writeOption(o, out, at);
  if (value.padding) {
    out.set(value.padding, at);
    at += value.padding.length;
  }
  out.fill(0, at, offset + headerLength);
  let checksum = value.checksum;
  if (checksum === undefined) {
    const segment = headerLength + payloadLength;
    checksum = opts.pseudo
      ? internetChecksum(out, offset, segment, pseudoHeaderSum(opts.pseudo, IpProtocol.TCP, segment))
      : 0;
  } else {
    checkRange(LAYER, 'checksum', checksum, 0, 0xffff);
  }
  out[offset + 16] = checksum >>> 8;
  out[offset + 17] = checksum & 0xff;
  return out;
}

/**
 * Parses the options in [start, end) into `value.options`; bytes after an EOL become `value.padding`.
 * Writes into the value being built, so decoding a header without options allocates only its empty list.
 */
function decodeOptions(buf: Uint8Array, start: number, end: number, value: Tcp): void {
  const options = value.options;
  let at = start;
  while (at < end) {
    const type = buf[at]!;
    if (type === 0) {
      options.push({ kind: 'eol' });
      at++;
      if (at < end) value.padding = buf.slice(at, end);
      return;
    }
    if (type === 1) {
      options.push({ kind: 'nop' });
      at++;
      continue;
    }
    if (at + 1 >= end)
      throw new InvalidFieldError(LAYER, 'options.length', at + 1, type, 'option runs past the data offset');
    const len = buf[at + 1]!;
    if (len < 2) throw new InvalidFieldError(LAYER, 'options.length', at + 1, len, 'option length below 2');
    if (at + len > end)
      throw new InvalidFieldError(LAYER, 'options.length', at + 1, len, 'option runs past the data offset');
    const d = at + 2;
    if (type === 2 && len === 4) options.push({ kind: 'mss', mss: (buf[d]! << 8) | buf[d + 1]! });
    else if (type === 3 && len === 3) options.push({ kind: 'windowScale', shift: buf[d]! });
    else if (type === 4 && len === 2) options.push({ kind: 'sackPermitted' });
    else if (type === 5 && len > 2 && (len - 2) % 8 === 0) {
      const blocks: SackBlock[] = [];
      for (let b = d; b < at + len; b += 8) blocks.push({ left: u32(buf, b), right: u32(buf, b + 4) });
      options.push({ kind: 'sack', blocks });
    } else if (type === 8 && len === 10)
      options.push({ kind: 'timestamps', value: u32(buf, d), echo: u32(buf, d + 4) });
    else options.push({ kind: 'unknown', type, data: buf.slice(d, at + len) });
    at += len;
  }
}

/** Reads the header and options; with a pseudo-header verifies the checksum over `segmentLength` bytes. */
function decode(buf: Uint8Array, offset = 0, opts: TcpDecodeOptions = {}): Decoded<Tcp> {
  need(buf, offset, TCP_MIN_HEADER_LENGTH, LAYER, 'header');
  const dataOffset = buf[offset + 12]! >>> 4;
  const headerLength = dataOffset * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH) {
    throw new InvalidFieldError(LAYER, 'dataOffset', offset + 12, dataOffset, 'below the minimum of 5 words');
  }
  need(buf, offset, headerLength, LAYER, 'options');
  const value: Tcp = {
    srcPort: (buf[offset]! << 8) | buf[offset + 1]!,
    dstPort: (buf[offset + 2]! << 8) | buf[offset + 3]!,
    seq: u32(buf, offset + 4),
    ack: u32(buf, offset + 8),
    dataOffset,
    reserved: buf[offset + 12]! & 0x0f,
    flags: tcpFlagsFromByte(buf[offset + 13]!),
    window: (buf[offset + 14]! << 8) | buf[offset + 15]!,
    checksum: (buf[offset + 16]! << 8) | buf[offset + 17]!,
    checksumValid: undefined,
    urgentPointer: (buf[offset + 18]! << 8) | buf[offset + 19]!,
    options: [],
  };
  // Options first, so a bad option is reported before a short segment, as always.
  decodeOptions(buf, offset + TCP_MIN_HEADER_LENGTH, offset + headerLength, value);
  if (opts.pseudo) {
    const segment = opts.segmentLength ?? buf.length - offset;
    if (segment < headerLength)
      throw new InvalidFieldError(LAYER, 'segmentLength', offset, segment, 'shorter than the header');
    need(buf, offset, segment, LAYER, 'payload');
    value.checksumValid =
      internetChecksum(buf, offset, segment, pseudoHeaderSum(opts.pseudo, IpProtocol.TCP, segment)) === 0;
  }
  return { value, length: headerLength };
}

/** TCP header codec. `encode`/`decode` take an optional last argument with the pseudo-header. */
export const tcp = { encodingLength, encode, decode } satisfies HeaderCodec<Tcp, TcpDecodeOptions>;
