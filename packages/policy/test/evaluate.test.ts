import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Decision,
  evaluate,
  FiveTuple,
  type Inventory,
  NaiveEvaluator,
  PolicyCompiler,
  type PolicyModel,
  probe,
} from '../src/index.js';
import { baseInventory, baseModel, IFACES, iface, RULE_NAMES, rule } from './arbitraries.js';

describe('compiled evaluation agrees with the naive rule walker', () => {
  it('for every pair of endpoints, port and direction (firewall gate, random rules and tags)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rule(fc.constantFrom(...RULE_NAMES.slice(0, 6))), {
          selector: (r) => r.name,
          minLength: 6,
          maxLength: 6,
        }),
        fc.uniqueArray(iface(fc.constantFrom(...IFACES)), {
          selector: (i) => i.name,
          minLength: 2,
          maxLength: 6,
        }),
        (rules, all) => {
          // Addresses must be unique for "which interface owns this address" to mean anything.
          const ifaces = all.filter((i, k) => all.findIndex((j) => j.addresses[0] === i.addresses[0]) === k);
          // Firewall only: no security groups or network policy, so the gates compared are the same.
          const model: PolicyModel = {
            ...baseModel(rules, ['10.9.0.0/16', '10.2.0.4/30']),
            securityGroups: [],
            networkPolicies: [],
          };
          const inv: Inventory = {
            ...baseInventory(ifaces.map(({ securityGroups: _sg, ...i }) => i)),
            virtualNetworks: baseInventory([]).virtualNetworks.map(({ networkPolicies: _np, ...v }) => v),
          };
          const c = new PolicyCompiler(model, inv);
          const naive = new NaiveEvaluator(model, inv);
          const up = ifaces.filter((i) => i.up !== false);
          const addrs = [
            ...new Set([...up.map((i) => i.addresses[0] as string), '10.9.1.1', '10.2.0.5', '192.0.2.7']),
          ];
          const t = new FiveTuple();
          const out = new Decision();
          for (const i of up) {
            const me = i.addresses[0] as string;
            const m = c.matcher(i.name);
            if (!m) throw new Error('up interface without matcher');
            for (const other of addrs)
              for (const port of [22, 80, 443])
                for (const direction of ['egress', 'ingress'] as const) {
                  const [src, dst] = direction === 'egress' ? [me, other] : [other, me];
                  t.set({ src, dst, protocol: 6, dstPort: port, srcPort: 40000, direction });
                  evaluate(m, t, out);
                  const want = naive.evaluate(i.name, src, dst, 6, 40000, port);
                  expect(
                    { action: out.action, rule: out.ruleId, reason: out.reason },
                    `${i.name} ${src}->${dst}:${port}`,
                  ).toEqual({
                    action: want.action,
                    rule: want.ruleId,
                    reason: want.reason,
                  });
                }
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('gates, order and defaults', () => {
  const inv = (extra: Partial<Inventory> = {}): Inventory => ({
    projects: [{ name: 'p' }],
    virtualNetworks: [
      {
        name: 'red',
        project: 'p',
        subnets: ['10.1.0.0/24'],
        networkPolicies: [
          { policy: 'red-blue', major: 2 },
          { policy: 'block-ssh', major: 1 },
        ],
      },
      { name: 'blue', project: 'p', subnets: ['10.2.0.0/24', '2001:db8:2::/64'] },
    ],
    interfaces: [
      { name: 'r1', virtualNetwork: 'red', addresses: ['10.1.0.5'], securityGroups: ['web'] },
      { name: 'r2', virtualNetwork: 'red', addresses: ['10.1.0.6'] },
      {
        name: 'b1',
        virtualNetwork: 'blue',
        addresses: ['10.2.0.5', '2001:db8:2::5'],
        securityGroups: ['web'],
      },
    ],
    ...extra,
  });
  const model: PolicyModel = {
    networkPolicies: [
      {
        name: 'block-ssh',
        rules: [
          {
            name: 'no-ssh',
            direction: '>',
            protocol: 'tcp',
            src: [{ any: true }],
            dst: [{ any: true }],
            dstPorts: [22],
            action: 'deny',
          },
        ],
      },
      {
        name: 'red-blue',
        rules: [
          {
            name: 'http',
            direction: '<>',
            protocol: 'tcp',
            src: [{ virtualNetwork: 'red' }],
            dst: [{ virtualNetwork: 'blue' }],
            dstPorts: [80],
            action: 'pass',
            serviceChain: ['fw-instance'],
          },
        ],
      },
    ],
    securityGroups: [
      {
        name: 'web',
        rules: [
          { name: 'http-in', direction: 'ingress', protocol: 'tcp', ports: [80, 80] },
          { name: 'v6-in', direction: 'ingress', ethertype: 'IPv6', protocol: 'tcp', ports: 443 },
          { name: 'all-out', direction: 'egress' },
        ],
      },
    ],
  };

  it('network policy: numeric (major, minor) order, <> both ways, implicit my-vn pass, service chain kept', () => {
    const c = new PolicyCompiler(model, inv());
    const np = c
      .acl('r2')
      ?.networkPolicy?.map(
        (e) => `${e.direction} ${e.remote} ${e.protocol} ${e.dstPorts.join('-')} ${e.action} ${e.ruleId}`,
      );
    expect(np).toEqual([
      'egress any 6 22-22 deny block-ssh/no-ssh',
      'ingress any 6 22-22 deny block-ssh/no-ssh',
      'egress vn(blue) 6 80-80 pass red-blue/http',
      'ingress vn(blue) 6 0-65535 pass red-blue/http',
      'egress vn(red) -1 0-65535 pass implicit-allow:red',
      'ingress vn(red) -1 0-65535 pass implicit-allow:red',
    ]);
    // blue has no policy attached: its gate is absent.
    expect(c.acl('b1')?.networkPolicy).toBeNull();
    expect(probe(c, { src: 'r2', dst: 'r1', protocol: 'tcp', port: 22 })).toMatchObject({
      action: 'deny',
      gate: 'network-policy',
      rule: 'block-ssh/no-ssh',
    });
    const ok = probe(c, { src: 'r2', dst: 'b1', protocol: 'tcp', port: 80 });
    expect(ok).toMatchObject({
      action: 'pass',
      side: 'destination',
      gate: 'security-group',
      rule: 'web/http-in',
    });
    expect(ok.source).toMatchObject({
      gate: 'network-policy',
      rule: 'red-blue/http',
      serviceChain: ['fw-instance'],
    });
    // red -> blue on 8080 falls through the red VN ACL: implicit deny at the network-policy gate.
    expect(probe(c, { src: 'r2', dst: 'b1', protocol: 'tcp', port: 8080 })).toMatchObject({
      action: 'deny',
      gate: 'network-policy',
      reason: 'implicit-deny',
    });
  });

  it('security groups: allow-list per direction and ethertype, no SG means no gate', () => {
    const c = new PolicyCompiler(model, inv());
    expect(c.acl('r2')?.securityGroup).toBeNull();
    // b1 accepts 80 from anywhere over IPv4, 443 only over IPv6, and nothing else.
    const t = FiveTuple.of({
      src: '198.51.100.1',
      dst: '10.2.0.5',
      protocol: 6,
      dstPort: 80,
      direction: 'ingress',
    });
    const m = c.matcher('b1');
    if (!m) throw new Error('no matcher');
    expect(evaluate(m, t).toJSON()).toEqual({
      action: 'pass',
      gate: 'security-group',
      rule: 'web/http-in',
      reason: 'rule',
    });
    t.dstPort = 443;
    expect(evaluate(m, t).toJSON()).toEqual({
      action: 'deny',
      gate: 'security-group',
      rule: null,
      reason: 'implicit-deny',
    });
    t.set({ src: '2001:db8:9::1', dst: '2001:db8:2::5', protocol: 6, dstPort: 443, direction: 'ingress' });
    expect(evaluate(m, t).toJSON()).toMatchObject({ action: 'pass', rule: 'web/v6-in' });
  });

  it('ICMP and DNS to the VN default gateway always pass', () => {
    const c = new PolicyCompiler(model, inv());
    const m = c.matcher('b1');
    if (!m) throw new Error('no matcher');
    const t = FiveTuple.of({
      src: '10.2.0.5',
      dst: '10.2.0.1',
      protocol: 17,
      dstPort: 53,
      direction: 'egress',
    });
    expect(evaluate(m, t).reason).toBe('default-gateway');
    t.set({ src: '10.2.0.1', dst: '10.2.0.5', protocol: 1, direction: 'ingress' });
    expect(evaluate(m, t).action).toBe('pass');
    t.set({ src: '10.2.0.1', dst: '10.2.0.5', protocol: 6, dstPort: 22, direction: 'ingress' });
    expect(evaluate(m, t).action).toBe('deny');
  });

  it('firewall: deny before pass by sequence string, implicit deny only once a rule applies', () => {
    const fw: PolicyModel = {
      firewallRules: [
        {
          name: 'deny-ssh',
          action: 'deny',
          endpoint1: { any: true },
          endpoint2: { any: true },
          direction: '<>',
          service: { protocol: 'tcp', dstPorts: 22 },
        },
        {
          name: 'allow-all-tcp',
          action: 'pass',
          log: true,
          endpoint1: { any: true },
          endpoint2: { any: true },
          direction: '<>',
          service: { protocol: 'tcp' },
        },
      ],
      // "10" sorts before "9" as a string: deny-ssh comes first.
      firewallPolicies: [
        {
          name: 'p',
          rules: [
            { sequence: '9', rule: 'allow-all-tcp' },
            { sequence: '10', rule: 'deny-ssh' },
          ],
        },
      ],
      applicationPolicySets: [
        { name: 'app-x', policies: [{ sequence: '1', policy: 'p' }], applicationTag: 'application=x' },
      ],
    };
    const c = new PolicyCompiler(
      fw,
      inv({
        virtualNetworks: [{ name: 'blue', project: 'p', subnets: ['10.2.0.0/24'] }],
        interfaces: [
          { name: 'a', virtualNetwork: 'blue', addresses: ['10.2.0.10'], tags: ['application=x'] },
          { name: 'b', virtualNetwork: 'blue', addresses: ['10.2.0.11'] },
        ],
      }),
    );
    expect(probe(c, { src: 'a', dst: 'b', protocol: 'tcp', port: 22 })).toMatchObject({
      action: 'deny',
      rule: 'deny-ssh',
    });
    const d = probe(c, { src: 'a', dst: 'b', protocol: 'tcp', port: 443 });
    expect(d).toMatchObject({ action: 'pass', side: 'source', rule: 'allow-all-tcp' });
    // UDP: the firewall list applies to a (implicit deny); b has no application tag, so no list (implicit allow).
    expect(probe(c, { src: 'a', dst: 'b', protocol: 'udp', port: 53 })).toMatchObject({
      action: 'deny',
      reason: 'implicit-deny',
    });
    expect(probe(c, { src: 'b', dst: '192.0.2.1', protocol: 'udp', port: 53 })).toMatchObject({
      action: 'pass',
      reason: 'implicit-allow',
    });
    const m = c.matcher('a');
    if (!m) throw new Error('no matcher');
    expect(
      evaluate(
        m,
        FiveTuple.of({ src: '10.2.0.10', dst: '10.2.0.11', protocol: 6, dstPort: 443, direction: 'egress' }),
      ).log,
    ).toBe(true);
  });

  it('an interface that is down has no ACL and cannot be reached', () => {
    const c = new PolicyCompiler(model, inv());
    c.apply({ kind: 'interface-state', name: 'b1', up: false });
    expect(c.acl('b1')).toBeUndefined();
    expect(probe(c, { src: 'r2', dst: 'b1', protocol: 'tcp', port: 80 })).toMatchObject({
      action: 'deny',
      reason: 'interface-down',
    });
  });
});
