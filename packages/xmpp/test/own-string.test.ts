import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ownString } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes still held after keeping one 40-character name from each of 16 received 2 MB buffers. */
function retained(keep: (name: string) => string): { bytes: number; names: string[] } {
  const used = () => process.memoryUsage().heapUsed;
  gc();
  const before = used();
  const names: string[] = [];
  for (let i = 0; i < 16; i++) {
    // A 2 MB string on the heap (flattened by the first slice), as a read buffer decoded from a socket is.
    const buffer = `<iq node="vrf-${i}"/>`.repeat(100_000);
    names.push(keep(buffer.slice(100, 140)));
  }
  gc();
  return { bytes: used() - before, names };
}

describe('ownString', () => {
  it('keeps a name cut from a received buffer without keeping the buffer', () => {
    const sliced = retained((name) => name);
    const owned = retained(ownString);
    expect(owned.names).toEqual(sliced.names);
    // V8 keeps a slice as a view into its parent, so the plain slices pin the 32 MB of buffers (this check
    // shows the test measures what it claims); the owned copies pin none of them (the last buffer may still
    // be held by the engine for a while, hence the margin of two).
    expect(sliced.bytes, 'plain slices').toBeGreaterThan(25 << 20);
    expect(owned.bytes, 'owned copies').toBeLessThan(5 << 20);
  });
});
