// Text forms of MAC addresses and EVPN Ethernet Segment Identifiers, as operators read and type them in
// gobgp and FRR output.
//
// RFC 7432 section 5, the 10-octet ESI; its first octet is the ESI type:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      |           ESI Value (9 octets) ...            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   type 0  arbitrary 9 octets configured by the operator
//   type 1  LACP: CE LACP system MAC (6), CE LACP port key (2), 0 (1)
//   type 2  bridged LAN (MSTP): root bridge MAC (6), root bridge priority (2), 0 (1)
//   type 3  MAC-based: system MAC (6), local discriminator (3)
//   type 4  router-ID: router ID (4), local discriminator (4), 0 (1)
//   type 5  AS-based: AS number (4), local discriminator (4), 0 (1)
//
// In route objects an ESI is the canonical 10-octet colon form `00:11:22:33:44:55:66:77:88:99` (what FRR
// prints); `esiFields` gives its typed reading and `formatEsiTyped` the gobgp-style `LACP aa:bb:.. 10` form.
import { BgpError } from './errors.js';

/** Text that is not a valid address, prefix, RD, ESI, MAC or community. `layer` is `text:<what>`. */
export class TextFormatError extends BgpError {
  override name = 'TextFormatError';
  override readonly code = 'ERR_BGP_TEXT';
  readonly text: string;
  constructor(what: string, text: string, expected: string) {
    super(`text:${what}`, 'text', -1, `not ${expected}: ${JSON.stringify(text)}`);
    this.text = text;
  }
}

/** Two lower-case hex digits for every byte value. */
export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The value of every hex digit character code below 128, -1 for other codes. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

function hexDigit(c: number): number {
  return c < 128 ? HEX_VALUE[c]! : -1;
}

/** `n` bytes at `offset` as lower-case hex pairs joined by `sep`. */
export function formatHexBytes(buf: Uint8Array, offset: number, n: number, sep = ':'): string {
  let s = n > 0 ? HEX[buf[offset]!]! : '';
  for (let i = 1; i < n; i++) s += sep + HEX[buf[offset + i]!]!;
  return s;
}

/**
 * Reads `n` hex pairs separated by one separator character (`:` or `-`) from `text` into `buf` at `offset`.
 * Returns false when the text is not exactly that.
 */
export function writeHexBytes(text: string, n: number, buf: Uint8Array, offset: number): boolean {
  if (text.length !== n * 3 - 1) return false;
  const sep = n > 1 ? text.charCodeAt(2) : 0;
  if (n > 1 && sep !== 58 && sep !== 45) return false;
  for (let i = 0; i < n; i++) {
    const p = i * 3;
    if (i > 0 && text.charCodeAt(p - 1) !== sep) return false;
    const hi = hexDigit(text.charCodeAt(p));
    const lo = hexDigit(text.charCodeAt(p + 1));
    if (hi < 0 || lo < 0) return false;
    buf[offset + i] = (hi << 4) | lo;
  }
  return true;
}

/** `02:00:00:00:01:01` from the 6 bytes at `offset`. */
export function formatMac(buf: Uint8Array, offset: number): string {
  return formatHexBytes(buf, offset, 6);
}

/**
 * Writes a MAC address into 6 bytes at `offset`. Accepts `02:00:00:00:01:01`, `02-00-00-00-01-01` and the
 * Cisco/Junos dotted form `0200.0000.0101`; throws TextFormatError otherwise.
 */
export function writeMac(text: string, buf: Uint8Array, offset: number): void {
  if (writeHexBytes(text, 6, buf, offset)) return;
  const m = /^([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})$/.exec(text);
  if (m) {
    const v = m[1]! + m[2]! + m[3]!;
    for (let i = 0; i < 6; i++) buf[offset + i] = Number.parseInt(v.slice(2 * i, 2 * i + 2), 16);
    return;
  }
  throw new TextFormatError('mac', text, 'a MAC address');
}

/** Canonical lower-case colon form of a MAC given in any accepted form. */
export function normalizeMac(text: string): string {
  const b = new Uint8Array(6);
  writeMac(text, b, 0);
  return formatMac(b, 0);
}

/** The all-zero ESI, for single-homed sites (RFC 7432 5). */
export const ZERO_ESI = '00:00:00:00:00:00:00:00:00:00';

/** `00:11:22:33:44:55:66:77:88:99` from the 10 bytes at `offset` (the shared ZERO_ESI string when all zero). */
export function formatEsi(buf: Uint8Array, offset: number): string {
  let any = 0;
  for (let i = 0; i < 10; i++) any |= buf[offset + i]!;
  return any === 0 ? ZERO_ESI : formatHexBytes(buf, offset, 10);
}

/** The ESI text `writeEsi` wrote last (always a valid ESI), and its 10 bytes. */
let lastEsi = ZERO_ESI;
const lastEsiBytes = new Uint8Array(10);

/** Writes an ESI in any form `parseEsi` accepts into 10 bytes at `offset`. */
export function writeEsi(text: string, buf: Uint8Array, offset: number): void {
  if (text !== lastEsi) {
    if (!writeHexBytes(text, 10, buf, offset)) buf.set(esiBytesFromText(text), offset);
    lastEsi = text;
    for (let i = 0; i < 10; i++) lastEsiBytes[i] = buf[offset + i]!;
    return;
  }
  // Routes of one Ethernet segment (and every single-homed route) share the ESI: its bytes are kept.
  for (let i = 0; i < 10; i++) buf[offset + i] = lastEsiBytes[i]!;
}

/**
 * The typed reading of an ESI (RFC 7432 5). Unknown types (6..255), and types 1/2/4/5 whose last octet is
 * not zero, are `other` with their 9 value octets.
 */
export type EsiFields =
  | { type: 0; value: string }
  | { type: 1; mac: string; portKey: number }
  | { type: 2; mac: string; priority: number }
  | { type: 3; mac: string; discriminator: number }
  | { type: 4; routerId: string; discriminator: number }
  | { type: 5; asn: number; discriminator: number }
  | { type: 'other'; code: number; value: string };

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** The typed fields of an ESI given as text (any form `parseEsi` accepts). */
export function esiFields(esi: string): EsiFields {
  const b = parseEsi(esi);
  const t = b[0]!;
  // Types 1, 2, 4 and 5 end in a zero octet; one that is not zero is kept by the untyped form.
  if ((t === 1 || t === 2 || t === 4 || t === 5) && b[9] !== 0)
    return { type: 'other', code: t, value: formatHexBytes(b, 1, 9) };
  switch (t) {
    case 0:
      return { type: 0, value: formatHexBytes(b, 1, 9) };
    case 1:
      return { type: 1, mac: formatMac(b, 1), portKey: u16(b, 7) };
    case 2:
      return { type: 2, mac: formatMac(b, 1), priority: u16(b, 7) };
    case 3:
      return { type: 3, mac: formatMac(b, 1), discriminator: (b[7]! << 16) | (b[8]! << 8) | b[9]! };
    case 4:
      return { type: 4, routerId: `${b[1]}.${b[2]}.${b[3]}.${b[4]}`, discriminator: u32(b, 5) };
    case 5:
      return { type: 5, asn: u32(b, 1), discriminator: u32(b, 5) };
    default:
      return { type: 'other', code: t, value: formatHexBytes(b, 1, 9) };
  }
}

function checkInt(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new TextFormatError('esi', String(v), `${what} in 0..${max}`);
}

/** The canonical ESI text for typed fields (the inverse of `esiFields`). */
export function esiFromFields(f: EsiFields): string {
  const b = new Uint8Array(10);
  switch (f.type) {
    case 0:
    case 'other':
      b[0] = f.type === 0 ? 0 : f.code;
      if (f.type === 'other') checkInt('ESI type', f.code, 255);
      if (!writeHexBytes(f.value, 9, b, 1)) throw new TextFormatError('esi', f.value, '9 hex octets');
      break;
    case 1:
    case 2: {
      b[0] = f.type;
      writeMac(f.mac, b, 1);
      const v = f.type === 1 ? f.portKey : f.priority;
      checkInt(f.type === 1 ? 'port key' : 'priority', v, 0xffff);
      b[7] = v >> 8;
      b[8] = v & 0xff;
      break;
    }
    case 3:
      b[0] = 3;
      writeMac(f.mac, b, 1);
      checkInt('discriminator', f.discriminator, 0xffffff);
      b[7] = f.discriminator >> 16;
      b[8] = (f.discriminator >> 8) & 0xff;
      b[9] = f.discriminator & 0xff;
      break;
    case 4:
    case 5: {
      b[0] = f.type;
      if (f.type === 4) {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(f.routerId);
        const parts = m ? m.slice(1).map(Number) : [];
        if (parts.length !== 4 || parts.some((p) => p > 255))
          throw new TextFormatError('esi', f.routerId, 'a router ID');
        b.set(parts, 1);
      } else {
        checkInt('AS number', f.asn, 0xffffffff);
        new DataView(b.buffer).setUint32(1, f.asn);
      }
      checkInt('discriminator', f.discriminator, 0xffffffff);
      new DataView(b.buffer).setUint32(5, f.discriminator);
      break;
    }
  }
  return formatEsi(b, 0);
}

const typedNames: Record<string, number> = {
  ARBITRARY: 0,
  LACP: 1,
  MSTP: 2,
  MAC: 3,
  ROUTERID: 4,
  RID: 4,
  AS: 5,
};

function esiBytesFromText(text: string): Uint8Array {
  const t = text.trim();
  if (t === '0' || t === 'single-homed') return new Uint8Array(10);
  const parts = t.split(/\s+/);
  const kind = typedNames[parts[0]!.toUpperCase()];
  const num = (s: string | undefined): number => {
    if (s === undefined || !/^\d+$/.test(s)) throw new TextFormatError('esi', text, 'an ESI');
    return Number(s);
  };
  let hex: string;
  switch (kind) {
    case 0:
      if (parts.length !== 2) throw new TextFormatError('esi', text, 'an ESI');
      return parseEsi(esiFromFields({ type: 0, value: parts[1]! }));
    case 1:
      hex = esiFromFields({ type: 1, mac: parts[1] ?? '', portKey: num(parts[2]) });
      break;
    case 2:
      hex = esiFromFields({ type: 2, mac: parts[1] ?? '', priority: num(parts[2]) });
      break;
    case 3:
      hex = esiFromFields({ type: 3, mac: parts[1] ?? '', discriminator: num(parts[2]) });
      break;
    case 4:
      hex = esiFromFields({ type: 4, routerId: parts[1] ?? '', discriminator: num(parts[2]) });
      break;
    case 5:
      hex = esiFromFields({ type: 5, asn: num(parts[1]), discriminator: num(parts[2]) });
      break;
    default:
      throw new TextFormatError('esi', text, 'an ESI');
  }
  if (parts.length !== 3) throw new TextFormatError('esi', text, 'an ESI');
  return parseEsi(hex);
}

/**
 * Reads an ESI: the 10-octet colon (or dash) form, `0` for the zero ESI, or the gobgp CLI typed forms
 * `ARBITRARY <9 octets>`, `LACP <mac> <port key>`, `MSTP <mac> <priority>`, `MAC <mac> <discriminator>`,
 * `ROUTERID <router id> <discriminator>` (or `RID`), `AS <asn> <discriminator>`. Returns its 10 bytes.
 */
export function parseEsi(text: string): Uint8Array {
  const b = new Uint8Array(10);
  if (writeHexBytes(text, 10, b, 0)) return b;
  return esiBytesFromText(text);
}

/** Canonical 10-octet text of an ESI given in any accepted form. */
export function normalizeEsi(text: string): string {
  return formatEsi(parseEsi(text), 0);
}

/** The gobgp CLI typed form of an ESI (`LACP aa:bb:cc:dd:ee:ff 10`, `ROUTERID 1.1.1.1 5`, `0` for zero). */
export function formatEsiTyped(esi: string): string {
  const f = esiFields(esi);
  switch (f.type) {
    case 0:
      return f.value === '00:00:00:00:00:00:00:00:00' ? '0' : `ARBITRARY ${f.value}`;
    case 1:
      return `LACP ${f.mac} ${f.portKey}`;
    case 2:
      return `MSTP ${f.mac} ${f.priority}`;
    case 3:
      return `MAC ${f.mac} ${f.discriminator}`;
    case 4:
      return `ROUTERID ${f.routerId} ${f.discriminator}`;
    case 5:
      return `AS ${f.asn} ${f.discriminator}`;
    default:
      return normalizeEsi(esi);
  }
}
