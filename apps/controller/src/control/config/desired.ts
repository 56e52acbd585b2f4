// An agent's graph (walk.ts) as the IF-MAP objects it should hold: each stored object becomes its node, its
// reference attribute nodes and its links (@filament/ifmap), keyed so that two pushes can be diffed. A link is
// kept only when both ends are in the agent's graph, as TF's IFMapServer sends only links between identifiers
// the client can see. Each entry carries a fingerprint of its content, so an unchanged object is not re-sent.
// The IF-MAP form of an object (with the links to all its ref targets) is made once per object revision and
// shared by every agent's walk (DesiredCache); each agent keeps the links whose both ends it sees.
import { createHash } from 'node:crypto';
import { IfmapError, type IfmapObject, nodeFromTfObject, type TfObject } from '@filament/ifmap';
import { type ConfigLink, type ConfigNode, writeElement } from '@filament/xmpp';
import type { StoredObject } from '../../store/interface.js';
import type { ConfigView } from './object-index.js';
import { GLOBAL_SYSTEM_CONFIG } from './walk.js';

export type IfmapItem = ConfigNode | ConfigLink;

/** Keyed IF-MAP items; insertion order is nodes first, then links (the order an update must use). */
export type DesiredGraph = Map<string, DesiredEntry>;

/** A JSON array, so that any character in a name is safe; `itemFromKey` reverses it. */
export const itemKey = (i: IfmapItem): string =>
  i.kind === 'node'
    ? JSON.stringify(['n', i.type, i.name])
    : JSON.stringify(['l', i.metadata, i.left.type, i.left.name, i.right.type, i.right.name]);

/** The identity of a keyed item, as a delete carries it. */
export function itemFromKey(key: string): IfmapItem {
  const f = JSON.parse(key) as string[];
  if (f[0] === 'n') return { kind: 'node', type: f[1]!, name: f[2]!, properties: [] };
  return {
    kind: 'link',
    metadata: f[1]!,
    left: { type: f[2]!, name: f[3]! },
    right: { type: f[4]!, name: f[5]! },
    metadataChildren: [],
  };
}

export interface DesiredOptions {
  /** global-vrouter-config encapsulation_priorities (TF default MPLSoUDP, MPLSoGRE, VXLAN). */
  encapsulationPriorities: readonly string[];
}

// Stored body fields an agent has no use for.
const PRIVATE_FIELDS = new Set(['perms2']);

/** The TF REST shape of a stored object, its refs' targets named from `view` (refs to unknown targets dropped). */
export function tfObjectOf(o: StoredObject, view: Pick<ConfigView, 'get'>): TfObject {
  const out: TfObject = { fq_name: o.fqName, uuid: o.uuid };
  if (o.parentType !== undefined) out.parent_type = o.parentType;
  for (const [k, v] of Object.entries(o.body)) if (!PRIVATE_FIELDS.has(k)) out[k] = v;
  for (const r of o.refs) {
    const target = view.get(r.uuid);
    if (target === undefined) continue;
    const field = `${r.type.replaceAll('-', '_')}_refs`;
    const list = (out[field] as unknown[] | undefined) ?? [];
    list.push({ to: target.fqName, uuid: r.uuid, attr: r.attr ?? null });
    out[field] = list;
  }
  return out;
}

/** TF's default encapsulation priority (the schema default of global-vrouter-config). */
export const DEFAULT_ENCAPSULATION_PRIORITIES: readonly string[] = ['MPLSoUDP', 'MPLSoGRE', 'VXLAN'];

/**
 * The global-vrouter-config an agent gets when the store has none (bootstrap creates
 * default-global-vrouter-config; a store from before that, or one where it was deleted, has none).
 */
export function globalVrouterConfig(opts: DesiredOptions): TfObject {
  return {
    fq_name: [GLOBAL_SYSTEM_CONFIG, 'default-global-vrouter-config'],
    parent_type: 'global-system-config',
    encapsulation_priorities: { encapsulation: [...opts.encapsulationPriorities] },
    // Every network carries its VNI in virtual_network_properties.
    vxlan_network_identifier_mode: 'configured',
  };
}

const identity = (r: { type: string; name: string }): string => JSON.stringify(['n', r.type, r.name]);

/** A short digest of a node's properties: what the agent holds is compared, not kept, per object. */
const digest = (xml: string): string => createHash('sha1').update(xml).digest('base64');

/**
 * One keyed item of an agent's graph. The IF-MAP item itself (element trees of every property) is built only
 * while pushes need it (DesiredCache.release drops it), so the cache keeps keys and digests per object, not the
 * XML form of the whole config: with every agent subscribed, every object would otherwise stay built.
 */
export class DesiredEntry {
  constructor(
    private readonly owner: ObjectItems,
    readonly key: string,
    /** Digest of the node's properties ('' for a link, whose identity is all of it). */
    readonly fingerprint: string,
  ) {}

  get item(): IfmapItem {
    return this.owner.built().get(this.key) ?? itemFromKey(this.key);
  }
}

/** One object revision's IF-MAP items, keyed, with what an agent must see for each link to be sent. */
export class ObjectItems {
  /** The object's node and its attribute nodes; a node's identity key is its item key. */
  readonly nodes: DesiredEntry[] = [];
  /** Links with the identity keys of both ends. */
  readonly links: [entry: DesiredEntry, left: string, right: string][] = [];
  private items: Map<string, IfmapItem> | undefined;

  constructor(
    readonly revision: number,
    x: IfmapObject,
    /** Builds the IF-MAP form again once `release` dropped it. */
    private readonly rebuild: () => IfmapObject,
    private readonly onBuilt: (o: ObjectItems) => void,
  ) {
    for (const n of [x.node, ...x.attributeNodes]) {
      this.nodes.push(new DesiredEntry(this, itemKey(n), digest(n.properties.map(writeElement).join(''))));
    }
    for (const l of x.links)
      this.links.push([new DesiredEntry(this, itemKey(l), ''), identity(l.left), identity(l.right)]);
    this.keep(x);
  }

  /** The IF-MAP items by key, built again if released. */
  built(): Map<string, IfmapItem> {
    if (this.items === undefined) this.keep(this.rebuild());
    return this.items!;
  }

  release(): void {
    this.items = undefined;
  }

  private keep(x: IfmapObject): void {
    const m = new Map<string, IfmapItem>();
    for (const n of [x.node, ...x.attributeNodes]) m.set(itemKey(n), n);
    for (const l of x.links) m.set(itemKey(l), l);
    this.items = m;
    this.onBuilt(this);
  }
}

/** IF-MAP items per object revision, shared by all agents. */
export class DesiredCache {
  private readonly byUuid = new Map<string, ObjectItems>();
  private readonly global: ObjectItems;
  /** Objects whose IF-MAP form is held until the next `release`. */
  private readonly built = new Set<ObjectItems>();
  private readonly onBuilt = (o: ObjectItems): void => {
    this.built.add(o);
  };

  constructor(
    private readonly view: Pick<ConfigView, 'get'>,
    opts: DesiredOptions,
    private readonly onBadObject?: (o: StoredObject, err: IfmapError) => void,
  ) {
    const gvc = () => nodeFromTfObject('global-vrouter-config', globalVrouterConfig(opts));
    this.global = new ObjectItems(0, gvc(), gvc, this.onBuilt);
  }

  /** Forgets a deleted object. */
  drop(uuid: string): void {
    const c = this.byUuid.get(uuid);
    if (c === undefined) return;
    this.built.delete(c);
    this.byUuid.delete(uuid);
  }

  get size(): number {
    return this.byUuid.size;
  }

  /** Drops the IF-MAP forms built since the last call (the feed calls it when no push is pending). */
  release(): void {
    for (const o of this.built) o.release();
    this.built.clear();
  }

  items(o: StoredObject): ObjectItems {
    let c = this.byUuid.get(o.uuid);
    if (c === undefined || c.revision !== o.revision) {
      const build = () => nodeFromTfObject(o.type, tfObjectOf(o, this.view));
      if (c !== undefined) this.built.delete(c);
      c = new ObjectItems(o.revision, build(), build, this.onBuilt);
      this.byUuid.set(o.uuid, c);
    }
    return c;
  }

  /** The keyed items an agent with this graph should hold: nodes first, then the links between them. */
  desiredGraph(objects: ReadonlyMap<string, StoredObject>): DesiredGraph {
    const out: DesiredGraph = new Map();
    if (objects.size === 0) return out;
    const all: ObjectItems[] = [];
    for (const o of objects.values()) {
      try {
        all.push(this.items(o));
      } catch (err) {
        // A stored body with no XML form (the API validates bodies, so only a foreign writer makes one):
        // the agent goes without that object rather than without its whole config.
        if (!(err instanceof IfmapError)) throw err;
        this.onBadObject?.(o, err);
      }
    }
    let hasGlobal = false;
    for (const o of objects.values()) if (o.type === 'global-vrouter-config') hasGlobal = true;
    if (!hasGlobal) all.push(this.global);
    /** Identity keys of objects and attribute nodes in the graph. */
    const present = new Set<string>();
    for (const x of all) {
      for (const e of x.nodes) {
        out.set(e.key, e);
        present.add(e.key);
      }
    }
    for (const x of all) {
      for (const [e, left, right] of x.links) {
        // A link whose other end the agent does not see (a ref to another agent's object, a domain parent) stays.
        if (present.has(left) && present.has(right)) out.set(e.key, e);
      }
    }
    // An attribute node whose far end is not visible has lost its second link: drop it and its first link.
    for (const x of all) {
      if (x.nodes.length < 2) continue;
      for (const { key: id } of x.nodes.slice(1)) {
        const linked = x.links.filter(([, l, r]) => l === id || r === id);
        if (!linked.every(([le]) => out.has(le.key))) {
          out.delete(id);
          for (const [le] of linked) out.delete(le.key);
        }
      }
    }
    return out;
  }
}
