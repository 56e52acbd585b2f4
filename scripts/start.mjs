// The README's main job: build the workspace, then run `filament lab` (a controller and two agents with
// traffic between their workloads; it stays up until Ctrl-C, `--once` runs the checks and exits).
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
const lab = spawnSync(
  process.execPath,
  [join(root, 'tools/cli/dist/main.js'), 'lab', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(lab.status ?? 1);
