// Property: applying changes incrementally gives exactly what a full recompile of the changed input gives,
// ACL entries (order included) and the contents of every address set they use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  entryKey,
  type FirewallRuleSpec,
  type InterfaceSpec,
  type Inventory,
  type PolicyChange,
  PolicyCompiler,
  type PolicyModel,
} from '../src/index.js';
import {
  baseInventory,
  baseModel,
  HOSTS,
  IFACES,
  iface,
  RULE_NAMES,
  rule,
  tagSet,
  VMS,
  VNS,
} from './arbitraries.js';

/** What a controller pushes: each interface's ordered entries per gate and the members of every set used. */
function snapshot(c: PolicyCompiler): unknown {
  const out: Record<string, unknown> = {};
  for (const name of c.interfaceNames().sort()) {
    const acl = c.acl(name);
    if (!acl) {
      out[name] = null;
      continue;
    }
    const gate = (g: typeof acl.firewall) =>
      g?.map((e) => [
        entryKey(e),
        c.set(e.remote)?.prefixes(),
        e.local === null ? null : c.set(e.local)?.prefixes(),
      ]);
    out[name] = {
      np: gate(acl.networkPolicy),
      sg: gate(acl.securityGroup),
      fw: gate(acl.firewall),
      gw: acl.gateway && c.set(acl.gateway)?.prefixes(),
    };
  }
  return out;
}

type State = { rules: FirewallRuleSpec[]; ag: string[]; inv: Inventory; removed?: readonly string[] };

function applyToSpecs(s: State, ch: PolicyChange): State {
  const inv = s.inv;
  switch (ch.kind) {
    case 'tags': {
      const set = <T extends { name: string; tags?: readonly string[] }>(xs: readonly T[] | undefined) =>
        (xs ?? []).map((x) => (x.name === ch.name ? { ...x, tags: ch.tags } : x));
      if (ch.object === 'interface') return { ...s, inv: { ...inv, interfaces: set(inv.interfaces) } };
      if (ch.object === 'vm') return { ...s, inv: { ...inv, vms: set(inv.vms) } };
      if (ch.object === 'host') return { ...s, inv: { ...inv, hosts: set(inv.hosts) } };
      if (ch.object === 'virtual-network')
        return { ...s, inv: { ...inv, virtualNetworks: set(inv.virtualNetworks) } };
      return { ...s, inv: { ...inv, projects: set(inv.projects) } };
    }
    case 'interface-state':
      return {
        ...s,
        inv: {
          ...inv,
          interfaces: inv.interfaces.map((i) => (i.name === ch.name ? { ...i, up: ch.up } : i)),
        },
      };
    case 'upsert-interface':
      return {
        ...s,
        inv: {
          ...inv,
          interfaces: [...inv.interfaces.filter((i) => i.name !== ch.interface.name), ch.interface],
        },
      };
    case 'remove-interface':
      return { ...s, inv: { ...inv, interfaces: inv.interfaces.filter((i) => i.name !== ch.name) } };
    case 'upsert-rule':
      return { ...s, rules: [...s.rules.filter((r) => r.name !== ch.rule.name), ch.rule] };
    case 'remove-rule':
      // Removing a rule also removes it from its policies, for good.
      return {
        ...s,
        rules: s.rules.filter((r) => r.name !== ch.name),
        removed: [...(s.removed ?? []), ch.name],
      };
    case 'model':
      return { ...s, ag: [...(ch.model.addressGroups?.[0]?.prefixes ?? [])] };
  }
}

function modelOf(s: State): PolicyModel {
  const names = new Set(s.rules.map((r) => r.name).filter((n) => !s.removed?.includes(n)));
  const m = baseModel(s.rules, s.ag);
  // Policies list only rules that exist (a removed rule leaves its policies).
  return {
    ...m,
    firewallPolicies: (m.firewallPolicies ?? []).map((p) => ({
      ...p,
      rules: p.rules.filter((r) => names.has(r.rule)),
    })),
  };
}

const change = (state: () => State): fc.Arbitrary<PolicyChange> =>
  fc.oneof(
    fc
      .record({
        object: fc.constantFrom(
          'vm' as const,
          'host' as const,
          'interface' as const,
          'virtual-network' as const,
          'project' as const,
        ),
        k: fc.nat(),
        tags: tagSet,
      })
      .map(({ object, k, tags }) => {
        const pool =
          object === 'vm'
            ? VMS
            : object === 'host'
              ? HOSTS
              : object === 'virtual-network'
                ? VNS
                : object === 'project'
                  ? ['p1', 'p2']
                  : state().inv.interfaces.map((i) => i.name);
        return pool.length === 0
          ? ({ kind: 'tags', object: 'vm', name: 'vm0', tags } as PolicyChange)
          : ({ kind: 'tags', object, name: pool[k % pool.length] as string, tags } as PolicyChange);
      }),
    fc.record({ k: fc.nat(), up: fc.boolean() }).map(({ k, up }) => {
      const names = state().inv.interfaces.map((i) => i.name);
      return names.length === 0
        ? ({ kind: 'interface-state', name: '', up } as PolicyChange)
        : ({ kind: 'interface-state', name: names[k % names.length] as string, up } as PolicyChange);
    }),
    iface(fc.constantFrom(...IFACES)).map(
      (i) => ({ kind: 'upsert-interface', interface: i }) as PolicyChange,
    ),
    fc
      .nat()
      .map((k) => ({ kind: 'remove-interface', name: IFACES[k % IFACES.length] as string }) as PolicyChange),
    rule(fc.constantFrom(...RULE_NAMES)).map((r) => ({ kind: 'upsert-rule', rule: r }) as PolicyChange),
    fc.constantFrom(...RULE_NAMES).map((name) => ({ kind: 'remove-rule', name }) as PolicyChange),
    fc
      .subarray(['10.9.0.0/16', '10.1.0.0/24', '10.2.0.4/30'])
      .map((ag) => ({ kind: 'model', model: baseModel([], ag) }) as PolicyChange),
  );

describe('incremental compilation', () => {
  it('equals a full recompile after every change (tags, interface up/down, rules, groups)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(rule(fc.constantFrom(...RULE_NAMES.slice(0, 6))), {
          selector: (r) => r.name,
          minLength: 6,
          maxLength: 6,
        }),
        fc.uniqueArray(iface(fc.constantFrom(...IFACES)), {
          selector: (i) => i.name,
          minLength: 3,
          maxLength: 8,
        }),
        fc.infiniteStream(fc.nat()),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        (rules, ifaces, _s, steps, seed) => {
          let state: State = { rules, ag: ['10.9.0.0/16'], inv: baseInventory(ifaces) };
          const c = new PolicyCompiler(modelOf(state), state.inv);
          const changes =
            fc.sample(
              fc.array(
                change(() => state),
                { minLength: steps, maxLength: steps },
              ),
              { numRuns: 1, seed },
            )[0] ?? [];
          for (const ch0 of changes) {
            let ch = ch0;
            // Model changes carry the current rules so only the address group differs.
            if (ch.kind === 'model')
              ch = {
                kind: 'model',
                model: modelOf({ ...state, ag: [...(ch.model.addressGroups?.[0]?.prefixes ?? [])] }),
              };
            const valid =
              !(ch.kind === 'interface-state' && !state.inv.interfaces.some((i) => i.name === ch.name)) &&
              !(ch.kind === 'remove-interface' && !state.inv.interfaces.some((i) => i.name === ch.name)) &&
              !(ch.kind === 'remove-rule' && !state.rules.some((r) => r.name === ch.name)) &&
              !(
                ch.kind === 'tags' &&
                ch.object === 'interface' &&
                !state.inv.interfaces.some((i) => i.name === ch.name)
              );
            if (!valid) {
              expect(() => c.apply(ch)).toThrow(/missing/);
              continue;
            }
            const before = snapshot(c);
            const diff = c.apply(ch);
            state = applyToSpecs(state, ch);
            const full = new PolicyCompiler(modelOf(state), state.inv);
            const after = snapshot(c);
            expect(after).toEqual(snapshot(full));
            // The diff names exactly the interfaces whose entries or gates changed.
            const b = before as Record<string, unknown>;
            const a = after as Record<string, unknown>;
            for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
              const keys = (x: unknown) =>
                JSON.stringify(
                  x === null || x === undefined
                    ? null
                    : Object.fromEntries(
                        Object.entries(x as object)
                          .filter(([k]) => k !== 'gw')
                          .map(([k, g]) => [k, g == null ? null : (g as [string][]).map((e) => e[0])]),
                      ),
                );
              if (keys(a[name]) !== keys(b[name]))
                expect(diff.interfaces.has(name), `${ch.kind} ${name}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a tag change on one VM touches only its interfaces and reports set membership changes', () => {
    const ifaces: InterfaceSpec[] = IFACES.map((name, k) => ({
      name,
      virtualNetwork: 'vn1',
      vm: VMS[k % VMS.length] as string,
      addresses: [`10.1.0.${k + 2}`],
      tags: [],
    }));
    const rules: FirewallRuleSpec[] = [
      {
        name: 'r0',
        action: 'pass',
        endpoint1: { tags: ['tier=web'] },
        endpoint2: { tags: ['tier=app'] },
        direction: '>',
        service: { protocol: 'tcp', dstPorts: 8080 },
      },
    ];
    const c = new PolicyCompiler(
      modelOf({ rules, ag: [], inv: baseInventory(ifaces) }),
      baseInventory(ifaces),
    );
    const d1 = c.apply({ kind: 'tags', object: 'vm', name: 'vm0', tags: ['tier=web'] });
    // vm0 hosts if0 and if5; nothing else changes.
    expect([...d1.interfaces.keys()].sort()).toEqual(['if0', 'if5']);
    expect(d1.interfaces.get('if0')?.added.map((e) => `${e.direction} ${e.remote} ${e.ruleId}`)).toEqual([
      'egress tags(tier=app) r0',
    ]);
    const d2 = c.apply({ kind: 'tags', object: 'vm', name: 'vm1', tags: ['tier=app'] });
    expect([...d2.interfaces.keys()].sort()).toEqual(['if1', 'if6']);
    // The web interfaces' entries did not change; the app set they point at gained two members.
    expect(d2.sets.get('tags(tier=app)')).toEqual({ added: ['10.1.0.3/32', '10.1.0.8/32'], removed: [] });
    const d3 = c.apply({ kind: 'interface-state', name: 'if6', up: false });
    expect(d3.interfaces.get('if6')?.aclRemoved).toBe(true);
    expect(d3.sets.get('tags(tier=app)')).toEqual({ added: [], removed: ['10.1.0.8/32'] });
  });
});
