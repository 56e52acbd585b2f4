// RFC 4271 5 / 9: a path attribute this codec does not interpret, kept with its flags and value bytes.
// An unrecognized optional transitive attribute is passed on with the Partial bit set (RFC 4271 5);
// an unrecognized optional non-transitive one is dropped when re-advertising; an unrecognized well-known
// attribute is an error (Unrecognized Well-known Attribute, handled by the UPDATE decoder).
//
//  +---------------+---------------+------------------------+----------------+
//  | Flags (1)     | Type Code (1) | Length (1, or 2 if E)  | Value          |
//  +---------------+---------------+------------------------+----------------+
import { AttrFlag } from '../attribute-codes.js';

export interface UnknownAttr {
  type: 'UNKNOWN';
  code: number;
  flags: number;
  value: Uint8Array;
}

export function decodeUnknownAttr(
  buf: Uint8Array,
  o: number,
  len: number,
  code: number,
  flags: number,
): UnknownAttr {
  return { type: 'UNKNOWN', code, flags, value: buf.slice(o, o + len) };
}

/**
 * The attribute as it should be passed to other peers: optional transitive gets the Partial bit,
 * optional non-transitive is not passed (undefined).
 */
export function readvertiseUnknown(a: UnknownAttr): UnknownAttr | undefined {
  if (!(a.flags & AttrFlag.OPTIONAL)) return a;
  if (!(a.flags & AttrFlag.TRANSITIVE)) return undefined;
  return { ...a, flags: a.flags | AttrFlag.PARTIAL };
}

/**
 * RFC 4271 5 / 9.1.3: the attribute list to pass on to other peers: unrecognized optional transitive
 * attributes get the Partial bit, unrecognized optional non-transitive ones are dropped, the rest is kept.
 */
export function readvertiseAttributes<T extends { type: string }>(
  attributes: readonly (T | UnknownAttr)[],
): (T | UnknownAttr)[] {
  const out: (T | UnknownAttr)[] = [];
  for (const a of attributes) {
    if (a.type !== 'UNKNOWN') {
      out.push(a);
      continue;
    }
    const r = readvertiseUnknown(a as UnknownAttr);
    if (r) out.push(r);
  }
  return out;
}
