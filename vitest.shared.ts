// One vitest config for every package: per-package configs do not inherit a root config,
// so each package's vitest.config.ts re-exports this file.
import { basename, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const pkg = basename(process.cwd());
const reports = resolve(import.meta.dirname, '.reports');

export default defineConfig({
  // Tests import sibling packages from their TypeScript sources through this export condition;
  // only ssr.resolve.conditions takes effect for Node tests.
  ssr: { resolve: { conditions: ['@filament/source'] } },
  resolve: { conditions: ['@filament/source'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: resolve(reports, `${pkg}.json`) }]],
  },
});
