// Shared by the lab's end-to-end test files: each file has its own loopback addresses and ports (so files
// can run at once), a fresh state directory, and the lab run as a child process from its sources.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LAB_OPTIONS, type LabOptions } from '../src/index.js';

const LAB_DIR = join(import.meta.dirname, '..');

/** Options for test file number `n` (1..9): API 127.0.6n.1:384n1, agents on 127.0.6n.11/.12. */
export function testLabOptions(
  n: number,
  extra: Partial<LabOptions> & { underlays?: [string, string] } = {},
): LabOptions & { underlays: [string, string] } {
  return {
    ...DEFAULT_LAB_OPTIONS,
    stateDir: mkdtempSync(join(tmpdir(), `filament-lab-${n}-`)),
    apiHost: `127.0.6${n}.1`,
    apiPort: 38401 + n * 10,
    xmppPort: 38402 + n * 10,
    portApiPort: 38403 + n * 10,
    introspectPort: 38404 + n * 10,
    controllerIntrospectPort: 38405 + n * 10,
    hosts: 'loopback',
    underlays: [`127.0.6${n}.11`, `127.0.6${n}.12`],
    ...extra,
  };
}

/** The same options as command-line flags. */
export function labFlags(o: LabOptions & { underlays: [string, string] }): string[] {
  return [
    '--hosts',
    o.hosts,
    '--state-dir',
    o.stateDir,
    '--api-host',
    o.apiHost,
    '--api-port',
    String(o.apiPort),
    '--xmpp-port',
    String(o.xmppPort),
    '--underlays',
    o.underlays.join(','),
    '--port-api-port',
    String(o.portApiPort),
    '--introspect-port',
    String(o.introspectPort),
    '--controller-introspect-port',
    String(o.controllerIntrospectPort),
  ];
}

/** Runs `filament-lab args...` from the sources (tsx) as a child process; resolves with its exit and output. */
export function runLabProcess(
  args: string[],
  timeoutMs = 240_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@filament/source', 'src/main.ts', ...args],
      {
        cwd: LAB_DIR,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      p.kill('SIGINT');
      setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
      reject(new Error(`the lab did not exit in ${timeoutMs} ms:\n${stderr.slice(-4000)}`));
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
