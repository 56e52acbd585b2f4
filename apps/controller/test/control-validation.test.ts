// Property tests: what agents publish and what config holds can be anything; the control plane's checks and
// derivations answer with a verdict or a skip, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidRouteReason } from '../src/control/agent-server.js';
import { ConfigInstances } from '../src/control/routing/config-instances.js';
import { unicastEntry } from '../src/control/routing/entries.js';
import { RouteDb } from '../src/control/routing/route-db.js';
import type { StoredObject } from '../src/store/interface.js';

const nextHop = fc.record({
  af: fc.integer({ min: -1, max: 30 }),
  address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
  mac: fc.string(),
  label: fc.oneof(fc.integer({ min: -5, max: 0x200000 }), fc.double()),
  vni: fc.integer(),
  tunnelEncapsulations: fc.array(fc.string(), { maxLength: 3 }),
  virtualNetwork: fc.string(),
  tags: fc.array(fc.integer(), { maxLength: 2 }),
  localSequenceNumber: fc.integer(),
});

describe('control plane input checks', () => {
  it('invalidRouteReason gives a reason or accepts, for any unicast entry', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('inet' as const, 'inet6' as const, 'enet' as const),
        fc.integer({ min: -1, max: 30 }),
        fc.oneof(
          fc.ipV4().map((a) => `${a}/32`),
          fc.ipV6().map((a) => `${a}/128`),
          fc.string(),
        ),
        fc.array(nextHop, { maxLength: 3 }),
        (family, af, address, nextHops) => {
          const entry = {
            ...unicastEntry({
              ip: '10.0.0.1',
              mac: '',
              nextHop: '1.1.1.1',
              label: 1,
              vni: 0,
              encapsulations: [],
              vn: '',
            }),
          };
          entry.nlri = { af, safi: 1, address };
          entry.nextHops = nextHops as typeof entry.nextHops;
          const r = invalidRouteReason(family, { family: 'inet', entry });
          if (r === undefined) {
            expect(nextHops).toHaveLength(1);
            expect(Number.isInteger(nextHops[0]!.label)).toBe(true);
          } else expect(typeof r).toBe('string');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ConfigInstances derives instances from any network and policy bodies without throwing', () => {
    const body = fc.dictionary(
      fc.constantFrom(
        'virtual_network_properties',
        'route_target_list',
        'import_route_target_list',
        'network_policy_entries',
      ),
      fc.oneof(
        fc.anything(),
        fc.record({ route_target: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }) }),
        fc.record({
          policy_rule: fc.array(
            fc.record({
              action_list: fc.oneof(
                fc.anything(),
                fc.record({ simple_action: fc.constantFrom('pass', 'deny') }),
              ),
              src_addresses: fc.oneof(
                fc.anything(),
                fc.array(fc.record({ virtual_network: fc.constantFrom('a:b:c', 'any', 'local') })),
              ),
              dst_addresses: fc.oneof(
                fc.anything(),
                fc.array(fc.record({ virtual_network: fc.constantFrom('a:b:d', 'any') })),
              ),
            }),
            { maxLength: 3 },
          ),
        }),
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('virtual-network', 'network-policy'), body), { maxLength: 6 }),
        (objs) => {
          const db = new RouteDb();
          const ci = new ConfigInstances(db);
          const stored: StoredObject[] = objs.map(([type, b], i) => ({
            type,
            uuid: `u${i}`,
            fqName: ['a', 'b', i % 2 ? 'c' : 'd']
              .slice(0, 2)
              .concat(`${type === 'network-policy' ? 'p' : 'n'}${i}`),
            parentType: 'project',
            refs: type === 'virtual-network' ? [{ type: 'network-policy', uuid: `u${i + 1}` }] : [],
            claims: [],
            body: b as Record<string, unknown>,
            version: 1,
            revision: i + 1,
          }));
          ci.load(stored);
          for (const o of stored)
            ci.apply({ revision: 100, kind: 'put', type: o.type, uuid: o.uuid, object: o });
          for (const o of stored)
            ci.apply({ revision: 200, kind: 'delete', type: o.type, uuid: o.uuid, object: o });
          expect([...db.instances()]).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
