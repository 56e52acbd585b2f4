// RFC 4271 4.1: the BGP message header, and the header checks of RFC 4271 6.1 with the NOTIFICATION each
// failure calls for (Connection Not Synchronized; Bad Message Length with the length as data; Bad Message
// Type with the type as data). RFC 8654: up to 65535 bytes with extended messages, but OPEN and KEEPALIVE
// stay within 4096.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  +                                                               +
//  |                           Marker (16 octets, all ones)        |
//  +                                                               +
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Length               |      Type     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { EncodeError, MalformedError, TruncatedError } from './errors.js';
import { MessageType } from './message-types.js';
import { HeaderErrorSubcode } from './notification-codes.js';
import { headerNotification, u16Data } from './notify.js';
import { u16, Writer } from './wire.js';

export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
/** RFC 4271 4.1 maximum message size. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 maximum with the extended message capability. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** Smallest valid length per message type (RFC 4271 4.2-4.5, RFC 2918 3). */
export const MIN_LENGTH: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

export interface BgpHeader {
  /** Total message length including the header. */
  length: number;
  type: number;
}

/**
 * Decodes and checks the header at `offset`. `maxLength` is 4096 or 65535 (extended messages).
 * Throws TruncatedError when fewer than 19 bytes are present (wait for more), MalformedError carrying the
 * RFC 4271 6.1 NOTIFICATION otherwise. It does not require the whole message to be present.
 */
export function decodeHeader(buf: Uint8Array, offset = 0, maxLength = MAX_MESSAGE_LENGTH): BgpHeader {
  if (offset < 0 || offset + HEADER_LENGTH > buf.length) {
    throw new TruncatedError(
      'header',
      'length',
      offset,
      `needs 19 bytes, ${Math.max(0, buf.length - offset)} left`,
    );
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      throw new MalformedError('header', 'marker', offset + i, 'marker is not all ones', {
        notification: headerNotification(HeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED),
      });
    }
  }
  const length = u16(buf, offset + 16);
  const type = buf[offset + 18]!;
  const badLength = (why: string): MalformedError =>
    new MalformedError('header', 'length', offset + 16, `length ${length} ${why}`, {
      notification: headerNotification(HeaderErrorSubcode.BAD_MESSAGE_LENGTH, u16Data(length)),
    });
  if (length < HEADER_LENGTH) throw badLength('is shorter than the header');
  if (length > maxLength) throw badLength(`exceeds the maximum ${maxLength}`);
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    throw new MalformedError('header', 'type', offset + 18, `unknown message type ${type}`, {
      notification: headerNotification(HeaderErrorSubcode.BAD_MESSAGE_TYPE, new Uint8Array([type])),
    });
  }
  if (length < min) throw badLength(`is below the minimum ${min} for type ${type}`);
  if (type === MessageType.KEEPALIVE && length !== HEADER_LENGTH)
    throw badLength('is not 19 for a KEEPALIVE');
  if ((type === MessageType.OPEN || type === MessageType.KEEPALIVE) && length > MAX_MESSAGE_LENGTH) {
    throw badLength('exceeds 4096 for an OPEN (RFC 8654 4)');
  }
  return { length, type };
}

/** A writer with a header placeholder; finish it with `finishMessage`. */
export function startMessage(type: number, initial = 64): Writer {
  const w = new Writer(initial);
  for (let i = 0; i < MARKER_LENGTH; i++) w.u8(0xff);
  w.u16(0).u8(type);
  return w;
}

/** Patches the length field and returns the message bytes; throws EncodeError above `maxLength`. */
export function finishMessage(w: Writer, maxLength = MAX_MESSAGE_LENGTH): Uint8Array {
  if (w.pos > maxLength) {
    throw new EncodeError(
      'header',
      'length',
      -1,
      `message of ${w.pos} bytes exceeds the maximum ${maxLength}`,
    );
  }
  w.patchU16(16, w.pos);
  const out = w.finish();
  // do not let a small message keep a large scratch buffer alive
  return out.buffer.byteLength > 2 * out.length + 64 ? out.slice() : out;
}
