// The helper's frame stream: records of [u16 big-endian length][frame], several per pipe write, split across
// reads anywhere (even inside the length). The splitter hands each frame out in place — from the read
// chunk, or from one preallocated buffer for a record that straddled two reads — so it allocates nothing
// per frame. A length can never exceed 65,535, so no record can make it buffer more than that.
//
//   0                   1
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -+
//  |        frame length (n)       |  frame (n bytes) |  ... next record
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -+

/** Bytes of a record's length prefix. */
export const RECORD_HEADER = 2;
/** The largest frame a record can carry. */
export const MAX_RECORD_FRAME = 0xffff;

/** Writes one record (for tests and tools; the helper writes them in python). */
export function encodeRecord(frame: Uint8Array, out: Uint8Array, offset = 0): number {
  if (frame.length > MAX_RECORD_FRAME)
    throw new RangeError(`frame of ${frame.length} bytes > ${MAX_RECORD_FRAME}`);
  out[offset] = frame.length >>> 8;
  out[offset + 1] = frame.length & 0xff;
  out.set(frame, offset + RECORD_HEADER);
  return RECORD_HEADER + frame.length;
}

export class RecordSplitter {
  private readonly partial = new Uint8Array(RECORD_HEADER + MAX_RECORD_FRAME);
  private have = 0;
  private readonly onFrame: (buf: Uint8Array, offset: number, length: number) => void;

  /** `onFrame` gets each frame at `buf[offset, offset + length)`, valid only during the call. */
  constructor(onFrame: (buf: Uint8Array, offset: number, length: number) => void) {
    this.onFrame = onFrame;
  }

  /** Bytes of an unfinished record held over to the next chunk. */
  get pending(): number {
    return this.have;
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    const end = chunk.length;
    const p = this.partial;
    if (this.have > 0) {
      while (this.have < RECORD_HEADER && off < end) p[this.have++] = chunk[off++]!;
      if (this.have < RECORD_HEADER) return;
      const need = RECORD_HEADER + ((p[0]! << 8) | p[1]!);
      const take = Math.min(need - this.have, end - off);
      for (let i = 0; i < take; i++) p[this.have + i] = chunk[off + i]!;
      this.have += take;
      off += take;
      if (this.have < need) return;
      this.have = 0;
      this.onFrame(p, RECORD_HEADER, need - RECORD_HEADER);
    }
    while (end - off >= RECORD_HEADER) {
      const len = (chunk[off]! << 8) | chunk[off + 1]!;
      if (end - off - RECORD_HEADER < len) break;
      this.onFrame(chunk, off + RECORD_HEADER, len);
      off += RECORD_HEADER + len;
    }
    for (let i = off; i < end; i++) p[this.have++] = chunk[i]!;
  }
}
