// Fuzzing the dissector and the fast path with random bytes and with valid tunnel frames mutated
// (bytes changed, cut short): lax dissection only ever ends in an `error` layer, strict dissection only
// throws EncapError subclasses, the fast path only returns status codes, and nothing reads past the end
// (checked by dissecting a frame at the start of a larger buffer full of garbage: results must not change).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecapMeta,
  decapFast,
  decapFastIp,
  dissect,
  EncapError,
  encapsulate,
  FastStatus,
  FlowKey,
  fastPathError,
  flowKeyFast,
} from '../src/index.js';
import { arbInnerFlow, arbTunnelSpec, innerFor } from './support/tunnel-fixtures.js';

const RUNS = 400;

const arbFrame = fc.tuple(arbTunnelSpec, arbInnerFlow).map(([spec, f]) => {
  const withEth = {
    ...spec,
    ethernet: spec.ethernet ?? { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
  };
  return encapsulate(withEth, innerFor(withEth, f));
});

/** A valid frame with a few bytes changed and maybe cut short. */
const arbMutated = fc
  .tuple(
    arbFrame,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.nat(),
  )
  .map(([b, muts, cut]) => {
    const out = b.slice(0, b.length - (cut % 8 === 0 ? cut % b.length : 0));
    for (const [at, v] of muts) out[at % Math.max(1, out.length)] = v;
    return out;
  });

const arbBytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), arbMutated);

function checkLax(b: Uint8Array, linktype: number): void {
  const layers = dissect(b, { linktype });
  for (const [i, l] of layers.entries()) {
    if (l.name === 'error') {
      expect(i).toBe(layers.length - 1);
      expect(l.error?.layer.length).toBeGreaterThan(0);
      expect(Number.isInteger(l.error?.offset)).toBe(true);
      expect(l.error?.name).toMatch(/Error$/);
    } else {
      expect(l.offset + l.length).toBeLessThanOrEqual(b.length);
    }
  }
  // JSON-friendly: a JSON round trip changes nothing (no bigint, no typed arrays).
  expect(JSON.parse(JSON.stringify(layers))).toEqual(layers);
  // Reads stay inside the frame: the same bytes followed by garbage dissect the same up to the frame.
  const padded = new Uint8Array(b.length + 64).fill(0xa5);
  padded.set(b);
  const again = dissect(padded.subarray(0, b.length), { linktype });
  expect(again).toEqual(layers);
}

function checkStrict(b: Uint8Array, linktype: number): void {
  try {
    dissect(b, { linktype, lax: false });
  } catch (e) {
    expect(e).toBeInstanceOf(EncapError);
  }
}

function checkFast(b: Uint8Array): void {
  const m = new DecapMeta();
  for (const st of [decapFast(b, 0, b.length, m), decapFastIp(b, 0, b.length, m)]) {
    expect(Number.isInteger(st)).toBe(true);
    if (st === FastStatus.ok) {
      expect(m.innerOffset + m.innerLength).toBeLessThanOrEqual(b.length);
      expect(m.innerLength).toBeGreaterThanOrEqual(0);
    } else {
      expect(fastPathError(st, m.errorOffset, b.length)).toBeInstanceOf(EncapError);
    }
  }
  const k = new FlowKey();
  for (const eth of [true, false]) {
    const st = flowKeyFast(b, 0, b.length, k, eth);
    if (st === FastStatus.ok) expect(k.l4Offset).toBeLessThanOrEqual(b.length);
    else expect(fastPathError(st, k.errorOffset, b.length)).toBeInstanceOf(EncapError);
  }
}

describe('fuzz: dissect and fast path', () => {
  for (const linktype of [1, 101, 113, 0]) {
    it(`lax dissect ends in an error layer at worst (link type ${linktype})`, () => {
      fc.assert(
        fc.property(arbBytes, (b) => checkLax(b, linktype)),
        { numRuns: RUNS },
      );
    });
  }

  it('strict dissect throws only EncapError', () => {
    fc.assert(
      fc.property(arbBytes, fc.constantFrom(1, 101, 228, 229), (b, lt) => checkStrict(b, lt)),
      { numRuns: RUNS },
    );
  });

  it('decapFast / flowKeyFast return status codes, never throw, never point past the end', () => {
    fc.assert(
      fc.property(arbBytes, (b) => checkFast(b)),
      { numRuns: RUNS },
    );
  });

  it('a layer limit stops deep nesting (VXLAN in VXLAN in ...)', () => {
    let pkt: Uint8Array = Uint8Array.from(Buffer.from('ffffffffffff02000000000108060001080006040001', 'hex'));
    for (let i = 0; i < 12; i++) {
      pkt = encapsulate(
        {
          type: 'vxlan',
          vni: i,
          src: '10.0.0.1',
          dst: '10.0.0.2',
          ethernet: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
        },
        pkt,
      );
    }
    const layers = dissect(pkt, { maxLayers: 20 });
    expect(layers).toHaveLength(21);
    expect(layers[20]).toMatchObject({ name: 'error', error: { field: 'layers' } });
    expect(() => dissect(pkt, { maxLayers: 20, lax: false })).toThrow(EncapError);
  });
});
