// Labeled unicast NLRI (SAFI 4), RFC 8277 section 2, for IPv4 and IPv6, with add-path (RFC 7911):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |    Length     |                 Label                 |Rsrv |S|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~       (more label entries until S = 1, RFC 8277 2.2)          ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          Prefix ...                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts the bits of the labels and the prefix. In a withdrawal (RFC 8277 2.4) the label field is
// one 3-octet entry, 0x800000 (the RFC 3107 compatibility value) or 0x000000, whose S bit is not set:
// such a first entry (whatever its TC bits) ends the label stack and is kept in `withdrawLabel`. The Rsrv (TC) bits are not
// kept (RFC 8277 2.2: set to zero, ignored on receipt). So a stack of several labels whose top label is 0
// or 524288 cannot be told from a withdrawal; the encoder refuses it.

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

export interface LabeledNlri {
  type: 'labeled';
  /** The label stack, top first, as 20-bit label values; empty in a withdrawal that carries `withdrawLabel`. */
  labels: number[];
  prefix: string;
  pathId?: number;
  /** The 24-bit withdrawal label field (0x800000 or 0) when the NLRI carried one instead of a stack. */
  withdrawLabel?: number;
}

/**
 * Reads a label stack at `o` within `bits` bits of NLRI length. Writes the labels to `labels` and returns
 * the number of 3-octet entries read, or -1 for a withdrawal value (0x800000 / 0x000000) as first entry.
 */
export function readLabelStack(
  ctx: NlriContext,
  buf: Uint8Array,
  o: number,
  end: number,
  bits: number,
  labels: number[],
): number {
  let count = 0;
  for (;;) {
    if (bits < 24 * (count + 1)) malformed(ctx, 'labels', o, 'label stack without bottom-of-stack bit');
    if (o + 3 > end) truncated(ctx, 'labels', o, 3, end);
    const raw = (buf[o]! << 16) | (buf[o + 1]! << 8) | buf[o + 2]!;
    // The withdrawal value: label 0x80000 (RFC 8277 2.4 / RFC 3107) or 0, without the S bit; the TC bits
    // are ignored here as everywhere, so any such first entry is a withdrawal.
    if (count === 0 && (raw & 1) === 0 && (raw >>> 4 === 0x80000 || raw >>> 4 === 0)) return -1;
    labels.push(raw >>> 4);
    count++;
    o += 3;
    if ((raw & 1) === 1) return count;
  }
}

/** Writes the label stack (S bit on the last) or the withdrawal value at `o`; returns the new offset. */
export function writeLabelStack(
  ctx: NlriContext,
  labels: readonly number[],
  withdrawLabel: number | undefined,
  buf: Uint8Array,
  o: number,
): number {
  if (withdrawLabel !== undefined) {
    if (withdrawLabel !== 0x800000 && withdrawLabel !== 0)
      encodeFail(ctx, 'withdrawLabel', 'must be 0x800000 or 0');
    if (labels.length > 0) encodeFail(ctx, 'labels', 'a withdrawal label replaces the label stack');
    buf[o] = withdrawLabel >>> 16;
    buf[o + 1] = 0;
    buf[o + 2] = 0;
    return o + 3;
  }
  if (labels.length === 0) encodeFail(ctx, 'labels', 'needs at least one label');
  if (labels.length > 1 && (labels[0] === 0 || labels[0] === 0x80000)) {
    // 0x000000 and 0x800000 as the first entry are read as the RFC 8277 2.4 withdrawal value.
    encodeFail(ctx, 'labels', `a top label ${labels[0]} above others reads as the withdrawal value`);
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    checkUint(ctx, 'labels', l, 0xfffff);
    const raw = l * 16 + (i === labels.length - 1 ? 1 : 0);
    buf[o] = raw >>> 16;
    buf[o + 1] = (raw >>> 8) & 0xff;
    buf[o + 2] = raw & 0xff;
    o += 3;
  }
  return o;
}

/** Decodes labeled unicast NLRI in [offset, end) into `out`. */
export function decodeLabeled(
  ctx: NlriContext,
  ipv6: boolean,
  buf: Uint8Array,
  offset: number,
  end: number,
  out: LabeledNlri[],
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
    const p = o + 1 + 3 * entries;
    const plen = bits - 24 * entries;
    if (plen > max) malformed(ctx, 'length', o, `prefix length ${plen} exceeds ${max}`);
    const n = (plen + 7) >> 3;
    if (p + n > end) truncated(ctx, 'prefix', p, n, end);
    const r: LabeledNlri = { type: 'labeled', labels, prefix: formatPrefix(ipv6, buf, p, plen) };
    if (ctx.addPath) r.pathId = pathId;
    if (count < 0) r.withdrawLabel = buf[o + 1]! & 0x80 ? 0x800000 : 0;
    out.push(r);
    o = p + n;
  }
}

const addr = new Uint8Array(16);

function labelEntries(n: { labels: readonly number[]; withdrawLabel?: number }): number {
  return n.withdrawLabel !== undefined ? 1 : n.labels.length;
}

/** Bytes one labeled NLRI takes. */
export function labeledLength(ctx: NlriContext, ipv6: boolean, n: LabeledNlri): number {
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  return (ctx.addPath ? 4 : 0) + 1 + 3 * labelEntries(n) + ((len + 7) >> 3);
}

/** Writes one labeled NLRI at `o`; returns the offset after it. */
export function writeLabeled(
  ctx: NlriContext,
  ipv6: boolean,
  n: LabeledNlri,
  buf: Uint8Array,
  o: number,
): number {
  if (ctx.addPath) {
    writePathId(ctx, n.pathId, buf, o);
    o += 4;
  }
  const len = readPrefixText(n.prefix, ipv6, addr);
  if (len < 0) encodeFail(ctx, 'prefix', `not an ${ipv6 ? 'IPv6' : 'IPv4'} prefix: ${n.prefix}`);
  const bits = 24 * labelEntries(n) + len;
  if (bits > 255) encodeFail(ctx, 'length', `${bits} bits do not fit the length octet`);
  buf[o] = bits;
  o = writeLabelStack(ctx, n.labels, n.withdrawLabel, buf, o + 1);
  const nb = (len + 7) >> 3;
  for (let i = 0; i < nb; i++) buf[o + i] = addr[i]!;
  return o + nb;
}
