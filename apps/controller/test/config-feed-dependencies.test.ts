// The dependents index of the config feed: after any sequence of walks (each replacing an agent's keys), the
// agents a changed object concerns are exactly those whose current keys include one the object matches, as a
// plain scan of every agent would find them (the index holds one agent per key directly, a Set from two on).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DependentsIndex,
  dependencyKeysOf,
  fqDependency,
  referrersDependency,
} from '../src/control/config/dependencies.js';
import type { StoredObject } from '../src/store/interface.js';

interface Agent {
  name: string;
}

const UUIDS = ['u0', 'u1', 'u2', 'u3'];
const obj = (uuid: string, refs: string[], parent?: string): StoredObject => ({
  type: 'virtual-machine-interface',
  uuid,
  fqName: ['default-domain', 'p', uuid],
  ...(parent !== undefined ? { parentType: 'project', parentUuid: parent } : {}),
  refs: refs.map((r) => ({ type: 'virtual-machine', uuid: r })),
  claims: [],
  body: {},
  version: 1,
  revision: 1,
});

// Keys drawn from a small space, so that agents share some and the single <-> Set transitions happen.
const KEYS = [
  ...UUIDS,
  ...UUIDS.map((u) => referrersDependency(u, 'virtual-machine-interface')),
  fqDependency('virtual-machine-interface', ['default-domain', 'p', 'u1']),
];

describe('config feed dependents index', () => {
  it('finds exactly the agents whose current keys an object matches', () => {
    const agents: Agent[] = [0, 1, 2].map((i) => ({ name: `a${i}` }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.subarray(KEYS)), { maxLength: 30 }),
        fc.constantFrom(...UUIDS),
        fc.subarray(UUIDS),
        fc.option(fc.constantFrom(...UUIDS), { nil: undefined }),
        (walks, uuid, refs, parent) => {
          const index = new DependentsIndex<Agent>();
          const current = agents.map(() => new Set<string>());
          for (const [i, keys] of walks) {
            const next = new Set(keys);
            index.update(agents[i]!, current[i]!, next);
            current[i] = next;
          }
          const o = obj(uuid, refs, parent);
          const got = new Set<Agent>();
          index.collect(o, got);
          const keys = dependencyKeysOf(o);
          const want = agents.filter((_, i) => keys.some((k) => current[i]!.has(k)));
          expect([...got].map((a) => a.name).sort()).toEqual(want.map((a) => a.name));
          // Forgetting every agent leaves nothing behind.
          for (const [i, a] of agents.entries()) index.update(a, current[i]!, new Set());
          expect(index.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a new interface matches the back-ref key of its VM, not its parent project', () => {
    const keys = dependencyKeysOf(obj('vmi', ['vm'], 'project'));
    expect(keys).toContain(referrersDependency('vm', 'virtual-machine-interface'));
    expect(keys).not.toContain('project');
  });
});
