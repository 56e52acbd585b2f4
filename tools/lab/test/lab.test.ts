// `filament-lab --once --json --workloads in-process` as a child process, the way CI and the README run it:
// a real controller and two real agents, the topology through the REST API, the ports through the port
// APIs, then every check must pass and the JSON summary must show them; afterwards no process is left.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { canConnect } from '@filament/testkit';
import { describe, expect, it } from 'vitest';
import type { LabSummary } from '../src/index.js';
import { labFlags, runLabProcess, testLabOptions } from './support.js';

describe('lab --once --json (in-process workloads)', () => {
  it('passes every check and exits 0, leaving nothing running', async () => {
    const o = testLabOptions(1);
    const r = await runLabProcess(['--once', '--json', '--workloads', 'in-process', ...labFlags(o)]);
    let summary: LabSummary;
    try {
      summary = JSON.parse(r.stdout) as LabSummary;
    } catch {
      throw new Error(
        `no JSON summary (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-6000)}`,
      );
    }
    const failed = summary.checks.filter((c) => !c.ok);
    expect(failed, r.stderr.slice(-6000)).toEqual([]);
    expect(r.code).toBe(0);
    expect(summary.ok).toBe(true);
    expect(summary.workloads.mode).toBe('in-process');
    expect(summary.checks.map((c) => c.id)).toEqual([
      'ping-red',
      'tcp-red',
      'ping-blue',
      'tcp-blue',
      'tcp-red-blue-allowed',
      'tcp-red-blue-denied',
      'ping-red-blue-denied',
      'encaps',
      'controller-agents',
      'routes-compute-1',
      'routes-compute-2',
      'flows',
    ]);
    // The denied flows were counted as policy drops, and the traffic crossed both encapsulations.
    expect(summary.checks.find((c) => c.id === 'tcp-red-blue-denied')?.observed).toMatch(
      /policy drops \+[1-9]/,
    );
    expect(summary.checks.find((c) => c.id === 'encaps')?.observed).toMatch(/VXLAN/);
    expect(summary.checks.find((c) => c.id === 'encaps')?.observed).toMatch(/MPLSoUDP/);
    // Each agent holds tunnel routes to the other's workloads and shows flows.
    for (const a of summary.agents) {
      expect(a.routes.some((x) => x.nextHop.startsWith('tunnel'))).toBe(true);
      expect(a.flows.length).toBeGreaterThan(0);
    }
    expect(summary.endpoints.api).toBe(`http://${o.apiHost}:${o.apiPort}`);
    expect(r.stderr).toContain('starting the controller');
    expect(r.stderr).toContain('workloads: in-process');
    // Clean shutdown: the API, port APIs and introspect endpoints are gone.
    expect(await canConnect(o.apiHost, o.apiPort)).toBe(false);
    for (const u of o.underlays) {
      expect(await canConnect(u, o.portApiPort)).toBe(false);
      expect(await canConnect(u, o.introspectPort)).toBe(false);
    }
  }, 300_000);

  it('stays up until Ctrl-C, then stops every child and exits 0', async () => {
    const o = testLabOptions(1);
    const p = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@filament/source',
        'src/main.ts',
        '--workloads',
        'in-process',
        ...labFlags(o),
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    for (let i = 0; i < 1200 && !stderr.includes('press Ctrl-C'); i++) {
      if (p.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stderr, stderr.slice(-4000)).toContain('press Ctrl-C');
    expect(stdout).toContain('checks passed');
    expect(stdout).toContain(`config API    http://${o.apiHost}:${o.apiPort}`);
    // While it is up, the API answers and so do the agents.
    expect(await canConnect(o.apiHost, o.apiPort)).toBe(true);
    expect(await canConnect(o.underlays[1], o.introspectPort)).toBe(true);
    p.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('stopped every process');
    expect(await canConnect(o.apiHost, o.apiPort)).toBe(false);
    expect(await canConnect(o.apiHost, o.xmppPort)).toBe(false);
    for (const u of o.underlays) expect(await canConnect(u, o.introspectPort)).toBe(false);
  }, 300_000);

  it('a run after a lab that was killed with -9 ends the processes it left, then passes', async () => {
    const o = testLabOptions(1);
    const first = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@filament/source',
        'src/main.ts',
        '--workloads',
        'in-process',
        ...labFlags(o),
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; i < 1200 && !stderr.includes('press Ctrl-C') && first.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(stderr, stderr.slice(-4000)).toContain('press Ctrl-C');
    const gone = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await gone;
    // Its controller and agents are still running ...
    expect(await canConnect(o.apiHost, o.apiPort)).toBe(true);
    // ... until the next run, on the same state directory, ends them and starts its own.
    const r = await runLabProcess(['--once', '--json', '--workloads', 'in-process', ...labFlags(o)]);
    expect(r.stderr).toContain('ended controller left running by an earlier lab');
    expect(r.stderr).toContain('ended agent compute-1 left running by an earlier lab');
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(await canConnect(o.apiHost, o.apiPort)).toBe(false);
  }, 300_000);

  it('prints its help and rejects a bad option with exit 2', async () => {
    const help = await runLabProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: filament lab');
    const bad = await runLabProcess(['--workloads', 'vm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workloads must be auto, in-process or tap');
  }, 60_000);
});
