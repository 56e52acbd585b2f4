// RFC 6793 3: Support for 4-octet AS number capability (code 65); the value is the speaker's AS.
//
//  0       7      15      23      31
//  +-------+-------+-------+-------+
//  |        4-octet AS number      |
//  +-------+-------+-------+-------+
import { checkUint, u32, type Writer } from '../wire.js';
import { expectLength } from './error.js';

export interface FourOctetAsCapability {
  type: 'four-octet-as';
  asn: number;
}

export function decodeFourOctetAs(buf: Uint8Array, o: number, len: number): FourOctetAsCapability {
  expectLength('four-octet-as', o, len, 4);
  return { type: 'four-octet-as', asn: u32(buf, o) };
}

export function encodeFourOctetAs(c: FourOctetAsCapability, w: Writer): void {
  checkUint('capability:four-octet-as', 'asn', c.asn, 0xffffffff);
  w.u32(c.asn);
}
