// A zero-copy, allocation-free reader over the NLRI of one family: the hot-path form of decodeNlri.
// One reader is reused for any number of buffers; `next()` checks one NLRI exactly as decodeNlri does
// (same errors, fields and offsets) and leaves its fields as numbers and offsets into the buffer, so a
// caller walking a full table allocates nothing per route. `toNlri()` builds the value object of the
// current NLRI when one is wanted.
//
//   const r = new NlriReader();
//   r.reset({ afi: 25, safi: 70 }, buf, start, end, { addPath: false });
//   while (r.next()) if (r.routeType === 2) count(r.buf[r.macOffset + 5]);
//
// Field layouts are those of the per-family files (prefix.ts, labeled.ts, vpn.ts, rtc.ts, evpn/*.ts).
import { Afi, type Family, Safi } from '../afi-safi.js';
import { malformed, type NlriContext, nlriContext, readPathId, truncated } from './common.js';
import { decodeNlri, type Nlri } from './index.js';

type Kind = 0 | 1 | 2 | 3 | 4 | 5; // prefix, labeled, vpn, rtc, evpn, unknown

const EMPTY = new Uint8Array(0);

export class NlriReader {
  /** The buffer being read. */
  buf: Uint8Array = EMPTY;
  /** The current NLRI occupies [start, end) (its path identifier included). */
  start = 0;
  end = 0;
  /** RFC 7911 path identifier (0 without add-path). */
  pathId = 0;
  /** EVPN route type; 0 for other families. */
  routeType = 0;
  /** Offset and length of the EVPN route value (after type and length octets). */
  valueOffset = -1;
  valueLength = 0;
  /** Prefix: length in bits and offset of its ceil(length/8) octets (EVPN type 5: the full 4/16 octets). */
  prefixLength = 0;
  prefixOffset = -1;
  /**
   * Label fields: offset of the first 3-octet entry and how many (the stack of labeled/VPN NLRI, or
   * EVPN label1/label2 / the single label of types 1 and 5).
   */
  labelOffset = -1;
  labelCount = 0;
  /** Labeled/VPN: the label field is the RFC 8277 withdrawal value (0x800000 or 0). */
  withdrawal = false;
  /** Offsets of the RD, ESI, MAC, IP address (EVPN type 2 IP, type 3/4 originator) and gateway, or -1. */
  rdOffset = -1;
  esiOffset = -1;
  macOffset = -1;
  ipOffset = -1;
  /** Octets of the IP address at ipOffset (0, 4 or 16); for type 5 the prefix/gateway size. */
  ipLength = 0;
  gatewayOffset = -1;
  /** EVPN Ethernet tag (types 1, 2, 3, 5). */
  ethernetTag = 0;
  /** RTC: origin AS when prefixLength >= 32. */
  originAs = 0;

  private pos = 0;
  private limit = 0;
  private kind: Kind = 5;
  private ipv6 = false;
  private ctx: NlriContext = nlriContext({ afi: 0, safi: 0 }, false);
  private opts = { addPath: false };

  /** Starts reading `family` NLRI in [offset, end) of `buf`. Throws TruncatedError for a bad range. */
  reset(family: Family, buf: Uint8Array, offset: number, end: number, opts: { addPath: boolean }): this {
    this.ctx = nlriContext(family, opts.addPath);
    this.opts = opts.addPath ? ADD_PATH : NO_ADD_PATH;
    if (offset < 0 || end < offset) truncated(this.ctx, 'length', offset, 0, end);
    if (end > buf.length) truncated(this.ctx, 'length', offset, end - offset, buf.length);
    this.buf = buf;
    this.pos = offset;
    this.limit = end;
    this.ipv6 = family.afi === Afi.IPv6;
    this.kind = kindOf(family);
    return this;
  }

  /** The family being read. */
  get family(): Family {
    return this.ctx.family;
  }

  /** Reads the next NLRI; false when there are no more. Throws what decodeNlri throws. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    const ctx = this.ctx;
    const b = this.buf;
    const end = this.limit;
    let o = this.pos;
    this.start = o;
    this.clear();
    if (this.kind === 5) {
      this.valueOffset = o;
      this.valueLength = end - o;
      this.end = this.pos = end;
      return true;
    }
    if (ctx.addPath) {
      this.pathId = readPathId(ctx, b, o, end);
      o += 4;
    }
    switch (this.kind) {
      case 0: {
        if (o >= end) truncated(ctx, 'length', o, 1, end);
        const len = b[o]!;
        const max = this.ipv6 ? 128 : 32;
        if (len > max) malformed(ctx, 'length', o, `prefix length ${len} exceeds ${max}`);
        const n = (len + 7) >> 3;
        if (o + 1 + n > end) truncated(ctx, 'prefix', o + 1, n, end);
        this.prefixLength = len;
        this.prefixOffset = o + 1;
        o += 1 + n;
        break;
      }
      case 1:
      case 2:
        o = this.labeled(o, this.kind === 2);
        break;
      case 3: {
        if (o >= end) truncated(ctx, 'length', o, 1, end);
        const len = b[o]!;
        if ((len > 0 && len < 32) || len > 96)
          malformed(ctx, 'length', o, `prefix length ${len} is not 0 or 32..96`);
        const n = (len + 7) >> 3;
        if (o + 1 + n > end) truncated(ctx, 'prefix', o + 1, n, end);
        this.prefixLength = len;
        this.prefixOffset = o + 1;
        if (len >= 32) this.originAs = u32(b, o + 1);
        o += 1 + n;
        break;
      }
      default:
        o = this.evpn(o);
    }
    this.end = this.pos = o;
    return true;
  }

  /** The 20-bit label of label field `i` (raw >>> 4). */
  label(i: number): number {
    return this.labelRaw(i) >>> 4;
  }

  /** The raw 24 bits of label field `i`. */
  labelRaw(i: number): number {
    const o = this.labelOffset + 3 * i;
    const b = this.buf;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  }

  /** The value object of the current NLRI (allocates; what decodeNlri returns for it). */
  toNlri(): Nlri {
    return decodeNlri(this.ctx.family, this.buf, this.start, this.end, this.opts)[0]!;
  }

  private clear(): void {
    this.pathId = 0;
    this.routeType = 0;
    this.valueOffset = -1;
    this.valueLength = 0;
    this.prefixLength = 0;
    this.prefixOffset = -1;
    this.labelOffset = -1;
    this.labelCount = 0;
    this.withdrawal = false;
    this.rdOffset = -1;
    this.esiOffset = -1;
    this.macOffset = -1;
    this.ipOffset = -1;
    this.ipLength = 0;
    this.gatewayOffset = -1;
    this.ethernetTag = 0;
    this.originAs = 0;
  }

  /** Labeled unicast (RFC 8277 2) and VPN (RFC 4364 4.3.4) NLRI at `o`; returns the offset after it. */
  private labeled(o: number, vpn: boolean): number {
    const ctx = this.ctx;
    const b = this.buf;
    const end = this.limit;
    if (o >= end) truncated(ctx, 'length', o, 1, end);
    const bits = b[o]!;
    let p = o + 1;
    let count = 0;
    for (;;) {
      if (bits < 24 * (count + 1)) malformed(ctx, 'labels', p, 'label stack without bottom-of-stack bit');
      if (p + 3 > end) truncated(ctx, 'labels', p, 3, end);
      const raw = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
      if (count === 0 && (raw & 1) === 0 && (raw >>> 4 === 0x80000 || raw >>> 4 === 0)) {
        this.withdrawal = true;
        count = 1;
        p += 3;
        break;
      }
      count++;
      p += 3;
      if ((raw & 1) === 1) break;
    }
    this.labelOffset = o + 1;
    this.labelCount = this.withdrawal ? 0 : count;
    const max = this.ipv6 ? 128 : 32;
    const plen = bits - 24 * count - (vpn ? 64 : 0);
    if (vpn && plen < 0)
      malformed(ctx, 'length', o, `length ${bits} leaves no room for the route distinguisher`);
    if (plen > max) malformed(ctx, 'length', o, `prefix length ${plen} exceeds ${max}`);
    const n = (plen + 7) >> 3;
    const rd = vpn ? 8 : 0;
    if (p + rd + n > end) truncated(ctx, 'prefix', p, rd + n, end);
    if (vpn) this.rdOffset = p;
    this.prefixLength = plen;
    this.prefixOffset = p + rd;
    return p + rd + n;
  }

  /** One EVPN NLRI (RFC 7432 7, RFC 9136 3.1) at `o`; returns the offset after it. */
  private evpn(o: number): number {
    const ctx = this.ctx;
    const b = this.buf;
    const end = this.limit;
    if (o + 2 > end) truncated(ctx, 'routeType', o, 2, end);
    const rt = b[o]!;
    const len = b[o + 1]!;
    const v = o + 2;
    if (v + len > end) truncated(ctx, 'length', o + 1, len, end);
    this.routeType = rt;
    this.valueOffset = v;
    this.valueLength = len;
    switch (rt) {
      case 1:
        if (len !== 25) malformed(ctx, 'length', v - 1, `Ethernet A-D route length ${len} is not 25`);
        this.rdOffset = v;
        this.esiOffset = v + 8;
        this.ethernetTag = u32(b, v + 18);
        this.labelOffset = v + 22;
        this.labelCount = 1;
        break;
      case 2: {
        if (len < 33) malformed(ctx, 'length', v - 1, `MAC/IP route length ${len} is below 33`);
        if (b[v + 22] !== 48)
          malformed(ctx, 'macLength', v + 22, `MAC address length ${b[v + 22]} is not 48`);
        const ipBits = b[v + 29]!;
        if (ipBits !== 0 && ipBits !== 32 && ipBits !== 128)
          malformed(ctx, 'ipLength', v + 29, `IP address length ${ipBits}`);
        const ipLen = ipBits >> 3;
        const rest = len - 30 - ipLen;
        if (rest !== 3 && rest !== 6)
          malformed(ctx, 'length', v - 1, `MAC/IP route length ${len} does not fit its fields`);
        this.rdOffset = v;
        this.esiOffset = v + 8;
        this.ethernetTag = u32(b, v + 18);
        this.macOffset = v + 23;
        this.ipOffset = ipLen > 0 ? v + 30 : -1;
        this.ipLength = ipLen;
        this.labelOffset = v + 30 + ipLen;
        this.labelCount = rest / 3;
        break;
      }
      case 3: {
        if (len < 13) malformed(ctx, 'length', v - 1, `inclusive multicast route length ${len} is below 13`);
        const bits = b[v + 12]!;
        if ((bits !== 32 && bits !== 128) || len !== 13 + (bits >> 3)) {
          malformed(ctx, 'ipLength', v + 12, `IP address length ${bits} with route length ${len}`);
        }
        this.rdOffset = v;
        this.ethernetTag = u32(b, v + 8);
        this.ipOffset = v + 13;
        this.ipLength = bits >> 3;
        break;
      }
      case 4: {
        if (len < 19) malformed(ctx, 'length', v - 1, `Ethernet segment route length ${len} is below 19`);
        const bits = b[v + 18]!;
        if ((bits !== 32 && bits !== 128) || len !== 19 + (bits >> 3)) {
          malformed(ctx, 'ipLength', v + 18, `IP address length ${bits} with route length ${len}`);
        }
        this.rdOffset = v;
        this.esiOffset = v + 8;
        this.ipOffset = v + 19;
        this.ipLength = bits >> 3;
        break;
      }
      case 5: {
        if (len !== 34 && len !== 58)
          malformed(ctx, 'length', v - 1, `IP prefix route length ${len} is not 34 or 58`);
        const a = len === 58 ? 16 : 4;
        const plen = b[v + 22]!;
        if (plen > a * 8) malformed(ctx, 'prefixLength', v + 22, `prefix length ${plen}`);
        this.rdOffset = v;
        this.esiOffset = v + 8;
        this.ethernetTag = u32(b, v + 18);
        this.prefixLength = plen;
        this.prefixOffset = v + 23;
        this.ipLength = a;
        this.gatewayOffset = v + 23 + a;
        this.labelOffset = v + 23 + 2 * a;
        this.labelCount = 1;
        break;
      }
    }
    return v + len;
  }
}

const ADD_PATH = { addPath: true };
const NO_ADD_PATH = { addPath: false };

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function kindOf(f: Family): Kind {
  if (f.afi === Afi.IPv4 || f.afi === Afi.IPv6) {
    if (f.safi === Safi.Unicast || f.safi === Safi.Multicast) return 0;
    if (f.safi === Safi.Labeled) return 1;
    if (f.safi === Safi.MplsVpn) return 2;
    if (f.safi === Safi.RouteTargetConstraint && f.afi === Afi.IPv4) return 3;
  }
  if (f.afi === Afi.L2VPN && f.safi === Safi.Evpn) return 4;
  return 5;
}
