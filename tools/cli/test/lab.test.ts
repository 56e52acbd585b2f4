// `filament lab`, registered in the filament command: its help, a usage error, and a whole run with
// --once --json (in-process workloads) through the CLI's own entry point — a real controller and two real
// agents, every check passing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabSummary } from '@filament/lab';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

describe('filament lab', () => {
  it('is listed and prints its help', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/filament lab +run a controller and two agents/);
    const r = await cli(['lab', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: filament lab [options]');
    expect(r.stdout).toContain('--workloads MODE');
  });

  it('rejects a bad option with exit 2 and the help', async () => {
    const r = await cli(['lab', '--api-port', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--api-port must be a port number');
    expect(r.stderr).toContain('Usage: filament lab');
  });

  it('runs the lab once and passes every check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'filament-cli-lab-'));
    const r = await cli([
      'lab',
      '--once',
      '--json',
      '--workloads',
      'in-process',
      '--hosts',
      'loopback',
      '--state-dir',
      dir,
      '--api-host',
      '127.0.67.1',
      '--api-port',
      '38471',
      '--xmpp-port',
      '38472',
      '--port-api-port',
      '38473',
      '--introspect-port',
      '38474',
      '--controller-introspect-port',
      '38475',
      '--underlays',
      '127.0.67.11,127.0.67.12',
    ]);
    const summary = JSON.parse(r.stdout) as LabSummary;
    expect(
      summary.checks.filter((c) => !c.ok),
      r.stderr.slice(-4000),
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(summary.checks.length).toBeGreaterThanOrEqual(11);
  }, 240_000);
});
