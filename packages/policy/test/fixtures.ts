// Hand-written models for the tests. FinancePortal is the three-tier example of the Tungsten Fabric
// architecture document (web, app and db tiers; development and production deployments; sites).
import type { InterfaceSpec, Inventory, PolicyCompiler, PolicyModel, VmSpec } from '../src/index.js';

export const TIERS = ['web', 'app', 'db'] as const;
export const DEPLOYMENTS = ['production', 'development'] as const;

export function financePortalModel(
  opts: { matchDeployment?: boolean; sharedDb?: boolean } = {},
): PolicyModel {
  const match = opts.matchDeployment ? { matchTags: ['deployment'] } : {};
  return {
    serviceGroups: [
      {
        name: 'db-ports',
        services: [
          { protocol: 'tcp', dstPorts: 1521 },
          { protocol: 'tcp', dstPorts: 1630 },
        ],
      },
    ],
    firewallRules: [
      {
        name: 'any-web-80',
        action: 'pass',
        endpoint1: { any: true },
        endpoint2: { tags: ['tier=web'] },
        direction: '>',
        service: { protocol: 'tcp', dstPorts: 80 },
      },
      {
        name: 'web-app-8080',
        action: 'pass',
        endpoint1: { tags: ['tier=web'] },
        endpoint2: { tags: ['tier=app'] },
        direction: '>',
        service: { protocol: 'tcp', dstPorts: 8080 },
        ...match,
      },
      {
        name: 'app-db',
        action: 'pass',
        endpoint1: { tags: ['tier=app'] },
        endpoint2: { tags: ['tier=db'] },
        direction: '>',
        serviceGroup: 'db-ports',
        ...match,
      },
      ...(opts.sharedDb
        ? [
            {
              name: 'app-shared-db',
              action: 'pass' as const,
              endpoint1: { tags: ['tier=app'] },
              endpoint2: { tags: ['tier=db', 'label=shared-db'] },
              direction: '>' as const,
              serviceGroup: 'db-ports',
              matchTags: ['site'],
            },
          ]
        : []),
    ],
    firewallPolicies: [
      {
        name: 'finance-policy',
        rules: [
          { sequence: '1', rule: 'any-web-80' },
          { sequence: '2', rule: 'web-app-8080' },
          { sequence: '3', rule: 'app-db' },
          ...(opts.sharedDb ? [{ sequence: '4', rule: 'app-shared-db' }] : []),
        ],
      },
    ],
    applicationPolicySets: [
      {
        name: 'FinancePortal-aps',
        policies: [{ sequence: '1', policy: 'finance-policy' }],
        applicationTag: 'application=FinancePortal',
      },
    ],
  };
}

/** One VM per (deployment, tier): `prod-web`, ..., interface `<vm>-eth0` at 10.1.<d>.<t>. */
export function financePortalInventory(
  deployments: readonly string[] = ['production'],
  opts: { sharedDb?: boolean } = {},
): Inventory {
  const vms: VmSpec[] = [];
  const interfaces: InterfaceSpec[] = [];
  deployments.forEach((d, di) => {
    TIERS.forEach((t, ti) => {
      const vm = `${d}-${t}`;
      vms.push({ name: vm, tags: [`tier=${t}`, `deployment=${d}`] });
      interfaces.push({
        name: `${vm}-eth0`,
        virtualNetwork: 'finance-net',
        vm,
        host: di === 0 ? 'london-1' : 'paris-1',
        addresses: [`10.1.${di + 1}.${ti + 10}`],
      });
    });
  });
  if (opts.sharedDb) {
    vms.push({ name: 'shared-db', tags: ['tier=db', 'deployment=shared'] });
    interfaces.push({
      name: 'shared-db-eth0',
      virtualNetwork: 'finance-net',
      vm: 'shared-db',
      host: 'london-1',
      addresses: ['10.1.9.10'],
      tags: ['label=shared-db'],
    });
  }
  return {
    projects: [{ name: 'finance', tags: ['application=FinancePortal'] }],
    virtualNetworks: [{ name: 'finance-net', project: 'finance', subnets: ['10.1.0.0/16'] }],
    hosts: [
      { name: 'london-1', tags: ['site=London'] },
      { name: 'paris-1', tags: ['site=Paris'] },
    ],
    vms,
    interfaces,
  };
}

/** An ACL gate as an address-based table: one row per entry, remote set resolved to its prefixes. */
export function table(
  c: PolicyCompiler,
  iface: string,
  gate: 'firewall' | 'securityGroup' | 'networkPolicy' = 'firewall',
): string[] | null {
  const acl = c.acl(iface);
  if (!acl) throw new Error(`no ACL for ${iface}`);
  const entries = acl[gate];
  if (entries === null) return null;
  return entries.map((e) => {
    const proto =
      e.protocol === -1 ? 'any' : e.protocol === 6 ? 'tcp' : e.protocol === 17 ? 'udp' : String(e.protocol);
    const ports =
      e.dstPorts[0] === e.dstPorts[1] ? String(e.dstPorts[0]) : `${e.dstPorts[0]}-${e.dstPorts[1]}`;
    const remote = (c.set(e.remote)?.prefixes() ?? []).join(' ');
    return `${e.direction} ${remote} ${proto}/${ports} ${e.action} ${e.ruleId}`;
  });
}
