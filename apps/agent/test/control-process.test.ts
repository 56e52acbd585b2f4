// The filament-agent process (contract F) as a real child process: --help, flag errors (exit 2), then a
// run against the simulated control node with pino JSON logs: it connects, takes a port through the port
// API, publishes its routes, serves /xmpp, and stops cleanly on SIGTERM. 127.0.69.4x-8x (the lab uses .1, .11, .12).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ids, portBody, type SimController, until, type WorkloadConfig } from './control-sim.js';
import { startSimulatedControl, stopControlTest } from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const pkg = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const MAIN = join(pkg, 'src', 'main.ts');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@filament/source', MAIN];

const CONTROL = '127.0.69.61';
const UNDERLAY = '127.0.69.71';
const XMPP_PORT = 35_691;
const PORT_API = 35_692;
const INTROSPECT = 35_693;

const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:00:01:11' };

function runSync(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: pkg,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('filament-agent process', () => {
  let sim: SimController;
  let child: ChildProcess | undefined;
  let stateDir: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ({ sim, stateDir } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'control-process',
      objects: topologyObjects({
        routers: [['compute-69', UNDERLAY]],
        networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1001 }],
        workloads: [w1],
      }),
    }));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    await stopControlTest([], [sim], stateDir);
  });

  it('--help prints the usage; a bad flag exits 2 naming it', () => {
    const help = runSync(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: filament-agent');
    expect(help.stdout).toContain('--controller HOST[:PORT]');
    const bad = runSync([
      '--name',
      'x',
      '--underlay',
      '10.0.0.1',
      '--controller',
      'a:1',
      '--controller',
      'b:2',
      '--controller',
      'c:3',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('give one or two control nodes');
    const unknown = runSync(['--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--bogus');
  });

  it('runs: connects, takes a port, publishes routes, serves /xmpp, stops on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [
        ...NODE_ARGS,
        '--name',
        'compute-69',
        '--underlay',
        UNDERLAY,
        '--controller',
        `${CONTROL}:${XMPP_PORT}`,
        '--port-api',
        `${UNDERLAY}:${PORT_API}`,
        '--introspect',
        `${UNDERLAY}:${INTROSPECT}`,
        '--state-dir',
        stateDir,
        '--retry-ms',
        '50',
        '--json-logs',
      ],
      { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
    });
    await until(() => lines.some((l) => l.msg === 'agent started'), 'agent started log', 30_000);
    expect(lines.find((l) => l.msg === 'agent started')).toMatchObject({
      name: 'agent:compute-69',
      underlay: UNDERLAY,
      controllers: [`${CONTROL}:${XMPP_PORT}`],
    });
    const r = await http('POST', `http://${UNDERLAY}:${PORT_API}/port`, portBody(w1));
    expect(r.status).toBe(200);
    await until(
      () => sim.rib.get('default-domain:admin:blue:blue')?.has('inet|10.1.1.11/32'),
      'route published',
    );
    const x = (await http('GET', `http://${UNDERLAY}:${INTROSPECT}/xmpp`)).json as {
      controllers: { state: string }[];
    };
    expect(x.controllers[0]!.state).toBe('established');
    const ports = (await http('GET', `http://${UNDERLAY}:${INTROSPECT}/ports`)).json as {
      id: string;
      state: string;
    }[];
    expect(ports).toEqual([expect.objectContaining({ id: ids.vmi(1), state: 'attached' })]);
    const exited = new Promise<number | null>((res) => child?.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((l) => l.msg === 'stopping')).toBe(true);
    expect(lines.some((l) => l.msg === 'port attached')).toBe(true);
  });
});
