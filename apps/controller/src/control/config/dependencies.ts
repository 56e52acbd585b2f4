// Which agents a config change concerns, without asking every agent (the reverse-dependency index of TF's
// IFMapServer, kept per lookup instead of per edge). A walk (walk.ts) reads the object index only through a
// RecordingView, which notes every lookup as a dependency key:
//
//   <uuid>                      the object itself (in the graph, or looked up and missing: a subscribed VM)
//   f\n<type>\n<fq_name>        a lookup by name (the agent's virtual-router, the global roots, a rule's tags)
//   c\n<parent uuid>\n<type>    the children of one type of an object (a network's routing-instances)
//   r\n<target uuid>\n<type>    the referrers of one type of an object (a VM's interfaces)
//
// A changed object concerns exactly the agents that depend on one of the keys it matches, before or after the
// change: a new interface matches `r\n<its VM>\nvirtual-machine-interface`, which only the VM's agent read; it
// also points at its project and network, but no walk asked for the interfaces of those, so no other agent
// re-walks. Looking agents up costs one map read per key of the changed object, not a pass over all agents.
import { fqKey, type StoredObject } from '../../store/interface.js';
import type { ConfigView } from './object-index.js';

export const fqDependency = (type: string, fqName: readonly string[]): string =>
  `f\n${type}\n${fqKey([...fqName])}`;
export const childrenDependency = (parentUuid: string, type: string): string => `c\n${parentUuid}\n${type}`;
export const referrersDependency = (targetUuid: string, type: string): string => `r\n${targetUuid}\n${type}`;

/** The dependency keys an object (one version of it) matches. */
export function dependencyKeysOf(o: StoredObject): string[] {
  const keys = [o.uuid, fqDependency(o.type, o.fqName)];
  if (o.parentUuid !== undefined) keys.push(childrenDependency(o.parentUuid, o.type));
  for (const r of o.refs) keys.push(referrersDependency(r.uuid, o.type));
  return keys;
}

/** A view that notes what a walk reads. Untyped children/referrers queries are not recorded: walks use types. */
export class RecordingView implements ConfigView {
  readonly dependencies = new Set<string>();

  constructor(private readonly view: ConfigView) {}

  get(uuid: string): StoredObject | undefined {
    this.dependencies.add(uuid);
    return this.view.get(uuid);
  }

  byFqName(type: string, fqName: readonly string[]): StoredObject | undefined {
    this.dependencies.add(fqDependency(type, fqName));
    const o = this.view.byFqName(type, fqName);
    if (o !== undefined) this.dependencies.add(o.uuid);
    return o;
  }

  *referrers(uuid: string, type?: string): IterableIterator<StoredObject> {
    if (type !== undefined) this.dependencies.add(referrersDependency(uuid, type));
    for (const o of this.view.referrers(uuid, type)) {
      this.dependencies.add(o.uuid);
      yield o;
    }
  }

  *children(parentUuid: string, type?: string): IterableIterator<StoredObject> {
    if (type !== undefined) this.dependencies.add(childrenDependency(parentUuid, type));
    for (const o of this.view.children(parentUuid, type)) {
      this.dependencies.add(o.uuid);
      yield o;
    }
  }
}

/**
 * Dependency key -> the agents (any holder type) whose last walk read it. Most keys (an agent's VMs, its
 * interfaces' back-refs) have one dependent: that one is held directly, a Set only from the second on, which
 * saves a Set per key for each of ~1,000 agents' few hundred keys.
 */
export class DependentsIndex<A extends object> {
  private readonly byKey = new Map<string, A | Set<A>>();

  get size(): number {
    return this.byKey.size;
  }

  /** Replaces what `agent` depends on (its last walk's keys) with `next`; `prev` is what it depended on. */
  update(agent: A, prev: ReadonlySet<string>, next: ReadonlySet<string>): void {
    for (const k of prev) if (!next.has(k)) this.remove(k, agent);
    for (const k of next) if (!prev.has(k)) this.add(k, agent);
  }

  /** Adds to `out` the agents that depend on a key of `o`. */
  collect(o: StoredObject, out: Set<A>): void {
    for (const k of dependencyKeysOf(o)) {
      const v = this.byKey.get(k);
      if (v === undefined) continue;
      if (v instanceof Set) for (const a of v) out.add(a);
      else out.add(v);
    }
  }

  private add(k: string, agent: A): void {
    const v = this.byKey.get(k);
    if (v === undefined) this.byKey.set(k, agent);
    else if (v instanceof Set) v.add(agent);
    else if (v !== agent) this.byKey.set(k, new Set([v, agent]));
  }

  private remove(k: string, agent: A): void {
    const v = this.byKey.get(k);
    if (v === agent) this.byKey.delete(k);
    else if (v instanceof Set) {
      v.delete(agent);
      if (v.size === 1) this.byKey.set(k, v.values().next().value as A);
    }
  }
}
