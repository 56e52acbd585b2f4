// RFC 4760 8: Multiprotocol Extensions capability (code 1), one per AFI/SAFI the speaker supports.
//
//  0       7      15      23      31
//  +-------+-------+-------+-------+
//  |      AFI      | Res.  | SAFI  |
//  +-------+-------+-------+-------+
import { checkUint, u16, type Writer } from '../wire.js';
import { expectLength } from './error.js';

export interface MultiprotocolCapability {
  type: 'multiprotocol';
  afi: number;
  safi: number;
}

export function decodeMultiprotocol(buf: Uint8Array, o: number, len: number): MultiprotocolCapability {
  expectLength('multiprotocol', o, len, 4);
  return { type: 'multiprotocol', afi: u16(buf, o), safi: buf[o + 3]! };
}

export function encodeMultiprotocol(c: MultiprotocolCapability, w: Writer): void {
  checkUint('capability:multiprotocol', 'afi', c.afi, 0xffff);
  checkUint('capability:multiprotocol', 'safi', c.safi, 0xff);
  w.u16(c.afi).u8(0).u8(c.safi);
}
