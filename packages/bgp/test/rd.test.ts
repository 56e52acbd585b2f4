// Route distinguishers (RFC 4364 4.2): value, bytes and text in both directions, round trips, bad text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRd,
  EncodeError,
  encodeRd,
  formatRd,
  parseRd,
  type RouteDistinguisher,
  rdEquals,
  TextFormatError,
  TruncatedError,
} from '../src/index.js';
import { arbRd } from './support/arbitraries-nlri.js';

const rows: { value: RouteDistinguisher; bytes: string; text: string }[] = [
  { value: { type: 0, asn: 65000, assigned: 100 }, bytes: '0000fde800000064', text: '65000:100' },
  { value: { type: 0, asn: 1, assigned: 4294967295 }, bytes: '00000001ffffffff', text: '1:4294967295' },
  { value: { type: 1, ip: '10.0.0.1', assigned: 5 }, bytes: '00010a0000010005', text: '10.0.0.1:5' },
  { value: { type: 2, asn: 4200000000, assigned: 7 }, bytes: '0002fa56ea000007', text: '4200000000:7' },
  { value: { type: 2, asn: 65000, assigned: 7 }, bytes: '00020000fde80007', text: '65000L:7' },
  {
    value: { type: 'other', code: 3, value: '0102030405ff' },
    bytes: '00030102030405ff',
    text: 'rd-type-3:0102030405ff',
  },
];

describe('route distinguisher', () => {
  for (const r of rows) {
    it(r.text, () => {
      const b = Uint8Array.from(Buffer.from(r.bytes, 'hex'));
      expect(decodeRd(b)).toEqual(r.value);
      expect(Buffer.from(encodeRd(r.value)).toString('hex')).toBe(r.bytes);
      expect(formatRd(r.value)).toBe(r.text);
      expect(parseRd(r.text)).toEqual(r.value);
    });
  }

  it('round trips bytes and text (fast-check)', () => {
    fc.assert(
      fc.property(arbRd, (rd) => {
        expect(decodeRd(encodeRd(rd))).toEqual(rd);
        expect(parseRd(formatRd(rd))).toEqual(rd);
        expect(rdEquals(rd, parseRd(formatRd(rd)))).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        expect(encodeRd(decodeRd(b))).toEqual(b);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects text that is no RD and values that do not fit', () => {
    for (const t of [
      '65000',
      '65000:x',
      '10.0.0.256:1',
      '10.0.0.1:65536',
      '4294967296:1',
      '4200000000:65536',
      'rd-type-2:000000000000',
      '01.0.0.1:1',
    ]) {
      expect(() => parseRd(t), t).toThrow(TextFormatError);
    }
    expect(() => encodeRd({ type: 0, asn: 65536, assigned: 1 })).toThrow(EncodeError);
    expect(() => encodeRd({ type: 1, ip: '10.0.0.1', assigned: 65536 })).toThrow(EncodeError);
    expect(() => encodeRd({ type: 'other', code: 1, value: '000000000000' })).toThrow(EncodeError);
    expect(() => decodeRd(new Uint8Array(7))).toThrow(TruncatedError);
    expect(() => decodeRd(new Uint8Array(9), 2)).toThrow(TruncatedError);
  });
});
