import { describe, expect, it } from 'vitest';
import {
  applyK8sPreset,
  type K8sMode,
  type K8sObject,
  MissingReferenceError,
  PolicyCompiler,
  probe,
  translateK8s,
} from '../src/index.js';

const objects: K8sObject[] = [];
for (const [n, ns] of ['x', 'y'].entries()) {
  objects.push({ kind: 'Namespace', metadata: { name: ns } });
  for (const [k, pod] of ['a', 'b'].entries())
    objects.push({
      kind: 'Pod',
      metadata: { name: pod, namespace: ns, labels: { pod } },
      status: { podIP: `10.0.${n + 1}.${k + 10}` },
    });
}
const services = [
  { namespace: 'x', name: 'svc', clusterIP: '10.96.0.10' },
  { namespace: 'y', name: 'svc', clusterIP: '10.96.0.11' },
];
const ENDS = ['k8s:x:a', 'k8s:x:b', 'k8s:y:a', 'k8s:y:b', '10.96.0.10', '10.96.0.11', '198.51.100.7'];

function reachable(mode: K8sMode, isolatedNamespaces: string[] = []): string[] {
  const p = applyK8sPreset(translateK8s(objects), mode, { isolatedNamespaces, services });
  const c = new PolicyCompiler(p.model, p.inventory);
  const out: string[] = [];
  for (const s of ENDS.slice(0, 4))
    for (const d of ENDS)
      if (s !== d && probe(c, { src: s, dst: d, protocol: 'tcp', port: 80 }).action === 'pass')
        out.push(`${s}->${d}`);
  return out;
}

const all = (pred: (s: string, d: string) => boolean) => {
  const out: string[] = [];
  for (const s of ENDS.slice(0, 4)) for (const d of ENDS) if (s !== d && pred(s, d)) out.push(`${s}->${d}`);
  return out;
};
const nsOf = (e: string) => (e.startsWith('k8s:') ? e.split(':')[1] : undefined);

describe('Tungsten Fabric Kubernetes isolation presets', () => {
  it('default: any to any', () => {
    expect(reachable('default')).toEqual(all(() => true));
  });

  it('namespace isolation: an isolated namespace talks to itself, services and the outside only', () => {
    expect(reachable('namespace-isolation', ['x'])).toEqual(
      all((s, d) =>
        nsOf(s) === 'x' || nsOf(d) === 'x' ? nsOf(s) === nsOf(d) || nsOf(d) === undefined : true,
      ),
    );
  });

  it("service isolation: an isolated namespace's services are reachable from its own pods only", () => {
    expect(reachable('service-isolation', ['x'])).toEqual(
      all((s, d) => d !== '10.96.0.10' || nsOf(s) === 'x'),
    );
  });

  it('container isolation: no pod reaches another pod', () => {
    expect(reachable('container-isolation')).toEqual(all((_s, d) => nsOf(d) === undefined));
  });

  it('combines with translated NetworkPolicies: both gates must pass', () => {
    const deny = {
      kind: 'NetworkPolicy' as const,
      metadata: { name: 'deny-in', namespace: 'y' },
      spec: { podSelector: { matchLabels: { pod: 'a' } } },
    };
    const p = applyK8sPreset(translateK8s([...objects, deny]), 'namespace-isolation', {
      isolatedNamespaces: ['x'],
      services,
    });
    const c = new PolicyCompiler(p.model, p.inventory);
    const at = (src: string, dst: string) => probe(c, { src, dst, protocol: 'tcp', port: 80 });
    // Inside the isolated namespace the NetworkPolicy layer still allows (nothing isolates x/b).
    expect(at('k8s:x:a', 'k8s:x:b')).toMatchObject({ action: 'pass' });
    // y/a is isolated for ingress by NetworkPolicy: the firewall gate denies y/b -> y/a.
    expect(at('k8s:y:b', 'k8s:y:a')).toMatchObject({ action: 'deny', gate: 'firewall' });
    // x is isolated by the preset: the network-policy gate denies y/b -> x/a first.
    expect(at('k8s:y:b', 'k8s:x:a')).toMatchObject({ action: 'deny', gate: 'network-policy' });
  });

  it('rejects an unknown namespace', () => {
    expect(() =>
      applyK8sPreset(translateK8s(objects), 'namespace-isolation', { isolatedNamespaces: ['nope'] }),
    ).toThrow(MissingReferenceError);
  });
});
