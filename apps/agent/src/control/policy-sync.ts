// Compiled ACLs for the agent's interfaces from the config graph: every object @filament/policy's
// loadTfObjects understands is read back as a TF REST object and compiled (PolicyCompiler); each attached
// interface gets its matcher. Any change to one of those types schedules a recompile (coalesced over a few
// milliseconds, so a burst of config is compiled once); an interface whose ACL actually changed has its
// flows removed, so the next packet is evaluated under the new ACL (a tag change takes effect at once).

import { type AclMatcher, type InterfaceSpec, loadTfObjects, PolicyCompiler } from '@filament/policy';
import { type ConfigIndex, refsOf, type TfObject } from './config-graph.js';
import type { TaggedEndpoint } from './remote-routes.js';

/** Config types the policy compiler reads. */
export const POLICY_TYPES: readonly string[] = [
  'project',
  'virtual-network',
  'virtual-machine',
  'virtual-router',
  'virtual-machine-interface',
  'instance-ip',
  'tag',
  'tag-type',
  'firewall-rule',
  'firewall-policy',
  'application-policy-set',
  'address-group',
  'service-group',
  'security-group',
  'network-policy',
];

/** Placeholder network (and project) of remote endpoints whose VN is not in this agent's config. */
const REMOTE_VN = 'filament:remote';

export interface CompiledAcls {
  /** The matcher of an interface (by VMI name), null when it has no ACL (everything allowed). */
  matcher(vmi: string): AclMatcher | null;
  /** A text that changes when the interface's ACL changes. */
  signature(vmi: string): string;
}

/** TF tag id (`tag_id`, "0x00020001") -> tag name (`tier=web`), from the tags in the graph. */
export function tagIds(cfg: ConfigIndex): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of cfg.names('tag')) {
    const id = parseTagId(cfg.get('tag', name)?.tag_id);
    if (id !== undefined) out.set(id, name.split(':').pop() as string);
  }
  return out;
}

function parseTagId(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

function tagRefIds(cfg: ConfigIndex, obj: TfObject | undefined): number[] {
  if (!obj) return [];
  const out: number[] = [];
  for (const r of refsOf(obj, 'tag_refs')) {
    const id = parseTagId(cfg.get('tag', r.name)?.tag_id);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/**
 * The tag ids an interface's routes carry (TF agent: the VMI's effective tags): levels interface, VM, VN,
 * project; the first level that has a tag type wins it; labels (type 0) come from the first level with any.
 */
export function interfaceTagIds(cfg: ConfigIndex, vmi: string): number[] {
  const obj = cfg.get('virtual-machine-interface', vmi);
  if (!obj) return [];
  const vm = refsOf(obj, 'virtual_machine_refs')[0]?.name;
  const vn = refsOf(obj, 'virtual_network_refs')[0]?.name;
  const levels = [
    tagRefIds(cfg, obj),
    tagRefIds(cfg, vm === undefined ? undefined : cfg.get('virtual-machine', vm)),
    tagRefIds(cfg, vn === undefined ? undefined : cfg.get('virtual-network', vn)),
    tagRefIds(cfg, vn === undefined ? undefined : cfg.get('project', vn.split(':').slice(0, -1).join(':'))),
  ];
  const types = new Set<number>();
  const out: number[] = [];
  let labels = false;
  for (const level of levels) {
    let levelLabels = false;
    const seen = new Set<number>();
    for (const id of level) {
      const t = id >>> 16;
      if (t === 0) {
        if (!labels) {
          out.push(id);
          levelLabels = true;
        }
      } else if (!types.has(t)) {
        out.push(id);
        seen.add(t);
      }
    }
    for (const t of seen) types.add(t);
    if (levelLabels) labels = true;
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Compiles the ACLs from what the graph holds, plus the remote endpoints whose routes carry tags (their
 * addresses join the tag sets, as TF matches the tags that ride on routes). Throws the policy package's
 * typed errors.
 */
export function compileAcls(cfg: ConfigIndex, remote: readonly TaggedEndpoint[] = []): CompiledAcls {
  const objects: Record<string, unknown>[] = [];
  for (const type of POLICY_TYPES) {
    for (const name of cfg.names(type)) {
      const obj = cfg.get(type, name);
      if (!obj) continue;
      // An interface without its network cannot be compiled (and is not attached yet anyway).
      if (type === 'virtual-machine-interface' && refsOf(obj, 'virtual_network_refs').length === 0) continue;
      objects.push({ [type]: obj });
    }
  }
  const { model, inventory } = loadTfObjects(objects);
  const known = new Set(inventory.interfaces.map((i) => i.name));
  if (remote.length > 0) {
    const names = tagIds(cfg);
    const vns = new Set(inventory.virtualNetworks.map((v) => v.name));
    const local = new Set(inventory.interfaces.flatMap((i) => i.addresses));
    const extra: InterfaceSpec[] = [];
    let otherVn = false;
    for (const ep of remote) {
      if (local.has(ep.address)) continue;
      const tags = [...new Set(ep.tags.map((id) => names.get(id)).filter((t) => t !== undefined))];
      if (tags.length === 0) continue;
      // A VN this agent has no config for still needs an entry for the compiler: one placeholder VN.
      const vn = vns.has(ep.virtualNetwork) ? ep.virtualNetwork : REMOTE_VN;
      if (vn === REMOTE_VN) otherVn = true;
      extra.push({
        name: `remote:${ep.vrf}:${ep.address}`,
        virtualNetwork: vn,
        addresses: [ep.address],
        tags,
      });
    }
    inventory.interfaces = [...inventory.interfaces, ...extra];
    if (otherVn) {
      inventory.projects = [...(inventory.projects ?? []), { name: REMOTE_VN }];
      inventory.virtualNetworks = [...inventory.virtualNetworks, { name: REMOTE_VN, project: REMOTE_VN }];
    }
  }
  const compiler = new PolicyCompiler(model, inventory);
  const cache = new Map<string, string>();
  return {
    matcher: (vmi) => (known.has(vmi) ? (compiler.matcher(vmi) ?? null) : null),
    signature: (vmi) => {
      if (!known.has(vmi)) return '';
      let s = cache.get(vmi);
      if (s === undefined) {
        s = JSON.stringify(compiler.describe(vmi) ?? null);
        cache.set(vmi, s);
      }
      return s;
    },
  };
}
