import { randomUUID } from 'node:crypto';
import { scratchDir } from '@filament/testkit';
import { expect, it } from 'vitest';
import type { Change } from '../src/store/interface.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { storeCompliance } from './store-compliance.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('store compliance: sqlite (data directory)', () => {
  storeCompliance(() => {
    const dir = scratchDir('filament-store-');
    return {
      open: async () => new SqliteStore({ dataDir: dir.path }),
      cleanup: async () => dir.cleanup(),
    };
  });
});

describeWithSqlite('store compliance: sqlite (:memory:)', () => {
  storeCompliance(() => ({ open: async () => new SqliteStore({ dataDir: ':memory:' }) }));
});

describeWithSqlite('sqlite store across restarts', () => {
  it('keeps objects, claims, revisions and the change history for watch after reopening', async () => {
    const dir = scratchDir('filament-reopen-');
    try {
      const a = new SqliteStore({ dataDir: dir.path });
      const d = {
        type: 'domain',
        uuid: randomUUID(),
        fqName: ['d'],
        refs: [],
        claims: [{ pool: 'p', key: 'k' }],
        body: {},
      };
      const r1 = await a.commit([{ op: 'create', object: d }]);
      await a.commit([{ op: 'update', object: { ...d, body: { x: 1 } } }]);
      await a.close();
      const b = new SqliteStore({ dataDir: dir.path });
      try {
        expect(await b.revision()).toBe(r1.revision + 1);
        expect(await b.get(d.uuid)).toMatchObject({ version: 2, body: { x: 1 } });
        expect(await b.claimed('p')).toEqual(new Set(['k']));
        const seen: Change[] = [];
        const w = await b.watch(0, (c) => seen.push(c));
        await w.close();
        expect(seen.map((c) => [c.kind, c.uuid, c.object.version])).toEqual([
          ['put', d.uuid, 1],
          ['put', d.uuid, 2],
        ]);
      } finally {
        await b.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
