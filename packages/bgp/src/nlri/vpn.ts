// VPN-IPv4 and VPN-IPv6 NLRI (SAFI 128), RFC 4364 section 4.3.4 and RFC 4659 section 3.2, with the label
// stack of RFC 8277 section 2 and add-path (RFC 7911):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |    Length     |                 Label                 |Rsrv |S|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                Route Distinguisher (8 octets) ...             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                              ...                              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  IPv4 or IPv6 prefix ...                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts the bits of labels, RD and prefix. Withdrawals carry 0x800000 (or 0) as the label field,
// kept in `withdrawLabel` (RFC 8277 2.4).
import { type RouteDistinguisher, readRd, writeRd } from '../rd.js';
import { formatPrefix, readPrefixText } from './address.js';
import { encodeFail, malformed, type NlriContext, readPathId, truncated, writePathId } from './common.js';
import { readLabelStack, writeLabelStack } from './labeled.js';

export interface VpnNlri {
  type: 'vpn';
  /** Label stack as 20-bit values, top first; empty when `withdrawLabel` is set. */
  labels: number[];
  rd: RouteDistinguisher;
  prefix: string;
  pathId?: number;
  withdrawLabel?: number;
}

/** Decodes VPNv4/VPNv6 NLRI in [offset, end) into `out`. */
export function decodeVpn(
  ctx: NlriContext,
  ipv6: boolean,
  buf: Uint8Array,
  offset: number,
  end: number,
  out: VpnNlri[],
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
    const bits = buf[o]!;
    const labels: number[] = [];
    const count = readLabelStack(ctx, buf, o + 1, end, bits, labels);
    const entries = count < 0 ? 1 : count;
    const r = o + 1 + 3 * entries;
    const plen = bits - 24 * entries - 64;
    if (plen < 0) malformed(ctx, 'length', o, `length ${bits} leaves no room for the route distinguisher`);
    if (plen > max) malformed(ctx, 'length', o, `prefix length ${plen} exceeds ${max}`);
    const n = (plen + 7) >> 3;
    if (r + 8 + n > end) truncated(ctx, 'prefix', r, 8 + n, end);
    const v: VpnNlri = {
      type: 'vpn',
      labels,
      rd: readRd(buf, r),
      prefix: formatPrefix(ipv6, buf, r + 8, plen),
    };
    if (ctx.addPath) v.pathId = pathId;
    if (count < 0) v.withdrawLabel = buf[o + 1]! & 0x80 ? 0x800000 : 0;
    out.push(v);
    o = r + 8 + n;
  }
}

const addr = new Uint8Array(16);

/** Bytes one VPN NLRI takes. */
export function vpnLength(ctx: NlriContext, ipv6: boolean, n: VpnNlri): number {
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  const entries = n.withdrawLabel !== undefined ? 1 : n.labels.length;
  return (ctx.addPath ? 4 : 0) + 1 + 3 * entries + 8 + ((len + 7) >> 3);
}

/** Writes one VPN NLRI at `o`; returns the offset after it. */
export function writeVpn(ctx: NlriContext, ipv6: boolean, n: VpnNlri, buf: Uint8Array, o: number): number {
  if (ctx.addPath) {
    writePathId(ctx, n.pathId, buf, o);
    o += 4;
  }
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  const entries = n.withdrawLabel !== undefined ? 1 : n.labels.length;
  const bits = 24 * entries + 64 + len;
  if (bits > 255) encodeFail(ctx, 'length', `${bits} bits do not fit the length octet`);
  buf[o] = bits;
  o = writeLabelStack(ctx, n.labels, n.withdrawLabel, buf, o + 1);
  writeRd(n.rd, buf, o);
  o += 8;
  const nb = (len + 7) >> 3;
  for (let i = 0; i < nb; i++) buf[o + i] = addr[i]!;
  return o + nb;
}
