// The README's main job: build the workspace, then run `filament demo` (until the lab app exists).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
console.error('filament: building the workspace (turbo, cached after the first run)...');
const build = spawnSync('turbo', ['run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (build.status !== 0) process.exit(build.status ?? 1);
const demo = spawnSync(
  process.execPath,
  [join(root, 'tools/cli/dist/main.js'), 'demo', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(demo.status ?? 1);
