// IPv4 and IPv6 unicast (and multicast) NLRI, RFC 4271 section 4.3 and RFC 4760 section 5, with the
// add-path path identifier of RFC 7911 section 3 when the session negotiated it:
//
//   +--------------------------------+
//   | Path Identifier (4 octets)     |   only with add-path
//   +--------------------------------+
//   | Length (1 octet, in bits)      |
//   +--------------------------------+
//   | Prefix (ceil(Length/8) octets) |
//   +--------------------------------+
//
// Bits past Length in the last octet are kept as given (decode does not mask them), so encode(decode(x))
// equals x for every input.

import { formatPrefix, readPrefixText } from './address.js';
import {
  checkUint,
  encodeFail,
  malformed,
  type NlriContext,
  readPathId,
  truncated,
  writePathId,
} from './common.js';

/** An IPv4 or IPv6 prefix such as `10.0.0.0/24` or `2001:db8::/32`. */
export interface PrefixNlri {
  type: 'prefix';
  prefix: string;
  /** RFC 7911 path identifier, present when add-path is in use. */
  pathId?: number;
}

/** Decodes prefixes in [offset, end) into `out`. */
export function decodePrefixes(
  ctx: NlriContext,
  ipv6: boolean,
  buf: Uint8Array,
  offset: number,
  end: number,
  out: PrefixNlri[],
): void {
  const max = ipv6 ? 128 : 32;
  let o = offset;
  while (o < end) {
    let pathId = 0;
    if (ctx.addPath) {
      pathId = readPathId(ctx, buf, o, end);
      o += 4;
    }
    if (o >= end) truncated(ctx, 'length', o, 1, end);
    const len = buf[o]!;
    if (len > max) malformed(ctx, 'length', o, `prefix length ${len} exceeds ${max}`);
    const n = (len + 7) >> 3;
    if (o + 1 + n > end) truncated(ctx, 'prefix', o + 1, n, end);
    const prefix = formatPrefix(ipv6, buf, o + 1, len);
    out.push(ctx.addPath ? { type: 'prefix', prefix, pathId } : { type: 'prefix', prefix });
    o += 1 + n;
  }
}

const addr = new Uint8Array(16);

/** Bytes one prefix NLRI takes. */
export function prefixLength(ctx: NlriContext, ipv6: boolean, n: PrefixNlri): number {
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  return (ctx.addPath ? 4 : 0) + 1 + ((len + 7) >> 3);
}

/** Writes one prefix NLRI at `o`; returns the offset after it. */
export function writePrefix(
  ctx: NlriContext,
  ipv6: boolean,
  n: PrefixNlri,
  buf: Uint8Array,
  o: number,
): number {
  if (ctx.addPath) {
    writePathId(ctx, n.pathId, buf, o);
    o += 4;
  }
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  checkUint(ctx, 'length', len, ipv6 ? 128 : 32);
  buf[o] = len;
  const nb = (len + 7) >> 3;
  for (let i = 0; i < nb; i++) buf[o + 1 + i] = addr[i]!;
  return o + 1 + nb;
}
