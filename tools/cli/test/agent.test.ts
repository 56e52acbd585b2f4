// `filament agent ports|routes|flows|vrfs|xmpp` against a real filament-agent process (run from its source
// with tsx, as the agent's own process test does) whose control node is an @filament/xmpp XmppServer: the
// channel shows as established, a port added through the agent's port API shows as pending (no config
// for it), tables and --json, the introspect token, and an unreachable agent exits 1. 127.0.69.4x-8x (the lab uses .1, .11, .12), ports 3570x.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmppServer } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/built-cli.js';
import { cli } from './support/cli.js';

const HOST = '127.0.69.81';
const XMPP_PORT = 35_701;
const PORT_API = 35_702;
const INTROSPECT = 35_703;
const URL = `http://${HOST}:${INTROSPECT}`;
const VMI = '00000002-0000-4000-8000-000000000001';
// The agent's introspect asks for this token; the CLI sends it from FILAMENT_AGENT_TOKEN or --token.
const TOKEN = 'cli-agent-introspect-token';

async function until(f: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await f().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('filament agent', () => {
  const server = new XmppServer({ hostname: 'cli-test-control' });
  const stateDir = mkdtempSync(join(tmpdir(), 'filament-cli-agent-'));
  let agent: ChildProcess;

  beforeAll(async () => {
    await server.listen(XMPP_PORT, HOST);
    const dir = join(repoRoot, 'apps', 'agent');
    const tokenFile = join(stateDir, 'introspect-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    process.env.FILAMENT_AGENT_TOKEN = TOKEN;
    agent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@filament/source',
        join(dir, 'src', 'main.ts'),
        '--name',
        'cli-agent',
        '--underlay',
        HOST,
        '--controller',
        `${HOST}:${XMPP_PORT}`,
        '--port-api',
        `${HOST}:${PORT_API}`,
        '--introspect',
        `${HOST}:${INTROSPECT}`,
        '--introspect-token-file',
        tokenFile,
        '--state-dir',
        stateDir,
        '--retry-ms',
        '50',
        '--log-level',
        'warn',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    await until(
      async () => (await fetch(`${URL}/xmpp`, { headers: { 'x-auth-token': TOKEN } })).ok,
      'agent introspect',
    );
    await until(async () => server.sessions.has('cli-agent'), 'agent session');
    const res = await fetch(`http://${HOST}:${PORT_API}/port`, {
      method: 'POST',
      body: JSON.stringify({
        id: VMI,
        'instance-id': '00000001-0000-4000-8000-000000000001',
        'mac-address': '02:00:00:00:01:11',
        'ip-address': '10.1.1.11',
      }),
    });
    expect(res.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    if (agent.exitCode === null) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await server.close();
    delete process.env.FILAMENT_AGENT_TOKEN;
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('xmpp: the channel to the control node, as a table and as JSON', async () => {
    const t = await cli(['agent', 'xmpp', '--introspect', URL]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('agent cli-agent: connected');
    expect(t.stdout).toMatch(new RegExp(`${HOST}:${XMPP_PORT}\\s+established`));
    const j = await cli(['agent', 'xmpp', '--introspect', URL, '--json']);
    const x = JSON.parse(j.stdout) as { controllers: { state: string }[]; headless: boolean };
    expect(x.headless).toBe(false);
    expect(x.controllers[0]!.state).toBe('established');
  });

  it('ports: the port from the port API, pending until its config arrives', async () => {
    const t = await cli(['agent', 'ports', '--introspect', URL]);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^PORT\s+STATE\s+KIND/);
    expect(t.stdout).toMatch(new RegExp(`${VMI}\\s+pending\\s+in-process`));
    expect(t.stdout).toContain('waiting for the virtual-machine-interface config');
  });

  it('vrfs, routes and flows: empty tables, and JSON arrays', async () => {
    for (const view of ['vrfs', 'routes', 'flows']) {
      const t = await cli(['agent', view, '--introspect', URL]);
      expect(t.code, view).toBe(0);
      const j = await cli(['agent', view, '--introspect', URL, '--json']);
      expect(JSON.parse(j.stdout), view).toEqual([]);
    }
    expect((await cli(['agent', 'vrfs', '--introspect', URL])).stdout).toMatch(/^VRF\s+VNI\s+ROUTES4/);
  });

  it('sends the token: --token overrides FILAMENT_AGENT_TOKEN, and a wrong one is refused (exit 1, 401)', async () => {
    const ok = await cli(['agent', 'xmpp', '--introspect', URL, '--token', TOKEN, '--json']);
    expect(ok.code).toBe(0);
    const bad = await cli(['agent', 'xmpp', '--introspect', URL, '--token', 'wrong']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('HTTP 401');
  });

  it('an agent that is not there: exit 1 with the URL; a bad option: usage error', async () => {
    const r = await cli(['agent', 'routes', '--introspect', `http://${HOST}:1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`http://${HOST}:1`);
    const u = await cli(['agent', 'flows', '--vrf', 'x']);
    expect(u.code).toBe(2);
  });
});
