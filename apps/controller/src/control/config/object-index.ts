// The config objects an agent's graph can contain, held in memory and kept current from the store's change
// stream, with the reverse indexes the walk needs (back-refs, children, fq_name). Walking one agent's graph
// then costs map lookups instead of store queries, which matters because a walk runs on every change that
// concerns an agent (TF's IFMapServer keeps its graph in memory for the same reason).
//
// Loading races the change stream: changes that arrive while the store is listed are held, then applied if
// newer than what the listing returned (every object carries the revision of its last change).
import { type Change, fqKey, type Store, type StoredObject } from '../../store/interface.js';

/** Types an agent's config can contain (walk.ts); changes to other types are not indexed. */
export const INDEXED_TYPES: ReadonlySet<string> = new Set([
  'global-system-config',
  'global-vrouter-config',
  'policy-management',
  'virtual-router',
  'virtual-machine',
  'virtual-machine-interface',
  'instance-ip',
  'floating-ip',
  'floating-ip-pool',
  'virtual-network',
  'network-ipam',
  'network-policy',
  'routing-instance',
  'route-target',
  'project',
  'security-group',
  'tag',
  'tag-type',
  'application-policy-set',
  'firewall-policy',
  'firewall-rule',
  'service-group',
  'address-group',
]);

const PAGE = 1000;

/** What the walk reads. */
export interface ConfigView {
  get(uuid: string): StoredObject | undefined;
  byFqName(type: string, fqName: readonly string[]): StoredObject | undefined;
  /** Objects (of `type`, or of any type) whose refs point at `uuid`. */
  referrers(uuid: string, type?: string): Iterable<StoredObject>;
  /** Children (of `type`, or of any type) of `parentUuid`. */
  children(parentUuid: string, type?: string): Iterable<StoredObject>;
}

/** uuid -> type -> uuids: a project's 50,000 interfaces are not scanned to find its 2 policy sets. */
type TypedIndex = Map<string, Map<string, Set<string>>>;

function addTo(m: TypedIndex, k: string, type: string, v: string): void {
  let byType = m.get(k);
  if (byType === undefined) {
    byType = new Map();
    m.set(k, byType);
  }
  const s = byType.get(type);
  if (s === undefined) byType.set(type, new Set([v]));
  else s.add(v);
}

function removeFrom(m: TypedIndex, k: string, type: string, v: string): void {
  const byType = m.get(k);
  const s = byType?.get(type);
  if (byType === undefined || s === undefined) return;
  s.delete(v);
  if (s.size > 0) return;
  byType.delete(type);
  if (byType.size === 0) m.delete(k);
}

export class ObjectIndex implements ConfigView {
  private readonly objects = new Map<string, StoredObject>();
  private readonly fq = new Map<string, string>();
  private readonly referrersOf: TypedIndex = new Map();
  private readonly childrenOf: TypedIndex = new Map();
  private held: Change[] | undefined = [];

  get size(): number {
    return this.objects.size;
  }

  get loaded(): boolean {
    return this.held === undefined;
  }

  /** Lists the indexed types from the store; changes given to `apply` meanwhile are applied after. */
  async load(store: Store): Promise<void> {
    for (const type of INDEXED_TYPES) {
      let after: string | undefined;
      // Bounded by the store's size: each page advances `after`.
      for (;;) {
        const r = await store.list({ type, limit: PAGE, ...(after !== undefined ? { after } : {}) });
        for (const o of r.objects) if (!this.objects.has(o.uuid)) this.put(o);
        if (r.next === undefined || r.objects.length === 0) break;
        after = r.next;
      }
    }
    const held = this.held ?? [];
    this.held = undefined;
    for (const c of held) this.apply(c);
  }

  /** One change of the store, in revision order. */
  apply(c: Change): void {
    if (!INDEXED_TYPES.has(c.type)) return;
    if (this.held !== undefined) {
      this.held.push(c);
      return;
    }
    const cur = this.objects.get(c.uuid);
    if (cur !== undefined && cur.revision > c.revision) return; // the listing already had something newer
    if (c.kind === 'delete') {
      if (cur !== undefined) this.remove(cur);
    } else if (cur === undefined || cur.revision < c.revision) this.put(c.object);
  }

  private put(o: StoredObject): void {
    const old = this.objects.get(o.uuid);
    if (old !== undefined) this.remove(old);
    this.objects.set(o.uuid, o);
    this.fq.set(`${o.type}\n${fqKey(o.fqName)}`, o.uuid);
    for (const r of o.refs) addTo(this.referrersOf, r.uuid, o.type, o.uuid);
    if (o.parentUuid !== undefined) addTo(this.childrenOf, o.parentUuid, o.type, o.uuid);
  }

  private remove(o: StoredObject): void {
    this.objects.delete(o.uuid);
    const k = `${o.type}\n${fqKey(o.fqName)}`;
    if (this.fq.get(k) === o.uuid) this.fq.delete(k);
    for (const r of o.refs) removeFrom(this.referrersOf, r.uuid, o.type, o.uuid);
    if (o.parentUuid !== undefined) removeFrom(this.childrenOf, o.parentUuid, o.type, o.uuid);
  }

  get(uuid: string): StoredObject | undefined {
    return this.objects.get(uuid);
  }

  byFqName(type: string, fqName: readonly string[]): StoredObject | undefined {
    const u = this.fq.get(`${type}\n${fqKey([...fqName])}`);
    return u === undefined ? undefined : this.objects.get(u);
  }

  referrers(uuid: string, type?: string): Iterable<StoredObject> {
    return this.typed(this.referrersOf, uuid, type);
  }

  children(parentUuid: string, type?: string): Iterable<StoredObject> {
    return this.typed(this.childrenOf, parentUuid, type);
  }

  private *typed(m: TypedIndex, k: string, type: string | undefined): IterableIterator<StoredObject> {
    const byType = m.get(k);
    if (byType === undefined) return;
    const sets = type === undefined ? byType.values() : [byType.get(type) ?? []];
    for (const s of sets) {
      for (const u of s) {
        const o = this.objects.get(u);
        if (o !== undefined) yield o;
      }
    }
  }
}
