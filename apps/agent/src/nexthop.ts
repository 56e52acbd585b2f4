// Next hops, as the vRouter has them (dp-core/vr_nexthop.c): a route, MAC entry, label or flow points to
// a next hop id; the id indexes this table, so per packet the forwarder reads one object by index.
//
//   kind        forwards to                                   carries
//   discard     nowhere (counted drop)                        -
//   receive     the agent itself (gateway ICMP, DHCP)         -
//   interface   a local port                                  port index, MAC
//   tunnel      a remote agent over the underlay              underlay address, label, VNI, router MAC,
//                                                             encapsulations the remote supports
//   ecmp        one member per flow (sticky, @filament/flow)  EcmpGroup of member next hop ids
//   bum         every member (ingress replication)            member next hop ids (bum.ts)
//   resolve     looked up per packet (a flow's unknown return path)

import { EcmpGroup } from '@filament/flow';
import { FieldRangeError, UnknownObjectError } from './errors.js';

export const NextHopKind = {
  discard: 0,
  receive: 1,
  interface: 2,
  tunnel: 3,
  ecmp: 4,
  bum: 5,
  resolve: 6,
} as const;
export type NextHopKind = (typeof NextHopKind)[keyof typeof NextHopKind];

/** Tunnel encapsulations, named as in Tungsten Fabric's encapsulation priority list. */
export type Encap = 'vxlan' | 'mpls-udp' | 'mpls-gre';
export const EncapCode = { none: 0, vxlan: 1, mplsUdp: 2, mplsGre: 3 } as const;

/** Fixed ids every table has. */
export const NH_DISCARD = 0;
export const NH_RECEIVE = 1;
/** A flow's next hop that is looked up per packet (the return path was unknown when the flow was made). */
export const NH_RESOLVE = 2;

export class NextHop {
  readonly id: number;
  readonly kind: NextHopKind;
  /** interface: the local port index. */
  port = -1;
  /**
   * interface: the VRF that packets arriving with this next hop's label belong to, when it is not the
   * port's own (a floating IP's next hop lives in the floating IP's VRF); -1 for the port's VRF.
   */
  vrf = -1;
  /** tunnel: remote underlay IPv4 address as a number and as text (the socket API takes text). */
  dst4 = 0;
  dstText = '';
  /** tunnel: the MPLS label the remote allocated for the destination, or -1. */
  label = -1;
  /** tunnel: VXLAN network identifier, or -1. */
  vni = -1;
  /** tunnel: the remote's router MAC (inner destination for routed VXLAN), as a 48-bit number. */
  routerMac = 0;
  /** tunnel: encapsulations the remote end accepts. */
  encaps: readonly Encap[] = [];
  /** ecmp: the sticky member group; bum: the replication list. */
  group: EcmpGroup | null = null;
  members: number[] = [];
  /** Routes, MAC entries and labels pointing here. */
  refs = 0;

  constructor(id: number, kind: NextHopKind) {
    this.id = id;
    this.kind = kind;
  }

  describe(): Record<string, unknown> {
    const kind = Object.entries(NextHopKind).find(([, v]) => v === this.kind)?.[0];
    const o: Record<string, unknown> = { id: this.id, kind };
    if (this.kind === NextHopKind.interface) o.port = this.port;
    if (this.kind === NextHopKind.tunnel) {
      o.dst = this.dstText;
      if (this.label >= 0) o.label = this.label;
      if (this.vni >= 0) o.vni = this.vni;
      o.encaps = this.encaps;
    }
    if (this.kind === NextHopKind.ecmp || this.kind === NextHopKind.bum) o.members = this.members;
    return o;
  }
}

export interface TunnelSpec {
  /** Remote underlay IPv4 address. */
  dst: string;
  label?: number;
  vni?: number;
  /** Remote router MAC as a 48-bit number (routed VXLAN). */
  routerMac?: number;
  encaps: readonly Encap[];
}

/** The next hop table: ids are dense indexes; tunnel and interface next hops are shared by key. */
export class NextHopTable {
  private readonly list: (NextHop | undefined)[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly free: number[] = [];

  constructor() {
    this.list.push(
      new NextHop(NH_DISCARD, NextHopKind.discard),
      new NextHop(NH_RECEIVE, NextHopKind.receive),
      new NextHop(NH_RESOLVE, NextHopKind.resolve),
    );
  }

  /** The next hop with this id (throws for an unknown id: control path). */
  get(id: number): NextHop {
    const nh = this.list[id];
    if (!nh) throw new UnknownObjectError('nexthop', 'id', id);
    return nh;
  }

  /** Per-packet access: the next hop or undefined. */
  at(id: number): NextHop | undefined {
    return this.list[id];
  }

  get size(): number {
    return this.list.length - this.free.length;
  }

  *all(): IterableIterator<NextHop> {
    for (const nh of this.list) if (nh) yield nh;
  }

  /** The interface next hop of a port (one per port). */
  iface(port: number): NextHop {
    return this.shared(`if:${port}`, NextHopKind.interface, (nh) => {
      nh.port = port;
    });
  }

  /** The next hop of a port's floating IP in another VRF (not shared: one per floating IP). */
  floating(port: number, vrf: number): NextHop {
    const nh = this.create(NextHopKind.interface);
    nh.port = port;
    nh.vrf = vrf;
    return nh;
  }

  /** A tunnel next hop, shared by every route with the same remote, label, VNI and encapsulations. */
  tunnel(spec: TunnelSpec): NextHop {
    const label = spec.label ?? -1;
    const vni = spec.vni ?? -1;
    if (label !== -1 && (!Number.isInteger(label) || label < 16 || label > 0xfffff))
      throw new FieldRangeError('nexthop', 'label', label, 16, 0xfffff);
    if (vni !== -1 && (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff))
      throw new FieldRangeError('nexthop', 'vni', vni, 1, 0xffffff);
    const dst4 = ipv4Number(spec.dst);
    const key = `tun:${spec.dst}:${label}:${vni}:${spec.routerMac ?? 0}:${spec.encaps.join(',')}`;
    return this.shared(key, NextHopKind.tunnel, (nh) => {
      nh.dst4 = dst4;
      nh.dstText = spec.dst;
      nh.label = label;
      nh.vni = vni;
      nh.routerMac = spec.routerMac ?? 0;
      nh.encaps = [...spec.encaps];
    });
  }

  /** An ECMP composite over member next hop ids; flows stick to a member (EcmpGroup). */
  ecmp(members: readonly number[]): NextHop {
    for (const m of members) this.get(m);
    const key = `ecmp:${[...members].sort((a, b) => a - b).join(',')}`;
    return this.shared(key, NextHopKind.ecmp, (nh) => {
      nh.members = [...members];
      nh.group = new EcmpGroup(members);
      for (const m of members) this.get(m).refs++;
    });
  }

  /** A BUM composite (replication list); not shared: each VRF owns its own and edits it. */
  bum(): NextHop {
    return this.create(NextHopKind.bum);
  }

  /**
   * Drops one reference; frees a next hop nobody points to (never the fixed ones) and calls `onFree` with
   * each id freed (ECMP members too), so the owner can remove flows that still name it.
   */
  release(id: number, onFree?: (id: number) => void): void {
    const nh = this.list[id];
    if (!nh || id <= NH_RESOLVE) return;
    nh.refs--;
    if (nh.refs > 0) return;
    for (const [k, v] of this.byKey) if (v === id) this.byKey.delete(k);
    if (nh.kind === NextHopKind.ecmp) for (const m of nh.members) this.release(m, onFree);
    this.list[id] = undefined;
    this.free.push(id);
    onFree?.(id);
  }

  private shared(key: string, kind: NextHopKind, init: (nh: NextHop) => void): NextHop {
    const id = this.byKey.get(key);
    if (id !== undefined) return this.list[id]!;
    const nh = this.create(kind);
    init(nh);
    this.byKey.set(key, nh.id);
    return nh;
  }

  private create(kind: NextHopKind): NextHop {
    const id = this.free.pop() ?? this.list.length;
    const nh = new NextHop(id, kind);
    this.list[id] = nh;
    return nh;
  }
}

/** Dotted quad to an unsigned 32-bit number (control path). */
export function ipv4Number(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) throw new FieldRangeError('address', text, Number.NaN, 0, 0xffffffff);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) throw new FieldRangeError('address', text, b, 0, 255);
    n = n * 256 + b;
  }
  return n;
}
