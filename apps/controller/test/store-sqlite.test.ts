import { scratchDir } from '@filament/testkit';
import { describe } from 'vitest';
import { SqliteStore } from '../src/store/sqlite.js';
import { storeCompliance } from './store-compliance.js';

describe('store compliance: sqlite (data directory)', () => {
  storeCompliance(() => {
    const dir = scratchDir('filament-store-');
    return {
      open: async () => new SqliteStore({ dataDir: dir.path }),
      cleanup: async () => dir.cleanup(),
    };
  });
});

describe('store compliance: sqlite (:memory:)', () => {
  storeCompliance(() => ({ open: async () => new SqliteStore({ dataDir: ':memory:' }) }));
});
