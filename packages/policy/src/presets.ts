// The four Kubernetes networking modes of the Tungsten Fabric integration, as ready-made presets on top of a
// translated cluster (k8s.ts). TF builds them from virtual networks and network policies (the VN gate), which
// sit before the firewall gate that carries the translated NetworkPolicies, so both layers must pass:
//   default               every pod in one pod network, services in one service network, any to any;
//   namespace-isolation   each isolated namespace gets its own pod network, reachable only from itself, and
//                         reaches itself, the shared services and the outside;
//   service-isolation     each isolated namespace gets its own service network, reachable only from its pods;
//   container-isolation   no pod reaches another pod; pods reach services and the outside.
import { MissingReferenceError } from './errors.js';
import { K8S_PROJECT, POD_NETWORK } from './k8s.js';
import type { Inventory, NetworkPolicySpec, PolicyModel, VirtualNetworkSpec } from './model.js';

export type K8sMode = 'default' | 'namespace-isolation' | 'service-isolation' | 'container-isolation';

export const SERVICE_NETWORK = 'k8s-default-service-network';

export interface K8sService {
  namespace: string;
  name: string;
  clusterIP: string;
}

export interface PresetOptions {
  /** Namespaces to isolate (namespace and service isolation). */
  isolatedNamespaces?: readonly string[];
  services?: readonly K8sService[];
}

const podNet = (ns: string) => `k8s-${ns}-pod-network`;
const svcNet = (ns: string) => `k8s-${ns}-service-network`;
const both = (a: string, b: string, name: string) => ({
  name,
  direction: '<>' as const,
  src: [{ virtualNetwork: a }],
  dst: [{ virtualNetwork: b }],
  action: 'pass' as const,
});

/** Connections from a network to anywhere (replies ride on flow state). */
const outside = (vn: string) => ({
  name: 'outside',
  direction: '>' as const,
  src: [{ virtualNetwork: vn }],
  dst: [{ any: true as const }],
  action: 'pass' as const,
});

/** Applies a mode to a translated cluster; returns a new model and inventory. */
export function applyK8sPreset(
  input: { model: PolicyModel; inventory: Inventory },
  mode: K8sMode,
  opts: PresetOptions = {},
): { model: PolicyModel; inventory: Inventory } {
  const isolated =
    mode === 'namespace-isolation' || mode === 'service-isolation'
      ? [...(opts.isolatedNamespaces ?? [])]
      : [];
  const namespaceOf = (tags: readonly string[] | undefined) =>
    tags?.find((t) => t.startsWith('k8s-namespace='))?.slice('k8s-namespace='.length);
  const known = new Set(input.inventory.interfaces.map((i) => namespaceOf(i.tags)));
  for (const ns of isolated)
    if (!known.has(ns))
      throw new MissingReferenceError('preset', mode, 'isolatedNamespaces', 'namespace', ns);
  const services = opts.services ?? [];
  const sharedSvc = services.filter((s) => mode !== 'service-isolation' || !isolated.includes(s.namespace));
  const vns: VirtualNetworkSpec[] = input.inventory.virtualNetworks.filter((v) => v.name !== POD_NETWORK);
  const policies: NetworkPolicySpec[] = [];
  const pod: VirtualNetworkSpec = { name: POD_NETWORK, project: K8S_PROJECT };
  vns.push({
    name: SERVICE_NETWORK,
    project: K8S_PROJECT,
    subnets: sharedSvc.map((s) => `${s.clusterIP}/32`),
  });
  let interfaces = input.inventory.interfaces;

  if (mode === 'namespace-isolation') {
    interfaces = interfaces.map((i) => {
      const ns = namespaceOf(i.tags);
      return ns !== undefined && isolated.includes(ns) ? { ...i, virtualNetwork: podNet(ns) } : i;
    });
    for (const ns of isolated) {
      const name = `k8s-${ns}-isolation`;
      // Own network (implicit), shared services, then the outside; never another namespace's pods.
      const others = [POD_NETWORK, ...isolated.filter((o) => o !== ns).map(podNet)];
      policies.push({
        name,
        rules: [
          both(podNet(ns), SERVICE_NETWORK, 'services'),
          ...others.map((o) => ({
            name: `not-${o}`,
            direction: '>' as const,
            src: [{ virtualNetwork: podNet(ns) }],
            dst: [{ virtualNetwork: o }],
            action: 'deny' as const,
          })),
          outside(podNet(ns)),
        ],
      });
      vns.push({ name: podNet(ns), project: K8S_PROJECT, networkPolicies: [{ policy: name }] });
    }
  } else if (mode === 'service-isolation') {
    const rules = [both(POD_NETWORK, SERVICE_NETWORK, 'services')];
    interfaces = interfaces.map((i) => {
      const ns = namespaceOf(i.tags);
      return ns !== undefined && isolated.includes(ns) ? { ...i, virtualNetwork: podNet(ns) } : i;
    });
    for (const ns of isolated) {
      const name = `k8s-${ns}-service-isolation`;
      const otherSvc = isolated
        .filter((o) => o !== ns)
        .map((o) => ({
          name: `no-svc-${o}`,
          direction: '>' as const,
          src: [{ any: true as const }],
          dst: [{ virtualNetwork: svcNet(o) }],
          action: 'deny' as const,
        }));
      const otherPods = isolated.filter((o) => o !== ns).map((o) => both(podNet(ns), podNet(o), `pods-${o}`));
      policies.push({
        name,
        rules: [
          ...otherSvc,
          both(podNet(ns), svcNet(ns), 'own-services'),
          both(podNet(ns), SERVICE_NETWORK, 'services'),
          both(podNet(ns), POD_NETWORK, 'pods'),
          ...otherPods,
          outside(podNet(ns)),
        ],
      });
      vns.push({ name: podNet(ns), project: K8S_PROJECT, networkPolicies: [{ policy: name }] });
      vns.push({
        name: svcNet(ns),
        project: K8S_PROJECT,
        subnets: services.filter((s) => s.namespace === ns).map((s) => `${s.clusterIP}/32`),
      });
      rules.push(both(POD_NETWORK, podNet(ns), `pods-${ns}`));
    }
    if (isolated.length > 0) {
      // The shared pod network reaches isolated pods and the shared services, not isolated services.
      const denyIsolatedSvc = isolated.map((ns) => ({
        name: `no-svc-${ns}`,
        direction: '>' as const,
        src: [{ any: true as const }],
        dst: [{ virtualNetwork: svcNet(ns) }],
        action: 'deny' as const,
      }));
      policies.push({
        name: 'k8s-default-pod-network-policy',
        rules: [...denyIsolatedSvc, ...rules, outside(POD_NETWORK)],
      });
      pod.networkPolicies = [{ policy: 'k8s-default-pod-network-policy' }];
    }
  } else if (mode === 'container-isolation') {
    policies.push({
      name: 'k8s-container-isolation',
      rules: [
        {
          name: 'no-pod-to-pod',
          direction: '>',
          src: [{ virtualNetwork: POD_NETWORK }],
          dst: [{ virtualNetwork: POD_NETWORK }],
          action: 'deny',
        },
        {
          name: 'services-and-outside',
          direction: '<>',
          src: [{ virtualNetwork: POD_NETWORK }],
          dst: [{ any: true }],
          action: 'pass',
        },
      ],
    });
    pod.networkPolicies = [{ policy: 'k8s-container-isolation' }];
  }
  vns.push(pod);
  return {
    model: { ...input.model, networkPolicies: [...(input.model.networkPolicies ?? []), ...policies] },
    inventory: { ...input.inventory, virtualNetworks: vns, interfaces },
  };
}
