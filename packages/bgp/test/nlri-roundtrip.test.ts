// fast-check round trips for every family: value -> bytes -> value, and bytes -> value -> bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNlri, encodeNlri, type Family, type Nlri, nlriEncodingLength } from '../src/index.js';
import {
  arbEvpnRoute,
  arbLabeledNlri,
  arbPrefixNlri,
  arbRtcNlri,
  arbVpnNlri,
} from './support/arbitraries-nlri.js';

const families: { name: string; family: Family; arb: (addPath: boolean) => fc.Arbitrary<Nlri> }[] = [
  { name: 'ipv4-unicast', family: { afi: 1, safi: 1 }, arb: (a) => arbPrefixNlri(false, a) },
  { name: 'ipv6-unicast', family: { afi: 2, safi: 1 }, arb: (a) => arbPrefixNlri(true, a) },
  { name: 'ipv4-multicast', family: { afi: 1, safi: 2 }, arb: (a) => arbPrefixNlri(false, a) },
  { name: 'ipv4-labeled', family: { afi: 1, safi: 4 }, arb: (a) => arbLabeledNlri(false, a) },
  { name: 'ipv6-labeled', family: { afi: 2, safi: 4 }, arb: (a) => arbLabeledNlri(true, a) },
  { name: 'vpnv4', family: { afi: 1, safi: 128 }, arb: (a) => arbVpnNlri(false, a) },
  { name: 'vpnv6', family: { afi: 2, safi: 128 }, arb: (a) => arbVpnNlri(true, a) },
  { name: 'rtc', family: { afi: 1, safi: 132 }, arb: (a) => arbRtcNlri(a) },
  { name: 'evpn', family: { afi: 25, safi: 70 }, arb: (a) => arbEvpnRoute(a) },
];

describe('NLRI round trips (fast-check)', () => {
  for (const { name, family, arb } of families) {
    for (const addPath of [false, true]) {
      it(`${name}${addPath ? ' add-path' : ''}: decode(encode(v)) = v and encode(decode(b)) = b`, () => {
        fc.assert(
          fc.property(fc.array(arb(addPath), { maxLength: 8 }), (list) => {
            const bytes = encodeNlri(family, list, { addPath });
            expect(bytes.length).toBe(nlriEncodingLength(family, list, { addPath }));
            const back = decodeNlri(family, bytes, 0, bytes.length, { addPath });
            expect(back).toEqual(list);
            expect(encodeNlri(family, back, { addPath })).toEqual(bytes);
            // Decoding inside a larger buffer reads only [offset, end).
            const padded = new Uint8Array(bytes.length + 7).fill(0xee);
            padded.set(bytes, 3);
            expect(decodeNlri(family, padded, 3, 3 + bytes.length, { addPath })).toEqual(list);
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it('unknown AFI/SAFI are kept as their bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.boolean(), (b, addPath) => {
        const f = { afi: 16388, safi: 71 };
        const v = decodeNlri(f, b, 0, b.length, { addPath });
        expect(v).toEqual([{ type: 'unknown', bytes: b }]);
        expect(encodeNlri(f, v, { addPath })).toEqual(b);
      }),
      { numRuns: 50 },
    );
  });
});
