// The allocation-free UPDATE visitor agrees with the full decoder on every generated UPDATE.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeMessage,
  defaultContext,
  encodeAttributeBlock,
  encodeMessage,
  type Nlri,
  packIpv4Updates,
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

describe('packIpv4Updates', () => {
  it('packs prefixes that decode back, in order, filling each message up to the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })), {
          maxLength: 3000,
        }),
        fc.boolean(),
        (items, addPath) => {
          const ctx = sessionContext(addPath ? { addPath: [{ afi: 1, safi: 1 }] } : {});
          // canonical prefixes: host bits zero
          const prefixes = items.map(([p, l]) => (l === 0 ? 0 : (p >>> (32 - l)) << (32 - l)) >>> 0);
          const lengths = items.map(([, l]) => l);
          const ids = items.map((_, i) => i * 7);
          const attrs = encodeAttributeBlock(
            [
              { type: 'ORIGIN', origin: 'igp' },
              { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001] }] },
              { type: 'NEXT_HOP', nextHop: '192.0.2.1' },
            ],
            ctx,
          );
          const msgs = packIpv4Updates(attrs, prefixes, lengths, items.length, ctx, ids);
          const seen: [number, number, number][] = [];
          for (const m of msgs) {
            expect(m.length).toBeLessThanOrEqual(4096);
            const r = decodeMessage(m, 0, ctx);
            expect(r.problems).toEqual([]);
            visitUpdate(m, 0, ctx, { ipv4: (_r, p, l, id) => seen.push([p, l, id]) });
          }
          expect(seen).toEqual(prefixes.map((p, i) => [p, lengths[i]!, addPath ? ids[i]! : 0]));
          if (msgs.length > 1) expect(msgs[0]!.length).toBeGreaterThan(4096 - (addPath ? 9 : 5));
        },
      ),
      { numRuns: 60 },
    );
  });
});
