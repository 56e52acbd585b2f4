// RFC 8654 3: BGP Extended Message capability (code 6), with an empty value. When both speakers send it,
// every message but OPEN and KEEPALIVE may be up to 65535 bytes.
//
//  +-------+-------+
//  | Code=6| Len=0 |
//  +-------+-------+
import { expectLength } from './error.js';

export interface ExtendedMessageCapability {
  type: 'extended-message';
}

export function decodeExtendedMessage(_buf: Uint8Array, o: number, len: number): ExtendedMessageCapability {
  expectLength('extended-message', o, len, 0);
  return { type: 'extended-message' };
}
