// The README example runs against the packed tarball, as a stranger would install it.
import { fileURLToPath } from 'node:url';
import { packAndRunReadme, run } from '@filament/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('README', () => {
  beforeAll(() => {
    run('pnpm', ['--filter', '@filament/policy', 'build'], { cwd: root, timeoutMs: 300_000 });
  }, 300_000);

  it('example prints exactly its output block', () => {
    const { outputs, examples } = packAndRunReadme(packageDir);
    expect(examples.length).toBeGreaterThan(0);
    examples.forEach((ex, i) => {
      expect(ex.output).toBeDefined();
      expect(outputs[i]).toBe(ex.output);
    });
  }, 600_000);
});
