// Control-plane convergence at scale: the controller (a child process, embedded SQLite store) with simulated
// agents over real TCP (XmppClients spread over BENCH_CHILDREN child processes).
//
//   pnpm --filter @filament/controller bench:convergence
//   BENCH_AGENTS=100 BENCH_NETWORKS=200 BENCH_INTERFACES=5000 ... for a scaled-down run
//
// Setup (not timed): networks and virtual-routers through the ConfigService (IPAM allocates VNIs and route
// targets), one virtual-machine + interface + instance-ip per interface written to the store in bulk, every VM
// referenced by its agent's virtual-router. Each network's interfaces sit on BENCH_SPREAD agents, so an agent
// holds interfaces of INTERFACES*SPREAD/(AGENTS*... ) networks (10 VRFs of 25 interfaces with the defaults).
// Then:
//   1. full convergence: all agents connect, subscribe their VRFs and publish their interface routes (inet /32
//      and EVPN MAC/IP); timed until every agent has every route (both families) of every VRF it subscribed;
//   2. single-interface propagation: BENCH_SAMPLES times, a VMI and its instance-ip are created through the REST
//      API on a VM of some agent; the ConfigFeed pushes them to that agent over XMPP, the agent publishes the
//      route, and the time until every agent subscribed to the VRF has it is recorded (p50/p99);
//   3. fan-out (BENCH_FANOUT=0 leaves it out): every agent subscribes its config (timed until all hold their
//      instance-ips), then one project-level change (an application-policy-set under the project, which every
//      agent's graph holds) is timed until every agent has it, while a GET is timed every few ms: the config
//      walks of 1,000 agents take turns with API replies instead of holding the event loop;
//   4. the controller's RSS (current and peak) from /proc.
// Baseline in the same run: the same propagation with the API step left out (the owning agent publishes at
// once), which is the routing path alone.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IfmapGraph } from '@filament/ifmap';
import { canConnect, freePort, scratchDir, waitFor } from '@filament/testkit';
import { XmppClient } from '@filament/xmpp';
import { scopeOf } from '../src/api/scope.js';
import { ConfigService } from '../src/api/service.js';
import { ANONYMOUS_ADMIN } from '../src/auth/tokens.js';
import { bootstrap } from '../src/bootstrap.js';
import { Ipam } from '../src/ipam/hooks.js';
import { RESOURCES } from '../src/schema/resources.js';
import type { NewObject, WriteOp } from '../src/store/interface.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { type InterfaceSpec, interfaceRoutes } from '../test/support/agents.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const AGENTS = env('BENCH_AGENTS', 1000);
const NETWORKS = env('BENCH_NETWORKS', 2000);
const INTERFACES = env('BENCH_INTERFACES', 50_000);
const SPREAD = env('BENCH_SPREAD', 5);
const CHILDREN = env('BENCH_CHILDREN', 2);
const SAMPLES = env('BENCH_SAMPLES', 100);
const FANOUT = env('BENCH_FANOUT', 1) !== 0;
const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT = ['default-domain', 'default-project'];
/** Preloaded into the controller: SIGWINCH writes its memory use before and after a full GC to BENCH_MEMORY_FILE. */
const MEMORY_PROBE = `
import { writeFileSync } from 'node:fs';
process.on('SIGWINCH', () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify({ before, after: process.memoryUsage() }));
});
`;

interface AgentPlan {
  name: string;
  underlay: string;
  vrfs: string[];
  interfaces: InterfaceSpec[];
  /** Routes (inet + EVPN) the agent must hold when converged. */
  expected: number;
}

type ToChild =
  | { t: 'plan'; port: number; agents: AgentPlan[] }
  | { t: 'go' }
  | { t: 'config'; agents: string[] }
  | { t: 'watch'; id: number; vrf: string; key: string }
  | { t: 'publish'; agent: string; iface: InterfaceSpec }
  /** Report once every config-subscribed agent of the process holds this IF-MAP node. */
  | { t: 'watch-node'; id: number; type: string; name: string }
  | { t: 'stop' };

type FromChild =
  | { t: 'ready' }
  | { t: 'converged'; agents: number }
  | { t: 'config-ready' }
  | { t: 'seen'; id: number }
  | { t: 'node-seen'; id: number }
  | { t: 'error'; message: string };

// ---------------------------------------------------------------------------------------------- child side
async function child(): Promise<void> {
  const send = (m: FromChild) => process.send!(m);
  let port = 0;
  const plans = new Map<string, AgentPlan>();
  const clients = new Map<string, XmppClient>();
  const held = new Map<string, Set<string>>();
  const pendingConverge = new Set<string>();
  /** vrf -> agents of this process subscribed to it. */
  const byVrf = new Map<string, string[]>();
  const watches = new Map<string, { id: number; got: Set<string>; need: number }>();
  let convergedSent = false;
  const labels = new Map<string, number>();
  /** Addresses each agent already published (plan, samples), so a config push does not republish them. */
  const publishedIps = new Map<string, Set<string>>();
  const configWaiting = new Map<string, number>();
  const configGraphs = new Map<string, IfmapGraph>();
  const nodeWatches = new Map<number, { type: string; name: string; got: Set<string> }>();
  const checkNodeWatches = (agent: string | undefined) => {
    for (const [id, w] of nodeWatches) {
      if (agent !== undefined && configGraphs.get(agent)?.has(w.type, w.name)) w.got.add(agent);
      if (w.got.size >= configGraphs.size) {
        nodeWatches.delete(id);
        send({ t: 'node-seen', id });
      }
    }
  };

  const checkWatch = (w: { id: number; got: Set<string>; need: number }, key: string) => {
    if (w.got.size >= w.need) {
      watches.delete(key);
      send({ t: 'seen', id: w.id });
    }
  };

  process.on('message', (m: ToChild) => {
    switch (m.t) {
      case 'plan':
        port = m.port;
        for (const a of m.agents) {
          plans.set(a.name, a);
          publishedIps.set(a.name, new Set(a.interfaces.map((i) => i.ip)));
          labels.set(a.name, 16 + a.interfaces.length);
          for (const v of a.vrfs) {
            const l = byVrf.get(v) ?? [];
            l.push(a.name);
            byVrf.set(v, l);
          }
        }
        send({ t: 'ready' });
        return;
      case 'go':
        void connectAll();
        return;
      case 'config':
        for (const name of m.agents) subscribeConfig(name);
        if (configWaiting.size === 0) send({ t: 'config-ready' });
        return;
      case 'watch': {
        const k = `${m.vrf}\t${m.key}`;
        const w = { id: m.id, got: new Set<string>(), need: byVrf.get(m.vrf)?.length ?? 0 };
        watches.set(k, w);
        checkWatch(w, k);
        return;
      }
      case 'watch-node': {
        const w = { type: m.type, name: m.name, got: new Set<string>() };
        for (const [agent, g] of configGraphs) if (g.has(m.type, m.name)) w.got.add(agent);
        nodeWatches.set(m.id, w);
        checkNodeWatches(undefined);
        return;
      }
      case 'publish': {
        const c = clients.get(m.agent);
        const plan = plans.get(m.agent);
        if (c && plan) {
          publishedIps.get(m.agent)!.add(m.iface.ip);
          const r = interfaceRoutes(plan.underlay, m.iface);
          c.publish(m.iface.vrf, r.inet);
          c.publish(m.iface.vrf, r.enet);
        }
        return;
      }
      case 'stop':
        void Promise.all([...clients.values()].map((c) => c.stop())).then(() => process.exit(0));
    }
  });

  function subscribeConfig(name: string): void {
    const c = clients.get(name);
    const plan = plans.get(name);
    if (!c || !plan || configGraphs.has(name)) return;
    const graph = new IfmapGraph();
    configGraphs.set(name, graph);
    const published = publishedIps.get(name)!;
    configWaiting.set(name, plan.interfaces.length);
    c.on('config', (_s, msg) => {
      graph.apply(msg.blocks);
      if (nodeWatches.size > 0) checkNodeWatches(name);
      let iips = 0;
      for (const iip of graph.objects('instance-ip')) {
        iips++;
        const addr = iip.instance_ip_address as string | undefined;
        if (!addr || published.has(addr)) continue;
        const iipName = (iip.fq_name as string[]).join(':');
        const vmiName = graph.neighbours('instance-ip', iipName, 'virtual-machine-interface')[0];
        if (!vmiName) continue;
        const vmi = graph.get('virtual-machine-interface', vmiName);
        const vnName = graph.neighbours('virtual-machine-interface', vmiName, 'virtual-network')[0];
        const vn = vnName ? graph.get('virtual-network', vnName) : undefined;
        if (!vmi || !vnName || !vn) continue;
        const mac = (vmi.virtual_machine_interface_mac_addresses as { mac_address: string[] })
          .mac_address[0]!;
        const vni = (vn.virtual_network_properties as { vxlan_network_identifier: number })
          .vxlan_network_identifier;
        const label = labels.get(name)! + 1;
        labels.set(name, label);
        published.add(addr);
        const vrf = `${vnName}:${vnName.split(':').at(-1)}`;
        const r = interfaceRoutes(plan.underlay, { vrf, ip: addr, mac, label, vni });
        c.publish(vrf, r.inet);
        c.publish(vrf, r.enet);
      }
      const want = configWaiting.get(name);
      if (want !== undefined && iips >= want) {
        configWaiting.delete(name);
        if (configWaiting.size === 0) send({ t: 'config-ready' });
      }
    });
    c.subscribeConfig(`virtual-router:default-global-system-config:${name}`);
  }

  async function connectAll(): Promise<void> {
    let i = 0;
    for (const plan of plans.values()) {
      const c = new XmppClient({
        name: plan.name,
        servers: [{ host: '127.0.0.1', port }],
        configSubscribe: false,
        retryBaseMs: 200,
      });
      const have = new Set<string>();
      held.set(plan.name, have);
      pendingConverge.add(plan.name);
      c.on('route-update', (_s, msg) => {
        for (const item of msg.items) {
          const k = `${msg.vrf}\t${item.id}`;
          have.add(`${msg.family} ${k}`);
          const w = watches.get(k);
          if (w && msg.family === 'inet') {
            w.got.add(plan.name);
            checkWatch(w, k);
          }
        }
        if (pendingConverge.has(plan.name) && have.size >= plan.expected) {
          pendingConverge.delete(plan.name);
          if (pendingConverge.size === 0 && !convergedSent) {
            convergedSent = true;
            send({ t: 'converged', agents: plans.size });
          }
        }
      });
      c.on('route-retract', (_s, msg) => {
        for (const id of msg.ids) have.delete(`${msg.family} ${msg.vrf}\t${id}`);
      });
      for (const [n, vrf] of plan.vrfs.entries()) c.subscribe(vrf, { instanceId: n + 1 });
      for (const iface of plan.interfaces) {
        const r = interfaceRoutes(plan.underlay, iface);
        c.publish(iface.vrf, r.inet);
        c.publish(iface.vrf, r.enet);
      }
      clients.set(plan.name, c);
      c.start();
      // Stagger connects: the listen backlog and the accept loop are finite.
      if (++i % 25 === 0) await new Promise((r) => setTimeout(r, 5));
    }
  }
}

// --------------------------------------------------------------------------------------------- parent side
const ipOf = (v: number, host: number) => `10.${(v >> 8) & 255}.${v & 255}.${host}`;
const macOf = (i: number) =>
  `02:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
const agentName = (a: number) => `bench-agent-${a}`;

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function pool<T>(items: T[], inflight: number, one: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < items.length) await one(items[next++]!);
    }),
  );
}

interface Net {
  uuid: string;
  fq: string;
  vrf: string;
  vni: number;
}

async function setup(
  dataDir: string,
): Promise<{ plans: AgentPlan[]; nets: Net[]; vmsOf: Map<string, { vm: string; net: number }[]> }> {
  const t0 = Date.now();
  const store = new SqliteStore({ dataDir, durability: 'normal' });
  const service = new ConfigService(store, new Ipam(store, { asn: 64512 }));
  await bootstrap(service, 64512);
  const scope = await scopeOf(store, ANONYMOUS_ADMIN);
  const create = (t: string, b: Record<string, unknown>) =>
    service.create(RESOURCES.get(t)!, { [t]: b }, scope, '') as Promise<
      Record<string, Record<string, unknown>>
    >;
  const projectUuid = (await store.fqNameToUuid('project', PROJECT))!;
  const ipam = [...PROJECT, 'default-network-ipam'];
  const nets: Net[] = new Array(NETWORKS);
  await pool(
    Array.from({ length: NETWORKS }, (_, v) => v),
    16,
    async (v) => {
      const name = `net-${v}`;
      const r = await create('virtual-network', {
        fq_name: [...PROJECT, name],
        parent_type: 'project',
        network_ipam_refs: [
          { to: ipam, attr: { ipam_subnets: [{ subnet: { ip_prefix: ipOf(v, 0), ip_prefix_len: 24 } }] } },
        ],
      });
      const uuid = r['virtual-network']!.uuid as string;
      const o = (await store.get(uuid))!;
      const vni = (o.body.virtual_network_properties as { vxlan_network_identifier: number })
        .vxlan_network_identifier;
      const fq = [...PROJECT, name].join(':');
      nets[v] = { uuid, fq, vrf: `${fq}:${name}`, vni };
    },
  );
  console.log(
    `  setup: ${NETWORKS} networks through the ConfigService in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const perNet = Math.ceil(INTERFACES / NETWORKS);
  const plans: AgentPlan[] = Array.from({ length: AGENTS }, (_, a) => ({
    name: agentName(a),
    underlay: `100.64.${(a >> 8) & 255}.${a & 255}`,
    vrfs: [],
    interfaces: [],
    expected: 0,
  }));
  const vmsOf = new Map<string, { vm: string; net: number }[]>();
  const ops: WriteOp[] = [];
  const routesPerNet = new Map<number, number>();
  const agentsOfNet = new Map<number, Set<number>>();
  for (let i = 0; i < INTERFACES; i++) {
    const v = Math.floor(i / perNet) % NETWORKS;
    const slot = i % perNet;
    const a = (v * SPREAD + (slot % SPREAD)) % AGENTS;
    const plan = plans[a]!;
    const net = nets[v]!;
    const ip = ipOf(v, 3 + slot);
    const mac = macOf(i);
    plan.interfaces.push({ vrf: net.vrf, ip, mac, label: 16 + plan.interfaces.length, vni: net.vni });
    if (!plan.vrfs.includes(net.vrf)) plan.vrfs.push(net.vrf);
    routesPerNet.set(v, (routesPerNet.get(v) ?? 0) + 2);
    (agentsOfNet.get(v) ?? agentsOfNet.set(v, new Set()).get(v)!).add(a);
    const vm: NewObject = {
      type: 'virtual-machine',
      uuid: randomUUID(),
      fqName: [`bench-vm-${i}`],
      refs: [],
      claims: [],
      body: {},
    };
    const vmiUuid = randomUUID();
    const vmi: NewObject = {
      type: 'virtual-machine-interface',
      uuid: vmiUuid,
      fqName: [...PROJECT, `bench-port-${i}`],
      parentType: 'project',
      parentUuid: projectUuid,
      owner: projectUuid,
      refs: [
        { type: 'virtual-network', uuid: net.uuid },
        { type: 'virtual-machine', uuid: vm.uuid },
      ],
      claims: [{ pool: 'mac', key: mac }],
      body: { virtual_machine_interface_mac_addresses: { mac_address: [mac] } },
    };
    const iip: NewObject = {
      type: 'instance-ip',
      uuid: randomUUID(),
      fqName: [`bench-ip-${i}`],
      refs: [
        { type: 'virtual-network', uuid: net.uuid },
        { type: 'virtual-machine-interface', uuid: vmiUuid },
      ],
      claims: [{ pool: `ip:${net.uuid}`, key: ip }],
      body: { instance_ip_address: ip, instance_ip_family: 'v4' },
    };
    ops.push({ op: 'create', object: vm }, { op: 'create', object: vmi }, { op: 'create', object: iip });
    const l = vmsOf.get(plan.name) ?? [];
    l.push({ vm: vm.uuid, net: v });
    vmsOf.set(plan.name, l);
  }
  for (const plan of plans)
    for (const vrf of plan.vrfs) {
      const v = Number(vrf.split(':').at(-1)!.slice(4));
      plan.expected += routesPerNet.get(v) ?? 0;
    }
  // VMs and interfaces first, then their instance-ips (refs must exist at commit).
  const t1 = Date.now();
  const BATCH = 600;
  for (let k = 0; k < ops.length; k += BATCH) await store.commit(ops.slice(k, k + BATCH));
  console.log(
    `  setup: ${INTERFACES} VMs + interfaces + instance-ips into the store in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );
  const t2 = Date.now();
  await pool(plans, 16, async (p) => {
    await create('virtual-router', {
      fq_name: ['default-global-system-config', p.name],
      parent_type: 'global-system-config',
      virtual_router_ip_address: p.underlay,
      virtual_machine_refs: (vmsOf.get(p.name) ?? []).map((x) => ({ uuid: x.vm })),
    });
  });
  console.log(`  setup: ${AGENTS} virtual-routers in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
  await store.close();
  return { plans, nets, vmsOf };
}

async function parent(): Promise<void> {
  const dir = scratchDir('filament-conv-');
  const children: ChildProcess[] = [];
  let controller: ChildProcess | undefined;
  try {
    console.log(
      `convergence: ${AGENTS} agents, ${NETWORKS} networks, ${INTERFACES} interfaces (each network on ${SPREAD} agents), ${CHILDREN} agent processes`,
    );
    const dataDir = join(dir.path, 'data');
    const memFile = join(dir.path, 'memory.json');
    const { plans, nets, vmsOf } = await setup(dataDir);
    const [apiPort, xmppPort, introPort] = [await freePort(), await freePort(), await freePort()];
    controller = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@filament/source',
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot of the controller at the end (SIGUSR2 writes it there).
        ...(process.env.BENCH_HEAP_SNAPSHOT
          ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${process.env.BENCH_HEAP_SNAPSHOT}`]
          : []),
        // Memory breakdown on request: SIGWINCH writes process.memoryUsage() before and after a full GC.
        '--expose-gc',
        '--import',
        `data:text/javascript,${encodeURIComponent(MEMORY_PROBE)}`,
        'src/main.ts',
        '--data-dir',
        dataDir,
        '--durability',
        'normal',
        '--host',
        '127.0.0.1',
        '--port',
        String(apiPort),
        '--xmpp-host',
        '127.0.0.1',
        '--xmpp-port',
        String(xmppPort),
        '--introspect-port',
        String(introPort),
        '--no-auth',
        '--log-level',
        'warn',
      ],
      {
        cwd: APP,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, BENCH_MEMORY_FILE: memFile },
      },
    );
    const cpid = controller.pid!;
    /** Logs the controller's RSS, heap and external memory, and the heap left after a full GC (retained). */
    const memory = async (step: string) => {
      rmSync(memFile, { force: true });
      process.kill(cpid, 'SIGWINCH');
      await waitFor('memory report', async () => existsSync(memFile), 120_000, 50);
      await new Promise((r) => setTimeout(r, 50)); // the write is one small synchronous writeFileSync
      const m = JSON.parse(readFileSync(memFile, 'utf8')) as Record<'before' | 'after', NodeJS.MemoryUsage>;
      const mb = (x: number) => (x / 2 ** 20).toFixed(0);
      console.log(
        `  memory ${step}: RSS ${mb(m.before.rss)} MB, heapUsed ${mb(m.before.heapUsed)} MB (after GC ${mb(m.after.heapUsed)} MB, heapTotal ${mb(m.after.heapTotal)} MB), external ${mb(m.after.external)} MB, arrayBuffers ${mb(m.after.arrayBuffers)} MB`,
      );
    };
    await waitFor(
      'controller',
      async () => (await canConnect('127.0.0.1', xmppPort)) && canConnect('127.0.0.1', apiPort),
      120_000,
      100,
    );
    console.log(`  controller up (RSS ${rssOf(cpid).rssMb.toFixed(0)} MB with the config loaded)`);
    await memory('with the config loaded');

    const inbox: ((m: FromChild, c: number) => void)[] = [];
    const share = Math.ceil(plans.length / CHILDREN);
    for (let k = 0; k < CHILDREN; k++) {
      const c = fork(fileURLToPath(import.meta.url), ['--agents-child'], {
        execArgv: ['--import', 'tsx', '--conditions=@filament/source'],
        cwd: APP,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      c.on('message', (m: FromChild) => {
        for (const f of [...inbox]) f(m, k);
      });
      children.push(c);
    }
    const next = (pred: (m: FromChild, c: number) => boolean, count: number, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        let n = 0;
        const timer = setTimeout(() => reject(new Error(`timed out waiting (${n}/${count})`)), timeoutMs);
        const f = (m: FromChild, c: number) => {
          if (m.t === 'error') {
            clearTimeout(timer);
            reject(new Error(m.message));
          }
          if (pred(m, c) && ++n === count) {
            inbox.splice(inbox.indexOf(f), 1);
            clearTimeout(timer);
            resolve();
          }
        };
        inbox.push(f);
      });
    const ready = next((m) => m.t === 'ready', CHILDREN, 60_000);
    for (const [k, c] of children.entries())
      c.send({
        t: 'plan',
        port: xmppPort,
        agents: plans.slice(k * share, (k + 1) * share),
      } satisfies ToChild);
    await ready;

    // 1. Full convergence.
    const converged = next((m) => m.t === 'converged', CHILDREN, 600_000);
    const cpu0 = [cpid, ...children.map((c) => c.pid!)].map(cpuSeconds);
    const t0 = performance.now();
    for (const c of children) c.send({ t: 'go' } satisfies ToChild);
    await converged;
    const convergenceS = (performance.now() - t0) / 1000;
    const cpu = [cpid, ...children.map((c) => c.pid!)].map((p, i) => cpuSeconds(p) - cpu0[i]!);
    const afterConverge = rssOf(cpid);
    await memory('after full convergence');
    const metricsText = await (await fetch(`http://127.0.0.1:${introPort}/metrics`)).text();
    const outMessages =
      /filament_control_xmpp_messages_total\{direction="out",kind="route-update"\} (\d+)/.exec(
        metricsText,
      )?.[1];
    const routes = plans.reduce((s, p) => s + p.expected, 0);
    console.log(
      `  CPU during convergence: controller ${cpu[0]!.toFixed(1)} s, agent processes ${cpu
        .slice(1)
        .map((x) => x.toFixed(1))
        .join(' + ')} s (wall ${convergenceS.toFixed(1)} s on 2 cores)`,
    );
    console.log(
      `  full convergence: ${convergenceS.toFixed(2)} s (${routes} routes held by agents in total, ${outMessages} route messages sent; controller RSS ${afterConverge.rssMb.toFixed(0)} MB, peak so far ${afterConverge.peakMb.toFixed(0)} MB)`,
    );

    // 2. Single-interface propagation, three ways (see the header).
    const owners = Array.from(
      { length: Math.min(SAMPLES, plans.length, 113) },
      (_, s) => plans[(s * 7919) % plans.length]!.name,
    );
    const uniqueOwners = [...new Set(owners)];
    const childOf = (name: string) => Math.floor(plans.findIndex((p) => p.name === name) / share);
    const api = `http://127.0.0.1:${apiPort}`;
    const post = async (path: string, body: unknown) => {
      const r = await fetch(api + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    };
    type Mode = 'publish' | 'api-then-publish' | 'api-config';
    /** Time spent in the two API calls of each API sample (part of its total), per mode. */
    const apiOnly: Record<Mode, number[]> = { publish: [], 'api-then-publish': [], 'api-config': [] };
    const measure = async (mode: Mode): Promise<number[]> => {
      const out: number[] = [];
      for (let s = 0; s < owners.length; s++) {
        const owner = owners[s]!;
        const vm = vmsOf.get(owner)![s % vmsOf.get(owner)!.length]!;
        const net = nets[vm.net]!;
        // API samples take free hosts of the network's /24 (interfaces use .3 to .27); the routing-only
        // baseline needs no subnet, so it uses addresses no sample shares.
        const ip =
          mode === 'publish'
            ? `172.16.${(s >> 8) & 255}.${s & 255}`
            : ipOf(vm.net, (mode === 'api-then-publish' ? 28 : 141) + s);
        const id = s + { publish: 100_000, 'api-then-publish': 200_000, 'api-config': 300_000 }[mode];
        const mac = macOf(10_000_000 + id);
        const seen = next((m) => m.t === 'seen' && m.id === id, CHILDREN, 30_000);
        for (const c of children) c.send({ t: 'watch', id, vrf: net.vrf, key: `${ip}/32` } satisfies ToChild);
        const t = performance.now();
        if (mode !== 'publish') {
          const vmiUuid = randomUUID();
          await post('/virtual-machine-interfaces', {
            'virtual-machine-interface': {
              uuid: vmiUuid,
              fq_name: [...PROJECT, `sample-port-${id}`],
              parent_type: 'project',
              virtual_network_refs: [{ uuid: net.uuid }],
              virtual_machine_refs: [{ uuid: vm.vm }],
              virtual_machine_interface_mac_addresses: { mac_address: [mac] },
            },
          });
          await post('/instance-ips', {
            'instance-ip': {
              fq_name: [`sample-ip-${id}`],
              instance_ip_address: ip,
              virtual_network_refs: [{ uuid: net.uuid }],
              virtual_machine_interface_refs: [{ uuid: vmiUuid }],
            },
          });
          apiOnly[mode].push(performance.now() - t);
        }
        if (mode !== 'api-config') {
          children[childOf(owner)]!.send({
            t: 'publish',
            agent: owner,
            iface: { vrf: net.vrf, ip, mac, label: 5000 + (id % 100_000), vni: net.vni },
          } satisfies ToChild);
        }
        await seen;
        out.push(performance.now() - t);
      }
      for (const l of Object.values(apiOnly)) l.sort((x, y) => x - y);
      return out.sort((x, y) => x - y);
    };
    const baseline = await measure('publish');
    const apiThenPublish = await measure('api-then-publish');
    // The real path needs the owners' config over XMPP first.
    const configReady = next((m) => m.t === 'config-ready', CHILDREN, 300_000);
    for (const [k, c] of children.entries())
      c.send({ t: 'config', agents: uniqueOwners.filter((n) => childOf(n) === k) } satisfies ToChild);
    await configReady;
    console.log(`  ${uniqueOwners.length} sample owners received their config over XMPP`);
    const viaApi = await measure('api-config');

    // 3. Fan-out of one project-level change to every agent, with API replies timed meanwhile.
    // RSS with the 100 sample owners config-subscribed (before the fan-out subscribes every agent).
    const samplesRss = rssOf(cpid);
    await memory(`with the ${uniqueOwners.length} sample owners config-subscribed`);
    let fanout: { allConfigS: number; fanoutMs: number; gets: number[] } | undefined;
    if (FANOUT) {
      const allReady = next((m) => m.t === 'config-ready', CHILDREN, 600_000);
      const tc = performance.now();
      for (const [k, c] of children.entries())
        c.send({
          t: 'config',
          agents: plans.filter((p) => childOf(p.name) === k).map((p) => p.name),
        } satisfies ToChild);
      await allReady;
      const allConfigS = (performance.now() - tc) / 1000;
      console.log(`  every agent received its config over XMPP in ${allConfigS.toFixed(1)} s`);
      await memory('with every agent config-subscribed');
      const apsName = 'fanout-aps';
      const seen = next((m) => m.t === 'node-seen', CHILDREN, 600_000);
      for (const c of children)
        c.send({
          t: 'watch-node',
          id: 1,
          type: 'application-policy-set',
          name: [...PROJECT, apsName].join(':'),
        } satisfies ToChild);
      const gets: number[] = [];
      let done = false;
      const probe = (async () => {
        // Bounded by the fan-out (600 s at most); one GET at a time, 5 ms apart.
        while (!done) {
          const t = performance.now();
          const r = await fetch(`${api}/virtual-network/${nets[0]!.uuid}`);
          await r.arrayBuffer();
          gets.push(performance.now() - t);
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      const tf = performance.now();
      await post('/application-policy-sets', {
        'application-policy-set': { fq_name: [...PROJECT, apsName], parent_type: 'project' },
      });
      await seen;
      const fanoutMs = performance.now() - tf;
      done = true;
      await probe;
      gets.sort((x, y) => x - y);
      fanout = { allConfigS, fanoutMs, gets };
    }
    const finalRss = rssOf(cpid);
    await memory('at the end');
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      const before = new Set(readdirSync(process.env.BENCH_HEAP_SNAPSHOT));
      process.kill(cpid, 'SIGUSR2');
      const done = () =>
        readdirSync(process.env.BENCH_HEAP_SNAPSHOT!).find(
          (f) => !before.has(f) && f.endsWith('.heapsnapshot'),
        );
      await waitFor('heap snapshot', async () => done() !== undefined, 600_000, 500);
      // Written synchronously on the controller's main thread: it is complete once the controller answers again.
      await waitFor(
        'controller after the snapshot',
        async () => canConnect('127.0.0.1', apiPort),
        600_000,
        500,
      );
      console.log(`  heap snapshot: ${join(process.env.BENCH_HEAP_SNAPSHOT, done()!)}`);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log('');
    console.log(`  results (load average ${load})`);
    console.log(
      `  full convergence (${AGENTS} agents, ${routes} routes at agents)     ${convergenceS.toFixed(2)} s   goal < 30 s`,
    );
    console.log(
      `  one interface, API create -> config push -> agent publish -> all subscribers: p50 ${pct(viaApi, 50).toFixed(1)} ms  p99 ${pct(viaApi, 99).toFixed(1)} ms  (n=${viaApi.length})   goal p99 < 100 ms`,
    );
    const ac = apiOnly['api-config'];
    const ap = apiOnly['api-then-publish'];
    console.log(
      `    of which the two API calls (VMI, instance-ip) until their replies:                p50 ${pct(ac, 50).toFixed(1)} ms  p99 ${pct(ac, 99).toFixed(1)} ms`,
    );
    console.log(
      `  one interface, API create, then the owner told directly (no config push):      p50 ${pct(apiThenPublish, 50).toFixed(1)} ms  p99 ${pct(apiThenPublish, 99).toFixed(1)} ms  (API calls p50 ${pct(ap, 50).toFixed(1)} ms p99 ${pct(ap, 99).toFixed(1)} ms)`,
    );
    console.log(
      `  baseline: agent publish -> all subscribers (no API, no config push):        p50 ${pct(baseline, 50).toFixed(1)} ms  p99 ${pct(baseline, 99).toFixed(1)} ms  (n=${baseline.length})`,
    );
    if (fanout) {
      const g = fanout.gets;
      console.log(
        `  one project-level change (new application-policy-set) -> all ${AGENTS} agents: ${fanout.fanoutMs.toFixed(0)} ms; meanwhile GET /virtual-network: p50 ${pct(g, 50).toFixed(1)} ms  p99 ${pct(g, 99).toFixed(1)} ms  max ${g.at(-1)!.toFixed(1)} ms  (n=${g.length})`,
      );
      console.log(
        `  config for all ${AGENTS} agents (full push over XMPP): ${fanout.allConfigS.toFixed(1)} s`,
      );
      console.log(
        `  controller RSS before the fan-out (${uniqueOwners.length} agents with config): ${samplesRss.rssMb.toFixed(0)} MB, peak ${samplesRss.peakMb.toFixed(0)} MB`,
      );
    }
    console.log(
      `  controller RSS ${finalRss.rssMb.toFixed(0)} MB, peak ${finalRss.peakMb.toFixed(0)} MB${fanout ? ' (every agent with config)' : ''}   goal < 2048 MB`,
    );
  } finally {
    for (const c of children) c.connected && c.send({ t: 'stop' } satisfies ToChild);
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))),
    );
    if (controller) {
      const exited = new Promise((r) => controller!.once('exit', r));
      controller.kill('SIGTERM');
      await exited;
    }
    dir.cleanup();
  }
}

if (process.argv.includes('--agents-child')) {
  child().catch((e) => {
    process.send?.({ t: 'error', message: String(e) } satisfies FromChild);
    process.exit(1);
  });
} else {
  parent().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
