// Routes from the control nodes, per VRF, installed into the data plane (TF agent: AgentXmppChannel's
// route-update handling, with the headless and graceful-restart behaviour of its stale timers):
//
//   - Each control node's copy of a route is kept separately; the installed one is the copy of the lowest
//     numbered control node that is in sync, else any copy (so losing one control node of two, or both,
//     leaves the data plane as it was).
//   - inet/inet6 items become LPM routes to tunnel next hops (ECMP when an item has several next hops);
//     EVPN MAC/IP items become MAC entries (and IP->MAC bindings for the ARP proxy); the next hop addresses
//     of the network's EVPN routes (MAC/IP and inclusive multicast) are its ingress replication list.
//   - A control node that goes away leaves its copies in place, marked stale. When a control node comes
//     (back) up, its own copies are marked stale too; copies it sends again are fresh; at its End-of-RIB
//     (or when the End-of-RIB timer fires) the stale copies of it and of control nodes that are down go.
//   - Routes and MACs that a local port owns are not installed (the port's own entries stand). An inet or
//     inet6 next hop naming this agent is a route leaked from another VN of this agent: it goes to the
//     local port that owns its label (as TF's vRouter resolves its own label); other next hops naming this
//     agent are dropped.

import { isIPv4 } from 'node:net';
import { type EnetNextHop, evpnRouteKind, type Route, type UnicastNextHop } from '@filament/xmpp';
import type { Agent, RouteTarget } from '../agent.js';
import { macFromText } from '../mac-table.js';
import type { TunnelSpec } from '../nexthop.js';
import { encapsFromXmpp } from './encap-names.js';

type RouteFamily = 'inet' | 'inet6' | 'evpn';

interface Copy {
  route: Route;
  stale: boolean;
}

interface Slot {
  family: RouteFamily;
  id: string;
  copies: Map<number, Copy>;
  /** What is installed: a signature of the target ('' = nothing). */
  installed: string;
  /** For EVPN slots: the MAC and IP that are installed. */
  mac: string | undefined;
  ip: string | undefined;
  /** For unicast slots: the prefix that is installed. */
  prefix: string | undefined;
  /** The next hop addresses this slot contributes to the VRF's BUM list. */
  bumPeers: string[];
  /** Unicast host routes: the remote endpoint's policy tags as `<vn>|<ids>` ('' = none). */
  tags: string;
  /** The best copy has a next hop naming this agent (resolved by label to a local port). */
  ownHop: boolean;
}

/** A remote workload address with the policy tags its agent published (TF: tags ride on the routes). */
export interface TaggedEndpoint {
  vrf: string;
  /** Host address without the prefix length. */
  address: string;
  /** The origin VN (the next hop's virtual-network). */
  virtualNetwork: string;
  /** 32-bit TF tag ids (type << 16 | value). */
  tags: number[];
}

interface VrfRoutes {
  slots: Map<string, Slot>;
  bumKey: string;
}

export interface RemoteRoutesOptions {
  agent: Agent;
  /** Is this prefix / MAC owned by a local port of `vrf` (never overwritten by a remote route)? */
  isLocalPrefix: (vrf: string, prefix: string) => boolean;
  isLocalMac: (vrf: string, mac: string) => boolean;
  log: (obj: object, msg: string) => void;
  /** The tags of remote endpoints changed (the policy compiler puts their addresses into tag sets). */
  onTagsChanged?: () => void;
}

export interface RemoteRouteStats {
  received: number;
  retracted: number;
  installed: number;
  ignored: number;
}

const isFamily = (f: string): f is RouteFamily => f === 'inet' || f === 'inet6' || f === 'evpn';

export class RemoteRoutes {
  private readonly agent: Agent;
  private readonly opts: RemoteRoutesOptions;
  private readonly vrfs = new Map<string, VrfRoutes>();
  /** Per control node: received its End-of-RIB since it came up. */
  private readonly synced = new Set<number>();
  readonly stats: RemoteRouteStats = { received: 0, retracted: 0, installed: 0, ignored: 0 };
  /** Routes received per control node (metrics). */
  readonly receivedBy = new Map<number, number>();

  constructor(opts: RemoteRoutesOptions) {
    this.agent = opts.agent;
    this.opts = opts;
  }

  private vrfRoutes(vrf: string): VrfRoutes {
    let v = this.vrfs.get(vrf);
    if (!v) {
      v = { slots: new Map(), bumKey: '' };
      this.vrfs.set(vrf, v);
    }
    return v;
  }

  /** Items of one route-update message from control node `server`. */
  update(server: number, family: string, vrf: string, items: readonly { id: string; route: Route }[]): void {
    this.agent.batch(() => this.updateNow(server, family, vrf, items));
  }

  private updateNow(
    server: number,
    family: string,
    vrf: string,
    items: readonly { id: string; route: Route }[],
  ): void {
    if (!isFamily(family)) {
      this.stats.ignored += items.length;
      return;
    }
    const v = this.vrfRoutes(vrf);
    let bumDirty = false;
    for (const it of items) {
      this.stats.received++;
      this.receivedBy.set(server, (this.receivedBy.get(server) ?? 0) + 1);
      const key = `${family}|${it.id}`;
      let slot = v.slots.get(key);
      if (!slot) {
        slot = {
          family,
          id: it.id,
          copies: new Map(),
          installed: '',
          mac: undefined,
          ip: undefined,
          prefix: undefined,
          bumPeers: [],
          tags: '',
          ownHop: false,
        };
        v.slots.set(key, slot);
      }
      slot.copies.set(server, { route: it.route, stale: false });
      if (this.settle(vrf, slot)) bumDirty = true;
    }
    if (bumDirty) this.settleBum(vrf, v);
  }

  /** Retract ids of one message from control node `server`. */
  retract(server: number, family: string, vrf: string, ids: readonly string[]): void {
    this.agent.batch(() => this.retractNow(server, family, vrf, ids));
  }

  private retractNow(server: number, family: string, vrf: string, ids: readonly string[]): void {
    if (!isFamily(family)) return;
    const v = this.vrfs.get(vrf);
    if (!v) return;
    let bumDirty = false;
    for (const id of ids) {
      this.stats.retracted++;
      const slot = v.slots.get(`${family}|${id}`);
      if (!slot?.copies.delete(server)) continue;
      if (this.settle(vrf, slot)) bumDirty = true;
      if (slot.copies.size === 0) v.slots.delete(`${family}|${id}`);
    }
    if (bumDirty) this.settleBum(vrf, v);
  }

  /** A control node's session is established: its copies are stale until it sends them again. */
  serverUp(server: number): void {
    this.synced.delete(server);
    for (const v of this.vrfs.values())
      for (const s of v.slots.values()) {
        const c = s.copies.get(server);
        if (c) c.stale = true;
      }
  }

  /**
   * A control node's session went down. Its copies stay (headless) unless another control node is in
   * sync, which holds the whole routing table: then they go now.
   */
  serverDown(server: number): void {
    this.agent.batch(() => this.serverDownNow(server));
  }

  private serverDownNow(server: number): void {
    this.synced.delete(server);
    const other = [...this.synced].some((s) => s !== server);
    for (const [vrf, v] of this.vrfs) {
      let bumDirty = false;
      for (const [key, s] of v.slots) {
        const c = s.copies.get(server);
        if (!c) continue;
        if (other) s.copies.delete(server);
        else c.stale = true;
        if (other && this.settle(vrf, s)) bumDirty = true;
        if (s.copies.size === 0) v.slots.delete(key);
      }
      if (bumDirty) this.settleBum(vrf, v);
    }
  }

  /**
   * End-of-RIB from `server` (or its timer): `server` is in sync; its stale copies and the copies of
   * control nodes that are not in sync go.
   */
  endOfRib(server: number, established: readonly number[]): void {
    this.agent.batch(() => this.endOfRibNow(server, established));
  }

  private endOfRibNow(server: number, established: readonly number[]): void {
    this.synced.add(server);
    const swept = (s: number, c: Copy) =>
      (s === server && c.stale) || (s !== server && !this.synced.has(s) && !established.includes(s));
    let removed = 0;
    for (const [vrf, v] of this.vrfs) {
      let bumDirty = false;
      for (const [key, slot] of v.slots) {
        let changed = false;
        for (const [s, c] of slot.copies)
          if (swept(s, c)) {
            slot.copies.delete(s);
            changed = true;
            removed++;
          }
        if (changed && this.settle(vrf, slot)) bumDirty = true;
        if (slot.copies.size === 0) v.slots.delete(key);
      }
      if (bumDirty) this.settleBum(vrf, v);
    }
    if (removed > 0) this.opts.log({ server, removed }, 'stale routes swept');
  }

  /** A VRF was (re)created in the data plane, or a local port came or went: install what is held. */
  resync(vrf: string): void {
    const v = this.vrfs.get(vrf);
    if (!v) return;
    for (const slot of v.slots.values()) {
      // Force a re-install of what is installed; what is not is compared against nothing, as usual.
      if (slot.installed !== '') slot.installed = '\u0000';
      this.settle(vrf, slot);
    }
    v.bumKey = '\u0000';
    this.settleBum(vrf, v);
  }

  /**
   * A local port came or went: routes whose next hop is this agent resolve to a different port (or to
   * none) now, in whichever VRF they were leaked into.
   */
  resyncOwnHops(): void {
    this.agent.batch(() => {
      for (const [vrf, v] of this.vrfs)
        for (const slot of v.slots.values()) if (slot.ownHop) this.settle(vrf, slot);
    });
  }

  /** Forgets a VRF (unsubscribed): removes what was installed from it. */
  dropVrf(vrf: string): void {
    this.agent.batch(() => this.dropVrfNow(vrf));
  }

  private dropVrfNow(vrf: string): void {
    const v = this.vrfs.get(vrf);
    if (!v) return;
    for (const slot of v.slots.values()) {
      slot.copies.clear();
      this.settle(vrf, slot);
    }
    this.vrfs.delete(vrf);
    if (v.bumKey !== '') this.guard(vrf, () => this.agent.setBumPeers(vrf, []));
  }

  /** Routes held (for introspect): per VRF, per key, the copies by control node. */
  describe(): unknown[] {
    return [...this.vrfs].map(([vrf, v]) => ({
      vrf,
      routes: [...v.slots.values()].map((s) => ({
        family: s.family,
        id: s.id,
        installed: s.installed !== '',
        from: [...s.copies].map(([server, c]) => ({ server, stale: c.stale })),
      })),
    }));
  }

  /** Remote host routes whose agents published policy tags. */
  taggedEndpoints(): TaggedEndpoint[] {
    const out: TaggedEndpoint[] = [];
    for (const [vrf, v] of this.vrfs) {
      for (const s of v.slots.values()) {
        if (s.tags === '' || s.prefix === undefined) continue;
        const slash = s.prefix.indexOf('/');
        const len = Number(s.prefix.slice(slash + 1));
        const address = s.prefix.slice(0, slash);
        if (len !== (address.includes(':') ? 128 : 32)) continue;
        const bar = s.tags.lastIndexOf('|');
        out.push({
          vrf,
          address,
          virtualNetwork: s.tags.slice(0, bar),
          tags: s.tags
            .slice(bar + 1)
            .split(',')
            .map(Number),
        });
      }
    }
    return out;
  }

  count(): number {
    let n = 0;
    for (const v of this.vrfs.values()) n += v.slots.size;
    return n;
  }

  /** The copy to install: lowest control node among fresh copies, else among stale ones. */
  private best(slot: Slot): Route | undefined {
    let fresh: [number, Copy] | undefined;
    let stale: [number, Copy] | undefined;
    for (const e of slot.copies) {
      if (!e[1].stale) {
        if (!fresh || e[0] < fresh[0]) fresh = e;
      } else if (!stale || e[0] < stale[0]) stale = e;
    }
    return (fresh ?? stale)?.[1].route;
  }

  private guard(vrf: string, f: () => void): boolean {
    try {
      f();
      return true;
    } catch (e) {
      this.opts.log({ vrf, err: (e as Error).message, name: (e as Error).name }, 'route not installed');
      return false;
    }
  }

  private hasVrf(vrf: string): boolean {
    return this.agent.hasVrf(vrf);
  }

  /** Installs the best copy (or removes the slot's route). Returns whether its BUM peers changed. */
  private settle(vrf: string, slot: Slot): boolean {
    const route = this.best(slot);
    const local = this.agent.underlayAddress;
    const present = this.hasVrf(vrf);
    let target: RouteTarget | undefined;
    let peers: string[] = [];
    let mac: string | undefined;
    let ip: string | undefined;
    let prefix: string | undefined;
    let tags = '';
    slot.ownHop = false;
    if (route && present) {
      if (route.family === 'inet' || route.family === 'inet6') {
        const e = route.entry;
        prefix = e.nlri.address;
        if (!this.opts.isLocalPrefix(vrf, prefix)) {
          slot.ownHop = e.nextHops.some((h) => h.address === local);
          target = tunnels(e.nextHops, local, unicastTunnel, (h) => {
            const port = this.agent.portOfLabel(h.label);
            return port === undefined ? undefined : { port };
          });
          if (target !== undefined) tags = tagKey(e.nextHops, local);
        }
      } else if (route.family === 'evpn') {
        const e = route.entry;
        const kind = evpnRouteKind(e.nlri);
        const hops = [...e.nextHops, ...e.olist];
        peers = [...new Set(hops.map((h) => h.address).filter((a) => a !== local && isIPv4(a)))];
        if (kind === 'mac-ip' && validMac(e.nlri.mac) && !this.opts.isLocalMac(vrf, e.nlri.mac)) {
          mac = e.nlri.mac.toLowerCase();
          const slash = e.nlri.address.indexOf('/');
          const a = slash < 0 ? e.nlri.address : e.nlri.address.slice(0, slash);
          if (isIPv4(a) && a !== '0.0.0.0') ip = a;
          const tag = e.nlri.ethernetTag;
          target = tunnels(e.nextHops, local, (h) => enetTunnel(h, tag));
        }
      }
    }
    if (tags !== slot.tags) {
      slot.tags = tags;
      this.opts.onTagsChanged?.();
    }
    const sig =
      target === undefined ? '' : `${prefix ?? ''}|${mac ?? ''}|${ip ?? ''}|${JSON.stringify(target)}`;
    const bumChanged = peers.join(',') !== slot.bumPeers.join(',');
    slot.bumPeers = peers;
    if (sig === slot.installed) return bumChanged;
    // Remove what was there (when the new target is a replacement, the add below replaces in place).
    if (slot.installed !== '' && present) {
      if (slot.family === 'evpn') {
        const oldMac = slot.mac;
        const oldIp = slot.ip;
        if (oldMac !== undefined && (oldMac !== mac || target === undefined))
          this.guard(vrf, () => this.agent.deleteMac(vrf, oldMac, oldIp));
        else if (oldIp !== undefined && oldIp !== ip && oldMac !== undefined)
          this.guard(vrf, () => this.agent.deleteMac(vrf, oldMac, oldIp));
      } else if (slot.prefix !== undefined && (target === undefined || prefix !== slot.prefix)) {
        const old = slot.prefix;
        this.guard(vrf, () => this.agent.deleteRoute(vrf, old));
      }
      this.stats.installed--;
    }
    slot.installed = '';
    slot.mac = undefined;
    slot.ip = undefined;
    slot.prefix = undefined;
    if (target !== undefined) {
      const t = target;
      const ok =
        slot.family === 'evpn'
          ? this.guard(vrf, () => this.agent.addMac(vrf, mac as string, t, ip))
          : this.guard(vrf, () => this.agent.addRoute(vrf, prefix as string, t));
      if (ok) {
        slot.installed = sig;
        slot.mac = mac;
        slot.ip = ip;
        slot.prefix = prefix;
        this.stats.installed++;
      }
    }
    return bumChanged;
  }

  private settleBum(vrf: string, v: VrfRoutes): void {
    const all = new Set<string>();
    for (const s of v.slots.values()) for (const p of s.bumPeers) all.add(p);
    const peers = [...all].sort();
    const key = peers.join(',');
    if (key === v.bumKey || !this.hasVrf(vrf)) return;
    if (this.guard(vrf, () => this.agent.setBumPeers(vrf, peers))) v.bumKey = key;
  }
}

/** `<vn>|<tag ids>` of the first remote next hop that carries tags, or ''. */
function tagKey(hops: readonly UnicastNextHop[], local: string): string {
  for (const h of hops) {
    if (h.address === local || h.tags.length === 0) continue;
    const ids = h.tags.filter((t) => Number.isInteger(t) && t >= 0 && t <= 0xffffffff);
    if (ids.length > 0) return `${h.virtualNetwork}|${[...ids].sort((a, b) => a - b).join(',')}`;
  }
  return '';
}

/**
 * One tunnel per next hop that is not this agent, and `own(h)` for one that is (skipped without `own` or
 * when it gives nothing); ECMP when several remain.
 */
function tunnels<H extends { address: string }>(
  hops: readonly H[],
  local: string,
  make: (h: H) => TunnelSpec | undefined,
  own?: (h: H) => RouteTarget | undefined,
): RouteTarget | undefined {
  const list: RouteTarget[] = [];
  for (const h of hops) {
    if (h.address === local) {
      const t = own?.(h);
      if (t !== undefined) list.push(t);
      continue;
    }
    // Next hops are underlay IPv4 addresses; anything else is skipped.
    if (!isIPv4(h.address)) continue;
    const t = make(h);
    if (t) list.push({ tunnel: t });
  }
  if (list.length === 0) return undefined;
  return list.length === 1 ? list[0] : { ecmp: list };
}

function validMac(text: string): boolean {
  try {
    macFromText(text);
    return true;
  } catch {
    return false;
  }
}

function routerMacOf(text: string): number | undefined {
  if (text === '') return undefined;
  try {
    const m = macFromText(text);
    return m === 0 ? undefined : m;
  } catch {
    return undefined;
  }
}

function unicastTunnel(h: UnicastNextHop): TunnelSpec | undefined {
  let encaps = encapsFromXmpp(h.tunnelEncapsulations);
  // TF: a labelled route with no tunnel list is MPLS over GRE; we accept MPLS over UDP as well.
  if (encaps.length === 0 && h.label > 0) encaps = ['mpls-gre', 'mpls-udp'];
  const vxlanOnly = encaps.length === 1 && encaps[0] === 'vxlan';
  const t: TunnelSpec = { dst: h.address, encaps };
  if (h.label > 0 && !vxlanOnly && h.label < 1 << 20) t.label = h.label;
  const vni = h.vni > 0 ? h.vni : vxlanOnly ? h.label : 0;
  if (vni > 0 && vni < 1 << 24) t.vni = vni;
  const rm = routerMacOf(h.mac);
  if (rm !== undefined) t.routerMac = rm;
  return t.encaps.length > 0 ? t : undefined;
}

function enetTunnel(h: EnetNextHop, ethernetTag: number): TunnelSpec | undefined {
  let encaps = encapsFromXmpp(h.tunnelEncapsulations);
  if (encaps.length === 0) encaps = ['vxlan'];
  const t: TunnelSpec = { dst: h.address, encaps };
  const vni = ethernetTag > 0 ? ethernetTag : encaps.includes('vxlan') ? h.label : 0;
  if (vni > 0 && vni < 1 << 24) t.vni = vni;
  if (h.l3Label > 0 && h.l3Label < 1 << 20) t.label = h.l3Label;
  const rm = routerMacOf(h.mac);
  if (rm !== undefined) t.routerMac = rm;
  return t;
}
