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

  it('maps network policies with VN refs, ports and service chains', () => {
    const objects = [
      { project: { fq_name: ['d', 'p'] } },
      {
        'virtual-network': {
          fq_name: ['d', 'p', 'red'],
          network_policy_refs: [{ to: ['d', 'p', 'np'], attr: { sequence: { major: 0, minor: 0 } } }],
          network_ipam_refs: [
            {
              to: ['ipam'],
              attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.1.0.0', ip_prefix_len: 24 } }] },
            },
          ],
        },
      },
      {
        'virtual-network': {
          fq_name: ['d', 'p', 'blue'],
          network_ipam_refs: [
            {
              to: ['ipam'],
              attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.2.0.0', ip_prefix_len: 24 } }] },
            },
          ],
        },
      },
      {
        'network-policy': {
          fq_name: ['d', 'p', 'np'],
          network_policy_entries: {
            policy_rule: [
              {
                rule_uuid: 'web',
                direction: '<>',
                protocol: 'tcp',
                src_addresses: [{ virtual_network: 'd:p:red' }],
                dst_addresses: [{ virtual_network: 'd:p:blue' }],
                src_ports: [{ start_port: -1, end_port: -1 }],
                dst_ports: [{ start_port: 80, end_port: 80 }],
                action_list: { simple_action: 'pass', apply_service: ['d:p:fw'] },
              },
            ],
          },
        },
      },
      {
        'virtual-machine-interface': {
          fq_name: ['d', 'p', 'r1'],
          uuid: 'r1',
          virtual_network_refs: [{ to: ['d', 'p', 'red'] }],
        },
      },
      {
        'virtual-machine-interface': {
          fq_name: ['d', 'p', 'b1'],
          uuid: 'b1',
          virtual_network_refs: [{ to: ['d', 'p', 'blue'] }],
        },
      },
      {
        'instance-ip': {
          fq_name: ['i1'],
          instance_ip_address: '10.1.0.5',
          virtual_machine_interface_refs: [{ uuid: 'r1' }],
        },
      },
      {
        'instance-ip': {
          fq_name: ['i2'],
          instance_ip_address: '10.2.0.5',
          virtual_machine_interface_refs: [{ uuid: 'b1' }],
        },
      },
    ];
    const t = loadTfObjects(objects);
    expect(t.model.networkPolicies?.[0]?.rules[0]).toMatchObject({
      name: 'web',
      src: [{ virtualNetwork: 'd:p:red' }],
      dstPorts: [[80, 80]],
      serviceChain: ['d:p:fw'],
    });
    const c = new PolicyCompiler(t.model, t.inventory);
    expect(probe(c, { src: 'd:p:r1', dst: 'd:p:b1', protocol: 'tcp', port: 80 }).source).toMatchObject({
      gate: 'network-policy',
      rule: 'd:p:np/web',
      serviceChain: ['d:p:fw'],
    });
    expect(probe(c, { src: 'd:p:r1', dst: 'd:p:b1', protocol: 'tcp', port: 22 }).action).toBe('deny');
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
