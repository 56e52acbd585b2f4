// Fuzzing decodeNlri for every family: random bytes and mutations of valid encodings may only produce
// BgpError subclasses, never read outside [offset, end), and whatever decodes re-encodes to bytes that
// decode to the same value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgpError, decodeNlri, encodeNlri, type Family, type Nlri } from '../src/index.js';
import {
  arbEvpnRoute,
  arbLabeledNlri,
  arbPrefixNlri,
  arbRtcNlri,
  arbVpnNlri,
} from './support/arbitraries-nlri.js';

const families: {
  name: string;
  family: Family;
  arb: (addPath: boolean) => fc.Arbitrary<Nlri>;
  exact: boolean;
}[] = [
  { name: 'ipv4-unicast', family: { afi: 1, safi: 1 }, arb: (a) => arbPrefixNlri(false, a), exact: true },
  { name: 'ipv6-unicast', family: { afi: 2, safi: 1 }, arb: (a) => arbPrefixNlri(true, a), exact: true },
  // Labeled and VPN drop the label TC bits (RFC 8277 2.2), so re-encoding is exact only for TC = 0.
  { name: 'ipv4-labeled', family: { afi: 1, safi: 4 }, arb: (a) => arbLabeledNlri(false, a), exact: false },
  { name: 'ipv6-labeled', family: { afi: 2, safi: 4 }, arb: (a) => arbLabeledNlri(true, a), exact: false },
  { name: 'vpnv4', family: { afi: 1, safi: 128 }, arb: (a) => arbVpnNlri(false, a), exact: false },
  { name: 'vpnv6', family: { afi: 2, safi: 128 }, arb: (a) => arbVpnNlri(true, a), exact: false },
  { name: 'rtc', family: { afi: 1, safi: 132 }, arb: (a) => arbRtcNlri(a), exact: true },
  { name: 'evpn', family: { afi: 25, safi: 70 }, arb: (a) => arbEvpnRoute(a), exact: true },
];

/** Decodes `bytes` placed between guard bytes; any throw must be a BgpError. */
function check(family: Family, bytes: Uint8Array, addPath: boolean, exact: boolean): void {
  // The bytes sit inside a larger buffer whose guard bytes would be read by an out-of-range decoder and
  // make the result differ from decoding the exact slice.
  const guarded = new Uint8Array(bytes.length + 8).fill(0x5a);
  guarded.set(bytes, 4);
  let a: Nlri[] | undefined;
  let errA: unknown;
  try {
    a = decodeNlri(family, guarded, 4, 4 + bytes.length, { addPath });
  } catch (e) {
    errA = e;
  }
  let b: Nlri[] | undefined;
  let errB: unknown;
  try {
    b = decodeNlri(family, bytes.slice(), 0, bytes.length, { addPath });
  } catch (e) {
    errB = e;
  }
  if (errA !== undefined) {
    expect(errA).toBeInstanceOf(BgpError);
    expect(errB).toBeInstanceOf(BgpError);
    expect((errA as BgpError).layer).toMatch(/^nlri:/);
    return;
  }
  expect(errB).toBeUndefined();
  expect(a).toEqual(b);
  const again = encodeNlri(family, a!, { addPath });
  if (exact) expect(again).toEqual(bytes);
  expect(decodeNlri(family, again, 0, again.length, { addPath })).toEqual(a);
}

function mutate(bytes: Uint8Array, edits: { at: number; value: number; kind: number }[]): Uint8Array {
  let b = bytes.slice();
  for (const e of edits) {
    if (b.length === 0) break;
    const i = e.at % b.length;
    if (e.kind === 0) b[i] = e.value;
    else if (e.kind === 1) b = b.slice(0, i);
    else {
      const n = new Uint8Array(b.length + 1);
      n.set(b.subarray(0, i));
      n[i] = e.value;
      n.set(b.subarray(i), i + 1);
      b = n;
    }
  }
  return b;
}

const arbEdits = fc.array(
  fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), kind: fc.integer({ min: 0, max: 2 }) }),
  { minLength: 1, maxLength: 4 },
);

describe('decodeNlri fuzzing', () => {
  for (const { name, family, arb, exact } of families) {
    it(`${name}: random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (b, addPath) =>
          check(family, b, addPath, exact),
        ),
        { numRuns: 400 },
      );
    });
    it(`${name}: mutated valid encodings`, () => {
      fc.assert(
        fc.property(
          fc
            .boolean()
            .chain((addPath) =>
              fc.tuple(fc.constant(addPath), fc.array(arb(addPath), { minLength: 1, maxLength: 4 })),
            ),
          arbEdits,
          ([addPath, list], edits) => {
            check(family, mutate(encodeNlri(family, list, { addPath }), edits), addPath, exact);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  // Regression (found by the mutated-encoding property): a first label entry of label 0x80000 with TC bits
  // set and no S bit decoded as a label stack the encoder then refused; it is a withdrawal.
  it('regression: 0x800002 as first label entry is the withdrawal value', () => {
    const b = Uint8Array.from(Buffer.from('30800002000641', 'hex'));
    const v = decodeNlri({ afi: 1, safi: 4 }, b, 0, b.length, { addPath: false });
    expect(v).toEqual([{ type: 'labeled', labels: [], withdrawLabel: 0x800000, prefix: '0.6.65.0/24' }]);
    expect(Buffer.from(encodeNlri({ afi: 1, safi: 4 }, v, { addPath: false })).toString('hex')).toBe(
      '30800000000641',
    );
  });

  it('an end past the buffer or before the offset is a TruncatedError, not a read past the end', () => {
    const b = Uint8Array.of(24, 10, 0, 0);
    expect(() => decodeNlri({ afi: 1, safi: 1 }, b, 0, 10, { addPath: false })).toThrow(BgpError);
    expect(() => decodeNlri({ afi: 1, safi: 1 }, b, 3, 2, { addPath: false })).toThrow(BgpError);
    expect(() => decodeNlri({ afi: 1, safi: 1 }, b, -1, 2, { addPath: false })).toThrow(BgpError);
  });
});
