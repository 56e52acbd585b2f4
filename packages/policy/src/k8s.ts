// Kubernetes NetworkPolicy -> the model (what TF's kube-manager does with firewall policies). Semantics
// (KEP-1611, upstream e2e netpol suite): a pod is isolated for ingress (egress) iff some policy in its namespace
// selects it with that policy type; then only the union of those policies' rules is allowed; a connection needs
// egress-allow at the client and ingress-allow at the server; no deny, no order.
// Mapping: namespaces and labels become tags (`k8s-namespace=<ns>`, `ns.<key>=<v>`, `pod.<key>=<v>`); every
// rule becomes pass rules in one global application policy set. Because a firewall list present means
// implicit deny, pods that no policy isolates in a direction carry `label=k8s-ingress-open` / `k8s-egress-open`
// and two rules let them through. matchExpressions, and named ports (resolved per destination pod), become
// computed labels on the pods they select.

import { parseAllDocuments } from 'yaml';
import { parsePrefix, prefixContains, subtractPrefixes } from './address-set.js';
import {
  InputFormatError,
  InvalidFieldError,
  InvalidPortRangeError,
  MissingReferenceError,
} from './errors.js';
import { evaluate, FiveTuple } from './evaluate.js';
import type { PolicyCompiler } from './incremental.js';
import type {
  AddressGroupSpec,
  EndpointSpec,
  FirewallRuleSpec,
  InterfaceSpec,
  Inventory,
  PolicyModel,
  ServiceSpec,
} from './model.js';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export interface K8sNamespace {
  kind: 'Namespace';
  metadata: { name: string; labels?: Record<string, string> };
}

export interface K8sPod {
  kind: 'Pod';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    containers?: { name?: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  };
  status?: { podIP?: string; podIPs?: { ip: string }[] };
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}

export interface K8sNetworkPolicy {
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export type K8sObject = K8sNamespace | K8sPod | K8sNetworkPolicy;

export interface K8sTranslation {
  model: PolicyModel;
  inventory: Inventory;
  /** `ns/pod` -> interface name. */
  pods: Map<string, string>;
  /** Firewall rule name -> the `ns/policy` names it implements ([] for the isolation defaults). */
  ruleToPolicy: Map<string, string[]>;
  /** `ns/pod` -> policies that select it, per direction. */
  isolatedBy: Map<string, { ingress: string[]; egress: string[] }>;
  /** Named container ports per pod: `ns/pod` -> `NAME/PROTO` -> number. */
  namedPorts: Map<string, Map<string, number>>;
}

/** The VN every pod is placed in (TF's default pod network). */
export const POD_NETWORK = 'k8s-default-pod-network';
export const K8S_PROJECT = 'k8s';
const ALL_PODS = 'label=k8s-pod';
const PROTO_NUM: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

const esc = (v: string) => (v === '' ? '""' : v);

function matches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(val as string))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(val as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const simple = (s: LabelSelector | undefined) => !s?.matchExpressions || s.matchExpressions.length === 0;

/** A pod-side endpoint as an AND of tags ([] = every pod). */
type PodSet = string[];

/** A port entry resolved to numbers; `destTags` limits the destination to pods naming the port so. */
interface PortRange {
  protocol: string;
  lo: number;
  hi: number;
  destTags: string[];
}

interface Side {
  /** Pods this peer selects (null: none). */
  pods: PodSet | null;
  /** Addresses outside the pod network this peer selects (null: none). */
  external: EndpointSpec | null;
}

/** Translates namespaces, pods and network policies into a policy model and an inventory. */
export function translateK8s(objects: readonly K8sObject[]): K8sTranslation {
  const namespaces = new Map<string, Record<string, string>>();
  const pods: {
    ns: string;
    name: string;
    labels: Record<string, string>;
    ips: string[];
    ports: Map<string, number>;
  }[] = [];
  const policies: K8sNetworkPolicy[] = [];
  objects.forEach((o, i) => {
    if (o.kind === 'Namespace') namespaces.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
    else if (o.kind === 'Pod') {
      const ns = o.metadata.namespace ?? 'default';
      const ips = o.status?.podIPs?.map((p) => p.ip) ?? (o.status?.podIP ? [o.status.podIP] : []);
      const ports = new Map<string, number>();
      for (const c of o.spec?.containers ?? [])
        for (const p of c.ports ?? [])
          if (p.name) ports.set(`${p.name}/${p.protocol ?? 'TCP'}`, p.containerPort);
      pods.push({ ns, name: o.metadata.name, labels: o.metadata.labels ?? {}, ips, ports });
    } else if (o.kind === 'NetworkPolicy') policies.push(o);
    else
      throw new InputFormatError(
        'k8s',
        `object[${i}]`,
        'kind',
        `unsupported kind '${String((o as { kind?: unknown }).kind)}'`,
      );
  });
  for (const p of pods) if (!namespaces.has(p.ns)) namespaces.set(p.ns, {});
  // Kubernetes labels every namespace with its name.
  for (const [ns, labels] of namespaces) labels['kubernetes.io/metadata.name'] ??= ns;

  const podKey = (p: { ns: string; name: string }) => `${p.ns}/${p.name}`;
  const podTags = new Map<string, Set<string>>();
  const tagTypes = new Set<string>(['k8s-namespace']);
  const tagOf = (prefix: string, k: string, v: string) => {
    tagTypes.add(`${prefix}.${k}`);
    return `${prefix}.${k}=${esc(v)}`;
  };
  for (const p of pods) {
    // `label=k8s-pod` names every pod whatever network a preset puts it in.
    const tags = new Set([ALL_PODS, `k8s-namespace=${p.ns}`]);
    for (const [k, v] of Object.entries(namespaces.get(p.ns) ?? {})) tags.add(tagOf('ns', k, v));
    for (const [k, v] of Object.entries(p.labels)) tags.add(tagOf('pod', k, v));
    podTags.set(podKey(p), tags);
  }
  let synth = 0;
  const synthCache = new Map<string, string>();
  /** A computed label on every pod `pred` accepts (for selectors tags cannot express). */
  const labelPods = (cacheKey: string, pred: (p: (typeof pods)[number]) => boolean): string => {
    let label = synthCache.get(cacheKey);
    if (label === undefined) {
      label = `label=k8s-sel-${++synth}`;
      synthCache.set(cacheKey, label);
      for (const p of pods) if (pred(p)) podTags.get(podKey(p))?.add(label);
    }
    return label;
  };

  /** Pods in namespace `nsName` (or in namespaces matching nsSel) whose labels match podSel. */
  const podSet = (
    nsName: string | null,
    nsSel: LabelSelector | undefined,
    podSel: LabelSelector | undefined,
  ): PodSet => {
    if (simple(nsSel) && simple(podSel)) {
      const tags: string[] = [];
      if (nsName !== null) tags.push(`k8s-namespace=${nsName}`);
      for (const [k, v] of Object.entries(nsSel?.matchLabels ?? {})) tags.push(tagOf('ns', k, v));
      for (const [k, v] of Object.entries(podSel?.matchLabels ?? {})) tags.push(tagOf('pod', k, v));
      return tags;
    }
    return [
      labelPods(JSON.stringify([nsName, nsSel, podSel]), (p) => {
        const nsOk = nsName !== null ? p.ns === nsName : matches(nsSel, namespaces.get(p.ns) ?? {});
        return nsOk && matches(podSel, p.labels);
      }),
    ];
  };

  const addressGroups: AddressGroupSpec[] = [];
  const peerSide = (peer: NetworkPolicyPeer, ns: string, where: string): Side => {
    const kinds = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter(
      (x) => x !== undefined,
    ).length;
    if (peer.ipBlock) {
      if (kinds > 1)
        throw new InvalidFieldError(
          'NetworkPolicy',
          where,
          'ipBlock',
          'ipBlock',
          'ipBlock cannot be combined with selectors',
        );
      const ctx = { objectType: 'NetworkPolicy', objectName: where, field: 'ipBlock.cidr' };
      const prefixes = subtractPrefixes(peer.ipBlock.cidr, peer.ipBlock.except ?? [], ctx);
      const blocks = prefixes.map((x) => parsePrefix(x, ctx));
      const name = `k8s:${where}`;
      addressGroups.push({ name, prefixes });
      // Pods whose IP is in the block are matched by a computed label; other addresses by the group.
      const label = labelPods(`ip:${where}`, (p) =>
        p.ips.some((a) => {
          const q = parsePrefix(a, ctx);
          return blocks.some((b) => prefixContains(b, q.family, q.lo));
        }),
      );
      return { pods: [label], external: { addressGroup: name } };
    }
    if (kinds === 0)
      throw new InvalidFieldError(
        'NetworkPolicy',
        where,
        'peer',
        '{}',
        'a peer needs podSelector, namespaceSelector or ipBlock',
      );
    return {
      pods: peer.namespaceSelector
        ? podSet(null, peer.namespaceSelector, peer.podSelector)
        : podSet(ns, undefined, peer.podSelector),
      external: null,
    };
  };

  const portRanges = (ports: NetworkPolicyPort[] | undefined, where: string): PortRange[] => {
    if (!ports || ports.length === 0) return [{ protocol: 'any', lo: 0, hi: 65535, destTags: [] }];
    const out: PortRange[] = [];
    ports.forEach((p, k) => {
      const proto = p.protocol ?? 'TCP';
      if (!(proto in PROTO_NUM))
        throw new InvalidFieldError(
          'NetworkPolicy',
          where,
          `ports[${k}].protocol`,
          proto,
          'TCP, UDP or SCTP',
        );
      const protocol = proto.toLowerCase();
      if (p.port === undefined) out.push({ protocol, lo: 0, hi: 65535, destTags: [] });
      else if (typeof p.port === 'number') {
        const end = p.endPort ?? p.port;
        if (end < p.port || p.port < 0 || end > 65535)
          throw new InvalidPortRangeError('NetworkPolicy', where, `ports[${k}].endPort`, p.port, end);
        out.push({ protocol, lo: p.port, hi: end, destTags: [] });
      } else {
        // A named port is resolved on each destination pod: one range per number, limited to the pods that
        // name it so (addresses outside the pod network have no named ports).
        const numbers = new Set<number>();
        for (const pod of pods) {
          const n = pod.ports.get(`${p.port}/${proto}`);
          if (n !== undefined) {
            numbers.add(n);
            podTags.get(podKey(pod))?.add(`label=k8s-port.${p.port}.${proto}.${n}`);
          }
        }
        for (const n of [...numbers].sort((a, b) => a - b))
          out.push({ protocol, lo: n, hi: n, destTags: [`label=k8s-port.${p.port}.${proto}.${n}`] });
      }
    });
    return out;
  };

  // Each policy rule flattened to (policy, target pods, peer side, port range).
  interface Flat {
    policy: string;
    target: PodSet;
    peer: Side;
    port: PortRange;
  }
  const ingress: Flat[] = [];
  const egress: Flat[] = [];
  const isolatedBy = new Map<string, { ingress: string[]; egress: string[] }>(
    pods.map((p) => [podKey(p), { ingress: [], egress: [] }]),
  );
  for (const pol of policies) {
    const ns = pol.metadata.namespace ?? 'default';
    const id = `${ns}/${pol.metadata.name}`;
    const types = pol.spec.policyTypes ?? (pol.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    const target = podSet(ns, undefined, pol.spec.podSelector);
    for (const p of pods)
      if (p.ns === ns && matches(pol.spec.podSelector, p.labels)) {
        const iso = isolatedBy.get(podKey(p));
        if (iso && types.includes('Ingress')) iso.ingress.push(id);
        if (iso && types.includes('Egress')) iso.egress.push(id);
      }
    if (types.includes('Ingress'))
      (pol.spec.ingress ?? []).forEach((r, i) => {
        const where = `${id}:ingress[${i}]`;
        const peers =
          r.from && r.from.length > 0
            ? r.from.map((p, j) => peerSide(p, ns, `${where}:from[${j}]`))
            : [{ pods: [], external: { any: true } } as Side];
        for (const peer of peers)
          for (const port of portRanges(r.ports, where)) ingress.push({ policy: id, target, peer, port });
      });
    if (types.includes('Egress'))
      (pol.spec.egress ?? []).forEach((r, i) => {
        const where = `${id}:egress[${i}]`;
        const peers =
          r.to && r.to.length > 0
            ? r.to.map((p, j) => peerSide(p, ns, `${where}:to[${j}]`))
            : [{ pods: [], external: { any: true } } as Side];
        for (const peer of peers)
          for (const port of portRanges(r.ports, where)) egress.push({ policy: id, target, peer, port });
      });
  }
  for (const p of pods) {
    const iso = isolatedBy.get(podKey(p));
    if (iso?.ingress.length === 0) podTags.get(podKey(p))?.add('label=k8s-ingress-open');
    if (iso?.egress.length === 0) podTags.get(podKey(p))?.add('label=k8s-egress-open');
  }

  // Both ends of a flow evaluate the same rule list, so each pod-to-pod rule must already say that the
  // client's egress AND the server's ingress allow it: open->open, open client -> ingress rule, egress rule
  // -> open server, and every egress rule crossed with every ingress rule. Then pod->pod stops (deny), and
  // the rules for addresses outside the pod network follow.
  const rules: FirewallRuleSpec[] = [];
  const ruleToPolicy = new Map<string, string[]>();
  const podMatches = (tags: PodSet) => pods.some((p) => tags.every((t) => podTags.get(podKey(p))?.has(t)));
  const ep = (tags: PodSet): EndpointSpec => ({ tags: tags.length > 0 ? [...new Set(tags)] : [ALL_PODS] });
  const svc = (r: PortRange): ServiceSpec =>
    r.protocol === 'any' ? { protocol: 'any' } : { protocol: r.protocol, dstPorts: [r.lo, r.hi] };
  const add = (
    name: string,
    src: EndpointSpec,
    dst: EndpointSpec,
    service: ServiceSpec,
    pols: string[],
    action: 'pass' | 'deny' = 'pass',
  ) => {
    rules.push({ name, action, endpoint1: src, endpoint2: dst, direction: '>', service });
    ruleToPolicy.set(name, pols);
  };
  const podRule = (name: string, src: PodSet, dst: PodSet, port: PortRange, pols: string[]) => {
    const d = [...dst, ...port.destTags];
    if (podMatches(src) && podMatches(d)) add(name, ep(src), ep(d), svc(port), pols);
  };
  add('k8s:open', ep(['label=k8s-egress-open']), ep(['label=k8s-ingress-open']), { protocol: 'any' }, []);
  ingress.forEach((i, k) => {
    if (i.peer.pods)
      podRule(`k8s:${i.policy}:in${k}`, [...i.peer.pods, 'label=k8s-egress-open'], i.target, i.port, [
        i.policy,
      ]);
  });
  egress.forEach((e, k) => {
    if (e.peer.pods)
      podRule(`k8s:${e.policy}:out${k}`, e.target, [...e.peer.pods, 'label=k8s-ingress-open'], e.port, [
        e.policy,
      ]);
  });
  egress.forEach((e, k) => {
    ingress.forEach((i, l) => {
      if (!e.peer.pods || !i.peer.pods) return;
      const a = e.port;
      const b = i.port;
      if (a.protocol !== 'any' && b.protocol !== 'any' && a.protocol !== b.protocol) return;
      const lo = Math.max(a.lo, b.lo);
      const hi = Math.min(a.hi, b.hi);
      if (lo > hi) return;
      const port = {
        protocol: a.protocol === 'any' ? b.protocol : a.protocol,
        lo,
        hi,
        destTags: [...a.destTags, ...b.destTags],
      };
      const pols = [...new Set([e.policy, i.policy])];
      podRule(
        `k8s:${e.policy}:out${k}+${i.policy}:in${l}`,
        [...e.target, ...(i.peer.pods ?? [])],
        [...(e.peer.pods ?? []), ...i.target],
        port,
        pols,
      );
    });
  });
  add('k8s:pod-to-pod-deny', ep([]), ep([]), { protocol: 'any' }, [], 'deny');
  add('k8s:external-in-open', { any: true }, ep(['label=k8s-ingress-open']), { protocol: 'any' }, []);
  add('k8s:external-out-open', ep(['label=k8s-egress-open']), { any: true }, { protocol: 'any' }, []);
  ingress.forEach((i, k) => {
    if (i.peer.external && i.port.destTags.length === 0)
      add(`k8s:${i.policy}:in${k}:external`, i.peer.external, ep(i.target), svc(i.port), [i.policy]);
    else if (i.peer.external && podMatches([...i.target, ...i.port.destTags]))
      add(
        `k8s:${i.policy}:in${k}:external`,
        i.peer.external,
        ep([...i.target, ...i.port.destTags]),
        svc(i.port),
        [i.policy],
      );
  });
  egress.forEach((e, k) => {
    // Named ports cannot be resolved on addresses outside the pod network.
    if (e.peer.external && e.port.destTags.length === 0)
      add(`k8s:${e.policy}:out${k}:external`, ep(e.target), e.peer.external, svc(e.port), [e.policy]);
  });
  const width = String(rules.length).length;

  const interfaces: InterfaceSpec[] = [];
  const podMap = new Map<string, string>();
  const namedPorts = new Map<string, Map<string, number>>();
  for (const p of pods) {
    const name = `k8s:${p.ns}:${p.name}`;
    podMap.set(podKey(p), name);
    namedPorts.set(podKey(p), p.ports);
    interfaces.push({
      name,
      virtualNetwork: POD_NETWORK,
      vm: name,
      addresses: p.ips,
      tags: [...(podTags.get(podKey(p)) ?? [])],
    });
  }

  return {
    model: {
      tagTypes: [...tagTypes],
      addressGroups,
      firewallRules: rules,
      firewallPolicies: [
        {
          name: 'k8s-network-policies',
          rules: rules.map((r, i) => ({ sequence: String(i).padStart(width, '0'), rule: r.name })),
        },
      ],
      applicationPolicySets: [
        { name: 'k8s', policies: [{ sequence: '1', policy: 'k8s-network-policies' }], allApplications: true },
      ],
    },
    inventory: {
      projects: [{ name: K8S_PROJECT }],
      virtualNetworks: [{ name: POD_NETWORK, project: K8S_PROJECT }],
      vms: interfaces.map((i) => ({ name: i.name })),
      interfaces,
    },
    pods: podMap,
    ruleToPolicy,
    isolatedBy,
    namedPorts,
  };
}

/** Resolves `ns/pod` to its interface, or throws naming the probe. */
export function podInterface(t: K8sTranslation, ref: string, field: string): string {
  const n = t.pods.get(ref);
  if (n === undefined) throw new MissingReferenceError('Probe', ref, field, 'Pod', ref);
  return n;
}

export interface K8sProbe {
  from: string;
  to: string;
  port: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface K8sProbeResult {
  from: string;
  to: string;
  port: number | string;
  protocol: string;
  allowed: boolean;
  /** Policies that decided: those whose rules allowed it, or, when denied, those isolating either end. */
  policies: string[];
  reason: string;
}

/**
 * Decides a pod-to-pod connection with the compiled policy: egress at the client and ingress at the server.
 */
export function probeK8s(t: K8sTranslation, compiler: PolicyCompiler, p: K8sProbe): K8sProbeResult {
  const proto = p.protocol ?? 'TCP';
  const base = { from: p.from, to: p.to, port: p.port, protocol: proto };
  const protoNum = PROTO_NUM[proto];
  if (protoNum === undefined)
    throw new InvalidFieldError('Probe', `${p.from}->${p.to}`, 'protocol', proto, 'TCP, UDP or SCTP');
  const src = podInterface(t, p.from, 'from');
  const dst = podInterface(t, p.to, 'to');
  let port: number;
  if (typeof p.port === 'number') port = p.port;
  else {
    const n = t.namedPorts.get(p.to)?.get(`${p.port}/${proto}`);
    if (n === undefined)
      return {
        ...base,
        allowed: false,
        policies: [],
        reason: `destination has no port named ${p.port}/${proto}`,
      };
    port = n;
  }
  const addr = (n: string) => {
    const a = compiler.addresses(n)?.[0];
    if (a === undefined) throw new InputFormatError('Probe', n, 'status.podIP', 'pod has no IP address');
    return a.slice(0, a.indexOf('/'));
  };
  const sa = addr(src);
  const da = addr(dst);
  const decided: string[] = [];
  const tuple = new FiveTuple();
  for (const [side, iface] of [
    ['egress', src],
    ['ingress', dst],
  ] as const) {
    const m = compiler.matcher(iface);
    if (!m) throw new InputFormatError('Probe', iface, 'interface', 'no compiled ACL');
    const d = evaluate(
      m,
      tuple.set({ src: sa, dst: da, protocol: protoNum, dstPort: port, srcPort: 40000, direction: side }),
    );
    if (d.action !== 'pass') {
      // Both ends evaluate one rule list; name the policies that isolate the two ends.
      const iso = [...(t.isolatedBy.get(p.from)?.egress ?? []), ...(t.isolatedBy.get(p.to)?.ingress ?? [])];
      return {
        ...base,
        allowed: false,
        policies: [...new Set(iso)],
        reason: 'no rule of the isolating policies allows it',
      };
    }
    for (const pol of (d.ruleId === null ? undefined : t.ruleToPolicy.get(d.ruleId)) ?? [])
      if (!decided.includes(pol)) decided.push(pol);
  }
  return {
    ...base,
    allowed: true,
    policies: decided,
    reason: decided.length > 0 ? 'allowed by policy' : 'not isolated',
  };
}

/**
 * Reads a `policy k8s` file: multi-document YAML or JSON (a `List` or an array) of Namespace, Pod and
 * NetworkPolicy objects, plus one `{kind: Probes, probes: [...]}` document.
 */
export function parseK8sDocuments(text: string): { objects: K8sObject[]; probes: K8sProbe[] } {
  const docs: unknown[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0)
      throw new InputFormatError('file', 'yaml', 'document', d.errors[0]?.message ?? 'YAML error');
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) docs.push(...v);
    else if (typeof v === 'object' && (v as { kind?: unknown }).kind === 'List')
      docs.push(...(((v as { items?: unknown[] }).items ?? []) as unknown[]));
    else docs.push(v);
  }
  const objects: K8sObject[] = [];
  const probes: K8sProbe[] = [];
  docs.forEach((d, i) => {
    if (typeof d !== 'object' || d === null)
      throw new InputFormatError('file', `document[${i}]`, 'kind', 'not an object');
    const kind = (d as { kind?: unknown }).kind;
    if (kind === 'Probes') probes.push(...(((d as { probes?: K8sProbe[] }).probes ?? []) as K8sProbe[]));
    else if (kind === 'Namespace' || kind === 'Pod' || kind === 'NetworkPolicy') {
      if (typeof (d as { metadata?: { name?: unknown } }).metadata?.name !== 'string')
        throw new InputFormatError(String(kind), `document[${i}]`, 'metadata.name', 'missing');
      objects.push(d as K8sObject);
    } else throw new InputFormatError('file', `document[${i}]`, 'kind', `unsupported kind '${String(kind)}'`);
  });
  return { objects, probes };
}
