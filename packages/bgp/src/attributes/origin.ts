// RFC 4271 5.1.1 / 4.3: ORIGIN (type 1, well-known mandatory), one octet. RFC 7606 7.1: a length other than
// 1 or an undefined value is handled as treat-as-withdraw.
//
//  +-------+
//  | 0 IGP, 1 EGP, 2 INCOMPLETE |
//  +-------+
import type { Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export type Origin = 'igp' | 'egp' | 'incomplete';
const origins: readonly Origin[] = ['igp', 'egp', 'incomplete'];

export interface OriginAttr {
  type: 'ORIGIN';
  flags?: number;
  origin: Origin;
}

export function decodeOrigin(buf: Uint8Array, o: number, len: number): OriginAttr {
  if (len !== 1) throw attrError('ORIGIN', o, `length ${len}, expected 1`, 'treat-as-withdraw', LENGTH_ERROR);
  const origin = origins[buf[o]!];
  if (!origin) throw attrError('ORIGIN', o, `undefined value ${buf[o]}`, 'treat-as-withdraw', 6);
  return { type: 'ORIGIN', origin };
}

export function encodeOrigin(a: OriginAttr, w: Writer): void {
  w.u8(origins.indexOf(a.origin));
}
