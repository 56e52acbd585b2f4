// The agent's copy of its config: IF-MAP identifiers and links as the control node pushes them, read back as
// TF REST-shaped objects. `apply` takes the blocks of config iqs in order (readConfig output); every node or
// link that does not decode is rejected with its typed error and the rest still applies, since one bad object
// from the network must not cost the agent its whole config. Changes are reported once per object per apply,
// after the whole batch: an object whose node, property, reference or parent link changed is 'update'd.
//
// Resync (TF's EndOfConfig timer): `markStale()` when a new config session starts, then whatever the control
// node re-sends is fresh again, and `sweepStale()` once the push went quiet deletes the rest.
import { EventEmitter } from 'node:events';
import type { ConfigBlock, ConfigLink, ConfigNode, ConfigNodeRef, XmlElement } from '@filament/xmpp';
import { IdentityError, IfmapError, UuidError } from './errors.js';
import { isAttributeNodeName, nodeKey, refField } from './names.js';
import type { TfObject, TfRef } from './node.js';
import { decodeElement, decodeFields, type Where } from './properties.js';
import type { Shape, Vocabulary } from './shape.js';
import { uuidFromHalves } from './uuid.js';
import { TF_VOCABULARY } from './vocabulary.js';

export type IfmapChangeOp = 'add' | 'update' | 'delete';

export interface IfmapChange {
  op: IfmapChangeOp;
  type: string;
  name: string;
}

export interface RejectedObject {
  object: ConfigNode | ConfigLink;
  error: IfmapError;
}

export interface ApplyResult {
  /** The same changes the 'change' events reported, in order. */
  changes: IfmapChange[];
  rejected: RejectedObject[];
}

export interface IfmapGraphOptions {
  vocabulary?: Vocabulary;
}

interface Entry {
  type: string;
  name: string;
  /** Decoded properties (id_perms without its uuid). */
  props: Record<string, unknown>;
  uuid: string | undefined;
  /** A reference's attribute node (`attr(<from>,<to>)`), not an object of its own. */
  attribute: boolean;
  /** The attribute of an attribute node. */
  value: unknown;
  stale: boolean;
  cached: TfObject | undefined;
}

interface Edge {
  metadata: string;
  /** Key of the other end. */
  other: string;
  /** This end is the link's left (the parent, or the referring object). */
  left: boolean;
  stale: boolean;
}

function splitKey(key: string): [type: string, name: string] {
  const i = key.indexOf('\t');
  return [key.slice(0, i), key.slice(i + 1)];
}

function sameContent(a: Omit<Entry, 'stale' | 'cached'>, b: Omit<Entry, 'stale' | 'cached'>): boolean {
  return (
    a.uuid === b.uuid &&
    a.attribute === b.attribute &&
    JSON.stringify(a.props) === JSON.stringify(b.props) &&
    JSON.stringify(a.value) === JSON.stringify(b.value)
  );
}

const edgeKey = (left: boolean, metadata: string, other: string): string =>
  `${left ? '>' : '<'}${metadata}\n${other}`;

export class IfmapGraph extends EventEmitter<{ change: [IfmapChange] }> {
  private readonly vocabulary: Vocabulary;
  private readonly nodes = new Map<string, Entry>();
  private readonly edges = new Map<string, Map<string, Edge>>();
  private readonly byType = new Map<string, Set<string>>();
  private readonly uuids = new Map<string, string>();
  /** Attribute shapes by link metadata (`<from>-<to>`). */
  private readonly attrShapes = new Map<string, Shape>();
  private touched = new Map<string, IfmapChangeOp>();

  constructor(opts: IfmapGraphOptions = {}) {
    super();
    this.vocabulary = opts.vocabulary ?? TF_VOCABULARY;
    for (const [t, v] of this.vocabulary) {
      for (const [to, shape] of Object.entries(v.refs))
        if (shape !== null) this.attrShapes.set(`${t}-${to}`, shape);
    }
  }

  /** Number of objects (attribute nodes not counted). */
  get size(): number {
    let n = 0;
    for (const set of this.byType.values()) n += set.size;
    return n;
  }

  /** Applies config blocks in order; emits one 'change' per changed object at the end. */
  apply(blocks: readonly ConfigBlock[]): ApplyResult {
    const rejected: RejectedObject[] = [];
    this.touched = new Map();
    for (const b of blocks) {
      for (const o of b.objects) {
        try {
          if (o.kind === 'node') {
            if (b.op === 'update') this.upsertNode(o);
            else this.deleteNode(o);
          } else if (b.op === 'update') this.addLink(o);
          else this.removeLink(o);
        } catch (err) {
          if (!(err instanceof IfmapError)) throw err;
          rejected.push({ object: o, error: err });
        }
      }
    }
    const changes: IfmapChange[] = [];
    for (const [key, op] of this.touched) {
      const e = this.nodes.get(key);
      if (op !== 'delete' && (e === undefined || e.attribute)) continue;
      const [type, name] = splitKey(key);
      changes.push({ op, type, name });
    }
    this.touched = new Map();
    for (const c of changes) this.emit('change', c);
    return { changes, rejected };
  }

  /** Marks everything stale; objects and links the control node sends again become fresh. */
  markStale(): void {
    for (const e of this.nodes.values()) e.stale = true;
    for (const m of this.edges.values()) for (const ed of m.values()) ed.stale = true;
  }

  /** Deletes what is still stale (links first, then nodes), reporting the changes like `apply`. */
  sweepStale(): ApplyResult {
    const links: ConfigLink[] = [];
    for (const [key, m] of this.edges) {
      for (const ed of m.values()) {
        if (!ed.stale || !ed.left) continue;
        const [lt, ln] = splitKey(key);
        const [rt, rn] = splitKey(ed.other);
        links.push({
          kind: 'link',
          left: { type: lt, name: ln },
          right: { type: rt, name: rn },
          metadata: ed.metadata,
          metadataChildren: [],
        });
      }
    }
    const nodes: ConfigNode[] = [];
    for (const e of this.nodes.values()) {
      if (e.stale) nodes.push({ kind: 'node', type: e.type, name: e.name, properties: [] });
    }
    return this.apply([{ op: 'delete', objects: [...links, ...nodes] }]);
  }

  has(type: string, name: string): boolean {
    const e = this.nodes.get(nodeKey(type, name));
    return e !== undefined && !e.attribute;
  }

  /** The TF REST-shaped object (fq_name, uuid, parent_type, properties, `<type>_refs`). */
  get(type: string, name: string): TfObject | undefined {
    const key = nodeKey(type, name);
    const e = this.nodes.get(key);
    if (e === undefined || e.attribute) return undefined;
    if (e.cached === undefined) e.cached = this.build(key, e);
    return e.cached;
  }

  byUuid(uuid: string): TfObject | undefined {
    const key = this.uuids.get(uuid.toLowerCase());
    if (key === undefined) return undefined;
    const [type, name] = splitKey(key);
    return this.get(type, name);
  }

  /** Names of the `otherType` identifiers linked to this one, in either direction and across attribute nodes. */
  neighbours(type: string, name: string, otherType: string): string[] {
    const out = new Set<string>();
    const key = nodeKey(type, name);
    for (const ed of this.edges.get(key)?.values() ?? []) {
      const [t, n] = splitKey(ed.other);
      if (this.isAttributeKey(ed.other, ed.metadata)) {
        for (const far of this.edges.get(ed.other)?.values() ?? []) {
          if (far.other === key) continue;
          const [ft, fn] = splitKey(far.other);
          if (ft === otherType) out.add(fn);
        }
      } else if (t === otherType) out.add(n);
    }
    return [...out];
  }

  /** Every object of one type. */
  *objects(type: string): IterableIterator<TfObject> {
    for (const key of this.byType.get(type) ?? []) {
      const [, name] = splitKey(key);
      const o = this.get(type, name);
      if (o !== undefined) yield o;
    }
  }

  /** Object types present. */
  types(): string[] {
    return [...this.byType].filter(([, s]) => s.size > 0).map(([t]) => t);
  }

  // --- updates ---

  private checkRef(r: ConfigNodeRef): void {
    if (r.type === '' || r.type.includes('\t'))
      throw new IdentityError(r.type, r.name, 'bad identifier type');
    if (r.name === '') throw new IdentityError(r.type, r.name, 'empty identifier name');
  }

  private isAttributeKey(key: string, metadata: string): boolean {
    const e = this.nodes.get(key);
    if (e !== undefined) return e.attribute;
    const [t, n] = splitKey(key);
    return t === metadata && isAttributeNodeName(n);
  }

  private touch(key: string, op: IfmapChangeOp): void {
    const e = this.nodes.get(key);
    if (e !== undefined) e.cached = undefined;
    const prev = this.touched.get(key);
    if (prev === undefined) this.touched.set(key, op);
    else if (op === 'delete') this.touched.set(key, 'delete');
    else if (prev === 'delete') this.touched.set(key, 'update');
  }

  /** Something about `key`'s links changed: the object (or, for an attribute node, both its ends) changed. */
  private touchLinked(key: string, metadata: string): void {
    if (this.isAttributeKey(key, metadata)) {
      for (const ed of this.edges.get(key)?.values() ?? [])
        if (this.nodes.has(ed.other)) this.touch(ed.other, 'update');
    } else if (this.nodes.has(key)) this.touch(key, 'update');
  }

  private decodeNode(n: ConfigNode): Omit<Entry, 'stale' | 'cached'> {
    this.checkRef(n);
    const where: Where = { type: n.type, name: n.name };
    const voc = this.vocabulary.get(n.type);
    if (voc === undefined && isAttributeNodeName(n.name)) {
      const valueEl = n.properties.find((p) => p.name === 'value');
      return {
        type: n.type,
        name: n.name,
        props: {},
        uuid: undefined,
        attribute: true,
        value: this.decodeAttribute(valueEl, this.attrShapes.get(n.type), where),
      };
    }
    const props = decodeFields(n.properties, voc?.props, where, '');
    let uuid: string | undefined;
    const perms = props.id_perms;
    if (perms !== null && typeof perms === 'object' && !Array.isArray(perms) && 'uuid' in perms) {
      const p = perms as Record<string, unknown>;
      const u = p.uuid as Record<string, unknown> | string;
      const ms = typeof u === 'object' ? u.uuid_mslong : undefined;
      const ls = typeof u === 'object' ? u.uuid_lslong : undefined;
      uuid =
        typeof ms === 'string' && typeof ls === 'string' ? uuidFromHalves(ms.trim(), ls.trim()) : undefined;
      if (uuid === undefined) throw new UuidError(n.type, n.name, JSON.stringify(u));
      delete p.uuid;
      if (Object.keys(p).length === 0) delete props.id_perms;
    }
    return { type: n.type, name: n.name, props, uuid, attribute: false, value: undefined };
  }

  private decodeAttribute(el: XmlElement | undefined, shape: Shape | undefined, where: Where): unknown {
    // An attribute with no fields (`<value/>`) is the empty object, whatever its shape.
    if (el === undefined || el.children.length === 0) return {};
    return decodeElement(el, shape, where, 'attr');
  }

  private upsertNode(n: ConfigNode): void {
    const d = this.decodeNode(n);
    const key = nodeKey(n.type, n.name);
    const prev = this.nodes.get(key);
    if (prev !== undefined && sameContent(prev, d)) {
      // A resync re-sends what the agent has: fresh again, but no change.
      prev.stale = false;
      return;
    }
    if (prev !== undefined && prev.uuid !== undefined && prev.uuid !== d.uuid) this.uuids.delete(prev.uuid);
    if (d.uuid !== undefined) this.uuids.set(d.uuid, key);
    this.nodes.set(key, { ...d, stale: false, cached: undefined });
    if (prev === undefined) {
      const set = this.byType.get(n.type) ?? new Set<string>();
      this.byType.set(n.type, set);
      if (!d.attribute) set.add(key);
    }
    if (d.attribute) {
      this.touchLinked(key, n.type);
      return;
    }
    this.touch(key, prev === undefined ? 'add' : 'update');
    // Neighbours' refs carry this object's fq_name and uuid.
    for (const ed of this.edges.get(key)?.values() ?? []) {
      if (prev === undefined) this.touchLinked(ed.other, ed.metadata);
      else this.invalidate(ed.other, ed.metadata);
    }
  }

  private invalidate(key: string, metadata: string): void {
    if (this.isAttributeKey(key, metadata)) {
      for (const ed of this.edges.get(key)?.values() ?? []) {
        const e = this.nodes.get(ed.other);
        if (e !== undefined) e.cached = undefined;
      }
    } else {
      const e = this.nodes.get(key);
      if (e !== undefined) e.cached = undefined;
    }
  }

  private deleteNode(n: ConfigNodeRef): void {
    this.checkRef(n);
    const key = nodeKey(n.type, n.name);
    const e = this.nodes.get(key);
    if (e === undefined) return;
    const mine = this.edges.get(key);
    if (e.attribute) this.touchLinked(key, n.type);
    if (mine !== undefined) {
      this.edges.delete(key);
      for (const ed of mine.values()) {
        this.edges.get(ed.other)?.delete(edgeKey(!ed.left, ed.metadata, key));
        if (!e.attribute) this.touchLinked(ed.other, ed.metadata);
      }
    }
    this.nodes.delete(key);
    this.byType.get(n.type)?.delete(key);
    if (e.uuid !== undefined && this.uuids.get(e.uuid) === key) this.uuids.delete(e.uuid);
    if (!e.attribute) this.touch(key, 'delete');
  }

  private addLink(l: ConfigLink): void {
    this.checkRef(l.left);
    this.checkRef(l.right);
    if (l.metadata === '') throw new IdentityError(l.left.type, l.left.name, 'link without metadata type');
    const lk = nodeKey(l.left.type, l.left.name);
    const rk = nodeKey(l.right.type, l.right.name);
    if (lk === rk) throw new IdentityError(l.left.type, l.left.name, 'link to itself');
    const lek = edgeKey(true, l.metadata, rk);
    let lm = this.edges.get(lk);
    const existing = lm?.get(lek);
    if (existing !== undefined) {
      existing.stale = false;
      const back = this.edges.get(rk)?.get(edgeKey(false, l.metadata, lk));
      if (back !== undefined) back.stale = false;
      return;
    }
    if (lm === undefined) {
      lm = new Map();
      this.edges.set(lk, lm);
    }
    let rm = this.edges.get(rk);
    if (rm === undefined) {
      rm = new Map();
      this.edges.set(rk, rm);
    }
    lm.set(lek, { metadata: l.metadata, other: rk, left: true, stale: false });
    rm.set(edgeKey(false, l.metadata, lk), { metadata: l.metadata, other: lk, left: false, stale: false });
    this.touchLinked(lk, l.metadata);
    this.touchLinked(rk, l.metadata);
  }

  private removeLink(l: ConfigLink): void {
    this.checkRef(l.left);
    this.checkRef(l.right);
    const lk = nodeKey(l.left.type, l.left.name);
    const rk = nodeKey(l.right.type, l.right.name);
    const lm = this.edges.get(lk);
    if (lm === undefined || !lm.delete(edgeKey(true, l.metadata, rk))) return;
    this.edges.get(rk)?.delete(edgeKey(false, l.metadata, lk));
    // An attribute node's ends are touched through it while it is still linked to the other end.
    this.touchLinked(lk, l.metadata);
    this.touchLinked(rk, l.metadata);
    if (this.isAttributeKey(lk, l.metadata) && this.nodes.has(rk)) this.touch(rk, 'update');
    if (this.isAttributeKey(rk, l.metadata) && this.nodes.has(lk)) this.touch(lk, 'update');
    if (lm.size === 0) this.edges.delete(lk);
    if (this.edges.get(rk)?.size === 0) this.edges.delete(rk);
  }

  // --- reading ---

  private parentOf(key: string, type: string): string | undefined {
    const parents = this.vocabulary.get(type)?.parents;
    for (const ed of this.edges.get(key)?.values() ?? []) {
      if (ed.left) continue;
      const [t] = splitKey(ed.other);
      // A reference of `t` to `type` uses the same metadata as parent-child; the vocabulary tells them apart.
      if (ed.metadata === `${t}-${type}` && this.isChildLink(t, type, parents)) return t;
    }
    return undefined;
  }

  private isChildLink(
    fromType: string,
    toType: string,
    toParents = this.vocabulary.get(toType)?.parents,
  ): boolean {
    const fromRefs = this.vocabulary.get(fromType)?.refs;
    return toParents?.includes(fromType) === true && !(fromRefs !== undefined && toType in fromRefs);
  }

  private fqName(key: string): { fq: string[]; parentType: string | undefined } {
    const [type, name] = splitKey(key);
    if (type === 'virtual-machine') return { fq: [name], parentType: undefined };
    const linked = this.parentOf(key, type);
    if (linked !== undefined) return { fq: name.split(':'), parentType: linked };
    const parents = this.vocabulary.get(type)?.parents;
    if (parents === undefined || parents.includes('config-root'))
      return { fq: [name], parentType: undefined };
    return { fq: name.split(':'), parentType: parents.length === 1 ? parents[0] : undefined };
  }

  private build(key: string, e: Entry): TfObject {
    const { fq, parentType } = this.fqName(key);
    const out: TfObject = { fq_name: fq };
    if (e.uuid !== undefined) out.uuid = e.uuid;
    if (parentType !== undefined) out.parent_type = parentType;
    Object.assign(out, e.props);
    for (const ed of this.edges.get(key)?.values() ?? []) {
      if (!ed.left) continue;
      let target = ed.other;
      let attr: unknown = null;
      if (this.isAttributeKey(ed.other, ed.metadata)) {
        let far: string | undefined;
        for (const f of this.edges.get(ed.other)?.values() ?? [])
          if (f.left && f.other !== key) far = f.other;
        if (far === undefined) continue; // the attribute's second link has not arrived yet
        target = far;
        attr = this.nodes.get(ed.other)?.value ?? {};
      } else {
        const [toType] = splitKey(ed.other);
        if (this.isChildLink(e.type, toType)) continue;
      }
      const [toType] = splitKey(target);
      const u = this.nodes.get(target)?.uuid;
      const ref: TfRef =
        u === undefined
          ? { to: this.fqName(target).fq, attr }
          : { to: this.fqName(target).fq, uuid: u, attr };
      const field = refField(toType);
      const refs = (out[field] as TfRef[] | undefined) ?? [];
      refs.push(ref);
      out[field] = refs;
    }
    return out;
  }
}
