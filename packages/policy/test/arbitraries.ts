// Shared fast-check generators: a small world of hosts, VMs, two VNs, interfaces, rules and groups.
import fc from 'fast-check';
import type { EndpointSpec, FirewallRuleSpec, InterfaceSpec, Inventory, PolicyModel } from '../src/index.js';

export const HOSTS = ['h1', 'h2'];
export const VMS = ['vm0', 'vm1', 'vm2', 'vm3', 'vm4'];
export const VNS = ['vn1', 'vn2'];
export const RULE_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
export const IFACES = ['if0', 'if1', 'if2', 'if3', 'if4', 'if5', 'if6', 'if7'];

export const tagSet = fc
  .record({
    tier: fc.option(fc.constantFrom('web', 'app', 'db'), { nil: undefined }),
    deployment: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }),
    site: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    application: fc.option(fc.constantFrom('A1', 'A2'), { nil: undefined }),
    label: fc.subarray(['x', 'y', 'z']),
  })
  .map((r) => {
    const out: string[] = [];
    for (const k of ['tier', 'deployment', 'site', 'application'] as const)
      if (r[k]) out.push(`${k}=${r[k]}`);
    for (const l of r.label) out.push(`label=${l}`);
    return out;
  });

export const endpoint: fc.Arbitrary<EndpointSpec> = fc.oneof(
  tagSet.filter((t) => t.length > 0 && t.length <= 2).map((tags) => ({ tags })),
  fc.constant({ addressGroup: 'ag1' }),
  fc.constantFrom('vn1', 'vn2').map((virtualNetwork) => ({ virtualNetwork })),
  fc.constant({ subnet: '10.2.0.0/24' }),
  fc.constant({ any: true as const }),
);

export const rule = (name: fc.Arbitrary<string>): fc.Arbitrary<FirewallRuleSpec> =>
  fc
    .record({
      name,
      action: fc.constantFrom('pass' as const, 'deny' as const),
      endpoint1: endpoint,
      endpoint2: endpoint,
      direction: fc.constantFrom('>' as const, '<' as const, '<>' as const),
      port: fc.constantFrom(22, 80, 443),
      match: fc.boolean(),
    })
    .map(({ port, match, ...r }) => ({
      ...r,
      service: { protocol: 'tcp', dstPorts: port },
      ...(match ? { matchTags: ['deployment'] } : {}),
    }));

export const iface = (name: fc.Arbitrary<string>): fc.Arbitrary<InterfaceSpec> =>
  fc
    .record({
      name,
      vn: fc.constantFrom(...VNS),
      vm: fc.constantFrom(...VMS),
      host: fc.constantFrom(...HOSTS),
      host4: fc.integer({ min: 2, max: 6 }),
      sgs: fc.subarray(['sg1', 'sg2']),
      tags: tagSet,
      up: fc.boolean(),
    })
    .map((r) => ({
      name: r.name,
      virtualNetwork: r.vn,
      vm: r.vm,
      host: r.host,
      addresses: [`10.${r.vn === 'vn1' ? 1 : 2}.0.${r.host4}`],
      securityGroups: r.sgs,
      tags: r.tags,
      up: r.up,
    }));

export function baseModel(rules: FirewallRuleSpec[], agPrefixes: string[]): PolicyModel {
  return {
    addressGroups: [{ name: 'ag1', prefixes: agPrefixes, labels: ['label=x'] }],
    firewallRules: rules,
    firewallPolicies: [
      {
        name: 'pol1',
        rules: [
          { sequence: '1', rule: 'r0' },
          { sequence: '10', rule: 'r1' },
          { sequence: '2', rule: 'r2' },
        ],
      },
      {
        name: 'pol2',
        rules: [
          { sequence: 'a', rule: 'r3' },
          { sequence: 'b', rule: 'r4' },
          { sequence: 'c', rule: 'r5' },
        ],
      },
    ],
    applicationPolicySets: [
      { name: 'global', policies: [{ sequence: '1', policy: 'pol1' }], allApplications: true },
      { name: 'aps-a1', policies: [{ sequence: '1', policy: 'pol2' }], applicationTag: 'application=A1' },
    ],
    securityGroups: [
      {
        name: 'sg1',
        rules: [
          { name: 'ssh', direction: 'ingress', protocol: 'tcp', ports: 22 },
          { name: 'out', direction: 'egress' },
        ],
      },
      { name: 'sg2', rules: [{ name: 'from-sg1', direction: 'ingress', remote: { securityGroup: 'sg1' } }] },
    ],
    networkPolicies: [
      {
        name: 'np1',
        rules: [
          {
            name: 'web',
            direction: '<>',
            protocol: 'tcp',
            src: [{ virtualNetwork: 'vn1' }],
            dst: [{ virtualNetwork: 'vn2' }],
            dstPorts: [80],
            action: 'pass',
          },
        ],
      },
    ],
  };
}

export function baseInventory(ifaces: InterfaceSpec[]): Inventory {
  return {
    projects: [{ name: 'p1', tags: ['application=A1'] }, { name: 'p2' }],
    virtualNetworks: [
      { name: 'vn1', project: 'p1', subnets: ['10.1.0.0/16'], networkPolicies: [{ policy: 'np1' }] },
      { name: 'vn2', project: 'p2', subnets: ['10.2.0.0/16'], tags: ['site=b'] },
    ],
    hosts: HOSTS.map((name) => ({ name })),
    vms: VMS.map((name) => ({ name })),
    interfaces: ifaces,
  };
}
