// DHCPv4 message, RFC 2131 section 2 (the BOOTP fixed part of RFC 951) with the magic cookie and options
// of RFC 2131 section 3 / RFC 2132. Carried on UDP, server port 67, client port 68.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +---------------+---------------+---------------+---------------+
//  |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//  +---------------+---------------+---------------+---------------+
//  |                            xid (4)                            |
//  +-------------------------------+-------------------------------+
//  |           secs (2)            |B|        flags (2)            |
//  +-------------------------------+-------------------------------+
//  |                          ciaddr  (4)                          |
//  |                          yiaddr  (4)                          |
//  |                          siaddr  (4)                          |
//  |                          giaddr  (4)                          |
//  +---------------------------------------------------------------+
//  |                          chaddr  (16)                         |
//  |                          sname   (64)                         |
//  |                          file    (128)                        |
//  +---------------------------------------------------------------+
//  |                  magic cookie 99.130.83.99 (4)                |
//  +---------------------------------------------------------------+
//  |                          options  (variable)                  |
//  +---------------------------------------------------------------+
//
// The fixed part is described declaratively with binary-parser (its size is checked first, so the parser
// cannot run off the end). sname and file are kept as Latin-1 text with trailing NULs trimmed, which
// round-trips every byte; when option 52 (overload) says they carry options, `dhcpOverloadOptions` reads them.
// binary-parser's `exports` map hides its typings from NodeNext resolution; its CommonJS entry carries them.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { formatHexBytes, uint32ToIPv4 } from './address.js';
import type { Decoded, HeaderCodec } from './codec.js';
import {
  type DhcpOption,
  decodeDhcpOptions,
  encodeDhcpOptions,
  ipv4TextBytes,
  latin1,
  latin1Bytes,
} from './dhcp-options.js';
import { checkRange, InvalidFieldError, need, RangeFieldError } from './errors.js';

const LAYER = 'dhcpv4';
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** BOOTP fixed part plus magic cookie. */
export const DHCP_FIXED_LENGTH = 240;
const SNAME_AT = 44;
const FILE_AT = 108;
const BROADCAST = 0x8000;

export interface Dhcpv4 {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** Hardware address type, 1 for Ethernet. */
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  /** The B flag: the client asks for broadcast replies. */
  broadcast: boolean;
  /** The other 15 flag bits (must be zero), kept. */
  flags?: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Client hardware address as colon hex, e.g. `52:54:00:12:34:56`; the rest of the 16 bytes is zero. */
  chaddr: string;
  /** Server host name field as Latin-1, trailing NULs trimmed (64 bytes on the wire). */
  sname: string;
  /** Boot file name field as Latin-1, trailing NULs trimmed (128 bytes on the wire). */
  file: string;
  options: DhcpOption[];
  /** Bytes after the End option (usually zero padding up to the 300-byte BOOTP minimum), kept. */
  trailer?: Uint8Array;
}

interface Fixed {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  chaddr: Uint8Array;
  sname: Uint8Array;
  file: Uint8Array;
  cookie: number;
}

const fixedParser = new Parser()
  .endianness('big')
  .uint8('op')
  .uint8('htype')
  .uint8('hlen')
  .uint8('hops')
  .uint32('xid')
  .uint16('secs')
  .uint16('flags')
  .uint32('ciaddr')
  .uint32('yiaddr')
  .uint32('siaddr')
  .uint32('giaddr')
  .buffer('chaddr', { length: 16 })
  .buffer('sname', { length: 64 })
  .buffer('file', { length: 128 })
  .uint32('cookie');

function trimmedEnd(b: Uint8Array): number {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return end;
}

function chaddrText(b: Uint8Array, hlen: number): string {
  const n = Math.max(Math.min(hlen, 16), trimmedEnd(b));
  return formatHexBytes(b, 0, n);
}

function chaddrBytes(text: string): number[] {
  if (text === '') return [];
  const parts = text.split(/[:-]/);
  if (parts.length > 16 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new InvalidFieldError(LAYER, 'chaddr', -1, text, 'not up to 16 colon-separated hex bytes');
  }
  return parts.map((p) => Number.parseInt(p, 16));
}

function encodingLength(value: Dhcpv4): number {
  return DHCP_FIXED_LENGTH + encodeDhcpOptions(value.options, value.trailer).length;
}

function encode(value: Dhcpv4, buf?: Uint8Array, offset = 0): Uint8Array {
  for (const f of ['op', 'htype', 'hlen', 'hops'] as const) checkRange(LAYER, f, value[f], 0, 0xff);
  checkRange(LAYER, 'xid', value.xid, 0, 0xffffffff);
  checkRange(LAYER, 'secs', value.secs, 0, 0xffff);
  const flags = value.flags ?? 0;
  checkRange(LAYER, 'flags', flags, 0, 0x7fff);
  const options = encodeDhcpOptions(value.options, value.trailer);
  const total = DHCP_FIXED_LENGTH + options.length;
  const out = buf ?? new Uint8Array(total);
  if (offset < 0 || offset + total > out.length)
    throw new RangeFieldError(LAYER, 'offset', offset, 0, out.length - total);
  out.fill(0, offset, offset + DHCP_FIXED_LENGTH);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[offset] = value.op;
  out[offset + 1] = value.htype;
  out[offset + 2] = value.hlen;
  out[offset + 3] = value.hops;
  dv.setUint32(offset + 4, value.xid);
  dv.setUint16(offset + 8, value.secs);
  dv.setUint16(offset + 10, (value.broadcast ? BROADCAST : 0) | flags);
  out.set(ipv4TextBytes(value.ciaddr, 'ciaddr'), offset + 12);
  out.set(ipv4TextBytes(value.yiaddr, 'yiaddr'), offset + 16);
  out.set(ipv4TextBytes(value.siaddr, 'siaddr'), offset + 20);
  out.set(ipv4TextBytes(value.giaddr, 'giaddr'), offset + 24);
  out.set(chaddrBytes(value.chaddr), offset + 28);
  const sname = latin1Bytes(value.sname, 'sname');
  const file = latin1Bytes(value.file, 'file');
  if (sname.length > 64) throw new RangeFieldError(LAYER, 'sname', sname.length, 0, 64);
  if (file.length > 128) throw new RangeFieldError(LAYER, 'file', file.length, 0, 128);
  out.set(sname, offset + SNAME_AT);
  out.set(file, offset + FILE_AT);
  dv.setUint32(offset + 236, DHCP_MAGIC_COOKIE);
  out.set(options, offset + DHCP_FIXED_LENGTH);
  return out;
}

export interface Dhcpv4DecodeOptions {
  /** Message bytes (the UDP payload length, without link-layer padding); defaults to the rest of `buf`. */
  length?: number;
}

/** Decodes a whole DHCP message: `opts.length` bytes from `offset`, or to the end of `buf`. */
function decode(buf: Uint8Array, offset = 0, opts: Dhcpv4DecodeOptions = {}): Decoded<Dhcpv4> {
  need(buf, offset, DHCP_FIXED_LENGTH, LAYER, 'fixed');
  const end = opts.length === undefined ? buf.length : offset + opts.length;
  if (opts.length !== undefined) {
    if (opts.length < DHCP_FIXED_LENGTH)
      throw new InvalidFieldError(LAYER, 'length', offset, opts.length, 'shorter than the fixed part');
    need(buf, offset, opts.length, LAYER, 'options');
  }
  const f = fixedParser.parse(buf.subarray(offset, offset + DHCP_FIXED_LENGTH)) as Fixed;
  if (f.cookie !== DHCP_MAGIC_COOKIE) {
    throw new InvalidFieldError(
      LAYER,
      'magicCookie',
      offset + 236,
      f.cookie,
      'not the DHCP magic cookie 99.130.83.99',
    );
  }
  const { options, trailer } = decodeDhcpOptions(buf, offset + DHCP_FIXED_LENGTH, end);
  const value: Dhcpv4 = {
    op: f.op,
    htype: f.htype,
    hlen: f.hlen,
    hops: f.hops,
    xid: f.xid,
    secs: f.secs,
    broadcast: (f.flags & BROADCAST) !== 0,
    flags: f.flags & 0x7fff,
    ciaddr: uint32ToIPv4(f.ciaddr),
    yiaddr: uint32ToIPv4(f.yiaddr),
    siaddr: uint32ToIPv4(f.siaddr),
    giaddr: uint32ToIPv4(f.giaddr),
    chaddr: chaddrText(f.chaddr, f.hlen),
    sname: latin1(f.sname, 0, trimmedEnd(f.sname)),
    file: latin1(f.file, 0, trimmedEnd(f.file)),
    options,
  };
  if (trailer) value.trailer = trailer;
  return { value, length: end - offset };
}

/** DHCPv4 message codec (fixed part, magic cookie, options). */
export const dhcpv4 = { encodingLength, encode, decode } satisfies HeaderCodec<Dhcpv4, Dhcpv4DecodeOptions>;

/** RFC 1542 section 2.1: BOOTP relays and old clients expect messages of at least 300 octets. */
export const BOOTP_MIN_LENGTH = 300;

/**
 * The message with zero bytes after its End option (added when missing) so that it encodes to at least
 * `min` bytes; a message already that long is returned unchanged.
 */
export function dhcpPadded(msg: Dhcpv4, min = BOOTP_MIN_LENGTH): Dhcpv4 {
  const hasEnd = msg.options.some((o) => o.kind === 'end');
  const options: DhcpOption[] = hasEnd ? msg.options : [...msg.options, { kind: 'end' }];
  const length = DHCP_FIXED_LENGTH + encodeDhcpOptions(options, msg.trailer).length;
  if (length >= min) return hasEnd ? msg : { ...msg, options };
  const trailer = new Uint8Array((msg.trailer?.length ?? 0) + min - length);
  if (msg.trailer) trailer.set(msg.trailer);
  return { ...msg, options, trailer };
}

/**
 * RFC 2131 section 4.1 / RFC 2132 section 9.3: when option 52 is present, the file (1), sname (2) or both (3)
 * fields hold more options. Returns them, read from the fields as they were on the wire (`msgOffset` is the
 * message's offset in the original buffer, so errors name absolute offsets).
 */
export function dhcpOverloadOptions(
  msg: Dhcpv4,
  msgOffset = 0,
): { file?: DhcpOption[]; sname?: DhcpOption[] } {
  const o = msg.options.find((x) => x.kind === 'overload');
  const which = o?.kind === 'overload' ? o.value : 0;
  const out: { file?: DhcpOption[]; sname?: DhcpOption[] } = {};
  const read = (text: string, size: number, at: number) => {
    const bytes = new Uint8Array(at + size);
    bytes.set(latin1Bytes(text, 'overload').slice(0, size), at);
    return decodeDhcpOptions(bytes, at, at + size).options;
  };
  if (which === 1 || which === 3) out.file = read(msg.file, 128, msgOffset + FILE_AT);
  if (which === 2 || which === 3) out.sname = read(msg.sname, 64, msgOffset + SNAME_AT);
  return out;
}
