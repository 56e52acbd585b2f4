import { scratchDir } from '@filament/testkit';
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
