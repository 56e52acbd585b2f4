// The compiler: model + inventory -> per-interface ordered ACLs whose remote sides are shared address sets.
// Interfaces are grouped by what their ACL depends on (effective tags, VN, security groups, port security),
// so one compiled ACL serves every interface of an identity (Cilium compiles per identity the same way).
// Order and defaults follow the TF agent (SEMANTICS.md A1b): gates network policy -> security group ->
// firewall; inside the firewall gate global APS, then project APS, then tag-bound APS; policies and rules by
// sequence string; `<>` is a forward entry plus a derived reversed one with the same ports.
import { AddressSet, firstHost, type Prefix, parsePrefix, prefixContains } from './address-set.js';
import {
  ConflictingFieldsError,
  DuplicateObjectError,
  InvalidFieldError,
  MissingReferenceError,
  TagConflictError,
} from './errors.js';
import { AclMatcher } from './evaluate.js';
import {
  diffAcl,
  type InterfaceDiff,
  type PolicyChange,
  type PolicyDiff,
  type SetDiff,
} from './incremental.js';
import {
  compareSequence,
  type EndpointSpec,
  type FirewallRuleSpec,
  type InterfaceSpec,
  type Inventory,
  type NetworkAddressSpec,
  type PolicyModel,
  parsePorts,
  parseProtocol,
  type ServiceSpec,
} from './model.js';
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
  /** Identity of the entry for diffs. */
  key: string;
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

type Ep =
  | { kind: 'tags'; tags: number[] }
  | { kind: 'ag'; name: string }
  | { kind: 'vn'; name: string }
  | { kind: 'subnet'; prefix: Prefix }
  | { kind: 'any' };

interface Service {
  protocol: number;
  srcPorts: [number, number];
  dstPorts: [number, number];
}

interface Rule {
  name: string;
  action: 'pass' | 'deny';
  log: boolean;
  ep1: Ep;
  ep2: Ep;
  direction: '>' | '<' | '<>';
  services: Service[];
  matchTypes: number[];
}

interface Ag {
  name: string;
  prefixes: Prefix[];
  labels: number[];
}

interface Aps {
  name: string;
  scope: string;
  policies: string[];
  tag: number | null;
  all: boolean;
}

interface SgRule {
  name: string;
  direction: 'ingress' | 'egress';
  protocol: number;
  ports: [number, number];
  remote: Selector;
}

type NpAddr = { kind: 'vn'; name: string } | { kind: 'subnet'; prefix: Prefix } | { kind: 'any' };

interface NpRule {
  name: string;
  direction: '>' | '<>';
  protocol: number;
  src: NpAddr[];
  dst: NpAddr[];
  srcPorts: [number, number][];
  dstPorts: [number, number][];
  action: 'pass' | 'deny';
  chain: string[];
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
interface Iface {
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

const ANY_PORTS: [number, number] = [0, 65535];

function indexByName<T extends { name: string }>(
  items: readonly T[] | undefined,
  type: string,
): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items ?? []) {
    if (m.has(it.name)) throw new DuplicateObjectError(type, it.name);
    m.set(it.name, it);
  }
  return m;
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

/** Compiles policy for an inventory and keeps it current under changes (see `apply`). */
export class PolicyCompiler {
  readonly tags: TagRegistry;
  private model!: PolicyModel;
  // Normalized policy objects.
  private rules = new Map<string, Rule>();
  private policies = new Map<string, { name: string; rules: string[] }>();
  private apsList: Aps[] = [];
  private ags = new Map<string, Ag>();
  private serviceGroups = new Map<string, Service[]>();
  private sgRules = new Map<string, SgRule[]>();
  private npRules = new Map<string, NpRule[]>();
  // Inventory.
  private vns = new Map<string, Vn>();
  private projectTags = new Map<string, number[]>();
  private vmTags = new Map<string, number[]>();
  private hostTags = new Map<string, number[]>();
  private ifaces = new Map<string, Iface>();
  // Indexes.
  private postings = new Map<number, Set<string>>();
  private vnMembers = new Map<string, Set<string>>();
  private sgMembers = new Map<string, Set<string>>();
  private vmMembers = new Map<string, Set<string>>();
  private hostMembers = new Map<string, Set<string>>();
  // Address sets and their indexes (which sets an interface change can touch).
  private sets = new Map<string, SetEntry>();
  private setsByTag = new Map<number, Set<string>>();
  private setsByVn = new Map<string, Set<string>>();
  private setsBySg = new Map<string, Set<string>>();
  private unindexedSets = new Set<string>();
  // Compiled ACLs by key, and who uses them.
  private acls = new Map<string, CompiledAcl>();
  private keyMembers = new Map<string, Set<string>>();
  private matchers = new WeakMap<CompiledAcl, AclMatcher>();

  constructor(model: PolicyModel, inventory: Inventory) {
    this.tags = new TagRegistry(model.tagTypes ?? []);
    this.loadModel(model);
    this.loadInventory(inventory);
    for (const i of this.ifaces.values()) if (i.up) this.ensureAcl(i);
    for (const e of this.sets.values()) e.set.drainChanges();
  }

  // ---------------------------------------------------------------- loading and validation

  private loadModel(model: PolicyModel): void {
    this.model = model;
    for (const t of model.tagTypes ?? [])
      if (!this.tags.hasType(t))
        this.tags.typeId(t, { objectType: 'model', objectName: 'tagTypes', field: 'tagTypes' });
    this.ags = new Map();
    for (const ag of indexByName(model.addressGroups, 'address-group').values()) {
      const ctx = { objectType: 'address-group', objectName: ag.name, field: 'labels' };
      const labels = this.tags.parseList(ag.labels, ctx);
      for (const l of labels)
        if (l >>> 16 !== 0)
          throw new TagConflictError(
            'address-group',
            ag.name,
            'labels',
            this.tags.typeName(l >>> 16),
            'only label tags may select address-group members',
          );
      const prefixes = (ag.prefixes ?? []).map((p, i) =>
        parsePrefix(p, { objectType: 'address-group', objectName: ag.name, field: `prefixes[${i}]` }),
      );
      this.ags.set(ag.name, { name: ag.name, prefixes, labels });
    }
    this.serviceGroups = new Map();
    for (const sg of indexByName(model.serviceGroups, 'service-group').values())
      this.serviceGroups.set(
        sg.name,
        sg.services.map((s, i) => this.service(s, 'service-group', sg.name, `services[${i}]`)),
      );
    this.rules = new Map();
    for (const r of indexByName(model.firewallRules, 'firewall-rule').values())
      this.rules.set(r.name, this.rule(r));
    this.policies = new Map();
    for (const p of indexByName(model.firewallPolicies, 'firewall-policy').values()) {
      const sorted = [...p.rules].sort((a, b) => compareSequence(a.sequence, b.sequence));
      sorted.forEach((r) => {
        if (!this.rules.has(r.rule))
          throw new MissingReferenceError(
            'firewall-policy',
            p.name,
            `rules[sequence=${r.sequence}].rule`,
            'firewall-rule',
            r.rule,
          );
      });
      this.policies.set(p.name, { name: p.name, rules: sorted.map((r) => r.rule) });
    }
    this.apsList = [];
    for (const a of indexByName(model.applicationPolicySets, 'application-policy-set').values()) {
      const sorted = [...a.policies].sort((x, y) => compareSequence(x.sequence, y.sequence));
      for (const p of sorted)
        if (!this.policies.has(p.policy))
          throw new MissingReferenceError(
            'application-policy-set',
            a.name,
            `policies[sequence=${p.sequence}].policy`,
            'firewall-policy',
            p.policy,
          );
      let tag: number | null = null;
      if (a.applicationTag !== undefined) {
        tag = this.tags.id(a.applicationTag, {
          objectType: 'application-policy-set',
          objectName: a.name,
          field: 'applicationTag',
        });
        if (tag >>> 16 !== 1)
          throw new TagConflictError(
            'application-policy-set',
            a.name,
            'applicationTag',
            this.tags.typeName(tag >>> 16),
            'an application policy set binds to an application tag',
          );
      }
      this.apsList.push({
        name: a.name,
        scope: a.scope ?? 'global',
        policies: sorted.map((p) => p.policy),
        tag,
        all: a.allApplications ?? false,
      });
    }
    this.apsList.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    this.sgRules = new Map();
    for (const sg of indexByName(model.securityGroups, 'security-group').values()) {
      indexByName(sg.rules, `security-group '${sg.name}' rule`);
      this.sgRules.set(
        sg.name,
        sg.rules.map((r) => {
          const ctx = (field: string) => ({
            objectType: 'security-group-rule',
            objectName: `${sg.name}/${r.name}`,
            field,
          });
          if (r.direction !== 'ingress' && r.direction !== 'egress')
            throw new InvalidFieldError(
              'security-group-rule',
              `${sg.name}/${r.name}`,
              'direction',
              String(r.direction),
              'ingress or egress',
            );
          const family = r.ethertype === 'IPv6' ? 6 : 4;
          let remote: Selector;
          const rem = r.remote ?? { any: true };
          if ('cidr' in rem) {
            const p = parsePrefix(rem.cidr, ctx('remote.cidr'));
            remote = { kind: 'cidr', ref: p.text, andTags: [], family: p.family };
          } else if ('securityGroup' in rem) {
            if (!model.securityGroups?.some((g) => g.name === rem.securityGroup))
              throw new MissingReferenceError(
                'security-group-rule',
                `${sg.name}/${r.name}`,
                'remote.securityGroup',
                'security-group',
                rem.securityGroup,
              );
            remote = { kind: 'sg', ref: rem.securityGroup, andTags: [], family };
          } else remote = { kind: 'any', ref: '', andTags: [], family };
          return {
            name: r.name,
            direction: r.direction,
            protocol: parseProtocol(r.protocol, ctx('protocol')),
            ports: parsePorts(r.ports, ctx('ports')),
            remote,
          };
        }),
      );
    }
    this.npRules = new Map();
    for (const np of indexByName(model.networkPolicies, 'network-policy').values()) {
      this.npRules.set(
        np.name,
        np.rules.map((r) => {
          const name = `${np.name}/${r.name}`;
          const ctx = (field: string) => ({ objectType: 'network-policy-rule', objectName: name, field });
          if (r.direction !== '>' && r.direction !== '<>')
            throw new InvalidFieldError(
              'network-policy-rule',
              name,
              'direction',
              String(r.direction),
              "network policy direction is '>' or '<>'",
            );
          if (r.action !== 'pass' && r.action !== 'deny')
            throw new InvalidFieldError(
              'network-policy-rule',
              name,
              'action',
              String(r.action),
              'pass or deny',
            );
          const addr = (a: NetworkAddressSpec, field: string): NpAddr => {
            if ('virtualNetwork' in a) return { kind: 'vn', name: a.virtualNetwork };
            if ('subnet' in a) return { kind: 'subnet', prefix: parsePrefix(a.subnet, ctx(field)) };
            return { kind: 'any' };
          };
          return {
            name,
            direction: r.direction,
            protocol: parseProtocol(r.protocol, ctx('protocol')),
            src: r.src.map((a, i) => addr(a, `src[${i}]`)),
            dst: r.dst.map((a, i) => addr(a, `dst[${i}]`)),
            srcPorts:
              r.srcPorts && r.srcPorts.length > 0
                ? r.srcPorts.map((p, i) => parsePorts(p, ctx(`srcPorts[${i}]`)))
                : [ANY_PORTS],
            dstPorts:
              r.dstPorts && r.dstPorts.length > 0
                ? r.dstPorts.map((p, i) => parsePorts(p, ctx(`dstPorts[${i}]`)))
                : [ANY_PORTS],
            action: r.action,
            chain: [...(r.serviceChain ?? [])],
          };
        }),
      );
    }
  }

  /** Checks references from the model to the inventory (VN endpoints), once both are loaded. */
  private checkModelRefs(): void {
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

  private service(s: ServiceSpec, objectType: string, objectName: string, field: string): Service {
    const ctx = (f: string) => ({ objectType, objectName, field: `${field}.${f}` });
    return {
      protocol: parseProtocol(s.protocol, ctx('protocol')),
      srcPorts: parsePorts(s.srcPorts, ctx('srcPorts')),
      dstPorts: parsePorts(s.dstPorts, ctx('dstPorts')),
    };
  }

  private endpoint(e: EndpointSpec, rule: string, field: string): Ep {
    const keys = Object.keys(e);
    if (keys.length !== 1)
      throw new ConflictingFieldsError(
        'firewall-rule',
        rule,
        field,
        `needs exactly one of tags, addressGroup, virtualNetwork, subnet, any (got ${keys.join(', ') || 'none'})`,
      );
    if ('tags' in e)
      return {
        kind: 'tags',
        tags: this.tags.parseList(e.tags, {
          objectType: 'firewall-rule',
          objectName: rule,
          field: `${field}.tags`,
        }),
      };
    if ('addressGroup' in e) {
      if (!this.ags.has(e.addressGroup))
        throw new MissingReferenceError(
          'firewall-rule',
          rule,
          `${field}.addressGroup`,
          'address-group',
          e.addressGroup,
        );
      return { kind: 'ag', name: e.addressGroup };
    }
    if ('virtualNetwork' in e) return { kind: 'vn', name: e.virtualNetwork };
    if ('subnet' in e)
      return {
        kind: 'subnet',
        prefix: parsePrefix(e.subnet, {
          objectType: 'firewall-rule',
          objectName: rule,
          field: `${field}.subnet`,
        }),
      };
    if ('any' in e && e.any === true) return { kind: 'any' };
    throw new InvalidFieldError('firewall-rule', rule, field, JSON.stringify(e), 'not an endpoint');
  }

  private rule(r: FirewallRuleSpec): Rule {
    if (r.action !== 'pass' && r.action !== 'deny')
      throw new InvalidFieldError('firewall-rule', r.name, 'action', String(r.action), 'pass or deny');
    if (r.direction !== '>' && r.direction !== '<' && r.direction !== '<>')
      throw new InvalidFieldError(
        'firewall-rule',
        r.name,
        'direction',
        String(r.direction),
        "'>', '<' or '<>'",
      );
    if ((r.service === undefined) === (r.serviceGroup === undefined))
      throw new ConflictingFieldsError(
        'firewall-rule',
        r.name,
        'service',
        'exactly one of service or serviceGroup is required',
      );
    let services: Service[];
    if (r.service) services = [this.service(r.service, 'firewall-rule', r.name, 'service')];
    else {
      const g = this.serviceGroups.get(r.serviceGroup as string);
      if (!g)
        throw new MissingReferenceError(
          'firewall-rule',
          r.name,
          'serviceGroup',
          'service-group',
          r.serviceGroup as string,
        );
      services = g;
    }
    const matchTypes = (r.matchTags ?? []).map((t, i) => {
      const id = this.tags.typeId(t, {
        objectType: 'firewall-rule',
        objectName: r.name,
        field: `matchTags[${i}]`,
      });
      if (id === 0)
        throw new TagConflictError(
          'firewall-rule',
          r.name,
          `matchTags[${i}]`,
          t,
          'label cannot be a match-tag',
        );
      return id;
    });
    return {
      name: r.name,
      action: r.action,
      log: r.log ?? false,
      ep1: this.endpoint(r.endpoint1, r.name, 'endpoint1'),
      ep2: this.endpoint(r.endpoint2, r.name, 'endpoint2'),
      direction: r.direction,
      services,
      matchTypes,
    };
  }

  private loadInventory(inv: Inventory): void {
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

  private makeIface(spec: InterfaceSpec, ownTags?: number[]): Iface {
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

  private insertIface(i: Iface): void {
    this.ifaces.set(i.name, i);
    for (const t of i.tags) addTo(this.postings, t, i.name);
    addTo(this.vnMembers, i.vn, i.name);
    for (const sg of i.sgs) addTo(this.sgMembers, sg, i.name);
    if (i.vm) addTo(this.vmMembers, i.vm, i.name);
    if (i.host) addTo(this.hostMembers, i.host, i.name);
  }

  private removeIface(i: Iface): void {
    this.ifaces.delete(i.name);
    for (const t of i.tags) delFrom(this.postings, t, i.name);
    delFrom(this.vnMembers, i.vn, i.name);
    for (const sg of i.sgs) delFrom(this.sgMembers, sg, i.name);
    if (i.vm) delFrom(this.vmMembers, i.vm, i.name);
    if (i.host) delFrom(this.hostMembers, i.host, i.name);
  }

  // ---------------------------------------------------------------- address sets

  private staticPrefixes(s: Selector): Prefix[] {
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
  private dynamicPrefixes(s: Selector, i: Iface): Prefix[] {
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

  private candidates(s: Selector): Iterable<string> {
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

  private indexSet(id: string, s: Selector): void {
    if (s.andTags.length > 0) addTo(this.setsByTag, s.andTags[0] as number, id);
    else if (s.kind === 'vn') addTo(this.setsByVn, s.ref, id);
    else if (s.kind === 'sg') addTo(this.setsBySg, s.ref, id);
    else if (s.kind === 'ag') for (const l of this.ags.get(s.ref)?.labels ?? []) addTo(this.setsByTag, l, id);
    else if (s.kind === 'tags') this.unindexedSets.add(id);
  }

  private fillSet(e: SetEntry): void {
    for (const p of this.staticPrefixes(e.sel)) e.set.add(p);
    for (const n of this.candidates(e.sel)) {
      const i = this.ifaces.get(n);
      if (i) for (const p of this.dynamicPrefixes(e.sel, i)) e.set.add(p);
    }
  }

  /** The set for a selector, built on first use and kept current afterwards. */
  private ensureSet(s: Selector): string {
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
  private updateSets(o: Iface | undefined, n: Iface | undefined): void {
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

  private applicableAps(i: Iface): Aps[] {
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
  private localMatch(ep: Ep, i: Iface): string | null | false {
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

  private remoteSelector(ep: Ep, extra: readonly number[]): Selector {
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

  private entry(
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
    const key = `${gate}|${direction}|${svc.protocol}|${svc.srcPorts[0]}-${svc.srcPorts[1]}|${svc.dstPorts[0]}-${svc.dstPorts[1]}|${remote}|${local ?? ''}|${action}|${ruleId}|${log ? 'log' : ''}|${chain.join(',')}`;
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
      key,
    };
  }

  private firewallEntries(i: Iface, rules: Rule[]): AclEntry[] {
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

  private networkPolicyEntries(i: Iface, vn: Vn): AclEntry[] | null {
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

  private securityGroupEntries(i: Iface): AclEntry[] | null {
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

  private compileAcl(i: Iface): CompiledAcl {
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

  private ensureAcl(i: Iface): CompiledAcl {
    let acl = this.acls.get(i.key);
    if (!acl) {
      acl = this.compileAcl(i);
      this.acls.set(i.key, acl);
    }
    addTo(this.keyMembers, i.key, i.name);
    return acl;
  }

  private releaseAcl(i: Iface): void {
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

  // ---------------------------------------------------------------- incremental

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
