// RFC 4271 6.1 header errors and the NOTIFICATION each gives.
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  decodeHeader,
  decodeMessage,
  MalformedError,
  sessionContext,
  TruncatedError,
} from '../src/index.js';

function header(len: number, type: number, marker = 0xff): Uint8Array {
  const b = new Uint8Array(Math.max(19, len));
  b.fill(marker, 0, 16);
  b[16] = len >> 8;
  b[17] = len & 0xff;
  b[18] = type;
  return b;
}

function notificationOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BgpError);
    return (e as BgpError).notification;
  }
  throw new Error('did not throw');
}

describe('header', () => {
  it('decodes length and type', () => {
    expect(decodeHeader(header(19, 4))).toEqual({ length: 19, type: 4 });
  });
  it('marker not all ones: Connection Not Synchronized', () => {
    expect(notificationOf(() => decodeHeader(header(19, 4, 0xfe)))).toEqual({
      code: 1,
      subcode: 1,
      data: new Uint8Array(0),
    });
  });
  it('bad lengths: Bad Message Length with the length as data', () => {
    expect(notificationOf(() => decodeHeader(header(18, 4)))).toEqual({
      code: 1,
      subcode: 2,
      data: Uint8Array.of(0, 18),
    });
    expect(notificationOf(() => decodeHeader(header(20, 4)))).toEqual({
      code: 1,
      subcode: 2,
      data: Uint8Array.of(0, 20),
    });
    expect(notificationOf(() => decodeHeader(header(28, 1)))).toEqual({
      code: 1,
      subcode: 2,
      data: Uint8Array.of(0, 28),
    });
    expect(notificationOf(() => decodeHeader(header(4097, 2)))).toEqual({
      code: 1,
      subcode: 2,
      data: Uint8Array.of(0x10, 0x01),
    });
    // RFC 8654: UPDATE may exceed 4096 with extended messages, OPEN may not
    expect(decodeHeader(header(5000, 2), 0, 65535).length).toBe(5000);
    expect(() => decodeHeader(header(5000, 1), 0, 65535)).toThrow(MalformedError);
  });
  it('unknown type: Bad Message Type with the type as data', () => {
    expect(notificationOf(() => decodeHeader(header(19, 9)))).toEqual({
      code: 1,
      subcode: 3,
      data: Uint8Array.of(9),
    });
  });
  it('short buffers are TruncatedError', () => {
    expect(() => decodeHeader(new Uint8Array(10))).toThrow(TruncatedError);
    expect(() => decodeMessage(header(23, 2).subarray(0, 21))).toThrow(TruncatedError);
    expect(() =>
      decodeMessage(header(23, 2).subarray(0, 21), 0, sessionContext({ extendedMessage: true })),
    ).toThrow(TruncatedError);
  });
  it('ROUTE-REFRESH BoRR of the wrong length: ROUTE-REFRESH Message Error / Invalid Message Length with the message', () => {
    const b = header(24, 5);
    b.set([0, 1, 1, 1, 0], 19);
    expect(notificationOf(() => decodeMessage(b))).toEqual({ code: 7, subcode: 1, data: b });
  });
});
