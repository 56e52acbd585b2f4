// Runs every package's tests through turbo, then prints one closing line for the whole workspace.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
rmSync(join(root, '.reports'), { recursive: true, force: true });
const turbo = spawnSync('turbo', ['run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)], {
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  cwd: root,
  stdio: 'inherit',
});
const summary = spawnSync(process.execPath, [join(root, 'scripts', 'test-summary.mjs')], {
  stdio: 'inherit',
});
process.exit(turbo.status || summary.status || 0);
