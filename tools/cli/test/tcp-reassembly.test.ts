import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TcpDirection } from '../src/tcp-reassembly.js';

function concat(parts: Uint8Array[]): number[] {
  return parts.flatMap((p) => [...p]);
}

describe('TCP reassembly', () => {
  it('gives back the byte stream for any segmentation, order, duplication and sequence start (incl. wrap)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        (data, sizes, isn, swaps, duplicate) => {
          const segs: { seq: number; bytes: Uint8Array }[] = [];
          for (let o = 0, i = 0; o < data.length; i++) {
            const n = sizes[i % sizes.length]!;
            segs.push({ seq: (isn + 1 + o) >>> 0, bytes: data.subarray(o, o + n) });
            o += n;
          }
          // Reorder (the first segment stays first so the stream start is known) and retransmit some.
          for (const s of swaps) {
            if (segs.length < 3) break;
            const a = 1 + (s % (segs.length - 1));
            const b = 1 + ((s >> 3) % (segs.length - 1));
            [segs[a], segs[b]] = [segs[b]!, segs[a]!];
          }
          if (duplicate) segs.push(...segs.slice(0, 2));
          const t = new TcpDirection();
          const out = [...t.push(isn, new Uint8Array(0), true)];
          for (const s of segs) out.push(...t.push(s.seq, s.bytes, false));
          expect(concat(out)).toEqual([...data]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('bounds the bytes held out of order and counts what it had to drop', () => {
    const t = new TcpDirection(10);
    t.push(0, new Uint8Array(0), true);
    expect(t.push(100, new Uint8Array(8), false)).toEqual([]);
    expect(t.push(200, new Uint8Array(8), false)).toEqual([]);
    expect(t.gaps).toBe(8);
  });
});
