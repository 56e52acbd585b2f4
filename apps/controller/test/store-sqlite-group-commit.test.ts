// The SQLite engine's commit path: commits wait for an fsync of the WAL that runs off the event loop, the
// commits queued meanwhile share one transaction and the next fsync, and watchers see each change exactly once,
// in revision order, also when they subscribe while a transaction is written but not yet durable; WAL
// checkpoints off the event loop keep the WAL bounded; the in-memory fq_name lookups follow committed deletes.
import { randomUUID } from 'node:crypto';
import { scratchDir } from '@filament/testkit';
import { expect } from 'vitest';
import type { Change, NewObject } from '../src/store/interface.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { itWithSqlite } from './support/sqlite.js';

const root = (i: number): NewObject => ({
  type: 'domain',
  uuid: randomUUID(),
  fqName: [`d-${i}`],
  refs: [],
  claims: [{ pool: 'p', key: String(i % 50) }],
  body: { i },
});

itWithSqlite(
  'groups concurrent commits into few transactions, each commit with its own revision',
  async () => {
    const dir = scratchDir('filament-group-');
    const store = new SqliteStore({ dataDir: dir.path });
    try {
      const n = 400;
      const results = await Promise.allSettled(
        Array.from({ length: n }, (_, i) => store.commit([{ op: 'create', object: root(i) }])),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      // claims on 50 keys: exactly the first 50 commits win, the others conflict and write nothing
      expect(ok).toHaveLength(50);
      const revs = ok.map((r) => (r as PromiseFulfilledResult<{ revision: number }>).value.revision);
      expect(new Set(revs).size).toBe(50);
      expect(store.stats.commits).toBe(n);
      expect(store.stats.transactions).toBeLessThan(n / 4);
      expect(await store.revision()).toBe(Math.max(...revs));
    } finally {
      await store.close();
      dir.cleanup();
    }
  },
);

itWithSqlite('a watcher that subscribes during an fsync sees every change once, in order', async () => {
  const dir = scratchDir('filament-group-watch-');
  const store = new SqliteStore({ dataDir: dir.path });
  try {
    const first = Array.from({ length: 100 }, (_, i) =>
      store.commit([{ op: 'create', object: { ...root(i), claims: [] } }]),
    );
    // the first transaction is written once the current turn ends; its fsync is then in flight
    await new Promise((r) => setImmediate(r));
    const seen: Change[] = [];
    const from = await store.revision();
    const w = await store.watch(0, (c) => seen.push(c));
    const more = Array.from({ length: 100 }, (_, i) =>
      store.commit([{ op: 'create', object: { ...root(100 + i), claims: [] } }]),
    );
    await Promise.all([...first, ...more]);
    await w.close();
    expect(from).toBeLessThanOrEqual(100);
    expect(seen.map((c) => c.revision)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  } finally {
    await store.close();
    dir.cleanup();
  }
});

itWithSqlite('close waits for queued commits to be written and durable', async () => {
  const dir = scratchDir('filament-group-close-');
  try {
    const a = new SqliteStore({ dataDir: dir.path });
    const pending = Array.from({ length: 50 }, (_, i) =>
      a.commit([{ op: 'create', object: { ...root(i), claims: [] } }]),
    );
    await a.close();
    expect((await Promise.all(pending)).map((r) => r.revision)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const b = new SqliteStore({ dataDir: dir.path });
    expect(await b.revision()).toBe(50);
    expect((await b.list({ type: 'domain' })).objects).toHaveLength(50);
    await b.close();
  } finally {
    dir.cleanup();
  }
});

itWithSqlite(
  'checkpoints off the event loop let the WAL start over under a steady stream of writes',
  async () => {
    const dir = scratchDir('filament-group-wal-');
    const store = new SqliteStore({ dataDir: dir.path, walRestartFrames: 64 });
    try {
      const n = 3000;
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < n) {
            const i = next++;
            await store.commit([{ op: 'create', object: { ...root(i), claims: [] } }]);
          }
        }),
      );
      // Without restarts the WAL would hold every page written: about 5,000 frames here (random uuid keys).
      const wal = store.db.pragma('wal_checkpoint(NOOP)') as { log: number }[];
      expect(wal[0]!.log).toBeLessThan(1500);
      expect(await store.count({ type: 'domain' })).toBe(n);
      expect(await store.revision()).toBe(n);
    } finally {
      await store.close();
    }
    const again = new SqliteStore({ dataDir: dir.path });
    try {
      expect(await again.count({ type: 'domain' })).toBe(3000);
    } finally {
      await again.close();
      dir.cleanup();
    }
  },
);

itWithSqlite(
  'fq_name lookups follow deletes and re-creates under the same name, not failed deletes',
  async () => {
    const store = new SqliteStore({ dataDir: ':memory:' });
    try {
      const parent = root(1);
      await store.commit([{ op: 'create', object: parent }]);
      const child = (): NewObject => ({
        type: 'project',
        uuid: randomUUID(),
        fqName: [...parent.fqName, 'p'],
        parentType: 'domain',
        parentUuid: parent.uuid,
        refs: [],
        claims: [],
        body: {},
      });
      const a = child();
      await store.commit([{ op: 'create', object: a }]);
      expect(await store.fqNameToUuid('domain', parent.fqName)).toBe(parent.uuid);
      expect(await store.fqNameToUuid('project', a.fqName)).toBe(a.uuid);
      // a delete refused (the domain still has a child) leaves the name where it was
      await expect(store.commit([{ op: 'delete', uuid: parent.uuid }])).rejects.toMatchObject({
        kind: 'children',
      });
      expect(await store.fqNameToUuid('domain', parent.fqName)).toBe(parent.uuid);
      // a commit whose second op fails rolls back its first (a delete) as well
      await expect(
        store.commit([
          { op: 'delete', uuid: a.uuid },
          { op: 'delete', uuid: randomUUID() },
        ]),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      expect(await store.fqNameToUuid('project', a.fqName)).toBe(a.uuid);
      await store.commit([{ op: 'delete', uuid: a.uuid }]);
      expect(await store.fqNameToUuid('project', a.fqName)).toBeUndefined();
      const b = child();
      await store.commit([{ op: 'create', object: b }]);
      expect(await store.fqNameToUuid('project', b.fqName)).toBe(b.uuid);
    } finally {
      await store.close();
    }
  },
);
