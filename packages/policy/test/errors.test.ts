// Bad input gives a typed error naming the object and the field; nothing loops on a cycle.
import { describe, expect, it } from 'vitest';
import {
  ConflictingFieldsError,
  DuplicateObjectError,
  InvalidPortRangeError,
  InvalidPrefixError,
  InvalidProtocolError,
  InvalidTagError,
  type Inventory,
  loadTfObjects,
  MissingReferenceError,
  PolicyCompiler,
  PolicyError,
  type PolicyModel,
  ReferenceCycleError,
  TagConflictError,
  translateK8s,
  UnknownTagTypeError,
} from '../src/index.js';

const inv: Inventory = {
  projects: [{ name: 'p' }],
  virtualNetworks: [{ name: 'vn', project: 'p', subnets: ['10.0.0.0/24'] }],
  interfaces: [{ name: 'i', virtualNetwork: 'vn', addresses: ['10.0.0.5'] }],
};
const rule = (extra: object) => ({
  name: 'r',
  action: 'pass' as const,
  endpoint1: { any: true as const },
  endpoint2: { any: true as const },
  direction: '>' as const,
  service: { protocol: 'tcp' },
  ...extra,
});
const compile =
  (model: PolicyModel, inventory: Inventory = inv) =>
  () =>
    new PolicyCompiler(model, inventory);

function expectError(
  fn: () => unknown,
  cls: new (...a: never[]) => PolicyError,
  fields: Partial<PolicyError> & Record<string, unknown>,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(PolicyError);
  expect(caught).toMatchObject(fields);
}

describe('typed errors', () => {
  it('unknown tag type', () => {
    expectError(
      compile({ firewallRules: [rule({ endpoint2: { tags: ['colour=red'] } })] }),
      UnknownTagTypeError,
      {
        name: 'UnknownTagTypeError',
        code: 'ERR_POLICY_UNKNOWN_TAG_TYPE',
        objectType: 'firewall-rule',
        objectName: 'r',
        field: 'endpoint2.tags',
        tagType: 'colour',
      },
    );
    // Declared custom types are fine.
    expect(
      compile({ tagTypes: ['colour'], firewallRules: [rule({ endpoint2: { tags: ['colour=red'] } })] }),
    ).not.toThrow();
  });

  it('tag without "=" and two values of a single-valued type', () => {
    expectError(compile({}, { ...inv, vms: [{ name: 'vm', tags: ['web'] }] }), InvalidTagError, {
      objectType: 'virtual-machine',
      field: 'tags',
      tag: 'web',
    });
    expectError(
      compile({}, { ...inv, vms: [{ name: 'vm', tags: ['tier=web', 'tier=db'] }] }),
      TagConflictError,
      { objectName: 'vm', tagType: 'tier' },
    );
    expect(compile({}, { ...inv, vms: [{ name: 'vm', tags: ['label=a', 'label=b'] }] })).not.toThrow();
    expectError(compile({ firewallRules: [rule({ matchTags: ['label'] })] }), TagConflictError, {
      field: 'matchTags[0]',
    });
    expectError(compile({ addressGroups: [{ name: 'ag', labels: ['tier=web'] }] }), TagConflictError, {
      objectType: 'address-group',
      field: 'labels',
    });
  });

  it('rule referring to a missing group, policy, network or security group', () => {
    expectError(
      compile({ firewallRules: [rule({ endpoint1: { addressGroup: 'nope' } })] }),
      MissingReferenceError,
      {
        code: 'ERR_POLICY_MISSING_REFERENCE',
        objectName: 'r',
        field: 'endpoint1.addressGroup',
        targetType: 'address-group',
        target: 'nope',
      },
    );
    expectError(
      compile({ firewallRules: [rule({ service: undefined, serviceGroup: 'sg' })] }),
      MissingReferenceError,
      { field: 'serviceGroup' },
    );
    expectError(
      compile({ firewallPolicies: [{ name: 'fp', rules: [{ sequence: '1', rule: 'ghost' }] }] }),
      MissingReferenceError,
      { objectType: 'firewall-policy', target: 'ghost' },
    );
    expectError(
      compile({ applicationPolicySets: [{ name: 'a', policies: [{ sequence: '1', policy: 'ghost' }] }] }),
      MissingReferenceError,
      { objectType: 'application-policy-set' },
    );
    expectError(
      compile({ firewallRules: [rule({ endpoint2: { virtualNetwork: 'ghost' } })] }),
      MissingReferenceError,
      { field: 'endpoint2.virtualNetwork' },
    );
    expectError(
      compile(
        {},
        {
          ...inv,
          interfaces: [{ name: 'i', virtualNetwork: 'vn', addresses: [], securityGroups: ['ghost'] }],
        },
      ),
      MissingReferenceError,
      { objectType: 'interface', field: 'securityGroups[0]' },
    );
    expectError(
      compile({
        securityGroups: [
          { name: 's', rules: [{ name: 'x', direction: 'ingress', remote: { securityGroup: 'ghost' } }] },
        ],
      }),
      MissingReferenceError,
      { field: 'remote.securityGroup' },
    );
  });

  it('bad prefix, port range out of order, unknown protocol, service and service group both set, duplicates', () => {
    expectError(compile({ addressGroups: [{ name: 'ag', prefixes: ['10.0.0.0/33'] }] }), InvalidPrefixError, {
      field: 'prefixes[0]',
      value: '10.0.0.0/33',
    });
    expectError(
      compile({}, { ...inv, interfaces: [{ name: 'i', virtualNetwork: 'vn', addresses: ['10.0.0.300'] }] }),
      InvalidPrefixError,
      { field: 'addresses[0]' },
    );
    expectError(
      compile({ firewallRules: [rule({ service: { protocol: 'tcp', dstPorts: [90, 80] } })] }),
      InvalidPortRangeError,
      {
        code: 'ERR_POLICY_INVALID_PORT_RANGE',
        field: 'service.dstPorts',
        start: 90,
        end: 80,
      },
    );
    expectError(compile({ firewallRules: [rule({ service: { protocol: 'tcpp' } })] }), InvalidProtocolError, {
      field: 'service.protocol',
    });
    expectError(
      compile({ serviceGroups: [{ name: 'g', services: [] }], firewallRules: [rule({ serviceGroup: 'g' })] }),
      ConflictingFieldsError,
      { field: 'service' },
    );
    expectError(compile({ firewallRules: [rule({}), rule({})] }), DuplicateObjectError, {
      objectType: 'firewall-rule',
      objectName: 'r',
    });
  });

  it('changes are validated before anything is modified', () => {
    const c = new PolicyCompiler({}, inv);
    expect(() => c.apply({ kind: 'tags', object: 'vm', name: 'ghost', tags: [] })).toThrow(
      MissingReferenceError,
    );
    expect(() => c.apply({ kind: 'upsert-rule', rule: rule({ endpoint1: { tags: ['nope=1'] } }) })).toThrow(
      UnknownTagTypeError,
    );
    expect(c.acl('i')).toBeDefined();
    // A bad model change leaves the previous model in force.
    const good = new PolicyCompiler(
      {
        firewallRules: [rule({})],
        firewallPolicies: [{ name: 'fp', rules: [{ sequence: '1', rule: 'r' }] }],
        applicationPolicySets: [
          { name: 'g', allApplications: true, policies: [{ sequence: '1', policy: 'fp' }] },
        ],
      },
      inv,
    );
    expect(() =>
      good.apply({
        kind: 'model',
        model: { firewallPolicies: [{ name: 'fp', rules: [{ sequence: '1', rule: 'gone' }] }] },
      }),
    ).toThrow(MissingReferenceError);
    expect(good.acl('i')?.firewall?.map((e) => e.ruleId)).toEqual(['r', 'r']);
    expect(good.apply({ kind: 'remove-rule', name: 'r' }).interfaces.get('i')?.gatesRemoved).toEqual([
      'firewall',
    ]);
  });

  it('a parent_uuid cycle in TF objects is reported, not looped on', () => {
    const objects = [
      { project: { uuid: 'a', name: 'pa', parent_uuid: 'b' } },
      { project: { uuid: 'b', name: 'pb', parent_uuid: 'a' } },
    ];
    expectError(() => loadTfObjects(objects), ReferenceCycleError, {
      code: 'ERR_POLICY_CYCLE',
      field: 'parent_uuid',
    });
  });

  it('Kubernetes: endPort before port and ipBlock combined with a selector', () => {
    const pol = (spec: object) => [
      {
        kind: 'NetworkPolicy' as const,
        metadata: { name: 'p', namespace: 'x' },
        spec: { podSelector: {}, ...spec },
      },
    ];
    expectError(
      () => translateK8s(pol({ ingress: [{ ports: [{ port: 90, endPort: 80 }] }] })),
      InvalidPortRangeError,
      { objectType: 'NetworkPolicy', field: 'ports[0].endPort' },
    );
    expectError(
      () =>
        translateK8s(pol({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] })),
      PolicyError,
      { field: 'ipBlock' },
    );
    expectError(
      () => translateK8s(pol({ ingress: [{ from: [{ ipBlock: { cidr: 'ten/8' } }] }] })),
      InvalidPrefixError,
      { field: 'ipBlock.cidr' },
    );
  });
});
