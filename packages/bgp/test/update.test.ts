// RFC 7606 handling of UPDATE errors: each case builds an UPDATE by hand, decodes it and checks the
// reported problem (attribute, approach, NOTIFICATION subcode and data) and what stays in the message.
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeMessage,
  defaultContext,
  encodeMessage,
  endOfRib,
  endOfRibFamily,
  reconstructAsPath,
  resetNotification,
  sessionContext,
  treatAsWithdraw,
  type UpdateMessage,
} from '../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** An UPDATE from its parts (hex): withdrawn routes, path attributes, NLRI. */
function update(withdrawn: string, attrs: string, nlri: string): Uint8Array {
  const w = hex(withdrawn);
  const a = hex(attrs);
  const n = hex(nlri);
  const len = 19 + 2 + w.length + 2 + a.length + n.length;
  const b = new Uint8Array(len);
  b.fill(0xff, 0, 16);
  b.set([len >> 8, len & 0xff, 2], 16);
  b.set([w.length >> 8, w.length & 0xff], 19);
  b.set(w, 21);
  b.set([a.length >> 8, a.length & 0xff], 21 + w.length);
  b.set(a, 23 + w.length);
  b.set(n, 23 + w.length + a.length);
  return b;
}

const ORIGIN = '40010100';
const AS_PATH = '40020602010000fde9';
const NEXT_HOP = '4003040a000001';
const GOOD = ORIGIN + AS_PATH + NEXT_HOP;
const NLRI = '100a01';

function decode(b: Uint8Array, ctx = defaultContext) {
  const r = decodeMessage(b, 0, ctx);
  expect(r.message.type).toBe('update');
  return { ...r, update: r.message as UpdateMessage };
}

describe('RFC 7606 UPDATE problems', () => {
  it('well-formed: no problems', () => {
    const r = decode(update('', GOOD, NLRI));
    expect(r.problems).toEqual([]);
    expect(r.action).toBeUndefined();
  });

  it('7.1 ORIGIN with an undefined value: treat-as-withdraw, Invalid ORIGIN with the attribute as data', () => {
    const r = decode(update('', `40010103${AS_PATH}${NEXT_HOP}`, NLRI));
    expect(r.action).toBe('treat-as-withdraw');
    expect(r.problems[0]).toMatchObject({ attribute: 'ORIGIN', typeCode: 1, action: 'treat-as-withdraw' });
    expect(r.problems[0]!.notification.subcode).toBe(6);
    expect(toHex(r.problems[0]!.notification.data)).toBe('40010103');
    expect(r.update.nlri).toEqual([{ type: 'prefix', prefix: '10.1.0.0/16' }]);
    expect(treatAsWithdraw(r.update).withdrawn).toEqual([{ type: 'prefix', prefix: '10.1.0.0/16' }]);
  });

  it('7.2 AS_PATH with a zero-length segment: treat-as-withdraw, Malformed AS_PATH', () => {
    const r = decode(update('', `${ORIGIN}40020202 00${NEXT_HOP}`, NLRI));
    expect(r.problems[0]).toMatchObject({ attribute: 'AS_PATH', action: 'treat-as-withdraw' });
    expect(r.problems[0]!.notification.subcode).toBe(11);
  });

  it('7.2 AS_PATH confederation segment from an external peer: treat-as-withdraw', () => {
    const ctx = sessionContext({ peerType: 'external' });
    const r = decode(update('', `${ORIGIN}40020603010000fde9${NEXT_HOP}`, NLRI), ctx);
    expect(r.action).toBe('treat-as-withdraw');
  });

  it('7.3 NEXT_HOP of 5 bytes: treat-as-withdraw, Attribute Length Error', () => {
    const r = decode(update('', `${ORIGIN}${AS_PATH}4003050a00000100`, NLRI));
    expect(r.problems.map((p) => [p.attribute, p.action, p.notification.subcode])).toContainEqual([
      'NEXT_HOP',
      'treat-as-withdraw',
      5,
    ]);
  });

  it('7.5 LOCAL_PREF from an external peer: attribute discard', () => {
    const ctx = sessionContext({ peerType: 'external' });
    const r = decode(update('', `${GOOD}40050400000064`, NLRI), ctx);
    expect(r.action).toBe('attribute-discard');
    expect(r.update.attributes.map((a) => a.type)).toEqual(['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
  });

  it('7.6 ATOMIC_AGGREGATE with a value and 7.7 AGGREGATOR of the wrong length: attribute discard', () => {
    const r = decode(update('', `${GOOD}40060100 c00706fde90a000001`, NLRI));
    expect(r.problems.map((p) => [p.attribute, p.action])).toEqual([
      ['ATOMIC_AGGREGATE', 'attribute-discard'],
      ['AGGREGATOR', 'attribute-discard'],
    ]);
    expect(r.action).toBe('attribute-discard');
  });

  it('7.8 COMMUNITIES not a multiple of 4 and 7.14 extended communities not a multiple of 8: treat-as-withdraw', () => {
    const r = decode(update('', `${GOOD}c00803000001 c0100700020000fde900`, NLRI));
    expect(r.problems.map((p) => [p.attribute, p.action])).toEqual([
      ['COMMUNITIES', 'treat-as-withdraw'],
      ['EXTENDED_COMMUNITIES', 'treat-as-withdraw'],
    ]);
  });

  it('7.9/7.10 ORIGINATOR_ID and CLUSTER_LIST lengths: treat-as-withdraw', () => {
    const r = decode(update('', `${GOOD}800903010203 800a03010203`, NLRI));
    expect(r.problems.map((p) => p.attribute)).toEqual(['ORIGINATOR_ID', 'CLUSTER_LIST']);
    expect(r.action).toBe('treat-as-withdraw');
  });

  it('RFC 8092 6: LARGE_COMMUNITY not a multiple of 12: treat-as-withdraw', () => {
    const r = decode(update('', `${GOOD}c0200800000001 00000002`, NLRI));
    expect(r.problems[0]).toMatchObject({ attribute: 'LARGE_COMMUNITY', action: 'treat-as-withdraw' });
  });

  it('RFC 7607: AS 0 in AS_PATH is treat-as-withdraw, in AGGREGATOR / AS4_PATH / AS4_AGGREGATOR discard', () => {
    const r = decode(update('', `${ORIGIN}40020602010000000${'0'}${NEXT_HOP}`, NLRI));
    expect(r.problems[0]).toMatchObject({
      attribute: 'AS_PATH',
      action: 'treat-as-withdraw',
      notification: { subcode: 11 },
    });
    const r2 = decode(
      update('', `${GOOD}c00708000000000a000001 c011060201 00000000 c01208000000000a000001`, NLRI),
    );
    expect(r2.problems.map((p) => [p.attribute, p.action])).toEqual([
      ['AGGREGATOR', 'attribute-discard'],
      ['AS4_PATH', 'attribute-discard'],
      ['AS4_AGGREGATOR', 'attribute-discard'],
    ]);
  });

  it('RFC 6793: malformed AS4_PATH and AS4_AGGREGATOR are discarded', () => {
    const r = decode(update('', `${GOOD}c0110603010000fde9 c01206fde90a000001`, NLRI));
    expect(r.problems.map((p) => [p.attribute, p.action])).toEqual([
      ['AS4_PATH', 'attribute-discard'],
      ['AS4_AGGREGATOR', 'attribute-discard'],
    ]);
  });

  it('3(c) flags in conflict (MED sent as well-known): treat-as-withdraw, Attribute Flags Error with the attribute', () => {
    const r = decode(update('', `${GOOD}400404000000 0a`, NLRI));
    expect(r.problems[0]).toMatchObject({ attribute: 'MULTI_EXIT_DISC', action: 'treat-as-withdraw' });
    expect(r.problems[0]!.notification.subcode).toBe(4);
    expect(toHex(r.problems[0]!.notification.data)).toBe('4004040000000a');
  });

  it('3(g) a repeated attribute is discarded; a repeated MP_REACH_NLRI resets the session', () => {
    const r = decode(update('', `${GOOD}${ORIGIN}`, NLRI));
    expect(r.problems[0]).toMatchObject({ attribute: 'ORIGIN', action: 'attribute-discard' });
    const mpUnreach = '800f03000101';
    const r2 = decode(update('', `${mpUnreach}${mpUnreach}`, ''));
    expect(r2.action).toBe('session-reset');
    expect(resetNotification(r2.problems)).toEqual({ code: 3, subcode: 1, data: new Uint8Array(0) });
  });

  it('3(d) missing well-known mandatory attributes: treat-as-withdraw, data = the type code', () => {
    const r = decode(update('', ORIGIN, NLRI));
    expect(r.problems.map((p) => [p.attribute, toHex(p.notification.data)])).toEqual([
      ['AS_PATH', '02'],
      ['NEXT_HOP', '03'],
    ]);
    // a withdrawal-only UPDATE needs no attributes
    expect(decode(update('100a01', '', '')).problems).toEqual([]);
  });

  it('unrecognized well-known attribute: session reset with the attribute as data', () => {
    const r = decode(update('', `${GOOD}40fe0100`, NLRI));
    expect(r.action).toBe('session-reset');
    expect(r.problems[0]!.notification).toEqual({ code: 3, subcode: 2, data: hex('40fe0100') });
  });

  it('unknown optional transitive attribute is kept with its flags', () => {
    const r = decode(update('', `${GOOD}c0fe020102`, NLRI));
    expect(r.problems).toEqual([]);
    expect(r.update.attributes[3]).toEqual({ type: 'UNKNOWN', code: 254, flags: 0xc0, value: hex('0102') });
  });

  it('4: attribute overrunning the path attributes: treat-as-withdraw, NLRI still located', () => {
    const r = decode(update('', `${GOOD}c0080800000001`, NLRI));
    expect(r.problems[0]).toMatchObject({ attribute: 'COMMUNITIES', action: 'treat-as-withdraw' });
    expect(r.update.nlri).toHaveLength(1);
    const r2 = decode(update('', `${GOOD}c0`, NLRI));
    expect(r2.problems[0]).toMatchObject({ attribute: 'PATH_ATTRIBUTES', action: 'treat-as-withdraw' });
  });

  it('7.11 MP_REACH_NLRI next hop length wrong for the family: AFI/SAFI disable naming the family', () => {
    // IPv6 unicast with a 4-byte next hop
    const r = decode(update('', `${ORIGIN}${AS_PATH}800e0a 0002 01 04 0a000001 00 00`, ''));
    expect(r.problems[0]).toMatchObject({
      attribute: 'MP_REACH_NLRI',
      action: 'afi-safi-disable',
      family: { afi: 2, safi: 1 },
    });
    expect(r.problems[0]!.notification.subcode).toBe(9);
  });

  it('5.3 malformed NLRI field: session reset, Invalid Network Field', () => {
    const r = decode(update('', GOOD, '210a0101'));
    expect(r.action).toBe('session-reset');
    expect(r.problems[0]).toMatchObject({ attribute: 'NLRI', notification: { code: 3, subcode: 10 } });
    const r2 = decode(update('180a01', GOOD, NLRI));
    expect(r2.problems[0]).toMatchObject({ attribute: 'WITHDRAWN_ROUTES', action: 'session-reset' });
  });

  it('MP_UNREACH_NLRI with unparsable NLRI: AFI/SAFI disable', () => {
    const r = decode(update('', '800f05 0001 01 2101', ''));
    expect(r.problems[0]).toMatchObject({
      attribute: 'MP_UNREACH_NLRI',
      action: 'afi-safi-disable',
      family: { afi: 1, safi: 1 },
    });
  });

  it('RFC 4271 6.3: lengths overrunning the message throw Malformed Attribute List', () => {
    const b = update('', GOOD, NLRI);
    b[19] = 0x00;
    b[20] = 0x40;
    try {
      decodeMessage(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BgpError);
      expect((e as BgpError).notification).toEqual({ code: 3, subcode: 1, data: new Uint8Array(0) });
    }
  });

  it('strongest approach wins when several problems exist (3(j))', () => {
    const r = decode(update('', `40010103${AS_PATH}${NEXT_HOP}40060100 40fe0100`, NLRI));
    expect(r.problems.map((p) => p.action)).toEqual([
      'treat-as-withdraw',
      'attribute-discard',
      'session-reset',
    ]);
    expect(r.action).toBe('session-reset');
  });
});

describe('End-of-RIB and AS path reconstruction', () => {
  it('End-of-RIB markers (RFC 4724 2)', () => {
    expect(toHex(encodeMessage(endOfRib({ afi: 1, safi: 1 })))).toBe(`${'ff'.repeat(16)}00170200000000`);
    const evpn = encodeMessage(endOfRib({ afi: 25, safi: 70 }));
    expect(toHex(evpn)).toBe(`${'ff'.repeat(16)}001d0200000006800f03001946`);
    const back = decodeMessage(evpn).message as UpdateMessage;
    expect(endOfRibFamily(back)).toEqual({ afi: 25, safi: 70 });
  });

  it('RFC 6793 4.2.3 reconstruction', () => {
    const asPath = [{ type: 'sequence' as const, asns: [65001, 23456, 23456, 65002] }];
    const as4 = [{ type: 'sequence' as const, asns: [4200000001, 4200000002, 65002] }];
    expect(reconstructAsPath(asPath, as4)).toEqual([
      { type: 'sequence', asns: [65001, 4200000001, 4200000002, 65002] },
    ]);
    // AS4_PATH longer than AS_PATH: ignored
    expect(reconstructAsPath([{ type: 'sequence', asns: [1] }], as4)).toEqual([
      { type: 'sequence', asns: [1] },
    ]);
    // AGGREGATOR AS not AS_TRANS: AS4_PATH ignored
    expect(reconstructAsPath(asPath, as4, 65001)).toEqual(asPath);
    // leading confederation segment kept
    const withConfed = [{ type: 'confed-sequence' as const, asns: [64512] }, ...asPath];
    expect(reconstructAsPath(withConfed, as4)).toEqual([
      { type: 'confed-sequence', asns: [64512] },
      { type: 'sequence', asns: [65001, 4200000001, 4200000002, 65002] },
    ]);
  });
});

describe('negotiate and decodeUpdate', () => {
  it('derives both directions from the two OPENs', async () => {
    const { makeOpen, negotiate, decodeUpdate, hasAddPath } = await import('../src/index.js');
    const local = makeOpen({
      asn: 65001,
      bgpId: '10.0.0.1',
      capabilities: [
        { type: 'extended-message' },
        {
          type: 'add-path',
          families: [
            { afi: 1, safi: 1, mode: 'both' },
            { afi: 2, safi: 1, mode: 'receive' },
          ],
        },
      ],
    });
    const remote = makeOpen({
      asn: 65002,
      bgpId: '10.0.0.2',
      capabilities: [
        { type: 'extended-message' },
        {
          type: 'add-path',
          families: [
            { afi: 1, safi: 1, mode: 'receive' },
            { afi: 2, safi: 1, mode: 'send' },
          ],
        },
      ],
    });
    const { receive, send } = negotiate(local, remote, 'external');
    expect([receive.fourOctetAs, receive.extendedMessage, receive.peerType]).toEqual([
      true,
      true,
      'external',
    ]);
    expect([hasAddPath(receive, 1, 1), hasAddPath(receive, 2, 1)]).toEqual([false, true]);
    expect([hasAddPath(send, 1, 1), hasAddPath(send, 2, 1)]).toEqual([true, false]);
    const noAs4 = { ...remote, parameters: [] };
    expect(negotiate(local, noAs4).receive.fourOctetAs).toBe(false);
    const r = decodeUpdate(update('', GOOD, NLRI), 0, defaultContext);
    expect(r.message.nlri).toHaveLength(1);
    expect(r.length).toBe(update('', GOOD, NLRI).length);
  });
});

describe('UPDATE NLRI field encoding', () => {
  it('writes the same bytes as encodeNlri for any prefix text, or fails the same way', async () => {
    const fc = (await import('fast-check')).default;
    const { encodeNlri, BgpError: Err } = await import('../src/index.js');
    const { arbPrefixNlri } = await import('./support/arbitraries-nlri.js');
    const odd = fc
      .tuple(
        fc.array(fc.constantFrom('0', '1', '9', '25', '255', '256', '01', '00', '1000', ''), {
          minLength: 3,
          maxLength: 5,
        }),
        fc.constantFrom('/', '/0', '/8', '/24', '/32', '/33', '/024', '/', ''),
      )
      .map(([parts, len]) => ({ type: 'prefix' as const, prefix: `${parts.join('.')}${len}` }));
    const outcome = (f: () => Uint8Array): string => {
      try {
        return Buffer.from(f()).toString('hex');
      } catch (e) {
        if (!(e instanceof Err)) throw e;
        return 'error';
      }
    };
    fc.assert(
      fc.property(
        fc.array(fc.oneof(arbPrefixNlri(false, false), odd), { maxLength: 5 }),
        fc.boolean(),
        (nlri, addPath) => {
          const ctx = sessionContext(addPath ? { addPath: [{ afi: 1, safi: 1 }] } : {});
          const list = addPath ? nlri.map((n, i) => ({ ...n, pathId: i * 1000 })) : nlri;
          const viaUpdate = outcome(() => {
            const b = encodeMessage({ type: 'update', withdrawn: [], attributes: [], nlri: list }, ctx);
            return b.subarray(23);
          });
          const viaNlri = outcome(() => encodeNlri({ afi: 1, safi: 1 }, list, { addPath }));
          expect(viaUpdate).toBe(viaNlri);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
