// RFC 4271 4: one BGP message, header and body, as a typed union; decoding checks the header (6.1) and
// dispatches by type. UPDATE problems (RFC 7606) are returned, not thrown.
//
//  +----------------------+------------+----------+---------------------------+
//  | Marker (16, all 1s)  | Length (2) | Type (1) | Body (Length - 19 octets) |
//  +----------------------+------------+----------+---------------------------+
import { defaultContext, maxMessageLength, type SessionContext } from './context.js';
import { type ErrorAction, TruncatedError } from './errors.js';
import { decodeHeader, HEADER_LENGTH } from './header.js';
import { decodeKeepaliveBody, encodeKeepalive, type KeepaliveMessage } from './keepalive.js';
import { MessageType } from './message-types.js';
import { decodeNotificationBody, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpenBody, encodeOpen, type OpenMessage } from './open.js';
import type { UpdateProblem } from './rfc7606.js';
import { decodeRouteRefreshBody, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdateBody, encodeUpdate, type UpdateMessage } from './update.js';

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

export interface DecodedMessage {
  message: BgpMessage;
  /** Bytes the message took (its header's Length). */
  length: number;
  /** RFC 7606 problems of an UPDATE; empty for other messages. */
  problems: UpdateProblem[];
  /** The strongest approach among `problems`. */
  action: ErrorAction | undefined;
}

/**
 * Decodes the message at `offset`. Throws TruncatedError when the buffer holds less than the whole message,
 * MalformedError carrying the NOTIFICATION to send for header, OPEN, NOTIFICATION and ROUTE-REFRESH errors
 * and for UPDATEs that cannot be split; other UPDATE errors come back as `problems`.
 */
export function decodeMessage(
  buf: Uint8Array,
  offset = 0,
  ctx: SessionContext = defaultContext,
): DecodedMessage {
  const { length, type } = decodeHeader(buf, offset, maxMessageLength(ctx));
  const end = offset + length;
  if (end > buf.length) {
    throw new TruncatedError(
      'header',
      'length',
      offset + 16,
      `message of ${length} bytes, ${buf.length - offset} present`,
    );
  }
  const body = offset + HEADER_LENGTH;
  let message: BgpMessage;
  switch (type) {
    case MessageType.OPEN:
      message = decodeOpenBody(buf, body, end);
      break;
    case MessageType.UPDATE: {
      const u = decodeUpdateBody(buf, body, end, ctx);
      return { message: u.message, length, problems: u.problems, action: u.action };
    }
    case MessageType.NOTIFICATION:
      message = decodeNotificationBody(buf, body, end);
      break;
    case MessageType.KEEPALIVE:
      message = decodeKeepaliveBody();
      break;
    default:
      message = decodeRouteRefreshBody(buf, body, end, offset);
  }
  return { message, length, problems: [], action: undefined };
}

/** The bytes of a message, header included; `ctx` decides AS and path-id encodings and the size limit. */
export function encodeMessage(m: BgpMessage, ctx: SessionContext = defaultContext): Uint8Array {
  switch (m.type) {
    case 'open':
      return encodeOpen(m);
    case 'update':
      return encodeUpdate(m, ctx);
    case 'notification':
      return encodeNotification(m, maxMessageLength(ctx));
    case 'keepalive':
      return encodeKeepalive();
    case 'route-refresh':
      return encodeRouteRefresh(m, maxMessageLength(ctx));
  }
}

/**
 * A `JSON.stringify` replacer for decoded messages: byte arrays as lowercase hex strings, bigints (AIGP
 * metrics) as decimal strings. `JSON.stringify(message, bgpJsonReplacer)`.
 */
export function bgpJsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    let s = '';
    for (let i = 0; i < value.length; i++) s += value[i]!.toString(16).padStart(2, '0');
    return s;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
