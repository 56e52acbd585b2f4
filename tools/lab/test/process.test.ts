// ManagedProcess against real child processes: readiness over HTTP, an exit before readiness, a readiness
// timeout, kill -9 and restart, an unexpected exit reported, SIGTERM then SIGKILL on stop.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../src/http.js';
import { ManagedProcess, ProcessExitedError, ReadinessTimeoutError } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-process-'));
const HOST = '127.0.66.1';
const PORT = 38451;
const started: ManagedProcess[] = [];

// An HTTP server that starts listening after 300 ms (a process that is slow to become ready).
const server = `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${PORT}, '${HOST}', () => console.log('listening')), 300);`;

function managed(
  name: string,
  script: string,
  ready: () => Promise<string | null>,
  readyTimeoutMs = 10_000,
): ManagedProcess {
  const p = new ManagedProcess({
    name,
    command: process.execPath,
    args: ['-e', script],
    logFile: join(dir, `${name}.log`),
    ready,
    readyTimeoutMs,
  });
  started.push(p);
  return p;
}

const httpReady = async () =>
  (await httpRequest('GET', `http://${HOST}:${PORT}/`, { timeoutMs: 500 })).status === 200 ? null : 'not 200';

afterAll(async () => {
  for (const p of started) await p.stop(500);
});

describe('ManagedProcess', () => {
  it('waits for readiness, logs the output, stops with SIGTERM', async () => {
    const p = managed('server', server, httpReady);
    await p.start();
    expect(p.running).toBe(true);
    expect((await httpRequest('GET', `http://${HOST}:${PORT}/`)).text).toBe('ok');
    await p.stop();
    expect(p.running).toBe(false);
    await p.closeLog();
    expect(readFileSync(join(dir, 'server.log'), 'utf8')).toContain('listening');
  });

  it('kill -9 reports no unexpected exit; a restart serves again; a crash is reported', async () => {
    const p = managed('server2', server, httpReady);
    const unexpected: ProcessExitedError[] = [];
    p.on('unexpected-exit', (e) => unexpected.push(e));
    await p.start();
    const pid = p.pid;
    await p.kill9();
    expect(p.running).toBe(false);
    await p.start();
    expect(p.pid).not.toBe(pid);
    expect(p.starts).toBe(2);
    expect(unexpected).toHaveLength(0);
    process.kill(p.pid!, 'SIGKILL'); // someone else kills it
    for (let i = 0; i < 100 && unexpected.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(unexpected[0]).toBeInstanceOf(ProcessExitedError);
    expect(unexpected[0]?.signal).toBe('SIGKILL');
  });

  it('an exit before readiness is a ProcessExitedError with the output', async () => {
    const p = managed('dies', "console.error('bad config'); process.exit(3)", async () => 'never');
    const e = await p.start().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProcessExitedError);
    expect((e as ProcessExitedError).exitCode).toBe(3);
    expect((e as ProcessExitedError).logTail).toContain('bad config');
  });

  it('a readiness check that keeps failing is a ReadinessTimeoutError, and the process is stopped', async () => {
    const p = managed('hangs', 'setInterval(() => {}, 1000)', async () => 'no answer yet', 500);
    const e = await p.start().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReadinessTimeoutError);
    expect((e as ReadinessTimeoutError).lastProblem).toBe('no answer yet');
    expect(p.running).toBe(false);
  });

  it('endLeftover ends a process an earlier run left, only when its command line matches', async () => {
    const marker = `leftover-${process.pid}`;
    const spawnLeftover = () =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
        detached: true,
        stdio: 'ignore',
      });
    const a = spawnLeftover();
    const exited = new Promise((r) => a.once('exit', (_c, sig) => r(sig)));
    const pidFile = join(dir, 'run', 'leftover.pid');
    mkdirSync(join(dir, 'run'), { recursive: true });
    writeFileSync(pidFile, `${a.pid}\n`);
    expect(ManagedProcess.endLeftover(pidFile, 'some-other-bin.js')).toBe(false);
    expect(a.exitCode).toBeNull();
    writeFileSync(pidFile, `${a.pid}\n`);
    expect(ManagedProcess.endLeftover(pidFile, marker)).toBe(true);
    expect(await exited).toBe('SIGKILL');
    expect(ManagedProcess.endLeftover(pidFile, marker)).toBe(false); // the file is gone
    writeFileSync(pidFile, 'not a pid\n');
    expect(ManagedProcess.endLeftover(pidFile, marker)).toBe(false);
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const p = managed(
      'stubborn',
      "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)",
      async () => (p.outputTail().includes('up') ? null : 'starting'),
    );
    await p.start();
    await p.stop(300);
    expect(p.running).toBe(false);
  });
});
