// Proves a package works for a stranger: pack it (and the workspace packages it needs) with pnpm,
// install the tarballs into a scratch project outside the workspace with npm, and run the README example.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scratchDir } from './scratch.js';
import { run } from './tools.js';

export interface ReadmeExample {
  code: string;
  /** The expected stdout, from a ```text output block right after the example, if there is one. */
  output?: string;
}

/** Extracts ```js example blocks (and their ```text output blocks) from a README. */
export function readmeExamples(readme: string): ReadmeExample[] {
  const re = /```js example\n([\s\S]*?)```(?:\s*```text output\n([\s\S]*?)```)?/g;
  const out: ReadmeExample[] = [];
  for (const m of readme.matchAll(re)) {
    const ex: ReadmeExample = { code: m[1] ?? '' };
    if (m[2] !== undefined) ex.output = m[2];
    out.push(ex);
  }
  return out;
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

function workspaceDeps(
  pkgDir: string,
  byName: Map<string, string>,
  seen = new Map<string, string>(),
): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest;
  seen.set(manifest.name, pkgDir);
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!range.startsWith('workspace:') || seen.has(dep)) continue;
    const dir = byName.get(dep);
    if (!dir) throw new Error(`${manifest.name} depends on unknown workspace package ${dep}`);
    workspaceDeps(dir, byName, seen);
  }
  return seen;
}

function workspacePackages(root: string): Map<string, string> {
  const list = JSON.parse(run('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: root }).stdout) as {
    name: string;
    path: string;
  }[];
  return new Map(list.map((p) => [p.name, p.path]));
}

/**
 * Packs `pkgDir` and its workspace dependencies, installs them in a scratch project, runs publint and
 * are-the-types-wrong on the tarball, and runs every README example there. Returns each example's stdout.
 */
export function packAndRunReadme(pkgDir: string): { outputs: string[]; examples: ReadmeExample[] } {
  const dir = resolve(pkgDir);
  const root = resolve(dir, '..', '..');
  const scratch = scratchDir('filament-pack-');
  try {
    const pkgs = workspaceDeps(dir, workspacePackages(root));
    const tarballs = new Map<string, string>();
    for (const [name, path] of pkgs) {
      const r = run('pnpm', ['pack', '--pack-destination', scratch.path, '--json'], { cwd: path });
      const info = JSON.parse(r.stdout) as { filename: string };
      tarballs.set(name, resolve(scratch.path, info.filename));
    }
    const self = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const selfTarball = tarballs.get(self.name)!;
    run(process.execPath, [join(root, 'node_modules', 'publint', 'src', 'cli.js'), selfTarball, '--strict'], {
      cwd: scratch.path,
    });
    run(
      process.execPath,
      [
        join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
        selfTarball,
        '--profile',
        'esm-only',
        '--format',
        'ascii',
      ],
      { cwd: scratch.path },
    );
    const app = join(scratch.path, 'app');
    run('mkdir', ['-p', app]);
    const overrides = Object.fromEntries([...tarballs].map(([n, t]) => [n, `file:${t}`]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch',
        private: true,
        type: 'module',
        dependencies: { [self.name]: `file:${selfTarball}` },
        overrides,
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, timeoutMs: 300_000 });
    const examples = readmeExamples(readFileSync(join(dir, 'README.md'), 'utf8'));
    if (examples.length === 0) throw new Error(`${self.name}: README has no \`\`\`js example block`);
    const outputs = examples.map((ex, i) => {
      const file = join(app, `example-${i}.mjs`);
      writeFileSync(file, ex.code);
      return run(process.execPath, [file], { cwd: app }).stdout;
    });
    return { outputs, examples };
  } finally {
    scratch.cleanup();
  }
}
