// The control plane's routing tables: one per routing instance, with paths from agents, gateways and config.
//
// A path is originated in one instance (where its source published it) and is visible in every instance whose
// import route targets intersect the origin's export targets, and in the origin itself. A `local` path (a
// gateway route, imported by its own route targets into each instance that imports one of them) is visible in
// its instance only: as in TF, a VRF exports only its own routes, never the ones it imported. Every instance keeps a
// view per family: key (prefix or EVPN item id) -> the paths visible there, several for ECMP. Each change to a
// view is emitted once as a RouteChange with the new path list ([] = withdrawn), so one new route costs one
// event per instance that sees it, never a table walk.
//
// Instances that agents publish into before config names them exist as placeholders without targets (TF keeps
// routes for unknown VRFs pending); they become configured on upsertInstance.
import { EventEmitter } from 'node:events';
import type { EnetEntry, UnicastEntry } from '@filament/xmpp';

export type RouteFamily = 'inet' | 'inet6' | 'enet';

export const ROUTE_FAMILIES: readonly RouteFamily[] = ['inet', 'inet6', 'enet'];

export interface RoutePath {
  /** 'agent:<name>' | 'bgp:<peer address>' | 'config:<virtual-router name>'. */
  source: string;
  /** UnicastEntry for inet/inet6, EnetEntry for enet. */
  entry: UnicastEntry | EnetEntry;
  /** Kept through a graceful restart until the source republishes or the grace time ends. */
  stale?: boolean;
  /** The instance the path was published into (set by the RouteDb; differs from the view for leaked paths). */
  origin?: string;
  /** Visible in its own instance only, not leaked by the instance's export targets (see above). */
  local?: boolean;
}

export interface RouteChange {
  instance: string;
  family: RouteFamily;
  key: string;
  /** [] = withdrawn; more than one = ECMP. */
  paths: readonly RoutePath[];
}

export interface InstanceSpec {
  name: string;
  /** The virtual network's fq_name joined with ':'. */
  vn?: string;
  vni?: number;
  importTargets: string[];
  exportTargets: string[];
}

type FamilyTable = Map<string, RoutePath[]>;

export class RoutingInstance {
  vn: string | undefined;
  vni: number | undefined;
  importTargets: ReadonlySet<string> = new Set();
  exportTargets: ReadonlySet<string> = new Set();
  /** False for a placeholder made by a publish before config named the instance. */
  configured = false;
  /** Paths published into this instance, by family and key (one per source). */
  readonly origin: Record<RouteFamily, FamilyTable> = { inet: new Map(), inet6: new Map(), enet: new Map() };
  /** Paths visible here (own and leaked), by family and key. */
  readonly view: Record<RouteFamily, FamilyTable> = { inet: new Map(), inet6: new Map(), enet: new Map() };
  /** Instances that see this instance's paths (always including itself). */
  visibleIn = new Set<RoutingInstance>();

  constructor(readonly name: string) {
    this.visibleIn.add(this);
  }

  /** Number of keys visible in this instance, all families. */
  get routeCount(): number {
    return this.view.inet.size + this.view.inet6.size + this.view.enet.size;
  }

  get originCount(): number {
    return this.origin.inet.size + this.origin.inet6.size + this.origin.enet.size;
  }
}

export interface RouteDbEvents {
  change: [RouteChange];
  'instance-added': [RoutingInstance];
  'instance-removed': [string];
}

const SEP = '\u0000';

export class RouteDb extends EventEmitter<RouteDbEvents> {
  private readonly byName = new Map<string, RoutingInstance>();
  /** route target -> instances importing it. */
  private readonly importers = new Map<string, Set<RoutingInstance>>();
  /** route target -> instances exporting it. */
  private readonly exporters = new Map<string, Set<RoutingInstance>>();
  /** source -> `${instance}\0${family}\0${key}` of its paths, for removeSource and stale handling. */
  private readonly bySource = new Map<string, Set<string>>();

  constructor() {
    super();
    // One listener per subscribed agent plus gateways and metrics.
    this.setMaxListeners(0);
  }

  upsertInstance(spec: InstanceSpec): RoutingInstance {
    let ri = this.byName.get(spec.name);
    const isNew = ri === undefined || !ri.configured;
    if (!ri) {
      ri = new RoutingInstance(spec.name);
      this.byName.set(spec.name, ri);
    }
    ri.vn = spec.vn;
    ri.vni = spec.vni;
    ri.configured = true;
    this.setTargets(ri, new Set(spec.importTargets), new Set(spec.exportTargets));
    if (isNew) this.emit('instance-added', ri);
    return ri;
  }

  /** Drops the instance's config: its leaks end; its own paths go too unless sources still publish there. */
  removeInstance(name: string): void {
    const ri = this.byName.get(name);
    if (!ri) return;
    this.setTargets(ri, new Set(), new Set());
    const wasConfigured = ri.configured;
    ri.configured = false;
    ri.vn = undefined;
    ri.vni = undefined;
    if (ri.originCount === 0) this.byName.delete(name);
    if (wasConfigured) this.emit('instance-removed', name);
  }

  instance(name: string): RoutingInstance | undefined {
    return this.byName.get(name);
  }

  /** Configured instances. */
  *instances(): Iterable<RoutingInstance> {
    for (const ri of this.byName.values()) if (ri.configured) yield ri;
  }

  /** Adds or replaces `path.source`'s path for `key` in `instance` and updates every view that sees it. */
  addPath(instance: string, family: RouteFamily, key: string, path: RoutePath): void {
    let ri = this.byName.get(instance);
    if (!ri) {
      ri = new RoutingInstance(instance);
      this.byName.set(instance, ri);
    }
    const p: RoutePath = { source: path.source, entry: path.entry, origin: instance };
    if (path.local) p.local = true;
    const table = ri.origin[family];
    const own = table.get(key);
    table.set(key, own ? replaceBySource(own, p) : [p]);
    let keys = this.bySource.get(p.source);
    if (!keys) {
      keys = new Set();
      this.bySource.set(p.source, keys);
    }
    keys.add(instance + SEP + family + SEP + key);
    for (const v of viewers(ri, p)) this.putInView(v, family, key, p);
  }

  removePath(instance: string, family: RouteFamily, key: string, source: string): void {
    const ri = this.byName.get(instance);
    const own = ri?.origin[family].get(key);
    if (!ri || !own) return;
    const i = own.findIndex((p) => p.source === source);
    if (i < 0) return;
    const old = own[i]!;
    if (own.length === 1) ri.origin[family].delete(key);
    else
      ri.origin[family].set(
        key,
        own.filter((_, j) => j !== i),
      );
    this.bySource.get(source)?.delete(instance + SEP + family + SEP + key);
    for (const v of viewers(ri, old)) this.dropFromView(v, family, key, old);
    if (!ri.configured && ri.originCount === 0 && ri.visibleIn.size === 1) this.byName.delete(instance);
  }

  /** Removes every path of one source (an agent or peer gone for good), or only those in one instance. */
  removeSource(source: string, onlyInstance?: string): void {
    for (const [instance, family, key] of this.sourceKeys(source))
      if (onlyInstance === undefined || instance === onlyInstance)
        this.removePath(instance, family, key, source);
    if (onlyInstance === undefined || this.bySource.get(source)?.size === 0) this.bySource.delete(source);
  }

  /** Marks every path of a source stale (graceful restart); they stay usable. */
  markStale(source: string): number {
    let n = 0;
    for (const [instance, family, key] of this.sourceKeys(source)) {
      const p = this.byName
        .get(instance)
        ?.origin[family].get(key)
        ?.find((x) => x.source === source);
      if (p) {
        p.stale = true;
        n++;
      }
    }
    return n;
  }

  /** Removes the source's paths that are still stale (not republished since markStale). */
  sweepStale(source: string): number {
    let n = 0;
    for (const [instance, family, key] of this.sourceKeys(source)) {
      const p = this.byName
        .get(instance)
        ?.origin[family].get(key)
        ?.find((x) => x.source === source);
      if (p?.stale) {
        this.removePath(instance, family, key, source);
        n++;
      }
    }
    return n;
  }

  /** Number of paths a source has published. */
  sourceCount(source: string): number {
    return this.bySource.get(source)?.size ?? 0;
  }

  /** The paths visible in `instance` (own and leaked). */
  routes(instance: string, family: RouteFamily): Iterable<[key: string, paths: readonly RoutePath[]]> {
    return this.byName.get(instance)?.view[family] ?? new Map<string, RoutePath[]>();
  }

  private *sourceKeys(source: string): Iterable<[string, RouteFamily, string]> {
    const keys = this.bySource.get(source);
    if (!keys) return;
    for (const k of [...keys]) {
      const a = k.indexOf(SEP);
      const b = k.indexOf(SEP, a + 1);
      yield [k.slice(0, a), k.slice(a + 1, b) as RouteFamily, k.slice(b + 1)];
    }
  }

  private putInView(v: RoutingInstance, family: RouteFamily, key: string, p: RoutePath): void {
    const cur = v.view[family].get(key);
    const next = cur ? replaceBySourceAndOrigin(cur, p) : [p];
    v.view[family].set(key, next);
    this.emit('change', { instance: v.name, family, key, paths: next });
  }

  private dropFromView(v: RoutingInstance, family: RouteFamily, key: string, p: RoutePath): void {
    const cur = v.view[family].get(key);
    if (!cur) return;
    const next = cur.filter((x) => !(x.source === p.source && x.origin === p.origin));
    if (next.length === cur.length) return;
    if (next.length === 0) v.view[family].delete(key);
    else v.view[family].set(key, next);
    this.emit('change', { instance: v.name, family, key, paths: next });
  }

  /** Changes targets and moves leaked paths in or out of the views that gain or lose visibility. */
  private setTargets(ri: RoutingInstance, imports: Set<string>, exports: Set<string>): void {
    const importsChanged = !sameSet(ri.importTargets, imports);
    const exportsChanged = !sameSet(ri.exportTargets, exports);
    if (!importsChanged && !exportsChanged) return;
    // Origins whose visibility may change: this one (its exports) and those exporting a target this one
    // imported before or imports now.
    const affected = new Set<RoutingInstance>([ri]);
    if (importsChanged) {
      for (const t of ri.importTargets) for (const o of this.exporters.get(t) ?? []) affected.add(o);
      for (const t of imports) for (const o of this.exporters.get(t) ?? []) affected.add(o);
      reindex(this.importers, ri, ri.importTargets, imports);
    }
    if (exportsChanged) reindex(this.exporters, ri, ri.exportTargets, exports);
    ri.importTargets = imports;
    ri.exportTargets = exports;
    for (const o of affected) this.recomputeVisibility(o);
  }

  private recomputeVisibility(o: RoutingInstance): void {
    const next = new Set<RoutingInstance>([o]);
    for (const t of o.exportTargets) for (const i of this.importers.get(t) ?? []) next.add(i);
    const prev = o.visibleIn;
    if (sameSet(prev, next)) return;
    o.visibleIn = next;
    for (const v of prev) {
      if (next.has(v)) continue;
      for (const family of ROUTE_FAMILIES)
        for (const [key, paths] of o.origin[family])
          for (const p of paths) if (!p.local) this.dropFromView(v, family, key, p);
    }
    for (const v of next) {
      if (prev.has(v)) continue;
      for (const family of ROUTE_FAMILIES)
        for (const [key, paths] of o.origin[family])
          for (const p of paths) if (!p.local) this.putInView(v, family, key, p);
    }
  }
}

/** The instances that see path `p` of `ri`: those its export targets reach, or `ri` alone for a local path. */
function viewers(ri: RoutingInstance, p: RoutePath): Iterable<RoutingInstance> {
  return p.local ? [ri] : ri.visibleIn;
}

function reindex(
  index: Map<string, Set<RoutingInstance>>,
  ri: RoutingInstance,
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
): void {
  for (const t of before) {
    if (after.has(t)) continue;
    const s = index.get(t);
    s?.delete(ri);
    if (s?.size === 0) index.delete(t);
  }
  for (const t of after) {
    let s = index.get(t);
    if (!s) {
      s = new Set();
      index.set(t, s);
    }
    s.add(ri);
  }
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function replaceBySource(paths: RoutePath[], p: RoutePath): RoutePath[] {
  const out = paths.filter((x) => x.source !== p.source);
  out.push(p);
  return out;
}

function replaceBySourceAndOrigin(paths: RoutePath[], p: RoutePath): RoutePath[] {
  const out = paths.filter((x) => !(x.source === p.source && x.origin === p.origin));
  out.push(p);
  return out;
}
