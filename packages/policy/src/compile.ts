// The compiler: model + inventory -> per-interface ordered ACLs whose remote sides are shared address sets.
// Interfaces are grouped by what their ACL depends on (effective tags, VN, security groups, port security),
// so one compiled ACL serves every interface of an identity (Cilium compiles per identity the same way).
// Order and defaults follow the TF agent (SEMANTICS.md A1b): gates network policy -> security group ->
// firewall; inside the firewall gate global APS, then project APS, then tag-bound APS; policies and rules by
// sequence string; `<>` is a forward entry plus a derived reversed one with the same ports.
import { AddressSet, firstHost, type Prefix, parsePrefix, prefixContains } from './address-set.js';
import { MissingReferenceError } from './errors.js';
import { AclMatcher } from './evaluate.js';
import type { FirewallRuleSpec, InterfaceSpec, Inventory, PolicyModel } from './model.js';
import {
  type Ag,
  ANY_PORTS,
  type Aps,
  type Ep,
  indexByName,
  type NpAddr,
  type NpRule,
  normalizeModel,
  type Rule,
  rule,
  type Service,
  type SgRule,
} from './normalize.js';
import { type Selector, selectorId } from './selectors.js';
import { containsAll, effectiveTags, TagRegistry } from './tags.js';

export type Gate = 'network-policy' | 'security-group' | 'firewall';

/** One compiled ACL entry: a 5-tuple match against shared address sets, the action and the rule behind it. */
export interface AclEntry {
  gate: Gate;
  /** `egress`: the interface's workload is the source; `ingress`: it is the destination. */
  direction: 'ingress' | 'egress';
  /** IP protocol number, -1 = any. */
  protocol: number;
  srcPorts: readonly [number, number];
  dstPorts: readonly [number, number];
  /** Address set id of the other end. */
  remote: string;
  /** Address set the interface's own address must be in (address-based endpoints), null = any of its addresses. */
  local: string | null;
  action: 'pass' | 'deny';
  /** The rule that produced the entry (firewall rule, SG rule, network-policy rule, or `implicit-allow:<vn>`). */
  ruleId: string;
  log: boolean;
  /** Network policy apply_service: the service chain for matching traffic. */
  serviceChain: readonly string[];
}

/** The identity of an entry, for diffs (built on demand: entries are many, diffs are few). */
export function entryKey(e: AclEntry): string {
  return [
    e.gate,
    e.direction,
    e.protocol,
    `${e.srcPorts[0]}-${e.srcPorts[1]}`,
    `${e.dstPorts[0]}-${e.dstPorts[1]}`,
    e.remote,
    e.local ?? '',
    e.action,
    e.ruleId,
    e.log ? 'log' : '',
    e.serviceChain.join(','),
  ].join('|');
}

/** `PolicyCompiler.describe` output: an ACL with its sets resolved. */
export interface AclDescription {
  interface: string;
  up: boolean;
  addresses: string[];
  tags: string[];
  gates: Record<Gate, AclEntryDescription[] | null>;
}

export interface AclEntryDescription {
  direction: 'ingress' | 'egress';
  protocol: number;
  srcPorts: readonly [number, number];
  dstPorts: readonly [number, number];
  remote: string;
  remotePrefixes: string[];
  local: string | null;
  action: 'pass' | 'deny';
  rule: string;
  log?: boolean;
  serviceChain?: readonly string[];
}

/** A compiled ACL: one entry list per gate; null means the gate has no list (implicit allow). */
export interface CompiledAcl {
  key: string;
  networkPolicy: readonly AclEntry[] | null;
  securityGroup: readonly AclEntry[] | null;
  firewall: readonly AclEntry[] | null;
  /** Set of the VN's default gateways (ICMP and DNS to them always pass). */
  gateway: string | null;
  /** Firewall policies that contributed, for incremental invalidation. */
  policies: readonly string[];
}

interface Vn {
  name: string;
  project: string;
  subnets: Prefix[];
  gateways: Prefix[];
  policies: { policy: string; major: number; minor: number }[];
  tags: number[];
  portSecurity: boolean;
}

/** An interface as the compiler sees it; replaced, never mutated, so the old state can be diffed. */
export interface Iface {
  name: string;
  spec: InterfaceSpec;
  vn: string;
  project: string;
  vm: string | null;
  host: string | null;
  addrs: Prefix[];
  sgs: string[];
  ownTags: number[];
  tags: number[];
  up: boolean;
  portSecurity: boolean;
  key: string;
}

interface SetEntry {
  sel: Selector;
  set: AddressSet;
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

function delFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) {
    s.delete(v);
    if (s.size === 0) m.delete(k);
  }
}

/**
 * The full compiler: validation, identities, address sets and ACL compilation, and the queries. The public
 * class `PolicyCompiler` (incremental.ts) adds `apply`, the incremental changes.
 */
export class CompilerCore {
  readonly tags: TagRegistry;
  protected model!: PolicyModel;
  // Normalized policy objects.
  protected rules = new Map<string, Rule>();
  protected policies = new Map<string, { name: string; rules: string[] }>();
  protected apsList: Aps[] = [];
  protected ags = new Map<string, Ag>();
  protected serviceGroups = new Map<string, Service[]>();
  protected sgRules = new Map<string, SgRule[]>();
  protected npRules = new Map<string, NpRule[]>();
  // Inventory.
  protected vns = new Map<string, Vn>();
  protected projectTags = new Map<string, number[]>();
  protected vmTags = new Map<string, number[]>();
  protected hostTags = new Map<string, number[]>();
  protected ifaces = new Map<string, Iface>();
  // Indexes.
  protected postings = new Map<number, Set<string>>();
  protected vnMembers = new Map<string, Set<string>>();
  protected sgMembers = new Map<string, Set<string>>();
  protected vmMembers = new Map<string, Set<string>>();
  protected hostMembers = new Map<string, Set<string>>();
  // Address sets and their indexes (which sets an interface change can touch).
  protected sets = new Map<string, SetEntry>();
  protected setsByTag = new Map<number, Set<string>>();
  protected setsByVn = new Map<string, Set<string>>();
  protected setsBySg = new Map<string, Set<string>>();
  protected unindexedSets = new Set<string>();
  // Compiled ACLs by key, and who uses them.
  protected acls = new Map<string, CompiledAcl>();
  protected keyMembers = new Map<string, Set<string>>();
  protected matchers = new WeakMap<CompiledAcl, AclMatcher>();

  constructor(model: PolicyModel, inventory: Inventory) {
    this.tags = new TagRegistry(model.tagTypes ?? []);
    this.loadModel(model);
    this.loadInventory(inventory);
    for (const i of this.ifaces.values()) if (i.up) this.ensureAcl(i);
    for (const e of this.sets.values()) e.set.drainChanges();
  }

  // ---------------------------------------------------------------- loading and validation

  /** Checks references from the model to the inventory (VN endpoints), once both are loaded. */
  protected loadModel(model: PolicyModel): void {
    this.model = model;
    const n = normalizeModel(model, this.tags);
    this.rules = n.rules;
    this.policies = n.policies;
    this.apsList = n.apsList;
    this.ags = n.ags;
    this.serviceGroups = n.serviceGroups;
    this.sgRules = n.sgRules;
    this.npRules = n.npRules;
  }

  protected rule(r: FirewallRuleSpec): Rule {
    return rule(
      {
        tags: this.tags,
        rules: this.rules,
        policies: this.policies,
        apsList: this.apsList,
        ags: this.ags,
        serviceGroups: this.serviceGroups,
        sgRules: this.sgRules,
        npRules: this.npRules,
      },
      r,
    );
  }

  protected checkModelRefs(): void {
    for (const r of this.model.firewallRules ?? [])
      for (const [ep, field] of [
        [r.endpoint1, 'endpoint1'],
        [r.endpoint2, 'endpoint2'],
      ] as const)
        if ('virtualNetwork' in ep && !this.vns.has(ep.virtualNetwork))
          throw new MissingReferenceError(
            'firewall-rule',
            r.name,
            `${field}.virtualNetwork`,
            'virtual-network',
            ep.virtualNetwork,
          );
    for (const rules of this.npRules.values())
      for (const r of rules)
        for (const a of [...r.src, ...r.dst])
          if (a.kind === 'vn' && !this.vns.has(a.name))
            throw new MissingReferenceError(
              'network-policy-rule',
              r.name,
              'src/dst.virtualNetwork',
              'virtual-network',
              a.name,
            );
    for (const vn of this.vns.values())
      for (const p of vn.policies)
        if (!this.npRules.has(p.policy))
          throw new MissingReferenceError(
            'virtual-network',
            vn.name,
            'networkPolicies.policy',
            'network-policy',
            p.policy,
          );
    for (const i of this.ifaces.values())
      i.sgs.forEach((sg, k) => {
        if (!this.sgRules.has(sg))
          throw new MissingReferenceError('interface', i.name, `securityGroups[${k}]`, 'security-group', sg);
      });
  }

  protected loadInventory(inv: Inventory): void {
    const projects = indexByName(inv.projects, 'project');
    for (const p of projects.values())
      this.projectTags.set(
        p.name,
        this.tags.parseList(p.tags, { objectType: 'project', objectName: p.name, field: 'tags' }),
      );
    for (const vn of indexByName(inv.virtualNetworks, 'virtual-network').values()) {
      const ctx = (field: string) => ({ objectType: 'virtual-network', objectName: vn.name, field });
      const subnets: Prefix[] = [];
      const gateways: Prefix[] = [];
      (vn.subnets ?? []).forEach((s, i) => {
        const spec = typeof s === 'string' ? { prefix: s } : s;
        const p = parsePrefix(spec.prefix, ctx(`subnets[${i}].prefix`));
        subnets.push(p);
        if (spec.gateway !== undefined)
          gateways.push(parsePrefix(spec.gateway, ctx(`subnets[${i}].gateway`)));
        else {
          // TF's default gateway is the first host address of the subnet.
          const gw = firstHost(p);
          if (gw) gateways.push(gw);
        }
      });
      if (!projects.has(vn.project) && inv.projects !== undefined)
        throw new MissingReferenceError('virtual-network', vn.name, 'project', 'project', vn.project);
      this.vns.set(vn.name, {
        name: vn.name,
        project: vn.project,
        subnets,
        gateways,
        policies: (vn.networkPolicies ?? []).map((p) => ({
          policy: p.policy,
          major: p.major ?? 0,
          minor: p.minor ?? 0,
        })),
        tags: this.tags.parseList(vn.tags, ctx('tags')),
        portSecurity: vn.portSecurity ?? true,
      });
    }
    for (const vm of indexByName(inv.vms, 'virtual-machine').values())
      this.vmTags.set(
        vm.name,
        this.tags.parseList(vm.tags, { objectType: 'virtual-machine', objectName: vm.name, field: 'tags' }),
      );
    for (const h of indexByName(inv.hosts, 'host').values())
      this.hostTags.set(
        h.name,
        this.tags.parseList(h.tags, { objectType: 'host', objectName: h.name, field: 'tags' }),
      );
    for (const spec of indexByName(inv.interfaces, 'interface').values())
      this.insertIface(this.makeIface(spec));
    this.checkModelRefs();
  }

  protected makeIface(spec: InterfaceSpec, ownTags?: number[]): Iface {
    const vn = this.vns.get(spec.virtualNetwork);
    if (!vn)
      throw new MissingReferenceError(
        'interface',
        spec.name,
        'virtualNetwork',
        'virtual-network',
        spec.virtualNetwork,
      );
    if (spec.vm !== undefined && !this.vmTags.has(spec.vm))
      throw new MissingReferenceError('interface', spec.name, 'vm', 'virtual-machine', spec.vm);
    if (spec.host !== undefined && !this.hostTags.has(spec.host))
      throw new MissingReferenceError('interface', spec.name, 'host', 'host', spec.host);
    const own =
      ownTags ??
      this.tags.parseList(spec.tags, { objectType: 'interface', objectName: spec.name, field: 'tags' });
    const tags = effectiveTags(
      [
        own,
        spec.vm ? (this.vmTags.get(spec.vm) ?? []) : [],
        spec.host ? (this.hostTags.get(spec.host) ?? []) : [],
        vn.tags,
        this.projectTags.get(vn.project) ?? [],
      ],
      (t) => this.tags.isMultiValued(t),
    );
    const addrs = spec.addresses.map((a, i) =>
      parsePrefix(a, { objectType: 'interface', objectName: spec.name, field: `addresses[${i}]` }),
    );
    const sgs = [...(spec.securityGroups ?? [])];
    const portSecurity = (spec.portSecurity ?? true) && vn.portSecurity;
    const key = `${tags.join(',')}|${vn.name}|${sgs.join(',')}|${portSecurity ? 1 : 0}`;
    return {
      name: spec.name,
      spec,
      vn: vn.name,
      project: vn.project,
      vm: spec.vm ?? null,
      host: spec.host ?? null,
      addrs,
      sgs,
      ownTags: own,
      tags,
      up: spec.up ?? true,
      portSecurity,
      key,
    };
  }

  protected insertIface(i: Iface): void {
    this.ifaces.set(i.name, i);
    for (const t of i.tags) addTo(this.postings, t, i.name);
    addTo(this.vnMembers, i.vn, i.name);
    for (const sg of i.sgs) addTo(this.sgMembers, sg, i.name);
    if (i.vm) addTo(this.vmMembers, i.vm, i.name);
    if (i.host) addTo(this.hostMembers, i.host, i.name);
  }

  protected removeIface(i: Iface): void {
    this.ifaces.delete(i.name);
    for (const t of i.tags) delFrom(this.postings, t, i.name);
    delFrom(this.vnMembers, i.vn, i.name);
    for (const sg of i.sgs) delFrom(this.sgMembers, sg, i.name);
    if (i.vm) delFrom(this.vmMembers, i.vm, i.name);
    if (i.host) delFrom(this.hostMembers, i.host, i.name);
  }

  // ---------------------------------------------------------------- address sets

  protected staticPrefixes(s: Selector): Prefix[] {
    if (s.andTags.length > 0) return [];
    let out: Prefix[] = [];
    const ctx = { objectType: 'selector', objectName: s.kind, field: 'ref' };
    switch (s.kind) {
      case 'any':
        out = [parsePrefix('0.0.0.0/0', ctx), parsePrefix('::/0', ctx)];
        break;
      case 'ag':
        out = this.ags.get(s.ref)?.prefixes ?? [];
        break;
      case 'vn':
        out = this.vns.get(s.ref)?.subnets ?? [];
        break;
      case 'gw':
        out = this.vns.get(s.ref)?.gateways ?? [];
        break;
      case 'cidr':
        out = [parsePrefix(s.ref, ctx)];
        break;
      default:
        break;
    }
    return s.family === 0 ? out : out.filter((p) => p.family === s.family);
  }

  /** The addresses interface `i` contributes to the set of `s`. */
  protected dynamicPrefixes(s: Selector, i: Iface): Prefix[] {
    if (!i.up) return [];
    const tagged = s.andTags.length > 0;
    if (tagged && !containsAll(i.tags, s.andTags)) return [];
    let out: Prefix[];
    switch (s.kind) {
      case 'any':
      case 'tags':
        out = tagged || s.kind === 'tags' ? i.addrs : [];
        break;
      case 'ag': {
        const ag = this.ags.get(s.ref);
        if (!ag) out = [];
        else if (ag.labels.some((l) => i.tags.includes(l))) out = i.addrs;
        else if (tagged)
          out = i.addrs.filter((a) => ag.prefixes.some((p) => prefixContains(p, a.family, a.lo)));
        else out = [];
        break;
      }
      case 'vn':
        out = i.vn === s.ref ? i.addrs : [];
        break;
      case 'sg':
        out = i.sgs.includes(s.ref) ? i.addrs : [];
        break;
      case 'cidr': {
        if (!tagged) out = [];
        else {
          const p = parsePrefix(s.ref, { objectType: 'selector', objectName: 'cidr', field: 'ref' });
          out = i.addrs.filter((a) => prefixContains(p, a.family, a.lo));
        }
        break;
      }
      default:
        out = [];
    }
    return s.family === 0 ? out : out.filter((p) => p.family === s.family);
  }

  protected candidates(s: Selector): Iterable<string> {
    if (s.andTags.length > 0) {
      let best: Set<string> | undefined;
      for (const t of s.andTags) {
        const p = this.postings.get(t);
        if (!p) return [];
        if (!best || p.size < best.size) best = p;
      }
      return best ?? [];
    }
    switch (s.kind) {
      case 'tags':
        return this.ifaces.keys();
      case 'vn':
        return this.vnMembers.get(s.ref) ?? [];
      case 'sg':
        return this.sgMembers.get(s.ref) ?? [];
      case 'ag': {
        const out = new Set<string>();
        for (const l of this.ags.get(s.ref)?.labels ?? [])
          for (const n of this.postings.get(l) ?? []) out.add(n);
        return out;
      }
      default:
        return [];
    }
  }

  protected indexSet(id: string, s: Selector): void {
    if (s.andTags.length > 0) addTo(this.setsByTag, s.andTags[0] as number, id);
    else if (s.kind === 'vn') addTo(this.setsByVn, s.ref, id);
    else if (s.kind === 'sg') addTo(this.setsBySg, s.ref, id);
    else if (s.kind === 'ag') for (const l of this.ags.get(s.ref)?.labels ?? []) addTo(this.setsByTag, l, id);
    else if (s.kind === 'tags') this.unindexedSets.add(id);
  }

  protected fillSet(e: SetEntry): void {
    for (const p of this.staticPrefixes(e.sel)) e.set.add(p);
    for (const n of this.candidates(e.sel)) {
      const i = this.ifaces.get(n);
      if (i) for (const p of this.dynamicPrefixes(e.sel, i)) e.set.add(p);
    }
  }

  /** The set for a selector, built on first use and kept current afterwards. */
  protected ensureSet(s: Selector): string {
    const id = selectorId(s, (t) => this.tags.name(t));
    if (!this.sets.has(id)) {
      const e = { sel: s, set: new AddressSet(id) };
      this.sets.set(id, e);
      this.indexSet(id, s);
      this.fillSet(e);
    }
    return id;
  }

  /** Moves interface `o` to state `n` in every set it can touch (either may be undefined: add/remove). */
  protected updateSets(o: Iface | undefined, n: Iface | undefined): void {
    const ids = new Set<string>(this.unindexedSets);
    for (const i of [o, n]) {
      if (!i) continue;
      for (const t of i.tags) for (const id of this.setsByTag.get(t) ?? []) ids.add(id);
      for (const id of this.setsByVn.get(i.vn) ?? []) ids.add(id);
      for (const sg of i.sgs) for (const id of this.setsBySg.get(sg) ?? []) ids.add(id);
    }
    for (const id of ids) {
      const e = this.sets.get(id);
      if (!e) continue;
      if (o) for (const p of this.dynamicPrefixes(e.sel, o)) e.set.remove(p);
      if (n) for (const p of this.dynamicPrefixes(e.sel, n)) e.set.add(p);
    }
  }

  // ---------------------------------------------------------------- ACL compilation

  protected applicableAps(i: Iface): Aps[] {
    const out: Aps[] = [];
    const seen = new Set<string>();
    const push = (a: Aps) => {
      if (!seen.has(a.name)) {
        seen.add(a.name);
        out.push(a);
      }
    };
    for (const a of this.apsList) if (a.all && a.scope === 'global') push(a);
    for (const a of this.apsList) if (a.all && a.scope === i.project) push(a);
    for (const t of i.tags) {
      if (t >>> 16 !== 1) continue;
      for (const a of this.apsList) if (a.tag === t && a.scope === 'global') push(a);
      for (const a of this.apsList) if (a.tag === t && a.scope !== 'global') push(a);
    }
    return out;
  }

  /** Does the interface itself satisfy endpoint `ep`; returns the local-address condition (set id or null), or false. */
  protected localMatch(ep: Ep, i: Iface): string | null | false {
    switch (ep.kind) {
      case 'any':
        return null;
      case 'tags':
        return containsAll(i.tags, ep.tags) ? null : false;
      case 'vn':
        return i.vn === ep.name ? null : false;
      case 'subnet':
        return this.ensureSet({ kind: 'cidr', ref: ep.prefix.text, andTags: [], family: 0 });
      case 'ag': {
        const ag = this.ags.get(ep.name);
        if (!ag) return false;
        if (ag.labels.some((l) => i.tags.includes(l))) return null;
        return ag.prefixes.length > 0
          ? this.ensureSet({ kind: 'ag', ref: ep.name, andTags: [], family: 0 })
          : false;
      }
    }
  }

  protected remoteSelector(ep: Ep, extra: readonly number[]): Selector {
    const merge = (a: readonly number[]) => [...new Set([...a, ...extra])].sort((x, y) => x - y);
    switch (ep.kind) {
      case 'any':
        return extra.length > 0
          ? { kind: 'tags', ref: '', andTags: merge([]), family: 0 }
          : { kind: 'any', ref: '', andTags: [], family: 0 };
      case 'tags':
        return { kind: 'tags', ref: '', andTags: merge(ep.tags), family: 0 };
      case 'ag':
        return { kind: 'ag', ref: ep.name, andTags: merge([]), family: 0 };
      case 'vn':
        return { kind: 'vn', ref: ep.name, andTags: merge([]), family: 0 };
      case 'subnet':
        return { kind: 'cidr', ref: ep.prefix.text, andTags: merge([]), family: 0 };
    }
  }

  protected entry(
    gate: Gate,
    direction: 'ingress' | 'egress',
    svc: Service,
    remote: string,
    local: string | null,
    action: 'pass' | 'deny',
    ruleId: string,
    log: boolean,
    chain: readonly string[],
  ): AclEntry {
    return {
      gate,
      direction,
      protocol: svc.protocol,
      srcPorts: svc.srcPorts,
      dstPorts: svc.dstPorts,
      remote,
      local,
      action,
      ruleId,
      log,
      serviceChain: chain,
    };
  }

  protected firewallEntries(i: Iface, rules: Rule[]): AclEntry[] {
    const out: AclEntry[] = [];
    for (const r of rules) {
      let extra: number[] = [];
      if (r.matchTypes.length > 0) {
        extra = [];
        for (const t of r.matchTypes) {
          const mine = i.tags.filter((id) => id >>> 16 === t);
          if (mine.length === 0) break;
          extra.push(...mine);
        }
        // An interface lacking a match-tag type can never satisfy the rule at either end.
        if (!r.matchTypes.every((t) => i.tags.some((id) => id >>> 16 === t))) continue;
        extra.sort((a, b) => a - b);
      }
      const aces: [Ep, Ep][] =
        r.direction === '>'
          ? [[r.ep1, r.ep2]]
          : r.direction === '<'
            ? [[r.ep2, r.ep1]]
            : [
                [r.ep1, r.ep2],
                [r.ep2, r.ep1],
              ];
      for (const [src, dst] of aces) {
        const asSrc = this.localMatch(src, i);
        const asDst = this.localMatch(dst, i);
        for (const svc of r.services) {
          if (asSrc !== false)
            out.push(
              this.entry(
                'firewall',
                'egress',
                svc,
                this.ensureSet(this.remoteSelector(dst, extra)),
                asSrc,
                r.action,
                r.name,
                r.log,
                [],
              ),
            );
          if (asDst !== false)
            out.push(
              this.entry(
                'firewall',
                'ingress',
                svc,
                this.ensureSet(this.remoteSelector(src, extra)),
                asDst,
                r.action,
                r.name,
                r.log,
                [],
              ),
            );
        }
      }
    }
    return out;
  }

  protected networkPolicyEntries(i: Iface, vn: Vn): AclEntry[] | null {
    const attached = [...vn.policies].sort((a, b) => a.major - b.major || a.minor - b.minor);
    const rules = attached.flatMap((p) => this.npRules.get(p.policy) ?? []);
    if (rules.length === 0) return null;
    const out: AclEntry[] = [];
    const sel = (a: NpAddr): Selector =>
      a.kind === 'vn'
        ? { kind: 'vn', ref: a.name, andTags: [], family: 0 }
        : a.kind === 'subnet'
          ? { kind: 'cidr', ref: a.prefix.text, andTags: [], family: 0 }
          : { kind: 'any', ref: '', andTags: [], family: 0 };
    const local = (a: NpAddr): string | null | false =>
      a.kind === 'any' ? null : a.kind === 'vn' ? (a.name === i.vn ? null : false) : this.ensureSet(sel(a));
    for (const r of rules) {
      for (const s of r.src)
        for (const d of r.dst)
          for (const sp of r.srcPorts)
            for (const dp of r.dstPorts) {
              // `<>` adds the reversed entry with addresses and ports swapped.
              const aces: [NpAddr, NpAddr, [number, number], [number, number]][] = [[s, d, sp, dp]];
              if (r.direction === '<>') aces.push([d, s, dp, sp]);
              for (const [src, dst, p1, p2] of aces) {
                const svc = { protocol: r.protocol, srcPorts: p1, dstPorts: p2 };
                const ls = local(src);
                const ld = local(dst);
                if (ls !== false)
                  out.push(
                    this.entry(
                      'network-policy',
                      'egress',
                      svc,
                      this.ensureSet(sel(dst)),
                      ls,
                      r.action,
                      r.name,
                      false,
                      r.chain,
                    ),
                  );
                if (ld !== false)
                  out.push(
                    this.entry(
                      'network-policy',
                      'ingress',
                      svc,
                      this.ensureSet(sel(src)),
                      ld,
                      r.action,
                      r.name,
                      false,
                      r.chain,
                    ),
                  );
              }
            }
    }
    // Schema transformer appends "my-vn -> my-vn pass" to every VN ACL.
    const own = this.ensureSet({ kind: 'vn', ref: vn.name, andTags: [], family: 0 });
    const all = { protocol: -1, srcPorts: ANY_PORTS, dstPorts: ANY_PORTS };
    out.push(
      this.entry('network-policy', 'egress', all, own, null, 'pass', `implicit-allow:${vn.name}`, false, []),
    );
    out.push(
      this.entry('network-policy', 'ingress', all, own, null, 'pass', `implicit-allow:${vn.name}`, false, []),
    );
    return out;
  }

  protected securityGroupEntries(i: Iface): AclEntry[] | null {
    if (!i.portSecurity || i.sgs.length === 0) return null;
    const out: AclEntry[] = [];
    for (const sg of i.sgs)
      for (const r of this.sgRules.get(sg) ?? []) {
        const svc = { protocol: r.protocol, srcPorts: ANY_PORTS, dstPorts: r.ports };
        out.push(
          this.entry(
            'security-group',
            r.direction,
            svc,
            this.ensureSet(r.remote),
            null,
            'pass',
            `${sg}/${r.name}`,
            false,
            [],
          ),
        );
      }
    return out;
  }

  protected compileAcl(i: Iface): CompiledAcl {
    const vn = this.vns.get(i.vn) as Vn;
    let firewall: AclEntry[] | null = null;
    const policies: string[] = [];
    if (i.portSecurity) {
      const seen = new Set<string>();
      for (const a of this.applicableAps(i))
        for (const p of a.policies)
          if (!seen.has(p)) {
            seen.add(p);
            policies.push(p);
          }
      const rules = policies.flatMap((p) =>
        (this.policies.get(p)?.rules ?? []).map((r) => this.rules.get(r) as Rule),
      );
      if (rules.length > 0) firewall = this.firewallEntries(i, rules);
    }
    return {
      key: i.key,
      networkPolicy: this.networkPolicyEntries(i, vn),
      securityGroup: this.securityGroupEntries(i),
      firewall,
      gateway:
        vn.gateways.length > 0 ? this.ensureSet({ kind: 'gw', ref: vn.name, andTags: [], family: 0 }) : null,
      policies,
    };
  }

  protected ensureAcl(i: Iface): CompiledAcl {
    let acl = this.acls.get(i.key);
    if (!acl) {
      acl = this.compileAcl(i);
      this.acls.set(i.key, acl);
    }
    addTo(this.keyMembers, i.key, i.name);
    return acl;
  }

  protected releaseAcl(i: Iface): void {
    delFrom(this.keyMembers, i.key, i.name);
    if (!this.keyMembers.has(i.key)) this.acls.delete(i.key);
  }

  // ---------------------------------------------------------------- queries

  /** The compiled ACL of an interface, or undefined if it is unknown or down. */
  acl(name: string): CompiledAcl | undefined {
    const i = this.ifaces.get(name);
    return i?.up ? this.acls.get(i.key) : undefined;
  }

  /** The matcher for an interface's ACL (built once per compiled ACL and shared by its interfaces). */
  matcher(name: string): AclMatcher | undefined {
    const acl = this.acl(name);
    if (!acl) return undefined;
    let m = this.matchers.get(acl);
    if (!m) {
      m = new AclMatcher(acl, (id) => (this.sets.get(id) as SetEntry).set);
      this.matchers.set(acl, m);
    }
    return m;
  }

  /** An interface's compiled ACL as plain data, remote sets resolved to their prefixes (for tools and logs). */
  describe(name: string): AclDescription | undefined {
    const i = this.ifaces.get(name);
    if (!i) return undefined;
    const acl = i.up ? this.acls.get(i.key) : undefined;
    const gate = (entries: readonly AclEntry[] | null | undefined) =>
      entries == null
        ? null
        : entries.map((e) => ({
            direction: e.direction,
            protocol: e.protocol,
            srcPorts: e.srcPorts,
            dstPorts: e.dstPorts,
            remote: e.remote,
            remotePrefixes: this.set(e.remote)?.prefixes() ?? [],
            local: e.local,
            action: e.action,
            rule: e.ruleId,
            ...(e.log ? { log: true } : {}),
            ...(e.serviceChain.length > 0 ? { serviceChain: e.serviceChain } : {}),
          }));
    return {
      interface: name,
      up: i.up,
      addresses: i.addrs.map((a) => a.text),
      tags: this.effectiveTags(name) ?? [],
      gates: {
        'network-policy': gate(acl?.networkPolicy),
        'security-group': gate(acl?.securityGroup),
        firewall: gate(acl?.firewall),
      },
    };
  }

  /** An address set by id. */
  set(id: string): AddressSet | undefined {
    return this.sets.get(id)?.set;
  }

  interfaceNames(): string[] {
    return [...this.ifaces.keys()];
  }

  /** Effective tags of an interface, as `type=value` names. */
  effectiveTags(name: string): string[] | undefined {
    return this.ifaces.get(name)?.tags.map((t) => this.tags.name(t));
  }

  /** Addresses of an interface (canonical prefixes). */
  addresses(name: string): string[] | undefined {
    return this.ifaces.get(name)?.addrs.map((a) => a.text);
  }

  /** Distinct compiled ACLs (identities) and sets, for reporting. */
  stats(): { interfaces: number; acls: number; entries: number; sets: number; setPrefixes: number } {
    let entries = 0;
    for (const a of this.acls.values())
      entries += (a.networkPolicy?.length ?? 0) + (a.securityGroup?.length ?? 0) + (a.firewall?.length ?? 0);
    let setPrefixes = 0;
    for (const s of this.sets.values()) setPrefixes += s.set.size;
    return { interfaces: this.ifaces.size, acls: this.acls.size, entries, sets: this.sets.size, setPrefixes };
  }
}
