// The helper's record stream (no root needed): frames out exactly as put in, wherever the pipe splits the
// stream, and arbitrary bytes never throw nor make the splitter hold more than one record.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, MAX_RECORD_FRAME, RECORD_HEADER, RecordSplitter } from '../src/tap/records.js';

function collect(): { frames: number[][]; splitter: RecordSplitter } {
  const frames: number[][] = [];
  const splitter = new RecordSplitter((buf, off, len) => frames.push([...buf.subarray(off, off + len)]));
  return { frames, splitter };
}

function stream(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + RECORD_HEADER + f.length, 0));
  let at = 0;
  for (const f of frames) at += encodeRecord(f, out, at);
  return out;
}

describe('RecordSplitter', () => {
  const table: [string, Uint8Array[], number[]][] = [
    ['one record in one chunk', [Uint8Array.of(1, 2, 3)], []],
    ['two records, cut inside the first length byte pair', [Uint8Array.of(9), Uint8Array.of(7, 7)], [1]],
    ['cut after the length', [Uint8Array.of(5, 6, 7, 8)], [2]],
    ['cut in the middle of a frame and between records', [Uint8Array.of(1, 2, 3), Uint8Array.of(4)], [3, 5]],
    ['an empty frame between two', [Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2)], [3, 4]],
    ['byte by byte', [Uint8Array.of(0xaa, 0xbb), Uint8Array.of(0xcc)], [1, 2, 3, 4, 5, 6]],
  ];
  for (const [name, frames, cuts] of table)
    it(name, () => {
      const { frames: got, splitter } = collect();
      const s = stream(frames);
      let from = 0;
      for (const c of [...cuts, s.length]) {
        splitter.push(s.subarray(from, c));
        from = c;
      }
      expect(got).toEqual(frames.map((f) => [...f]));
      expect(splitter.pending).toBe(0);
    });

  it('carries a 65,535-byte frame split across reads', () => {
    const big = new Uint8Array(MAX_RECORD_FRAME).map((_, i) => i & 0xff);
    const { frames, splitter } = collect();
    const s = stream([big, Uint8Array.of(1)]);
    for (let i = 0; i < s.length; i += 4096) splitter.push(s.subarray(i, i + 4096));
    expect(frames.map((f) => f.length)).toEqual([MAX_RECORD_FRAME, 1]);
    expect(frames[0]!.every((b, i) => b === (i & 0xff))).toBe(true);
  });

  it('frames come out as they went in, for any frames and any cuts (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 1600 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, rawCuts) => {
          const s = stream(frames);
          const cuts = [...new Set(rawCuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
          const { frames: got, splitter } = collect();
          let from = 0;
          for (const c of [...cuts, s.length]) {
            splitter.push(s.subarray(from, c));
            from = c;
          }
          expect(got).toEqual(frames.map((f) => [...f]));
          expect(splitter.pending).toBe(0);
        },
      ),
    );
  });

  it('arbitrary bytes never throw and never hold more than one record (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 30 }), (chunks) => {
        const { splitter } = collect();
        for (const c of chunks) splitter.push(c);
        expect(splitter.pending).toBeLessThanOrEqual(RECORD_HEADER + MAX_RECORD_FRAME);
      }),
    );
  });

  it('encodeRecord refuses a frame the length prefix cannot carry', () => {
    expect(() => encodeRecord(new Uint8Array(MAX_RECORD_FRAME + 1), new Uint8Array(70_000))).toThrow(
      RangeError,
    );
  });
});
