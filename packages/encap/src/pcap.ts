// libpcap classic capture files (draft-ietf-opsawg-pcap section 4 and 5; tcpdump.org/manpages/pcap-savefile.5):
// a file header, then records, in the byte order of whoever wrote the file (told by the magic number).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |        Magic Number (a1b2c3d4 microseconds, a1b23c4d ns)      |
//   |         Major Version         |         Minor Version         |
//   |                      Reserved1 (thiszone)                     |
//   |                      Reserved2 (sigfigs)                      |
//   |                            SnapLen                            |
//   | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   then per packet:
//   |                      Timestamp (Seconds)                      |
//   |            Timestamp (Microseconds or nanoseconds)            |
//   |                    Captured Packet Length                     |
//   |                    Original Packet Length                     |
//   /                          Packet Data                          /
//
// Readers: a sync iterator over a whole buffer, and a streaming one over an async iterable of chunks
// (a Node stream, a file read in pieces) that holds at most one record in memory. The writer returns chunks.

import { put32e, u32e } from './bytes.js';
import { FormatError, InvalidFieldError, RangeFieldError, TruncatedError } from './errors.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** Link types (tcpdump.org/linktypes.html) the dissector knows. */
export const LinkType = { null: 0, ethernet: 1, raw: 101, linuxSll: 113, ipv4: 228, ipv6: 229 } as const;

/** Largest record a reader accepts unless told otherwise: bounds memory on a corrupt length. */
export const DEFAULT_MAX_RECORD = 16 * 1024 * 1024;

/** The pcap file header. */
export interface PcapHeader {
  littleEndian: boolean;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  /** Link type (low 16 bits of the field). */
  linktype: number;
  /** FCS length in 16-bit words when the f bit is set, else undefined. */
  fcsLength?: number;
}

/** One captured packet, from pcap or pcapng. */
export interface CapturedPacket {
  linktype: number;
  /** pcapng interface index (0 for pcap). */
  interfaceId: number;
  /** Seconds since 1970 and the fraction in nanoseconds. */
  seconds: number;
  nanoseconds: number;
  capturedLength: number;
  originalLength: number;
  data: Uint8Array;
}

export interface CaptureReadOptions {
  /** Refuse records longer than this (default 16 MiB). */
  maxRecordLength?: number;
}

/** Parses the 24-byte file header at `offset`. */
export function parsePcapHeader(buf: Uint8Array, offset = 0): PcapHeader {
  if (offset < 0 || offset + PCAP_HEADER_LENGTH > buf.length) {
    throw new TruncatedError(
      'pcap',
      'fileHeader',
      offset,
      PCAP_HEADER_LENGTH,
      Math.max(0, buf.length - offset),
    );
  }
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, PCAP_HEADER_LENGTH);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  let littleEndian: boolean;
  let nanosecond: boolean;
  if (be === PCAP_MAGIC_MICRO || be === PCAP_MAGIC_NANO) {
    littleEndian = false;
    nanosecond = be === PCAP_MAGIC_NANO;
  } else if (le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO) {
    littleEndian = true;
    nanosecond = le === PCAP_MAGIC_NANO;
  } else {
    throw new FormatError(
      'pcap',
      'magic',
      offset,
      `not a pcap file (magic ${be.toString(16).padStart(8, '0')})`,
    );
  }
  const lt = dv.getUint32(20, littleEndian);
  const h: PcapHeader = {
    littleEndian,
    nanosecond,
    versionMajor: dv.getUint16(4, littleEndian),
    versionMinor: dv.getUint16(6, littleEndian),
    thiszone: dv.getInt32(8, littleEndian),
    sigfigs: dv.getUint32(12, littleEndian),
    snaplen: dv.getUint32(16, littleEndian),
    linktype: lt & 0xffff,
  };
  if (h.versionMajor !== 2)
    throw new InvalidFieldError('pcap', 'versionMajor', offset + 4, h.versionMajor, 'only version 2 exists');
  if (lt & 0x04000000) h.fcsLength = lt >>> 28;
  return h;
}

/** Parses one record at `offset` (header fields only); throws if the record's data is not all there. */
function parseRecord(
  buf: Uint8Array,
  offset: number,
  h: PcapHeader,
  max: number,
  at = offset,
): { seconds: number; frac: number; caplen: number; origlen: number } {
  // Byte reads, not a DataView per record.
  const le = h.littleEndian;
  const seconds = u32e(buf, offset, le);
  const frac = u32e(buf, offset + 4, le);
  const caplen = u32e(buf, offset + 8, le);
  const origlen = u32e(buf, offset + 12, le);
  if (caplen > max)
    throw new InvalidFieldError('pcap', 'capturedLength', at + 8, caplen, `above the limit of ${max} bytes`);
  return { seconds, frac, caplen, origlen };
}

/** Iterates the packets of a whole pcap file in memory. `data` are views into `buf`. */
export function* pcapPackets(
  buf: Uint8Array,
  opts: CaptureReadOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const h = parsePcapHeader(buf, 0);
  const max = opts.maxRecordLength ?? DEFAULT_MAX_RECORD;
  let p = PCAP_HEADER_LENGTH;
  while (p < buf.length) {
    if (p + PCAP_RECORD_HEADER_LENGTH > buf.length) {
      throw new TruncatedError('pcap', 'recordHeader', p, PCAP_RECORD_HEADER_LENGTH, buf.length - p);
    }
    const r = parseRecord(buf, p, h, max);
    const d = p + PCAP_RECORD_HEADER_LENGTH;
    if (d + r.caplen > buf.length)
      throw new TruncatedError('pcap', 'packetData', d, r.caplen, buf.length - d);
    yield packet(h, r, buf.subarray(d, d + r.caplen));
    p = d + r.caplen;
  }
}

/** Reads a whole pcap file: its header and every packet. */
export function readPcap(
  buf: Uint8Array,
  opts: CaptureReadOptions = {},
): { header: PcapHeader; packets: CapturedPacket[] } {
  return { header: parsePcapHeader(buf, 0), packets: [...pcapPackets(buf, opts)] };
}

function packet(
  h: PcapHeader,
  r: { seconds: number; frac: number; caplen: number; origlen: number },
  data: Uint8Array,
): CapturedPacket {
  // Some writers let the fraction reach a second or more; carry it into the seconds as readers do.
  const unit = h.nanosecond ? 1e9 : 1e6;
  const carry = Math.floor(r.frac / unit);
  const frac = r.frac - carry * unit;
  return {
    linktype: h.linktype,
    interfaceId: 0,
    seconds: r.seconds + carry,
    nanoseconds: h.nanosecond ? frac : frac * 1000,
    capturedLength: r.caplen,
    originalLength: r.origlen,
    data,
  };
}

/**
 * Bytes arriving in chunks, read as a queue: `fill(n)` pulls until n bytes are buffered (or the source
 * ends), `take(n)` removes them, without copying when they lie in one chunk. Holds only what is asked for.
 */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private ci = 0; // index of the chunk being read (earlier entries are spent)
  private head = 0; // read position in chunks[ci]
  /** Bytes buffered. */
  available = 0;
  /** Bytes taken so far (the stream offset of the next byte). */
  position = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Pulls chunks until `n` bytes are available; false when the source ended first. */
  async fill(n: number): Promise<boolean> {
    while (this.available < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.available += r.value.length;
      }
    }
    return this.available >= n;
  }

  /** Removes and returns the next `n` bytes (which must be available). */
  take(n: number): Uint8Array {
    const out = this.peek(n);
    let left = n;
    while (left > 0) {
      const c = this.chunks[this.ci]!;
      const k = Math.min(left, c.length - this.head);
      left -= k;
      this.head += k;
      if (this.head === c.length) {
        this.ci++;
        this.head = 0;
      }
    }
    // Drop spent chunks now and then, so tiny chunks cost no quadratic shifting.
    if (this.ci > 32 && this.ci * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.ci);
      this.ci = 0;
    }
    this.available -= n;
    this.position += n;
    return out;
  }

  /** Looks at the next `n` available bytes without removing them (copies only when they span chunks). */
  peek(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[this.ci]!;
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let w = 0;
    for (let i = this.ci, h = this.head; w < n; i++, h = 0) {
      const c = this.chunks[i]!;
      const k = Math.min(n - w, c.length - h);
      out.set(c.subarray(h, h + k), w);
      w += k;
    }
    return out;
  }

  /** Ends the source early (for example when the consumer stops iterating). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

/**
 * Streams the packets of a pcap file from chunks of any size. Each packet is yielded as soon as its record
 * is complete; memory stays bounded by the largest record. `onHeader` receives the file header.
 */
export async function* readPcapStream(
  source: AsyncIterable<Uint8Array>,
  opts: CaptureReadOptions & { onHeader?: (h: PcapHeader) => void } = {},
): AsyncGenerator<CapturedPacket, void, undefined> {
  const q = new ChunkQueue(source);
  try {
    yield* pcapFromQueue(q, opts);
  } finally {
    await q.close();
  }
}

/** @internal Streams pcap records from a queue positioned at the file header. */
export async function* pcapFromQueue(
  q: ChunkQueue,
  opts: CaptureReadOptions & { onHeader?: (h: PcapHeader) => void },
): AsyncGenerator<CapturedPacket, void, undefined> {
  const max = opts.maxRecordLength ?? DEFAULT_MAX_RECORD;
  if (!(await q.fill(PCAP_HEADER_LENGTH))) {
    throw new TruncatedError('pcap', 'fileHeader', 0, PCAP_HEADER_LENGTH, q.available);
  }
  const h = parsePcapHeader(q.take(PCAP_HEADER_LENGTH), 0);
  opts.onHeader?.(h);
  for (;;) {
    const at = q.position;
    if (!(await q.fill(PCAP_RECORD_HEADER_LENGTH))) {
      if (q.available === 0) return;
      throw new TruncatedError('pcap', 'recordHeader', at, PCAP_RECORD_HEADER_LENGTH, q.available);
    }
    const hdr = q.take(PCAP_RECORD_HEADER_LENGTH);
    const r = parseRecord(hdr, 0, h, max, at);
    if (!(await q.fill(r.caplen)))
      throw new TruncatedError('pcap', 'packetData', at + 16, r.caplen, q.available);
    yield packet(h, r, q.take(r.caplen));
  }
}

/** Options of a pcap writer. */
export interface PcapWriterOptions {
  linktype?: number;
  snaplen?: number;
  nanosecond?: boolean;
  littleEndian?: boolean;
}

/** Timestamp and original length of a packet being written. */
export interface PcapWriteMeta {
  seconds?: number;
  nanoseconds?: number;
  /** Defaults to the data length. */
  originalLength?: number;
}

/** Writes pcap files as chunks: `header()` once, then `packet()` per packet; concatenate or stream them. */
export class PcapWriter {
  readonly linktype: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  readonly littleEndian: boolean;

  constructor(opts: PcapWriterOptions = {}) {
    this.linktype = opts.linktype ?? LinkType.ethernet;
    this.snaplen = opts.snaplen ?? 262144;
    this.nanosecond = opts.nanosecond ?? false;
    this.littleEndian = opts.littleEndian ?? true;
  }

  /** The 24-byte file header. */
  header(): Uint8Array {
    const b = new Uint8Array(PCAP_HEADER_LENGTH);
    const dv = new DataView(b.buffer);
    const le = this.littleEndian;
    dv.setUint32(0, this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, le);
    dv.setUint16(4, 2, le);
    dv.setUint16(6, 4, le);
    dv.setUint32(16, this.snaplen, le);
    dv.setUint32(20, this.linktype, le);
    return b;
  }

  /** One record: the 16-byte record header and the data (cut to snaplen). */
  packet(data: Uint8Array, meta: PcapWriteMeta = {}): Uint8Array {
    const seconds = meta.seconds ?? 0;
    const ns = meta.nanoseconds ?? 0;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) {
      throw new RangeFieldError('pcap', 'seconds', seconds, 0, 0xffffffff);
    }
    if (!Number.isInteger(ns) || ns < 0 || ns >= 1e9)
      throw new RangeFieldError('pcap', 'nanoseconds', ns, 0, 999999999);
    const caplen = Math.min(data.length, this.snaplen);
    const b = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + caplen);
    const le = this.littleEndian;
    put32e(b, 0, seconds, le);
    put32e(b, 4, this.nanosecond ? ns : Math.floor(ns / 1000), le);
    put32e(b, 8, caplen, le);
    put32e(b, 12, meta.originalLength ?? data.length, le);
    b.set(data.subarray(0, caplen), PCAP_RECORD_HEADER_LENGTH);
    return b;
  }
}

/** Builds a whole pcap file from packets. */
export function writePcap(
  packets: Iterable<{ data: Uint8Array } & PcapWriteMeta>,
  opts: PcapWriterOptions = {},
): Uint8Array {
  const w = new PcapWriter(opts);
  const parts = [w.header()];
  for (const p of packets) parts.push(w.packet(p.data, p));
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}
