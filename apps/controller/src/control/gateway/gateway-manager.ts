// The controller's BGP gateways: one @filament/bgp speaker whose peers are the bgp-router objects of the config
// (added, changed and removed live from the store's watch), exporting what agents publish in RouteDb as VPN and
// EVPN routes (export.ts), importing what gateways send into the instances whose import targets match
// (import.ts), and advertising RT membership for the instances agents subscribed to (rt-membership.ts).
import { EventEmitter } from 'node:events';
import { hostname, networkInterfaces } from 'node:os';
import {
  BGP_PORT,
  BgpSpeaker,
  checkMd5,
  type ExtendedCommunity,
  type Family,
  familyKey,
  familyName,
  nlriKey,
  type PeerConfig,
  type PeerStatus,
  parseExtendedCommunity,
  parseFamily,
  parseRd,
  type RouteDistinguisher,
  type RouteEvent,
} from '@filament/bgp';
import type { Logger } from 'pino';
import type { Change, Store, StoredObject } from '../../store/interface.js';
import type { RouteChange, RouteDb, RouteFamily, RoutePath, RoutingInstance } from '../routing/route-db.js';
import {
  type ExportedRoute,
  type ExportInstance,
  exportRoutes,
  FAMILY_EVPN,
  FAMILY_VPNV4,
  FAMILY_VPNV6,
  imetRoute,
} from './export.js';
import { type ImportedRoute, importedBy, importedRoute } from './import.js';
import { isControlNode, peerConfig, routerParams, samePeer } from './peers.js';
import { RtMembershipAdvertiser } from './rt-membership.js';
import { AGENT_SOURCE_PREFIX, bgpSource } from './sources.js';

export interface GatewayConfig {
  /** Our AS; default: our control-node bgp-router's `autonomous_system`, else `defaultAsn`. */
  asn?: number;
  /** The controller's `asn`. */
  defaultAsn: number;
  /** BGP identifier; default: our control-node bgp-router's identifier, else the first non-loopback IPv4. */
  routerId?: string;
  /** Where gateways connect to us; the port defaults to our control-node bgp-router's, else 179. Undefined:
   * outgoing sessions only. */
  listen?: { host: string; port?: number };
  /** Hold time offered to peers without their own `hold_time` (default 90). */
  holdTime?: number;
}

/** The configuration with our own bgp-router object and the defaults applied. */
export interface ResolvedGatewayConfig extends GatewayConfig {
  asn: number;
  routerId: string;
  listen?: { host: string; port: number };
}

export interface GatewayDeps {
  store: Store;
  /** Controller.changes: every store change in revision order. */
  changes: EventEmitter<{ change: [Change] }>;
  routes: RouteDb;
  log: Logger;
  /** The agent server: which instances have subscribed agents (RT-constraint interest). */
  subscribers?: { subscriberCount(instance: string): number };
}

export interface GatewayEvents {
  'peer-up': [{ peer: string; families: string[] }];
  'peer-down': [{ peer: string; reason: string }];
  /** A bgp-router the speaker cannot peer with (TCP MD5 on this platform, a duplicate address). */
  'peer-refused': [{ uuid: string; address: string; reason: string }];
}

const GATEWAY_FAMILIES: readonly Family[] = [FAMILY_VPNV4, FAMILY_VPNV6, FAMILY_EVPN].map((f) =>
  parseFamily(f),
);
const GATEWAY_FAMILY_KEYS = new Set(GATEWAY_FAMILIES.map(familyKey));
const ROUTE_FAMILIES: readonly RouteFamily[] = ['inet', 'inet6', 'enet'];
const SEP = '\u0000';
const RTC_RECONCILE_MS = 1000;
const INSTANCE_TYPES: ReadonlySet<string> = new Set([
  'virtual-network',
  'routing-instance',
  'route-target',
  'network-policy',
]);

interface ExportState {
  routes: ExportedRoute[];
  nodes: string[];
}

interface InstanceData {
  /** The RouteDb instance state this was built from (RouteDb replaces the target sets when they change). */
  from: {
    imports: ReadonlySet<string>;
    exports: ReadonlySet<string>;
    vni: number | undefined;
    vn: string | undefined;
  };
  export: ExportInstance;
  /** Import targets as a set (for matching gateway routes). */
  imports: ReadonlySet<string>;
  vn: string;
}

/** One imported gateway route: where it went. */
interface ImportState {
  route: ImportedRoute;
  routeTargets: readonly string[];
  instances: string[];
}

function firstIpv4(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export class GatewayManager extends EventEmitter<GatewayEvents> {
  private speakerRef!: BgpSpeaker;
  /** bgp-router uuid -> its peer. */
  private readonly peersByUuid = new Map<string, PeerConfig>();
  /** bgp-routers that could not be peers (MD5, a duplicate address), retried when their address frees up. */
  private readonly refused = new Map<string, StoredObject>();
  /** routing-instance fq name -> its IPAM route distinguisher. */
  private readonly instanceRds = new Map<string, string>();
  /** virtual-network fq name -> routes (forwarding mode l3 or l2_l3). */
  private readonly vnL3 = new Map<string, boolean>();
  private readonly instanceData = new Map<string, InstanceData>();
  private readonly indexes = new Map<string, number>();
  private nextIndex = 1;
  /** instance -> destination (`family\0key`) -> what was exported for it. */
  private readonly exported = new Map<string, Map<string, ExportState>>();
  /** `instance\0node` -> IMET route and the number of destinations from that node. */
  private readonly imets = new Map<string, { count: number; route: ExportedRoute | undefined }>();
  /** peer -> gateway route id -> where it was imported. */
  private readonly imported = new Map<string, Map<string, ImportState>>();
  /** `instance\0family\0key\0source` -> the gateway routes (by id) that give that path. */
  private readonly importedPaths = new Map<string, Map<string, ImportedRoute>>();
  private readonly subscribed = new Map<string, number>();
  private readonly rtc = new RtMembershipAdvertiser(() => this.speakerRef);
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;
  private reimportPending = false;
  private instanceCheckPending = false;
  /** Instances being exported again (an instance lookup inside must not start another refresh). */
  private readonly refreshing = new Set<string>();

  private constructor(
    private readonly deps: GatewayDeps,
    readonly config: ResolvedGatewayConfig,
  ) {
    super();
  }

  get speaker(): BgpSpeaker {
    return this.speakerRef;
  }

  /**
   * Starts the speaker, peers with every gateway bgp-router in the store and exports what RouteDb holds. The
   * watch is followed from before the initial listing, so nothing created meanwhile is missed.
   */
  static async start(deps: GatewayDeps, cfg: GatewayConfig): Promise<GatewayManager> {
    const buffered: Change[] = [];
    let live: GatewayManager | undefined;
    const onStoreChange = (c: Change) => {
      if (live) live.onStoreChange(c);
      else buffered.push(c);
    };
    deps.changes.on('change', onStoreChange);
    let g: GatewayManager | undefined;
    try {
      const routers = await listAll(deps.store, 'bgp-router');
      const own = ownEntry(routers, cfg);
      const ownParams = own ? routerParams(own) : undefined;
      const port = cfg.listen?.port ?? ownParams?.port ?? BGP_PORT;
      const { listen: _given, ...rest } = cfg;
      const resolved: ResolvedGatewayConfig = {
        ...rest,
        asn: cfg.asn ?? ownParams?.autonomous_system ?? cfg.defaultAsn,
        routerId: cfg.routerId ?? ownParams?.identifier ?? firstIpv4(),
        ...(cfg.listen ? { listen: { host: cfg.listen.host, port } } : {}),
      };
      g = new GatewayManager(deps, resolved);
      g.unsubscribe.push(() => deps.changes.off('change', onStoreChange));
      for (const ri of await listAll(deps.store, 'routing-instance')) g.onInstanceObject(ri, false);
      for (const vn of await listAll(deps.store, 'virtual-network')) g.onNetworkObject(vn, false);
      await g.startSpeaker();
      for (const r of routers) g.routerObject(r);
      live = g;
      for (const c of buffered) g.onStoreChange(c);
      g.followRoutes();
      deps.log.info(
        {
          asn: resolved.asn,
          routerId: resolved.routerId,
          listen: g.speakerRef.listening(),
          peers: g.peersByUuid.size,
        },
        'BGP gateways started',
      );
      return g;
    } catch (e) {
      deps.changes.off('change', onStoreChange);
      await g?.close();
      throw e;
    }
  }

  /** The sessions with gateways. */
  peers(): PeerStatus[] {
    return this.speakerRef.peers();
  }

  /** BGP routes exported (agent paths, IMET included), gateway routes imported, RT membership routes. */
  counts(): { exported: number; imported: number; membership: number } {
    let exported = 0;
    for (const t of this.exported.values()) for (const st of t.values()) exported += st.routes.length;
    for (const e of this.imets.values()) if (e.route) exported++;
    let imported = 0;
    for (const r of this.imported.values()) imported += r.size;
    return { exported, imported, membership: this.rtc.targets().length };
  }

  /** The route targets we advertise RT membership for. */
  membership(): string[] {
    return this.rtc.targets();
  }

  /** What an instance exports with: RD, route targets, VNI (for introspection and the benchmark's baseline). */
  exportParams(instance: string): ExportInstance | undefined {
    return this.instance(instance)?.export;
  }

  /** The agent server tells which instances have subscribed agents (RT-constraint interest). */
  setSubscribed(instance: string, agents: number): void {
    if (agents > 0) this.subscribed.set(instance, agents);
    else this.subscribed.delete(instance);
    this.updateInterest(instance);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    // undefined only when start() failed before the speaker existed
    await (this.speakerRef as BgpSpeaker | undefined)?.stop();
  }

  // ---- speaker and peers -----------------------------------------------------------------------------

  private async startSpeaker(): Promise<void> {
    const c = this.config;
    const s = new BgpSpeaker({
      asn: c.asn,
      routerId: c.routerId,
      listen: c.listen ? [{ host: c.listen.host, port: c.listen.port }] : [],
      ...(c.holdTime !== undefined ? { holdTime: c.holdTime } : {}),
      gracefulRestart: false,
      peers: [],
    });
    this.speakerRef = s;
    s.on('peer-up', (e) => {
      const families = e.negotiated.families.map(familyName);
      this.deps.log.info({ peer: e.peer, families }, 'BGP gateway session established');
      this.emit('peer-up', { peer: e.peer, families });
    });
    s.on('peer-down', (e) => {
      const reason = e.notification
        ? `${e.reason.kind}: ${e.notification.codeName} / ${e.notification.subcodeName}`
        : e.reason.kind;
      this.deps.log.info({ peer: e.peer, reason }, 'BGP gateway session down');
      this.emit('peer-down', { peer: e.peer, reason });
    });
    s.on('route', (e) => this.onGatewayRoute(e));
    await s.start();
  }

  private localAddress(): string | undefined {
    const h = this.config.listen?.host;
    return h && h !== '0.0.0.0' && h !== '::' ? h : undefined;
  }

  /** One bgp-router object: a bad one is logged and left unpeered, never stops the others. */
  private routerObject(o: StoredObject): void {
    try {
      this.onRouterObject(o);
    } catch (e) {
      this.deps.log.error({ err: e, bgpRouter: o.fqName.join(':') }, 'BGP gateway: bgp-router not applied');
    }
  }

  private onRouterObject(o: StoredObject): void {
    const cfg = peerConfig(o, { asn: this.config.asn, localAddress: this.localAddress() });
    // the default hold time first, so an unchanged object compares equal to the running peer
    if (cfg && cfg.holdTime === undefined && this.config.holdTime !== undefined)
      cfg.holdTime = this.config.holdTime;
    const old = this.peersByUuid.get(o.uuid);
    if (old && cfg && samePeer(old, cfg)) return;
    if (old) this.removePeer(o.uuid);
    if (!cfg) {
      if (isControlNode(routerParams(o)))
        this.deps.log.debug({ bgpRouter: o.fqName.join(':') }, 'control-node bgp-router: not a gateway');
      return;
    }
    this.refused.delete(o.uuid);
    if (this.holdCheck(o.uuid, cfg)) {
      this.refused.set(o.uuid, o);
      return;
    }
    this.speakerRef.addPeer(cfg);
    this.peersByUuid.set(o.uuid, cfg);
    this.deps.log.info(
      { peer: cfg.address, asn: cfg.asn, port: cfg.port ?? 179, families: cfg.families },
      'BGP gateway configured',
    );
  }

  /** True (and reported) when a peer cannot be configured. */
  private holdCheck(uuid: string, cfg: PeerConfig): boolean {
    let reason: string | undefined;
    try {
      checkMd5(cfg.address, cfg.md5Password);
    } catch (e) {
      reason = (e as Error).message;
    }
    for (const [u, p] of this.peersByUuid)
      if (u !== uuid && p.address === cfg.address) reason = `address ${cfg.address} is already a peer`;
    if (reason === undefined) return false;
    this.deps.log.error({ peer: cfg.address, reason }, 'BGP gateway refused');
    this.emit('peer-refused', { uuid, address: cfg.address, reason });
    return true;
  }

  private removePeer(uuid: string): void {
    const cfg = this.peersByUuid.get(uuid);
    if (!cfg) return;
    this.peersByUuid.delete(uuid);
    // Cease / Peer De-configured; its routes leave the speaker, and with them our imports (route events)
    this.speakerRef.removePeer(cfg.address);
    this.dropImports(cfg.address);
    this.deps.log.info({ peer: cfg.address }, 'BGP gateway removed');
    // a bgp-router refused for this address may peer now
    for (const o of [...this.refused.values()])
      if (routerParams(o).address === cfg.address) this.routerObject(o);
  }

  // ---- config objects ----------------------------------------------------------------------------------

  private onStoreChange(c: Change): void {
    if (this.closed) return;
    // RouteDb's instances follow these objects (ConfigInstances): their targets or VNI may have changed
    if (INSTANCE_TYPES.has(c.type)) this.scheduleInstanceCheck();
    try {
      switch (c.type) {
        case 'bgp-router':
          if (c.kind === 'delete') {
            this.refused.delete(c.uuid);
            this.removePeer(c.uuid);
          } else this.onRouterObject(c.object);
          return;
        case 'routing-instance':
          if (c.kind === 'delete') {
            this.instanceRds.delete(c.object.fqName.join(':'));
          } else this.onInstanceObject(c.object, true);
          return;
        case 'virtual-network':
          if (c.kind === 'delete') this.vnL3.delete(c.object.fqName.join(':'));
          else this.onNetworkObject(c.object, true);
          return;
      }
    } catch (e) {
      this.deps.log.error({ err: e, type: c.type, uuid: c.uuid }, 'BGP gateway: config change failed');
    }
  }

  private onInstanceObject(o: StoredObject, live: boolean): void {
    const name = o.fqName.join(':');
    const rd = o.body.route_distinguisher as string | undefined;
    if (rd === this.instanceRds.get(name)) return;
    if (rd) this.instanceRds.set(name, rd);
    else this.instanceRds.delete(name);
    if (live) this.refreshInstance(name);
  }

  private onNetworkObject(o: StoredObject, live: boolean): void {
    const name = o.fqName.join(':');
    const mode = (o.body.virtual_network_properties as { forwarding_mode?: string } | undefined)
      ?.forwarding_mode;
    const l3 = mode !== 'l2';
    if (this.vnL3.get(name) === l3) return;
    this.vnL3.set(name, l3);
    if (!live) return;
    // collected first: a refresh re-inserts the instance into the map being walked
    const names = [...this.instanceData.values()].filter((d) => d.vn === name).map((d) => d.export.name);
    for (const n of names) this.refreshInstance(n);
  }

  /**
   * What export and import need of an instance. RouteDb changes targets and VNI in place (upsertInstance emits
   * nothing for a configured instance), so a stale copy makes the instance export again with the new values.
   */
  private instance(name: string): InstanceData | undefined {
    const i = this.deps.routes.instance(name);
    if (!i?.configured) return undefined;
    const have = this.instanceData.get(name);
    if (have) {
      const f = have.from;
      if (f.imports === i.importTargets && f.exports === i.exportTargets && f.vni === i.vni && f.vn === i.vn)
        return have;
      if (!this.refreshing.has(name)) {
        this.refreshInstance(name);
        return this.instanceData.get(name);
      }
    }
    const d = this.buildInstance(i);
    this.instanceData.set(name, d);
    return d;
  }

  private buildInstance(i: RoutingInstance): InstanceData {
    const vn = i.vn ?? i.name.slice(0, Math.max(0, i.name.lastIndexOf(':')));
    const ipamRd = this.instanceRds.get(i.name);
    let rd: RouteDistinguisher | undefined;
    if (ipamRd) {
      try {
        rd = parseRd(ipamRd);
      } catch {
        this.deps.log.warn(
          { instance: i.name, rd: ipamRd },
          'unusable route distinguisher, using the router id',
        );
      }
    }
    let index = rd && rd.type !== 'other' ? rd.assigned : this.indexes.get(i.name);
    if (index === undefined || index > 0xffff) {
      index = this.indexes.get(i.name) ?? this.nextIndex++;
      this.indexes.set(i.name, index);
    }
    rd ??= { type: 1, ip: this.config.routerId, assigned: index };
    const exportTargets: ExtendedCommunity[] = [];
    for (const t of i.exportTargets) {
      try {
        exportTargets.push(parseExtendedCommunity(t));
      } catch {
        this.deps.log.warn({ instance: i.name, target: t }, 'unusable export route target');
      }
    }
    return {
      from: { imports: i.importTargets, exports: i.exportTargets, vni: i.vni, vn: i.vn },
      vn,
      imports: new Set(i.importTargets),
      export: { name: i.name, vni: i.vni, exportTargets, rd, index, l3: this.vnL3.get(vn) ?? true },
    };
  }

  /**
   * Once per event-loop turn after config changes that shape instances: export again every instance whose
   * RouteDb targets or VNI changed (RouteDb emits nothing for a configured instance that changes).
   */
  private scheduleInstanceCheck(): void {
    if (this.instanceCheckPending) return;
    this.instanceCheckPending = true;
    setImmediate(() => {
      this.instanceCheckPending = false;
      if (this.closed) return;
      // instance() refreshes a stale one; names collected first as a refresh re-inserts into the map
      for (const name of [...this.instanceData.keys()]) {
        try {
          this.instance(name);
        } catch (e) {
          this.deps.log.error({ err: e, instance: name }, 'BGP gateway: instance refresh failed');
        }
      }
    });
  }

  // ---- export ------------------------------------------------------------------------------------------

  private followRoutes(): void {
    const db = this.deps.routes;
    const onChange = (c: RouteChange) => this.onRouteChange(c);
    const onAdded = (i: RoutingInstance) => this.refreshInstance(i.name);
    const onRemoved = (name: string) => this.dropInstance(name);
    db.on('change', onChange);
    db.on('instance-added', onAdded);
    db.on('instance-removed', onRemoved);
    this.unsubscribe.push(() => {
      db.off('change', onChange);
      db.off('instance-added', onAdded);
      db.off('instance-removed', onRemoved);
    });
    for (const i of db.instances()) this.exportInstance(i.name);
    // The agent server tells no event when an agent subscribes: RT interest is reconciled once a second, only
    // while some gateway is configured for RT-constraint (an instance walk, no route work).
    const subscribers = this.deps.subscribers;
    if (subscribers) {
      const timer = setInterval(() => {
        if (this.closed || ![...this.peersByUuid.values()].some((p) => p.families?.includes('ipv4-rtc')))
          return;
        for (const i of db.instances()) this.updateInterest(i.name);
      }, RTC_RECONCILE_MS);
      timer.unref();
      this.unsubscribe.push(() => clearInterval(timer));
    }
  }

  private onRouteChange(c: RouteChange): void {
    if (this.closed) return;
    try {
      this.exportDestination(c.instance, c.family, c.key, c.paths);
    } catch (e) {
      this.deps.log.error({ err: e, instance: c.instance, key: c.key }, 'BGP gateway: export failed');
    }
  }

  /** Exports one destination, withdrawing what it exported before and is no longer there. */
  private exportDestination(
    instance: string,
    family: RouteFamily,
    key: string,
    paths: readonly RoutePath[],
  ): void {
    const dk = `${family}${SEP}${key}`;
    let table = this.exported.get(instance);
    const old = table?.get(dk);
    const agentPaths = paths.filter(
      (p) => p.source.startsWith(AGENT_SOURCE_PREFIX) && this.native(instance, p),
    );
    if (agentPaths.length === 0 && !old) return;
    const d = this.instance(instance);
    if (!d) return;
    const routes: ExportedRoute[] = [];
    exportRoutes(d.export, family, agentPaths, routes);
    const nodes: string[] = [];
    for (const p of agentPaths)
      for (const nh of p.entry.nextHops) if (!nodes.includes(nh.address)) nodes.push(nh.address);
    const s = this.speakerRef;
    for (const r of routes) s.announce(r);
    if (old) {
      for (const r of old.routes) if (!routes.some((n) => n.id === r.id)) s.withdraw(r);
    }
    for (const n of nodes) if (!old?.nodes.includes(n)) this.imetRef(d.export, n, 1);
    if (old) for (const n of old.nodes) if (!nodes.includes(n)) this.imetRef(d.export, n, -1);
    const was = table?.size ?? 0;
    if (routes.length > 0 || nodes.length > 0) {
      if (!table) {
        table = new Map();
        this.exported.set(instance, table);
      }
      table.set(dk, { routes, nodes });
    } else table?.delete(dk);
    const now = table?.size ?? 0;
    if ((was === 0) !== (now === 0)) this.updateInterest(instance);
  }

  private imetRef(inst: ExportInstance, node: string, delta: 1 | -1): void {
    const k = `${inst.name}${SEP}${node}`;
    let e = this.imets.get(k);
    if (!e) {
      if (delta < 0) return;
      e = { count: 0, route: imetRoute(inst, node) };
      this.imets.set(k, e);
    }
    e.count += delta;
    if (e.count === 1 && delta === 1 && e.route) this.speakerRef.announce(e.route);
    if (e.count <= 0) {
      this.imets.delete(k);
      if (e.route) this.speakerRef.withdraw(e.route);
    }
  }

  /**
   * A path leaked from another instance (RouteDb shows it in every importing instance) is exported by the
   * instance it was published into only, as TF exports only a VRF's own routes.
   */
  private native(instance: string, p: RoutePath): boolean {
    return p.origin === undefined || p.origin === instance;
  }

  /** Withdraws everything an instance exported. */
  private withdrawInstance(name: string): void {
    const table = this.exported.get(name);
    const d = this.instanceData.get(name);
    if (table) {
      for (const st of table.values()) {
        for (const r of st.routes) this.speakerRef.withdraw(r);
        if (d) for (const n of st.nodes) this.imetRef(d.export, n, -1);
      }
      this.exported.delete(name);
    }
    for (const [k, e] of this.imets) {
      if (!k.startsWith(`${name}${SEP}`)) continue;
      if (e.route) this.speakerRef.withdraw(e.route);
      this.imets.delete(k);
    }
  }

  private exportInstance(name: string): void {
    for (const f of ROUTE_FAMILIES) {
      for (const [key, paths] of this.deps.routes.routes(name, f)) {
        try {
          this.exportDestination(name, f, key, paths);
        } catch (e) {
          this.deps.log.error({ err: e, instance: name, key }, 'BGP gateway: export failed');
        }
      }
    }
  }

  /** An instance's RD, targets or VNI may have changed: export it again and re-match gateway routes. */
  private refreshInstance(name: string): void {
    if (this.closed) return;
    this.refreshing.add(name);
    try {
      this.withdrawInstance(name);
      this.instanceData.delete(name);
      if (!this.deps.routes.instance(name)?.configured) return;
      this.exportInstance(name);
      this.updateInterest(name);
      this.scheduleReimport();
    } finally {
      this.refreshing.delete(name);
    }
  }

  private dropInstance(name: string): void {
    this.withdrawInstance(name);
    this.instanceData.delete(name);
    this.rtc.set(name, undefined);
    // our paths would stay in RouteDb's placeholder for the instance: take them out
    for (const [k] of this.importedPaths) {
      if (!k.startsWith(`${name}${SEP}`)) continue;
      this.importedPaths.delete(k);
      const [, family, key, source] = k.split(SEP) as [string, RouteFamily, string, string];
      this.deps.routes.removePath(name, family, key, source);
    }
    for (const routes of this.imported.values())
      for (const st of routes.values()) st.instances = st.instances.filter((i) => i !== name);
  }

  private updateInterest(instance: string): void {
    const d = this.instance(instance);
    const interested =
      this.subscribed.has(instance) ||
      (this.deps.subscribers?.subscriberCount(instance) ?? 0) > 0 ||
      (this.exported.get(instance)?.size ?? 0) > 0;
    this.rtc.set(instance, interested && d ? [...d.imports].sort() : undefined);
  }

  // ---- import ------------------------------------------------------------------------------------------

  private onGatewayRoute(e: RouteEvent): void {
    if (this.closed) return;
    const fk = familyKey(e.family);
    if (!GATEWAY_FAMILY_KEYS.has(fk)) return;
    try {
      const id = `${fk}|${nlriKey(fk, e.nlri)}|${e.pathId}`;
      if (e.kind === 'withdrawn' || !e.accepted || !e.attrs) {
        this.unimport(e.peer, id);
        return;
      }
      const route = importedRoute(e.nlri, e.attrs);
      if (!route) {
        this.unimport(e.peer, id);
        return;
      }
      this.importRoute(e.peer, id, route, e.attrs.routeTargets);
    } catch (err) {
      this.deps.log.warn({ err, peer: e.peer }, 'BGP gateway: route not imported');
    }
  }

  private importRoute(peer: string, id: string, route: ImportedRoute, routeTargets: readonly string[]): void {
    let routes = this.imported.get(peer);
    if (!routes) {
      routes = new Map();
      this.imported.set(peer, routes);
    }
    const old = routes.get(id);
    const instances = this.importingInstances(routeTargets);
    const source = bgpSource(peer);
    if (old) {
      for (const i of old.instances)
        if (!instances.includes(i) || old.route.key !== route.key || old.route.family !== route.family)
          this.removeImported(i, old.route, source, id);
    }
    for (const i of instances) this.addImported(i, route, source, id);
    // kept even when no instance imports it yet: an instance added later matches it then (reimport)
    routes.set(id, { route, routeTargets, instances });
  }

  /**
   * The instances to add a gateway route to: every one importing one of the route's own targets. The paths are
   * local (RouteDb does not leak them further by the instance's export targets), so an instance that imports
   * only what another VRF exports does not see a gateway route carrying none of its targets.
   */
  private importingInstances(routeTargets: readonly string[]): string[] {
    const out: string[] = [];
    for (const i of this.deps.routes.instances()) {
      const d = this.instance(i.name);
      if (d && importedBy(routeTargets, d.imports)) out.push(i.name);
    }
    return out;
  }

  private addImported(instance: string, route: ImportedRoute, source: string, id: string): void {
    const pk = `${instance}${SEP}${route.family}${SEP}${route.key}${SEP}${source}`;
    let ids = this.importedPaths.get(pk);
    if (!ids) {
      ids = new Map();
      this.importedPaths.set(pk, ids);
    }
    ids.set(id, route);
    const d = this.instanceData.get(instance);
    this.deps.routes.addPath(instance, route.family, route.key, {
      source,
      entry: route.entry(d?.vn ?? ''),
      local: true,
    });
  }

  private removeImported(instance: string, route: ImportedRoute, source: string, id: string): void {
    const pk = `${instance}${SEP}${route.family}${SEP}${route.key}${SEP}${source}`;
    const ids = this.importedPaths.get(pk);
    if (!ids?.delete(id)) return;
    if (ids.size === 0) {
      this.importedPaths.delete(pk);
      if (this.deps.routes.instance(instance))
        this.deps.routes.removePath(instance, route.family, route.key, source);
      return;
    }
    // another route of the same gateway (another RD) still gives this destination
    const other = ids.values().next().value as ImportedRoute;
    const d = this.instanceData.get(instance);
    this.deps.routes.addPath(instance, other.family, other.key, {
      source,
      entry: other.entry(d?.vn ?? ''),
      local: true,
    });
  }

  private unimport(peer: string, id: string): void {
    const routes = this.imported.get(peer);
    const st = routes?.get(id);
    if (!st) return;
    routes!.delete(id);
    const source = bgpSource(peer);
    for (const i of st.instances) this.removeImported(i, st.route, source, id);
  }

  private dropImports(peer: string): void {
    const routes = this.imported.get(peer);
    if (!routes) return;
    for (const id of [...routes.keys()]) this.unimport(peer, id);
    this.imported.delete(peer);
  }

  /**
   * Matches every gateway route against the instances again (an instance appeared or targets changed), once
   * for a burst of instance changes and never inside the import of a route.
   */
  private scheduleReimport(): void {
    if (this.reimportPending) return;
    this.reimportPending = true;
    setImmediate(() => {
      this.reimportPending = false;
      if (this.closed) return;
      for (const [peer, routes] of this.imported)
        for (const [id, st] of routes) {
          try {
            this.importRoute(peer, id, st.route, st.routeTargets);
          } catch (e) {
            this.deps.log.warn({ err: e, peer }, 'BGP gateway: route not imported');
          }
        }
    });
  }
}

/** Every object of a type (the store pages lists). */
async function listAll(store: Store, type: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100_000; i++) {
    const r = await store.list({ type, ...(after ? { after } : {}), limit: 1000 });
    out.push(...r.objects);
    if (!r.next) break;
    after = r.next;
  }
  return out;
}

/** Our own control-node bgp-router: the one naming our router id, our listen address or this host. */
function ownEntry(routers: StoredObject[], cfg: GatewayConfig): StoredObject | undefined {
  const host = hostname();
  return routers.find((o) => {
    const p = routerParams(o);
    if (!isControlNode(p)) return false;
    if (cfg.routerId !== undefined) return p.identifier === cfg.routerId;
    return (cfg.listen !== undefined && p.address === cfg.listen.host) || o.fqName.at(-1) === host;
  });
}
