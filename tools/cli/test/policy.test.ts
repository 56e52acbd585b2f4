import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines as lines } from './support/cli.js';

const fixtures = fileURLToPath(new URL('../../../packages/policy/test/fixtures/', import.meta.url));

describe('filament policy check', () => {
  it('decides every probe of a Tungsten Fabric object file, naming the gate and the rule', async () => {
    const r = await cli(['policy', 'check', `${fixtures}finance-tf.json`]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => [l.action, l.side, l.gate, l.rule, l.reason])).toEqual([
      ['pass', 'destination', 'firewall', 'default-policy-management:any-web-80', 'rule'],
      ['pass', 'destination', 'firewall', 'default-policy-management:web-app-8080', 'rule'],
      ['deny', 'source', 'firewall', null, 'implicit-deny'],
      ['pass', 'destination', 'firewall', 'default-policy-management:app-db', 'rule'],
      ['deny', 'destination', 'security-group', null, 'implicit-deny'],
      ['deny', 'source', 'firewall', null, 'implicit-deny'],
      ['pass', 'source', null, null, 'default-gateway'],
    ]);
  });

  it('prints the compiled ACL of an interface with --acl', async () => {
    const r = await cli([
      'policy',
      'check',
      `${fixtures}finance-tf.json`,
      '--acl',
      'default-domain:finance:prod-web-eth0',
    ]);
    expect(r.code).toBe(0);
    const acl = lines(r.stdout)[0] as {
      tags: string[];
      gates: { firewall: { direction: string; remotePrefixes: string[]; rule: string }[] };
    };
    expect(acl.tags).toContain('deployment=production');
    expect(acl.gates.firewall.map((e) => `${e.direction} ${e.remotePrefixes.join(' ')} ${e.rule}`)).toEqual([
      'egress 10.1.1.10/32 10.1.2.10/32 default-policy-management:any-web-80',
      'ingress 0.0.0.0/0 ::/0 default-policy-management:any-web-80',
      'egress 10.1.1.11/32 default-policy-management:web-app-8080',
    ]);
  });

  it('reports bad input as a typed error naming the object and field, exit 1', async () => {
    const r = await cli(
      ['policy', 'check', '-'],
      JSON.stringify({
        objects: [
          {
            'firewall-rule': {
              fq_name: ['r'],
              action_list: { simple_action: 'pass' },
              endpoint_1: { any: true },
              endpoint_2: { address_group: 'nope' },
              direction: '>',
              service: { protocol: 'tcp' },
            },
          },
        ],
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "MissingReferenceError: firewall-rule 'r' endpoint2.addressGroup: refers to missing address-group 'nope'",
    );
  });
});

describe('filament policy k8s', () => {
  it('decides pod probes from a multi-document YAML file', async () => {
    const r = await cli(['policy', 'k8s', `${fixtures}cluster.yaml`]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => [l.from, l.to, l.port, l.allowed, l.policies])).toEqual([
      ['x/b', 'x/a', 'http', true, ['x/a-from-b']],
      ['x/b', 'x/a', 8080, true, ['x/a-from-b']],
      ['y/c', 'x/a', 8080, false, ['x/a-from-b']],
      ['x/a', 'y/c', 'http', true, ['x/a-from-b']],
      ['x/a', 'x/b', 80, false, ['x/a-from-b']],
      ['y/c', 'x/b', 80, true, []],
    ]);
  });

  it('prints a pod ACL with --acl and rejects an unknown pod', async () => {
    const r = await cli(['policy', 'k8s', `${fixtures}cluster.yaml`, '--acl', 'x/a']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatchObject({ interface: 'k8s:x:a', addresses: ['10.0.1.10/32'] });
    const bad = await cli(['policy', 'k8s', `${fixtures}cluster.yaml`, '--acl', 'x/zz']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MissingReferenceError');
  });

  it('needs a FILE (usage error, exit 2)', async () => {
    const r = await cli(['policy', 'k8s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FILE is required');
  });
});
