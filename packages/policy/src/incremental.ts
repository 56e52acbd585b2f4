// Changes the compiler takes incrementally, and the diffs it returns so a controller pushes only what changed.
// An interface's diff compares its old and new ACL entry by entry (multiset difference on entry keys);
// address-set diffs carry membership changes, which is where most tag changes land.
import type { AclEntry, CompiledAcl, Gate } from './compile.js';
import type { FirewallRuleSpec, InterfaceSpec, PolicyModel } from './model.js';

export type PolicyChange =
  /** Replace the tags attached at one level of the containment tree. */
  | {
      kind: 'tags';
      object: 'interface' | 'vm' | 'host' | 'virtual-network' | 'project';
      name: string;
      tags: readonly string[];
    }
  /** An interface goes up or down. */
  | { kind: 'interface-state'; name: string; up: boolean }
  /** Add an interface or replace one (addresses, VN, VM, host, security groups, tags). */
  | { kind: 'upsert-interface'; interface: InterfaceSpec }
  | { kind: 'remove-interface'; name: string }
  /** Add or replace one firewall rule (by name); policies keep referring to it by name. */
  | { kind: 'upsert-rule'; rule: FirewallRuleSpec }
  /** Delete a firewall rule and its references from policies. */
  | { kind: 'remove-rule'; name: string }
  /** Replace every policy object at once (any other change: groups, policies, APS, SGs, network policies). */
  | { kind: 'model'; model: PolicyModel };

export interface InterfaceDiff {
  /** Entries present now and not before. */
  added: AclEntry[];
  /** Entries present before and not now. */
  removed: AclEntry[];
  /** Same entries, different order (first match wins, so the agent must reorder). */
  reordered: boolean;
  /** Gates that gained or lost their list (a present gate with no match is an implicit deny). */
  gatesAdded: Gate[];
  gatesRemoved: Gate[];
  /** The interface has no ACL any more (down or removed), or has one for the first time. */
  aclRemoved: boolean;
  aclAdded: boolean;
}

export interface SetDiff {
  added: string[];
  removed: string[];
}

export interface PolicyDiff {
  /** Only interfaces whose ACL changed. */
  interfaces: Map<string, InterfaceDiff>;
  /** Only address sets whose members changed (new sets list all their members as added). */
  sets: Map<string, SetDiff>;
}

const GATES: readonly [Gate, 'networkPolicy' | 'securityGroup' | 'firewall'][] = [
  ['network-policy', 'networkPolicy'],
  ['security-group', 'securityGroup'],
  ['firewall', 'firewall'],
];

/** All entries of an ACL in evaluation order. */
export function aclEntries(acl: CompiledAcl | undefined): AclEntry[] {
  if (!acl) return [];
  return [...(acl.networkPolicy ?? []), ...(acl.securityGroup ?? []), ...(acl.firewall ?? [])];
}

/** The diff between two ACLs of one interface, or undefined when they are the same. */
export function diffAcl(
  before: CompiledAcl | undefined,
  after: CompiledAcl | undefined,
): InterfaceDiff | undefined {
  if (before === after) return undefined;
  const a = aclEntries(before);
  const b = aclEntries(after);
  const count = new Map<string, number>();
  for (const e of a) count.set(e.key, (count.get(e.key) ?? 0) + 1);
  const added: AclEntry[] = [];
  for (const e of b) {
    const n = count.get(e.key) ?? 0;
    if (n > 0) count.set(e.key, n - 1);
    else added.push(e);
  }
  const left = new Map<string, number>();
  for (const [k, n] of count) if (n > 0) left.set(k, n);
  const removed: AclEntry[] = [];
  for (const e of a) {
    const n = left.get(e.key) ?? 0;
    if (n > 0) {
      removed.push(e);
      left.set(e.key, n - 1);
    }
  }
  const reordered = added.length === 0 && removed.length === 0 && a.some((e, i) => e.key !== b[i]?.key);
  const gatesAdded: Gate[] = [];
  const gatesRemoved: Gate[] = [];
  for (const [gate, field] of GATES) {
    const was = before?.[field] != null;
    const is = after?.[field] != null;
    if (is && !was) gatesAdded.push(gate);
    if (was && !is) gatesRemoved.push(gate);
  }
  const aclAdded = before === undefined && after !== undefined;
  const aclRemoved = before !== undefined && after === undefined;
  if (
    !added.length &&
    !removed.length &&
    !reordered &&
    !gatesAdded.length &&
    !gatesRemoved.length &&
    !aclAdded &&
    !aclRemoved
  )
    return undefined;
  return { added, removed, reordered, gatesAdded, gatesRemoved, aclAdded, aclRemoved };
}
