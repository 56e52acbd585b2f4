// RFC 9234 5: Only to Customer, OTC (type 35, optional transitive), the AS that marked the route.
// RFC 9234 5: a length other than 4 is treat-as-withdraw.
//
//  +-------+-------+-------+-------+
//  |        AS number (4 octets)   |
//  +-------+-------+-------+-------+
import { checkUint, u32, type Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface OtcAttr {
  type: 'OTC';
  flags?: number;
  asn: number;
}

export function decodeOtc(buf: Uint8Array, o: number, len: number): OtcAttr {
  if (len !== 4) throw attrError('OTC', o, `length ${len}, expected 4`, 'treat-as-withdraw', LENGTH_ERROR);
  return { type: 'OTC', asn: u32(buf, o) };
}

export function encodeOtc(a: OtcAttr, w: Writer): void {
  checkUint('attribute:OTC', 'asn', a.asn, 0xffffffff);
  w.u32(a.asn);
}
