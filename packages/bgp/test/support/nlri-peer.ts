// A minimal passive BGP peer for interop tests: it accepts one TCP connection, answers the speaker's OPEN
// with its own OPEN (multiprotocol capabilities for the families asked, 4-octet AS) and KEEPALIVEs, and
// records every message the speaker sends. The OPEN/KEEPALIVE bytes are built here (RFC 4271 4.2, 4.4;
// RFC 5492 4; RFC 4760 8; RFC 6793 3) so the NLRI tests do not depend on the message codec.
//
// It also holds a tiny UPDATE walker (RFC 4271 4.3) that finds the path attributes the NLRI tests need,
// and a pcap writer that wraps captured or encoded messages in Ethernet/IPv4/TCP port 179 for tshark.
import { createServer, type Server, type Socket } from 'node:net';
import { encodeNlri } from '../../src/index.js';

const RTC = { afi: 1, safi: 132 };

export interface Family {
  afi: number;
  safi: number;
}

/**
 * OPEN with the given AS (4-octet AS capability carries the real one), hold time 90 and capabilities;
 * `addPath` families get the add-path capability (RFC 7911 4) with "receive".
 */
export function openMessage(
  asn: number,
  routerId: string,
  families: readonly Family[],
  addPath: readonly Family[] = [],
): Uint8Array {
  const caps: number[] = [];
  for (const f of families) caps.push(1, 4, f.afi >> 8, f.afi & 0xff, 0, f.safi);
  if (addPath.length > 0) {
    caps.push(69, 4 * addPath.length);
    for (const f of addPath) caps.push(f.afi >> 8, f.afi & 0xff, f.safi, 1);
  }
  caps.push(65, 4, asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff);
  caps.push(2, 0); // route refresh
  const params = [2, caps.length, ...caps];
  const as2 = asn > 0xffff ? 23456 : asn;
  const id = routerId.split('.').map(Number);
  const body = [4, as2 >> 8, as2 & 0xff, 0, 90, ...id, params.length, ...params];
  return frame(1, Uint8Array.from(body));
}

export function keepaliveMessage(): Uint8Array {
  return frame(4, new Uint8Array(0));
}

function frame(type: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(19 + body.length).fill(0xff, 0, 16);
  m[16] = (19 + body.length) >> 8;
  m[17] = (19 + body.length) & 0xff;
  m[18] = type;
  m.set(body, 19);
  return m;
}

/** A TCP port on `host` that was free a moment ago (the kernel's choice), for daemons' control ports. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve());
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

export interface Captured {
  type: number;
  /** The whole message, header included. */
  bytes: Uint8Array;
}

export interface Listener {
  port: number;
  messages: Captured[];
  /** Resolves when `pred` holds for the messages received so far (checked on each message), or rejects after `ms`. */
  waitFor(pred: (m: Captured[]) => boolean, ms: number): Promise<void>;
  /** Sends a message to the connected speaker(s). */
  send(msg: Uint8Array): void;
  close(): Promise<void>;
}

/** Listens on `host` (port chosen by the kernel) as AS `asn`. */
export async function listen(
  host: string,
  asn: number,
  families: readonly Family[],
  afterOpen: readonly Uint8Array[] = [],
  addPath: readonly Family[] = [],
): Promise<Listener> {
  const messages: Captured[] = [];
  const waiters: { pred: (m: Captured[]) => boolean; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    let pending = new Uint8Array(0);
    let timer: NodeJS.Timeout | undefined;
    sock.on('data', (chunk: Buffer) => {
      const next = new Uint8Array(pending.length + chunk.length);
      next.set(pending);
      next.set(chunk, pending.length);
      pending = next;
      while (pending.length >= 19) {
        const len = (pending[16]! << 8) | pending[17]!;
        if (len < 19 || len > 65535) {
          sock.destroy();
          return;
        }
        if (pending.length < len) break;
        const msg = pending.slice(0, len);
        pending = pending.slice(len);
        const type = msg[18]!;
        messages.push({ type, bytes: msg });
        if (type === 1) {
          sock.write(openMessage(asn, '10.0.0.10', families, addPath));
          sock.write(keepaliveMessage());
          for (const m of afterOpen) sock.write(m);
          timer = setInterval(() => sock.write(keepaliveMessage()), 20_000);
          timer.unref();
        }
        for (const w of [...waiters]) {
          if (w.pred(messages)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      }
    });
    sock.on('close', () => {
      if (timer) clearInterval(timer);
      sockets.delete(sock);
    });
    sock.on('error', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    messages,
    waitFor(pred, ms) {
      if (pred(messages)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out after ${ms} ms with ${messages.length} messages`));
        }, ms);
        waiters.push(w);
      });
    },
    send(msg) {
      for (const s of sockets) s.write(msg);
    },
    close() {
      // Waiters still pending end now (resolved: their timeout would otherwise fire after the test).
      for (const w of waiters.splice(0)) w.resolve();
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** One path attribute of an UPDATE: flags, type code, where its value is in the message. */
export interface AttrRef {
  flags: number;
  code: number;
  offset: number;
  length: number;
}

/** The UPDATE's withdrawn routes, attributes and NLRI as offsets into `msg` (RFC 4271 4.3). */
export function walkUpdate(msg: Uint8Array): {
  withdrawn: [number, number];
  attrs: AttrRef[];
  nlri: [number, number];
} {
  let o = 19;
  const wl = (msg[o]! << 8) | msg[o + 1]!;
  const withdrawn: [number, number] = [o + 2, o + 2 + wl];
  o += 2 + wl;
  const al = (msg[o]! << 8) | msg[o + 1]!;
  o += 2;
  const attrEnd = o + al;
  const attrs: AttrRef[] = [];
  while (o < attrEnd) {
    const flags = msg[o]!;
    const code = msg[o + 1]!;
    const ext = (flags & 0x10) !== 0;
    const length = ext ? (msg[o + 2]! << 8) | msg[o + 3]! : msg[o + 2]!;
    const v = o + (ext ? 4 : 3);
    attrs.push({ flags, code, offset: v, length });
    o = v + length;
  }
  return { withdrawn, attrs, nlri: [attrEnd, msg.length] };
}

/**
 * Where the NLRI of an MP_REACH_NLRI (RFC 4760 3) or MP_UNREACH_NLRI (RFC 4760 4) attribute value are:
 * its AFI/SAFI, the next hop bytes (reach only) and the NLRI range.
 */
export function mpNlri(
  msg: Uint8Array,
  a: AttrRef,
): { family: Family; nextHop: Uint8Array | undefined; start: number; end: number } {
  const o = a.offset;
  const family = { afi: (msg[o]! << 8) | msg[o + 1]!, safi: msg[o + 2]! };
  if (a.code === 15) return { family, nextHop: undefined, start: o + 3, end: o + a.length };
  const nhl = msg[o + 3]!;
  const nextHop = msg.slice(o + 4, o + 4 + nhl);
  const start = o + 4 + nhl + 1; // reserved octet
  return { family, nextHop, start, end: o + a.length };
}

/** A pcap (LINKTYPE_ETHERNET) of `messages`, each in one TCP segment from 10.0.0.1:179 to 10.0.0.2:40000. */
export function pcapOf(messages: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 65535, true);
  gh.setUint32(20, 1, true);
  parts.push(new Uint8Array(gh.buffer));
  let seq = 1000;
  messages.forEach((m, i) => {
    const frameLen = 14 + 20 + 20 + m.length;
    const f = new Uint8Array(frameLen);
    const dv = new DataView(f.buffer);
    f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
    dv.setUint16(12, 0x0800);
    const ip = 14;
    f[ip] = 0x45;
    dv.setUint16(ip + 2, 40 + m.length);
    dv.setUint16(ip + 4, i + 1);
    f[ip + 8] = 64;
    f[ip + 9] = 6;
    f.set([10, 0, 0, 1, 10, 0, 0, 2], ip + 12);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += dv.getUint16(ip + k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    dv.setUint16(ip + 10, ~sum & 0xffff);
    const tcp = ip + 20;
    dv.setUint16(tcp, 179);
    dv.setUint16(tcp + 2, 40000);
    dv.setUint32(tcp + 4, seq);
    dv.setUint32(tcp + 8, 1);
    f[tcp + 12] = 0x50;
    f[tcp + 13] = 0x18; // PSH ACK
    dv.setUint16(tcp + 14, 65535);
    f.set(m, tcp + 20);
    // TCP checksum over the pseudo-header (RFC 793 3.1).
    let s = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 20 + m.length;
    for (let k = tcp; k < f.length; k += 2) s += k + 1 < f.length ? dv.getUint16(k) : f[k]! << 8;
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    dv.setUint16(tcp + 16, ~s & 0xffff);
    seq += m.length;
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, 1_700_000_000 + i, true);
    rh.setUint32(8, frameLen, true);
    rh.setUint32(12, frameLen, true);
    parts.push(new Uint8Array(rh.buffer), f);
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * An UPDATE that advertises the default route-target membership (RFC 4684 4: prefix length 0) from
 * `asn` with next hop `nextHop`, so that a speaker doing RT-constrained distribution sends every VPN and
 * EVPN route; RFC 4684 6 lets a speaker hold VPN routes back until it has seen the peer's membership.
 */
export function rtcDefaultUpdate(asn: number, nextHop: string): Uint8Array {
  const nh = nextHop.split('.').map(Number);
  return updateMessage([
    { flags: 0x40, code: 1, value: Uint8Array.of(0) },
    {
      flags: 0x40,
      code: 2,
      value: Uint8Array.of(2, 1, asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff),
    },
    // The NLRI is our encoding of the zero-length default (RFC 4684 4): the speaker's acceptance checks it.
    {
      flags: 0x80,
      code: 14,
      value: Uint8Array.of(
        0,
        1,
        132,
        4,
        ...nh,
        0,
        ...encodeNlri(RTC, [{ type: 'rtc', prefixLength: 0 }], { addPath: false }),
      ),
    },
  ]);
}

/** End-of-RIB for a family (RFC 4724 2): an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH. */
export function endOfRib(f: Family): Uint8Array {
  if (f.afi === 1 && f.safi === 1) return updateMessage([]);
  return updateMessage([{ flags: 0x80, code: 15, value: Uint8Array.of(f.afi >> 8, f.afi & 0xff, f.safi) }]);
}

/** Wraps an UPDATE around MP_REACH_NLRI / EXTENDED_COMMUNITIES values built by the caller. */
export function updateMessage(attrs: { flags: number; code: number; value: Uint8Array }[]): Uint8Array {
  const parts: number[] = [];
  for (const a of attrs) {
    const ext = a.value.length > 255;
    parts.push(a.flags | (ext ? 0x10 : 0), a.code);
    if (ext) parts.push(a.value.length >> 8, a.value.length & 0xff);
    else parts.push(a.value.length);
    parts.push(...a.value);
  }
  const body = Uint8Array.from([0, 0, parts.length >> 8, parts.length & 0xff, ...parts]);
  return frame(2, body);
}
