// Durability: a controller process is killed with SIGKILL in the middle of a burst of concurrent writes; after a
// restart on the same data directory every write that was acknowledged (HTTP 200) is there, and no address was
// handed out twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, freePort, scratchDir, waitFor } from '@filament/testkit';
import { expect, it } from 'vitest';
import { describeWithSqlite } from './support/sqlite.js';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');

function startChild(dataDir: string, port: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@filament/source',
      'src/main.ts',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      // Durability is the store's: no XMPP server or introspect, which would bind 0.0.0.0:5269 and :8083 by
      // default and collide with other controllers on the machine.
      '--no-control',
      '--log-level',
      'warn',
    ],
    { cwd: APP, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

async function waitUp(port: number, child: ChildProcess): Promise<void> {
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  await waitFor(
    `controller on ${port}${err ? `: ${err}` : ''}`,
    async () => child.exitCode === null && (await canConnect('127.0.0.1', port)),
    60_000,
    100,
  );
}

describeWithSqlite('crash safety of the embedded store', () => {
  it('keeps every acknowledged write across kill -9 during a burst', async () => {
    const dir = scratchDir('filament-crash-');
    const data = join(dir.path, 'data');
    const port = await freePort();
    let child = startChild(data, port);
    try {
      await waitUp(port, child);
      const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
      const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
      const url = `http://127.0.0.1:${port}`;
      const post = async (path: string, body: unknown) => {
        const r = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
        return { status: r.status, body: (await r.json()) as Record<string, { uuid: string }> };
      };
      const vn = await post('/virtual-networks', {
        'virtual-network': {
          fq_name: ['default-domain', 'default-project', 'crash'],
          network_ipam_refs: [
            {
              to: ['default-domain', 'default-project', 'default-network-ipam'],
              attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.99.0.0', ip_prefix_len: 16 } }] },
            },
          ],
        },
      });
      expect(vn.status).toBe(200);
      const vnUuid = vn.body['virtual-network']!.uuid;
      const acked: { type: string; uuid: string }[] = [];
      let killed = false;
      const worker = async (w: number) => {
        for (let i = 0; i < 2000 && !killed; i++) {
          try {
            const r =
              i % 2 === 0
                ? await post('/network-policys', {
                    'network-policy': { fq_name: ['default-domain', 'default-project', `np-${w}-${i}`] },
                  })
                : await post('/instance-ips', {
                    'instance-ip': { virtual_network_refs: [{ uuid: vnUuid }] },
                  });
            const type = i % 2 === 0 ? 'network-policy' : 'instance-ip';
            if (r.status === 200) acked.push({ type, uuid: r.body[type]!.uuid });
          } catch {
            return; // connection refused/reset once the process is gone
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => worker(w));
      await waitFor('400 acknowledged writes', () => acked.length >= 400, 60_000, 5);
      child.kill('SIGKILL');
      killed = true;
      const ackedAtKill = acked.length;
      await Promise.all(workers);
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
      );
      expect(child.signalCode).toBe('SIGKILL');

      child = startChild(data, port);
      await waitUp(port, child);
      expect(acked.length).toBeGreaterThanOrEqual(ackedAtKill);
      const missing: string[] = [];
      for (const a of acked) {
        const r = await fetch(`${url}/${a.type}/${a.uuid}`, { headers });
        if (r.status !== 200) missing.push(`${a.type} ${a.uuid}: ${r.status}`);
      }
      expect(missing).toEqual([]);
      const ips = (await (await fetch(`${url}/instance-ips?detail=true`, { headers })).json()) as {
        'instance-ips': { 'instance-ip': { instance_ip_address: string } }[];
      };
      const addrs = ips['instance-ips'].map((x) => x['instance-ip'].instance_ip_address);
      expect(new Set(addrs).size).toBe(addrs.length);
    } finally {
      child.kill('SIGKILL');
      dir.cleanup();
    }
  }, 120_000);
});
