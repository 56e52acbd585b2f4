// The agent: the forwarding tables and data plane of one compute node, with the API a controller (or a
// test acting as one) installs state through: VRFs, ports, routes, MAC/IP entries and BUM peers. It owns
// the underlay sockets and the introspect/metrics HTTP endpoint.

import type { AclMatcher } from '@filament/policy';
import {
  DuplicateObjectError,
  InvalidPrefixError,
  ObjectInUseError,
  TableFullError,
  UnknownObjectError,
} from './errors.js';

/** Port indexes are flow-table interface ids (vif), below the flow table's default 4,096. */
const MAX_PORTS = 4096;

import { Forwarder, type ForwarderOptions } from './forwarder.js';
import { Introspect } from './introspect.js';
import { macFromText, macText } from './mac-table.js';
import { type Encap, ipv4Number, NextHopKind, NH_DISCARD, type TunnelSpec } from './nexthop.js';
import { Port, type PortSpec } from './ports.js';
import { Underlay, type UnderlayOptions } from './underlay.js';
import { parsePrefix, Vrf } from './vrf.js';

/** Where a route or MAC entry points. */
export type RouteTarget =
  | { port: string }
  | { tunnel: TunnelSpec }
  | { ecmp: RouteTarget[] }
  | { discard: true };

export interface VrfSpec {
  name: string;
  vni?: number;
  /** Distributed gateway addresses of the VN's subnets. */
  gateways?: string[];
  encapL2?: Encap[];
  encapL3?: Encap[];
}

export interface AgentOptions {
  name: string;
  /** Underlay IPv4 address. */
  underlay: string;
  /** Router MAC (default 00:00:5e:00:01:00, the vRouter's). */
  routerMac?: string;
  flow?: ForwarderOptions['flow'];
  ringSlots?: number;
}

export class Agent {
  readonly name: string;
  readonly underlayAddress: string;
  readonly fw: Forwarder;
  underlay: Underlay | null = null;
  introspect: Introspect | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly vrfByName = new Map<string, Vrf>();
  private readonly portByName = new Map<string, Port>();
  private batchDepth = 0;
  private readonly freedInBatch = new Set<number>();

  constructor(opts: AgentOptions) {
    this.name = opts.name;
    this.underlayAddress = opts.underlay;
    const fo: ForwarderOptions = {
      routerMac: macFromText(opts.routerMac ?? '00:00:5e:00:01:00'),
      underlay4: ipv4Number(opts.underlay),
    };
    if (opts.flow !== undefined) fo.flow = opts.flow;
    if (opts.ringSlots !== undefined) fo.ringSlots = opts.ringSlots;
    this.fw = new Forwarder(fo);
  }

  /** Opens the underlay sockets (and the introspect endpoint when `httpPort` is given, 0 = any). */
  async start(underlay: Partial<UnderlayOptions> = {}, httpPort?: number): Promise<void> {
    const u = new Underlay(this.fw, { address: this.underlayAddress, ...underlay });
    await u.open(underlay.sourcePorts ?? 16);
    this.underlay = u;
    // The flow clock ticks every 100 ms, and each tick ages a slice of the flow table.
    this.timer = setInterval(() => this.fw.age(8192), 100);
    this.timer.unref();
    if (httpPort !== undefined) {
      this.introspect = new Introspect(this);
      await this.introspect.listen(httpPort);
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.underlay?.close();
    await this.introspect?.close();
    this.underlay = null;
    this.introspect = null;
  }

  // ------------------------------------------------------------------ VRFs

  addVrf(spec: VrfSpec): Vrf {
    if (this.vrfByName.has(spec.name)) throw new DuplicateObjectError('vrf', 'name', spec.name);
    const fw = this.fw;
    // A deleted VRF's id is reused (its flows went with it), so the ids stay dense under churn.
    let id = fw.vrfs.indexOf(undefined);
    if (id < 0) id = fw.vrfs.length;
    const vrf = new Vrf(id, spec.name);
    if (spec.vni !== undefined) {
      fw.vnis.set(spec.vni, vrf.id);
      vrf.vni = spec.vni;
    }
    for (const g of spec.gateways ?? []) vrf.gateways.add(ipv4Number(g));
    if (spec.encapL2) vrf.encapL2 = [...spec.encapL2];
    if (spec.encapL3) vrf.encapL3 = [...spec.encapL3];
    const bum = fw.nexthops.bum();
    bum.refs++;
    vrf.bum = bum.id;
    fw.vrfs[id] = vrf;
    this.vrfByName.set(spec.name, vrf);
    return vrf;
  }

  /**
   * Deletes a VRF that no port (nor floating IP) is in: its routes and MAC entries (their next hops
   * released), its VNI table entry, its BUM next hop and every flow keyed in it.
   */
  deleteVrf(name: string): void {
    const vrf = this.vrf(name);
    const fw = this.fw;
    const user = this.ports().find((p) => p.vrf === vrf.id || p.fipVrf === vrf.id);
    if (user !== undefined) throw new ObjectInUseError('vrf', 'name', name, `port ${user.name}`);
    this.batch(() => {
      for (const r of [...vrf.routes()]) this.deleteRoute(name, r.prefix);
      for (const [mac] of [...vrf.macs.entries()]) this.deleteMac(name, macText(mac));
      for (const [ip] of [...vrf.macs.bindings()]) vrf.macs.unbindIp(ip);
      this.setBumPeers(name, []);
      this.release(vrf.bum);
      vrf.bum = -1;
    });
    if (vrf.vni >= 0 && fw.vnis.lookup(vrf.vni) === vrf.id) fw.vnis.delete(vrf.vni);
    const flows: number[] = [];
    fw.flows.forEach((i) => {
      if (fw.flows.record(i).vrf === vrf.id) flows.push(i);
    });
    for (const i of flows) if (fw.flows.isLive(i)) fw.flows.deletePair(i);
    fw.vrfs[vrf.id] = undefined;
    this.vrfByName.delete(name);
  }

  vrf(name: string): Vrf {
    const v = this.vrfByName.get(name);
    if (!v) throw new UnknownObjectError('vrf', 'name', name);
    return v;
  }

  hasVrf(name: string): boolean {
    return this.vrfByName.has(name);
  }

  vrfNames(): string[] {
    return [...this.vrfByName.keys()];
  }

  // ------------------------------------------------------------------ ports

  /**
   * Attaches a port: allocates its MPLS label, its interface next hop, its MAC entry, its /32 host route
   * and IP->MAC binding in the VRF. Returns the port (its `label` is what the controller publishes).
   */
  addPort(spec: PortSpec): Port {
    if (this.portByName.has(spec.name)) throw new DuplicateObjectError('port', 'name', spec.name);
    const fw = this.fw;
    const vrf = this.vrf(spec.vrf);
    let mac: number;
    try {
      mac = macFromText(spec.mac);
    } catch {
      throw new InvalidPrefixError('port', 'mac', spec.mac, 'not a MAC address');
    }
    const ip4 = ipv4Number(spec.ipam.address);
    const gw = ipv4Number(spec.ipam.gateway);
    const host6 = spec.ipam.address6 === undefined ? undefined : parsePrefix(`${spec.ipam.address6}/128`);
    if (host6 !== undefined && host6.family !== 6)
      throw new InvalidPrefixError('port', 'address6', spec.ipam.address6 ?? '', 'not an IPv6 address');
    let index = fw.ports.indexOf(undefined, 1);
    if (index < 0) index = fw.ports.length;
    if (index >= MAX_PORTS) throw new TableFullError('port', 'index', MAX_PORTS - 1);
    const port = new Port(index, spec, vrf.id, mac, ip4, gw);
    fw.ports[index] = port;
    const nh = fw.nexthops.iface(index);
    nh.refs += host6 === undefined ? 3 : 4; // MAC entry, host route(s), label
    port.nextHop = nh.id;
    port.label = fw.labels.allocate(nh.id);
    vrf.ports.add(index);
    vrf.gateways.add(gw);
    vrf.macs.set(mac, nh.id);
    vrf.macs.bindIp(ip4, mac);
    vrf.addRoute(parsePrefix(`${spec.ipam.address}/32`), nh.id);
    if (host6 !== undefined) vrf.addRoute(host6, nh.id);
    this.portByName.set(spec.name, port);
    return port;
  }

  /**
   * Gives a port a floating IP from another VN (1:1 NAT, as Tungsten Fabric's floating IPs): a host route
   * for `address` in VRF `vrf` pointing to the port, and a label of its own (which the controller publishes
   * with that route). Traffic the workload sends to destinations its own VRF has no route for, and that
   * `vrf` routes, leaves with its source translated to `address`; traffic to `address` is translated back.
   * Returns the floating IP's label.
   */
  addFloatingIp(portName: string, vrf: string, address: string): number {
    const port = this.port(portName);
    if (port.fipVrf >= 0) throw new DuplicateObjectError('port', 'floatingIp', portName);
    const v = this.vrf(vrf);
    const fw = this.fw;
    const nh = fw.nexthops.floating(port.index, v.id);
    nh.refs += 2; // label, host route
    port.fipVrf = v.id;
    port.fip4 = ipv4Number(address);
    port.fipNextHop = nh.id;
    port.fipLabel = fw.labels.allocate(nh.id);
    v.addRoute(parsePrefix(`${address}/32`), nh.id);
    return port.fipLabel;
  }

  /** Removes the port's floating IP (and the flows translated through it). */
  deleteFloatingIp(portName: string): void {
    const port = this.port(portName);
    if (port.fipVrf < 0) throw new UnknownObjectError('port', 'floatingIp', portName);
    const fw = this.fw;
    const v = fw.vrfs[port.fipVrf]!;
    v.deleteRoute(parsePrefix(`${ipText(port.fip4)}/32`));
    fw.labels.free(port.fipLabel);
    this.release(port.fipNextHop);
    this.release(port.fipNextHop);
    port.fipVrf = -1;
    port.fip4 = 0;
    port.fipLabel = -1;
    port.fipNextHop = -1;
  }

  /**
   * The local port whose own MPLS label is `label` (not a floating IP's), or undefined. A route the
   * controller leaks from another VN with this agent as next hop names the port by its label; TF's vRouter
   * resolves its own label to the interface next hop in the same way.
   */
  portOfLabel(label: number): string | undefined {
    const fw = this.fw;
    const nh = Number.isInteger(label) && label >= 0 ? fw.nexthops.at(fw.labels.lookup(label)) : undefined;
    if (nh === undefined || nh.kind !== NextHopKind.interface || nh.vrf >= 0) return undefined;
    return fw.ports[nh.port]?.name;
  }

  port(name: string): Port {
    const p = this.portByName.get(name);
    if (!p) throw new UnknownObjectError('port', 'name', name);
    return p;
  }

  ports(): Port[] {
    return [...this.portByName.values()];
  }

  /**
   * Replaces a port's compiled ACL and removes the flows to and from it, so their next packets are
   * evaluated under the new one (a tag or policy change applies to established traffic too).
   */
  setPortAcl(name: string, acl: AclMatcher | null): void {
    const port = this.port(name);
    port.acl = acl;
    const fw = this.fw;
    const flows: number[] = [];
    fw.flows.forEach((i) => {
      if (fw.flows.vif(i) === port.index || fw.flows.nextHop(i) === port.nextHop) flows.push(i);
    });
    for (const i of flows) if (fw.flows.isLive(i)) fw.flows.deletePair(i);
  }

  /**
   * Updates a VRF from its network's config: encapsulation priority, distributed gateway addresses (added),
   * and the VNI (the VNI table and the BUM replication next hops follow; -1 removes it).
   */
  updateVrf(
    name: string,
    spec: { gateways?: string[]; encapL2?: Encap[]; encapL3?: Encap[]; vni?: number },
  ): void {
    const vrf = this.vrf(name);
    for (const g of spec.gateways ?? []) vrf.gateways.add(ipv4Number(g));
    if (spec.encapL2) vrf.encapL2 = [...spec.encapL2];
    if (spec.encapL3) vrf.encapL3 = [...spec.encapL3];
    if (spec.vni !== undefined && spec.vni !== vrf.vni) {
      const fw = this.fw;
      if (spec.vni >= 0) fw.vnis.set(spec.vni, vrf.id);
      if (vrf.vni >= 0) fw.vnis.delete(vrf.vni);
      vrf.vni = spec.vni;
      const peers = fw.nexthops.get(vrf.bum).members.map((m) => fw.nexthops.get(m).dstText);
      this.setBumPeers(name, peers);
    }
  }

  /** Detaches a port and removes everything it installed (its flows too). */
  deletePort(name: string): void {
    const port = this.port(name);
    const fw = this.fw;
    if (port.fipVrf >= 0) this.deleteFloatingIp(name);
    const vrf = fw.vrfs[port.vrf]!;
    const flows: number[] = [];
    fw.flows.forEach((i) => {
      if (fw.flows.vif(i) === port.index) flows.push(i);
    });
    for (const i of flows) if (fw.flows.isLive(i)) fw.flows.deletePair(i);
    vrf.ports.delete(port.index);
    vrf.macs.delete(port.mac);
    vrf.macs.unbindIp(port.ip4);
    vrf.deleteRoute(parsePrefix(`${port.ipam.address}/32`));
    const a6 = port.ipam.address6;
    if (a6 !== undefined) vrf.deleteRoute(parsePrefix(`${a6}/128`));
    fw.labels.free(port.label);
    for (let i = a6 === undefined ? 3 : 4; i > 0; i--) this.release(port.nextHop);
    fw.ports[port.index] = undefined;
    this.portByName.delete(name);
  }

  // ------------------------------------------------------------------ routes

  /** Releases a next hop reference; flows that still name a freed next hop are removed (re-set up). */
  private release(id: number): void {
    this.fw.nexthops.release(id, (freed) => {
      if (this.batchDepth > 0) this.freedInBatch.add(freed);
      else this.dropFlowsTo((nh) => nh === freed);
    });
  }

  /** One pass over the flow table (none when it is empty) removing the pairs whose next hop matches. */
  private dropFlowsTo(match: (nextHop: number) => boolean): void {
    const flows = this.fw.flows;
    if (flows.stats().flows === 0) return;
    const stale: number[] = [];
    flows.forEach((i) => {
      if (match(flows.nextHop(i))) stale.push(i);
    });
    for (const i of stale) if (flows.isLive(i)) flows.deletePair(i);
  }

  /**
   * Runs `f` (synchronous route/MAC changes, e.g. one XMPP message) with the flow clean-up of the next hops
   * it frees done once at the end: one flow table pass instead of one per freed next hop. No packet is
   * processed inside `f`, so every flow that names a freed id (even one reused within `f`) predates it.
   */
  batch<T>(f: () => T): T {
    this.batchDepth++;
    try {
      return f();
    } finally {
      if (--this.batchDepth === 0 && this.freedInBatch.size > 0) {
        const freed = new Set(this.freedInBatch);
        this.freedInBatch.clear();
        this.dropFlowsTo((nh) => freed.has(nh));
      }
    }
  }

  /** The next hop id a target resolves to (shared next hops are reference counted by the caller). */
  private target(t: RouteTarget): number {
    const nhs = this.fw.nexthops;
    if ('port' in t) return this.port(t.port).nextHop;
    if ('tunnel' in t) return nhs.tunnel(t.tunnel).id;
    if ('ecmp' in t) {
      const members = t.ecmp.map((m) => this.target(m));
      for (const m of members) nhs.get(m).refs++;
      const nh = nhs.ecmp(members);
      for (const m of members) nhs.release(m);
      return nh.id;
    }
    return NH_DISCARD;
  }

  /** Installs (or replaces) `prefix` in VRF `vrf`. */
  addRoute(vrf: string, prefix: string, to: RouteTarget): void {
    const v = this.vrf(vrf);
    const p = parsePrefix(prefix);
    const id = this.target(to);
    this.fw.nexthops.get(id).refs++;
    const old = v.addRoute(p, id);
    if (old >= 0) this.release(old);
  }

  /** Removes `prefix`; returns whether it was there. */
  deleteRoute(vrf: string, prefix: string): boolean {
    const v = this.vrf(vrf);
    const old = v.deleteRoute(parsePrefix(prefix));
    if (old < 0) return false;
    this.release(old);
    return true;
  }

  /** A MAC (and optionally IP) route: the EVPN MAC/IP advertisement of a remote workload. */
  addMac(vrf: string, mac: string, to: RouteTarget, ip?: string): void {
    const v = this.vrf(vrf);
    const m = macFromText(mac);
    const id = this.target(to);
    this.fw.nexthops.get(id).refs++;
    const old = v.macs.set(m, id);
    if (old !== undefined) this.release(old);
    if (ip !== undefined) v.macs.bindIp(ipv4Number(ip), m);
  }

  deleteMac(vrf: string, mac: string, ip?: string): boolean {
    const v = this.vrf(vrf);
    const old = v.macs.delete(macFromText(mac));
    if (ip !== undefined) v.macs.unbindIp(ipv4Number(ip));
    if (old === undefined) return false;
    this.release(old);
    return true;
  }

  /** The VN's ingress replication list: the underlay addresses of the other agents hosting it (VXLAN). */
  setBumPeers(vrf: string, peers: readonly string[]): void {
    const v = this.vrf(vrf);
    const nhs = this.fw.nexthops;
    const bum = nhs.get(v.bum);
    for (const m of bum.members) this.release(m);
    bum.members = peers.map((addr) => {
      const nh = nhs.tunnel({ dst: addr, vni: v.vni, encaps: ['vxlan'] });
      nh.refs++;
      return nh.id;
    });
  }

  // ------------------------------------------------------------------ state

  /** Plain-object view of interfaces, VRFs, routes, next hops and flows (introspect). */
  describe(
    what: 'interfaces' | 'vrfs' | 'routes' | 'nexthops' | 'flows' | 'labels',
    vrfName?: string,
  ): unknown {
    const fw = this.fw;
    switch (what) {
      case 'interfaces':
        return this.ports().map((p) => ({
          name: p.name,
          index: p.index,
          vrf: fw.vrfs[p.vrf]?.name,
          mac: p.macText,
          address: `${p.ipam.address}/${p.ipam.prefixLen}`,
          gateway: p.ipam.gateway,
          label: p.label,
          floatingIp:
            p.fipVrf >= 0
              ? { vrf: fw.vrfs[p.fipVrf]?.name, address: ipText(p.fip4), label: p.fipLabel }
              : null,
          up: p.up,
          acl: p.acl !== null,
          rx: { packets: p.rxPackets, bytes: p.rxBytes },
          tx: { packets: p.txPackets, bytes: p.txBytes },
        }));
      case 'vrfs':
        return [...this.vrfByName.values()].map((v) => ({
          name: v.name,
          id: v.id,
          vni: v.vni >= 0 ? v.vni : null,
          routes4: v.lpm4.size,
          routes6: v.lpm6.size,
          macs: v.macs.size,
          ports: [...v.ports].map((i) => fw.ports[i]?.name),
          bumPeers: fw.nexthops.at(v.bum)?.members.map((m) => fw.nexthops.at(m)?.dstText) ?? [],
          encapL2: v.encapL2,
          encapL3: v.encapL3,
        }));
      case 'routes': {
        const vrfs = vrfName !== undefined ? [this.vrf(vrfName)] : [...this.vrfByName.values()];
        return vrfs.map((v) => ({
          vrf: v.name,
          routes: [...v.routes()].map((r) => ({
            prefix: r.prefix,
            nextHop: fw.nexthops.at(r.nextHop)?.describe(),
          })),
          macs: [...v.macs.entries()].map(([m, nh]) => ({
            mac: macText(m),
            nextHop: fw.nexthops.at(nh)?.describe(),
          })),
        }));
      }
      case 'nexthops':
        return [...fw.nexthops.all()].map((n) => n.describe());
      case 'labels':
        return [...fw.labels.entries()].map(([label, nh]) => ({
          label,
          nextHop: fw.nexthops.at(nh)?.describe(),
        }));
      case 'flows': {
        const out: unknown[] = [];
        for (const r of fw.flows.flows()) {
          const nh = fw.nexthops.at(r.nextHop);
          out.push({
            ...r,
            vrfName: fw.vrfs[r.vrf]?.name,
            nextHopKind: nh ? Object.entries(NextHopKind).find(([, k]) => k === nh.kind)?.[0] : undefined,
          });
        }
        return out;
      }
    }
  }
}

function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
