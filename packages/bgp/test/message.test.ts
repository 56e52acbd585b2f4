// Messages in both directions: a symmetry table of hand-checked vectors (RFC 4271 4, RFC 5492, RFC 8203,
// RFC 7313), fast-check round trips for every message type, and fuzzing (random and mutated bytes only
// ever give BgpError subclasses).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  type BgpMessage,
  decodeMessage,
  defaultContext,
  encodeMessage,
  makeOpen,
  notificationMessage,
  openCapabilities,
  peerAs,
  sessionContext,
  shutdownNotification,
} from '../src/index.js';
import {
  arbKeepalive,
  arbMessage,
  arbNotification,
  arbOpen,
  arbRouteRefresh,
  arbUpdate,
} from './support/arbitraries-msg.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const MARKER = 'ff'.repeat(16);

const table: { name: string; value: BgpMessage; bytes: string }[] = [
  { name: 'KEEPALIVE', value: { type: 'keepalive' }, bytes: `${MARKER} 0013 04` },
  {
    name: 'OPEN AS 65001, MP ipv4-unicast, 4-octet AS',
    value: {
      type: 'open',
      version: 4,
      myAs: 65001,
      holdTime: 90,
      bgpId: '1.1.1.1',
      parameters: [
        { kind: 'capabilities', capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] },
        { kind: 'capabilities', capabilities: [{ type: 'four-octet-as', asn: 65001 }] },
      ],
    },
    bytes: `${MARKER} 002d 01  04 fde9 005a 01010101 10  0206 0104 0001 0001  0206 4104 0000fde9`,
  },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown "bye" (RFC 8203)',
    value: shutdownNotification('bye'),
    bytes: `${MARKER} 0019 03 06 02 03 627965`,
  },
  {
    name: 'ROUTE-REFRESH ipv4 unicast BoRR (RFC 7313)',
    value: { type: 'route-refresh', afi: 1, safi: 1, subtype: 1 },
    bytes: `${MARKER} 0017 05 0001 01 01`,
  },
  {
    name: 'UPDATE ORIGIN IGP, AS_PATH 65001, NEXT_HOP 10.0.0.1, NLRI 10.1.0.0/16',
    value: {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', flags: 0x40, origin: 'igp' },
        { type: 'AS_PATH', flags: 0x40, segments: [{ type: 'sequence', asns: [65001] }] },
        { type: 'NEXT_HOP', flags: 0x40, nextHop: '10.0.0.1' },
      ],
      nlri: [{ type: 'prefix', prefix: '10.1.0.0/16' }],
    },
    bytes: `${MARKER} 002e 02 0000 0014 40010100 400206020100 00fde9 4003040a000001 100a01`,
  },
];

describe('message symmetry table', () => {
  for (const t of table) {
    it(`${t.name}: decode`, () => {
      const r = decodeMessage(hex(t.bytes), 0, defaultContext);
      expect(r.message).toEqual(t.value);
      expect(r.length).toBe(hex(t.bytes).length);
      expect(r.problems).toEqual([]);
    });
    it(`${t.name}: encode`, () => {
      expect(Buffer.from(encodeMessage(t.value, defaultContext)).toString('hex')).toBe(
        Buffer.from(hex(t.bytes)).toString('hex'),
      );
    });
  }

  it('makeOpen puts AS_TRANS in My AS for a 4-octet AS and peerAs reads the capability', () => {
    const open = makeOpen({ asn: 4200000001, bgpId: '10.0.0.1', capabilities: [{ type: 'route-refresh' }] });
    expect(open.myAs).toBe(23456);
    const back = decodeMessage(encodeMessage(open)).message;
    expect(back.type === 'open' && peerAs(back)).toBe(4200000001);
    expect(back.type === 'open' && openCapabilities(back).map((c) => c.type)).toEqual([
      'route-refresh',
      'four-octet-as',
    ]);
  });

  it('NOTIFICATION data readings: max prefix, hard reset', () => {
    const mp = notificationMessage(6, 1, hex('0001 01 000003e8'));
    expect(mp.maxPrefix).toEqual({ afi: 1, safi: 1, limit: 1000 });
    expect(mp.subcodeName).toBe('Maximum Number of Prefixes Reached');
    const hr = notificationMessage(6, 9, hex('04 0162'));
    expect(hr.hardReset).toEqual({ subcode: 4, data: hex('0162') });
    expect(notificationMessage(2, 11).subcodeName).toBe('Role Mismatch');
    expect(notificationMessage(7, 1).codeName).toBe('ROUTE-REFRESH Message Error');
  });
});

function roundTrip(m: BgpMessage): void {
  const ctx = defaultContext;
  const bytes = encodeMessage(m, ctx);
  const back = decodeMessage(bytes, 0, ctx);
  expect(back.length).toBe(bytes.length);
  const again = encodeMessage(back.message, ctx);
  expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  if (m.type === 'open' && back.message.type === 'open') {
    // the encoder switches to the RFC 9072 form when the parameters need it
    const { extendedParameters: _a, ...a } = m;
    const { extendedParameters: _b, ...b } = back.message;
    expect(b).toEqual(a);
  } else {
    expect(back.message).toEqual(m);
  }
}

describe('round trips (fast-check)', () => {
  it('OPEN', () => fc.assert(fc.property(arbOpen, roundTrip), { numRuns: 300 }));
  it('UPDATE', () => fc.assert(fc.property(arbUpdate, roundTrip), { numRuns: 300 }));
  it('NOTIFICATION', () => fc.assert(fc.property(arbNotification, roundTrip), { numRuns: 200 }));
  it('KEEPALIVE', () => fc.assert(fc.property(arbKeepalive, roundTrip), { numRuns: 5 }));
  it('ROUTE-REFRESH', () => fc.assert(fc.property(arbRouteRefresh, roundTrip), { numRuns: 200 }));
  it('UPDATE with 2-octet AS and add-path contexts', () => {
    const ctx = sessionContext({ fourOctetAs: false, addPath: [{ afi: 1, safi: 1 }] });
    const m: BgpMessage = {
      type: 'update',
      withdrawn: [{ type: 'prefix', prefix: '10.9.0.0/16', pathId: 7 }],
      attributes: [
        { type: 'ORIGIN', flags: 0x40, origin: 'egp' },
        { type: 'AS_PATH', flags: 0x40, segments: [{ type: 'sequence', asns: [23456, 65000] }] },
        { type: 'NEXT_HOP', flags: 0x40, nextHop: '192.0.2.1' },
        { type: 'AGGREGATOR', flags: 0xc0, asn: 23456, address: '192.0.2.9' },
        { type: 'AS4_PATH', flags: 0xc0, segments: [{ type: 'sequence', asns: [4200000001, 65000] }] },
      ],
      nlri: [{ type: 'prefix', prefix: '10.1.0.0/16', pathId: 1 }],
    };
    const bytes = encodeMessage(m, ctx);
    // AS_PATH of 2 ASes in 2 octets each: 2 + 4 bytes
    expect(Buffer.from(bytes).toString('hex')).toContain('400206020223a0fde8'.replace('23a0', '5ba0'));
    // AGGREGATOR with a 2-octet AS: 6 bytes
    expect(Buffer.from(bytes).toString('hex')).toContain('c007065ba0c0000209');
    expect(decodeMessage(bytes, 0, ctx).message).toEqual(m);
    expect(() =>
      encodeMessage(
        { ...m, attributes: [{ type: 'AS_PATH', segments: [{ type: 'sequence', asns: [70000] }] }] },
        ctx,
      ),
    ).toThrow(BgpError);
  });
});

function decodesOrBgpError(bytes: Uint8Array, ctx = defaultContext): void {
  try {
    decodeMessage(bytes, 0, ctx);
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
  }
}

describe('fuzz: only BgpError', () => {
  it('random bodies behind a valid marker', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        const len = 19 + body.length;
        const b = new Uint8Array(len);
        b.fill(0xff, 0, 16);
        b[16] = len >> 8;
        b[17] = len & 0xff;
        b[18] = type;
        b.set(body, 19);
        decodesOrBgpError(b);
        decodesOrBgpError(
          b,
          sessionContext({
            fourOctetAs: false,
            addPath: [
              { afi: 1, safi: 1 },
              { afi: 2, safi: 1 },
              { afi: 25, safi: 70 },
            ],
          }),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodesOrBgpError(b)),
      { numRuns: 500 },
    );
  });

  it('mutated valid messages (byte flips, truncation, length field kept)', () => {
    fc.assert(
      fc.property(
        arbMessage,
        fc.array(fc.tuple(fc.nat(), u8Arb()), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (m, flips, cut) => {
          const b = encodeMessage(m).slice();
          for (const [i, v] of flips) {
            const at = 18 + (i % Math.max(1, b.length - 18));
            if (at < b.length) b[at] = v;
          }
          decodesOrBgpError(b);
          decodesOrBgpError(b.subarray(0, cut % (b.length + 1)));
          // a shortened message with a patched length field
          const n = 19 + (cut % Math.max(1, b.length - 18));
          const s = b.slice(0, n);
          s[16] = n >> 8;
          s[17] = n & 0xff;
          decodesOrBgpError(s);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

function u8Arb() {
  return fc.integer({ min: 0, max: 255 });
}

describe('extended messages (RFC 8654) and 2-octet AS paths (RFC 6793)', () => {
  it('an UPDATE over 4096 bytes needs the extended message context', async () => {
    const { EncodeError, toTwoOctetAsPath, reconstructAsPath, readvertiseAttributes } = await import(
      '../src/index.js'
    );
    const nlri = Array.from({ length: 2000 }, (_, n) => ({
      type: 'prefix' as const,
      prefix: `10.${n >> 8}.${n & 0xff}.0/24`,
    }));
    const m: BgpMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'ORIGIN', flags: 0x40, origin: 'igp' }],
      nlri,
    };
    expect(() => encodeMessage(m)).toThrow(EncodeError);
    const ext = sessionContext({ extendedMessage: true });
    const b = encodeMessage(m, ext);
    expect(b.length).toBeGreaterThan(4096);
    expect(() => decodeMessage(b)).toThrow(BgpError);
    expect(decodeMessage(b, 0, ext).message).toEqual(m);

    const path = [{ type: 'sequence' as const, asns: [65001, 4200000001] }];
    const two = toTwoOctetAsPath(path);
    expect(two.asPath).toEqual([{ type: 'sequence', asns: [65001, 23456] }]);
    expect(reconstructAsPath(two.asPath, two.as4Path)).toEqual(path);
    expect(toTwoOctetAsPath([{ type: 'sequence', asns: [1] }]).as4Path).toBeUndefined();
    expect(
      readvertiseAttributes([
        { type: 'ORIGIN', origin: 'igp' },
        { type: 'UNKNOWN', code: 99, flags: 0xc0, value: new Uint8Array() },
        { type: 'UNKNOWN', code: 98, flags: 0x80, value: new Uint8Array() },
      ]).map((a) => (a.type === 'UNKNOWN' ? a.flags : a.type)),
    ).toEqual(['ORIGIN', 0xe0]);
  });
});

describe('fuzz: nothing is read past the message', () => {
  it('mutated messages decode the same with or without bytes after them', () => {
    const outcome = (b: Uint8Array): unknown => {
      try {
        const r = decodeMessage(b, 0, defaultContext);
        return [r.message, r.length, r.problems.map((p) => [p.attribute, p.action, p.offset])];
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        return `${e.name}:${e.layer}.${e.field}@${e.offset}`;
      }
    };
    fc.assert(
      fc.property(
        arbMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (m, flips) => {
          const b = encodeMessage(m).slice();
          for (const [i, v] of flips) b[19 + (i % Math.max(1, b.length - 19))] = v;
          const padded = new Uint8Array(b.length + 64).fill(0xaa);
          padded.set(b);
          const exact = outcome(b);
          if (typeof exact === 'string' && exact.startsWith('TruncatedError')) return;
          expect(outcome(padded)).toEqual(exact);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('JSON form', () => {
  it('bytes as hex and bigints as strings', async () => {
    const { bgpJsonReplacer } = await import('../src/index.js');
    const m: BgpMessage = {
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'AIGP', tlvs: [{ tlvType: 1, metric: 2n ** 63n }] },
        { type: 'UNKNOWN', code: 99, flags: 0xc0, value: Uint8Array.of(1, 0xab) },
      ],
      nlri: [],
    };
    expect(JSON.parse(JSON.stringify(m, bgpJsonReplacer))).toEqual({
      type: 'update',
      withdrawn: [],
      attributes: [
        { type: 'AIGP', tlvs: [{ tlvType: 1, metric: '9223372036854775808' }] },
        { type: 'UNKNOWN', code: 99, flags: 192, value: '01ab' },
      ],
      nlri: [],
    });
  });
});
