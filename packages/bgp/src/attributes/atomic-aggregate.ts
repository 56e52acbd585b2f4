// RFC 4271 5.1.6: ATOMIC_AGGREGATE (type 6, well-known discretionary), with an empty value.
// RFC 7606 7.6: a length other than 0 is handled as attribute discard.
//
//  (no value)
import { attrError, LENGTH_ERROR } from './error.js';

export interface AtomicAggregateAttr {
  type: 'ATOMIC_AGGREGATE';
  flags?: number;
}

export function decodeAtomicAggregate(_buf: Uint8Array, o: number, len: number): AtomicAggregateAttr {
  if (len !== 0)
    throw attrError('ATOMIC_AGGREGATE', o, `length ${len}, expected 0`, 'attribute-discard', LENGTH_ERROR);
  return { type: 'ATOMIC_AGGREGATE' };
}
