// NlriReader, the allocation-free form of decodeNlri: for valid, random and mutated input it must accept
// and reject exactly what decodeNlri does (same error class, field and offset), its NLRI must be the same,
// and the numbers and offsets it leaves must read back the fields of the decoded values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeNlri,
  encodeNlri,
  type Family,
  formatEsi,
  formatMac,
  type Nlri,
  NlriReader,
} from '../src/index.js';
import { formatIpv4, formatIpv6, formatPrefix } from '../src/nlri/address.js';
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
  { name: 'ipv4-labeled', family: { afi: 1, safi: 4 }, arb: (a) => arbLabeledNlri(false, a) },
  { name: 'ipv6-labeled', family: { afi: 2, safi: 4 }, arb: (a) => arbLabeledNlri(true, a) },
  { name: 'vpnv4', family: { afi: 1, safi: 128 }, arb: (a) => arbVpnNlri(false, a) },
  { name: 'vpnv6', family: { afi: 2, safi: 128 }, arb: (a) => arbVpnNlri(true, a) },
  { name: 'rtc', family: { afi: 1, safi: 132 }, arb: (a) => arbRtcNlri(a) },
  { name: 'evpn', family: { afi: 25, safi: 70 }, arb: (a) => arbEvpnRoute(a) },
  {
    name: 'unknown',
    family: { afi: 3, safi: 1 },
    arb: () =>
      fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes): Nlri => ({ type: 'unknown', bytes })),
  },
];

const reader = new NlriReader();

function outcome(f: () => Nlri[]): Nlri[] | { error: string; field: string; offset: number } {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(BgpError);
    const err = e as BgpError;
    return { error: err.name, field: err.field, offset: err.offset };
  }
}

/** Checks the reader's offsets against the decoded value of the same NLRI. */
function checkFields(r: NlriReader, n: Nlri): void {
  const b = r.buf;
  if ('pathId' in n) expect(r.pathId).toBe(n.pathId);
  switch (n.type) {
    case 'prefix':
      expect(formatPrefix(n.prefix.includes(':'), b, r.prefixOffset, r.prefixLength)).toBe(n.prefix);
      break;
    case 'labeled':
    case 'vpn':
      expect(r.labelCount).toBe(n.labels.length);
      for (let i = 0; i < r.labelCount; i++) expect(r.label(i)).toBe(n.labels[i]);
      expect(r.withdrawal).toBe(n.withdrawLabel !== undefined);
      expect(formatPrefix(n.prefix.includes(':'), b, r.prefixOffset, r.prefixLength)).toBe(n.prefix);
      break;
    case 'rtc':
      expect(r.prefixLength).toBe(n.prefixLength);
      if (n.originAs !== undefined) expect(r.originAs).toBe(n.originAs);
      break;
    case 'evpn-mac-ip':
      expect(r.routeType).toBe(2);
      expect(formatMac(b, r.macOffset)).toBe(n.mac);
      expect(formatEsi(b, r.esiOffset)).toBe(n.esi);
      expect(r.ethernetTag).toBe(n.ethernetTag);
      expect(r.labelRaw(0)).toBe(n.label1.raw);
      expect(r.labelCount).toBe(n.label2 ? 2 : 1);
      if (n.label2) expect(r.labelRaw(1)).toBe(n.label2.raw);
      if (n.ip === undefined) expect(r.ipOffset).toBe(-1);
      else expect(r.ipLength === 4 ? formatIpv4(b, r.ipOffset) : formatIpv6(b, r.ipOffset, 16)).toBe(n.ip);
      break;
    case 'evpn-ethernet-ad':
      expect(formatEsi(b, r.esiOffset)).toBe(n.esi);
      expect(r.labelRaw(0)).toBe(n.label.raw);
      expect(r.ethernetTag).toBe(n.ethernetTag);
      break;
    case 'evpn-inclusive-multicast':
    case 'evpn-ethernet-segment':
      expect(r.ipLength === 4 ? formatIpv4(b, r.ipOffset) : formatIpv6(b, r.ipOffset, 16)).toBe(n.originator);
      break;
    case 'evpn-ip-prefix': {
      const a = r.ipLength === 4 ? formatIpv4(b, r.prefixOffset) : formatIpv6(b, r.prefixOffset, 16);
      expect(`${a}/${r.prefixLength}`).toBe(n.prefix);
      expect(r.ipLength === 4 ? formatIpv4(b, r.gatewayOffset) : formatIpv6(b, r.gatewayOffset, 16)).toBe(
        n.gateway,
      );
      expect(r.labelRaw(0)).toBe(n.label.raw);
      break;
    }
    case 'evpn-unknown':
      expect(r.routeType).toBe(n.routeType);
      expect(b.slice(r.valueOffset, r.valueOffset + r.valueLength)).toEqual(n.bytes);
      break;
    case 'unknown':
      expect(b.slice(r.valueOffset, r.valueOffset + r.valueLength)).toEqual(n.bytes);
      break;
  }
}

function compare(family: Family, bytes: Uint8Array, addPath: boolean): void {
  const viaDecode = outcome(() => decodeNlri(family, bytes, 0, bytes.length, { addPath }));
  const viaReader = outcome(() => {
    const out: Nlri[] = [];
    reader.reset(family, bytes, 0, bytes.length, { addPath });
    let guard = 0;
    while (reader.next()) {
      expect(reader.end).toBeGreaterThan(reader.start);
      const n = reader.toNlri();
      checkFields(reader, n);
      out.push(n);
      expect(++guard).toBeLessThanOrEqual(bytes.length);
    }
    return out;
  });
  expect(viaReader).toEqual(viaDecode);
}

const arbEdits = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
  minLength: 1,
  maxLength: 3,
});

describe('NlriReader agrees with decodeNlri', () => {
  for (const { name, family, arb } of families) {
    it(`${name}: valid, random and mutated input`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.uint8Array({ maxLength: 100 }), (addPath, b) =>
          compare(family, b, addPath),
        ),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(
          fc.boolean().chain((a) => fc.tuple(fc.constant(a), fc.array(arb(a), { maxLength: 5 }))),
          arbEdits,
          fc.boolean(),
          ([addPath, list], edits, mutate) => {
            const bytes = encodeNlri(family, list, { addPath });
            if (mutate) for (const e of edits) if (bytes.length > 0) bytes[e.at % bytes.length] = e.value;
            compare(family, bytes, addPath);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('rejects a range outside the buffer like decodeNlri', () => {
    expect(() => reader.reset({ afi: 1, safi: 1 }, new Uint8Array(4), 2, 9, { addPath: false })).toThrow(
      BgpError,
    );
    expect(() => reader.reset({ afi: 1, safi: 1 }, new Uint8Array(4), 3, 2, { addPath: false })).toThrow(
      BgpError,
    );
  });
});
