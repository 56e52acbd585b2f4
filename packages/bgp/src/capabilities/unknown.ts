// RFC 5492 4: a capability this codec does not interpret, kept as its code and value bytes so it can be
// re-sent or reported (e.g. in an Unsupported Capability NOTIFICATION, RFC 5492 5).
//
//  +------------------------------+
//  | Capability Code (1 octet)    |
//  | Capability Length (1 octet)  |
//  | Capability Value (variable)  |
//  +------------------------------+
import { checkUint, type Writer } from '../wire.js';

export interface UnknownCapability {
  type: 'unknown';
  code: number;
  value: Uint8Array;
}

export function decodeUnknownCapability(
  buf: Uint8Array,
  o: number,
  len: number,
  code: number,
): UnknownCapability {
  return { type: 'unknown', code, value: buf.slice(o, o + len) };
}

export function encodeUnknownCapability(c: UnknownCapability, w: Writer): void {
  checkUint('capability:unknown', 'code', c.code, 0xff);
  w.bytes(c.value);
}
