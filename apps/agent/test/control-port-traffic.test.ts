// The port API's traffic endpoints (ping, tcp) against the real filament-agent process: every failure path
// (unknown port, unattached port, bad body, no route, no ARP answer, timeout, peer reset) is answered as
// an HTTP status or a failed result, and the process keeps running and forwarding afterwards. A TCP
// exchange that timed out while resolving ARP used to leave a rejected promise nobody observed, which ended
// the process. 127.0.74.x, ports 35741-35743.

import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, ids, portBody, type SimController, until, type WorkloadConfig } from './control-sim.js';
import { startSimulatedControl, stopControlTest } from './support/control-setup.js';
import { topologyObjects } from './support/topology.js';

const pkg = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const MAIN = join(pkg, 'src', 'main.ts');

const CONTROL = '127.0.74.61';
const UNDERLAY = '127.0.74.71';
const XMPP_PORT = 35_741;
const PORT_API = 35_742;
const INTROSPECT = 35_743;
const API = `http://${UNDERLAY}:${PORT_API}`;

const w1: WorkloadConfig = { n: 1, vn: 'blue', address: '10.1.1.11', mac: '02:00:00:00:74:11' };
const w2: WorkloadConfig = { n: 2, vn: 'blue', address: '10.1.1.12', mac: '02:00:00:00:74:12' };
/** Added through the port API but never configured: it stays pending (not attached). */
const w3: WorkloadConfig = { n: 3, vn: 'blue', address: '10.1.1.13', mac: '02:00:00:00:74:13' };

interface TcpAnswer {
  ok: boolean;
  bytes: number;
  error?: string;
  errorName?: string;
}

describe('port API traffic endpoints against the filament-agent process', () => {
  let sim: SimController;
  let child: ChildProcess;
  let stateDir: string;
  let stderr = '';
  let exit: { code: number | null; signal: string | null } | null = null;

  beforeAll(async () => {
    ({ sim, stateDir } = await startSimulatedControl({
      host: CONTROL,
      xmppPort: XMPP_PORT,
      stateDirName: 'port-traffic',
      objects: topologyObjects({
        routers: [['compute-74', UNDERLAY]],
        networks: [{ n: 1, name: 'blue', subnet: '10.1.1.0/24', vni: 1741 }],
        workloads: [w1, w2],
      }),
    }));
    child = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', '--conditions=@filament/source', MAIN],
        ...['--name', 'compute-74', '--underlay', UNDERLAY, '--controller', `${CONTROL}:${XMPP_PORT}`],
        ...['--port-api', `${UNDERLAY}:${PORT_API}`, '--introspect', `${UNDERLAY}:${INTROSPECT}`],
        ...['--state-dir', stateDir, '--retry-ms', '50', '--json-logs'],
      ],
      { cwd: pkg, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
    });
    await until(() => http('GET', `${API}/ports`).then((r) => r.status === 200), 'port API up', 30_000);
    for (const w of [w1, w2, w3]) expect((await http('POST', `${API}/port`, portBody(w))).status).toBe(200);
    for (const w of [w1, w2])
      await until(
        () =>
          http('GET', `${API}/port/${ids.vmi(w.n)}`).then(
            (r) => (r.json as { status?: { state?: string } }).status?.state === 'attached',
          ),
        `${w.address} attached`,
        15_000,
      );
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await stopControlTest([], [sim], stateDir);
  });

  const ping = (n: number, body: unknown) => http('POST', `${API}/port/${ids.vmi(n)}/ping`, body);
  const tcp = (n: number, body: unknown) => http('POST', `${API}/port/${ids.vmi(n)}/tcp`, body);

  it('works when nothing is wrong: ping and TCP echo between two ports of the agent', async () => {
    const p = await ping(1, { to: w2.address, count: 2 });
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ sent: 2, received: 2 });
    const t = await tcp(1, { to: w2.address, port: 7, bytes: 500 });
    expect(t.status).toBe(200);
    expect(t.json).toMatchObject({ ok: true, bytes: 500 });
  });

  it('unknown port 404, unattached port 409, bad bodies 400, unknown action 404', async () => {
    const unknown = await ping(99, { to: w2.address });
    expect([unknown.status, (unknown.json as { name: string }).name]).toEqual([404, 'UnknownPortError']);
    expect((await tcp(99, { to: w2.address })).status).toBe(404);
    const pending = await tcp(3, { to: w1.address });
    expect([pending.status, (pending.json as { name: string }).name]).toEqual([409, 'PortStateError']);
    expect((await ping(3, { to: w1.address })).status).toBe(409);
    for (const body of [{ to: 'nope' }, { to: w2.address, count: 0 }, '{not json', [1]]) {
      const r = await ping(1, body);
      expect([r.status, (r.json as { name: string }).name]).toEqual([400, 'PortRequestError']);
    }
    const big = await tcp(1, { to: w2.address, bytes: 1_000_000 });
    expect([big.status, (big.json as { field: string }).field]).toEqual([400, 'bytes']);
    expect((await http('POST', `${API}/port/${ids.vmi(1)}/bogus`, {})).status).toBe(404);
  });

  it('no ARP answer, no route, refused and timed-out connections are results, not crashes', async () => {
    // All at once: each failure waits for the workload's timeout, and stray timers would fire together.
    const [arpPing, arpTcp, noRoutePing, noRouteTcp, refused] = await Promise.all([
      ping(1, { to: '10.1.1.99', count: 1 }), // on link, nobody owns it: ARP is never answered
      tcp(1, { to: '10.1.1.99', port: 7, bytes: 10 }),
      ping(1, { to: '10.9.9.9', count: 1 }), // off link: via the gateway, and the VRF has no route
      tcp(1, { to: '10.9.9.9', port: 7, bytes: 10 }),
      tcp(1, { to: w2.address, port: 23, bytes: 10 }), // nobody listens on 23: the peer resets
    ]);
    for (const r of [arpPing, noRoutePing]) {
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ sent: 1, received: 0 });
    }
    expect(arpTcp.status).toBe(200);
    expect(arpTcp.json as TcpAnswer).toMatchObject({
      ok: false,
      bytes: 0,
      errorName: 'WorkloadTimeoutError',
    });
    expect((arpTcp.json as TcpAnswer).error).toContain('ARP reply for 10.1.1.99');
    expect(noRouteTcp.json as TcpAnswer).toMatchObject({ ok: false, errorName: 'WorkloadTimeoutError' });
    expect((noRouteTcp.json as TcpAnswer).error).toContain('TCP connect to 10.9.9.9:7');
    expect(refused.json as TcpAnswer).toMatchObject({ ok: false, errorName: 'WorkloadResetError' });
    // Odd but legal requests: to the port's own address, to the gateway's closed TCP port.
    const odd = await Promise.all([
      ping(1, { to: w1.address, count: 1 }),
      tcp(1, { to: w1.address, port: 7, bytes: 10 }),
      tcp(1, { to: '10.1.1.1', port: 80, bytes: 10 }),
    ]);
    for (const r of odd) expect(r.status).toBe(200);
    // The process is still up and still forwards, after every timer the failures started has run out.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(exit).toBeNull();
    expect(stderr).not.toContain('Unhandled');
    const again = await tcp(1, { to: w2.address, port: 7, bytes: 100 });
    expect(again.json).toMatchObject({ ok: true, bytes: 100 });
    // The policy views: no ACL on these ports (no policy in the config), no tagged remote endpoints.
    const acls = (await http('GET', `http://${UNDERLAY}:${INTROSPECT}/acls`)).json as {
      port: string;
      acl: unknown;
    }[];
    expect(acls.map((a) => a.port).sort()).toEqual([ids.vmi(1), ids.vmi(2)]);
    expect((await http('GET', `http://${UNDERLAY}:${INTROSPECT}/tagged-endpoints`)).json).toEqual([]);
    const drops = (await http('GET', `http://${UNDERLAY}:${INTROSPECT}/metrics`)).json as string;
    expect(drops).toMatch(/reason="no_route"\} [1-9]/);
  }, 60_000);
});
