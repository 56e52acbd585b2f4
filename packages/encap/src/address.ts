// Address text forms used by every header value object:
//   MAC      IEEE 802 "canonical" text, lower-case colon-separated octets   02:00:00:00:00:01
//   IPv4     RFC 791 dotted decimal                                          192.0.2.1
//   IPv6     RFC 4291 section 2.2 input, RFC 5952 section 4 canonical output 2001:db8::1
//            (RFC 5952 section 5: IPv4-mapped addresses print as ::ffff:192.0.2.1)
//
// The raw helpers read from or write into a caller's buffer at an offset, so a hot path that parses text
// once and then copies bytes allocates nothing per packet. Text input errors are InvalidFieldError with
// layer `address`, the kind as field, and the character index as offset.
import { DEC, DECD, HEX_CODES, HEX1, HEX2, HEX2C } from './bytes.js';
import { InvalidFieldError } from './errors.js';

const COLON = 0x3a;

function bad(kind: string, text: string, at: number, reason: string): InvalidFieldError {
  return new InvalidFieldError('address', kind, at, text, reason);
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Writes the 6 octets of a MAC address text (`aa:bb:cc:dd:ee:ff` or with `-`) into `buf` at `offset`. */
export function parseMac(text: string, buf: Uint8Array = new Uint8Array(6), offset = 0): Uint8Array {
  parseHexBytes('mac', text, 6, buf, offset);
  return buf;
}

/** Formats the 6 octets at `offset` as lower-case colon-separated hex. */
export function formatMac(buf: Uint8Array, offset = 0): string {
  if (!(offset >= 0 && offset + 6 <= buf.length)) return formatHexBytes(buf, offset, 6);
  const a = buf[offset]! << 1;
  const b = buf[offset + 1]! << 1;
  const c = buf[offset + 2]! << 1;
  const d = buf[offset + 3]! << 1;
  const e = buf[offset + 4]! << 1;
  const f = buf[offset + 5]! << 1;
  const h = HEX_CODES;
  // One flat string from 17 char codes: no intermediate strings.
  return String.fromCharCode(
    h[a]!,
    h[a + 1]!,
    COLON,
    h[b]!,
    h[b + 1]!,
    COLON,
    h[c]!,
    h[c + 1]!,
    COLON,
    h[d]!,
    h[d + 1]!,
    COLON,
    h[e]!,
    h[e + 1]!,
    COLON,
    h[f]!,
    h[f + 1]!,
  );
}

/**
 * Parses `n` colon-separated hex octets (each one or two digits) into `buf`; generalises MAC text to the
 * hardware addresses of any length that ARP and ND options carry. Throws unless there are exactly `n`.
 */
export function parseHexBytes(kind: string, text: string, n: number, buf: Uint8Array, offset = 0): void {
  let i = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      const sep = text.charCodeAt(i);
      if (sep !== 0x3a && sep !== 0x2d)
        throw bad(kind, text, i, `expected ':' before octet ${k + 1} of ${n}`);
      i++;
    }
    const h = hexDigit(text.charCodeAt(i));
    if (h < 0) throw bad(kind, text, i, `expected a hex digit in octet ${k + 1} of ${n}`);
    let v = h;
    i++;
    const l = hexDigit(text.charCodeAt(i));
    if (l >= 0) {
      v = (v << 4) | l;
      i++;
    }
    buf[offset + k] = v;
  }
  if (i !== text.length) throw bad(kind, text, i, `expected exactly ${n} octets`);
}

/** Counts the octets of `:`- or `-`-separated hex text without allocating (0 for the empty string). */
export function hexBytesLength(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a || c === 0x2d) n++;
  }
  return n;
}

/** Formats `n` octets at `offset` as lower-case colon-separated two-digit hex. */
export function formatHexBytes(buf: Uint8Array, offset: number, n: number): string {
  if (n <= 0) return '';
  let s = HEX2[buf[offset] ?? 0]!;
  for (let k = 1; k < n; k++) s += HEX2C[buf[offset + k] ?? 0]!;
  return s;
}

/** Writes the 4 octets of a dotted-decimal IPv4 address into `buf` at `offset`. */
export function parseIPv4(text: string, buf: Uint8Array = new Uint8Array(4), offset = 0): Uint8Array {
  const end = parseIPv4At(text, 0, text.length, buf, offset, 'ipv4');
  if (end !== text.length) throw bad('ipv4', text, end, 'trailing characters');
  return buf;
}

// Parses a dotted quad in text[start, limit) and returns the index after it.
function parseIPv4At(
  text: string,
  start: number,
  limit: number,
  buf: Uint8Array,
  offset: number,
  kind: string,
): number {
  let i = start;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (text.charCodeAt(i) !== 0x2e) throw bad(kind, text, i, `expected '.' before octet ${k + 1}`);
      i++;
    }
    const first = i;
    let v = 0;
    while (i < limit && i - first < 3) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    if (i === first) throw bad(kind, text, i, `expected a decimal octet ${k + 1}`);
    // RFC 6943 section 3.1.1: leading zeros are ambiguous (octal in some parsers), so refuse them.
    if (i - first > 1 && text.charCodeAt(first) === 0x30) throw bad(kind, text, first, 'leading zero');
    if (v > 255) throw bad(kind, text, first, `octet ${v} > 255`);
    buf[offset + k] = v;
  }
  return i;
}

/** Formats the 4 octets at `offset` as dotted decimal. */
export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return (
    DEC[buf[offset] ?? 0]! +
    DECD[buf[offset + 1] ?? 0]! +
    DECD[buf[offset + 2] ?? 0]! +
    DECD[buf[offset + 3] ?? 0]!
  );
}

/** The IPv4 address as an unsigned 32-bit integer. */
export function ipv4ToUint32(text: string): number {
  const b = parseIPv4(text);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** An unsigned 32-bit integer as dotted decimal. */
export function uint32ToIPv4(n: number): string {
  return DEC[(n >>> 24) & 255]! + DECD[(n >>> 16) & 255]! + DECD[(n >>> 8) & 255]! + DECD[n & 255]!;
}

/**
 * Writes the 16 octets of an IPv6 address in any RFC 4291 section 2.2 text form (with at most one `::`,
 * optionally a trailing dotted quad) into `buf` at `offset`. Allocates nothing when `buf` is given: groups
 * are written in place and the ones after `::` moved to the end. On bad text `buf` may be partly written.
 */
export function parseIPv6(text: string, buf: Uint8Array = new Uint8Array(16), offset = 0): Uint8Array {
  let n = 0; // groups written
  let gap = -1; // group index where `::` stands
  let i = 0;
  const len = text.length;
  if (len === 0) throw bad('ipv6', text, 0, 'empty');
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) throw bad('ipv6', text, 0, "single leading ':'");
    gap = 0;
    i = 2;
  }
  while (i < len) {
    if (n === 8) throw bad('ipv6', text, i, 'more than 8 groups');
    let j = i;
    while (j < len && hexDigit(text.charCodeAt(j)) >= 0) j++;
    // A dotted quad may stand for the last two groups.
    if (text.charCodeAt(j) === 0x2e) {
      if (n > 6) throw bad('ipv6', text, i, 'no room for an embedded IPv4 address');
      const end = parseIPv4At(text, i, len, buf, offset + 2 * n, 'ipv6');
      if (end !== len) throw bad('ipv6', text, end, 'characters after the embedded IPv4 address');
      n += 2;
      break;
    }
    if (j === i) throw bad('ipv6', text, i, 'expected a hex group');
    if (j - i > 4) throw bad('ipv6', text, i, 'group longer than 4 hex digits');
    let g = 0;
    for (let k = i; k < j; k++) g = (g << 4) | hexDigit(text.charCodeAt(k));
    buf[offset + 2 * n] = g >> 8;
    buf[offset + 2 * n + 1] = g & 0xff;
    n++;
    i = j;
    if (i === len) break;
    if (text.charCodeAt(i) !== 0x3a) throw bad('ipv6', text, i, "expected ':'");
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) throw bad('ipv6', text, i, "more than one '::'");
      gap = n;
      i++;
    } else if (i === len) {
      throw bad('ipv6', text, i, "trailing ':'");
    }
  }
  if (gap < 0 && n !== 8) throw bad('ipv6', text, len, `${n} groups and no '::'`);
  if (gap >= 0 && n === 8) throw bad('ipv6', text, len, "'::' stands for no group");
  if (gap >= 0) {
    // move the groups written after `::` to the end and zero the groups it stands for
    const tail = n - gap;
    buf.copyWithin(offset + 2 * (8 - tail), offset + 2 * gap, offset + 2 * n);
    buf.fill(0, offset + 2 * gap, offset + 2 * (8 - tail));
  }
  return buf;
}

/** Formats the 16 octets at `offset` in RFC 5952 canonical form. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  // RFC 5952 section 5: ::ffff:0:0/96 (IPv4-mapped) is written with the dotted quad.
  let mapped = buf[offset + 10] === 0xff && buf[offset + 11] === 0xff;
  for (let k = 0; mapped && k < 10; k++) if (buf[offset + k] !== 0) mapped = false;
  if (mapped) return `::ffff:${formatIPv4(buf, offset + 12)}`;
  // Section 4.2.1-4.2.3: compress the longest run (first on a tie) of two or more zero groups.
  let bestAt = -1;
  let bestLen = 1;
  let runAt = -1;
  for (let k = 0; k <= 8; k++) {
    const zero = k < 8 && buf[offset + 2 * k] === 0 && buf[offset + 2 * k + 1] === 0;
    if (zero) {
      if (runAt < 0) runAt = k;
    } else if (runAt >= 0) {
      if (k - runAt > bestLen) {
        bestAt = runAt;
        bestLen = k - runAt;
      }
      runAt = -1;
    }
  }
  // Groups straight from the byte tables: no number formatting, no intermediate array.
  const afterGap = bestAt + bestLen;
  let s = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestAt) {
      s += '::';
      k = afterGap - 1;
      continue;
    }
    if (k > 0 && k !== afterGap) s += ':';
    const hi = buf[offset + 2 * k] ?? 0;
    const lo = buf[offset + 2 * k + 1] ?? 0;
    s += hi === 0 ? HEX1[lo]! : HEX1[hi]! + HEX2[lo]!;
  }
  return s;
}

/** Re-formats any accepted IPv6 text in canonical form (throws InvalidFieldError on bad text). */
export function canonicalIPv6(text: string): string {
  return formatIPv6(parseIPv6(text));
}
