// Benchmarks of @filament/xmpp (run once, at the end, not in CI):
//   1. codec: decode / encode of a 32-route CN message (decode also through the cursor path alone), framer +
//      decode, and ltx's plain `parse` on the same text as the baseline (tinybench through runBench);
//   2. route items/s through a real loopback TCP session: a child process plays the control node and sends
//      pre-encoded 32-route messages; the main thread is the agent (XmppClient: socket, string decoder,
//      framer, tokenizer, typed decode); wall-clock and per CPU-second of this process (one core);
//      plus the same with encoding on the main thread too (AgentSession.sendRoutes -> XmppClient);
//   3. 1,000 agent sessions held by one XmppServer: raw agents in a worker thread, memory of the server's
//      isolate per session at rest (heap + external, after GC).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { runBench, scratchDir } from '@filament/testkit';
import { parse } from 'ltx';
import {
  type AgentSession,
  CONTROL_NODE_JID,
  decodeStanza,
  encodeRouteUpdate,
  encodeStreamHeader,
  encodeSubscribe,
  FRAME_STANZA,
  Framer,
  XmppClient,
  XmppServer,
} from '../src/index.js';
import { inetRoute, VRF } from '../test/fixtures.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const items = Array.from({ length: 32 }, (_, i) => ({ route: inetRoute(i) }));
const msg = encodeRouteUpdate(CONTROL_NODE_JID, 'compute-1/bgp-peer', 'inet', VRF, items);
// The same message with a comment in each entry, which the literal fast path never matches: the cursor path.
const cursorMsg = msg.replace(/<entry>/g, '<entry><!-- -->');

async function codec(): Promise<void> {
  let sink = 0;
  console.log(`32-route message: ${msg.length} characters, ${Math.round(msg.length / 32)} per route`);
  const rows = await runBench('codec, per route item (32-route CN message)', [
    {
      name: 'ltx parse (baseline, tree only)',
      items: 32,
      fn: () => {
        sink += parse(msg).children.length;
      },
    },
    {
      name: 'decodeStanza (typed routes)',
      items: 32,
      fn: () => {
        const s = decodeStanza(msg);
        if (s.kind === 'route-update') sink += s.items.length;
      },
    },
    {
      name: 'decodeStanza, cursor path (no literal)',
      items: 32,
      fn: () => {
        const s = decodeStanza(cursorMsg);
        if (s.kind === 'route-update') sink += s.items.length;
      },
    },
    {
      name: 'framer + decodeStanza',
      items: 32,
      fn: () => {
        const f = new Framer(
          (k, t) => {
            if (k === FRAME_STANZA) sink += decodeStanza(t).kind.length;
          },
          { requireHeader: false },
        );
        f.write(msg);
      },
    },
    {
      name: 'encodeRouteUpdate',
      items: 32,
      fn: () => {
        sink += encodeRouteUpdate(CONTROL_NODE_JID, 'c/bgp-peer', 'inet', VRF, items).length;
      },
    },
  ]);
  if (sink === 42) console.log('');
  const dec = rows[1]!;
  const enc = rows[4]!;
  console.log(`  encode/decode cost ratio: ${(enc.nsPerItem / dec.nsPerItem).toFixed(2)}`);
}

/** CN in a child process: answers the header, then writes `count` copies of the message. */
const cnChild = `
const fs = require('node:fs');
const net = require('node:net');
const [header, msg] = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const count = Number(process.argv[2]);
const srv = net.createServer((sock) => {
  let started = false;
  sock.on('data', () => {
    if (started) return;
    started = true;
    sock.write(header);
    let n = 0;
    const pump = () => {
      while (n < count) {
        n++;
        if (!sock.write(msg)) return sock.once('drain', pump);
      }
    };
    pump();
  });
  sock.on('error', () => {});
  sock.on('close', () => srv.close());
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
`;

async function sessionThroughput(count: number): Promise<void> {
  const header = encodeStreamHeader({
    from: 'cn-bench',
    to: 'compute-1',
    id: '++123',
    version: '1.0',
    lang: 'en',
    xmlns: 'jabber:client',
  });
  const dir = scratchDir('filament-xmpp-bench-');
  const file = join(dir.path, 'msg.json');
  writeFileSync(file, JSON.stringify([header, msg]));
  const child = spawn(process.execPath, ['-e', cnChild, file, String(count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const client = new XmppClient({
    name: 'compute-1',
    servers: [{ host: '127.0.0.1', port }],
    configSubscribe: false,
  });
  let got = 0;
  const done = new Promise<void>((resolve) => {
    client.on('route-update', (_i, m) => {
      got += m.items.length;
      if (got === count * 32) resolve();
    });
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  client.start();
  await done;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `\nloopback TCP session, CN in another process, this process is the agent (socket, UTF-8, framing, parse, typed decode):` +
      `\n  ${got} routes in ${ms.toFixed(0)} ms wall = ${Math.round((got / ms) * 1000)} routes/s;` +
      ` ${cpuMs.toFixed(0)} ms CPU = ${Math.round((got / cpuMs) * 1000)} routes per CPU-second` +
      ` (${((msg.length * count) / ms / 1000).toFixed(0)} MB/s)`,
  );
  await client.stop();
  child.kill();
  await once(child, 'exit');
  dir.cleanup();

  // Same exchange with both ends in this thread: encode + send + frame + parse + decode on one core.
  const server = new XmppServer({ hostname: 'cn-bench' });
  const addr = await server.listen(0, '127.0.0.1');
  const c2 = new XmppClient({
    name: 'compute-2',
    servers: [{ host: '127.0.0.1', port: addr.port }],
    configSubscribe: false,
  });
  c2.subscribe(VRF);
  const sessionP = once(server, 'session');
  c2.start();
  const [agent] = (await sessionP) as [AgentSession];
  await once(agent, 'end-of-rib');
  let got2 = 0;
  const n2 = Math.floor(count / 2);
  const done2 = new Promise<void>((resolve) => {
    c2.on('route-update', (_i, m) => {
      got2 += m.items.length;
      if (got2 === n2 * 32) resolve();
    });
  });
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  let sent = 0;
  const pump = (): void => {
    while (sent < n2) {
      sent++;
      if (!agent.sendRoutes('inet', VRF, items)) {
        agent.session.once('drain', pump);
        return;
      }
    }
  };
  pump();
  await done2;
  const ms2 = performance.now() - t1;
  const c = process.cpuUsage(cpu1);
  const cpu2 = (c.user + c.system) / 1000;
  console.log(
    `loopback TCP session, encode + send + decode in this one thread: ${got2} routes in ${ms2.toFixed(0)} ms = ` +
      `${Math.round((got2 / ms2) * 1000)} routes/s; ${Math.round((got2 / cpu2) * 1000)} routes per CPU-second`,
  );
  await c2.stop();
  await server.close();
}

const agentsWorker = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const socks = [];
let up = 0;
for (let i = 0; i < workerData.n; i++) {
  const s = net.connect({ host: '127.0.0.1', port: workerData.port });
  s.on('error', () => {});
  s.on('data', () => {});
  s.once('connect', () => {
    s.write(workerData.headers[i] + workerData.subs[i]);
    if (++up === workerData.n) parentPort.postMessage('up');
  });
  socks.push(s);
}
parentPort.on('message', () => { for (const s of socks) s.destroy(); parentPort.postMessage('down'); });
`;

async function sessionsHeld(n: number): Promise<void> {
  const server = new XmppServer({ hostname: 'cn-bench', maxSessions: n + 10 });
  const { port } = await server.listen(0, '127.0.0.1');
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage();
  const headers = Array.from({ length: n }, (_, i) =>
    encodeStreamHeader({ from: `agent-${i}`, to: CONTROL_NODE_JID, version: '1.0', lang: 'en', xmlns: '' }),
  );
  const subs = Array.from({ length: n }, (_, i) =>
    encodeSubscribe(
      'subscribe',
      { from: `agent-${i}`, to: `${CONTROL_NODE_JID}/bgp-peer`, id: 'subscribe0' },
      VRF,
      { instanceId: i },
    ),
  );
  let subscribed = 0;
  const all = new Promise<void>((resolve) => {
    server.on('session', (s) => s.once('subscribe', () => ++subscribed === n && resolve()));
  });
  const w = new Worker(agentsWorker, { eval: true, workerData: { port, n, headers, subs } });
  await all;
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < 3; i++) gc();
  const after = process.memoryUsage();
  const heap = (after.heapUsed - before.heapUsed) / n;
  const ext = (after.external - before.external) / n;
  const rss = (after.rss - before.rss) / n;
  console.log(
    `\n${server.sessions.size} established agent sessions on one server, each subscribed to a VRF, at rest:` +
      ` ${(heap / 1024).toFixed(1)} KB heap + ${(ext / 1024).toFixed(1)} KB external = ${((heap + ext) / 1024).toFixed(1)} KB per session` +
      ` in the server's isolate; process RSS grew ${(rss / 1024).toFixed(1)} KB per session, an upper bound that also` +
      ` holds the agents' side (their sockets and isolate live in the same process)`,
  );
  w.postMessage('stop');
  await once(w, 'message');
  await w.terminate();
  await server.close();
}

// Sessions first, so the memory baseline is not disturbed by the buffers the other benchmarks free.
await sessionsHeld(Number(process.env.BENCH_SESSIONS ?? 1000));
await codec();
await sessionThroughput(Number(process.env.BENCH_MESSAGES ?? 20_000));
