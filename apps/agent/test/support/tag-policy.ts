// The tag policy both policy tests use: a global application policy set whose firewall policy passes TCP 7
// to `tier=web` and denies everything to `tier=db`, a client workload and a server workload whose tier the
// tests flip in config.

import { type TfObject, tag, type WorkloadConfig } from '../control-sim.js';

export const policyClient: WorkloadConfig = {
  n: 1,
  vn: 'blue',
  address: '10.1.1.11',
  mac: '02:00:00:00:01:11',
};

/** The server workload tagged `tier=<tier>`. */
export const policyServer = (tier: string): WorkloadConfig => ({
  n: 2,
  vn: 'blue',
  address: '10.1.1.12',
  mac: '02:00:00:00:01:12',
  tags: [`tier=${tier}`],
});

const PM = ['default-policy-management'];
const rule = (name: string, tier: string, action: 'pass' | 'deny', service: TfObject): [string, TfObject] => [
  'firewall-rule',
  {
    fq_name: [...PM, name],
    parent_type: 'policy-management',
    uuid: `00000030-0000-4000-8000-0000000000${name === 'web-7' ? '01' : '02'}`,
    action_list: { simple_action: action },
    endpoint_1: { any: true },
    endpoint_2: { tags: [`tier=${tier}`] },
    service,
    direction: '>',
  },
];

/** The tags, rules, firewall policy and global application policy set, as config objects. */
export function tagPolicyObjects(): [string, TfObject][] {
  return [
    ['policy-management', { fq_name: PM, uuid: '00000030-0000-4000-8000-000000000010' }],
    tag('tier=web'),
    tag('tier=db'),
    rule('web-7', 'web', 'pass', { protocol: 'tcp', dst_ports: { start_port: 7, end_port: 7 } }),
    rule('db-none', 'db', 'deny', { protocol: 'any' }),
    [
      'firewall-policy',
      {
        fq_name: [...PM, 'fp'],
        parent_type: 'policy-management',
        uuid: '00000030-0000-4000-8000-000000000020',
        firewall_rule_refs: [
          { to: [...PM, 'web-7'], attr: { sequence: '1' } },
          { to: [...PM, 'db-none'], attr: { sequence: '2' } },
        ],
      },
    ],
    [
      'application-policy-set',
      {
        fq_name: [...PM, 'global-aps'],
        parent_type: 'policy-management',
        uuid: '00000030-0000-4000-8000-000000000030',
        all_applications: true,
        firewall_policy_refs: [{ to: [...PM, 'fp'], attr: { sequence: '1' } }],
      },
    ],
  ];
}
