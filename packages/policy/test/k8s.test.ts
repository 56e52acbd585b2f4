// The upstream Kubernetes network-policy e2e cases (test/e2e/network/netpol), as truth tables: namespaces
// x, y, z with pods a, b, c each (labels pod=<name>, ns=<name>), serving TCP and UDP on 80 and 81 with
// named ports serve-<port>-<proto>. Every case probes all 81 pairs (loopback ignored, as upstream does).
import { describe, expect, it } from 'vitest';
import {
  type K8sNetworkPolicy,
  type K8sObject,
  type NetworkPolicyPort,
  PolicyCompiler,
  probe,
  probeK8s,
  translateK8s,
} from '../src/index.js';

const NS = ['x', 'y', 'z'];
const PODS = ['a', 'b', 'c'];
const ip = (ns: string, pod: string) => `10.0.${NS.indexOf(ns) + 1}.${PODS.indexOf(pod) + 10}`;

function world(): K8sObject[] {
  const objs: K8sObject[] = NS.map((ns) => ({ kind: 'Namespace', metadata: { name: ns, labels: { ns } } }));
  for (const ns of NS)
    for (const pod of PODS)
      objs.push({
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { pod } },
        spec: {
          containers: [80, 81].flatMap((port) =>
            ['TCP', 'UDP'].map((protocol) => ({
              name: `c${port}-${protocol}`,
              ports: [{ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }],
            })),
          ),
        },
        status: { podIP: ip(ns, pod) },
      });
  return objs;
}

const np = (ns: string, name: string, spec: K8sNetworkPolicy['spec']): K8sNetworkPolicy => ({
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec,
});

type Pair = { fns: string; fpod: string; tns: string; tpod: string };

/** The reachability matrix for a port: `from -> to` for every non-loopback pair that is allowed. */
function matrix(
  policies: K8sNetworkPolicy[],
  port: number | string,
  protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP',
): string[] {
  const t = translateK8s([...world(), ...policies]);
  const c = new PolicyCompiler(t.model, t.inventory);
  const out: string[] = [];
  for (const fns of NS)
    for (const fpod of PODS)
      for (const tns of NS)
        for (const tpod of PODS) {
          if (fns === tns && fpod === tpod) continue;
          if (probeK8s(t, c, { from: `${fns}/${fpod}`, to: `${tns}/${tpod}`, port, protocol }).allowed)
            out.push(`${fns}/${fpod}->${tns}/${tpod}`);
        }
  return out;
}

function expected(allow: (p: Pair) => boolean): string[] {
  const out: string[] = [];
  for (const fns of NS)
    for (const fpod of PODS)
      for (const tns of NS)
        for (const tpod of PODS) {
          if (fns === tns && fpod === tpod) continue;
          if (allow({ fns, fpod, tns, tpod })) out.push(`${fns}/${fpod}->${tns}/${tpod}`);
        }
  return out;
}

const xa = (p: Pair) => p.tns === 'x' && p.tpod === 'a';
const fromXa = (p: Pair) => p.fns === 'x' && p.fpod === 'a';
const ingressXa = (ports?: NetworkPolicyPort[], from?: K8sNetworkPolicy['spec']['ingress']) =>
  np('x', 'allow-x-a', {
    podSelector: { matchLabels: { pod: 'a' } },
    policyTypes: ['Ingress'],
    ingress: from ?? [{ ...(ports ? { ports } : {}) }],
  });

describe('Kubernetes NetworkPolicy translated to firewall policy (upstream e2e cases)', () => {
  it('no policies: everything is allowed', () => {
    expect(matrix([], 80)).toEqual(expected(() => true));
  });

  it("should support a 'default-deny-ingress' policy", () => {
    const p = np('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(matrix([p], 80)).toEqual(expected((q) => q.tns !== 'x'));
  });

  it("should support a 'default-deny-all' policy", () => {
    const p = np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(matrix([p], 80)).toEqual(expected((q) => q.tns !== 'x' && q.fns !== 'x'));
  });

  it('should enforce policy to allow traffic from pods within server namespace based on PodSelector', () => {
    const p = ingressXa(undefined, [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q) || (q.fns === 'x' && q.fpod === 'b')));
  });

  it('should enforce policy to allow ingress traffic from pods in all namespaces (empty namespaceSelector)', () => {
    const p = ingressXa(undefined, [{ from: [{ namespaceSelector: {} }] }]);
    expect(matrix([p], 80)).toEqual(expected(() => true));
  });

  it('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector (In)', () => {
    const p = ingressXa(undefined, [
      { from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y'] }] } }] },
    ]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q) || q.fns === 'y'));
  });

  it('should enforce policy based on PodSelector or NamespaceSelector', () => {
    const p = ingressXa(undefined, [
      {
        from: [
          { namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } },
          { podSelector: { matchLabels: { pod: 'b' } } },
        ],
      },
    ]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q) || q.fns !== 'x' || q.fpod === 'b'));
  });

  it('should enforce policy based on PodSelector and NamespaceSelector', () => {
    const p = ingressXa(undefined, [
      {
        from: [
          {
            namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] },
            podSelector: { matchLabels: { pod: 'b' } },
          },
        ],
      },
    ]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q) || (q.fns !== 'x' && q.fpod === 'b')));
  });

  it('should enforce policy based on PodSelector with MatchExpressions (DoesNotExist / Exists)', () => {
    const p = ingressXa(undefined, [
      { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] } }] },
    ]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q) || q.fns === 'x'));
    const none = ingressXa(undefined, [
      { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'DoesNotExist' }] } }] },
    ]);
    expect(matrix([none], 80)).toEqual(expected((q) => !xa(q)));
  });

  it('should enforce policy based on Ports (ingress on 81 only)', () => {
    const p = ingressXa([{ port: 81, protocol: 'TCP' }]);
    expect(matrix([p], 80)).toEqual(expected((q) => !xa(q)));
    expect(matrix([p], 81)).toEqual(expected(() => true));
  });

  it('should enforce policy based on named ports', () => {
    const p = ingressXa([{ port: 'serve-80-tcp', protocol: 'TCP' }]);
    expect(matrix([p], 'serve-80-tcp')).toEqual(expected(() => true));
    expect(matrix([p], 81)).toEqual(expected((q) => !xa(q)));
  });

  it('should enforce ingress policy allowing any port traffic on a protocol, and port ranges (endPort)', () => {
    const udp = ingressXa([{ protocol: 'UDP' }]);
    expect(matrix([udp], 81, 'UDP')).toEqual(expected(() => true));
    expect(matrix([udp], 81, 'TCP')).toEqual(expected((q) => !xa(q)));
    const range = ingressXa([{ port: 80, endPort: 81 }]);
    expect(matrix([range], 81)).toEqual(expected(() => true));
    expect(matrix([range], 82)).toEqual(expected((q) => !xa(q)));
  });

  it('should enforce multiple, stacked policies with overlapping podSelectors (union)', () => {
    const b = np('x', 'from-b', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    const c = np('x', 'from-c', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }],
    });
    expect(matrix([b, c], 80)).toEqual(expected((q) => !xa(q) || (q.fns === 'x' && q.fpod !== 'a')));
  });

  it('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', () => {
    const p = np('x', 'egress-y-a', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } },
          ],
        },
      ],
    });
    expect(matrix([p], 80)).toEqual(expected((q) => !fromXa(q) || (q.tns === 'y' && q.tpod === 'a')));
  });

  it('should enforce except clause while egress access to server in CIDR block', () => {
    const p = np('x', 'egress-except', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: [`${ip('y', 'a')}/32`] } }] }],
    });
    expect(matrix([p], 80)).toEqual(expected((q) => !fromXa(q) || !(q.tns === 'y' && q.tpod === 'a')));
  });

  it('should work with Ingress, Egress specified together', () => {
    const p = np('x', 'both', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }],
    });
    expect(matrix([p], 80)).toEqual(
      expected((q) => (!xa(q) || (q.fns === 'x' && q.fpod === 'b')) && (!fromXa(q) || q.tns === 'z')),
    );
  });

  it('ipBlock peers and open pods against addresses outside the pod network', () => {
    const p = np('x', 'from-block', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        {
          from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }],
          ports: [{ port: 80, protocol: 'SCTP' }],
        },
      ],
    });
    const t = translateK8s([...world(), p]);
    const c = new PolicyCompiler(t.model, t.inventory);
    const at = (src: string, dst: string, protocol: string) =>
      probe(c, { src, dst, protocol, port: 80 }).action;
    expect(at('192.0.2.5', 'k8s:x:a', 'sctp')).toBe('pass');
    expect(at('192.0.2.200', 'k8s:x:a', 'sctp')).toBe('deny');
    expect(at('192.0.2.5', 'k8s:x:a', 'tcp')).toBe('deny');
    // Pods that no policy isolates talk to the outside both ways.
    expect(at('198.51.100.1', 'k8s:y:a', 'tcp')).toBe('pass');
    expect(at('k8s:x:a', '198.51.100.1', 'tcp')).toBe('pass');
  });

  it('reports the deciding policies', () => {
    const t = translateK8s([
      ...world(),
      ingressXa(undefined, [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }]),
    ]);
    const c = new PolicyCompiler(t.model, t.inventory);
    expect(probeK8s(t, c, { from: 'x/b', to: 'x/a', port: 80 })).toMatchObject({
      allowed: true,
      policies: ['x/allow-x-a'],
    });
    expect(probeK8s(t, c, { from: 'y/b', to: 'x/a', port: 80 })).toMatchObject({
      allowed: false,
      policies: ['x/allow-x-a'],
    });
    expect(probeK8s(t, c, { from: 'y/b', to: 'y/a', port: 80 })).toMatchObject({
      allowed: true,
      policies: [],
      reason: 'not isolated',
    });
    expect(probeK8s(t, c, { from: 'y/b', to: 'x/a', port: 'nope' })).toMatchObject({ allowed: false });
  });
});
