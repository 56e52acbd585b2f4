// IPv6 Address Specific Extended Community attribute (type code 25), RFC 5701 section 2: a list of
// 20-octet communities whose global administrator is an IPv6 address.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | 0x00 or 0x40  |    Sub-Type   |    Global Administrator       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Global Administrator (cont.)                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Global Administrator (cont.)                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Global Administrator (cont.)                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Global Administrator (cont.)  |    Local Administrator        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Type 0x00 is transitive, 0x40 non-transitive. Sub-types read here: 0x02 route target, 0x03 route
// origin (RFC 5701), 0x0b VRF route import (RFC 6515 2). Others stay as their 20 raw octets.
import { EncodeError, MalformedError, TruncatedError } from '../errors.js';
import { formatIpv6, writeIpv6 } from '../nlri/address.js';
import { formatHexBytes, TextFormatError } from '../text.js';

export type Ipv6ExtendedCommunity =
  | {
      kind: 'route-target' | 'route-origin' | 'vrf-route-import';
      /** Type 0x00 when true, 0x40 when false. */
      transitive: boolean;
      ip: string;
      local: number;
    }
  | { kind: 'raw'; bytes: Uint8Array };

const LAYER = 'attribute:IPV6_EXTENDED_COMMUNITIES';
const subtypes = { 'route-target': 0x02, 'route-origin': 0x03, 'vrf-route-import': 0x0b } as const;

/** Decodes `length` bytes at `offset`; a length that is not a multiple of 20 is malformed (RFC 7606 7.15). */
export function decodeIpv6ExtendedCommunities(
  buf: Uint8Array,
  offset: number,
  length: number,
): Ipv6ExtendedCommunity[] {
  if (offset < 0 || length < 0 || offset + length > buf.length) {
    throw new TruncatedError(LAYER, 'length', offset, `needs ${length} bytes`, {
      action: 'treat-as-withdraw',
    });
  }
  if (length % 20 !== 0) {
    throw new MalformedError(LAYER, 'length', offset, `length ${length} is not a multiple of 20`, {
      action: 'treat-as-withdraw',
    });
  }
  const out: Ipv6ExtendedCommunity[] = [];
  for (let o = offset; o < offset + length; o += 20) {
    const type = buf[o]!;
    const sub = buf[o + 1]!;
    const kind =
      sub === 0x02
        ? 'route-target'
        : sub === 0x03
          ? 'route-origin'
          : sub === 0x0b
            ? 'vrf-route-import'
            : undefined;
    if ((type === 0x00 || type === 0x40) && kind !== undefined) {
      out.push({
        kind,
        transitive: type === 0x00,
        ip: formatIpv6(buf, o + 2, 16),
        local: (buf[o + 18]! << 8) | buf[o + 19]!,
      });
    } else out.push({ kind: 'raw', bytes: buf.slice(o, o + 20) });
  }
  return out;
}

/** The attribute value: 20 bytes per community. Throws EncodeError for values that do not fit. */
export function encodeIpv6ExtendedCommunities(list: readonly Ipv6ExtendedCommunity[]): Uint8Array {
  const b = new Uint8Array(list.length * 20);
  list.forEach((c, i) => {
    const o = i * 20;
    if (c.kind === 'raw') {
      if (!(c.bytes instanceof Uint8Array) || c.bytes.length !== 20) {
        throw new EncodeError(LAYER, 'bytes', -1, 'a raw IPv6 extended community needs 20 bytes');
      }
      b.set(c.bytes, o);
      return;
    }
    b[o] = c.transitive ? 0x00 : 0x40;
    b[o + 1] = subtypes[c.kind];
    if (!writeIpv6(c.ip, b, o + 2)) throw new EncodeError(LAYER, 'ip', -1, `not an IPv6 address: ${c.ip}`);
    if (!Number.isInteger(c.local) || c.local < 0 || c.local > 0xffff) {
      throw new EncodeError(LAYER, 'local', -1, `${String(c.local)} is outside 0..65535`);
    }
    b[o + 18] = c.local >>> 8;
    b[o + 19] = c.local & 0xff;
  });
  return b;
}

const heads: Record<string, 'route-target' | 'route-origin' | 'vrf-route-import'> = {
  target: 'route-target',
  origin: 'route-origin',
  'rt-import': 'vrf-route-import',
};

/**
 * `target:2001:db8::1:100` (gobgp's form; the last colon separates the local administrator),
 * `origin:...`, `rt-import:...`, with `-nt` after the head for the non-transitive type
 * (`target-nt:...`), and `raw:<40 hex digits>`.
 */
export function formatIpv6ExtendedCommunity(c: Ipv6ExtendedCommunity): string {
  if (c.kind === 'raw') return `raw:${formatHexBytes(c.bytes, 0, c.bytes.length, '')}`;
  const head = c.kind === 'route-target' ? 'target' : c.kind === 'route-origin' ? 'origin' : 'rt-import';
  return `${head}${c.transitive ? '' : '-nt'}:${c.ip}:${c.local}`;
}

/** Reads what `formatIpv6ExtendedCommunity` writes; also `target:[2001:db8::1]:100`. */
export function parseIpv6ExtendedCommunity(text: string): Ipv6ExtendedCommunity {
  const bad = (): never => {
    throw new TextFormatError('ipv6-extended-community', text, 'an IPv6 extended community');
  };
  const i = text.indexOf(':');
  if (i < 0) bad();
  let head = text.slice(0, i);
  const rest = text.slice(i + 1);
  if (head === 'raw') {
    if (!/^[0-9a-fA-F]{40}$/.test(rest)) bad();
    const bytes = new Uint8Array(20);
    for (let k = 0; k < 20; k++) bytes[k] = Number.parseInt(rest.slice(2 * k, 2 * k + 2), 16);
    return { kind: 'raw', bytes };
  }
  const transitive = !head.endsWith('-nt');
  if (!transitive) head = head.slice(0, -3);
  const kind = heads[head];
  if (kind === undefined) return bad();
  const j = rest.lastIndexOf(':');
  if (j < 0) bad();
  let ipText = rest.slice(0, j);
  if (ipText.startsWith('[') && ipText.endsWith(']')) ipText = ipText.slice(1, -1);
  const localText = rest.slice(j + 1);
  const b = new Uint8Array(16);
  if (!writeIpv6(ipText, b, 0) || !/^\d{1,5}$/.test(localText) || Number(localText) > 0xffff) bad();
  return { kind, transitive, ip: formatIpv6(b, 0, 16), local: Number(localText) };
}
