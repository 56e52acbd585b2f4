// An agent's graph (walk.ts) as the IF-MAP objects it should hold: each stored object becomes its node, its
// reference attribute nodes and its links (@filament/ifmap), keyed so that two pushes can be diffed. A link is
// kept only when both ends are in the agent's graph, as TF's IFMapServer sends only links between identifiers
// the client can see. Each entry carries a fingerprint of its content, so an unchanged object is not re-sent.
import { type IfmapObject, nodeFromTfObject, type TfObject } from '@filament/ifmap';
import { type ConfigLink, type ConfigNode, writeElement } from '@filament/xmpp';
import type { StoredObject } from '../../store/interface.js';
import { GLOBAL_SYSTEM_CONFIG } from './walk.js';

export type IfmapItem = ConfigNode | ConfigLink;

export interface DesiredEntry {
  item: IfmapItem;
  fingerprint: string;
}

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

/** The TF REST shape of a stored object, its refs' targets named from `byUuid`. */
export function tfObjectOf(o: StoredObject, byUuid: ReadonlyMap<string, StoredObject>): TfObject {
  const out: TfObject = { fq_name: o.fqName, uuid: o.uuid };
  if (o.parentType !== undefined) out.parent_type = o.parentType;
  for (const [k, v] of Object.entries(o.body)) if (!PRIVATE_FIELDS.has(k)) out[k] = v;
  for (const r of o.refs) {
    const target = byUuid.get(r.uuid);
    if (target === undefined) continue; // not visible to this agent: no link
    const field = `${r.type.replaceAll('-', '_')}_refs`;
    const list = (out[field] as unknown[] | undefined) ?? [];
    list.push({ to: target.fqName, uuid: r.uuid, attr: r.attr ?? null });
    out[field] = list;
  }
  return out;
}

/** The default global-vrouter-config (the controller has no such resource; TF creates it at install). */
export function globalVrouterConfig(opts: DesiredOptions): TfObject {
  return {
    fq_name: [GLOBAL_SYSTEM_CONFIG, 'default-global-vrouter-config'],
    parent_type: 'global-system-config',
    encapsulation_priorities: { encapsulation: [...opts.encapsulationPriorities] },
    // Every network carries its VNI in virtual_network_properties.
    vxlan_network_identifier_mode: 'configured',
  };
}

export function desiredGraph(objects: ReadonlyMap<string, StoredObject>, opts: DesiredOptions): DesiredGraph {
  const nodes: DesiredGraph = new Map();
  const links: DesiredGraph = new Map();
  /** Identifier keys of objects and attribute nodes in the graph. */
  const present = new Set<string>();
  const ifmap: IfmapObject[] = [];
  for (const o of objects.values()) ifmap.push(nodeFromTfObject(o.type, tfObjectOf(o, objects)));
  if (objects.size > 0) ifmap.push(nodeFromTfObject('global-vrouter-config', globalVrouterConfig(opts)));
  for (const x of ifmap) {
    for (const n of [x.node, ...x.attributeNodes]) {
      present.add(itemKey(n));
      nodes.set(itemKey(n), { item: n, fingerprint: n.properties.map(writeElement).join('') });
    }
  }
  const end = (r: { type: string; name: string }) => JSON.stringify(['n', r.type, r.name]);
  for (const x of ifmap) {
    for (const l of x.links) {
      // Refs to invisible targets were dropped already; a parent outside the graph (a domain) is left out here.
      if (!present.has(end(l.left)) || !present.has(end(l.right))) continue;
      links.set(itemKey(l), { item: l, fingerprint: '' });
    }
  }
  return new Map([...nodes, ...links]);
}
