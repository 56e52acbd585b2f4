// Streaming MRT input: records cut from chunks of any size, with a bound on buffered bytes, so a full-table
// RIB dump decodes in bounded memory. Compressed files (gzip, bzip2) are recognised by their magic bytes.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import { MrtError } from '../errors.js';
import { decodeMrtRecord, MRT_HEADER_LENGTH } from './record.js';
import type { MrtRecord } from './types.js';

export interface MrtStreamOptions {
  /** The largest record accepted, in bytes (default 16 MiB); a larger length field is an error, not a wait. */
  maxRecordBytes?: number;
}

/** Yields every record of an MRT byte stream. Records that span chunks are reassembled. */
export async function* readMrt(
  source: AsyncIterable<Uint8Array>,
  opts: MrtStreamOptions = {},
): AsyncGenerator<MrtRecord> {
  const max = opts.maxRecordBytes ?? 16 * 1024 * 1024;
  let pending: Uint8Array = new Uint8Array(0);
  let consumed = 0;
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : concat(pending, chunk);
    let offset = 0;
    for (;;) {
      if (pending.length - offset >= MRT_HEADER_LENGTH) {
        const dv = new DataView(pending.buffer, pending.byteOffset + offset, MRT_HEADER_LENGTH);
        const len = dv.getUint32(8);
        if (len + MRT_HEADER_LENGTH > max) {
          throw new MrtError('mrt', 'length', consumed + offset + 8, `record of ${len} bytes exceeds ${max}`);
        }
      }
      const rec = decodeMrtRecord(pending, offset);
      if (!rec) break;
      yield rec.record;
      offset += rec.length;
    }
    consumed += offset;
    // Keep only the unfinished tail; copy it so the yielded records' views do not pin old chunks forever.
    pending = offset === pending.length ? new Uint8Array(0) : pending.slice(offset);
  }
  if (pending.length > 0) {
    throw new MrtError(
      'mrt',
      'record',
      consumed,
      `stream ends inside a record (${pending.length} bytes left)`,
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Decompresses a byte stream when it starts with the gzip or bzip2 magic; passes it through otherwise. */
export async function* decompress(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  })();
  let stream: NodeJS.ReadableStream;
  if (head[0] === 0x1f && head[1] === 0x8b) stream = Readable.from(rest).pipe(createGunzip());
  else if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68)
    // unbzip2-stream is a classic (through) stream without Symbol.asyncIterator: wrap it in a Readable.
    stream = new Readable().wrap(Readable.from(rest).pipe(unbzip2()));
  else {
    yield* rest;
    return;
  }
  for await (const chunk of stream) yield chunk as Uint8Array;
}

/** Reads every record of an MRT file (plain, .gz or .bz2). */
export function readMrtFile(path: string, opts: MrtStreamOptions = {}): AsyncGenerator<MrtRecord> {
  return readMrt(decompress(createReadStream(path, { highWaterMark: 256 * 1024 })), opts);
}
