// Compiled ACLs for the agent's interfaces from the config graph: every object @filament/policy's
// loadTfObjects understands is read back as a TF REST object and compiled (PolicyCompiler); each attached
// interface gets its matcher. Any change to one of those types schedules a recompile (coalesced over a few
// milliseconds, so a burst of config is compiled once); an interface whose ACL actually changed has its
// flows removed, so the next packet is evaluated under the new ACL (a tag change takes effect at once).

import { type AclMatcher, loadTfObjects, PolicyCompiler } from '@filament/policy';
import { type ConfigIndex, refsOf } from './config-graph.js';

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

export interface CompiledAcls {
  /** The matcher of an interface (by VMI name), null when it has no ACL (everything allowed). */
  matcher(vmi: string): AclMatcher | null;
  /** A text that changes when the interface's ACL changes. */
  signature(vmi: string): string;
}

/** Compiles the ACLs of `interfaces` from what the graph holds. Throws the policy package's typed errors. */
export function compileAcls(cfg: ConfigIndex): CompiledAcls {
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
  const compiler = new PolicyCompiler(model, inventory);
  const known = new Set(inventory.interfaces.map((i) => i.name));
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
