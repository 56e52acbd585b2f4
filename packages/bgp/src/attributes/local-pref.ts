// RFC 4271 5.1.5: LOCAL_PREF (type 5, well-known, internal peers only), a 4-octet preference.
// RFC 7606 7.5: a length other than 4 is treat-as-withdraw; from an external peer it is discarded.
//
//  +-------+-------+-------+-------+
//  |          Local Pref           |
//  +-------+-------+-------+-------+
import { checkUint, u32, type Writer } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface LocalPrefAttr {
  type: 'LOCAL_PREF';
  flags?: number;
  localPref: number;
}

export function decodeLocalPref(buf: Uint8Array, o: number, len: number, external: boolean): LocalPrefAttr {
  if (len !== 4)
    throw attrError('LOCAL_PREF', o, `length ${len}, expected 4`, 'treat-as-withdraw', LENGTH_ERROR);
  if (external) throw attrError('LOCAL_PREF', o, 'LOCAL_PREF from an external peer', 'attribute-discard', 9);
  return { type: 'LOCAL_PREF', localPref: u32(buf, o) };
}

export function encodeLocalPref(a: LocalPrefAttr, w: Writer): void {
  checkUint('attribute:LOCAL_PREF', 'localPref', a.localPref, 0xffffffff);
  w.u32(a.localPref);
}
