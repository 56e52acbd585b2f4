// ROUTE-REFRESH message (type 5): RFC 2918 3, the subtype octet of RFC 7313 3.2 (0 normal request,
// 1 BoRR, 2 EoRR), and Outbound Route Filtering entries of RFC 5291 4 with the Address Prefix ORF of
// RFC 5292 (ORF type 64) decoded; other ORF types are kept as bytes.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |              AFI              |    Subtype    |     SAFI      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | When-to-refresh (1) | ORF Type (1) | Length of ORFs (2) | ORF entries ...   (RFC 5291, optional)
//
//  ORF entry (RFC 5291 4):  |Action(2)|Match(1)|Reserved(5)| Type-specific part
//  Address Prefix ORF type-specific part (RFC 5292 3):
//  | Sequence (4) | Minlen (1) | Maxlen (1) | Length (1) | Prefix (variable) |
import { EncodeError, MalformedError } from './errors.js';
import { finishMessage, startMessage } from './header.js';
import { MessageType } from './message-types.js';
import { NotificationCode, RouteRefreshErrorSubcode } from './notification-codes.js';
import { checkUint, ipBytes, ipText, u16, u32, type Writer } from './wire.js';

export const RouteRefreshSubtype = {
  NORMAL: 0,
  BEGIN: 1,
  END: 2,
} as const;

export const OrfType = {
  ADDRESS_PREFIX: 64,
} as const;

export const OrfWhen = {
  IMMEDIATE: 1,
  DEFER: 2,
} as const;

export type OrfAction = 'add' | 'remove' | 'remove-all';

/** One Address Prefix ORF entry (RFC 5292); `remove-all` entries have no type-specific part. */
export interface AddressPrefixOrfEntry {
  action: OrfAction;
  match: 'permit' | 'deny';
  sequence?: number;
  minLength?: number;
  maxLength?: number;
  /** Prefix text (IPv4 or IPv6 by the message's AFI) and its length. */
  prefix?: string;
  prefixLength?: number;
}

export type Orf = { orfType: 64; entries: AddressPrefixOrfEntry[] } | { orfType: number; value: Uint8Array };

export interface RouteRefreshMessage {
  type: 'route-refresh';
  afi: number;
  safi: number;
  /** RFC 7313: 0 request, 1 Begin-of-RIB-Route-Refresh, 2 End-of-RIB-Route-Refresh (others kept). */
  subtype: number;
  /** RFC 5291: present when the message carries ORFs. */
  orf?: { when: number; orfs: Orf[] };
}

const actions: readonly OrfAction[] = ['add', 'remove', 'remove-all'];

function orfError(field: string, offset: number, message: string): MalformedError {
  // RFC 5291 does not name a NOTIFICATION for a malformed ORF; we use ROUTE-REFRESH Message Error (RFC 7313).
  return new MalformedError('route-refresh', field, offset, message, {
    notification: { code: NotificationCode.ROUTE_REFRESH_MESSAGE_ERROR, subcode: 0, data: new Uint8Array(0) },
  });
}

function decodePrefixEntries(buf: Uint8Array, o: number, end: number, afi: number): AddressPrefixOrfEntry[] {
  const addrLen = afi === 1 ? 4 : afi === 2 ? 16 : 0;
  if (addrLen === 0) throw orfError('orf', o, `Address Prefix ORF for AFI ${afi} is not defined`);
  const out: AddressPrefixOrfEntry[] = [];
  let p = o;
  while (p < end) {
    const head = buf[p]!;
    const action = actions[head >>> 6];
    if (!action) throw orfError('orf.action', p, `action ${head >>> 6} is reserved`);
    const match = (head & 0x20) !== 0 ? 'deny' : 'permit';
    p += 1;
    if (action === 'remove-all') {
      out.push({ action, match });
      continue;
    }
    if (p + 7 > end) throw orfError('orf.entry', p, 'entry overruns the ORF');
    const sequence = u32(buf, p);
    const minLength = buf[p + 4]!;
    const maxLength = buf[p + 5]!;
    const plen = buf[p + 6]!;
    if (plen > addrLen * 8) throw orfError('orf.prefixLength', p + 6, `prefix length ${plen} too long`);
    const nb = (plen + 7) >>> 3;
    p += 7;
    if (p + nb > end) throw orfError('orf.prefix', p, 'prefix overruns the ORF');
    const addr = new Uint8Array(addrLen);
    addr.set(buf.subarray(p, p + nb));
    p += nb;
    out.push({
      action,
      match,
      sequence,
      minLength,
      maxLength,
      prefix: ipText(addr, 0, addrLen),
      prefixLength: plen,
    });
  }
  return out;
}

/** Decodes the body (after the header) of a ROUTE-REFRESH spanning `offset..end`. `message` is the whole
 * message, the data of the RFC 7313 Invalid Message Length NOTIFICATION. */
export function decodeRouteRefreshBody(
  buf: Uint8Array,
  offset: number,
  end: number,
  messageStart: number,
): RouteRefreshMessage {
  const afi = u16(buf, offset);
  const subtype = buf[offset + 2]!;
  const safi = buf[offset + 3]!;
  const m: RouteRefreshMessage = { type: 'route-refresh', afi, safi, subtype };
  if (end - offset === 4) return m;
  if (subtype === RouteRefreshSubtype.BEGIN || subtype === RouteRefreshSubtype.END) {
    throw new MalformedError(
      'route-refresh',
      'length',
      messageStart + 16,
      `BoRR/EoRR with ${end - offset} body bytes, not 4`,
      {
        notification: {
          code: NotificationCode.ROUTE_REFRESH_MESSAGE_ERROR,
          subcode: RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH,
          data: buf.slice(messageStart, end),
        },
      },
    );
  }
  let p = offset + 4;
  const when = buf[p]!;
  p += 1;
  const orfs: Orf[] = [];
  while (p < end) {
    if (p + 3 > end) throw orfError('orf', p, 'ORF header overruns the message');
    const orfType = buf[p]!;
    const len = u16(buf, p + 1);
    p += 3;
    if (p + len > end) throw orfError('orf.length', p - 2, `ORF length ${len} overruns the message`);
    if (orfType === OrfType.ADDRESS_PREFIX) {
      orfs.push({ orfType: 64, entries: decodePrefixEntries(buf, p, p + len, afi) });
    } else {
      orfs.push({ orfType, value: buf.slice(p, p + len) });
    }
    p += len;
  }
  m.orf = { when, orfs };
  return m;
}

function writeOrf(w: Writer, orf: Orf, afi: number): void {
  w.u8(orf.orfType);
  const at = w.skip(2);
  const start = w.pos;
  if ('entries' in orf) {
    for (const e of orf.entries) {
      w.u8((actions.indexOf(e.action) << 6) | (e.match === 'deny' ? 0x20 : 0));
      if (e.action === 'remove-all') continue;
      const plen = e.prefixLength ?? 0;
      const addr = ipBytes(e.prefix ?? (afi === 2 ? '::' : '0.0.0.0'), 'route-refresh', 'orf.prefix');
      if (plen > addr.length * 8)
        throw new EncodeError('route-refresh', 'orf.prefixLength', -1, `${plen} too long`);
      checkUint('route-refresh', 'orf.sequence', e.sequence ?? 0, 0xffffffff);
      w.u32(e.sequence ?? 0)
        .u8(e.minLength ?? 0)
        .u8(e.maxLength ?? 0)
        .u8(plen)
        .bytes(addr.subarray(0, (plen + 7) >>> 3));
    }
  } else {
    w.bytes(orf.value);
  }
  w.patchU16(at, w.pos - start);
}

/** The bytes of a ROUTE-REFRESH message (header included). */
export function encodeRouteRefresh(m: RouteRefreshMessage, maxLength = 4096): Uint8Array {
  checkUint('route-refresh', 'afi', m.afi, 0xffff);
  checkUint('route-refresh', 'safi', m.safi, 0xff);
  checkUint('route-refresh', 'subtype', m.subtype, 0xff);
  const w = startMessage(MessageType.ROUTE_REFRESH, 23);
  w.u16(m.afi).u8(m.subtype).u8(m.safi);
  if (m.orf) {
    w.u8(m.orf.when);
    for (const orf of m.orf.orfs) writeOrf(w, orf, m.afi);
  }
  return finishMessage(w, maxLength);
}
