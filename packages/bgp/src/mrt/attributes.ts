// Path attributes as stored in MRT RIB entries (RFC 6396 4.3.4): the ordinary attribute TLVs, except that
// TABLE_DUMP_V2 abbreviates MP_REACH_NLRI to its Next Hop Length and Next Hop (the AFI/SAFI and the NLRI are
// in the RIB record itself). Some writers store the full form anyway, so both are accepted.
import { AttrCode, AttrFlag } from '../attribute-codes.js';
import { decodeAttributeValue, type PathAttribute } from '../attributes/index.js';
import type { SessionContext } from '../context.js';
import { BgpError, MrtError } from '../errors.js';
import { ipText } from '../wire.js';

/**
 * Decodes the attribute list of a RIB entry. `afi`/`safi` are the RIB record's family (used for an
 * abbreviated MP_REACH_NLRI). An attribute whose value is malformed is left out and reported in `problems`.
 */
export function decodeRibAttributes(
  buf: Uint8Array,
  ctx: SessionContext,
  afi: number,
  safi: number,
): { attributes: PathAttribute[]; problems: BgpError[] } {
  const attributes: PathAttribute[] = [];
  const problems: BgpError[] = [];
  let o = 0;
  while (o < buf.length) {
    if (o + 3 > buf.length) throw new MrtError('mrt-attributes', 'header', o, 'truncated attribute header');
    const flags = buf[o]!;
    const code = buf[o + 1]!;
    const extended = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    if (extended && o + 4 > buf.length)
      throw new MrtError('mrt-attributes', 'length', o + 2, 'truncated length');
    const len = extended ? (buf[o + 2]! << 8) | buf[o + 3]! : buf[o + 2]!;
    const v = o + (extended ? 4 : 3);
    if (v + len > buf.length) {
      throw new MrtError(
        'mrt-attributes',
        'length',
        o + 2,
        `attribute ${code} length ${len} overruns the entry`,
      );
    }
    try {
      if (code === AttrCode.MP_REACH_NLRI && len > 0 && buf[v]! === len - 1) {
        const nhLen = buf[v]!;
        const global = nhLen === 32 || nhLen === 16 ? 16 : nhLen === 4 || nhLen === 12 ? 4 : 0;
        const at = nhLen === 12 || nhLen === 24 || nhLen === 48 ? v + 1 + 8 : v + 1;
        const nextHop =
          global === 0
            ? { kind: 'raw' as const, bytes: buf.slice(v + 1, v + 1 + nhLen) }
            : { kind: 'ip' as const, address: ipText(buf, at, global) };
        attributes.push({ type: 'MP_REACH_NLRI', flags, afi, safi, nextHop, nlri: [] });
      } else {
        attributes.push(decodeAttributeValue(code, flags, buf, v, len, ctx));
      }
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      problems.push(e);
    }
    o = v + len;
  }
  return { attributes, problems };
}
