import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains, formatAddr, overlaps, parseAddr, prefixOf } from '../src/ipam/address.js';

describe('address arithmetic', () => {
  it('round-trips IPv4 and agrees with the WHATWG URL parser on IPv6 text (RFC 5952)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(formatAddr(parseAddr(ip)!)).toBe(new URL(`http://${ip}/`).hostname);
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
        expect(formatAddr(parseAddr(ip)!)).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it('computes prefixes, containment and overlap', () => {
    const p = prefixOf('10.1.2.0', 23)!;
    expect(formatAddr({ family: 4, value: p.network })).toBe('10.1.2.0');
    expect(contains(p, parseAddr('10.1.3.255')!)).toBe(true);
    expect(contains(p, parseAddr('10.1.4.0')!)).toBe(false);
    expect(overlaps(p, prefixOf('10.1.3.128', 25)!)).toBe(true);
    expect(overlaps(p, prefixOf('fd00::', 8)!)).toBe(false);
    expect(prefixOf('10.0.0.0', 33)).toBeUndefined();
    expect(parseAddr('10.0.0.256')).toBeUndefined();
  });
});
