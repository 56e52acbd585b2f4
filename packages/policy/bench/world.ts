// The benchmark world: 10,000 interfaces, 2,000 tags, 1,000 firewall rules. 100 applications each with
// an application policy set of 10 rules between tiers (some with match-tags on deployment, some through
// labels); interfaces carry application, tier and deployment through their VM, site through their host,
// and one label of their own. Deterministic (a fixed-seed generator), so runs compare.
import type { FirewallRuleSpec, InterfaceSpec, Inventory, PolicyModel } from '../src/index.js';

export const APPS = 100;
export const TIERS = 10;
export const DEPLOYMENTS = 4;
export const SITES = 20;
export const LABELS = 2000 - APPS - TIERS - DEPLOYMENTS - SITES;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function world(interfaces = 10_000): { model: PolicyModel; inventory: Inventory } {
  const r = rng(42);
  const pick = (n: number) => Math.floor(r() * n);
  const projects = Array.from({ length: 20 }, (_, i) => ({ name: `project-${i}` }));
  const vns = Array.from({ length: 100 }, (_, i) => ({
    name: `vn-${i}`,
    project: `project-${i % 20}`,
    subnets: [`10.${Math.floor(i / 2)}.${(i % 2) * 128}.0/17`],
  }));
  const hosts = Array.from({ length: SITES * 10 }, (_, i) => ({
    name: `host-${i}`,
    tags: [`site=s${i % SITES}`],
  }));
  const vmCount = interfaces / 2;
  const vms = Array.from({ length: vmCount }, (_, i) => ({
    name: `vm-${i}`,
    tags: [`application=app${i % APPS}`, `tier=t${pick(TIERS)}`, `deployment=d${pick(DEPLOYMENTS)}`],
  }));
  const ifaces: InterfaceSpec[] = [];
  for (let i = 0; i < interfaces; i++) {
    const vn = i % 100;
    const k = Math.floor(i / 100) + 2;
    ifaces.push({
      name: `vmi-${i}`,
      virtualNetwork: `vn-${vn}`,
      vm: `vm-${i >> 1}`,
      host: `host-${(i >> 1) % hosts.length}`,
      addresses: [`10.${Math.floor(vn / 2)}.${(vn % 2) * 128 + (k >> 8)}.${k & 255}`],
      tags: [`label=l${pick(LABELS)}`],
    });
  }
  const rules: FirewallRuleSpec[] = [];
  const policies = [];
  const apss = [];
  for (let a = 0; a < APPS; a++) {
    const refs = [];
    for (let k = 0; k < 10; k++) {
      const name = `rule-${a}-${k}`;
      const t1 = pick(TIERS);
      const t2 = pick(TIERS);
      const kind = k % 5;
      const rule: FirewallRuleSpec =
        kind === 0
          ? {
              name,
              action: 'pass',
              endpoint1: { any: true },
              endpoint2: { tags: [`tier=t${t2}`, `application=app${a}`] },
              direction: '>',
              service: { protocol: 'tcp', dstPorts: 80 + k },
            }
          : kind === 4
            ? {
                name,
                action: 'pass',
                endpoint1: { tags: [`tier=t${t1}`] },
                endpoint2: { tags: [`label=l${pick(LABELS)}`] },
                direction: '<>',
                service: { protocol: 'tcp', dstPorts: [8000 + k, 8010 + k] },
              }
            : {
                name,
                action: k === 3 ? 'deny' : 'pass',
                endpoint1: { tags: [`tier=t${t1}`, `application=app${a}`] },
                endpoint2: { tags: [`tier=t${t2}`, `application=app${a}`] },
                direction: '>',
                service: { protocol: 'tcp', dstPorts: 1000 + pick(1000) },
                ...(k % 2 === 1 ? { matchTags: ['deployment'] } : {}),
              };
      rules.push(rule);
      refs.push({ sequence: String(k), rule: name });
    }
    policies.push({ name: `policy-${a}`, rules: refs });
    apss.push({
      name: `aps-${a}`,
      policies: [{ sequence: '1', policy: `policy-${a}` }],
      applicationTag: `application=app${a}`,
    });
  }
  return {
    model: { firewallRules: rules, firewallPolicies: policies, applicationPolicySets: apss },
    inventory: { projects, virtualNetworks: vns, hosts, vms, interfaces: ifaces },
  };
}

/** One interface whose firewall gate holds exactly 200 entries: 200 rules to 200 remote applications. */
export function aclWorld(): { model: PolicyModel; inventory: Inventory } {
  const rules: FirewallRuleSpec[] = [];
  const ifaces: InterfaceSpec[] = [
    { name: 'me', virtualNetwork: 'vn', addresses: ['10.0.0.2'], tags: ['application=me', 'tier=web'] },
  ];
  for (let k = 0; k < 200; k++) {
    rules.push({
      name: `r${k}`,
      action: k % 7 === 3 ? 'deny' : 'pass',
      endpoint1: { tags: ['tier=web'] },
      endpoint2: { tags: [`application=a${k}`] },
      direction: '>',
      service: { protocol: k % 3 === 0 ? 'udp' : 'tcp', dstPorts: [1000 + k * 10, 1000 + k * 10 + 4] },
    });
    for (let j = 0; j < 4; j++)
      ifaces.push({
        name: `peer-${k}-${j}`,
        virtualNetwork: 'vn',
        addresses: [`10.0.${1 + (k >> 6)}.${(k & 63) * 4 + j}`],
        tags: [`application=a${k}`],
      });
  }
  return {
    model: {
      firewallRules: rules,
      firewallPolicies: [
        { name: 'p', rules: rules.map((r, k) => ({ sequence: String(k).padStart(3, '0'), rule: r.name })) },
      ],
      applicationPolicySets: [
        { name: 'aps', policies: [{ sequence: '1', policy: 'p' }], applicationTag: 'application=me' },
      ],
    },
    inventory: {
      projects: [{ name: 'p' }],
      virtualNetworks: [{ name: 'vn', project: 'p', subnets: ['10.0.0.0/16'] }],
      interfaces: ifaces,
    },
  };
}
