// The README example runs against the packed tarball in a scratch project (pnpm pack, npm install, publint,
// are-the-types-wrong), and its stdout must equal the README's ```text output block.
import { fileURLToPath } from 'node:url';
import { packAndRunReadme, run } from '@filament/testkit';
import { beforeAll, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

beforeAll(() => {
  run('pnpm', ['--filter', '@filament/bgp', 'build'], { cwd: root, timeoutMs: 300_000 });
}, 300_000);

it('the README example runs from the packed package and prints its output block', () => {
  const { outputs, examples } = packAndRunReadme(pkgDir);
  expect(examples.length).toBeGreaterThan(0);
  examples.forEach((ex, i) => {
    expect(ex.output, `example ${i} has an output block`).toBeDefined();
    expect(outputs[i]).toBe(ex.output);
  });
}, 600_000);
