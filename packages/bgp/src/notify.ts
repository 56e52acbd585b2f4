// Builders of the NOTIFICATION (code, subcode, data) that goes with each kind of decoding error
// (RFC 4271 6.1-6.3), so every thrower states what a speaker must send.
import type { NotificationSpec } from './errors.js';
import { NotificationCode } from './notification-codes.js';

const empty = new Uint8Array(0);

export function headerNotification(subcode: number, data: Uint8Array = empty): NotificationSpec {
  return { code: NotificationCode.MESSAGE_HEADER_ERROR, subcode, data };
}

export function openNotification(subcode: number, data: Uint8Array = empty): NotificationSpec {
  return { code: NotificationCode.OPEN_MESSAGE_ERROR, subcode, data };
}

export function updateNotification(subcode: number, data: Uint8Array = empty): NotificationSpec {
  return { code: NotificationCode.UPDATE_MESSAGE_ERROR, subcode, data };
}

/** A 2-byte big-endian data field (bad message length, unsupported version). */
export function u16Data(v: number): Uint8Array {
  return new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);
}
