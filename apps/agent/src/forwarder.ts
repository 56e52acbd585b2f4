// The per-packet pipeline of the user-space data plane, on Uint8Array frames in preallocated buffers with
// headroom (ring.ts); nothing is allocated per packet on the forwarding paths.
//
// From a local port (an Ethernet frame the workload sent):
//   ARP -> ARP proxy (arp-proxy.ts): answer from the gateway address or the IP->MAC bindings, else flood
//   ICMPv6 Neighbor Solicitation -> ND proxy (nd-proxy.ts) when the VRF routes the target, else as below
//   IPv4 UDP 67 -> DHCP server (dhcp-server.ts)
//   group destination MAC -> BUM ingress replication (bum.ts)
//   destination MAC = router MAC -> routed (L3): ICMP echo to the gateway (gateway.ts), else LPM
//   otherwise bridged (L2): MAC table
//   IP: 5-tuple (flowKeyFast), flow lookup; on a miss: egress ACL of the port (and ingress ACL of the
//   destination when it is local), next hop from the route/MAC table, install the forward and reverse
//   flows; then drop, or forward: local delivery, or encapsulation into headroom (VXLAN with the VNI for
//   bridged traffic, MPLS over UDP with the remote label for routed traffic, per the VN's priority list)
//   with the flow's tunnel source port, and send on the underlay.
// From the underlay (an outer IPv4 packet): decapFast; VXLAN: VRF by VNI, then router MAC -> LPM or MAC
//   table; MPLS: next hop by label; flow lookup, ingress ACL of the destination port on a miss; deliver.

import {
  checksumUpdate16,
  DecapMeta,
  decapFastIp,
  encapMplsUdp,
  encapVxlan,
  FastStatus,
  flowKeyFast,
  InnerKind,
  FlowKey as PacketKey,
  TunnelKind,
  TunnelParams,
} from '@filament/encap';
import { Action, FlowFlag, FlowKey, FlowTable, type FlowTableOptions, rewriteIpv4 } from '@filament/flow';
import { Decision, evaluate, FiveTuple } from '@filament/policy';
import { handleArp } from './arp-proxy.js';
import { flood } from './bum.js';
import { handleDhcp } from './dhcp-server.js';
import { answerGateway } from './gateway.js';
import { LabelTable } from './label-table.js';
import { isGroupMac, macEquals, macHi, macLo, putMac } from './mac-table.js';
import { Counters, DropReason } from './metrics.js';
import { answerSolicitation } from './nd-proxy.js';
import { EncapCode, type NextHop, NextHopKind, NextHopTable, NH_RESOLVE } from './nexthop.js';
import type { Port } from './ports.js';
import { HEADROOM, PacketRing } from './ring.js';
import { VniTable } from './vni-table.js';
import type { Vrf } from './vrf.js';

const ETH_IPV4 = 0x0800;
const ETH_ARP = 0x0806;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;

/** Sends an outer IPv4 packet `buf[start, start + length)` (IP/UDP/tunnel/inner) to the remote of `nh`. */
export type UnderlaySend = (buf: Uint8Array, start: number, length: number, nh: NextHop) => void;

export interface ForwarderOptions {
  /** The agent's router MAC (the distributed gateway's MAC), as a 48-bit number. */
  routerMac: number;
  /** The underlay IPv4 address, as a number. */
  underlay4: number;
  flow?: FlowTableOptions;
  /** Packet buffers in the ring (each 2,048 bytes with 128 bytes of headroom). Default 1,024. */
  ringSlots?: number;
  /** Labels available for allocation. Default 65,536. */
  labels?: number;
  /** Millisecond clock that `tick()` reads for flow aging. Default performance.now(). */
  clock?: () => number;
}

export class Forwarder {
  readonly routerMac: number;
  readonly underlay4: number;
  private readonly routerHi: number;
  private readonly routerLo: number;
  readonly ports: (Port | undefined)[] = [undefined];
  readonly vrfs: (Vrf | undefined)[] = [];
  readonly nexthops = new NextHopTable();
  readonly labels: LabelTable;
  readonly vnis = new VniTable();
  readonly flows: FlowTable;
  readonly counters = new Counters();
  readonly ring: PacketRing;
  /** Underlay transmit; set by the underlay (or a test). Without one, tunnel packets drop as send_error. */
  send: UnderlaySend | null = null;
  /** Maps a flow's tunnel source port (49152..65535) to the one the underlay can send from. */
  sourcePort: (flowPort: number) => number = (p) => p;
  /** Sees every tunnel packet sent (for captures); it must copy what it keeps. */
  onTunnelTx: ((buf: Uint8Array, start: number, length: number) => void) | null = null;

  private readonly clock: () => number;
  /**
   * The flow clock (ms), advanced by `tick()` from a timer rather than read per packet: reading a clock
   * per packet costs a heap number each time, and aging needs no finer resolution than the tick.
   */
  now = 0;
  private readonly meta = new DecapMeta();
  private readonly pkey = new PacketKey();
  private readonly fkey = new FlowKey();
  /** The NAT tuple to install, and the one to write into a packet (rewriteKey). */
  private readonly natKey = new FlowKey();
  private readonly rkey = new FlowKey();
  private readonly tuple = new FiveTuple();
  private readonly decision = new Decision();
  private readonly params = new TunnelParams();
  private ipId = 0;

  constructor(opts: ForwarderOptions) {
    this.routerMac = opts.routerMac;
    this.routerHi = macHi(opts.routerMac);
    this.routerLo = macLo(opts.routerMac);
    this.underlay4 = opts.underlay4;
    this.flows = new FlowTable({ capacity: 65536, ...opts.flow });
    this.ring = new PacketRing(opts.ringSlots ?? 1024);
    this.labels = new LabelTable(opts.labels ?? 65536);
    this.clock = opts.clock ?? (() => Math.floor(performance.now()));
    this.params.src4 = opts.underlay4;
    this.tick();
  }

  /** Advances the flow clock; returns it. */
  tick(): number {
    this.now = Math.floor(this.clock()) >>> 0;
    return this.now;
  }

  /** Ages flows: advances the clock and visits at most `budget` flow entries (see FlowTable.sweep). */
  age(budget = 4096): number {
    return this.flows.sweep(this.tick(), budget);
  }

  // ---------------------------------------------------------------- from a local port

  /** A frame from the workload on port `vif`: copied into a ring buffer, then processed. */
  fromPort(vif: number, frame: Uint8Array, offset = 0, length = frame.length - offset): void {
    const buf = this.ring.next();
    if (length > buf.length - HEADROOM) {
      this.counters.drop(DropReason.runt);
      return;
    }
    if (offset === 0 && length === frame.length) buf.set(frame, HEADROOM);
    else for (let i = 0; i < length; i++) buf[HEADROOM + i] = frame[offset + i]!;
    this.processPort(vif, buf, HEADROOM, length);
  }

  /** Processes a frame already in a buffer with at least HEADROOM bytes before `off`. */
  processPort(vif: number, buf: Uint8Array, off: number, len: number): void {
    const c = this.counters;
    const port = this.ports[vif];
    if (port === undefined) {
      c.drop(DropReason.unknownPort);
      return;
    }
    if (!port.up) {
      c.drop(DropReason.portDown);
      return;
    }
    port.rxPackets++;
    port.rxBytes += len;
    if (len < 14) {
      c.drop(DropReason.runt);
      return;
    }
    const vrf = this.vrfs[port.vrf];
    if (vrf === undefined) {
      c.drop(DropReason.unknownPort);
      return;
    }
    const type = (buf[off + 12]! << 8) | buf[off + 13]!;
    if (type === ETH_ARP) {
      handleArp(this, port, vrf, buf, off, len);
      return;
    }
    if (type === ETH_VLAN) {
      c.drop(DropReason.vlanTagged);
      return;
    }
    if (type !== ETH_IPV4 && type !== ETH_IPV6) {
      if (isGroupMac(buf, off)) {
        flood(this, vrf, port.index, buf, off, len, false);
        return;
      }
      this.bridgeNonIp(vrf, buf, off, len);
      return;
    }
    const key = this.pkey;
    if (flowKeyFast(buf, off, len, key, true) !== FastStatus.ok) {
      c.drop(DropReason.badIp);
      return;
    }
    // The IP packet's own length (frames may carry Ethernet padding).
    const ipLen =
      type === ETH_IPV4
        ? (buf[off + 16]! << 8) | buf[off + 17]!
        : 40 + ((buf[off + 18]! << 8) | buf[off + 19]!);
    len = 14 + ipLen;
    if (key.protocol === 17 && key.dstPort === 67 && key.ipVersion === 4) {
      handleDhcp(this, port, vrf, buf, off, len);
      return;
    }
    // ICMPv6 Neighbor Solicitation the VRF can answer (nd-proxy.ts); the rest is flooded or forwarded.
    if (key.protocol === 58 && key.ipVersion === 6 && answerSolicitation(this, port, vrf, buf, off, len))
      return;
    if (isGroupMac(buf, off)) {
      flood(this, vrf, port.index, buf, off, len, false);
      return;
    }
    const l3 = macEquals(buf, off, this.routerHi, this.routerLo);
    if (l3 && key.ipVersion === 4 && (key.dst4 === port.gateway4 || vrf.gateways.has(key.dst4))) {
      answerGateway(this, port, buf, off, len);
      return;
    }

    let fi = this.lookupFlow(vrf.id);
    const now = this.now;
    if (fi < 0) {
      c.flowMiss++;
      fi = this.setupFromPort(port, vrf, buf, off, l3, now);
      if (fi < 0) return; // counted
    } else c.flowHit++;
    this.flows.hit(fi, now, len, key.protocol === 6 ? buf[key.l4Offset + 13]! : 0);
    const action = this.flows.action(fi);
    if (action === Action.DROP) {
      c.drop(DropReason.policy);
      return;
    }
    let out = vrf;
    if (action === Action.NAT) {
      const to = this.translate(fi, buf, off);
      if (to === undefined) return;
      out = to;
    }
    let nhId = this.flows.nextHop(fi);
    if (nhId === NH_RESOLVE) nhId = this.resolveIn(out, buf, off, l3);
    if (l3 && !this.decrementTtl(buf, off)) return;
    this.forward(out, buf, off, len, nhId, l3, fi, false);
  }

  /**
   * Applies a NAT flow's rewrite to the IPv4 packet in the frame at `off` (addresses, ports or ICMP
   * identifier, checksums patched per RFC 1624) and returns the VRF the packet continues in.
   */
  /** The flow of the packet whose 5-tuple is in `pkey`, in VRF `vrfId`: its index, or negative on a miss. */
  private lookupFlow(vrfId: number): number {
    const key = this.pkey;
    if (key.ipVersion !== 4) return this.flows.lookup(this.fkey.setFromTuple(vrfId, key));
    // ICMP echo: the identifier stands in both port positions.
    const dstPort = key.protocol === 1 ? key.srcPort : key.dstPort;
    return this.flows.lookupV4(vrfId, key.protocol, key.src4, key.dst4, key.srcPort, dstPort);
  }

  private translate(fi: number, buf: Uint8Array, off: number): Vrf | undefined {
    const k = this.rkey;
    if (!this.flows.rewriteKey(fi, k)) {
      this.counters.drop(DropReason.badIp);
      return undefined;
    }
    // A VRF translation alone (between VNs of this agent) leaves the packet as it is, IPv4 or IPv6.
    if ((this.flows.flags(fi) & (FlowFlag.SNAT | FlowFlag.DNAT)) !== 0) {
      if (k.family !== 4) {
        this.counters.drop(DropReason.badIp);
        return undefined;
      }
      try {
        rewriteIpv4(buf, off + 14, k, checksumUpdate16);
      } catch {
        this.counters.drop(DropReason.badIp);
        return undefined;
      }
      this.counters.natPackets++;
    }
    const to = this.vrfs[k.vrf];
    if (to === undefined) this.counters.drop(DropReason.noRoute);
    return to;
  }

  /** Route or MAC lookup of the (possibly rewritten) packet's destination in `vrf`, read from the frame. */
  private resolveIn(vrf: Vrf, buf: Uint8Array, off: number, l3: boolean): number {
    if (!l3) return vrf.macs.lookupAt(buf, off);
    if (this.pkey.ipVersion === 6) return vrf.lpm6.lookup(buf, off + 14 + 24);
    const d = off + 14 + 16;
    return vrf.lpm4.lookup4(((buf[d]! << 24) | (buf[d + 1]! << 16) | (buf[d + 2]! << 8) | buf[d + 3]!) >>> 0);
  }

  /** First packet of a flow from a port: policy, next hop, install the pair. Returns the flow or -1. */
  private setupFromPort(
    port: Port,
    vrf: Vrf,
    buf: Uint8Array,
    off: number,
    l3: boolean,
    now: number,
  ): number {
    const key = this.pkey;
    let nhId = this.resolve(vrf, buf, off, l3);
    let nat: FlowKey | undefined;
    if (nhId < 0 && l3 && port.fipVrf >= 0 && key.ipVersion === 4) {
      // Not routed in the port's VRF: the floating IP's VRF may route it, leaving from the floating IP.
      const fvrf = this.vrfs[port.fipVrf];
      const fnh = fvrf !== undefined ? fvrf.lpm4.lookup4(key.dst4) : -1;
      if (fnh >= 0 && fnh !== port.fipNextHop) {
        nhId = fnh;
        const dport = key.protocol === 1 || key.protocol === 58 ? key.srcPort : key.dstPort;
        nat = this.natKey.setV4(port.fipVrf, key.protocol, port.fip4, key.dst4, key.srcPort, dport);
      }
    }
    let action: Action = Action.FORWARD;
    if (!this.allowed(port, key, 'egress')) action = Action.DROP;
    else if (nhId >= 0) {
      const nh = this.nexthops.at(nhId);
      if (nh?.kind === NextHopKind.interface) {
        const dst = this.ports[nh.port];
        if (dst && !this.allowed(dst, key, 'ingress')) action = Action.DROP;
        // A port of another VN on this agent (a route leaked by policy): the pair translates the VRF, so
        // the reverse flow is keyed in the destination's VRF, where the reply looks (TF's VRF translation).
        if (dst && nat === undefined && nh.vrf < 0 && dst.vrf !== vrf.id)
          nat = this.natKey.setFromTuple(dst.vrf, key);
      }
    }
    if (nhId < 0) {
      this.counters.drop(l3 ? DropReason.noRoute : DropReason.noMac);
      return -1;
    }
    const fi = this.flows.insertPair(this.fkey.setFromTuple(vrf.id, key), {
      action,
      nextHop: nhId,
      reverseNextHop: port.nextHop,
      vif: port.index,
      reverseVif:
        nhId >= 0 && this.nexthops.at(nhId)?.kind === NextHopKind.interface
          ? this.nexthops.at(nhId)!.port
          : 0,
      nat,
      now,
    });
    if (fi < 0) {
      this.counters.drop(DropReason.flowTableFull);
      return -1;
    }
    this.counters.flowsCreated++;
    return fi;
  }

  /** Next hop for the packet's destination: LPM when routed, MAC table when bridged; -1 when none. */
  private resolve(vrf: Vrf, buf: Uint8Array, off: number, l3: boolean): number {
    const key = this.pkey;
    if (!l3) return vrf.macs.lookupAt(buf, off);
    return key.ipVersion === 4 ? vrf.lpm4.lookup4(key.dst4) : vrf.lpm6.lookup(key.dst, 0);
  }

  private allowed(port: Port, key: PacketKey, direction: 'ingress' | 'egress'): boolean {
    const acl = port.acl;
    if (acl === null) return true;
    const t = this.tuple;
    t.family = key.ipVersion === 6 ? 6 : 4;
    if (key.ipVersion === 4) {
      t.src[0] = key.src4;
      t.dst[0] = key.dst4;
    } else {
      for (let w = 0; w < 4; w++) {
        const i = w * 4;
        t.src[w] =
          ((key.src[i]! << 24) | (key.src[i + 1]! << 16) | (key.src[i + 2]! << 8) | key.src[i + 3]!) >>> 0;
        t.dst[w] =
          ((key.dst[i]! << 24) | (key.dst[i + 1]! << 16) | (key.dst[i + 2]! << 8) | key.dst[i + 3]!) >>> 0;
      }
    }
    t.protocol = key.protocol;
    t.srcPort = key.srcPort;
    t.dstPort = key.dstPort;
    t.direction = direction;
    return evaluate(acl, t, this.decision).action === 'pass';
  }

  /** IPv4 TTL / IPv6 hop limit decrement for routed packets (RFC 1624 checksum update). */
  private decrementTtl(buf: Uint8Array, off: number): boolean {
    const ip = off + 14;
    if (this.pkey.ipVersion === 6) {
      if (buf[ip + 7]! <= 1) {
        this.counters.drop(DropReason.ttlExpired);
        return false;
      }
      buf[ip + 7]!--;
      return true;
    }
    const ttl = buf[ip + 8]!;
    if (ttl <= 1) {
      this.counters.drop(DropReason.ttlExpired);
      return false;
    }
    const proto = buf[ip + 9]!;
    const sum = (buf[ip + 10]! << 8) | buf[ip + 11]!;
    const nsum = checksumUpdate16(sum, (ttl << 8) | proto, ((ttl - 1) << 8) | proto);
    buf[ip + 8] = ttl - 1;
    buf[ip + 10] = nsum >>> 8;
    buf[ip + 11] = nsum & 0xff;
    return true;
  }

  /** Sends the frame at `buf[off, off+len)` to next hop `nhId`. `fromFabric`: never back to the underlay. */
  forward(
    vrf: Vrf,
    buf: Uint8Array,
    off: number,
    len: number,
    nhId: number,
    l3: boolean,
    fi: number,
    fromFabric: boolean,
  ): void {
    const c = this.counters;
    let nh = this.nexthops.at(nhId);
    if (nh !== undefined && nh.kind === NextHopKind.ecmp && nh.group !== null) {
      const member = fi >= 0 ? this.flows.ecmp(fi, nh.group) : 0;
      nh = this.nexthops.at(nh.group.nextHop(member));
    }
    if (nh === undefined) {
      c.drop(l3 ? DropReason.noRoute : DropReason.noMac);
      return;
    }
    switch (nh.kind) {
      case NextHopKind.interface: {
        const port = this.ports[nh.port];
        if (port === undefined) {
          c.drop(DropReason.unknownPort);
          return;
        }
        if (l3) {
          putMac(buf, off, port.mac);
          putMac(buf, off + 6, this.routerMac);
        }
        this.deliver(port, buf, off, len);
        return;
      }
      case NextHopKind.tunnel:
        if (fromFabric) {
          c.drop(DropReason.loop);
          return;
        }
        this.encapSend(vrf, buf, off, len, nh, l3, fi);
        return;
      case NextHopKind.bum:
        flood(this, vrf, -1, buf, off, len, fromFabric);
        return;
      default:
        c.drop(DropReason.discard);
        return;
    }
  }

  /** Delivers a frame to a local port (counted). */
  deliver(port: Port, buf: Uint8Array, off: number, len: number): void {
    if (!port.up) {
      this.counters.drop(DropReason.portDown);
      return;
    }
    port.txPackets++;
    port.txBytes += len;
    port.deliver(buf, off, len);
  }

  /** Encapsulates into the headroom per the VN's priority list and sends on the underlay. */
  encapSend(vrf: Vrf, buf: Uint8Array, off: number, len: number, nh: NextHop, l3: boolean, fi: number): void {
    const c = this.counters;
    const prio = l3 ? vrf.encapL3 : vrf.encapL2;
    let code: number = EncapCode.none;
    for (let i = 0; i < prio.length && code === EncapCode.none; i++) {
      const e = prio[i];
      if (!nh.encaps.includes(e!)) continue;
      if (e === 'vxlan' && (nh.vni >= 0 || vrf.vni >= 0) && (!l3 || nh.routerMac !== 0))
        code = EncapCode.vxlan;
      else if (e === 'mpls-udp' && l3 && nh.label >= 0) code = EncapCode.mplsUdp;
    }
    if (code === EncapCode.none) {
      c.drop(DropReason.noEncap);
      return;
    }
    const p = this.params;
    p.dst4 = nh.dst4;
    p.ipId = this.ipId = (this.ipId + 1) & 0xffff;
    p.srcPort = fi >= 0 ? this.sourcePort(this.flows.tunnelSourcePort(fi)) : 0;
    let start: number;
    if (code === EncapCode.vxlan) {
      if (off < 36) {
        c.drop(DropReason.headroom);
        return;
      }
      if (l3) {
        putMac(buf, off, nh.routerMac);
        putMac(buf, off + 6, this.routerMac);
      }
      p.vni = nh.vni >= 0 ? nh.vni : vrf.vni;
      start = encapVxlan(buf, off, len, p);
    } else {
      if (off + 14 < 32) {
        c.drop(DropReason.headroom);
        return;
      }
      p.labelCount = 1;
      p.labels[0] = nh.label;
      p.innerEthernet = false;
      start = encapMplsUdp(buf, off + 14, len - 14, p);
    }
    c.tunnelTx[code]!++;
    const total = off + len - start;
    if (this.onTunnelTx !== null) this.onTunnelTx(buf, start, total);
    if (this.send === null) {
      c.drop(DropReason.sendError);
      return;
    }
    this.send(buf, start, total, nh);
  }

  private bridgeNonIp(vrf: Vrf, buf: Uint8Array, off: number, len: number): void {
    const nhId = vrf.macs.lookupAt(buf, off);
    if (nhId < 0) {
      flood(this, vrf, -1, buf, off, len, false);
      return;
    }
    this.forward(vrf, buf, off, len, nhId, false, -1, false);
  }

  // ---------------------------------------------------------------- from the underlay

  /** An outer IPv4 packet from the underlay (the socket layer rebuilds IP/UDP in front of the payload). */
  fromUnderlay(buf: Uint8Array, off: number, len: number): void {
    const c = this.counters;
    const meta = this.meta;
    if (decapFastIp(buf, off, len, meta) !== FastStatus.ok) {
      c.drop(DropReason.badTunnel);
      return;
    }
    let io = meta.innerOffset;
    let il = meta.innerLength;
    let vrf: Vrf | undefined;
    let l3: boolean;
    let nhId: number;
    if (meta.tunnel === TunnelKind.vxlan) {
      c.tunnelRx[EncapCode.vxlan]!++;
      const vrfId = this.vnis.lookup(meta.vni);
      vrf = vrfId >= 0 ? this.vrfs[vrfId] : undefined;
      if (vrf === undefined) {
        c.drop(DropReason.unknownVni);
        return;
      }
      if (il < 14) {
        c.drop(DropReason.runt);
        return;
      }
      if (isGroupMac(buf, io)) {
        flood(this, vrf, -1, buf, io, il, true);
        return;
      }
      const type = (buf[io + 12]! << 8) | buf[io + 13]!;
      l3 = macEquals(buf, io, this.routerHi, this.routerLo);
      if (type !== ETH_IPV4 && type !== ETH_IPV6) {
        nhId = vrf.macs.lookupAt(buf, io);
        if (nhId < 0) {
          c.drop(DropReason.noMac);
          return;
        }
        this.forward(vrf, buf, io, il, nhId, false, -1, true);
        return;
      }
      if (flowKeyFast(buf, io, il, this.pkey, true) !== FastStatus.ok) {
        c.drop(DropReason.badIp);
        return;
      }
      nhId = -2; // looked up on a flow miss only
    } else if (meta.tunnel === TunnelKind.mplsUdp) {
      c.tunnelRx[EncapCode.mplsUdp]!++;
      nhId = this.labels.lookup(meta.labels[0]!);
      const nh = nhId >= 0 ? this.nexthops.at(nhId) : undefined;
      if (nh === undefined || nh.kind !== NextHopKind.interface) {
        c.drop(DropReason.unknownLabel);
        return;
      }
      const port = this.ports[nh.port];
      vrf = port !== undefined ? this.vrfs[nh.vrf >= 0 ? nh.vrf : port.vrf] : undefined;
      if (port === undefined || vrf === undefined) {
        c.drop(DropReason.unknownLabel);
        return;
      }
      const kind = meta.innerKind;
      if (kind !== InnerKind.ipv4 && kind !== InnerKind.ipv6) {
        c.drop(DropReason.badTunnel);
        return;
      }
      // The inner IP packet gets an Ethernet header in the bytes the label stack used.
      io -= 14;
      il += 14;
      putMac(buf, io, port.mac);
      putMac(buf, io + 6, this.routerMac);
      buf[io + 12] = kind === InnerKind.ipv4 ? 0x08 : 0x86;
      buf[io + 13] = kind === InnerKind.ipv4 ? 0x00 : 0xdd;
      l3 = true;
      if (flowKeyFast(buf, io, il, this.pkey, true) !== FastStatus.ok) {
        c.drop(DropReason.badIp);
        return;
      }
    } else {
      c.drop(DropReason.badTunnel);
      return;
    }

    const key = this.pkey;
    let fi = this.lookupFlow(vrf.id);
    const now = this.now;
    if (fi < 0) {
      c.flowMiss++;
      if (nhId === -2) nhId = l3 ? this.resolve(vrf, buf, io, true) : vrf.macs.lookupAt(buf, io);
      const nh = nhId >= 0 ? this.nexthops.at(nhId) : undefined;
      if (nh === undefined) {
        c.drop(l3 ? DropReason.noRoute : DropReason.noMac);
        return;
      }
      if (nh.kind !== NextHopKind.interface) {
        c.drop(DropReason.loop);
        return;
      }
      const port = this.ports[nh.port];
      if (port === undefined) {
        c.drop(DropReason.unknownPort);
        return;
      }
      let nat: FlowKey | undefined;
      let deliverNh = nhId;
      if (nh.vrf >= 0 && key.ipVersion === 4 && key.dst4 === port.fip4) {
        // To a floating IP: translated to the port's own address in its own VRF.
        const dport = key.protocol === 1 ? key.srcPort : key.dstPort;
        nat = this.natKey.setV4(port.vrf, key.protocol, key.src4, port.ip4, key.srcPort, dport);
        deliverNh = port.nextHop;
      }
      const back = l3
        ? key.ipVersion === 4
          ? vrf.lpm4.lookup4(key.src4)
          : vrf.lpm6.lookup(key.src, 0)
        : vrf.macs.lookupAt(buf, io + 6);
      let ok: boolean;
      if (nat !== undefined) {
        // The port's ACL speaks of its own address: evaluate the translated tuple.
        const dst4 = key.dst4;
        key.dst4 = port.ip4;
        ok = this.allowed(port, key, 'ingress');
        key.dst4 = dst4;
      } else ok = this.allowed(port, key, 'ingress');
      fi = this.flows.insertPair(this.fkey.setFromTuple(vrf.id, key), {
        action: ok ? Action.FORWARD : Action.DROP,
        nextHop: deliverNh,
        reverseNextHop: back >= 0 ? back : NH_RESOLVE,
        vif: 0,
        reverseVif: port.index,
        nat,
        now,
      });
      if (fi < 0) {
        c.drop(DropReason.flowTableFull);
        return;
      }
      c.flowsCreated++;
    } else c.flowHit++;
    this.flows.hit(fi, now, il, key.protocol === 6 ? buf[key.l4Offset + 13]! : 0);
    const action = this.flows.action(fi);
    if (action === Action.DROP) {
      c.drop(DropReason.policy);
      return;
    }
    if (action === Action.NAT) {
      const to = this.translate(fi, buf, io);
      if (to === undefined) return;
      vrf = to;
    }
    // No TTL decrement here: the distributed router is one hop, and the ingress agent already decremented.
    this.forward(vrf, buf, io, il, this.flows.nextHop(fi), l3, fi, true);
  }
}
