// RFC 4456 8: ORIGINATOR_ID (type 9, optional non-transitive), the BGP identifier of the route's originator
// in the local AS. RFC 7606 7.9: a length other than 4 is treat-as-withdraw; from an external peer the
// attribute is discarded.
//
//  +-------+-------+-------+-------+
//  |        Originator ID          |
//  +-------+-------+-------+-------+
import { ipv4Text, type Writer, writeIpv4 } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface OriginatorIdAttr {
  type: 'ORIGINATOR_ID';
  flags?: number;
  originatorId: string;
}

export function decodeOriginatorId(
  buf: Uint8Array,
  o: number,
  len: number,
  external: boolean,
): OriginatorIdAttr {
  if (len !== 4)
    throw attrError('ORIGINATOR_ID', o, `length ${len}, expected 4`, 'treat-as-withdraw', LENGTH_ERROR);
  if (external)
    throw attrError('ORIGINATOR_ID', o, 'ORIGINATOR_ID from an external peer', 'attribute-discard', 9);
  return { type: 'ORIGINATOR_ID', originatorId: ipv4Text(buf, o) };
}

export function encodeOriginatorId(a: OriginatorIdAttr, w: Writer): void {
  writeIpv4(w, a.originatorId, 'attribute:ORIGINATOR_ID', 'originatorId');
}
