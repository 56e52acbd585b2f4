// DHCPv4 options, RFC 2132 (and RFC 2131 section 4.1 for their place after the magic cookie; RFC 3442 for
// the classless static route option 121).
//
//   Code   Len   Data ...             Pad (0) and End (255) are one octet, with no length.
//  +-----+-----+-----+-----+---
//  |  c  |  n  |  d1 |  d2 | ...  n data octets
//  +-----+-----+-----+-----+---
//
//  Option 121 data is a list of (width, significant destination octets, router):
//  +-------+------------------------+-------------------------------+
//  | width | ceil(width/8) octets   | router (4 octets)             |
//  +-------+------------------------+-------------------------------+
//
// Option bodies are decoded by hand rather than with binary-parser: every option needs a bounds check
// that names the option and its absolute offset, which a declarative binary-parser description cannot
// raise (it reads past the end or throws a bare RangeError). The output is built with smart-buffer,
// which grows as the variable-length list is written.
import { SmartBuffer } from 'smart-buffer';
import { formatIPv4, parseIPv4 } from './address.js';
import { u32 } from './bytes.js';
import { InvalidFieldError, RangeFieldError, TruncatedError } from './errors.js';

const LAYER = 'dhcpv4';

/** DHCP message types, option 53 (RFC 2132 section 9.6). */
export const DhcpMessageType = {
  discover: 1,
  offer: 2,
  request: 3,
  decline: 4,
  ack: 5,
  nak: 6,
  release: 7,
  inform: 8,
} as const;

export interface DhcpClasslessRoute {
  /** Destination prefix as `a.b.c.d/width`; only the significant octets go on the wire. */
  destination: string;
  router: string;
}

export interface DhcpClientId {
  /** Hardware type (1 Ethernet) or 0 for an opaque identifier. */
  type: number;
  id: Uint8Array;
}

/** The typed options and the shape of their values. */
export interface DhcpOptionValues {
  subnetMask: string;
  router: string[];
  dnsServers: string[];
  hostname: string;
  domainName: string;
  mtu: number;
  broadcastAddress: string;
  requestedIp: string;
  leaseTime: number;
  overload: number;
  messageType: number;
  serverId: string;
  parameterRequestList: number[];
  renewalTime: number;
  rebindingTime: number;
  clientId: DhcpClientId;
  classlessStaticRoutes: DhcpClasslessRoute[];
}

type KnownOption = {
  [K in keyof DhcpOptionValues]: { kind: K; value: DhcpOptionValues[K] };
}[keyof DhcpOptionValues];

export type DhcpOption =
  | KnownOption
  | { kind: 'pad' }
  | { kind: 'end' }
  /** Any other code, kept raw. */
  | { kind: 'unknown'; code: number; data: Uint8Array };

/** Option codes of the typed options (RFC 2132, RFC 3442). */
export const DhcpOptionCode: { readonly [K in keyof DhcpOptionValues]: number } & { pad: 0; end: 255 } = {
  pad: 0,
  subnetMask: 1,
  router: 3,
  dnsServers: 6,
  hostname: 12,
  domainName: 15,
  mtu: 26,
  broadcastAddress: 28,
  requestedIp: 50,
  leaseTime: 51,
  overload: 52,
  messageType: 53,
  serverId: 54,
  parameterRequestList: 55,
  renewalTime: 58,
  rebindingTime: 59,
  clientId: 61,
  classlessStaticRoutes: 121,
  end: 255,
};

const KIND_BY_CODE = new Map<number, keyof DhcpOptionValues>();
for (const [k, c] of Object.entries(DhcpOptionCode))
  if (c !== 0 && c !== 255) KIND_BY_CODE.set(c, k as keyof DhcpOptionValues);

// ---- IPv4 text helpers shared with dhcpv4.ts (not exported from the package) ----

/** Dotted-quad text of 4 bytes at `at`. */
export function ipv4TextAt(buf: Uint8Array, at: number): string {
  return formatIPv4(buf, at);
}

/** The 4 bytes of dotted-quad text (parsed by address.ts); InvalidFieldError naming this layer and `field`. */
export function ipv4TextBytes(text: string, field: string): Uint8Array {
  try {
    return parseIPv4(text);
  } catch (e) {
    throw new InvalidFieldError(
      LAYER,
      field,
      -1,
      text,
      e instanceof Error ? e.message : 'not an IPv4 address',
    );
  }
}

/** Latin-1 text of bytes: every byte maps to one char, so text round-trips exactly. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

export function latin1Bytes(text: string, field: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeFieldError(LAYER, field, c, 0, 0xff);
    out.push(c);
  }
  return out;
}

// ---- decode ----

function bad(code: number, at: number, len: number, why: string): InvalidFieldError {
  const name = KIND_BY_CODE.get(code) ?? `option${code}`;
  return new InvalidFieldError(LAYER, `options.${name}`, at, len, why);
}

function ipList(buf: Uint8Array, d: number, len: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < len; i += 4) out.push(ipv4TextAt(buf, d + i));
  return out;
}

function classlessRoutes(buf: Uint8Array, d: number, len: number, code: number): DhcpClasslessRoute[] {
  const routes: DhcpClasslessRoute[] = [];
  const end = d + len;
  let at = d;
  while (at < end) {
    const width = buf[at]!;
    if (width > 32) throw bad(code, at, width, 'prefix width above 32');
    const octets = (width + 7) >>> 3;
    if (at + 1 + octets + 4 > end) throw bad(code, at, len, 'route descriptor runs past the option');
    const dest = [0, 0, 0, 0];
    for (let i = 0; i < octets; i++) dest[i] = buf[at + 1 + i]!;
    routes.push({ destination: `${dest.join('.')}/${width}`, router: ipv4TextAt(buf, at + 1 + octets) });
    at += 1 + octets + 4;
  }
  return routes;
}

/** Decodes one option body; `d` is the absolute offset of its data, `lenAt` of its length byte. */
function decodeBody(code: number, buf: Uint8Array, d: number, len: number, lenAt: number): DhcpOption {
  const kind = KIND_BY_CODE.get(code);
  const fixed = (n: number) => {
    if (len !== n) throw bad(code, lenAt, len, `length must be ${n}`);
  };
  const list = (unit: number, min: number) => {
    if (len < min || len % unit !== 0)
      throw bad(code, lenAt, len, `length must be a multiple of ${unit}, at least ${min}`);
  };
  switch (kind) {
    case 'subnetMask':
    case 'broadcastAddress':
    case 'requestedIp':
    case 'serverId':
      fixed(4);
      return { kind, value: ipv4TextAt(buf, d) };
    case 'router':
    case 'dnsServers':
      list(4, 4);
      return { kind, value: ipList(buf, d, len) };
    case 'hostname':
    case 'domainName':
      list(1, 1);
      return { kind, value: latin1(buf, d, d + len) };
    case 'mtu':
      fixed(2);
      return { kind, value: (buf[d]! << 8) | buf[d + 1]! };
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
      fixed(4);
      return { kind, value: u32(buf, d) };
    case 'overload':
    case 'messageType':
      fixed(1);
      return { kind, value: buf[d]! };
    case 'parameterRequestList':
      list(1, 1);
      return { kind, value: Array.from(buf.subarray(d, d + len)) };
    case 'clientId':
      list(1, 2);
      return { kind, value: { type: buf[d]!, id: buf.slice(d + 1, d + len) } };
    case 'classlessStaticRoutes':
      list(1, 5);
      return { kind, value: classlessRoutes(buf, d, len, code) };
    case undefined:
      return { kind: 'unknown', code, data: buf.slice(d, d + len) };
  }
}

/**
 * Decodes options from `start` to `end` (absolute offsets). Stops after End; the bytes after it are
 * returned as `trailer` (normally zero padding), so the area re-encodes byte for byte.
 */
export function decodeDhcpOptions(
  buf: Uint8Array,
  start: number,
  end: number,
): { options: DhcpOption[]; trailer?: Uint8Array } {
  const options: DhcpOption[] = [];
  let at = start;
  while (at < end) {
    const code = buf[at]!;
    if (code === 0) {
      options.push({ kind: 'pad' });
      at++;
      continue;
    }
    if (code === 255) {
      options.push({ kind: 'end' });
      at++;
      return at < end ? { options, trailer: buf.slice(at, end) } : { options };
    }
    if (at + 2 > end)
      throw new TruncatedError(
        LAYER,
        `options.${KIND_BY_CODE.get(code) ?? `option${code}`}.length`,
        at + 1,
        1,
        0,
      );
    const len = buf[at + 1]!;
    if (at + 2 + len > end) {
      throw new TruncatedError(
        LAYER,
        `options.${KIND_BY_CODE.get(code) ?? `option${code}`}`,
        at + 2,
        len,
        end - at - 2,
      );
    }
    options.push(decodeBody(code, buf, at + 2, len, at + 1));
    at += 2 + len;
  }
  return { options };
}

// ---- encode ----

function ipListBytes(list: string[], field: string): number[] {
  return list.flatMap((a) => [...ipv4TextBytes(a, field)]);
}

function routeBytes(r: DhcpClasslessRoute): number[] {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(r.destination);
  const width = m ? Number(m[2]) : -1;
  if (!m || width > 32)
    throw new InvalidFieldError(
      LAYER,
      'options.classlessStaticRoutes',
      -1,
      r.destination,
      'not a.b.c.d/width',
    );
  const dest = ipv4TextBytes(m[1]!, 'options.classlessStaticRoutes');
  return [
    width,
    ...dest.slice(0, (width + 7) >>> 3),
    ...ipv4TextBytes(r.router, 'options.classlessStaticRoutes'),
  ];
}

function bodyBytes(o: KnownOption): number[] {
  const field = `options.${o.kind}`;
  const int = (v: number, bytes: number) => {
    const max = bytes === 4 ? 0xffffffff : (1 << (8 * bytes)) - 1;
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeFieldError(LAYER, field, v, 0, max);
    const out: number[] = [];
    for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    return out;
  };
  switch (o.kind) {
    case 'subnetMask':
    case 'broadcastAddress':
    case 'requestedIp':
    case 'serverId':
      return [...ipv4TextBytes(o.value, field)];
    case 'router':
    case 'dnsServers':
      return ipListBytes(o.value, field);
    case 'hostname':
    case 'domainName':
      return latin1Bytes(o.value, field);
    case 'mtu':
      return int(o.value, 2);
    case 'leaseTime':
    case 'renewalTime':
    case 'rebindingTime':
      return int(o.value, 4);
    case 'overload':
    case 'messageType':
      return int(o.value, 1);
    case 'parameterRequestList':
      return o.value.flatMap((c) => int(c, 1));
    case 'clientId':
      return [...int(o.value.type, 1), ...o.value.id];
    case 'classlessStaticRoutes':
      return o.value.flatMap(routeBytes);
  }
}

/** Bytes of an option list (and a trailer after End). Option data above 255 bytes is a RangeFieldError. */
export function encodeDhcpOptions(options: readonly DhcpOption[], trailer?: Uint8Array): Uint8Array {
  const sb = new SmartBuffer();
  for (const o of options) {
    if (o.kind === 'pad') sb.writeUInt8(0);
    else if (o.kind === 'end') sb.writeUInt8(255);
    else {
      const code = o.kind === 'unknown' ? o.code : DhcpOptionCode[o.kind];
      const body = o.kind === 'unknown' ? o.data : bodyBytes(o);
      if (
        o.kind === 'unknown' &&
        (!Number.isInteger(code) || code < 1 || code > 254 || KIND_BY_CODE.has(code))
      ) {
        throw new RangeFieldError(LAYER, 'options.unknown.code', code, 1, 254);
      }
      if (body.length > 255)
        throw new RangeFieldError(LAYER, `options.${o.kind}.length`, body.length, 0, 255);
      sb.writeUInt8(code);
      sb.writeUInt8(body.length);
      for (const b of body) sb.writeUInt8(b);
    }
  }
  if (trailer) for (const b of trailer) sb.writeUInt8(b);
  const b = sb.toBuffer();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
