// RFC 4271 4.4: KEEPALIVE is the 19-byte header alone (type 4).
//
//  +---------------------------+-----------+---------+
//  | Marker (16, all ones)     | Length=19 | Type=4  |
//  +---------------------------+-----------+---------+
import { finishMessage, startMessage } from './header.js';
import { MessageType } from './message-types.js';

export interface KeepaliveMessage {
  type: 'keepalive';
}

export function decodeKeepaliveBody(): KeepaliveMessage {
  return { type: 'keepalive' };
}

const bytes = finishMessage(startMessage(MessageType.KEEPALIVE, 19));

/** The 19 bytes of a KEEPALIVE (a fresh copy each call). */
export function encodeKeepalive(): Uint8Array {
  return bytes.slice();
}
