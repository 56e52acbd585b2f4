// RFC 4271 3.2 / 9.2: the Adj-RIB-Out of one peer, per AFI/SAFI, with update packing. Changes are queued
// per destination (a later change to the same destination replaces an earlier one, so a slow peer costs
// at most one pending entry per route, never a growing message queue) and written when the socket takes
// them: routes that share an exported attribute set go into as few UPDATEs as the message size allows
// (RFC 4271 9.2.1.1), the attributes encoded once per set. IPv4 unicast with an IPv4 next hop uses the
// UPDATE's own NLRI and Withdrawn Routes fields; every other family MP_REACH_NLRI / MP_UNREACH_NLRI
// (RFC 4760). End-of-RIB (RFC 4724 2) follows the initial table of each family.
//
//  UPDATE = header(19) | withdrawn len(2) | withdrawn | attr len(2) | attrs (shared) | NLRI (packed)
import { type Family, Safi } from '../../afi-safi.js';
import { AttrFlag } from '../../attribute-codes.js';
import { writeAttribute } from '../../attributes/index.js';
import type { MpNextHop } from '../../attributes/mp-reach-nlri.js';
import { mpNextHopBytes } from '../../attributes/mp-reach-nlri.js';
import { hasAddPath, maxMessageLength, type SessionContext } from '../../context.js';
import { HEADER_LENGTH } from '../../header.js';
import { MessageType } from '../../message-types.js';
import { encodeNlriInto, type Nlri } from '../../nlri/index.js';
import { encodeUpdate, endOfRib } from '../../update.js';
import { Writer } from '../../wire.js';
import { IPV4_UNICAST_KEY, type Path, type PathAttrs, pathNlri, type RouteKey } from './path.js';
import { PrefixMap } from './prefix-map.js';

/** The attributes to send a path with, or undefined to not send it (policy, split horizon, RTC...). */
export type ExportFn = (p: Path, family: number) => PathAttrs | undefined;

interface Feed {
  it: Iterator<Path>;
  done: boolean;
  remaining: number;
}

export interface AdjRibOutOptions {
  ctx: SessionContext;
  exportPath: ExportFn;
  /** Entries examined per flush slice before yielding (default 4096). */
  batch?: number;
}

const SCRATCH = new Uint8Array(4096);
/** NEXT_HOP attribute: flags, code, length, IPv4 address. */
const NEXT_HOP_ATTR = 7;
/**
 * Room for one NLRI when checking that a route fits a message: more than the longest the codec writes
 * (EVPN MAC/IP with an IPv6 address and two labels, 55 bytes, plus a 4-byte path identifier).
 */
const MAX_NLRI = 64;
const isIpv4Text = (s: string) => s.length > 0 && !s.includes(':');

/** A table keyed by route key: a PrefixMap for IPv4 unicast (full tables), a Map otherwise. */
function routeTable<V>(family: number): Map<RouteKey, V> {
  return family === IPV4_UNICAST_KEY ? new PrefixMap<V>() : new Map<RouteKey, V>();
}

function familyOf(k: number): Family {
  return { afi: k >>> 8, safi: k & 0xff };
}

function header(buf: Uint8Array, len: number, type: number): void {
  buf.fill(0xff, 0, 16);
  buf[16] = len >>> 8;
  buf[17] = len & 0xff;
  buf[18] = type;
}

function writeIpv4KeyPrefix(key: number, buf: Uint8Array, o: number, pathId = -1): number {
  if (pathId >= 0) {
    buf[o++] = pathId >>> 24;
    buf[o++] = (pathId >>> 16) & 0xff;
    buf[o++] = (pathId >>> 8) & 0xff;
    buf[o++] = pathId & 0xff;
  }
  const len = key % 64;
  const a = (key - len) / 64;
  buf[o++] = len;
  const nb = (len + 7) >>> 3;
  if (nb > 0) buf[o++] = a >>> 24;
  if (nb > 1) buf[o++] = (a >>> 16) & 0xff;
  if (nb > 2) buf[o++] = (a >>> 8) & 0xff;
  if (nb > 3) buf[o++] = a & 0xff;
  return o;
}

function mpNextHop(family: number, a: PathAttrs): MpNextHop {
  const safi = family & 0xff;
  const addr = a.nextHop === '' ? '0.0.0.0' : a.nextHop;
  const base = a.linkLocal ? { address: addr, linkLocal: a.linkLocal } : { address: addr };
  return safi === Safi.MplsVpn ? { kind: 'vpn', ...base } : { kind: 'ip', ...base };
}

export class AdjRibOut {
  /** What the peer was sent, by route key: the path advertised. */
  private readonly sent = new Map<number, Map<RouteKey, Path>>();
  private readonly pending = new Map<number, Map<RouteKey, Path | null>>();
  /** Tables being walked (see startFeed). */
  private readonly feeds = new Map<number, Feed>();
  /** Add-path families: the candidates last queued per destination. */
  private readonly sentSets = new Map<number, Map<RouteKey, Path[]>>();
  private pendingCount = 0;
  /** Families whose End-of-RIB (or End-of-Route-Refresh) is due once their pending changes are written. */
  private readonly eorDue = new Set<number>();
  private readonly eorrDue = new Set<number>();
  /** Families not advertised yet (RTC waiting for the peer's End-of-RIB, deferred selection). */
  readonly held = new Set<number>();
  private readonly ctx: SessionContext;
  private readonly maxLen: number;
  private readonly batch: number;
  messagesSent = 0;
  routesSent = 0;
  /** Routes not sent because one UPDATE of the peer's maximum size cannot hold them (RFC 8654 4). */
  routesTooBig = 0;
  /** Per exported attribute set (shared by many routes): whether one route with it fits a message. */
  private readonly fitCache = new WeakMap<PathAttrs, boolean>();
  /** The set that fitted last time: consecutive routes mostly share one, so most checks are one compare. */
  private lastFitting: PathAttrs | undefined;

  constructor(private readonly opts: AdjRibOutOptions) {
    this.ctx = opts.ctx;
    this.maxLen = maxMessageLength(opts.ctx);
    this.batch = opts.batch ?? 4096;
  }

  /** Changes (and routes of tables being walked) waiting to be written. */
  get backlog(): number {
    let n = this.pendingCount;
    for (const f of this.feeds.values()) n += Math.max(0, f.remaining);
    return n;
  }

  /** Number of routes the peer holds from us in a family. */
  advertised(family: number): number {
    return this.sent.get(family)?.size ?? 0;
  }

  /** Whether the peer holds a route from us for this destination. */
  hasSent(family: number, key: RouteKey): boolean {
    return this.sent.get(family)?.has(key) ?? false;
  }

  /** The paths the peer holds from us in a family. */
  sentPaths(family: number): IterableIterator<Path> {
    return (this.sent.get(family) ?? new Map<RouteKey, Path>()).values();
  }

  /** Queues the new best path (or a withdrawal, `null`) of a destination. */
  queue(family: number, key: RouteKey, path: Path | null): void {
    let t = this.pending.get(family);
    if (!t) {
      t = routeTable(family);
      this.pending.set(family, t);
    }
    const had = t.has(key);
    t.set(key, path);
    if (!had) this.pendingCount++;
  }

  /**
   * Add-path send (RFC 7911): queues every candidate of a destination, each under its own path identifier
   * (`Path.localId`), and withdrawals of candidates sent before that are gone.
   */
  queueCandidates(family: number, key: RouteKey, paths: readonly Path[]): void {
    let t = this.sentSets.get(family);
    if (!t) {
      t = new Map();
      this.sentSets.set(family, t);
    }
    const before = t.get(key);
    for (const p of paths) this.queue(family, `${key}#${p.localId}`, p);
    if (before)
      for (const p of before) if (!paths.includes(p)) this.queue(family, `${key}#${p.localId}`, null);
    if (paths.length > 0) t.set(key, [...paths]);
    else t.delete(key);
  }

  /** Queues withdrawals of everything sent in a family (the family was disabled or the filter changed). */
  withdrawAll(family: number): void {
    for (const k of this.sent.get(family)?.keys() ?? []) this.queue(family, k, null);
  }

  /** Key set of what was sent in a family (to compare with what should be sent). */
  sentKeys(family: number): IterableIterator<RouteKey> {
    return (this.sent.get(family) ?? new Map<RouteKey, Path>()).keys();
  }

  /** An End-of-RIB for `family` is sent once its queued routes are written. */
  endOfRibAfterQueue(family: number): void {
    this.eorDue.add(family);
  }

  /** An End-of-Route-Refresh (RFC 7313) for `family` is sent once its queued routes are written. */
  endOfRefreshAfterQueue(family: number): void {
    this.eorrDue.add(family);
  }

  /**
   * Writes pending changes as UPDATEs through `write` (which returns false when the transport wants no
   * more for now). Returns true when nothing is left to write.
   */
  flush(write: (msg: Uint8Array) => boolean): boolean {
    let open = true;
    const families = new Set([...this.pending.keys(), ...this.feeds.keys()]);
    for (const family of families) {
      if (this.held.has(family)) continue;
      const t = this.pending.get(family);
      while (open && t && t.size > 0) open = this.flushSlice(family, t, write);
      if (!open) return false;
      const f = this.feeds.get(family);
      while (open && f && !f.done) open = this.feedSlice(family, f, write);
      if (f?.done) this.feeds.delete(family);
      if (!open) return false;
    }
    const idle = (family: number) =>
      !this.held.has(family) && (this.pending.get(family)?.size ?? 0) === 0 && !this.feeds.has(family);
    for (const family of [...this.eorDue]) {
      if (!idle(family)) continue;
      this.eorDue.delete(family);
      if (!write(encodeUpdate(endOfRib(familyOf(family)), this.ctx))) return false;
    }
    for (const family of [...this.eorrDue]) {
      if (!idle(family)) continue;
      this.eorrDue.delete(family);
      const f = familyOf(family);
      if (!write(routeRefreshBytes(f.afi, f.safi, 2))) return false;
    }
    return this.pendingCount === 0 && this.feeds.size === 0;
  }

  /**
   * Sends a whole table (initial advertisement, route refresh, RT membership change) by walking it in
   * place: no per-route queue entry, so feeding N peers costs no N x table-size queues. Changes made while
   * the walk runs are queued as usual and written first.
   */
  startFeed(family: number, table: Iterable<Path>, size: number): void {
    this.feeds.set(family, { it: table[Symbol.iterator](), done: false, remaining: size });
  }

  private feedSlice(family: number, f: Feed, write: (m: Uint8Array) => boolean): boolean {
    let sent = this.sent.get(family);
    if (!sent) {
      sent = routeTable(family);
      this.sent.set(family, sent);
    }
    const groups = new Map<PathAttrs, Path[]>();
    const withdraws: Path[] = [];
    for (let n = 0; n < this.batch; n++) {
      const r = f.it.next();
      if (r.done) {
        f.done = true;
        break;
      }
      f.remaining--;
      const path = r.value;
      const out = this.sendable(family, this.opts.exportPath(path, family));
      if (out) {
        let g = groups.get(out);
        if (!g) {
          g = [];
          groups.set(out, g);
        }
        g.push(path);
        sent.set(path.key, path);
      } else {
        const was = sent.get(path.key);
        if (was) {
          withdraws.push(was);
          sent.delete(path.key);
        }
      }
    }
    let open = true;
    if (withdraws.length > 0) open = this.writeWithdrawals(family, withdraws, write) && open;
    for (const [attrs, paths] of groups) open = this.writeAnnouncements(family, attrs, paths, write) && open;
    return open;
  }

  private flushSlice(
    family: number,
    t: Map<RouteKey, Path | null>,
    write: (m: Uint8Array) => boolean,
  ): boolean {
    let sent = this.sent.get(family);
    if (!sent) {
      sent = routeTable(family);
      this.sent.set(family, sent);
    }
    const groups = new Map<PathAttrs, Path[]>();
    const withdraws: Path[] = [];
    let n = 0;
    for (const [key, path] of t) {
      t.delete(key);
      this.pendingCount--;
      const out = path ? this.sendable(family, this.opts.exportPath(path, family)) : undefined;
      if (path && out) {
        let g = groups.get(out);
        if (!g) {
          g = [];
          groups.set(out, g);
        }
        g.push(path);
        sent.set(key, path);
      } else {
        const was = sent.get(key);
        if (was) {
          withdraws.push(was);
          sent.delete(key);
        }
      }
      if (++n >= this.batch) break;
    }
    let open = true;
    if (withdraws.length > 0) open = this.writeWithdrawals(family, withdraws, write) && open;
    for (const [attrs, paths] of groups) open = this.writeAnnouncements(family, attrs, paths, write) && open;
    return open;
  }

  /**
   * The exported attributes, or undefined when one route with them does not fit the peer's maximum
   * message size (4,096 bytes without extended messages): RFC 8654 4 says not to send such a route; a
   * version sent before is withdrawn like any other route that stops being exported.
   */
  private sendable(family: number, attrs: PathAttrs | undefined): PathAttrs | undefined {
    if (!attrs || attrs === this.lastFitting) return attrs;
    let ok = this.fitCache.get(attrs);
    if (ok === undefined) {
      const w = new Writer(256);
      for (const a of attrs.attributes) writeAttribute(a, w, this.ctx);
      let need = HEADER_LENGTH + 4 + w.pos;
      if (family === IPV4_UNICAST_KEY && isIpv4Text(attrs.nextHop)) need += NEXT_HOP_ATTR + 9;
      else need += 4 + 3 + 1 + mpNextHopBytes(mpNextHop(family, attrs)).length + 1 + MAX_NLRI;
      ok = need <= this.maxLen;
      this.fitCache.set(attrs, ok);
    }
    if (ok) {
      this.lastFitting = attrs;
      return attrs;
    }
    this.routesTooBig++;
    return undefined;
  }

  private writeWithdrawals(family: number, paths: Path[], write: (m: Uint8Array) => boolean): boolean {
    let open = true;
    const addPath = hasAddPath(this.ctx, family >>> 8, family & 0xff);
    if (family === IPV4_UNICAST_KEY) {
      let buf = new Uint8Array(this.maxLen);
      let o = HEADER_LENGTH + 2;
      const flushMsg = () => {
        const wl = o - HEADER_LENGTH - 2;
        buf[HEADER_LENGTH] = wl >>> 8;
        buf[HEADER_LENGTH + 1] = wl & 0xff;
        buf[o] = 0;
        buf[o + 1] = 0;
        o += 2;
        header(buf, o, MessageType.UPDATE);
        open = write(buf.subarray(0, o)) && open;
        this.messagesSent++;
        buf = new Uint8Array(this.maxLen);
        o = HEADER_LENGTH + 2;
      };
      for (const p of paths) {
        if (o + (addPath ? 9 : 5) + 2 > this.maxLen) flushMsg();
        o = writeIpv4KeyPrefix(p.key as number, buf, o, addPath ? p.localId : -1);
      }
      if (o > HEADER_LENGTH + 2) flushMsg();
      return open;
    }
    const f = familyOf(family);
    // MP_UNREACH_NLRI: flags, code, 2-byte length, AFI, SAFI, NLRI
    const base = HEADER_LENGTH + 2 + 2 + 4 + 3;
    let buf = new Uint8Array(this.maxLen);
    let o = base;
    const flushMsg = () => {
      const attrLen = o - (HEADER_LENGTH + 4);
      buf[HEADER_LENGTH] = 0;
      buf[HEADER_LENGTH + 1] = 0;
      buf[HEADER_LENGTH + 2] = attrLen >>> 8;
      buf[HEADER_LENGTH + 3] = attrLen & 0xff;
      const a = HEADER_LENGTH + 4;
      buf[a] = AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH;
      buf[a + 1] = 15;
      const vl = o - (a + 4);
      buf[a + 2] = vl >>> 8;
      buf[a + 3] = vl & 0xff;
      buf[a + 4] = f.afi >>> 8;
      buf[a + 5] = f.afi & 0xff;
      buf[a + 6] = f.safi;
      header(buf, o, MessageType.UPDATE);
      open = write(buf.subarray(0, o)) && open;
      this.messagesSent++;
      buf = new Uint8Array(this.maxLen);
      o = base;
    };
    for (const p of paths) {
      const n = addPath ? ({ ...pathNlri(p), pathId: p.localId } as Nlri) : pathNlri(p);
      const end = encodeNlriInto(f, [withdrawForm(n)], { addPath }, SCRATCH, 0);
      if (o + end > this.maxLen) flushMsg();
      buf.set(SCRATCH.subarray(0, end), o);
      o += end;
    }
    if (o > base) flushMsg();
    return open;
  }

  private writeAnnouncements(
    family: number,
    attrs: PathAttrs,
    paths: Path[],
    write: (m: Uint8Array) => boolean,
  ): boolean {
    let open = true;
    const addPath = hasAddPath(this.ctx, family >>> 8, family & 0xff);
    const w = new Writer(256);
    for (const a of attrs.attributes) writeAttribute(a, w, this.ctx);
    const classic = family === IPV4_UNICAST_KEY && isIpv4Text(attrs.nextHop);
    if (classic) {
      writeAttribute({ type: 'NEXT_HOP', nextHop: attrs.nextHop }, w, this.ctx);
      const ab = w.buf.subarray(0, w.pos);
      const start = HEADER_LENGTH + 4 + ab.length;
      let buf = new Uint8Array(this.maxLen);
      let o = start;
      const flushMsg = () => {
        buf[HEADER_LENGTH] = 0;
        buf[HEADER_LENGTH + 1] = 0;
        buf[HEADER_LENGTH + 2] = ab.length >>> 8;
        buf[HEADER_LENGTH + 3] = ab.length & 0xff;
        buf.set(ab, HEADER_LENGTH + 4);
        header(buf, o, MessageType.UPDATE);
        open = write(buf.subarray(0, o)) && open;
        this.messagesSent++;
        buf = new Uint8Array(this.maxLen);
        o = start;
      };
      for (const p of paths) {
        if (o + (addPath ? 9 : 5) > this.maxLen) flushMsg();
        o = writeIpv4KeyPrefix(p.key as number, buf, o, addPath ? p.localId : -1);
        this.routesSent++;
      }
      if (o > start) flushMsg();
      return open;
    }
    const f = familyOf(family);
    const ab = w.buf.slice(0, w.pos);
    const nh = mpNextHopBytes(mpNextHop(family, attrs));
    // MP_REACH_NLRI first: flags, code, length(2), AFI(2), SAFI, NH length, NH, reserved, NLRI; then the
    // shared attributes behind it.
    const mpAt = HEADER_LENGTH + 4;
    const nlriStart = mpAt + 4 + 3 + 1 + nh.length + 1;
    let buf = new Uint8Array(this.maxLen);
    let nlriEnd = nlriStart;
    const finish = () => {
      buf.set(ab, nlriEnd);
      const total = nlriEnd + ab.length;
      const attrLen = total - mpAt;
      buf[HEADER_LENGTH] = 0;
      buf[HEADER_LENGTH + 1] = 0;
      buf[HEADER_LENGTH + 2] = attrLen >>> 8;
      buf[HEADER_LENGTH + 3] = attrLen & 0xff;
      buf[mpAt] = AttrFlag.OPTIONAL | AttrFlag.EXTENDED_LENGTH;
      buf[mpAt + 1] = 14;
      const vl = nlriEnd - (mpAt + 4);
      buf[mpAt + 2] = vl >>> 8;
      buf[mpAt + 3] = vl & 0xff;
      buf[mpAt + 4] = f.afi >>> 8;
      buf[mpAt + 5] = f.afi & 0xff;
      buf[mpAt + 6] = f.safi;
      buf[mpAt + 7] = nh.length;
      buf.set(nh, mpAt + 8);
      buf[mpAt + 8 + nh.length] = 0;
      header(buf, total, MessageType.UPDATE);
      open = write(buf.subarray(0, total)) && open;
      this.messagesSent++;
      buf = new Uint8Array(this.maxLen);
      nlriEnd = nlriStart;
    };
    for (const p of paths) {
      const n = addPath ? { ...pathNlri(p), pathId: p.localId } : pathNlri(p);
      const end = encodeNlriInto(f, [n as Nlri], { addPath }, SCRATCH, 0);
      // an NLRI longer than `sendable` allowed for cannot go out even alone (never with the codec's families)
      if (nlriStart + end + ab.length > this.maxLen) {
        this.routesTooBig++;
        continue;
      }
      if (nlriEnd + end + ab.length > this.maxLen) finish();
      buf.set(SCRATCH.subarray(0, end), nlriEnd);
      nlriEnd += end;
      this.routesSent++;
    }
    if (nlriEnd > nlriStart) finish();
    return open;
  }
}

/** Labeled and VPN withdrawals carry the compatibility label 0x800000 (RFC 8277 2.4). */
function withdrawForm(n: Nlri): Nlri {
  if (n.type === 'vpn' || n.type === 'labeled') {
    const { labels: _l, ...rest } = n;
    return { ...rest, labels: [], withdrawLabel: 0x800000 } as Nlri;
  }
  return n;
}

/** A ROUTE-REFRESH message (RFC 2918 / 7313 subtype) as bytes. */
export function routeRefreshBytes(afi: number, safi: number, subtype: number): Uint8Array {
  const b = new Uint8Array(23);
  header(b, 23, MessageType.ROUTE_REFRESH);
  b[19] = afi >>> 8;
  b[20] = afi & 0xff;
  b[21] = subtype;
  b[22] = safi;
  return b;
}
