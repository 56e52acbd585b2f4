// RFC 4271 5.1.3: NEXT_HOP (type 3, well-known; mandatory when the UPDATE's NLRI field is non-empty), the
// IPv4 address of the next hop. RFC 7606 7.3: a length other than 4 is treat-as-withdraw.
//
//  +-------+-------+-------+-------+
//  |        IPv4 address           |
//  +-------+-------+-------+-------+
import { ipv4Text, type Writer, writeIpv4 } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface NextHopAttr {
  type: 'NEXT_HOP';
  flags?: number;
  nextHop: string;
}

export function decodeNextHop(buf: Uint8Array, o: number, len: number): NextHopAttr {
  if (len !== 4)
    throw attrError('NEXT_HOP', o, `length ${len}, expected 4`, 'treat-as-withdraw', LENGTH_ERROR);
  return { type: 'NEXT_HOP', nextHop: ipv4Text(buf, o) };
}

export function encodeNextHop(a: NextHopAttr, w: Writer): void {
  writeIpv4(w, a.nextHop, 'attribute:NEXT_HOP', 'nextHop');
}
