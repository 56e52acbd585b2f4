// An in-process workload for machines without TAP devices: a tiny host stack behind one port that answers
// ARP for its address, ICMP echo, UDP echo (port 7) and a TCP echo server (port 7: handshake, echo of each
// in-order segment, FIN), and can act as a client: ARP resolution, ping, UDP and TCP echo exchanges, DHCP.
// With an IPv6 address it also answers Neighbor Solicitations and ICMPv6 echo (RFC 4861, RFC 4443), and
// pings over IPv6 (`ping6`), resolving the neighbor with a solicitation to its solicited-node group.
// Frames it receives are copied and handled on the next turn of the event loop, so nothing re-enters the
// forwarder while it is delivering. It is a test and lab workload: it allocates freely.

import {
  DhcpMessageType,
  type Dhcpv4,
  dhcpv4,
  formatIPv6,
  internetChecksum,
  ipv4PseudoSum,
  ipv6PseudoSum,
  parseIPv6,
} from '@filament/encap';
import { WorkloadDetachedError, WorkloadResetError, WorkloadTimeoutError } from './errors.js';
import { macFromText, putMac } from './mac-table.js';
import { ipv4Number } from './nexthop.js';

const ECHO_PORT = 7;
const BROADCAST = 0xffffffffffff;

export interface WorkloadOptions {
  name: string;
  mac: string;
  /** Address and prefix length; may be learnt by `dhcp()` instead. */
  address?: string;
  prefixLen?: number;
  gateway?: string;
  /** How long a client call waits for an answer (ms). Default 3,000. */
  timeoutMs?: number;
  /** Ports the UDP and TCP echo servers answer on. Default [7]. */
  listen?: readonly number[];
  /** IPv6 address (answers ND and ICMPv6 echo for it; `ping6` sends from it). */
  address6?: string;
}

export interface EchoReply {
  from: string;
  ttl: number;
  identifier: number;
  sequence: number;
  data: Uint8Array;
}

export interface DhcpLease {
  address: string;
  prefixLen: number;
  gateway: string;
  dns: string[];
  mtu?: number;
  leaseSeconds?: number;
  serverId: string;
}

/**
 * An answer being waited for. It settles once: `resolve`, `reject`, or its timer (WorkloadTimeoutError).
 * `cancel` drops it without settling, for a caller whose send failed: the wait then leaves behind no timer
 * and no rejection that nobody observes (which would end the agent process).
 */
class Pending<T> {
  readonly promise: Promise<T>;
  private settle: ((v: T) => void) | null = null;
  private fail: ((e: Error) => void) | null = null;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onDone: () => void;

  constructor(timeoutMs: number, onTimeout: () => Error, onDone: () => void = () => {}) {
    this.onDone = onDone;
    this.promise = new Promise<T>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
    // Its timer runs while the caller may still be sending (resolving ARP first): a rejection before the
    // caller awaits must not count as unhandled, so it is marked handled here; awaiting still sees it.
    this.promise.catch(() => {});
    this.timer = setTimeout(() => this.reject(onTimeout()), timeoutMs);
  }

  get settled(): boolean {
    return this.settle === null;
  }

  resolve(v: T): void {
    const settle = this.settle;
    if (settle === null) return;
    this.finish();
    settle(v);
  }

  reject(e: Error): void {
    const fail = this.fail;
    if (fail === null) return;
    this.finish();
    fail(e);
  }

  cancel(): void {
    if (this.settle !== null) this.finish();
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.settle = null;
    this.fail = null;
    this.onDone();
  }
}

interface TcpConn {
  lport: number;
  rip: number;
  rport: number;
  sndNxt: number;
  rcvNxt: number;
  state: 'syn-sent' | 'established' | 'fin-wait' | 'closed';
  /** Opened by tcpEcho (active open); else a connection of the echo server. */
  client: boolean;
  received: number[];
  /** The client step waiting on this connection, settled when `done()` holds or on a reset. */
  step: { pending: Pending<void>; done: () => boolean } | null;
}

type Waiter = { match: (f: Uint8Array) => boolean; pending: Pending<Uint8Array> };

function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

export class Workload {
  readonly name: string;
  readonly mac: number;
  ip = 0;
  prefixLen = 24;
  gateway = 0;
  readonly timeoutMs: number;
  /** Echo server ports (UDP and TCP). */
  readonly listen: ReadonlySet<number>;
  /** Every frame received, for tests to decode (copies). */
  readonly received: Uint8Array[] = [];
  keepReceived = false;
  private transmit: ((frame: Uint8Array) => void) | null = null;
  private readonly arp = new Map<number, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly conns = new Map<string, TcpConn>();
  private nextPort = 40000;
  /** The IPv6 address (16 bytes), or null. */
  readonly ip6: Uint8Array | null;
  /** Neighbor cache: IPv6 address text -> MAC. */
  private readonly nd = new Map<string, number>();
  private ipId = 1;
  counts = { arpAnswered: 0, echoAnswered: 0, udpEchoed: 0, tcpSegments: 0, tcpRefused: 0, badFrames: 0 };

  constructor(opts: WorkloadOptions) {
    this.name = opts.name;
    this.mac = macFromText(opts.mac);
    if (opts.address !== undefined) this.ip = ipv4Number(opts.address);
    if (opts.prefixLen !== undefined) this.prefixLen = opts.prefixLen;
    if (opts.gateway !== undefined) this.gateway = ipv4Number(opts.gateway);
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.listen = new Set(opts.listen ?? [ECHO_PORT]);
    this.ip6 = opts.address6 === undefined ? null : parseIPv6(opts.address6);
  }

  get address(): string {
    return ipText(this.ip);
  }

  /** Connects the workload's transmit side (to the agent's port). */
  attach(transmit: (frame: Uint8Array) => void): void {
    this.transmit = transmit;
  }

  /** The port's deliver function: copies the frame and handles it on the next turn. */
  readonly deliver = (buf: Uint8Array, offset: number, length: number): void => {
    const f = buf.slice(offset, offset + length);
    setImmediate(() => {
      // A frame this small stack cannot make sense of is counted, never thrown out of a timer callback.
      try {
        this.handle(f);
      } catch {
        this.counts.badFrames++;
      }
    });
  };

  private send(frame: Uint8Array): void {
    if (this.transmit === null) throw new WorkloadDetachedError(this.name);
    this.transmit(frame);
  }

  private timeout(what: string): () => Error {
    return () => new WorkloadTimeoutError(this.name, what, this.timeoutMs);
  }

  /** Waits for a received frame that `match`es. */
  private wait(match: (f: Uint8Array) => boolean, what: string): Pending<Uint8Array> {
    const w: Waiter = {
      match,
      pending: new Pending<Uint8Array>(this.timeoutMs, this.timeout(what), () => this.waiters.delete(w)),
    };
    this.waiters.add(w);
    return w.pending;
  }

  /** Sends, then waits for `answer`; a send that fails (ARP timeout, detached) cancels the wait first. */
  private async exchange<T>(answer: Pending<T>, send: () => Promise<void> | void): Promise<T> {
    try {
      await send();
    } catch (e) {
      answer.cancel();
      throw e;
    }
    return answer.promise;
  }

  // ---------------------------------------------------------------- receive

  private handle(f: Uint8Array): void {
    if (this.keepReceived) this.received.push(f);
    for (const w of this.waiters) if (w.match(f)) w.pending.resolve(f);
    if (f.length < 14) return;
    const type = u16(f, 12);
    if (type === 0x0806) {
      this.handleArp(f);
      return;
    }
    if (type === 0x86dd) {
      this.handleIpv6(f);
      return;
    }
    if (type !== 0x0800 || f.length < 34) return;
    const ihl = (f[14]! & 0x0f) * 4;
    const proto = f[23]!;
    const src = u32(f, 26);
    const dst = u32(f, 30);
    if (dst !== this.ip) return;
    const l4 = 14 + ihl;
    const end = 14 + u16(f, 16);
    if (proto === 1 && f[l4] === 8) {
      this.counts.echoAnswered++;
      this.sendIp(src, 1, this.icmp(0, u16(f, l4 + 4), u16(f, l4 + 6), f.subarray(l4 + 8, end)));
    } else if (proto === 17 && this.listen.has(u16(f, l4 + 2))) {
      this.counts.udpEchoed++;
      this.sendIp(src, 17, this.udp(u16(f, l4 + 2), u16(f, l4), src, f.subarray(l4 + 8, end)));
    } else if (proto === 6) this.handleTcp(f, l4, end, src);
  }

  private handleArp(f: Uint8Array): void {
    if (f.length < 42 || u16(f, 20) !== 1) {
      if (f.length >= 42 && u16(f, 20) === 2) this.arp.set(u32(f, 28), macOfBytes(f, 22));
      return;
    }
    const sip = u32(f, 28);
    const tip = u32(f, 38);
    if (tip !== this.ip || this.ip === 0) return;
    this.arp.set(sip, macOfBytes(f, 22));
    this.counts.arpAnswered++;
    const r = new Uint8Array(42);
    r.set(f.subarray(6, 12), 0);
    putMac(r, 6, this.mac);
    put16(r, 12, 0x0806);
    r.set(f.subarray(14, 20), 14);
    put16(r, 20, 2);
    putMac(r, 22, this.mac);
    put32(r, 28, this.ip);
    r.set(f.subarray(22, 32), 32);
    this.send(r);
  }

  /** ICMPv6 to this workload: echo requests answered, solicitations for its address advertised. */
  private handleIpv6(f: Uint8Array): void {
    const me = this.ip6;
    if (me === null || f.length < 62 || f[20] !== 58) return;
    const end = Math.min(f.length, 54 + u16(f, 18));
    const type = f[54]!;
    if (type === 128 && sameBytes(f, 38, me, 0, 16)) {
      this.counts.echoAnswered++;
      const reply = f.slice(54, end);
      reply[0] = 129;
      this.send(this.frame6(macOfBytes(f, 6), me, f.subarray(22, 38), reply, 64));
    } else if (type === 135 && end >= 78 && sameBytes(f, 62, me, 0, 16)) {
      // Solicited: unicast back to the asker (a solicitation from :: is duplicate address detection).
      if (f.subarray(22, 38).every((b) => b === 0)) return;
      const na = new Uint8Array(32);
      na[0] = 136;
      na[4] = 0x60; // solicited, override
      na.set(me, 8);
      na[24] = 2;
      na[25] = 1;
      putMac(na, 26, this.mac);
      this.send(this.frame6(macOfBytes(f, 6), me, f.subarray(22, 38), na, 255));
    }
  }

  /** An Ethernet frame with an IPv6 packet carrying the ICMPv6 message `icmp` (its checksum filled in). */
  private frame6(
    dstMac: number,
    src: Uint8Array,
    dst: Uint8Array,
    icmp: Uint8Array,
    hopLimit: number,
  ): Uint8Array {
    const p = new Uint8Array(40 + icmp.length);
    p[0] = 0x60;
    put16(p, 4, icmp.length);
    p[6] = 58;
    p[7] = hopLimit;
    p.set(src, 8);
    p.set(dst, 24);
    p.set(icmp, 40);
    p[42] = 0;
    p[43] = 0;
    put16(p, 42, internetChecksum(p, 40, icmp.length, ipv6PseudoSum(p, 8, 24, 58, icmp.length)));
    return this.frame(dstMac, 0x86dd, p);
  }

  /** Neighbor resolution (RFC 4861 7.2): a solicitation to the target's solicited-node group, with a cache. */
  async resolve6(target: Uint8Array): Promise<number> {
    const me = this.ip6;
    if (me === null) throw new WorkloadDetachedError(this.name);
    const text = formatIPv6(target);
    const known = this.nd.get(text);
    if (known !== undefined) return known;
    const group = Uint8Array.from([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0]);
    group.set(target.subarray(13, 16), 13);
    const ns = new Uint8Array(32);
    ns[0] = 135;
    ns.set(target, 8);
    ns[24] = 1;
    ns[25] = 1;
    putMac(ns, 26, this.mac);
    const groupMac = 0x3333ff000000 + ((target[13]! << 16) | (target[14]! << 8) | target[15]!);
    const answer = this.wait(
      (f) =>
        f.length >= 78 &&
        u16(f, 12) === 0x86dd &&
        f[20] === 58 &&
        f[54] === 136 &&
        sameBytes(f, 62, target, 0, 16),
      `neighbor advertisement for ${text}`,
    );
    const f = await this.exchange(answer, () => this.send(this.frame6(groupMac, me, group, ns, 255)));
    // The target link-layer address option when present, else the frame's source.
    const mac = f.length >= 86 && f[78] === 2 && f[79] === 1 ? macOfBytes(f, 80) : macOfBytes(f, 6);
    this.nd.set(text, mac);
    return mac;
  }

  /** ICMPv6 echo to `dst` (its MAC resolved by ND); resolves with the reply (`ttl` is its hop limit). */
  async ping6(
    dst: string,
    sequence = 1,
    data: Uint8Array = new TextEncoder().encode('filament ping6'),
  ): Promise<EchoReply> {
    const me = this.ip6;
    if (me === null) throw new WorkloadDetachedError(this.name);
    const d = parseIPv6(dst);
    const id = (this.nextPort++ & 0xffff) | 1;
    const echo = new Uint8Array(8 + data.length);
    echo[0] = 128;
    put16(echo, 4, id);
    put16(echo, 6, sequence);
    echo.set(data, 8);
    const reply = this.wait(
      (f) =>
        f.length >= 62 &&
        u16(f, 12) === 0x86dd &&
        f[20] === 58 &&
        f[54] === 129 &&
        sameBytes(f, 22, d, 0, 16) &&
        u16(f, 58) === id &&
        u16(f, 60) === sequence,
      `echo reply from ${dst}`,
    );
    const f = await this.exchange(reply, async () => {
      const mac = await this.resolve6(d);
      this.send(this.frame6(mac, me, d, echo, 64));
    });
    return { from: dst, ttl: f[21]!, identifier: id, sequence, data: f.slice(62, 54 + u16(f, 18)) };
  }

  // ---------------------------------------------------------------- build

  private frame(dstMac: number, type: number, payload: Uint8Array): Uint8Array {
    const f = new Uint8Array(14 + payload.length);
    putMac(f, 0, dstMac);
    putMac(f, 6, this.mac);
    put16(f, 12, type);
    f.set(payload, 14);
    return f;
  }

  /** An IPv4 packet with its header checksum; `l4` gets its checksum from `fix` when given. */
  private ipPacket(src: number, dst: number, proto: number, l4: Uint8Array, ttl = 64): Uint8Array {
    const p = new Uint8Array(20 + l4.length);
    p[0] = 0x45;
    put16(p, 2, p.length);
    put16(p, 4, this.ipId++ & 0xffff);
    p[6] = 0x40;
    p[8] = ttl;
    p[9] = proto;
    put32(p, 12, src);
    put32(p, 16, dst);
    put16(p, 10, internetChecksum(p, 0, 20));
    p.set(l4, 20);
    if (proto === 6 || proto === 17) {
      const at = 20 + (proto === 6 ? 16 : 6);
      const c = internetChecksum(p, 20, l4.length, ipv4PseudoSum(p, 12, 16, proto, l4.length));
      put16(p, at, proto === 17 && c === 0 ? 0xffff : c);
    }
    return p;
  }

  private icmp(type: number, id: number, seq: number, data: Uint8Array): Uint8Array {
    const m = new Uint8Array(8 + data.length);
    m[0] = type;
    put16(m, 4, id);
    put16(m, 6, seq);
    m.set(data, 8);
    put16(m, 2, internetChecksum(m));
    return m;
  }

  private udp(sport: number, dport: number, _dst: number, data: Uint8Array): Uint8Array {
    const u = new Uint8Array(8 + data.length);
    put16(u, 0, sport);
    put16(u, 2, dport);
    put16(u, 4, u.length);
    u.set(data, 8);
    return u;
  }

  private tcp(c: TcpConn, flags: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
    const t = new Uint8Array(20 + data.length);
    put16(t, 0, c.lport);
    put16(t, 2, c.rport);
    put32(t, 4, c.sndNxt);
    put32(t, 8, flags & 0x10 ? c.rcvNxt : 0);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t, 14, 65535);
    t.set(data, 20);
    return t;
  }

  /** Resolves the next hop's MAC (ARP), then sends an IPv4 packet. */
  async sendIpTo(dst: number, proto: number, l4: Uint8Array): Promise<void> {
    const mac = await this.resolve(this.onLink(dst) ? dst : this.gateway);
    this.send(this.frame(mac, 0x0800, this.ipPacket(this.ip, dst, proto, l4)));
  }

  private sendIp(dst: number, proto: number, l4: Uint8Array): void {
    void this.sendIpTo(dst, proto, l4).catch(() => {});
  }

  private onLink(ip: number): boolean {
    const mask = this.prefixLen === 0 ? 0 : (0xffffffff << (32 - this.prefixLen)) >>> 0;
    return (ip & mask) >>> 0 === (this.ip & mask) >>> 0;
  }

  /** ARP resolution with a cache. */
  async resolve(ip: number): Promise<number> {
    const known = this.arp.get(ip);
    if (known !== undefined) return known;
    const req = new Uint8Array(28);
    put16(req, 0, 1);
    put16(req, 2, 0x0800);
    req[4] = 6;
    req[5] = 4;
    put16(req, 6, 1);
    putMac(req, 8, this.mac);
    put32(req, 14, this.ip);
    put32(req, 24, ip);
    const answer = this.wait(
      (f) => f.length >= 42 && u16(f, 12) === 0x0806 && u16(f, 20) === 2 && u32(f, 28) === ip,
      `ARP reply for ${ipText(ip)}`,
    );
    const f = await this.exchange(answer, () => this.send(this.frame(BROADCAST, 0x0806, req)));
    const mac = macOfBytes(f, 22);
    this.arp.set(ip, mac);
    return mac;
  }

  // ---------------------------------------------------------------- clients

  /** ICMP echo to `dst`; resolves with the reply. */
  async ping(
    dst: string,
    sequence = 1,
    data: Uint8Array = new TextEncoder().encode('filament ping'),
  ): Promise<EchoReply> {
    const d = ipv4Number(dst);
    const id = (this.nextPort++ & 0xffff) | 1;
    const reply = this.wait(
      (f) =>
        f.length >= 42 &&
        u16(f, 12) === 0x0800 &&
        f[23] === 1 &&
        u32(f, 26) === d &&
        f[34] === 0 &&
        u16(f, 38) === id &&
        u16(f, 40) === sequence,
      `echo reply from ${dst}`,
    );
    const f = await this.exchange(reply, () => this.sendIpTo(d, 1, this.icmp(8, id, sequence, data)));
    return { from: dst, ttl: f[22]!, identifier: id, sequence, data: f.slice(42, 14 + u16(f, 16)) };
  }

  /** A datagram to `dst:port` (echoed by another workload's UDP echo on port 7). */
  async udpEcho(dst: string, data: Uint8Array, port = ECHO_PORT): Promise<Uint8Array> {
    const d = ipv4Number(dst);
    const sport = this.nextPort++;
    const reply = this.wait(
      (f) =>
        f.length >= 42 && u16(f, 12) === 0x0800 && f[23] === 17 && u32(f, 26) === d && u16(f, 36) === sport,
      `UDP echo from ${dst}`,
    );
    const f = await this.exchange(reply, () => this.sendIpTo(d, 17, this.udp(sport, port, d, data)));
    return f.slice(42, 14 + u16(f, 16));
  }

  /** A TCP connection to `dst:port`, sends `data`, reads the same number of bytes back, closes. */
  async tcpEcho(
    dst: string,
    data: Uint8Array,
    port = ECHO_PORT,
    sport = this.nextPort++,
  ): Promise<Uint8Array> {
    const rip = ipv4Number(dst);
    const c: TcpConn = {
      lport: sport,
      rip,
      rport: port,
      sndNxt: 0x1000000 + sport,
      rcvNxt: 0,
      state: 'syn-sent',
      client: true,
      received: [],
      step: null,
    };
    const key = `${sport}:${rip}:${port}`;
    this.conns.set(key, c);
    try {
      const established = this.tcpStep(c, `TCP connect to ${dst}:${port}`, () => c.state !== 'syn-sent');
      await this.exchange(established, () => this.sendIpTo(rip, 6, this.tcp(c, 0x02)));
      c.sndNxt++;
      const echoed = this.tcpStep(c, `TCP echo from ${dst}:${port}`, () => c.received.length >= data.length);
      await this.exchange(echoed, () => this.sendIpTo(rip, 6, this.tcp(c, 0x18, data)));
      c.sndNxt += data.length;
      // Everything came back: the close is best effort (a peer that never answers the FIN, or resets it,
      // does not change what was echoed).
      const closed = this.tcpStep(c, `TCP close of ${dst}:${port}`, () => c.state === 'closed');
      c.state = 'fin-wait';
      await this.exchange(closed, () => this.sendIpTo(rip, 6, this.tcp(c, 0x11))).catch(() => {});
      c.sndNxt++;
      return Uint8Array.from(c.received);
    } finally {
      c.step?.pending.cancel();
      this.conns.delete(key);
    }
  }

  /** The next thing a client connection waits for: settles when `done()` holds, rejects on a reset. */
  private tcpStep(c: TcpConn, what: string, done: () => boolean): Pending<void> {
    const pending = new Pending<void>(this.timeoutMs, this.timeout(what), () => {
      if (c.step?.pending === pending) c.step = null;
    });
    c.step = { pending, done };
    return pending;
  }

  /** Settles the connection's step if what it waits for has happened. */
  private tcpProgress(c: TcpConn): void {
    if (c.step?.done()) c.step.pending.resolve();
  }

  private handleTcp(f: Uint8Array, l4: number, end: number, src: number): void {
    this.counts.tcpSegments++;
    const sport = u16(f, l4);
    const dport = u16(f, l4 + 2);
    const seq = u32(f, l4 + 4);
    const flags = f[l4 + 13]!;
    const doff = (f[l4 + 12]! >>> 4) * 4;
    const data = f.subarray(l4 + doff, end);
    const key = `${dport}:${src}:${sport}`;
    let c = this.conns.get(key);
    if (flags & 0x04) {
      if (c) {
        c.state = 'closed';
        this.conns.delete(key);
        c.step?.pending.reject(new WorkloadResetError(this.name, `${ipText(src)}:${sport}`));
      }
      return;
    }
    if (c === undefined) {
      if ((flags & 0x12) !== 0x02) return;
      if (!this.listen.has(dport)) {
        // A SYN to a port nobody listens on is refused with RST+ACK, as a host stack does (RFC 9293 3.10.7.1).
        this.counts.tcpRefused++;
        const refused: TcpConn = {
          lport: dport,
          rip: src,
          rport: sport,
          sndNxt: 0,
          rcvNxt: (seq + 1 + data.length) >>> 0,
          state: 'closed',
          client: false,
          received: [],
          step: null,
        };
        this.sendIp(src, 6, this.tcp(refused, 0x14));
        return;
      }
      // Passive open on the echo port.
      c = {
        lport: dport,
        rip: src,
        rport: sport,
        sndNxt: 0x2000000 + sport,
        rcvNxt: (seq + 1) >>> 0,
        state: 'established',
        client: false,
        received: [],
        step: null,
      };
      this.conns.set(key, c);
      this.sendIp(src, 6, this.tcp(c, 0x12));
      c.sndNxt++;
      return;
    }
    if (c.state === 'syn-sent') {
      if ((flags & 0x12) !== 0x12) return;
      c.rcvNxt = (seq + 1) >>> 0;
      c.state = 'established';
      this.sendIp(src, 6, this.tcp(c, 0x10));
      this.tcpProgress(c);
      return;
    }
    if (data.length > 0 && seq === c.rcvNxt) {
      c.rcvNxt = (c.rcvNxt + data.length) >>> 0;
      if (!c.client) {
        // Server side: acknowledge and echo in one segment.
        this.sendIp(src, 6, this.tcp(c, 0x18, data));
        c.sndNxt = (c.sndNxt + data.length) >>> 0;
      } else {
        for (const b of data) c.received.push(b);
        this.sendIp(src, 6, this.tcp(c, 0x10));
        this.tcpProgress(c);
      }
    }
    if (flags & 0x01) {
      c.rcvNxt = (c.rcvNxt + 1) >>> 0;
      if (c.state === 'fin-wait') {
        this.sendIp(src, 6, this.tcp(c, 0x10));
        c.state = 'closed';
        this.tcpProgress(c);
      } else {
        // Passive close: ACK and FIN together.
        this.sendIp(src, 6, this.tcp(c, 0x11));
        c.sndNxt++;
        c.state = 'closed';
        this.conns.delete(key);
      }
    }
  }

  /** DHCP DISCOVER/OFFER/REQUEST/ACK; configures the workload from the ACK. */
  async dhcp(): Promise<DhcpLease> {
    const xid = (Math.random() * 0xffffffff) >>> 0;
    const chaddr = macTextOf(this.mac);
    const base = (type: number, extra: Dhcpv4['options'] = []): Dhcpv4 => ({
      op: 1,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid,
      secs: 0,
      broadcast: true,
      ciaddr: '0.0.0.0',
      yiaddr: '0.0.0.0',
      siaddr: '0.0.0.0',
      giaddr: '0.0.0.0',
      chaddr,
      sname: '',
      file: '',
      options: [
        { kind: 'messageType', value: type },
        ...extra,
        { kind: 'parameterRequestList', value: [1, 3, 6, 26, 51] },
        { kind: 'end' },
      ],
    });
    const isReply = (type: number) => (f: Uint8Array) => {
      if (f.length < 42 + 240 || u16(f, 12) !== 0x0800 || f[23] !== 17 || u16(f, 36) !== 68) return false;
      try {
        const m = dhcpv4.decode(f, 42, { length: u16(f, 38) - 8 }).value;
        return m.xid === xid && m.options.some((o) => o.kind === 'messageType' && o.value === type);
      } catch {
        return false;
      }
    };
    const offerF = await this.exchange(this.wait(isReply(DhcpMessageType.offer), 'DHCPOFFER'), () =>
      this.send(
        this.frame(
          BROADCAST,
          0x0800,
          this.ipPacket(
            0,
            0xffffffff,
            17,
            this.udp(68, 67, 0, dhcpv4.encode(base(DhcpMessageType.discover))),
          ),
        ),
      ),
    );
    const offer = dhcpv4.decode(offerF, 42, { length: u16(offerF, 38) - 8 }).value;
    const serverId = offer.options.find((o) => o.kind === 'serverId');
    const req = base(DhcpMessageType.request, [
      { kind: 'requestedIp', value: offer.yiaddr },
      ...(serverId ? [serverId] : []),
    ]);
    const ackF = await this.exchange(this.wait(isReply(DhcpMessageType.ack), 'DHCPACK'), () =>
      this.send(
        this.frame(
          BROADCAST,
          0x0800,
          this.ipPacket(0, 0xffffffff, 17, this.udp(68, 67, 0, dhcpv4.encode(req))),
        ),
      ),
    );
    const ack = dhcpv4.decode(ackF, 42, { length: u16(ackF, 38) - 8 }).value;
    const lease: DhcpLease = { address: ack.yiaddr, prefixLen: 32, gateway: '', dns: [], serverId: '' };
    for (const o of ack.options) {
      if (o.kind === 'subnetMask') lease.prefixLen = maskLen(o.value);
      else if (o.kind === 'router') lease.gateway = o.value[0] ?? '';
      else if (o.kind === 'dnsServers') lease.dns = o.value;
      else if (o.kind === 'mtu') lease.mtu = o.value;
      else if (o.kind === 'leaseTime') lease.leaseSeconds = o.value;
      else if (o.kind === 'serverId') lease.serverId = o.value;
    }
    this.ip = ipv4Number(lease.address);
    this.prefixLen = lease.prefixLen;
    if (lease.gateway !== '') this.gateway = ipv4Number(lease.gateway);
    return lease;
  }
}

function macOfBytes(b: Uint8Array, at: number): number {
  return (
    (b[at]! * 0x10000 + ((b[at + 1]! << 8) | b[at + 2]!)) * 0x1000000 +
    ((b[at + 3]! << 16) | (b[at + 4]! << 8) | b[at + 5]!)
  );
}

function sameBytes(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

function macTextOf(mac: number): string {
  const b = new Uint8Array(6);
  putMac(b, 0, mac);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

function maskLen(mask: string): number {
  const n = ipv4Number(mask);
  let len = 0;
  while (len < 32 && n & (0x80000000 >>> len)) len++;
  return len;
}
