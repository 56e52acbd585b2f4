// Object creations per second on the embedded store, each beside baselines from the same run:
//   - through the REST API (HTTP, 64 requests in flight, token auth, validation, IPAM) on SQLite with group commit,
//     the controller in a child process; also reported per CPU-second the controller used, a figure that does not
//     depend on what else the machine is running
//   - the store alone (256 commits in flight) on SQLite with group commit
//   - baseline: the same store with one transaction (and one fsync) per commit (maxBatch 1)
//   - baseline: a naive JSON-file store that rewrites and fsyncs one file per write
// The tinybench harness (runBench) times synchronous functions; these are concurrent async workloads, so this
// file times fixed batches itself and prints the same kind of table.
//
// The controller runs as `filament-controller` does, control plane included (XMPP server for agents, route
// distribution, config feed, introspect, on free loopback ports): it consumes every change the API makes.
//
//   pnpm --filter @filament/controller bench          (BENCH_N=5000 to change the batch size;
//   BENCH_CONTROLLER_ARGS='--durability normal' passes flags to the controller;
//   BENCH_CPU_PROF=DIR writes a V8 CPU profile of the controller there;
//   BENCH_NODE_ARGS='--max-semi-space-size=32' passes flags to the controller's node;
//   BENCH_BEFORE_APP=DIR also runs the controller of another checkout of apps/controller (e.g. the previous
//   commit, `git archive HEAD~1 apps/controller | tar -x -C /tmp/x` plus a node_modules symlink) first, so that
//   before and after are measured in the same run)

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, freePort, scratchDir, waitFor } from '@filament/testkit';
import type { NewObject, Store } from '../src/store/interface.js';
import { SqliteStore } from '../src/store/sqlite.js';

const N = Number(process.env.BENCH_N ?? 5000);
const APP = join(dirname(fileURLToPath(import.meta.url)), '..');

async function timed(
  name: string,
  n: number,
  fn: () => Promise<void>,
): Promise<{ name: string; perSec: number }> {
  const t0 = process.hrtime.bigint();
  await fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const perSec = n / s;
  console.log(`  ${name.padEnd(74)} ${perSec.toFixed(0).padStart(8)} /s  (${n} in ${s.toFixed(2)} s)`);
  return { name, perSec };
}

async function pool(n: number, inflight: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < n) await one(next++);
    }),
  );
}

function policy(parent: NewObject, i: number): NewObject {
  return {
    type: 'network-policy',
    uuid: randomUUID(),
    fqName: [...parent.fqName, `np-${i}`],
    parentType: 'project',
    parentUuid: parent.uuid,
    refs: [],
    claims: [],
    body: {
      network_policy_entries: {
        policy_rule: [{ protocol: 'tcp', direction: '<>', action_list: { simple_action: 'pass' } }],
      },
    },
  };
}

async function storeBench(
  name: string,
  store: Store,
  inflight: number,
): Promise<{ name: string; perSec: number }> {
  const domain: NewObject = {
    type: 'domain',
    uuid: randomUUID(),
    fqName: ['d'],
    refs: [],
    claims: [],
    body: {},
  };
  const project: NewObject = {
    type: 'project',
    uuid: randomUUID(),
    fqName: ['d', 'p'],
    parentType: 'domain',
    parentUuid: domain.uuid,
    refs: [],
    claims: [],
    body: {},
  };
  await store.commit([
    { op: 'create', object: domain },
    { op: 'create', object: project },
  ]);
  const r = await timed(name, N, () =>
    pool(N, inflight, async (i) => void (await store.commit([{ op: 'create', object: policy(project, i) }]))),
  );
  await store.close();
  return r;
}

/** The naive baseline: the whole config in one JSON file, rewritten and fsynced per write (write + rename). */
async function jsonFileBench(dir: string): Promise<{ name: string; perSec: number }> {
  const file = join(dir, 'config.json');
  writeFileSync(file, '{}');
  const project = { uuid: randomUUID(), fqName: ['d', 'p'] } as NewObject;
  let chain = Promise.resolve();
  const create = (o: NewObject) => {
    chain = chain.then(() => {
      const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (
        Object.values(all).some((x) => JSON.stringify((x as NewObject).fqName) === JSON.stringify(o.fqName))
      )
        throw new Error('exists');
      all[o.uuid] = o;
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(all));
      const fd = openSync(tmp, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, file);
    });
    return chain;
  };
  const n = Math.min(N, 2000);
  return timed('baseline: naive JSON file store (rewrite + fsync per write)', n, () =>
    pool(n, 64, (i) => create(policy(project, i))),
  );
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const load = (): string =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** The controller in a child process (so the load generator does not share its event loop), over HTTP. */
async function apiBench(dir: string, app: string, label: string): Promise<void> {
  const port = await freePort();
  const prof = process.env.BENCH_CPU_PROF;
  console.log(`\n${label}: controller from ${app} (${load()})`);
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      '--conditions=@filament/source',
      'src/main.ts',
      '--data-dir',
      join(dir, 'api'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--log-level',
      'warn',
      '--xmpp-host',
      '127.0.0.1',
      '--xmpp-port',
      String(await freePort()),
      '--introspect-port',
      String(await freePort()),
      ...(process.env.BENCH_CONTROLLER_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitFor('controller', () => canConnect('127.0.0.1', port), 60_000, 100);
    const token = readFileSync(join(dir, 'api', 'admin-token'), 'utf8').trim();
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const post = (path: string, body: unknown) =>
      new Promise<void>((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            agent,
            headers: {
              'x-auth-token': token,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(data),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              res.statusCode === 200
                ? resolve()
                : reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks)}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    const run = async (name: string, n: number, one: (i: number) => Promise<void>) => {
      const cpu0 = cpuSeconds(child.pid!);
      const r = await timed(name, n, () => pool(n, 64, one));
      const cpu = cpuSeconds(child.pid!) - cpu0;
      console.log(
        `  ${''.padEnd(74)} ${(n / cpu).toFixed(0).padStart(8)} /s per controller CPU-second (${cpu.toFixed(2)} s CPU, ${load()})`,
      );
      return r;
    };
    // Warm-up (JIT, connections, first pages of the database), not measured.
    await pool(500, 64, (i) =>
      post('/network-policys', {
        'network-policy': { fq_name: ['default-domain', 'default-project', `warm-${i}`] },
      }),
    );
    await run('REST API: POST /network-policys, 64 in flight (sqlite, group commit)', N, (i) =>
      post('/network-policys', {
        'network-policy': { fq_name: ['default-domain', 'default-project', `np-${i}`] },
      }),
    );
    await post('/virtual-networks', {
      'virtual-network': {
        fq_name: ['default-domain', 'default-project', 'bench'],
        network_ipam_refs: [
          {
            to: ['default-domain', 'default-project', 'default-network-ipam'],
            attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.0.0.0', ip_prefix_len: 8 } }] },
          },
        ],
      },
    });
    await run('REST API: POST /virtual-machine-interfaces (MAC allocation), 64 in flight', N, (i) =>
      post('/virtual-machine-interfaces', {
        'virtual-machine-interface': {
          fq_name: ['default-domain', 'default-project', `vmi-${i}`],
          virtual_network_refs: [{ to: ['default-domain', 'default-project', 'bench'] }],
        },
      }),
    );
    const nIp = Math.min(N, 2000);
    await run('REST API: POST /instance-ips (address allocation in one network), 64 in flight', nIp, () =>
      post('/instance-ips', {
        'instance-ip': { virtual_network_refs: [{ to: ['default-domain', 'default-project', 'bench'] }] },
      }),
    );
    agent.destroy();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

const dir = scratchDir('filament-bench-');
try {
  console.log(`\nconfig object creations per second, embedded store (N=${N}, data on ${dir.path})`);
  const before = process.env.BENCH_BEFORE_APP;
  if (before) await apiBench(join(dir.path, 'before'), before, 'before');
  await apiBench(join(dir.path, 'after'), APP, before ? 'after' : 'this checkout');
  console.log('');
  await storeBench(
    'store.commit create, 256 in flight (sqlite, group commit)',
    new SqliteStore({ dataDir: join(dir.path, 'grouped') }),
    256,
  );
  await storeBench(
    'baseline: store.commit create, one transaction per commit (sqlite, maxBatch 1)',
    new SqliteStore({ dataDir: join(dir.path, 'single'), maxBatch: 1 }),
    256,
  );
  await jsonFileBench(dir.path);
} finally {
  dir.cleanup();
}
