// The lab: a controller and two agents as real child processes, configured through the controller's REST
// API, workloads attached through the agents' port APIs, and the traffic checks. `start()` brings it all
// up (each step with its readiness check), `check()` runs the checks, `stop()` ends every child cleanly.
// The fault tests drive the same object: `controller.kill9()`, `restartController()`, `restartAgent()`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentClient, type PortRequest } from './agent-client.js';
import { agentBin, controllerBin } from './bins.js';
import { type CheckResult, runChecks } from './checks.js';
import { ControllerApi } from './controller-api.js';
import { ApiRequestError, LabError, WaitTimeoutError } from './errors.js';
import { HostNamespaces } from './hosts.js';
import { httpRequest, parseJson } from './http.js';
import { NamespaceWorkloads, namespacesSupported } from './namespaces.js';
import { ManagedProcess } from './process.js';
import type { Progress } from './progress.js';
import { type Provisioned, type ProvisionedWorkload, provision, provisionWorkload } from './provision.js';
import { type RouteSnapshot, routeSnapshot } from './routes.js';
import { labTopology, type Topology, vrfName } from './topology.js';
import { InProcessDriver, type WorkloadDriver, type WorkloadMode } from './workloads.js';

export interface LabOptions {
  /** Where the controller's SQLite store, the admin token and the process logs live. */
  stateDir: string;
  /** Controller REST API listen address and port (default 127.0.0.1:8082). */
  apiHost: string;
  apiPort: number;
  /** The controller's XMPP port for agents (default 5269). */
  xmppPort: number;
  /** The controller's introspect port (routes, agents, control metrics; default 8083), on the API address. */
  controllerIntrospectPort: number;
  /** How long the controller keeps a disconnected agent's routes (graceful restart; default 30 s). */
  gracefulRestartSeconds?: number;
  /**
   * Where the agents run: 'loopback' (this namespace, underlay on loopback addresses), 'namespaces' (root:
   * a network namespace per agent on a veth-and-bridge underlay), 'auto' (namespaces when root).
   */
  hosts: 'auto' | HostMode;
  /** Underlay addresses of compute-1 and compute-2 (null: 127.0.0.1/.2 on loopback, 198.19.0.1/.2 in namespaces). */
  underlays: [string, string] | null;
  /** Port API and introspect ports; each agent listens on its own underlay address. */
  portApiPort: number;
  introspectPort: number;
  /** 'tap' needs root and TAP support; 'auto' picks it when available. */
  workloads: 'auto' | WorkloadMode;
  /** TCP bytes sent by each transfer check (default: one segment, 1400, in-process; 1 MiB with TAP). */
  transferBytes?: number;
  controllerArgs: string[];
  agentArgs: string[];
}

export const DEFAULT_LAB_OPTIONS: Omit<LabOptions, 'stateDir'> = {
  apiHost: '127.0.0.1',
  apiPort: 8082,
  xmppPort: 5269,
  controllerIntrospectPort: 8083,
  hosts: 'auto',
  underlays: null,
  portApiPort: 9091,
  introspectPort: 8085,
  workloads: 'auto',
  controllerArgs: [],
  agentArgs: [],
};

export type HostMode = 'loopback' | 'namespaces';

export interface AgentHandle {
  name: string;
  underlay: string;
  process: ManagedProcess;
  client: AgentClient;
}

export class Lab {
  readonly opts: LabOptions;
  readonly topology: Topology;
  readonly progress: Progress;
  readonly controller: ManagedProcess;
  readonly agents = new Map<string, AgentHandle>();
  api: ControllerApi;
  /** The cloud-admin token the controller generated (read after it started). */
  token = '';
  provisioned: Provisioned | null = null;
  driver: WorkloadDriver | null = null;
  mode: WorkloadMode = 'in-process';
  /** Why the mode is what it is (printed: "in-process workloads: not root"). */
  modeReason = '';
  /** Namespace mode: the namespaces behind the TAP devices. */
  namespaces: NamespaceWorkloads | null = null;
  readonly hostMode: HostMode;
  readonly hostModeReason: string;
  /** Host-namespaces mode: the agents' namespaces and the underlay bridge. */
  readonly hosts: HostNamespaces | null;
  /** Where agents reach the controller's XMPP server. */
  readonly xmppHost: string;
  private stopped = false;

  constructor(opts: LabOptions, progress: Progress) {
    this.opts = opts;
    this.progress = progress;
    const ns = namespacesSupported();
    if (opts.hosts === 'namespaces' && !ns.ok)
      throw new LabError('ERR_LAB_NAMESPACES_UNAVAILABLE', `--hosts namespaces: ${ns.why}`);
    this.hostMode = opts.hosts === 'loopback' || !ns.ok ? 'loopback' : 'namespaces';
    this.hostModeReason =
      opts.hosts !== 'auto'
        ? `asked for with --hosts ${opts.hosts}`
        : ns.ok
          ? 'root: a network namespace per agent, veth underlay on a bridge'
          : `${ns.why}: underlay on loopback addresses`;
    const underlays =
      opts.underlays ??
      (this.hostMode === 'namespaces' ? ['198.19.0.1', '198.19.0.2'] : ['127.0.0.1', '127.0.0.2']);
    this.topology = labTopology(underlays as [string, string]);
    this.hosts = this.hostMode === 'namespaces' ? new HostNamespaces(this.topology.agents) : null;
    const apiHost = opts.apiHost === '0.0.0.0' ? '127.0.0.1' : opts.apiHost;
    this.xmppHost = this.hosts ? this.hosts.bridgeAddress : apiHost;
    const dataDir = join(opts.stateDir, 'controller');
    this.api = new ControllerApi(this.apiUrl);
    this.controller = new ManagedProcess({
      name: 'controller',
      command: process.execPath,
      args: [
        controllerBin(),
        '--host',
        opts.apiHost,
        '--port',
        String(opts.apiPort),
        '--data-dir',
        dataDir,
        '--admin-token-file',
        this.tokenFile,
        '--xmpp-host',
        this.xmppHost,
        '--xmpp-port',
        String(opts.xmppPort),
        '--introspect-host',
        opts.apiHost,
        '--introspect-port',
        String(opts.controllerIntrospectPort),
        ...(opts.gracefulRestartSeconds !== undefined
          ? ['--graceful-restart-seconds', String(opts.gracefulRestartSeconds)]
          : []),
        ...opts.controllerArgs,
      ],
      logFile: join(opts.stateDir, 'logs', 'controller.log'),
      pidFile: join(opts.stateDir, 'run', 'controller.pid'),
      ready: async () => {
        await new ControllerApi(this.apiUrl).health();
        return null;
      },
    });
    const bin = agentBin();
    for (const a of this.topology.agents) {
      const client = new AgentClient(
        a.name,
        `${a.underlay}:${opts.portApiPort}`,
        `${a.underlay}:${opts.introspectPort}`,
      );
      const argv = [
        process.execPath,
        bin,
        '--name',
        a.name,
        '--underlay',
        a.underlay,
        '--controller',
        `${this.xmppHost}:${opts.xmppPort}`,
        '--port-api',
        `${a.underlay}:${opts.portApiPort}`,
        '--introspect',
        `${a.underlay}:${opts.introspectPort}`,
        '--state-dir',
        join(opts.stateDir, 'agents', a.name),
        '--json-logs',
        ...opts.agentArgs,
      ];
      // In host-namespaces mode the agent runs inside its node's namespace (ip netns exec keeps the pid).
      const cmd = this.hosts ? this.hosts.wrap(a.name, argv) : { command: argv[0]!, args: argv.slice(1) };
      const proc = new ManagedProcess({
        name: `agent ${a.name}`,
        command: cmd.command,
        args: cmd.args,
        logFile: join(opts.stateDir, 'logs', `${a.name}.log`),
        pidFile: join(opts.stateDir, 'run', `${a.name}.pid`),
        ready: async () => {
          await client.listPorts();
          await client.view('/');
          return null;
        },
      });
      this.agents.set(a.name, { name: a.name, underlay: a.underlay, process: proc, client });
    }
    for (const p of this.processes()) {
      p.on('unexpected-exit', (e) => {
        if (!this.stopped) this.progress.line(`!! ${e.message}`);
      });
    }
  }

  /** Bytes per TCP transfer check: the in-process TCP client sends one segment. */
  get transferBytes(): number {
    return this.opts.transferBytes ?? (this.mode === 'tap' ? 1024 * 1024 : 1400);
  }

  /** The controller's introspect (agents, routing instances, routes; admin token needed when auth is on). */
  get controllerIntrospectUrl(): string {
    const host = this.opts.apiHost === '0.0.0.0' ? '127.0.0.1' : this.opts.apiHost;
    return `http://${host}:${this.opts.controllerIntrospectPort}`;
  }

  /** The controller's view of the agents (`/introspect/agents`): name, address, XMPP state. */
  async controllerAgents(): Promise<{ name: string; address: string; state: string }[]> {
    const url = `${this.controllerIntrospectUrl}/introspect/agents`;
    const a = await httpRequest('GET', url, { headers: { 'x-auth-token': this.token } });
    if (a.status >= 400) throw new ApiRequestError('GET', url, a.status, parseJson(a.text));
    return (
      (parseJson(a.text) as { agents?: { name: string; address: string; state: string }[] }).agents ?? []
    );
  }

  get apiUrl(): string {
    const host = this.opts.apiHost === '0.0.0.0' ? '127.0.0.1' : this.opts.apiHost;
    return `http://${host}:${this.opts.apiPort}`;
  }

  get tokenFile(): string {
    return join(this.opts.stateDir, 'admin-token');
  }

  processes(): ManagedProcess[] {
    return [this.controller, ...[...this.agents.values()].map((a) => a.process)];
  }

  agent(name: string): AgentHandle {
    const a = this.agents.get(name);
    if (!a) throw new LabError('ERR_LAB_UNKNOWN_AGENT', `no agent ${name}`);
    return a;
  }

  /** Brings the whole lab up. On failure everything already started is stopped again. */
  async start(): Promise<void> {
    try {
      await this.startInner();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startInner(): Promise<void> {
    const p = this.progress;
    // A lab that was killed (kill -9, a closed terminal) could not stop its children; end them first.
    for (const proc of this.processes()) {
      const { pidFile, args } = proc.spec;
      const bin = args.find((x) => x.endsWith('main.js')) ?? '';
      if (pidFile && bin && ManagedProcess.endLeftover(pidFile, bin))
        p.line(`ended ${proc.spec.name} left running by an earlier lab`);
    }
    this.chooseMode();
    p.line(`workloads: ${this.mode} (${this.modeReason})`);
    p.line(`hosts: ${this.hostMode} (${this.hostModeReason})`);
    if (this.hosts) {
      const h = this.hosts;
      await p.long(
        `creating the compute nodes' namespaces and the underlay bridge ${h.bridge} (${h.bridgeAddress}/24)`,
        () => h.create(),
      );
    }
    await this.startController();
    this.provisioned = await p.long(
      'creating the project, networks, policy, routers and workloads through the REST API',
      () => provision(this.api, this.topology, (what) => p.line(`  ${what}`)),
    );
    for (const a of this.agents.values()) {
      await p.long(`starting agent ${a.name} (underlay ${a.underlay}, port API ${a.client.portApiUrl})`, () =>
        a.process.start(),
      );
    }
    if (this.mode === 'tap') {
      this.namespaces = new NamespaceWorkloads(this.opts.stateDir, this.transferBytes, [
        this.topology.policy.tcpPort,
        this.topology.closedPort,
      ]);
      this.driver = this.namespaces;
    } else this.driver = new InProcessDriver(new Map([...this.agents].map(([n, a]) => [n, a.client])));
    await this.attachPorts();
    for (const a of this.agents.keys()) await this.waitForPortsAttached(a);
    await p.long("waiting for every agent to hold the routes of the other agent's workloads", () =>
      this.waitForRoutes(),
    );
  }

  /** TAP workloads in namespaces when asked for or (auto) when root and TAP devices work, else in-process. */
  private chooseMode(): void {
    if (this.opts.workloads === 'in-process') {
      this.mode = 'in-process';
      this.modeReason = 'asked for with --workloads in-process';
      return;
    }
    const ns = namespacesSupported();
    const why = ns.ok ? '' : ns.why;
    if (why === '') {
      this.mode = 'tap';
      this.modeReason = 'root: each workload is a network namespace behind a TAP device';
      return;
    }
    if (this.opts.workloads === 'tap')
      throw new LabError('ERR_LAB_TAP_UNAVAILABLE', `--workloads tap: ${why}`);
    this.mode = 'in-process';
    this.modeReason = why;
  }

  async startController(): Promise<void> {
    await this.progress.long(
      `starting the controller (API ${this.apiUrl}, XMPP :${this.opts.xmppPort}, state ${this.opts.stateDir})`,
      () => this.controller.start(),
    );
    this.token = readFileSync(this.tokenFile, 'utf8').trim();
    this.api = new ControllerApi(this.apiUrl, this.token);
  }

  /** The POST /port bodies of the workloads an agent hosts. */
  portRequests(agent: string): PortRequest[] {
    const prov = this.provisioned;
    if (!prov) return [];
    return prov.workloads
      .filter((w) => w.agent === agent)
      .map((w) => ({
        id: w.vmiUuid,
        'instance-id': w.vmUuid,
        'display-name': w.name,
        'ip-address': w.ip,
        'vn-id': w.vnUuid,
        'vm-project-id': w.projectUuid,
        'mac-address': w.mac,
        'system-name': `tap-${w.name}`,
        type: 0,
        'rx-vlan-id': -1,
        'tx-vlan-id': -1,
        workload: { kind: this.mode },
        listen: [this.topology.policy.tcpPort, this.topology.closedPort],
      }));
  }

  /**
   * Adds every workload's port through its agent's port API (contract D). Ports the agent already holds
   * (it restores its port list after a restart, as TF's agent does from its port files) are not added again;
   * in namespace mode their TAP devices are moved into the workloads' namespaces either way.
   */
  async attachPorts(only?: string): Promise<void> {
    for (const a of this.agents.values()) {
      if (only !== undefined && a.name !== only) continue;
      const held = new Set(
        (await a.client.listPorts()).map((p) => String((p as { id?: unknown }).id ?? '').toLowerCase()),
      );
      for (const req of this.portRequests(a.name)) {
        const known = held.has(req.id.toLowerCase());
        this.progress.line(
          `  port ${req['display-name']} ${req['ip-address']} ${req['mac-address']} on ${a.name} (${this.mode}${known ? ', restored by the agent' : ''})`,
        );
        if (!known) await a.client.addPort(req);
        if (this.namespaces) {
          const w = this.provisioned!.workloads.find((x) => x.vmiUuid === req.id)!;
          const net = this.topology.networks.find((n) => n.name === w.network)!;
          await this.namespaces.attach(w, req['system-name'], net.prefixLen, this.hosts?.nsOf(a.name));
        }
      }
    }
  }

  /** Waits until every lab port an agent holds is attached (its config arrived and the data plane has it). */
  async waitForPortsAttached(agent: string, timeoutMs = 30_000): Promise<void> {
    const a = this.agent(agent);
    const want = new Set(this.portRequests(agent).map((r) => r.id.toLowerCase()));
    await this.waitUntil(
      `the ports of ${agent} attached`,
      async () => {
        const pending = (await a.client.listPorts())
          .map((p) => p as { id?: string; status?: { state?: string } })
          .filter((p) => want.has(String(p.id).toLowerCase()) && p.status?.state !== 'attached')
          .map((p) => `${p.id} ${p.status?.state ?? '?'}`);
        return pending.length === 0 ? null : pending.join(', ');
      },
      timeoutMs,
    );
  }

  /** For each agent: the remote workloads in the networks it hosts, which it must hold routes for. */
  expectedRemoteRoutes(): Map<string, { vrf: string; prefix: string; via: string }[]> {
    const out = new Map<string, { vrf: string; prefix: string; via: string }[]>();
    const prov = this.provisioned;
    if (!prov) return out;
    for (const a of this.topology.agents) {
      const hosted = new Set(prov.workloads.filter((w) => w.agent === a.name).map((w) => w.network));
      const want = prov.workloads
        .filter((w) => w.agent !== a.name && hosted.has(w.network))
        .map((w) => ({
          vrf: vrfName(this.topology, w.network),
          prefix: `${w.ip}/32`,
          via: this.topology.agents.find((x) => x.name === w.agent)!.underlay,
        }));
      out.set(a.name, want);
    }
    return out;
  }

  /** What an agent still misses of `expectedRemoteRoutes` (empty when converged). */
  async missingRoutes(agent: string): Promise<string[]> {
    const snap = await routeSnapshot(this.agent(agent).client);
    const missing: string[] = [];
    for (const r of this.expectedRemoteRoutes().get(agent) ?? []) {
      const have = snap.get(r.vrf)?.get(r.prefix);
      if (!have?.includes(r.via)) missing.push(`${r.vrf} ${r.prefix} via ${r.via}`);
    }
    return missing;
  }

  async waitForRoutes(timeoutMs = 30_000): Promise<void> {
    await this.waitUntil(
      'routes on every agent',
      async () => {
        const missing: string[] = [];
        for (const a of this.agents.keys())
          missing.push(...(await this.missingRoutes(a)).map((m) => `${a}: ${m}`));
        return missing.length === 0 ? null : missing.join('; ');
      },
      timeoutMs,
    );
  }

  /** Polls `check` (null = done, else what is missing) every 100 ms until done or `timeoutMs`. */
  async waitUntil(what: string, check: () => Promise<string | null>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let problem = '';
    for (;;) {
      try {
        const p = await check();
        if (p === null) return;
        problem = p;
      } catch (e) {
        problem = (e as Error).message;
      }
      if (Date.now() > deadline) throw new WaitTimeoutError(what, timeoutMs, problem);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async routes(): Promise<Map<string, RouteSnapshot>> {
    const out = new Map<string, RouteSnapshot>();
    for (const a of this.agents.values()) out.set(a.name, await routeSnapshot(a.client));
    return out;
  }

  async check(): Promise<CheckResult[]> {
    return runChecks(this);
  }

  /**
   * One more workload, created through the API and attached through its agent's port API, as the lab's own
   * four are (tests use it for topologies the default one lacks, e.g. two workloads of a network on one agent).
   */
  async addWorkload(name: string, network: string, agent: string): Promise<ProvisionedWorkload> {
    const prov = this.provisioned;
    if (!prov) throw new LabError('ERR_LAB_NOT_STARTED', 'the lab is not started');
    const w = await provisionWorkload(this.api, this.topology, prov, { name, network, agent });
    prov.workloads.push(w);
    await this.attachPorts(agent);
    await this.waitForPortsAttached(agent);
    return w;
  }

  /** Stops the agent, starts it again and re-adds its ports (a compute node reboot). */
  async restartAgent(name: string): Promise<void> {
    const a = this.agent(name);
    await a.process.stop();
    await a.process.start();
    await this.attachPorts(name);
    await this.waitForPortsAttached(name);
  }

  async restartController(): Promise<void> {
    await this.controller.stop();
    await this.startController();
  }

  /** Stops every child: agents first (they withdraw their routes), then the controller. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.agents.values()) await a.process.stop();
    await this.controller.stop();
    await this.namespaces?.close();
    await this.hosts?.close();
    for (const p of this.processes()) await p.closeLog();
  }

  /** Synchronous last resort (process 'exit'): SIGKILL whatever still runs. */
  killAll(): void {
    for (const p of this.processes()) p.killNow();
    this.namespaces?.closeNow();
    this.hosts?.closeNow();
  }
}
