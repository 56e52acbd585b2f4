// The README example, run against the packed tarball installed in a scratch project (publint and
// are-the-types-wrong run on the tarball too); its stdout must equal the README's output block.
import { packAndRunReadme, run } from '@filament/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { PKG_DIR, REPO_ROOT } from './helpers.js';

describe('README', () => {
  beforeAll(() => {
    run('pnpm', ['--filter', '@filament/ifmap...', 'build'], { cwd: REPO_ROOT, timeoutMs: 300_000 });
  }, 300_000);

  it('the example runs from the packed package and prints its output block', () => {
    const { outputs, examples } = packAndRunReadme(PKG_DIR);
    expect(examples.length).toBeGreaterThan(0);
    examples.forEach((ex, i) => {
      expect(ex.output).toBeDefined();
      expect(outputs[i]).toBe(ex.output);
    });
  }, 300_000);
});
