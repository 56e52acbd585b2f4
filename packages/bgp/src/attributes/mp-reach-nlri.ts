// RFC 4760 3: MP_REACH_NLRI (type 14, optional non-transitive). Next hop forms by length: 4 IPv4,
// 16 IPv6 global, 32 IPv6 global + link-local (RFC 2545 3), 12/24/48 the same preceded by a zero route
// distinguisher for VPN families (RFC 4364 4.3.2, RFC 4659 3.2.1), and IPv6 next hops for IPv4 NLRI with
// extended next hop encoding (RFC 8950 3). NLRI are decoded per family by `decodeNlri`.
// RFC 7606 7.11 / RFC 4760 7: a next hop length the family does not allow, or NLRI that do not parse,
// make the attribute malformed: AFI/SAFI disable (Optional Attribute Error), session reset when even the
// AFI/SAFI cannot be read.
//
//  +---------------------------------------------------------+
//  | Address Family Identifier (2 octets)                    |
//  +---------------------------------------------------------+
//  | Subsequent Address Family Identifier (1 octet)          |
//  +---------------------------------------------------------+
//  | Length of Next Hop Network Address (1 octet)            |
//  +---------------------------------------------------------+
//  | Network Address of Next Hop (variable)                  |
//  +---------------------------------------------------------+
//  | Reserved (1 octet)                                      |
//  +---------------------------------------------------------+
//  | Network Layer Reachability Information (variable)       |
//  +---------------------------------------------------------+
import { Afi, Safi } from '../afi-safi.js';
import { hasAddPath, type SessionContext } from '../context.js';
import { BgpError, EncodeError } from '../errors.js';
import { decodeNlri, encodeNlri, type Nlri } from '../nlri/index.js';
import { checkUint, ipBytes, ipText, u16, type Writer } from '../wire.js';
import { attrError, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';

/** A next hop: an address (with an IPv6 link-local), the same in VPN form (zero RD), or other bytes. */
export type MpNextHop =
  | { kind: 'ip'; address: string; linkLocal?: string }
  | { kind: 'vpn'; address: string; linkLocal?: string }
  | { kind: 'raw'; bytes: Uint8Array };

export interface MpReachNlriAttr {
  type: 'MP_REACH_NLRI';
  flags?: number;
  afi: number;
  safi: number;
  nextHop: MpNextHop;
  nlri: Nlri[];
}

/** Next hop lengths each family allows (RFC 4760, 2545, 4364, 4659, 7432, 4684, 8950); others: any. */
export function allowedNextHopLengths(afi: number, safi: number): readonly number[] | undefined {
  const unicastLike = safi === Safi.Unicast || safi === Safi.Multicast || safi === Safi.Labeled;
  if (afi === Afi.IPv4 && unicastLike) return [4, 16, 32];
  if (afi === Afi.IPv6 && unicastLike) return [16, 32];
  if (afi === Afi.IPv4 && safi === Safi.MplsVpn) return [12, 24, 48];
  if (afi === Afi.IPv6 && safi === Safi.MplsVpn) return [24, 48];
  if (afi === Afi.L2VPN && safi === Safi.Evpn) return [4, 16, 32];
  if (afi === Afi.IPv4 && safi === Safi.RouteTargetConstraint) return [4, 16];
  return undefined;
}

function zero8(buf: Uint8Array, o: number): boolean {
  for (let i = 0; i < 8; i++) if (buf[o + i] !== 0) return false;
  return true;
}

/** Reads a next hop of `len` bytes at `o`. */
export function decodeMpNextHop(buf: Uint8Array, o: number, len: number): MpNextHop {
  switch (len) {
    case 4:
      return { kind: 'ip', address: ipText(buf, o, 4) };
    case 16:
      return { kind: 'ip', address: ipText(buf, o, 16) };
    case 32:
      return { kind: 'ip', address: ipText(buf, o, 16), linkLocal: ipText(buf, o + 16, 16) };
    case 12:
      if (zero8(buf, o)) return { kind: 'vpn', address: ipText(buf, o + 8, 4) };
      break;
    case 24:
      if (zero8(buf, o)) return { kind: 'vpn', address: ipText(buf, o + 8, 16) };
      break;
    case 48:
      if (zero8(buf, o) && zero8(buf, o + 24)) {
        return { kind: 'vpn', address: ipText(buf, o + 8, 16), linkLocal: ipText(buf, o + 32, 16) };
      }
      break;
  }
  return { kind: 'raw', bytes: buf.slice(o, o + len) };
}

/** The bytes of a next hop. */
export function mpNextHopBytes(nh: MpNextHop): Uint8Array {
  if (nh.kind === 'raw') return nh.bytes;
  const a = ipBytes(nh.address, 'attribute:MP_REACH_NLRI', 'nextHop');
  const ll =
    nh.linkLocal !== undefined ? ipBytes(nh.linkLocal, 'attribute:MP_REACH_NLRI', 'linkLocal') : undefined;
  if (ll && a.length !== 16)
    throw new EncodeError('attribute:MP_REACH_NLRI', 'linkLocal', -1, 'link-local with an IPv4 next hop');
  const rd = nh.kind === 'vpn' ? 8 : 0;
  const out = new Uint8Array(rd + a.length + (ll ? rd + 16 : 0));
  out.set(a, rd);
  if (ll) out.set(ll, rd + a.length + rd);
  return out;
}

export function decodeMpReach(buf: Uint8Array, o: number, len: number, ctx: SessionContext): MpReachNlriAttr {
  if (len < 5) {
    throw attrError(
      'MP_REACH_NLRI',
      o,
      `length ${len} < 5`,
      len < 3 ? 'session-reset' : 'afi-safi-disable',
      OPTIONAL_ATTRIBUTE_ERROR,
    );
  }
  const afi = u16(buf, o);
  const safi = buf[o + 2]!;
  const nhLen = buf[o + 3]!;
  const end = o + len;
  if (o + 4 + nhLen + 1 > end) {
    throw attrError(
      'MP_REACH_NLRI',
      o + 3,
      `next hop length ${nhLen} overruns the attribute`,
      'afi-safi-disable',
      OPTIONAL_ATTRIBUTE_ERROR,
    );
  }
  const allowed = allowedNextHopLengths(afi, safi);
  if (allowed && !allowed.includes(nhLen)) {
    throw attrError(
      'MP_REACH_NLRI',
      o + 3,
      `next hop length ${nhLen} for AFI ${afi} SAFI ${safi}`,
      'afi-safi-disable',
      OPTIONAL_ATTRIBUTE_ERROR,
    );
  }
  const nextHop = decodeMpNextHop(buf, o + 4, nhLen);
  const nlriStart = o + 4 + nhLen + 1;
  let nlri: Nlri[];
  try {
    nlri = decodeNlri({ afi, safi }, buf, nlriStart, end, { addPath: hasAddPath(ctx, afi, safi) });
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    throw attrError(
      'MP_REACH_NLRI',
      e.offset,
      `NLRI: ${e.message}`,
      'afi-safi-disable',
      OPTIONAL_ATTRIBUTE_ERROR,
    );
  }
  return { type: 'MP_REACH_NLRI', afi, safi, nextHop, nlri };
}

export function encodeMpReach(a: MpReachNlriAttr, w: Writer, ctx: SessionContext): void {
  checkUint('attribute:MP_REACH_NLRI', 'afi', a.afi, 0xffff);
  checkUint('attribute:MP_REACH_NLRI', 'safi', a.safi, 0xff);
  const nh = mpNextHopBytes(a.nextHop);
  if (nh.length > 255)
    throw new EncodeError('attribute:MP_REACH_NLRI', 'nextHop', -1, 'next hop over 255 bytes');
  w.u16(a.afi).u8(a.safi).u8(nh.length).bytes(nh).u8(0);
  w.bytes(encodeNlri({ afi: a.afi, safi: a.safi }, a.nlri, { addPath: hasAddPath(ctx, a.afi, a.safi) }));
}
