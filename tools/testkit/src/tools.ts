// Gates for tests that need software a user's machine may lack. CI installs every tool, so CI runs them all;
// elsewhere the test is skipped with its name saying which tool is missing.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

const cache = new Map<string, boolean>();

/** True when `name` is an executable on PATH (or an absolute path that exists and runs). */
export function hasTool(name: string): boolean {
  let found = cache.get(name);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', name]).status === 0;
    cache.set(name, found);
  }
  return found;
}

function missing(tools: string[]): string[] {
  return tools.filter((t) => !hasTool(t));
}

/** `describe` that is skipped, with the missing tools named in its title, unless every tool is on PATH. */
export function describeWithTool(tools: string | string[], name: string, fn: () => void): void {
  const lack = missing([tools].flat());
  if (lack.length > 0) describe.skip(`${name} [skipped: needs ${lack.join(', ')}, not installed]`, fn);
  else describe(name, fn);
}

/** `it` that is skipped, with the missing tools named in its title, unless every tool is on PATH. */
export function itWithTool(
  tools: string | string[],
  name: string,
  fn: () => unknown,
  timeout?: number,
): void {
  const lack = missing([tools].flat());
  if (lack.length > 0) it.skip(`${name} [skipped: needs ${lack.join(', ')}, not installed]`, fn);
  else it(name, fn, timeout);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with a time bound; throws with its stderr when it fails. */
export function run(
  cmd: string,
  args: string[],
  opts: {
    cwd?: string;
    input?: string | Uint8Array;
    timeoutMs?: number;
    allowFail?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
  const result = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (!opts.allowFail && (r.error || r.status !== 0)) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${result.stderr}`,
    );
  }
  return result;
}
