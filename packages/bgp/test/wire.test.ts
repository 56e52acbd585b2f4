// Address text forms used by the codec: RFC 5952 text of IPv6 and its parse, dotted quads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '../src/index.js';
import { ipBytes, ipv4Text, ipv4ToNumber, ipv6Bytes, ipv6Text } from '../src/wire.js';

describe('address text', () => {
  it('IPv6 text parses back to the same 16 bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
          minLength: 8,
          maxLength: 8,
        }),
        (w) => {
          const b = new Uint8Array(w.flatMap((x) => [x >> 8, x & 0xff]));
          expect(Array.from(ipv6Bytes(ipv6Text(b, 0), 'test', 'a'))).toEqual(Array.from(b));
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('RFC 5952 forms', () => {
    const t = (s: string) => ipv6Text(ipv6Bytes(s, 'test', 'a'), 0);
    expect(t('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(t('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(t('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(t('::')).toBe('::');
    expect(t('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(t('::1.2.3.4')).toBe('::102:304');
    expect(t('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4:5:6:102:304');
  });
  it('bad text is an EncodeError', () => {
    for (const s of ['1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3', '12345::']) {
      expect(() => ipv6Bytes(s, 'test', 'a')).toThrow(EncodeError);
    }
    for (const s of ['1.2.3', '256.1.1.1', '1.2.3.4.5', 'a.b.c.d'])
      expect(() => ipv4ToNumber(s, 'test', 'a')).toThrow(EncodeError);
    expect(ipv4Text(ipBytes('192.0.2.255', 'test', 'a'), 0)).toBe('192.0.2.255');
  });
});
