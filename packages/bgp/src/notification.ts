// RFC 4271 4.5: NOTIFICATION message (type 3): error code, subcode and data. Data readings by code:
// Cease/Administrative Shutdown and Reset carry a Shutdown Communication (RFC 8203, length up to 255 by
// RFC 9003); Cease/Maximum Number of Prefixes carries AFI, SAFI and the limit (RFC 4486 4); Cease/Hard Reset
// wraps another Cease subcode and its data (RFC 8538 3); OPEN/Unsupported Capability lists the capabilities
// (RFC 5492 5); Header/Bad Message Length the length, Bad Message Type the type (RFC 4271 6.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Error code    | Error subcode |   Data (variable)             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { type Capability, decodeCapabilities, encodeCapability } from './capabilities/index.js';
import { BgpError, EncodeError, type NotificationSpec } from './errors.js';
import { finishMessage, startMessage } from './header.js';
import { MessageType } from './message-types.js';
import {
  CeaseSubcode,
  NotificationCode,
  notificationCodeName,
  notificationSubcodeName,
  OpenErrorSubcode,
} from './notification-codes.js';
import { checkUint, u16, u32 } from './wire.js';

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  /** The data field as sent; the readings below are derived from it and ignored by the encoder. */
  data: Uint8Array;
  codeName: string;
  subcodeName: string;
  /** RFC 8203/9003 Shutdown Communication of Cease/Administrative Shutdown or Reset. */
  shutdownCommunication?: string;
  /** RFC 4486 4: Cease/Maximum Number of Prefixes Reached. */
  maxPrefix?: { afi: number; safi: number; limit: number };
  /** RFC 8538 3: the Cease subcode and data wrapped by a Hard Reset. */
  hardReset?: { subcode: number; data: Uint8Array };
  /** RFC 5492 5: the capabilities named by OPEN/Unsupported Capability. */
  unsupportedCapabilities?: Capability[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

/** Builds a NOTIFICATION value with its names and data readings (what decoding the same bytes gives). */
export function notificationMessage(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): NotificationMessage {
  const m: NotificationMessage = {
    type: 'notification',
    code,
    subcode,
    data,
    codeName: notificationCodeName(code),
    subcodeName: notificationSubcodeName(code, subcode),
  };
  if (code === NotificationCode.CEASE) {
    if (
      (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET) &&
      data.length >= 1 &&
      data[0] === data.length - 1
    ) {
      try {
        m.shutdownCommunication = utf8.decode(data.subarray(1));
      } catch {
        // not UTF-8: RFC 8203 says to treat the communication as absent; the data stays as bytes
      }
    } else if (subcode === CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED && data.length === 7) {
      m.maxPrefix = { afi: u16(data, 0), safi: data[2]!, limit: u32(data, 3) };
    } else if (subcode === CeaseSubcode.HARD_RESET && data.length >= 1) {
      m.hardReset = { subcode: data[0]!, data: data.slice(1) };
    }
  } else if (
    code === NotificationCode.OPEN_MESSAGE_ERROR &&
    subcode === OpenErrorSubcode.UNSUPPORTED_CAPABILITY
  ) {
    try {
      m.unsupportedCapabilities = decodeCapabilities(data, 0, data.length);
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
    }
  }
  return m;
}

/** A NOTIFICATION from the spec carried by a BgpError (`err.notification`). */
export function notificationFromSpec(spec: NotificationSpec): NotificationMessage {
  return notificationMessage(spec.code, spec.subcode, spec.data);
}

/** Cease with a Shutdown Communication (RFC 8203/9003); `subcode` 2 (shutdown) or 4 (reset). */
export function shutdownNotification(
  text: string,
  subcode: 2 | 4 = CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
): NotificationMessage {
  const b = enc.encode(text);
  if (b.length > 255)
    throw new EncodeError('notification', 'shutdownCommunication', -1, 'longer than 255 bytes');
  const data = new Uint8Array(1 + b.length);
  data[0] = b.length;
  data.set(b, 1);
  return notificationMessage(NotificationCode.CEASE, subcode, data);
}

/** OPEN Message Error / Unsupported Capability listing `caps` (RFC 5492 5). */
export function unsupportedCapabilityNotification(caps: readonly Capability[]): NotificationMessage {
  const parts = caps.map(encodeCapability);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return notificationMessage(
    NotificationCode.OPEN_MESSAGE_ERROR,
    OpenErrorSubcode.UNSUPPORTED_CAPABILITY,
    data,
  );
}

/** Decodes the body (after the header) of a NOTIFICATION spanning `offset..end`. */
export function decodeNotificationBody(buf: Uint8Array, offset: number, end: number): NotificationMessage {
  return notificationMessage(buf[offset]!, buf[offset + 1]!, buf.slice(offset + 2, end));
}

/** The bytes of a NOTIFICATION message (header included). */
export function encodeNotification(
  m: Pick<NotificationMessage, 'code' | 'subcode' | 'data'>,
  maxLength = 4096,
): Uint8Array {
  checkUint('notification', 'code', m.code, 0xff);
  checkUint('notification', 'subcode', m.subcode, 0xff);
  const w = startMessage(MessageType.NOTIFICATION, 21 + m.data.length);
  w.u8(m.code).u8(m.subcode).bytes(m.data);
  return finishMessage(w, maxLength);
}
