// The allocation-free UPDATE visitor agrees with the full decoder on every generated UPDATE.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeMessage,
  defaultContext,
  encodeMessage,
  type Nlri,
  sessionContext,
  type UpdateMessage,
  visitUpdate,
} from '../src/index.js';
import { formatPrefix } from '../src/nlri/address.js';
import { ipv4FromNumber } from '../src/wire.js';
import { arbUpdate } from './support/arbitraries-msg.js';

function viaVisitor(bytes: Uint8Array, ctx = defaultContext) {
  const seen: string[] = [];
  let blocks = 0;
  visitUpdate(bytes, 0, ctx, {
    attributes: () => {
      blocks++;
    },
    ipv4: (reach, prefix, len, pathId) => {
      const b = new Uint8Array([prefix >>> 24, (prefix >>> 16) & 0xff, (prefix >>> 8) & 0xff, prefix & 0xff]);
      seen.push(`${reach ? '+' : '-'}${formatPrefix(false, b, 0, len)}#${pathId}`);
      expect(ipv4FromNumber(prefix)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    },
    ipv6: (reach, buf, off, len, pathId) => {
      seen.push(`${reach ? '+' : '-'}${formatPrefix(true, buf, off, len)}#${pathId}`);
    },
  });
  expect(blocks).toBe(1);
  return seen;
}

function viaDecoder(m: UpdateMessage): string[] {
  const s = (reach: boolean, n: Nlri) =>
    n.type === 'prefix' ? [`${reach ? '+' : '-'}${n.prefix}#${n.pathId ?? 0}`] : [];
  const out: string[] = [];
  out.push(...m.withdrawn.flatMap((n) => s(false, n)));
  for (const a of m.attributes) {
    if (a.type === 'MP_UNREACH_NLRI' && a.safi === 1 && (a.afi === 1 || a.afi === 2))
      out.push(...a.withdrawn.flatMap((n) => s(false, n)));
  }
  for (const a of m.attributes) {
    if (a.type === 'MP_REACH_NLRI' && a.safi === 1 && (a.afi === 1 || a.afi === 2))
      out.push(...a.nlri.flatMap((n) => s(true, n)));
  }
  out.push(...m.nlri.flatMap((n) => s(true, n)));
  return out;
}

describe('visitUpdate', () => {
  it('visits the same prefixes the decoder returns', () => {
    fc.assert(
      fc.property(arbUpdate, (m) => {
        const bytes = encodeMessage(m);
        const decoded = decodeMessage(bytes).message as UpdateMessage;
        expect(viaVisitor(bytes)).toEqual(viaDecoder(decoded));
      }),
      { numRuns: 300 },
    );
  });

  it('reads add-path identifiers', () => {
    const ctx = sessionContext({ addPath: [{ afi: 1, safi: 1 }] });
    const m: UpdateMessage = {
      type: 'update',
      withdrawn: [{ type: 'prefix', prefix: '10.0.0.0/8', pathId: 3 }],
      attributes: [],
      nlri: [{ type: 'prefix', prefix: '192.0.2.128/25', pathId: 4000000000 }],
    };
    expect(viaVisitor(encodeMessage(m, ctx), ctx)).toEqual(['-10.0.0.0/8#3', '+192.0.2.128/25#4000000000']);
  });

  it('fuzz: random and mutated UPDATEs only throw BgpError and never loop', () => {
    fc.assert(
      fc.property(
        arbUpdate,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (m, flips) => {
          const b = encodeMessage(m).slice();
          for (const [i, v] of flips) b[19 + (i % (b.length - 19))] = v;
          try {
            visitUpdate(b, 0, defaultContext, { ipv4: () => {}, ipv6: () => {} });
          } catch (e) {
            if (!(e instanceof BgpError)) throw e;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
