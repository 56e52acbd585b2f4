// Where the lab finds the processes it runs: the `bin` of the workspace packages @filament/controller and
// @filament/agent, resolved through Node's module resolution (the lab depends on both, so `pnpm build`
// builds them first) — never a path into their sources.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BinaryNotBuiltError } from './errors.js';

const require = createRequire(import.meta.url);

/** The absolute path of `bin` in package `pkg`'s manifest; throws if it is not declared or not built. */
export function resolveBin(pkg: string, bin: string): string {
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${pkg}/package.json`);
  } catch (e) {
    throw new BinaryNotBuiltError(pkg, `${pkg}/package.json`, `not installed: ${(e as Error).message}`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const rel = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (rel === undefined) throw new BinaryNotBuiltError(pkg, manifestPath, `declares no bin '${bin}'`);
  const path = join(dirname(manifestPath), rel);
  if (!existsSync(path)) throw new BinaryNotBuiltError(pkg, path, `bin '${bin}' is not built`);
  return path;
}

export const controllerBin = (): string => resolveBin('@filament/controller', 'filament-controller');
export const agentBin = (): string => resolveBin('@filament/agent', 'filament-agent');
