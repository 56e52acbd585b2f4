// What the agent reads from the config it receives over XMPP: @filament/ifmap's IfmapGraph (contract A),
// seen through the few calls used here, plus an index by type and by uuid kept from its change events (the
// port API names interfaces and VMs by uuid; the policy compiler needs every object of its types).

import { EventEmitter } from 'node:events';
import type { ConfigBlock } from '@filament/xmpp';

export type TfObject = Record<string, unknown>;

export interface GraphChange {
  op: 'add' | 'update' | 'delete';
  type: string;
  name: string;
}

/** The subset of IfmapGraph the agent uses. */
export interface ConfigGraph {
  apply(blocks: ConfigBlock[]): unknown;
  get(type: string, name: string): TfObject | undefined;
  neighbours(type: string, name: string, otherType: string): Iterable<string>;
  markStale(): void;
  sweepStale(): unknown;
  on(event: 'change', listener: (c: GraphChange) => void): unknown;
}

/** The graph with a by-type and by-uuid index; re-emits each change after indexing it. */
export class ConfigIndex extends EventEmitter<{ change: [GraphChange] }> {
  readonly graph: ConfigGraph;
  private readonly byType = new Map<string, Set<string>>();
  private readonly uuids = new Map<string, { type: string; name: string }>();
  private readonly uuidOf = new Map<string, string>();
  /** Config messages and objects applied (metrics). */
  messages = 0;
  changes = 0;

  constructor(graph: ConfigGraph) {
    super();
    this.graph = graph;
    graph.on('change', (c) => this.onChange(c));
  }

  private onChange(c: GraphChange): void {
    this.changes++;
    const key = `${c.type}\t${c.name}`;
    const old = this.uuidOf.get(key);
    if (old !== undefined) {
      this.uuids.delete(old);
      this.uuidOf.delete(key);
    }
    if (c.op === 'delete') this.byType.get(c.type)?.delete(c.name);
    else {
      let set = this.byType.get(c.type);
      if (!set) {
        set = new Set();
        this.byType.set(c.type, set);
      }
      set.add(c.name);
      const u = this.graph.get(c.type, c.name)?.uuid;
      if (typeof u === 'string') {
        this.uuids.set(u.toLowerCase(), { type: c.type, name: c.name });
        this.uuidOf.set(key, u.toLowerCase());
      }
    }
    this.emit('change', c);
  }

  apply(blocks: ConfigBlock[]): void {
    this.messages++;
    this.graph.apply(blocks);
  }

  get(type: string, name: string): TfObject | undefined {
    return this.graph.get(type, name);
  }

  names(type: string): readonly string[] {
    return [...(this.byType.get(type) ?? [])];
  }

  /** The object with this uuid, when it is of `type`. */
  byUuid(type: string, uuid: string): { name: string; obj: TfObject } | undefined {
    const e = this.uuids.get(uuid.toLowerCase());
    if (!e || e.type !== type) return undefined;
    const obj = this.graph.get(type, e.name);
    return obj ? { name: e.name, obj } : undefined;
  }

  neighbours(type: string, name: string, otherType: string): string[] {
    return [...this.graph.neighbours(type, name, otherType)];
  }

  /** Objects per type (introspect `/config`). */
  counts(): Record<string, number> {
    const o: Record<string, number> = {};
    for (const [t, s] of [...this.byType].sort((a, b) => a[0].localeCompare(b[0])))
      if (s.size > 0) o[t] = s.size;
    return o;
  }

  total(): number {
    let n = 0;
    for (const s of this.byType.values()) n += s.size;
    return n;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `<type>_refs` of an object as fq names joined with ':' (and their attributes). */
export function refsOf(obj: TfObject, field: string): { name: string; attr: Obj }[] {
  const raw = obj[field];
  if (!Array.isArray(raw)) return [];
  const out: { name: string; attr: Obj }[] = [];
  for (const r of raw) {
    if (!isObj(r) || !Array.isArray(r.to)) continue;
    out.push({ name: (r.to as unknown[]).map(String).join(':'), attr: isObj(r.attr) ? r.attr : {} });
  }
  return out;
}

export function objAt(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
