// pcapng capture files (draft-ietf-opsawg-pcapng section 3 and 4): a sequence of blocks, each
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          Block Type                           |
//   |                      Block Total Length                       |
//   /                          Block Body                           /
//   |                      Block Total Length                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A Section Header Block (0x0A0D0D0A, byte-order magic 0x1A2B3C4D in the writer's order) opens each section
// and sets its byte order; Interface Description Blocks (1) give each interface its link type, snaplen and
// timestamp resolution (if_tsresol, option 9) and offset (if_tsoffset, option 14); packets come in
// Enhanced Packet Blocks (6), Simple Packet Blocks (3, interface 0, no timestamp) or the obsolete Packet
// Block (2). Other blocks (name resolution, statistics, custom, ...) are skipped.

import { u16e, u32e } from './bytes.js';
import { FormatError, InvalidFieldError, TruncatedError } from './errors.js';
import {
  type CapturedPacket,
  type CaptureReadOptions,
  ChunkQueue,
  DEFAULT_MAX_RECORD,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  pcapFromQueue,
  pcapPackets,
} from './pcap.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PcapngBlockType = {
  interface: 1,
  packet: 2,
  simplePacket: 3,
  enhancedPacket: 6,
  section: PCAPNG_SHB,
} as const;

/** An interface of the current section, as its IDB described it. */
export interface PcapngInterface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per second: 10^n or 2^n (if_tsresol; default 10^6). */
  unitsPerSecond: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  offsetSeconds: bigint;
}

/** Parser state across blocks: byte order and the interfaces of the current section. */
class Section {
  littleEndian = true;
  interfaces: PcapngInterface[] = [];
}

const NS = 1_000_000_000n;

/**
 * Handles one whole block (`b`, starting at its type; `at` is its file offset for errors). Returns the
 * packet it carries, or undefined for other blocks.
 */
function block(b: Uint8Array, at: number, s: Section): CapturedPacket | undefined {
  // Byte reads, not a DataView per block.
  const le = s.littleEndian;
  const type = u32e(b, 0, le);
  const len = b.length;
  if (u32e(b, len - 4, le) !== len) {
    throw new InvalidFieldError(
      'pcapng',
      'trailingBlockLength',
      at + len - 4,
      u32e(b, len - 4, le),
      'differs from the leading length',
    );
  }
  if (type === PCAPNG_SHB) {
    if (len < 28)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        at + 4,
        len,
        'section header shorter than 28 bytes',
      );
    const major = u16e(b, 12, le);
    if (major !== 1)
      throw new InvalidFieldError('pcapng', 'majorVersion', at + 12, major, 'only version 1 is defined');
    s.interfaces = [];
    return undefined;
  }
  if (type === PcapngBlockType.interface) {
    if (len < 20)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        at + 4,
        len,
        'interface block shorter than 20 bytes',
      );
    const iface: PcapngInterface = {
      linktype: u16e(b, 8, le),
      snaplen: u32e(b, 12, le),
      unitsPerSecond: 1_000_000n,
      offsetSeconds: 0n,
    };
    // Options: code, length, value padded to 32 bits; opt_endofopt (0) ends them.
    let p = 16;
    while (p + 4 <= len - 4) {
      const code = u16e(b, p, le);
      const olen = u16e(b, p + 2, le);
      if (code === 0) break;
      if (p + 4 + olen > len - 4) throw new TruncatedError('pcapng', 'option', at + p, 4 + olen, len - 4 - p);
      if (code === 9 && olen >= 1) {
        const r = b[p + 4]!;
        const n = BigInt(r & 0x7f);
        // MSB clear: negative power of 10; set: negative power of 2.
        if ((r & 0x7f) > 63)
          throw new InvalidFieldError(
            'pcapng',
            'if_tsresol',
            at + p + 4,
            r,
            'resolution beyond 2^-63 or 10^-63',
          );
        iface.unitsPerSecond = r & 0x80 ? 1n << n : 10n ** n;
      } else if (code === 14 && olen >= 8) {
        iface.offsetSeconds = new DataView(b.buffer, b.byteOffset + p + 4, 8).getBigInt64(0, le);
      }
      p += 4 + ((olen + 3) & ~3);
    }
    s.interfaces.push(iface);
    return undefined;
  }
  if (type === PcapngBlockType.enhancedPacket || type === PcapngBlockType.packet) {
    if (len < 32)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        at + 4,
        len,
        'packet block shorter than 32 bytes',
      );
    const epb = type === PcapngBlockType.enhancedPacket;
    const id = epb ? u32e(b, 8, le) : u16e(b, 8, le);
    const iface = s.interfaces[id];
    if (!iface)
      throw new InvalidFieldError('pcapng', 'interfaceId', at + 8, id, 'no such interface in this section');
    const caplen = u32e(b, 20, le);
    if (28 + caplen > len - 4) throw new TruncatedError('pcapng', 'packetData', at + 28, caplen, len - 32);
    const ts = (BigInt(u32e(b, 12, le)) << 32n) | BigInt(u32e(b, 16, le));
    return pkt(iface, id, ts, caplen, u32e(b, 24, le), b.subarray(28, 28 + caplen));
  }
  if (type === PcapngBlockType.simplePacket) {
    if (len < 16)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        at + 4,
        len,
        'simple packet block shorter than 16 bytes',
      );
    const iface = s.interfaces[0];
    if (!iface)
      throw new InvalidFieldError(
        'pcapng',
        'interfaceId',
        at + 8,
        0,
        'simple packet block before any interface',
      );
    const orig = u32e(b, 8, le);
    let caplen = Math.min(orig, len - 16);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    // No timestamp in a simple packet block.
    return pkt(iface, 0, -1n, caplen, orig, b.subarray(12, 12 + caplen));
  }
  return undefined;
}

function pkt(
  iface: PcapngInterface,
  id: number,
  ts: bigint,
  caplen: number,
  orig: number,
  data: Uint8Array,
): CapturedPacket {
  let seconds = 0;
  let nanoseconds = 0;
  if (ts >= 0n) {
    const u = iface.unitsPerSecond;
    const sec = ts / u + iface.offsetSeconds;
    seconds = Number(sec);
    nanoseconds = Number(((ts % u) * NS) / u);
  }
  return {
    linktype: iface.linktype,
    interfaceId: id,
    seconds,
    nanoseconds,
    capturedLength: caplen,
    originalLength: orig,
    data,
  };
}

/** Reads the type and total length of the block at `b[0..12)`, learning the byte order from an SHB. */
function blockHeader(b: Uint8Array, at: number, s: Section, first: boolean): number {
  const raw = u32e(b, 0, false);
  if (raw === PCAPNG_SHB) {
    const bom = u32e(b, 8, false);
    if (bom === PCAPNG_BYTE_ORDER_MAGIC) s.littleEndian = false;
    else if (u32e(b, 8, true) === PCAPNG_BYTE_ORDER_MAGIC) s.littleEndian = true;
    else
      throw new FormatError(
        'pcapng',
        'byteOrderMagic',
        at + 8,
        `bad byte-order magic ${bom.toString(16).padStart(8, '0')}`,
      );
  } else if (first) {
    throw new FormatError('pcapng', 'blockType', at, 'a pcapng file starts with a section header block');
  }
  const len = u32e(b, 4, s.littleEndian);
  if (len < 12 || len % 4 !== 0) {
    throw new InvalidFieldError('pcapng', 'blockTotalLength', at + 4, len, 'below 12 or not a multiple of 4');
  }
  return len;
}

/** Iterates the packets of a whole pcapng file in memory. `data` are views into `buf`. */
export function* pcapngPackets(
  buf: Uint8Array,
  opts: CaptureReadOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const max = opts.maxRecordLength ?? DEFAULT_MAX_RECORD;
  const s = new Section();
  if (buf.length === 0) throw new TruncatedError('pcapng', 'blockHeader', 0, 12, 0);
  let p = 0;
  while (p < buf.length) {
    if (p + 12 > buf.length) throw new TruncatedError('pcapng', 'blockHeader', p, 12, buf.length - p);
    const len = blockHeader(buf.subarray(p, p + 12), p, s, p === 0);
    if (len > max)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        p + 4,
        len,
        `above the limit of ${max} bytes`,
      );
    if (p + len > buf.length) throw new TruncatedError('pcapng', 'block', p, len, buf.length - p);
    const r = block(buf.subarray(p, p + len), p, s);
    if (r) yield r;
    p += len;
  }
}

/** Streams the packets of a pcapng file from chunks; holds at most one block in memory. */
export async function* readPcapngStream(
  source: AsyncIterable<Uint8Array>,
  opts: CaptureReadOptions = {},
): AsyncGenerator<CapturedPacket, void, undefined> {
  const q = new ChunkQueue(source);
  try {
    yield* pcapngFromQueue(q, opts);
  } finally {
    await q.close();
  }
}

async function* pcapngFromQueue(
  q: ChunkQueue,
  opts: CaptureReadOptions,
): AsyncGenerator<CapturedPacket, void, undefined> {
  const max = opts.maxRecordLength ?? DEFAULT_MAX_RECORD;
  const s = new Section();
  for (let first = true; ; first = false) {
    const at = q.position;
    if (!(await q.fill(12))) {
      if (q.available === 0 && !first) return;
      throw new TruncatedError('pcapng', 'blockHeader', at, 12, q.available);
    }
    const len = blockHeader(q.peek(12), at, s, first);
    if (len > max)
      throw new InvalidFieldError(
        'pcapng',
        'blockTotalLength',
        at + 4,
        len,
        `above the limit of ${max} bytes`,
      );
    if (!(await q.fill(len))) throw new TruncatedError('pcapng', 'block', at, len, q.available);
    const r = block(q.take(len), at, s);
    if (r) yield r;
  }
}

/** 'pcap', 'pcapng' or undefined, from the first four bytes. */
export function captureFormat(head: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (head.length < 4) return undefined;
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const le = ((head[3]! << 24) | (head[2]! << 16) | (head[1]! << 8) | head[0]!) >>> 0;
  if (be === PCAPNG_SHB) return 'pcapng';
  for (const m of [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO]) if (be === m || le === m) return 'pcap';
  return undefined;
}

/** Iterates the packets of a pcap or pcapng file in memory, telling them apart by the magic number. */
export function capturePackets(
  buf: Uint8Array,
  opts: CaptureReadOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const f = captureFormat(buf);
  if (f === 'pcap') return pcapPackets(buf, opts);
  if (f === 'pcapng') return pcapngPackets(buf, opts);
  throw new FormatError('capture', 'magic', 0, 'neither a pcap nor a pcapng file');
}

/** Streams the packets of a pcap or pcapng file from chunks (a Node stream works as the source). */
export async function* readCaptureStream(
  source: AsyncIterable<Uint8Array>,
  opts: CaptureReadOptions = {},
): AsyncGenerator<CapturedPacket, void, undefined> {
  const q = new ChunkQueue(source);
  try {
    if (!(await q.fill(4))) throw new TruncatedError('capture', 'magic', 0, 4, q.available);
    const f = captureFormat(q.peek(4));
    if (f === 'pcap') yield* pcapFromQueue(q, opts);
    else if (f === 'pcapng') yield* pcapngFromQueue(q, opts);
    else throw new FormatError('capture', 'magic', 0, 'neither a pcap nor a pcapng file');
  } finally {
    await q.close();
  }
}
