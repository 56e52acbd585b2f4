import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumUpdate16, checksumUpdate32, internetChecksum, onesSum } from '../src/index.js';

describe('internet checksum (RFC 1071)', () => {
  it('matches the RFC 1071 section 3 worked example', () => {
    // RFC 1071 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (one's complement, before negation).
    const bytes = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(onesSum(bytes, 0, bytes.length)).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(~0xddf2 & 0xffff);
  });

  it('a buffer with its checksum appended sums to zero', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }).filter((b) => b.length % 2 === 0),
        (b) => {
          const c = internetChecksum(b);
          const whole = new Uint8Array(b.length + 2);
          whole.set(b);
          whole[b.length] = c >> 8;
          whole[b.length + 1] = c & 0xff;
          expect(internetChecksum(whole)).toBe(0);
        },
      ),
    );
  });

  it('RFC 1624 incremental update equals a full recompute', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 60 }),
        fc.nat(9),
        fc.integer({ min: 0, max: 0xffffffff }),
        (b, w, nv) => {
          const buf = b.slice(0, b.length - (b.length % 2));
          const at = ((w * 2) % (buf.length - 3)) & ~1; // 16-bit aligned, as header fields are
          const before = internetChecksum(buf);
          const dv = new DataView(buf.buffer);
          const oldV = dv.getUint32(at);
          dv.setUint32(at, nv);
          const full = internetChecksum(buf);
          const inc = checksumUpdate32(before, oldV, nv);
          // 0x0000 and 0xffff are the same number in one's complement; RFC 1624 section 3 explains why
          // the incremental form may yield either.
          expect(inc === full || (inc ^ full) === 0xffff).toBe(true);
          const same = checksumUpdate16(before, oldV >>> 16, oldV >>> 16);
          expect(same === before || (same ^ before) === 0xffff).toBe(true);
        },
      ),
    );
  });
});
