// The config feed's in-memory object index loads the store while writes go on: changes that race the listing
// are held and applied by revision, so that once the change stream has caught up, the index equals the store.
import { describeWithTool, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INDEXED_TYPES, ObjectIndex } from '../src/control/config/object-index.js';
import type { Change } from '../src/store/interface.js';
import { type Engine, type Harness, PROJECT, startController } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

function suite(engine: Engine): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startController(engine);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  async function create(type: string, body: Record<string, unknown>): Promise<string> {
    const r = await h.call('POST', `/${type}s`, { [type]: body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body[type].uuid as string;
  }

  /** uuid -> revision of every indexed object, from the store. */
  async function storeState(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const type of INDEXED_TYPES) {
      for (const o of (await h.c.store.list({ type })).objects) out.set(o.uuid, o.revision);
    }
    return out;
  }

  it('equals the store after a load raced by creates, updates and deletes', async () => {
    const before: string[] = [];
    for (let i = 0; i < 30; i++) before.push(await create('virtual-machine', { fq_name: [`idx-vm-${i}`] }));
    const index = new ObjectIndex();
    const seen: Change[] = [];
    const onChange = (c: Change) => {
      seen.push(c);
      index.apply(c);
    };
    h.c.changes.on('change', onChange);
    try {
      const load = index.load(h.c.store);
      const writes = (async () => {
        for (let i = 0; i < 20; i++) {
          await create('virtual-machine', { fq_name: [`idx-new-${i}`] });
          if (i < 10) expect((await h.call('DELETE', `/virtual-machine/${before[i]}`)).status).toBe(200);
          else {
            const r = await h.call('PUT', `/virtual-machine/${before[i]}`, {
              'virtual-machine': { display_name: `renamed-${i}` },
            });
            expect(r.status, JSON.stringify(r.body)).toBe(200);
          }
        }
        await create('virtual-machine-interface', {
          fq_name: [...PROJECT, 'idx-port'],
          parent_type: 'project',
          virtual_network_refs: [{ to: [...PROJECT, 'ip-fabric'] }],
          virtual_machine_refs: [{ uuid: before[20] }],
        });
      })();
      await Promise.all([load, writes]);
      expect(index.loaded).toBe(true);
      const want = await storeState();
      await waitFor(
        'the index to catch up with the store',
        () => index.size === want.size && [...want].every(([u, rev]) => index.get(u)?.revision === rev),
        20_000,
        50,
      );
      for (let i = 0; i < 10; i++) expect(index.get(before[i]!)).toBeUndefined();
      expect(index.get(before[15]!)?.body.display_name).toBe('renamed-15');
      const vmi = [...index.referrers(before[20]!)];
      expect(vmi.map((o) => o.fqName.join(':'))).toEqual([`${PROJECT.join(':')}:idx-port`]);
      const ri = index.byFqName('routing-instance', [...PROJECT, 'ip-fabric', 'ip-fabric'])!;
      expect([...index.children(ri.parentUuid!)].map((o) => o.uuid)).toContain(ri.uuid);
      // Typed lookups (what the walk uses) give exactly the untyped ones of that type.
      const uuids = (it: Iterable<{ uuid: string; type: string }>, type?: string) =>
        [...it]
          .filter((o) => type === undefined || o.type === type)
          .map((o) => o.uuid)
          .sort();
      for (const type of ['routing-instance', 'virtual-machine-interface']) {
        const typed = uuids(index.children(ri.parentUuid!, type));
        expect(typed).toEqual(uuids(index.children(ri.parentUuid!), type));
      }
      expect(uuids(index.children(ri.parentUuid!, 'routing-instance'))).toContain(ri.uuid);
      for (const type of ['virtual-machine-interface', 'instance-ip'])
        expect(uuids(index.referrers(before[20]!, type))).toEqual(uuids(index.referrers(before[20]!), type));
      expect(uuids(index.referrers(before[20]!, 'virtual-machine-interface'))).toHaveLength(1);
      expect(seen.length).toBeGreaterThan(40);
    } finally {
      h.c.changes.off('change', onChange);
    }
  }, 120_000);
}

describeWithSqlite('config feed object index on the sqlite store', () => suite('sqlite'));
describeWithTool('etcd', 'config feed object index on the etcd store', () => suite('etcd'));
