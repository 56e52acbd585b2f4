// Runs the built `filament` (node tools/cli/dist/main.js), as a user would. Test files that build the CLI
// run in parallel processes: a build rewrites dist/ while another file's tests may be running it, so builds
// take an exclusive flock(1) on one lock file and runs a shared one.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@filament/testkit';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const main = join(repoRoot, 'tools', 'cli', 'dist', 'main.js');
const lock = join(tmpdir(), 'filament-cli-dist.lock');

/** `pnpm --filter @filament/cli... build` (the CLI and the packages it depends on). */
export function buildCli(): void {
  run('flock', [lock, 'pnpm', '--filter', '@filament/cli...', 'build'], {
    cwd: repoRoot,
    timeoutMs: 300_000,
  });
}

/** Runs `filament ARGS` with `input` on stdin; never throws on a non-zero exit. */
export function filament(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = run('flock', ['-s', lock, process.execPath, main, ...args], {
    allowFail: true,
    timeoutMs: 300_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
