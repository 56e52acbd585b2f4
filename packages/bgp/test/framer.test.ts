// The stream framer: messages cut at every chunking of the byte stream, zero-copy when inside a chunk,
// the buffer bound, and header errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgpFramer, encodeMessage, FramerOverflowError, MalformedError } from '../src/index.js';
import { arbMessage } from './support/arbitraries-msg.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('BgpFramer', () => {
  it('cuts the same messages whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(arbMessage, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 30 }),
        (msgs, cuts) => {
          const wire = msgs.map((m) => encodeMessage(m));
          const stream = concat(wire);
          const f = new BgpFramer();
          const got: Uint8Array[] = [];
          let o = 0;
          let i = 0;
          while (o < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            f.push(stream.subarray(o, o + n));
            o += n;
            for (const m of f.messages()) got.push(m.slice());
          }
          expect(got.map((g) => Buffer.from(g).toString('hex'))).toEqual(
            wire.map((w) => Buffer.from(w).toString('hex')),
          );
          expect(f.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns subarrays of the pushed chunk when a message lies inside it', () => {
    const chunk = concat([encodeMessage({ type: 'keepalive' }), encodeMessage({ type: 'keepalive' })]);
    const f = new BgpFramer();
    f.push(chunk);
    const a = f.next()!;
    const b = f.next()!;
    expect(a.buffer).toBe(chunk.buffer);
    expect(b.byteOffset - chunk.byteOffset).toBe(19);
    expect(f.next()).toBeUndefined();
  });

  it('bounds the bytes held', () => {
    const f = new BgpFramer({ maxBufferedBytes: 100 });
    f.push(new Uint8Array(60).fill(0xff));
    expect(() => f.push(new Uint8Array(60))).toThrow(FramerOverflowError);
  });

  it('rejects messages over the negotiated size, accepts them after extended messages', () => {
    const big = new Uint8Array(5000).fill(0);
    big.fill(0xff, 0, 16);
    big.set([5000 >> 8, 5000 & 0xff, 2], 16);
    const f = new BgpFramer();
    f.push(big);
    expect(() => f.next()).toThrow(MalformedError);
    f.setMaxMessageLength(65535);
    expect(f.next()?.length).toBe(5000);
  });

  it('throws the header error on a bad marker', () => {
    const f = new BgpFramer();
    f.push(new Uint8Array(19));
    expect(() => f.next()).toThrow(MalformedError);
  });
});

describe('BgpFramer fuzz', () => {
  it('random byte streams only give messages or BgpError, never loop', async () => {
    const { BgpError } = await import('../src/index.js');
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
        fc.boolean(),
        (chunks, marker) => {
          const f = new BgpFramer();
          try {
            for (const c of chunks) {
              if (marker && c.length >= 16) c.fill(0xff, 0, 16);
              f.push(c);
              let n = 0;
              for (const m of f.messages()) {
                expect(m.length).toBeGreaterThanOrEqual(19);
                n++;
                expect(n).toBeLessThan(100);
              }
            }
          } catch (e) {
            if (!(e instanceof BgpError)) throw e;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
