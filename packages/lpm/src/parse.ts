// Address and prefix text for the control-path helpers: IPv4 dotted quads (RFC 791 notation) and IPv6
// (RFC 4291 section 2.2, with `::` and a trailing dotted quad), prefixes as `address/length`.

import { AddressFormatError, LpmRangeError } from './errors.js';

function parse4(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return false;
    out[at + i] = Number(p);
  }
  return true;
}

function groups6(s: string): number[] | null {
  if (s === '') return [];
  const out: number[] = [];
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const g = parts[i]!;
    if (i === parts.length - 1 && g.includes('.')) {
      const b = new Uint8Array(4);
      if (!parse4(g, b, 0)) return null;
      out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(Number.parseInt(g, 16));
    else return null;
  }
  return out;
}

function parse6(text: string, out: Uint8Array): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = groups6(halves[0]!);
  const tail = halves.length === 2 ? groups6(halves[1]!) : [];
  if (head === null || tail === null) return false;
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return false;
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >>> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return true;
}

/** Parses an address of `bits` (32 or 128) bits into bytes. */
export function parseAddress(text: string, bits: number): Uint8Array {
  const out = new Uint8Array(bits / 8);
  const ok = bits === 32 ? parse4(text, out, 0) : parse6(text, out);
  if (!ok) throw new AddressFormatError(text, bits === 32 ? 'not an IPv4 address' : 'not an IPv6 address');
  return out;
}

/** Parses `address/length` (a bare address is a host route). */
export function parsePrefix(text: string, bits: number): { addr: Uint8Array; len: number } {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash), bits);
  if (slash < 0) return { addr, len: bits };
  const l = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(l)) throw new AddressFormatError(text, 'prefix length is not a number');
  const len = Number(l);
  if (len > bits) throw new LpmRangeError('len', len, 0, bits);
  return { addr, len };
}
