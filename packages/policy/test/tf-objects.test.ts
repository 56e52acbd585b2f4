import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTfObjects, PolicyCompiler, probe } from '../src/index.js';

const doc = JSON.parse(readFileSync(new URL('./fixtures/finance-tf.json', import.meta.url), 'utf8')) as {
  objects: unknown[];
};

describe('Tungsten Fabric REST objects', () => {
  const { model, inventory } = loadTfObjects(doc.objects);

  it('maps refs by fq_name and by uuid, sequences, match-tags, service groups and the host level', () => {
    const web = inventory.interfaces.find((i) => i.name === 'default-domain:finance:prod-web-eth0');
    expect(web).toMatchObject({
      virtualNetwork: 'default-domain:finance:finance-net',
      vm: 'prod-web',
      host: 'default-global-system-config:compute-1',
      addresses: ['10.1.1.10'],
    });
    expect(model.firewallPolicies?.[0]?.rules.map((r) => [r.sequence, r.rule])).toEqual([
      ['3', 'default-policy-management:app-db'],
      ['1', 'default-policy-management:any-web-80'],
      ['2', 'default-policy-management:web-app-8080'],
    ]);
    expect(model.firewallRules?.find((r) => r.name.endsWith('app-db'))).toMatchObject({
      serviceGroup: 'default-policy-management:db-ports',
      matchTags: ['deployment'],
      log: true,
    });
    expect(model.applicationPolicySets?.find((a) => a.name.endsWith('FinancePortal'))).toMatchObject({
      scope: 'global',
      applicationTag: 'application=FinancePortal',
    });
    expect(model.securityGroups?.[0]?.rules).toEqual([
      {
        name: 'db-in-oracle',
        direction: 'ingress',
        protocol: 'tcp',
        ports: [1521, 1521],
        remote: { cidr: '10.1.0.0/16' },
      },
      { name: 'db-out', direction: 'egress', remote: { cidr: '0.0.0.0/0' } },
    ]);
  });

  it('compiles: tags from VM, vRouter and project levels; gateway from the IPAM subnet', () => {
    const c = new PolicyCompiler(model, inventory);
    expect(c.effectiveTags('default-domain:finance:prod-db-eth0')?.sort()).toEqual([
      'application=FinancePortal',
      'deployment=production',
      'site=London',
      'tier=db',
    ]);
    expect(
      probe(c, { src: 'default-domain:finance:prod-db-eth0', dst: '10.1.0.1', protocol: 'udp', port: 53 })
        .reason,
    ).toBe('default-gateway');
    expect(
      probe(c, {
        src: 'default-domain:finance:dev-web-eth0',
        dst: 'default-domain:finance:prod-web-eth0',
        protocol: 'tcp',
        port: 80,
      }).action,
    ).toBe('pass');
  });
});
