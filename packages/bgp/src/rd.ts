// Route Distinguisher, RFC 4364 section 4.2: 8 octets, a 2-octet type and a 6-octet value.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Type (2 octets)       |  Administrator ...            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          ... Administrator / Assigned Number ...              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   type 0: Administrator = 2-octet AS,   Assigned Number = 4 octets   text `65000:100`
//   type 1: Administrator = IPv4 address, Assigned Number = 2 octets   text `10.0.0.1:5`
//   type 2: Administrator = 4-octet AS,   Assigned Number = 2 octets   text `4200000000:7`
//
// A type-2 RD whose AS fits in 16 bits is written `65000L:7` (the Junos convention) so that the text
// reads back as type 2 and not type 0. Other types are kept as their 6 value octets, written
// `rd-type-N:0011223344ff`.

import { EncodeError, TruncatedError } from './errors.js';
import { formatIpv4, writeIpv4 } from './nlri/address.js';
import { formatHexBytes, TextFormatError } from './text.js';

export type RouteDistinguisher =
  | { type: 0; asn: number; assigned: number }
  | { type: 1; ip: string; assigned: number }
  | { type: 2; asn: number; assigned: number }
  /** Types other than 0, 1 and 2, kept as 12 hex digits of the 6 value octets. */
  | { type: 'other'; code: number; value: string };

/** Encoded length of a route distinguisher. */
export const RD_LENGTH = 8;

/** Reads the RD at `offset`; the caller has checked that 8 bytes are there. */
export function readRd(buf: Uint8Array, offset: number): RouteDistinguisher {
  const type = (buf[offset]! << 8) | buf[offset + 1]!;
  const o = offset + 2;
  switch (type) {
    case 0:
      return {
        type: 0,
        asn: (buf[o]! << 8) | buf[o + 1]!,
        assigned: ((buf[o + 2]! << 24) | (buf[o + 3]! << 16) | (buf[o + 4]! << 8) | buf[o + 5]!) >>> 0,
      };
    case 1:
      return { type: 1, ip: formatIpv4(buf, o), assigned: (buf[o + 4]! << 8) | buf[o + 5]! };
    case 2:
      return {
        type: 2,
        asn: ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0,
        assigned: (buf[o + 4]! << 8) | buf[o + 5]!,
      };
    default:
      return { type: 'other', code: type, value: formatHexBytes(buf, o, 6, '') };
  }
}

function checkField(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new EncodeError('rd', name, -1, `${String(v)} is outside 0..${max}`);
  }
}

/** The type-1 administrator text `writeRd` parsed last (always valid IPv4 text), and its 4 bytes. */
let lastIp = '0.0.0.0';
const lastIpBytes = new Uint8Array(4);

/** Writes `rd` as 8 bytes at `offset`; throws EncodeError when a field does not fit its type. */
export function writeRd(rd: RouteDistinguisher, buf: Uint8Array, offset: number): void {
  const o = offset + 2;
  switch (rd.type) {
    case 0:
      checkField('asn', rd.asn, 0xffff);
      checkField('assigned', rd.assigned, 0xffffffff);
      buf[offset] = 0;
      buf[offset + 1] = 0;
      buf[o] = rd.asn >>> 8;
      buf[o + 1] = rd.asn & 0xff;
      buf[o + 2] = rd.assigned >>> 24;
      buf[o + 3] = (rd.assigned >>> 16) & 0xff;
      buf[o + 4] = (rd.assigned >>> 8) & 0xff;
      buf[o + 5] = rd.assigned & 0xff;
      return;
    case 1:
      checkField('assigned', rd.assigned, 0xffff);
      buf[offset] = 0;
      buf[offset + 1] = 1;
      if (rd.ip === lastIp) {
        // Routes of one VRF share the administrator: its bytes are kept from the last one parsed.
        buf[o] = lastIpBytes[0]!;
        buf[o + 1] = lastIpBytes[1]!;
        buf[o + 2] = lastIpBytes[2]!;
        buf[o + 3] = lastIpBytes[3]!;
      } else {
        if (!writeIpv4(rd.ip, buf, o)) throw new EncodeError('rd', 'ip', -1, `not an IPv4 address: ${rd.ip}`);
        lastIp = rd.ip;
        lastIpBytes[0] = buf[o]!;
        lastIpBytes[1] = buf[o + 1]!;
        lastIpBytes[2] = buf[o + 2]!;
        lastIpBytes[3] = buf[o + 3]!;
      }
      buf[o + 4] = rd.assigned >>> 8;
      buf[o + 5] = rd.assigned & 0xff;
      return;
    case 2:
      checkField('asn', rd.asn, 0xffffffff);
      checkField('assigned', rd.assigned, 0xffff);
      buf[offset] = 0;
      buf[offset + 1] = 2;
      buf[o] = rd.asn >>> 24;
      buf[o + 1] = (rd.asn >>> 16) & 0xff;
      buf[o + 2] = (rd.asn >>> 8) & 0xff;
      buf[o + 3] = rd.asn & 0xff;
      buf[o + 4] = rd.assigned >>> 8;
      buf[o + 5] = rd.assigned & 0xff;
      return;
    default:
      checkField('code', rd.code, 0xffff);
      if (rd.code <= 2) throw new EncodeError('rd', 'code', -1, `type ${rd.code} must use its typed form`);
      buf[offset] = rd.code >>> 8;
      buf[offset + 1] = rd.code & 0xff;
      if (!/^[0-9a-fA-F]{12}$/.test(rd.value))
        throw new EncodeError('rd', 'value', -1, 'needs 12 hex digits');
      for (let i = 0; i < 6; i++) buf[o + i] = Number.parseInt(rd.value.slice(2 * i, 2 * i + 2), 16);
  }
}

/** The 8 bytes of `rd`. */
export function encodeRd(rd: RouteDistinguisher): Uint8Array {
  const b = new Uint8Array(8);
  writeRd(rd, b, 0);
  return b;
}

/** Reads 8 RD bytes at `offset`; throws TruncatedError (layer `rd`) when fewer remain. */
export function decodeRd(buf: Uint8Array, offset = 0): RouteDistinguisher {
  if (offset < 0 || offset + 8 > buf.length) {
    throw new TruncatedError(
      'rd',
      'value',
      offset,
      `needs 8 bytes, ${Math.max(0, buf.length - offset)} available`,
    );
  }
  return readRd(buf, offset);
}

/** `65000:100`, `10.0.0.1:5`, `4200000000:7`, `65000L:7` (type 2 with a small AS), `rd-type-N:<hex>`. */
export function formatRd(rd: RouteDistinguisher): string {
  switch (rd.type) {
    case 0:
      return `${rd.asn}:${rd.assigned}`;
    case 1:
      return `${rd.ip}:${rd.assigned}`;
    case 2:
      return rd.asn <= 0xffff ? `${rd.asn}L:${rd.assigned}` : `${rd.asn}:${rd.assigned}`;
    default:
      return `rd-type-${rd.code}:${rd.value.toLowerCase()}`;
  }
}

/**
 * Reads RD text as gobgp and FRR take it: `ADMIN:NUMBER` where ADMIN is an IPv4 address (type 1), an AS
 * up to 65535 (type 0) or a larger AS, or any AS followed by `L` (type 2). Throws TextFormatError.
 */
export function parseRd(text: string): RouteDistinguisher {
  const other = /^rd-type-(\d+):([0-9a-fA-F]{12})$/.exec(text);
  if (other) {
    const code = Number(other[1]);
    if (code > 2 && code <= 0xffff) return { type: 'other', code, value: other[2]!.toLowerCase() };
    throw new TextFormatError('rd', text, 'a route distinguisher');
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new TextFormatError('rd', text, 'a route distinguisher');
  const admin = text.slice(0, colon);
  const numText = text.slice(colon + 1);
  if (!/^\d{1,10}$/.test(numText)) throw new TextFormatError('rd', text, 'a route distinguisher');
  const assigned = Number(numText);
  if (admin.includes('.')) {
    const b = new Uint8Array(4);
    if (!writeIpv4(admin, b, 0) || assigned > 0xffff) throw new TextFormatError('rd', text, 'a type-1 RD');
    return { type: 1, ip: formatIpv4(b, 0), assigned };
  }
  const m = /^(\d{1,10})(L?)$/.exec(admin);
  if (!m) throw new TextFormatError('rd', text, 'a route distinguisher');
  const asn = Number(m[1]);
  if (asn <= 0xffff && m[2] === '') {
    if (assigned > 0xffffffff) throw new TextFormatError('rd', text, 'a type-0 RD');
    return { type: 0, asn, assigned };
  }
  if (asn > 0xffffffff || assigned > 0xffff) throw new TextFormatError('rd', text, 'a type-2 RD');
  return { type: 2, asn, assigned };
}

/** True when two RDs are the same 8 bytes. */
export function rdEquals(a: RouteDistinguisher, b: RouteDistinguisher): boolean {
  return formatRd(a) === formatRd(b);
}
