// RFC 4760 4: MP_UNREACH_NLRI (type 15, optional non-transitive): withdrawn routes of one AFI/SAFI. An
// UPDATE holding only an empty MP_UNREACH_NLRI is the End-of-RIB marker of that family (RFC 4724 2).
// RFC 7606 5.3 / RFC 4760 7: withdrawn NLRI that do not parse give AFI/SAFI disable; an attribute too
// short to hold AFI and SAFI gives session reset.
//
//  +---------------------------------------------------------+
//  | Address Family Identifier (2 octets)                    |
//  +---------------------------------------------------------+
//  | Subsequent Address Family Identifier (1 octet)          |
//  +---------------------------------------------------------+
//  | Withdrawn Routes (variable)                             |
//  +---------------------------------------------------------+
import { hasAddPath, type SessionContext } from '../context.js';
import { BgpError } from '../errors.js';
import { decodeNlri, encodeNlri, type Nlri } from '../nlri/index.js';
import { checkUint, u16, type Writer } from '../wire.js';
import { attrError, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';

export interface MpUnreachNlriAttr {
  type: 'MP_UNREACH_NLRI';
  flags?: number;
  afi: number;
  safi: number;
  withdrawn: Nlri[];
}

export function decodeMpUnreach(
  buf: Uint8Array,
  o: number,
  len: number,
  ctx: SessionContext,
): MpUnreachNlriAttr {
  if (len < 3)
    throw attrError('MP_UNREACH_NLRI', o, `length ${len} < 3`, 'session-reset', OPTIONAL_ATTRIBUTE_ERROR);
  const afi = u16(buf, o);
  const safi = buf[o + 2]!;
  let withdrawn: Nlri[];
  try {
    withdrawn = decodeNlri({ afi, safi }, buf, o + 3, o + len, { addPath: hasAddPath(ctx, afi, safi) });
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    throw attrError(
      'MP_UNREACH_NLRI',
      e.offset,
      `NLRI: ${e.message}`,
      'afi-safi-disable',
      OPTIONAL_ATTRIBUTE_ERROR,
    );
  }
  return { type: 'MP_UNREACH_NLRI', afi, safi, withdrawn };
}

export function encodeMpUnreach(a: MpUnreachNlriAttr, w: Writer, ctx: SessionContext): void {
  checkUint('attribute:MP_UNREACH_NLRI', 'afi', a.afi, 0xffff);
  checkUint('attribute:MP_UNREACH_NLRI', 'safi', a.safi, 0xff);
  w.u16(a.afi).u8(a.safi);
  w.bytes(encodeNlri({ afi: a.afi, safi: a.safi }, a.withdrawn, { addPath: hasAddPath(ctx, a.afi, a.safi) }));
}
