// RFC 4271 5.1.4: MULTI_EXIT_DISC (type 4, optional non-transitive), a 4-octet metric.
// RFC 7606 7.4: a length other than 4 is treat-as-withdraw.
//
//  +-------+-------+-------+-------+
//  |              MED              |
//  +-------+-------+-------+-------+
import { checkUint, u32, type Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface MultiExitDiscAttr {
  type: 'MULTI_EXIT_DISC';
  flags?: number;
  med: number;
}

export function decodeMultiExitDisc(buf: Uint8Array, o: number, len: number): MultiExitDiscAttr {
  if (len !== 4)
    throw attrError('MULTI_EXIT_DISC', o, `length ${len}, expected 4`, 'treat-as-withdraw', LENGTH_ERROR);
  return { type: 'MULTI_EXIT_DISC', med: u32(buf, o) };
}

export function encodeMultiExitDisc(a: MultiExitDiscAttr, w: Writer): void {
  checkUint('attribute:MULTI_EXIT_DISC', 'med', a.med, 0xffffffff);
  w.u32(a.med);
}
