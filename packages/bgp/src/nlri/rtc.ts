// Route Target membership NLRI (AFI 1, SAFI 132), RFC 4684 section 4, with add-path (RFC 7911):
//
//   +-------------------------------+
//   | Length (1 octet, in bits)     |   0, or 32..96
//   +-------------------------------+
//   | Origin AS (4 octets)          |
//   +-------------------------------+
//   | Route Target (8 octets)       |   a prefix of the extended community
//   +-------------------------------+
//
// Length 0 is the default route-target membership ("send me everything", RFC 4684 4) and has no
// origin AS or route target. Lengths 33..95 carry a route-target prefix: ceil((Length-32)/8) octets of the
// community, read here as the community zero-padded to 8 octets. Lengths 1..31 and above 96 are malformed.
import {
  type ExtendedCommunity,
  readExtendedCommunity,
  writeExtendedCommunity,
} from '../attributes/extended-community.js';
import {
  checkUint,
  encodeFail,
  malformed,
  type NlriContext,
  readPathId,
  truncated,
  writePathId,
} from './common.js';

export interface RtcNlri {
  type: 'rtc';
  /** 0 (default membership) or 32..96. */
  prefixLength: number;
  /** Present when prefixLength >= 32. */
  originAs?: number;
  /** Present when prefixLength > 32: the route target, zero-padded past prefixLength. */
  routeTarget?: ExtendedCommunity;
  pathId?: number;
}

const pad = new Uint8Array(8);

/** Decodes RT membership NLRI in [offset, end) into `out`. */
export function decodeRtc(
  ctx: NlriContext,
  buf: Uint8Array,
  offset: number,
  end: number,
  out: RtcNlri[],
): void {
  let o = offset;
  while (o < end) {
    let pathId = 0;
    if (ctx.addPath) {
      pathId = readPathId(ctx, buf, o, end);
      o += 4;
    }
    if (o >= end) truncated(ctx, 'length', o, 1, end);
    const len = buf[o]!;
    if ((len > 0 && len < 32) || len > 96)
      malformed(ctx, 'length', o, `prefix length ${len} is not 0 or 32..96`);
    const n = (len + 7) >> 3;
    if (o + 1 + n > end) truncated(ctx, 'prefix', o + 1, n, end);
    const r: RtcNlri = { type: 'rtc', prefixLength: len };
    if (len >= 32) {
      const p = o + 1;
      r.originAs = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      if (len > 32) {
        pad.fill(0);
        for (let i = 0; i < n - 4; i++) pad[i] = buf[p + 4 + i]!;
        r.routeTarget = readExtendedCommunity(pad, 0);
      }
    }
    if (ctx.addPath) r.pathId = pathId;
    out.push(r);
    o += 1 + n;
  }
}

/** Bytes one RTC NLRI takes. */
export function rtcLength(ctx: NlriContext, n: RtcNlri): number {
  return (ctx.addPath ? 4 : 0) + 1 + ((n.prefixLength + 7) >> 3);
}

/** Writes one RTC NLRI at `o`; returns the offset after it. */
export function writeRtc(ctx: NlriContext, n: RtcNlri, buf: Uint8Array, o: number): number {
  if (ctx.addPath) {
    writePathId(ctx, n.pathId, buf, o);
    o += 4;
  }
  const len = n.prefixLength;
  if (!Number.isInteger(len) || (len > 0 && len < 32) || len > 96 || len < 0) {
    encodeFail(ctx, 'prefixLength', `${String(len)} is not 0 or 32..96`);
  }
  buf[o++] = len;
  if (len === 0) return o;
  const as = n.originAs ?? encodeFail(ctx, 'originAs', 'needed when prefixLength >= 32');
  checkUint(ctx, 'originAs', as, 0xffffffff);
  buf[o] = as >>> 24;
  buf[o + 1] = (as >>> 16) & 0xff;
  buf[o + 2] = (as >>> 8) & 0xff;
  buf[o + 3] = as & 0xff;
  o += 4;
  if (len === 32) return o;
  const rt = n.routeTarget ?? encodeFail(ctx, 'routeTarget', 'needed when prefixLength > 32');
  writeExtendedCommunity(rt, pad, 0);
  const nb = ((len + 7) >> 3) - 4;
  for (let i = 0; i < nb; i++) buf[o + i] = pad[i]!;
  return o + nb;
}
