// IPv4 and IPv6 addresses and prefixes as text, read from and written into wire bytes in place.
// IPv4 text is dotted decimal (RFC 791 usage); IPv6 text is the canonical form of RFC 5952 section 4
// (lower case, leading zeros dropped, the longest run of two or more zero groups as `::`, the first such
// run on a tie, and `::ffff:a.b.c.d` for IPv4-mapped addresses, RFC 5952 section 5).
//
// Prefixes in NLRI (RFC 4271 4.3, RFC 4760 5) are a length in bits followed by ceil(length / 8) bytes;
// bits past the length in the last byte are kept as given, so decode and encode are exact inverses.

import { TextFormatError } from '../text.js';

/** Dotted decimal of the 4 bytes at `offset`. */
export function formatIpv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Dotted decimal of the first `n` (0..4) bytes at `offset`, the rest taken as zero. */
function formatIpv4Partial(buf: Uint8Array, offset: number, n: number): string {
  const a = n > 0 ? buf[offset]! : 0;
  const b = n > 1 ? buf[offset + 1]! : 0;
  const c = n > 2 ? buf[offset + 2]! : 0;
  const d = n > 3 ? buf[offset + 3]! : 0;
  return `${a}.${b}.${c}.${d}`;
}

const groups = new Uint16Array(8);

/** RFC 5952 canonical text of `n` (0..16) bytes at `offset`, the rest of the 16 taken as zero. */
export function formatIpv6(buf: Uint8Array, offset: number, n = 16): string {
  for (let i = 0; i < 8; i++) {
    const hi = 2 * i < n ? buf[offset + 2 * i]! : 0;
    const lo = 2 * i + 1 < n ? buf[offset + 2 * i + 1]! : 0;
    groups[i] = (hi << 8) | lo;
  }
  // IPv4-mapped ::ffff:a.b.c.d (RFC 5952 section 5).
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += groups[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/** Parses dotted decimal into 4 bytes at `offset`; returns false when `text` is not an IPv4 address. */
export function writeIpv4(text: string, buf: Uint8Array, offset: number): boolean {
  return writeIpv4Range(text, 0, text.length, buf, offset);
}

/**
 * Parses the dotted decimal in `text` between `start` and `end` into 4 bytes at `offset`, without slicing
 * the text; returns false when that range is not an IPv4 address (the bytes may then be partly written).
 */
export function writeIpv4Range(
  text: string,
  start: number,
  end: number,
  buf: Uint8Array,
  offset: number,
): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 2) return false;
      buf[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // no leading zeros (octal ambiguity)
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return false;
    } else return false;
  }
  if (digits === 0 || part !== 3) return false;
  buf[offset + 3] = value;
  return true;
}

const words = new Uint16Array(8);
const v4 = new Uint8Array(4);

/** Parses any RFC 4291 2.2 text form into 16 bytes at `offset`; false when `text` is not IPv6. */
export function writeIpv6(text: string, buf: Uint8Array, offset: number): boolean {
  return writeIpv6Range(text, 0, text.length, buf, offset);
}

/** Hex digit value of a character code, -1 for any other character. */
function hexValue(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
}

/**
 * Parses the RFC 4291 2.2 text in `text` between `start` and `end` into 16 bytes at `offset`, without
 * slicing the text or allocating; false when that range is not an IPv6 address.
 */
export function writeIpv6Range(
  text: string,
  start: number,
  end: number,
  buf: Uint8Array,
  offset: number,
): boolean {
  const length = end - start;
  if (length < 2 || length > 45) return false;
  let count = 0;
  let gap = -1;
  let i = start;
  if (text.charCodeAt(start) === 58) {
    if (text.charCodeAt(start + 1) !== 58) return false;
    gap = 0;
    i = start + 2;
    if (i === end) {
      buf.fill(0, offset, offset + 16);
      return true;
    }
  }
  // An embedded IPv4 address can only be the text after the last colon.
  let v4At = -1;
  let dot = false;
  for (let k = start; k < end; k++) {
    if (text.charCodeAt(k) === 46) {
      dot = true;
      break;
    }
  }
  if (dot) {
    v4At = start;
    for (let k = end - 1; k >= start; k--) {
      if (text.charCodeAt(k) === 58) {
        v4At = k + 1;
        break;
      }
    }
  }
  while (i < end) {
    if (i === v4At) {
      if (count > 6) return false;
      if (!writeIpv4Range(text, i, end, v4, 0)) return false;
      words[count++] = (v4[0]! << 8) | v4[1]!;
      words[count++] = (v4[2]! << 8) | v4[3]!;
      i = end;
      break;
    }
    let v = 0;
    let n = 0;
    while (i < end && n < 5) {
      const d = hexValue(text.charCodeAt(i));
      if (d < 0) break;
      v = (v << 4) | d;
      n++;
      i++;
    }
    if (n === 0 || n > 4) return false;
    // A ninth group can never make an address (8 without `::`, at most 7 with it).
    if (count === 8) return false;
    words[count++] = v;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === end) break;
    } else if (i === end) return false;
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const fill = 8 - count;
  let w = 0;
  for (let k = 0; k < 8; k++) {
    const v = gap >= 0 && k >= gap && k < gap + fill ? 0 : words[w++]!;
    buf[offset + 2 * k] = v >> 8;
    buf[offset + 2 * k + 1] = v & 0xff;
  }
  return true;
}

/** True when `text` is an IPv6 address (it contains a colon); IPv4 otherwise. */
export function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

/** `addr/len` for a prefix of `len` bits whose ceil(len/8) bytes are at `offset`. */
export function formatPrefix(ipv6: boolean, buf: Uint8Array, offset: number, len: number): string {
  const n = (len + 7) >> 3;
  return `${ipv6 ? formatIpv6(buf, offset, n) : formatIpv4Partial(buf, offset, n)}/${len}`;
}

const scratch = new Uint8Array(16);

/**
 * Reads `addr/len` text: returns the length in bits and leaves the address bytes in `out` (16 bytes at 0).
 * Returns -1 when the text is not a prefix of the given family.
 */
export function readPrefixText(text: string, ipv6: boolean, out: Uint8Array = scratch): number {
  if (!ipv6) return readIpv4PrefixText(text, out);
  const slash = text.lastIndexOf('/');
  if (slash < 0) return -1;
  const end = text.length;
  // One to three decimal digits after the last slash (leading zeros allowed), read in place.
  if (end - slash < 2 || end - slash > 4) return -1;
  let len = 0;
  for (let i = slash + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    len = len * 10 + (c - 48);
  }
  if (len > (ipv6 ? 128 : 32)) return -1;
  const ok = ipv6 ? writeIpv6Range(text, 0, slash, out, 0) : writeIpv4Range(text, 0, slash, out, 0);
  return ok ? len : -1;
}

/**
 * `readPrefixText(text, false, out)` in one forward scan: the dotted decimal up to the first `/`, then one
 * to three digits to the end of the text. Returns the length in bits (address bytes in `out` at 0) or -1.
 */
export function readIpv4PrefixText(text: string, out: Uint8Array): number {
  const end = text.length;
  let part = 0;
  let value = 0;
  let digits = 0;
  let i = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return -1; // no leading zeros (octal ambiguity)
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || part > 2) return -1;
      out[part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c === 47) break;
    else return -1;
  }
  if (digits === 0 || part !== 3 || end - i < 2 || end - i > 4) return -1;
  out[3] = value;
  let len = 0;
  for (i++; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    len = len * 10 + (c - 48);
  }
  return len > 32 ? -1 : len;
}

/** Parses an IPv4 or IPv6 address to its 4 or 16 bytes; throws TextFormatError. */
export function parseIp(text: string): Uint8Array {
  if (isIpv6Text(text)) {
    const b = new Uint8Array(16);
    if (!writeIpv6(text, b, 0)) throw new TextFormatError('ipv6', text, 'an IPv6 address');
    return b;
  }
  const b = new Uint8Array(4);
  if (!writeIpv4(text, b, 0)) throw new TextFormatError('ipv4', text, 'an IPv4 address');
  return b;
}

/** Canonical text of a 4- or 16-byte address. */
export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0, 16);
}
