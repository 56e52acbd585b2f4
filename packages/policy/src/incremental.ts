// Changes the compiler takes incrementally, and the diffs it returns so a controller pushes only what changed.
// An interface's diff compares its old and new ACL entry by entry (multiset difference on entry keys);
// address-set diffs carry membership changes, which is where most tag changes land.
import { type AclEntry, type CompiledAcl, CompilerCore, entryKey, type Gate, type Iface } from './compile.js';
import { MissingReferenceError } from './errors.js';
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
  const ak = a.map(entryKey);
  const bk = b.map(entryKey);
  const count = new Map<string, number>();
  for (const k of ak) count.set(k, (count.get(k) ?? 0) + 1);
  const added: AclEntry[] = [];
  b.forEach((e, i) => {
    const k = bk[i] as string;
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else added.push(e);
  });
  const left = new Map<string, number>();
  for (const [k, n] of count) if (n > 0) left.set(k, n);
  const removed: AclEntry[] = [];
  a.forEach((e, i) => {
    const k = ak[i] as string;
    const n = left.get(k) ?? 0;
    if (n > 0) {
      removed.push(e);
      left.set(k, n - 1);
    }
  });
  const reordered = added.length === 0 && removed.length === 0 && ak.some((k, i) => k !== bk[i]);
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

/** Compiles policy for an inventory (see CompilerCore) and keeps it current under changes with `apply`. */
export class PolicyCompiler extends CompilerCore {
  /**
   * Applies one change, recomputing only what it can affect, and returns what changed: per interface the ACL
   * entries added and removed, per address set the prefixes added and removed.
   */
  apply(change: PolicyChange): PolicyDiff {
    const interfaces = new Map<string, InterfaceDiff>();
    switch (change.kind) {
      case 'tags': {
        const ctx = { objectType: change.object, objectName: change.name, field: 'tags' };
        const ids = this.tags.parseList(change.tags, ctx);
        let affected: Iterable<string>;
        if (change.object === 'interface') {
          const i = this.ifaces.get(change.name);
          if (!i) throw new MissingReferenceError('change', 'tags', 'name', 'interface', change.name);
          this.replaceIface(i, this.makeIface({ ...i.spec, tags: change.tags }, ids), interfaces);
          break;
        }
        if (change.object === 'vm') {
          if (!this.vmTags.has(change.name))
            throw new MissingReferenceError('change', 'tags', 'name', 'virtual-machine', change.name);
          this.vmTags.set(change.name, ids);
          affected = [...(this.vmMembers.get(change.name) ?? [])];
        } else if (change.object === 'host') {
          if (!this.hostTags.has(change.name))
            throw new MissingReferenceError('change', 'tags', 'name', 'host', change.name);
          this.hostTags.set(change.name, ids);
          affected = [...(this.hostMembers.get(change.name) ?? [])];
        } else if (change.object === 'virtual-network') {
          const vn = this.vns.get(change.name);
          if (!vn) throw new MissingReferenceError('change', 'tags', 'name', 'virtual-network', change.name);
          this.vns.set(vn.name, { ...vn, tags: ids });
          affected = [...(this.vnMembers.get(change.name) ?? [])];
        } else {
          if (!this.projectTags.has(change.name))
            throw new MissingReferenceError('change', 'tags', 'name', 'project', change.name);
          this.projectTags.set(change.name, ids);
          affected = [...this.ifaces.values()].filter((i) => i.project === change.name).map((i) => i.name);
        }
        for (const n of affected) {
          const i = this.ifaces.get(n) as Iface;
          this.replaceIface(i, this.makeIface(i.spec, i.ownTags), interfaces);
        }
        break;
      }
      case 'interface-state': {
        const i = this.ifaces.get(change.name);
        if (!i)
          throw new MissingReferenceError('change', 'interface-state', 'name', 'interface', change.name);
        this.replaceIface(i, this.makeIface({ ...i.spec, up: change.up }, i.ownTags), interfaces);
        break;
      }
      case 'upsert-interface': {
        const n = this.makeIface(change.interface);
        n.sgs.forEach((sg, k) => {
          if (!this.sgRules.has(sg))
            throw new MissingReferenceError(
              'interface',
              n.name,
              `securityGroups[${k}]`,
              'security-group',
              sg,
            );
        });
        this.replaceIface(this.ifaces.get(n.name), n, interfaces);
        break;
      }
      case 'remove-interface': {
        const i = this.ifaces.get(change.name);
        if (!i)
          throw new MissingReferenceError('change', 'remove-interface', 'name', 'interface', change.name);
        this.replaceIface(i, undefined, interfaces);
        break;
      }
      case 'upsert-rule':
      case 'remove-rule': {
        const name = change.kind === 'upsert-rule' ? change.rule.name : change.name;
        const touched = new Set(
          [...this.policies.values()].filter((p) => p.rules.includes(name)).map((p) => p.name),
        );
        if (change.kind === 'upsert-rule') {
          const rule = this.rule(change.rule);
          for (const field of ['endpoint1', 'endpoint2'] as const) {
            const ep = change.rule[field];
            if ('virtualNetwork' in ep && !this.vns.has(ep.virtualNetwork))
              throw new MissingReferenceError(
                'firewall-rule',
                name,
                `${field}.virtualNetwork`,
                'virtual-network',
                ep.virtualNetwork,
              );
          }
          this.rules.set(name, rule);
          const rules = (this.model.firewallRules ?? []).filter((r) => r.name !== name);
          this.model = { ...this.model, firewallRules: [...rules, change.rule] };
        } else {
          if (!this.rules.has(name))
            throw new MissingReferenceError('change', 'remove-rule', 'name', 'firewall-rule', name);
          this.rules.delete(name);
          // Removing a rule also removes it from the policies that list it.
          for (const p of this.policies.values()) p.rules = p.rules.filter((r) => r !== name);
          this.model = {
            ...this.model,
            firewallRules: (this.model.firewallRules ?? []).filter((r) => r.name !== name),
            firewallPolicies: (this.model.firewallPolicies ?? []).map((p) => ({
              ...p,
              rules: p.rules.filter((r) => r.rule !== name),
            })),
          };
        }
        this.recompileKeys((acl) => acl.policies.some((p) => touched.has(p)), interfaces);
        break;
      }
      case 'model': {
        // Any other policy object changed: reload the model, refill every set, recompile every ACL, diff all.
        const before = new Map(this.sets);
        // Validate first: a bad model leaves the compiler as it was.
        const saved = {
          model: this.model,
          rules: this.rules,
          policies: this.policies,
          apsList: this.apsList,
          ags: this.ags,
          serviceGroups: this.serviceGroups,
          sgRules: this.sgRules,
          npRules: this.npRules,
        };
        try {
          this.tags.addTypes(change.model.tagTypes ?? []);
          this.loadModel(change.model);
          this.checkModelRefs();
        } catch (e) {
          Object.assign(this, saved);
          throw e;
        }
        for (const e of before.values()) {
          e.set.clear();
          this.fillSet(e);
        }
        this.setsByTag.clear();
        this.setsByVn.clear();
        this.setsBySg.clear();
        this.unindexedSets.clear();
        for (const [id, e] of this.sets) this.indexSet(id, e.sel);
        this.recompileKeys(() => true, interfaces);
        break;
      }
    }
    const sets = new Map<string, SetDiff>();
    for (const [id, e] of this.sets) {
      const d = e.set.drainChanges();
      if (d.added.length > 0 || d.removed.length > 0) sets.set(id, d);
    }
    return { interfaces, sets };
  }

  private replaceIface(o: Iface | undefined, n: Iface | undefined, out: Map<string, InterfaceDiff>): void {
    const oldAcl = o?.up ? this.acls.get(o.key) : undefined;
    if (o) {
      this.removeIface(o);
      if (o.up) this.releaseAcl(o);
    }
    if (n) this.insertIface(n);
    this.updateSets(o, n);
    const newAcl = n?.up ? this.ensureAcl(n) : undefined;
    const name = (n ?? o)?.name as string;
    const d = diffAcl(oldAcl, newAcl);
    if (d) out.set(name, d);
  }

  private recompileKeys(pred: (acl: CompiledAcl) => boolean, out: Map<string, InterfaceDiff>): void {
    for (const [key, acl] of [...this.acls]) {
      if (!pred(acl)) continue;
      const members = this.keyMembers.get(key);
      const first = members && this.ifaces.get(members.values().next().value as string);
      if (!first) continue;
      const next = this.compileAcl(first);
      this.acls.set(key, next);
      const d = diffAcl(acl, next);
      if (d) for (const m of members) out.set(m, d);
    }
  }
}
