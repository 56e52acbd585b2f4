// The model after validation: names resolved, tags as ids, prefixes parsed, sequences sorted. Every check that
// names an object and field for the user happens here, before anything is compiled.
import { type Prefix, parsePrefix } from './address-set.js';
import {
  ConflictingFieldsError,
  DuplicateObjectError,
  InvalidFieldError,
  MissingReferenceError,
  TagConflictError,
} from './errors.js';
import {
  compareSequence,
  type EndpointSpec,
  type FirewallRuleSpec,
  type NetworkAddressSpec,
  type PolicyModel,
  parsePorts,
  parseProtocol,
  type ServiceSpec,
} from './model.js';
import type { Selector } from './selectors.js';
import type { TagRegistry } from './tags.js';

export type Ep =
  | { kind: 'tags'; tags: number[] }
  | { kind: 'ag'; name: string }
  | { kind: 'vn'; name: string }
  | { kind: 'subnet'; prefix: Prefix }
  | { kind: 'any' };

export interface Service {
  protocol: number;
  srcPorts: [number, number];
  dstPorts: [number, number];
}

export interface Rule {
  name: string;
  action: 'pass' | 'deny';
  log: boolean;
  ep1: Ep;
  ep2: Ep;
  direction: '>' | '<' | '<>';
  services: Service[];
  matchTypes: number[];
}

export interface Ag {
  name: string;
  prefixes: Prefix[];
  labels: number[];
}

export interface Aps {
  name: string;
  scope: string;
  policies: string[];
  tag: number | null;
  all: boolean;
}

export interface SgRule {
  name: string;
  direction: 'ingress' | 'egress';
  protocol: number;
  ports: [number, number];
  remote: Selector;
}

export type NpAddr = { kind: 'vn'; name: string } | { kind: 'subnet'; prefix: Prefix } | { kind: 'any' };

export interface NpRule {
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

export const ANY_PORTS: [number, number] = [0, 65535];

export function indexByName<T extends { name: string }>(
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

/** The normalized policy objects. */
export interface NormalizedModel {
  tags: TagRegistry;
  rules: Map<string, Rule>;
  policies: Map<string, { name: string; rules: string[] }>;
  apsList: Aps[];
  ags: Map<string, Ag>;
  serviceGroups: Map<string, Service[]>;
  sgRules: Map<string, SgRule[]>;
  npRules: Map<string, NpRule[]>;
}

/** Validates and normalizes the policy objects (references inside the model; VN refs are checked by the compiler). */
export function normalizeModel(model: PolicyModel, tags: TagRegistry): NormalizedModel {
  const n: NormalizedModel = {
    tags,
    rules: new Map(),
    policies: new Map(),
    apsList: [],
    ags: new Map(),
    serviceGroups: new Map(),
    sgRules: new Map(),
    npRules: new Map(),
  };
  for (const t of model.tagTypes ?? [])
    if (!n.tags.hasType(t))
      n.tags.typeId(t, { objectType: 'model', objectName: 'tagTypes', field: 'tagTypes' });
  n.ags = new Map();
  for (const ag of indexByName(model.addressGroups, 'address-group').values()) {
    const ctx = { objectType: 'address-group', objectName: ag.name, field: 'labels' };
    const labels = n.tags.parseList(ag.labels, ctx);
    for (const l of labels)
      if (l >>> 16 !== 0)
        throw new TagConflictError(
          'address-group',
          ag.name,
          'labels',
          n.tags.typeName(l >>> 16),
          'only label tags may select address-group members',
        );
    const prefixes = (ag.prefixes ?? []).map((p, i) =>
      parsePrefix(p, { objectType: 'address-group', objectName: ag.name, field: `prefixes[${i}]` }),
    );
    n.ags.set(ag.name, { name: ag.name, prefixes, labels });
  }
  n.serviceGroups = new Map();
  for (const sg of indexByName(model.serviceGroups, 'service-group').values())
    n.serviceGroups.set(
      sg.name,
      sg.services.map((s, i) => service(s, 'service-group', sg.name, `services[${i}]`)),
    );
  n.rules = new Map();
  for (const r of indexByName(model.firewallRules, 'firewall-rule').values()) n.rules.set(r.name, rule(n, r));
  n.policies = new Map();
  for (const p of indexByName(model.firewallPolicies, 'firewall-policy').values()) {
    const sorted = [...p.rules].sort((a, b) => compareSequence(a.sequence, b.sequence));
    sorted.forEach((r) => {
      if (!n.rules.has(r.rule))
        throw new MissingReferenceError(
          'firewall-policy',
          p.name,
          `rules[sequence=${r.sequence}].rule`,
          'firewall-rule',
          r.rule,
        );
    });
    n.policies.set(p.name, { name: p.name, rules: sorted.map((r) => r.rule) });
  }
  n.apsList = [];
  for (const a of indexByName(model.applicationPolicySets, 'application-policy-set').values()) {
    const sorted = [...a.policies].sort((x, y) => compareSequence(x.sequence, y.sequence));
    for (const p of sorted)
      if (!n.policies.has(p.policy))
        throw new MissingReferenceError(
          'application-policy-set',
          a.name,
          `policies[sequence=${p.sequence}].policy`,
          'firewall-policy',
          p.policy,
        );
    let tag: number | null = null;
    if (a.applicationTag !== undefined) {
      tag = n.tags.id(a.applicationTag, {
        objectType: 'application-policy-set',
        objectName: a.name,
        field: 'applicationTag',
      });
      if (tag >>> 16 !== 1)
        throw new TagConflictError(
          'application-policy-set',
          a.name,
          'applicationTag',
          n.tags.typeName(tag >>> 16),
          'an application policy set binds to an application tag',
        );
    }
    n.apsList.push({
      name: a.name,
      scope: a.scope ?? 'global',
      policies: sorted.map((p) => p.policy),
      tag,
      all: a.allApplications ?? false,
    });
  }
  n.apsList.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  n.sgRules = new Map();
  for (const sg of indexByName(model.securityGroups, 'security-group').values()) {
    indexByName(sg.rules, `security-group '${sg.name}' rule`);
    n.sgRules.set(
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
  n.npRules = new Map();
  for (const np of indexByName(model.networkPolicies, 'network-policy').values()) {
    n.npRules.set(
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
  return n;
}

function service(s: ServiceSpec, objectType: string, objectName: string, field: string): Service {
  const ctx = (f: string) => ({ objectType, objectName, field: `${field}.${f}` });
  return {
    protocol: parseProtocol(s.protocol, ctx('protocol')),
    srcPorts: parsePorts(s.srcPorts, ctx('srcPorts')),
    dstPorts: parsePorts(s.dstPorts, ctx('dstPorts')),
  };
}

function endpoint(n: NormalizedModel, e: EndpointSpec, rule: string, field: string): Ep {
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
      tags: n.tags.parseList(e.tags, {
        objectType: 'firewall-rule',
        objectName: rule,
        field: `${field}.tags`,
      }),
    };
  if ('addressGroup' in e) {
    if (!n.ags.has(e.addressGroup))
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

/** Validates one firewall rule against the normalized groups. */
export function rule(n: NormalizedModel, r: FirewallRuleSpec): Rule {
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
  if (r.service) services = [service(r.service, 'firewall-rule', r.name, 'service')];
  else {
    const g = n.serviceGroups.get(r.serviceGroup as string);
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
    const id = n.tags.typeId(t, {
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
    ep1: endpoint(n, r.endpoint1, r.name, 'endpoint1'),
    ep2: endpoint(n, r.endpoint2, r.name, 'endpoint2'),
    direction: r.direction,
    services,
    matchTypes,
  };
}
