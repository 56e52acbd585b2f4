// The README example runs against the packed tarball, installed in a scratch project like a user would.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAndRunReadme, run } from '@filament/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(packageDir, '..', '..');

describe('README', () => {
  beforeAll(() => {
    run('pnpm', ['--filter', '@filament/lpm', 'build'], { cwd: root });
  });

  it('every example prints exactly its output block', () => {
    const { outputs, examples } = packAndRunReadme(packageDir);
    expect(examples.length).toBeGreaterThan(0);
    examples.forEach((ex, i) => {
      expect(ex.output).toBeDefined();
      expect(outputs[i]).toBe(ex.output);
    });
  }, 300_000);
});
