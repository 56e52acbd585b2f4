// IP address text forms for BGP values: dotted quad, and IPv6 in the RFC 5952 canonical form
// (lower case, longest run of two or more zero groups compressed, the first such run on a tie).
import { Address6 } from 'ip-address';
import { MalformedError } from './errors.js';

/** Dotted-quad text of 4 bytes at `offset`. */
export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** RFC 5952 text of 16 bytes at `offset`; IPv4-mapped addresses print as `::ffff:a.b.c.d`. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(buf, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
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
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Text of a 4- or 16-byte address. */
export function formatIP(buf: Uint8Array, offset: number, length: 4 | 16): string {
  return length === 4 ? formatIPv4(buf, offset) : formatIPv6(buf, offset);
}

/** Parses dotted-quad text into 4 bytes; throws MalformedError naming `field`. */
export function parseIPv4(text: string, field = 'address'): Uint8Array {
  const parts = text.split('.');
  const out = new Uint8Array(4);
  if (parts.length !== 4) throw new MalformedError('text', field, 0, `not an IPv4 address: ${text}`);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) {
      throw new MalformedError('text', field, 0, `not an IPv4 address: ${text}`);
    }
    out[i] = Number(p);
  }
  return out;
}

/** Parses IPv6 text (any valid form, incl. embedded IPv4) into 16 bytes; throws MalformedError naming `field`. */
export function parseIPv6(text: string, field = 'address'): Uint8Array {
  if (!Address6.isValid(text)) throw new MalformedError('text', field, 0, `not an IPv6 address: ${text}`);
  const bytes = new Address6(text).toUnsignedByteArray();
  const out = new Uint8Array(16);
  out.set(bytes.slice(-16), 16 - Math.min(16, bytes.length));
  return out;
}

/** Parses IPv4 or IPv6 text. */
export function parseIP(text: string, field = 'address'): Uint8Array {
  return text.includes(':') ? parseIPv6(text, field) : parseIPv4(text, field);
}
