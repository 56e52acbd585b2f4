import { describe, expect, it } from 'vitest';
import { PolicyCompiler, probe } from '../src/index.js';
import { DEPLOYMENTS, financePortalInventory, financePortalModel, TIERS, table } from './fixtures.js';

const reach = (c: PolicyCompiler, src: string, dst: string, port: number) =>
  probe(c, { src, dst, protocol: 'tcp', port }).action;

describe('FinancePortal three-tier application', () => {
  it('compiles one instance to the address-based table of the TF architecture document', () => {
    const c = new PolicyCompiler(financePortalModel(), financePortalInventory());
    // web 10.1.1.10, app 10.1.1.11, db 10.1.1.12: tags become addresses, rule ids stay on every entry.
    // "any -> web" also matches the web tier as a source (any includes it): web -> web on 80.
    expect(table(c, 'production-web-eth0')).toEqual([
      'egress 10.1.1.10/32 tcp/80 pass any-web-80',
      'ingress 0.0.0.0/0 ::/0 tcp/80 pass any-web-80',
      'egress 10.1.1.11/32 tcp/8080 pass web-app-8080',
    ]);
    expect(table(c, 'production-app-eth0')).toEqual([
      'egress 10.1.1.10/32 tcp/80 pass any-web-80',
      'ingress 10.1.1.10/32 tcp/8080 pass web-app-8080',
      'egress 10.1.1.12/32 tcp/1521 pass app-db',
      'egress 10.1.1.12/32 tcp/1630 pass app-db',
    ]);
    expect(table(c, 'production-db-eth0')).toEqual([
      'egress 10.1.1.10/32 tcp/80 pass any-web-80',
      'ingress 10.1.1.11/32 tcp/1521 pass app-db',
      'ingress 10.1.1.11/32 tcp/1630 pass app-db',
    ]);
    // No network policy or security group attached: those gates are absent (implicit allow).
    expect(c.acl('production-web-eth0')?.networkPolicy).toBeNull();
    expect(c.acl('production-web-eth0')?.securityGroup).toBeNull();
  });

  it('reachability matrix of one instance equals the three rules, everything else implicitly denied', () => {
    const c = new PolicyCompiler(financePortalModel(), financePortalInventory());
    const names = TIERS.map((t) => `production-${t}-eth0`);
    const allowed: string[] = [];
    for (const s of [...names, '192.0.2.1'])
      for (const d of names)
        for (const port of [22, 80, 1521, 1630, 8080])
          if (s !== d && reach(c, s, d, port) === 'pass') allowed.push(`${s} ${d} ${port}`);
    expect(allowed).toEqual([
      'production-web-eth0 production-app-eth0 8080',
      'production-app-eth0 production-web-eth0 80',
      'production-app-eth0 production-db-eth0 1521',
      'production-app-eth0 production-db-eth0 1630',
      'production-db-eth0 production-web-eth0 80',
      '192.0.2.1 production-web-eth0 80',
    ]);
    // The web tier's egress to the app tier is its own rule; web -> app 8080 is allowed:
    expect(reach(c, 'production-web-eth0', 'production-app-eth0', 8080)).toBe('pass');
  });

  it('match-tags on deployment deny traffic between tiers of different deployments', () => {
    const c = new PolicyCompiler(
      financePortalModel({ matchDeployment: true }),
      financePortalInventory(DEPLOYMENTS),
    );
    expect(reach(c, 'production-web-eth0', 'production-app-eth0', 8080)).toBe('pass');
    expect(reach(c, 'development-web-eth0', 'development-app-eth0', 8080)).toBe('pass');
    expect(reach(c, 'development-web-eth0', 'production-app-eth0', 8080)).toBe('deny');
    expect(reach(c, 'production-app-eth0', 'development-db-eth0', 1521)).toBe('deny');
    expect(reach(c, 'development-app-eth0', 'development-db-eth0', 1630)).toBe('pass');
    // The remote set of the web tier's egress entry is the app tier of its own deployment only.
    expect(table(c, 'development-web-eth0')).toEqual([
      'egress 10.1.1.10/32 10.1.2.10/32 tcp/80 pass any-web-80',
      'ingress 0.0.0.0/0 ::/0 tcp/80 pass any-web-80',
      'egress 10.1.2.11/32 tcp/8080 pass web-app-8080',
    ]);
    const d = probe(c, {
      src: 'development-web-eth0',
      dst: 'production-app-eth0',
      protocol: 'tcp',
      port: 8080,
    });
    expect(d).toMatchObject({
      action: 'deny',
      side: 'source',
      gate: 'firewall',
      rule: null,
      reason: 'implicit-deny',
    });
  });

  it('shares a db tier within a site through a label, with match-tags on site', () => {
    const c = new PolicyCompiler(
      financePortalModel({ matchDeployment: true, sharedDb: true }),
      financePortalInventory(DEPLOYMENTS, { sharedDb: true }),
    );
    // production runs in London (host tag site=London), development in Paris; the shared db is in London.
    expect(c.effectiveTags('shared-db-eth0')).toEqual([
      'label=shared-db',
      'application=FinancePortal',
      'tier=db',
      'deployment=shared',
      'site=London',
    ]);
    expect(reach(c, 'production-app-eth0', 'shared-db-eth0', 1521)).toBe('pass');
    expect(reach(c, 'development-app-eth0', 'shared-db-eth0', 1521)).toBe('deny');
    expect(
      probe(c, { src: 'production-app-eth0', dst: 'shared-db-eth0', protocol: 'tcp', port: 1630 }),
    ).toMatchObject({ action: 'pass', rule: 'app-shared-db' });
  });
});
