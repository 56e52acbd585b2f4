// The underlay: real UDP sockets on the host's underlay address, VXLAN on 4789 (RFC 7348 section 5) and
// MPLS over UDP on 6635 (RFC 7510 section 3).
//
// Receive: a datagram socket hands over only the UDP payload (VXLAN header or label stack, then the inner
// packet). It is copied into a ring buffer after the headroom and the outer IPv4 and UDP headers are
// rebuilt in front of it from the sender's address and port, so the one checked decoder (decapFastIp)
// handles socket input, captures and in-process tests alike.
//
// Send: the forwarder encapsulates a whole outer IPv4/UDP packet into headroom; the UDP payload goes out
// from a socket bound to the UDP source port the packet carries. RFC 7510 section 3 wants that port to be
// the flow's entropy in 49152-65535; a datagram socket cannot choose its source port per packet, so the
// underlay binds a pool of sockets on ports in that range and the forwarder maps each flow's tunnel source
// port (stored in its flow entry) onto one of them: constant within a flow, spread across flows, and the
// port in the packet is the port on the wire.

import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { FieldRangeError } from './errors.js';
import type { Forwarder } from './forwarder.js';
import { DropReason } from './metrics.js';
import { ipv4Number } from './nexthop.js';
import { HEADROOM } from './ring.js';

export const VXLAN_PORT = 4789;
export const MPLS_UDP_PORT = 6635;

export interface UnderlayOptions {
  /** Underlay IPv4 address to bind (for example 127.0.0.1). */
  address: string;
  /** Port the VXLAN socket binds and sends to (default 4789). */
  vxlanPort?: number;
  /** Port the MPLS over UDP socket binds and sends to (default 6635). */
  mplsPort?: number;
  /** Source-port sockets in 49152-65535 (default 16). */
  sourcePorts?: number;
  /**
   * Receive buffer of the VXLAN and MPLS sockets (default 4 MiB; the kernel caps it at net.core.rmem_max).
   * The default (about 200 KiB, a few hundred small datagrams) overflows whenever the process is off the
   * CPU for a few milliseconds at tens of thousands of packets/s, and the kernel drops what does not fit.
   */
  receiveBufferBytes?: number;
}

/**
 * Every address the underlay binds or sends to is an IPv4 literal (ipv4Number checks the local one, next
 * hops hold dotted quads), so it resolves at once. The default (dns.lookup) answers a literal on the next
 * tick: a tick and a closure per packet sent.
 */
function literalLookup(
  address: string,
  _options: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void {
  callback(null, address, 4);
}

function udpSocket(recvBufferSize?: number): Socket {
  const opts: SocketOptions = { type: 'udp4', lookup: literalLookup };
  if (recvBufferSize !== undefined) opts.recvBufferSize = recvBufferSize;
  return createSocket(opts);
}

function bind(sock: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    sock.once('error', onError);
    sock.bind(port, address, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

function close(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

export class Underlay {
  readonly address: string;
  readonly vxlanPort: number;
  readonly mplsPort: number;
  private readonly fw: Forwarder;
  private vxlan: Socket | null = null;
  private mpls: Socket | null = null;
  private pool: Socket[] = [];
  private poolPorts: number[] = [];
  private readonly byPort = new Int16Array(65536).fill(-1);
  private readonly addrCache = new Map<string, number>();
  private readonly under4: number;
  private readonly receiveBufferBytes: number;
  rxPackets = 0;
  txPackets = 0;
  sendErrors = 0;

  constructor(fw: Forwarder, opts: UnderlayOptions) {
    this.fw = fw;
    this.address = opts.address;
    this.under4 = ipv4Number(opts.address);
    this.vxlanPort = opts.vxlanPort ?? VXLAN_PORT;
    this.mplsPort = opts.mplsPort ?? MPLS_UDP_PORT;
    const rcvbuf = opts.receiveBufferBytes ?? 4 << 20;
    if (!Number.isInteger(rcvbuf) || rcvbuf < 1 || rcvbuf > 0x7fffffff)
      throw new FieldRangeError('underlay', 'receiveBufferBytes', rcvbuf, 1, 0x7fffffff);
    this.receiveBufferBytes = rcvbuf;
  }

  /** The source ports the pool is bound to. */
  get sourcePorts(): readonly number[] {
    return this.poolPorts;
  }

  /** Binds the receive sockets and the source-port pool, and plugs into the forwarder. */
  async open(sourcePorts = 16): Promise<void> {
    this.vxlan = udpSocket(this.receiveBufferBytes);
    this.mpls = udpSocket(this.receiveBufferBytes);
    try {
      await bind(this.vxlan, this.vxlanPort, this.address);
      await bind(this.mpls, this.mplsPort, this.address);
    } catch (e) {
      await close(this.vxlan);
      await close(this.mpls);
      this.vxlan = this.mpls = null;
      throw e;
    }
    this.vxlan.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port, VXLAN_PORT));
    this.mpls.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port, MPLS_UDP_PORT));
    await this.openPool(sourcePorts);
    this.fw.sourcePort = (flowPort) => this.poolPorts[flowPort % this.poolPorts.length]!;
    this.fw.send = (buf, start, length, nh) => {
      const sport = (buf[start + 20]! << 8) | buf[start + 21]!;
      const dport = (buf[start + 22]! << 8) | buf[start + 23]!;
      const k = this.byPort[sport]!;
      const sock = this.pool[Math.max(k, 0)]!;
      const remotePort = dport === VXLAN_PORT ? this.vxlanPort : this.mplsPort;
      this.txPackets++;
      sock.send(buf, start + 28, length - 28, remotePort, nh.dstText, this.onSent);
    };
  }

  private readonly onSent = (err: Error | null): void => {
    if (err) {
      this.sendErrors++;
      this.fw.counters.drop(DropReason.sendError);
    }
  };

  private async openPool(n: number): Promise<void> {
    for (let attempt = 0; attempt < 32; attempt++) {
      const base = 49152 + Math.floor(Math.random() * (16384 - n));
      const socks: Socket[] = [];
      try {
        for (let i = 0; i < n; i++) {
          const s = udpSocket();
          socks.push(s);
          await bind(s, base + i, this.address);
        }
      } catch {
        await Promise.all(socks.map(close));
        continue;
      }
      this.pool = socks;
      this.poolPorts = socks.map((_, i) => base + i);
      for (let i = 0; i < n; i++) this.byPort[base + i] = i;
      // Datagrams to the pool (there should be none) are read and dropped, never left queued.
      for (const s of socks) s.on('message', () => {});
      return;
    }
    throw new Error(`underlay: no free block of ${n} UDP ports in 49152-65535 on ${this.address}`);
  }

  private receive(msg: Uint8Array, from: string, fromPort: number, tunnelPort: number): void {
    this.rxPackets++;
    const fw = this.fw;
    const buf = fw.ring.next();
    const len = msg.length;
    if (len + HEADROOM > buf.length) {
      fw.counters.drop(DropReason.badTunnel);
      return;
    }
    buf.set(msg, HEADROOM);
    let src = this.addrCache.get(from);
    if (src === undefined) {
      src = ipv4Number(from);
      if (this.addrCache.size < 4096) this.addrCache.set(from, src);
    }
    const ip = HEADROOM - 28;
    const total = len + 28;
    buf[ip] = 0x45;
    buf[ip + 1] = 0;
    buf[ip + 2] = total >>> 8;
    buf[ip + 3] = total & 0xff;
    buf[ip + 4] = 0;
    buf[ip + 5] = 0;
    buf[ip + 6] = 0x40;
    buf[ip + 7] = 0;
    buf[ip + 8] = 64;
    buf[ip + 9] = 17;
    buf[ip + 10] = 0;
    buf[ip + 11] = 0;
    put32(buf, ip + 12, src);
    put32(buf, ip + 16, this.under4);
    const u = ip + 20;
    buf[u] = fromPort >>> 8;
    buf[u + 1] = fromPort & 0xff;
    buf[u + 2] = tunnelPort >>> 8;
    buf[u + 3] = tunnelPort & 0xff;
    buf[u + 4] = (len + 8) >>> 8;
    buf[u + 5] = (len + 8) & 0xff;
    buf[u + 6] = 0;
    buf[u + 7] = 0;
    fw.fromUnderlay(buf, ip, total);
  }

  async close(): Promise<void> {
    const all = [this.vxlan, this.mpls, ...this.pool].filter((s): s is Socket => s !== null);
    this.vxlan = this.mpls = null;
    this.pool = [];
    await Promise.all(all.map(close));
    this.fw.send = null;
  }
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
