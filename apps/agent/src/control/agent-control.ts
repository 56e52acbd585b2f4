// The agent's control side (TF's vrouter agent controller module): an XMPP client to one or two control
// nodes, the config graph it fills, the ports the port API declared, and the reconciliation that turns
// the three into data-plane state:
//
//   port API add ──► subscribe config virtual-machine:<vm uuid> ──► config arrives (IF-MAP over XMPP)
//        ──► VMI resolved (VN, VRF, VNI, IPAM, addresses) ──► VRF created, port added (label allocated),
//            ACL compiled, workload attached ──► VRF subscribed, routes published (inet, inet6, enet, BUM)
//   routes from the control nodes ──► RemoteRoutes (per control node, stale handling) ──► LPM/MAC/BUM
//
// Reconciliation is level-based: any change (config, port API) schedules one pass that compares what
// should be with what is, so order and repetition of events do not matter. Passes are serialized.

import { EventEmitter } from 'node:events';
import { IfmapGraph } from '@filament/ifmap';
import {
  CONTROL_NODE_JID,
  type Endpoint,
  encodeSubscribe,
  type Logger,
  RESOURCE_CONFIG,
  type Route,
  silentLogger,
  XmppClient,
} from '@filament/xmpp';
import type { Agent } from '../agent.js';
import { UnknownObjectError } from '../errors.js';
import type { MetricFamily } from '../metrics.js';
import type { Encap } from '../nexthop.js';
import { ConfigIndex } from './config-graph.js';
import { encapsToXmpp } from './encap-names.js';
import { PortStateError, UnknownPortError } from './errors.js';
import { bumRoute, portRoutes } from './local-routes.js';
import { type CompiledAcls, compileAcls, interfaceTagIds, POLICY_TYPES } from './policy-sync.js';
import { attachKey, type NetworkVrf, type ResolvedPort, resolvePort } from './port-config.js';
import type { PortRequest } from './port-request.js';
import { type PingResult, PortWorkload, type TcpResult } from './port-workload.js';
import { RemoteRoutes } from './remote-routes.js';

export interface AgentControlOptions {
  agent: Agent;
  /** One or two control nodes (primary first). */
  controllers: Endpoint[];
  logger?: Logger;
  /** Router MAC published as the next hop's MAC (routed VXLAN); default the vRouter's 00:00:5e:00:01:00. */
  routerMac?: string;
  /** XMPP reconnect scale (TF: 1,000 ms); tests shorten it. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  holdTimeMs?: number;
  /** Config inactivity after which stale config is swept (TF's EndOfConfig timer). Default 3,000 ms. */
  configSweepMs?: number;
  /** When a control node sends no End-of-RIB, its stale routes are swept after this. Default 15,000 ms. */
  endOfRibTimeoutMs?: number;
  /**
   * How long stale routes stay after End-of-RIB (default 5,000 ms). A control node that restarted sends
   * End-of-RIB before the other agents have republished to it; sweeping at once would drop their routes
   * until they do (a dip in traffic). Routes sent again in the meantime are fresh and stay.
   */
  staleSweepMs?: number;
  /** How long in-process workload clients wait for an answer. Default 2,000 ms. */
  workloadTimeoutMs?: number;
}

export type PortState = 'pending' | 'attached' | 'failed';

export interface PortStatus {
  id: string;
  state: PortState;
  why?: string;
  vmi?: string;
  vrf?: string;
  address?: string;
  label?: number;
  kind: 'in-process' | 'tap';
}

/** A floating IP in force on a port: where, its label, and its published route. */
interface AttachedFip {
  key: string;
  vrf: string;
  address: string;
  label: number;
  route: Route | undefined;
  routeKey: string;
}

interface Attached {
  req: PortRequest;
  fip: AttachedFip | undefined;
  key: string;
  resolved: ResolvedPort;
  label: number;
  workload: PortWorkload;
  routes: Route[];
  routesKey: string;
  aclKey: string;
}

interface ControllerState {
  endpoint: string;
  state: 'connecting' | 'established' | 'down';
  since: number;
  ups: number;
  downs: number;
  lastError: string;
  endOfRib: boolean;
  configMessages: number;
}

export interface AgentControlEvents {
  /** A reconciliation pass finished. */
  settled: [];
  'port-attached': [id: string];
  'port-detached': [id: string];
}

export class AgentControl extends EventEmitter<AgentControlEvents> {
  readonly agent: Agent;
  readonly client: XmppClient;
  readonly config: ConfigIndex;
  readonly routes: RemoteRoutes;
  private readonly log: Logger;
  private readonly opts: AgentControlOptions;
  private readonly routerMac: string;
  private readonly requests = new Map<string, PortRequest>();
  private readonly attached = new Map<string, Attached>();
  private readonly failures = new Map<string, string>();
  private readonly vrfSubscribed = new Set<string>();
  private readonly bumPublished = new Map<string, { route: Route; key: string }>();
  private readonly controllers: ControllerState[];
  private policyDirty = true;
  private acls: CompiledAcls | null = null;
  /** The port being attached: its address and MAC count as local already. */
  private attaching: Pick<ResolvedPort, 'vrf' | 'ip4' | 'ip6' | 'mac'> | undefined;
  private pass: Promise<void> = Promise.resolve();
  private passQueued = false;
  private configPeer: number | undefined;
  /** The channel the XMPP client sent the config subscriptions on (mirrors its own choice). */
  private clientConfigPeer: number | undefined;
  /** Channels that carry this agent's config subscriptions. */
  private readonly configFed = new Set<number>();
  private configTimer: NodeJS.Timeout | undefined;
  private configSinceUp = 0;
  private readonly ribTimers = new Map<number, NodeJS.Timeout>();
  private readonly sweepTimers = new Map<number, NodeJS.Timeout>();
  private running = false;
  private policyError = '';

  constructor(opts: AgentControlOptions) {
    super();
    this.opts = opts;
    this.agent = opts.agent;
    this.log = opts.logger ?? silentLogger;
    this.routerMac = (opts.routerMac ?? '00:00:5e:00:01:00').toLowerCase();
    const clientOpts: ConstructorParameters<typeof XmppClient>[0] = {
      name: opts.agent.name,
      servers: opts.controllers,
      localAddress: opts.agent.underlayAddress,
      logger: this.log,
    };
    if (opts.retryBaseMs !== undefined) clientOpts.retryBaseMs = opts.retryBaseMs;
    if (opts.retryMaxMs !== undefined) clientOpts.retryMaxMs = opts.retryMaxMs;
    if (opts.holdTimeMs !== undefined) clientOpts.holdTimeMs = opts.holdTimeMs;
    this.client = new XmppClient(clientOpts);
    this.controllers = opts.controllers.map((e) => ({
      endpoint: `${e.host}:${e.port ?? 5269}`,
      state: 'connecting',
      since: Date.now(),
      ups: 0,
      downs: 0,
      lastError: '',
      endOfRib: false,
      configMessages: 0,
    }));
    this.config = new ConfigIndex(new IfmapGraph());
    this.config.on('change', (c) => {
      if (POLICY_TYPES.includes(c.type)) this.policyDirty = true;
      this.schedule();
    });
    this.routes = new RemoteRoutes({
      agent: this.agent,
      isLocalPrefix: (vrf, prefix) => this.localPrefix(vrf, prefix),
      isLocalMac: (vrf, mac) => this.localMac(vrf, mac),
      log: (obj, msg) => this.log.warn(obj, msg),
      onTagsChanged: () => {
        this.policyDirty = true;
        this.schedule();
      },
    });
    this.wireClient();
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) return;
    this.running = true;
    this.client.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.configTimer);
    for (const t of [...this.ribTimers.values(), ...this.sweepTimers.values()]) clearTimeout(t);
    this.ribTimers.clear();
    this.sweepTimers.clear();
    await this.client.stop();
    await this.pass;
    for (const a of this.attached.values()) await a.workload.close();
  }

  /** Resolves after the reconciliation passes scheduled so far have run. */
  async settled(): Promise<void> {
    while (this.passQueued) await this.pass;
    await this.pass;
  }

  // ------------------------------------------------------------------ XMPP

  private wireClient(): void {
    const c = this.client;
    c.on('established', (i) => this.guarded('channel up', () => this.channelUp(i)));
    c.on('down', (i, reason) => this.guarded('channel down', () => this.channelDown(i, reason?.message)));
    c.on('route-update', (i, msg) =>
      this.guarded('route update', () => this.routes.update(i, msg.family, msg.vrf, msg.items)),
    );
    c.on('route-retract', (i, msg) =>
      this.guarded('route retract', () => this.routes.retract(i, msg.family, msg.vrf, msg.ids)),
    );
    c.on('end-of-rib', (i) => this.guarded('end of rib', () => this.endOfRib(i, false)));
    c.on('config', (i, msg) => {
      const st = this.controllers[i];
      if (st) st.configMessages++;
      this.guarded('config', () => this.config.apply(msg.blocks));
      if (i === this.configPeer) {
        this.configSinceUp++;
        this.armConfigSweep();
      }
    });
  }

  /** Runs an event handler; a fault in it is logged, never thrown into the XMPP session. */
  private guarded(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.log.warn({ err: (e as Error).message, name: (e as Error).name }, `${what}: not applied`);
    }
  }

  private channelUp(i: number): void {
    const st = this.controllers[i]!;
    st.state = 'established';
    st.since = Date.now();
    st.ups++;
    st.endOfRib = false;
    this.log.info({ controller: st.endpoint }, 'xmpp channel up');
    this.routes.serverUp(i);
    // The client sends the config subscriptions on the first channel up while it has no config peer.
    if (this.clientConfigPeer === undefined) {
      this.clientConfigPeer = i;
      this.configFed.add(i);
    }
    if (this.configPeer === undefined) this.becomeConfigPeer(i, true);
    const t = setTimeout(() => this.endOfRib(i, true), this.opts.endOfRibTimeoutMs ?? 15_000);
    t.unref();
    this.ribTimers.set(i, t);
  }

  private channelDown(i: number, reason: string | undefined): void {
    const st = this.controllers[i]!;
    if (st.state === 'established') st.downs++;
    st.state = 'down';
    st.since = Date.now();
    st.endOfRib = false;
    st.lastError = reason ?? 'closed';
    clearTimeout(this.ribTimers.get(i));
    this.ribTimers.delete(i);
    clearTimeout(this.sweepTimers.get(i));
    this.sweepTimers.delete(i);
    this.configFed.delete(i);
    if (this.clientConfigPeer === i) this.clientConfigPeer = undefined;
    this.log.warn({ controller: st.endpoint, reason: st.lastError }, 'xmpp channel down');
    this.routes.serverDown(i);
    if (this.configPeer === i) {
      this.configPeer = undefined;
      clearTimeout(this.configTimer);
      // The other control node takes over config (the client only picks a config peer on channel up).
      const other = this.client.establishedServers.find((s) => s !== i);
      if (other !== undefined) this.becomeConfigPeer(other, false);
    }
    if (this.client.establishedServers.length === 0) this.log.warn({}, 'headless: no control node');
  }

  /**
   * Takes `server` as the config source. On a fresh channel (`fresh`) the client has just subscribed and the
   * control node sends the whole config: what the graph holds is stale until sent again (then swept,
   * armConfigSweep). On a take-over, a channel that already carries the subscriptions has been feeding the
   * graph all along; otherwise the agent subscribes there itself and marks the graph stale the same way.
   */
  private becomeConfigPeer(server: number, fresh: boolean): void {
    this.configPeer = server;
    if (!fresh && this.configFed.has(server)) return;
    this.configSinceUp = 0;
    this.config.graph.markStale();
    if (this.configFed.has(server)) return;
    const s = this.client.sessionOf(server);
    const to = `${CONTROL_NODE_JID}/${RESOURCE_CONFIG}`;
    let out = encodeSubscribe(
      'subscribe',
      { from: this.agent.name, to },
      `virtual-router:default-global-system-config:${this.agent.name}`,
    );
    for (const vm of this.vmNodes()) out += encodeSubscribe('subscribe', { from: this.agent.name, to }, vm);
    s?.send(out);
    this.configFed.add(server);
  }

  /** Sweeps stale config once the config peer has been quiet for a while after sending some. */
  private armConfigSweep(): void {
    clearTimeout(this.configTimer);
    this.configTimer = setTimeout(() => {
      if (this.configPeer === undefined || this.configSinceUp === 0) return;
      this.guarded('config sweep', () => this.config.graph.sweepStale());
      this.log.info({ objects: this.config.total() }, 'config in sync');
    }, this.opts.configSweepMs ?? 3000);
    this.configTimer.unref();
  }

  private endOfRib(server: number, timedOut: boolean): void {
    clearTimeout(this.ribTimers.get(server));
    this.ribTimers.delete(server);
    const st = this.controllers[server];
    if (st?.state !== 'established' || this.sweepTimers.has(server)) return;
    st.endOfRib = true;
    if (timedOut) this.log.info({ controller: st.endpoint }, 'no End-of-RIB: stale routes will be swept');
    const t = setTimeout(() => {
      this.sweepTimers.delete(server);
      if (st.state !== 'established') return;
      this.routes.endOfRib(server, this.client.establishedServers);
    }, this.opts.staleSweepMs ?? 5000);
    t.unref();
    this.sweepTimers.set(server, t);
  }

  private vmNodes(): string[] {
    return [...new Set([...this.requests.values()].map((r) => `virtual-machine:${r.instanceId}`))];
  }

  // ------------------------------------------------------------------ ports (port API)

  /** Declares a port (idempotent for an identical request; a changed one replaces it). */
  addPort(req: PortRequest): void {
    const old = this.requests.get(req.id);
    if (old && JSON.stringify(old) === JSON.stringify(req)) return;
    if (old) this.forget(old);
    this.requests.set(req.id, req);
    this.failures.delete(req.id);
    this.client.subscribeConfig(`virtual-machine:${req.instanceId}`);
    this.policyDirty = true;
    this.schedule();
  }

  /** Removes a port; false when it was not declared. */
  deletePort(id: string): boolean {
    const req = this.requests.get(id);
    if (!req) return false;
    this.forget(req);
    this.schedule();
    return true;
  }

  private forget(req: PortRequest): void {
    this.requests.delete(req.id);
    this.failures.delete(req.id);
    const vm = `virtual-machine:${req.instanceId}`;
    if (![...this.requests.values()].some((r) => `virtual-machine:${r.instanceId}` === vm))
      this.client.unsubscribeConfig(vm);
  }

  portRequests(): PortRequest[] {
    return [...this.requests.values()];
  }

  portStatus(id: string): PortStatus | undefined {
    const req = this.requests.get(id);
    if (!req) return undefined;
    const a = this.attached.get(id);
    if (a)
      return {
        id,
        state: 'attached',
        vmi: a.resolved.vmi,
        vrf: a.resolved.vrf,
        address: `${a.resolved.ip4}/${a.resolved.prefixLen}`,
        label: a.label,
        kind: req.workload.kind,
      };
    const failed = this.failures.get(id);
    if (failed !== undefined) return { id, state: 'failed', why: failed, kind: req.workload.kind };
    const r = resolvePort(this.config, req);
    return { id, state: 'pending', why: r.ok ? 'attaching' : r.why, kind: req.workload.kind };
  }

  private attachedWorkload(id: string): PortWorkload {
    if (!this.requests.has(id)) throw new UnknownPortError(id);
    const a = this.attached.get(id);
    if (!a) throw new PortStateError(id, 'not attached yet (waiting for its config)');
    return a.workload;
  }

  ping(id: string, to: string, count: number): Promise<PingResult> {
    return this.attachedWorkload(id).ping(id, to, count);
  }

  tcp(id: string, to: string, port: number, bytes: number): Promise<TcpResult> {
    return this.attachedWorkload(id).tcp(id, to, port, bytes);
  }

  // ------------------------------------------------------------------ reconciliation

  private schedule(): void {
    if (this.passQueued) return;
    this.passQueued = true;
    this.pass = this.pass.then(
      () =>
        new Promise<void>((resolve) => {
          // Coalesce a burst of config (one iq holds at most 16 objects) into one pass.
          setTimeout(() => {
            this.passQueued = false;
            this.reconcile()
              .catch((e) => this.log.warn({ err: (e as Error).message }, 'reconcile failed'))
              .finally(() => {
                this.emit('settled');
                resolve();
              });
          }, 5);
        }),
    );
  }

  /** Local addresses per VRF: the ports' own, their floating IPs, and the one being attached. */
  private localPorts(): Pick<ResolvedPort, 'vrf' | 'ip4' | 'ip6' | 'mac'>[] {
    const out: Pick<ResolvedPort, 'vrf' | 'ip4' | 'ip6' | 'mac'>[] = [];
    for (const a of this.attached.values()) {
      out.push(a.resolved);
      if (a.fip) out.push({ vrf: a.fip.vrf, ip4: a.fip.address, mac: '' });
    }
    if (this.attaching) out.push(this.attaching);
    return out;
  }

  private localPrefix(vrf: string, prefix: string): boolean {
    for (const p of this.localPorts()) {
      if (p.vrf !== vrf) continue;
      if (prefix === `${p.ip4}/32` || (p.ip6 !== undefined && prefix === `${p.ip6}/128`)) return true;
    }
    return false;
  }

  private localMac(vrf: string, mac: string): boolean {
    const m = mac.toLowerCase();
    for (const p of this.localPorts()) if (p.vrf === vrf && p.mac === m) return true;
    return false;
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const want = new Map<string, ResolvedPort>();
    for (const req of this.requests.values()) {
      const r = resolvePort(this.config, req);
      if (r.ok) want.set(req.id, r.port);
    }
    // Detach what went away or changed.
    for (const [id, a] of this.attached) {
      const w = want.get(id);
      if (w && attachKey(w) === a.key && this.requests.get(id) === a.req) continue;
      await this.detach(id, a);
    }
    // VRFs: create, or follow the encapsulation priority and gateways (floating IP networks too).
    for (const p of want.values()) {
      this.guarded(`vrf ${p.vrf}`, () => this.ensureVrf(p));
      const fip = p.fip;
      if (fip) this.guarded(`vrf ${fip.vrf}`, () => this.ensureVrf(fip));
    }
    // Compile before attaching, so a new port starts with its ACL.
    this.syncAcls();
    // Attach what is new.
    for (const [id, p] of want) {
      if (this.attached.has(id) || this.failures.has(id)) continue;
      await this.attach(this.requests.get(id)!, p);
    }
    // Attached ports follow encapsulation changes (published routes) and config edits that keep the key.
    for (const [id, a] of this.attached) {
      const p = want.get(id);
      if (p) a.resolved = p;
    }
    this.syncAcls();
    this.syncFloatingIps();
    this.syncSubscriptions();
    this.syncPublished();
  }

  /** Adds, moves or removes each attached port's floating IP as its config says. */
  private syncFloatingIps(): void {
    for (const [id, a] of this.attached) {
      const want = a.resolved.fip;
      const key = want ? `${want.vrf}|${want.address}` : '';
      if ((a.fip?.key ?? '') === key) continue;
      if (a.fip) {
        if (a.fip.route) this.client.withdraw(a.fip.vrf, a.fip.route);
        this.agent.deleteFloatingIp(id);
        this.log.info({ port: id, address: a.fip.address }, 'floating ip removed');
        a.fip = undefined;
      }
      if (!want) continue;
      this.attaching = { vrf: want.vrf, ip4: want.address, mac: '' };
      this.routes.resync(want.vrf);
      try {
        const label = this.agent.addFloatingIp(id, want.vrf, want.address);
        a.fip = { key, vrf: want.vrf, address: want.address, label, route: undefined, routeKey: '' };
        this.log.info({ port: id, vrf: want.vrf, address: want.address, label }, 'floating ip added');
      } finally {
        this.attaching = undefined;
      }
    }
  }

  private ensureVrf(p: NetworkVrf): void {
    const agent = this.agent;
    const spec = { gateways: p.gateways, encapL2: p.encaps, encapL3: p.encaps };
    if (agent.hasVrf(p.vrf)) {
      agent.updateVrf(p.vrf, { ...spec, vni: p.vni > 0 ? p.vni : -1 });
      return;
    }
    const vrf = { name: p.vrf, ...spec } as {
      name: string;
      vni?: number;
      gateways: string[];
      encapL2: Encap[];
      encapL3: Encap[];
    };
    if (p.vni > 0) vrf.vni = p.vni;
    agent.addVrf(vrf);
    this.log.info({ vrf: p.vrf, vni: p.vni }, 'vrf added');
    this.routes.resync(p.vrf);
  }

  private async attach(req: PortRequest, p: ResolvedPort): Promise<void> {
    const agent = this.agent;
    let pw: PortWorkload;
    try {
      pw = await PortWorkload.open(agent, req, p, this.opts.workloadTimeoutMs ?? 2000);
    } catch (e) {
      this.failures.set(req.id, (e as Error).message);
      this.log.warn({ port: req.id, err: (e as Error).message }, 'workload not opened');
      return;
    }
    if (this.requests.get(req.id) !== req) {
      await pw.close();
      return;
    }
    try {
      const ipam = { address: p.ip4, prefixLen: p.prefixLen, gateway: p.gateway, dns: p.dns } as {
        address: string;
        prefixLen: number;
        gateway: string;
        dns: string[];
        mtu?: number;
        hostname?: string;
      };
      if (p.mtu !== undefined) ipam.mtu = p.mtu;
      if (req.displayName !== '') ipam.hostname = req.displayName;
      // A remote route or MAC entry for this port's address goes before the port's own are installed.
      this.attaching = p;
      this.routes.resync(p.vrf);
      const port = agent.addPort({
        name: req.id,
        vrf: p.vrf,
        mac: p.mac,
        ipam,
        acl: this.acls?.matcher(p.vmi) ?? null,
        deliver: pw.deliver,
      });
      pw.index = port.index;
      this.attached.set(req.id, {
        req,
        fip: undefined,
        key: attachKey(p),
        resolved: p,
        label: port.label,
        workload: pw,
        routes: [],
        routesKey: '',
        aclKey: this.acls?.signature(p.vmi) ?? '',
      });
      this.attaching = undefined;
      this.log.info(
        { port: req.id, vmi: p.vmi, vrf: p.vrf, address: p.ip4, label: port.label },
        'port attached',
      );
      this.emit('port-attached', req.id);
    } catch (e) {
      this.attaching = undefined;
      await pw.close();
      this.failures.set(req.id, (e as Error).message);
      this.log.warn({ port: req.id, err: (e as Error).message }, 'port not added');
    }
  }

  private async detach(id: string, a: Attached): Promise<void> {
    for (const r of a.routes) this.client.withdraw(a.resolved.vrf, r);
    if (a.fip?.route) this.client.withdraw(a.fip.vrf, a.fip.route);
    try {
      this.agent.deletePort(id);
    } catch (e) {
      if (!(e instanceof UnknownObjectError)) throw e;
    }
    this.attached.delete(id);
    await a.workload.close();
    this.routes.resync(a.resolved.vrf);
    if (a.fip) this.routes.resync(a.fip.vrf);
    this.log.info({ port: id, vrf: a.resolved.vrf }, 'port detached');
    this.emit('port-detached', id);
  }

  private syncAcls(): void {
    if (!this.policyDirty) return;
    this.policyDirty = false;
    let acls: CompiledAcls;
    try {
      acls = compileAcls(this.config, this.routes.taggedEndpoints());
      this.policyError = '';
    } catch (e) {
      // Keep the ACLs in force; a later config change retries.
      this.policyError = `${(e as Error).name}: ${(e as Error).message}`;
      this.log.warn({ err: this.policyError }, 'policy not compiled');
      return;
    }
    this.acls = acls;
    for (const [id, a] of this.attached) {
      const key = acls.signature(a.resolved.vmi);
      if (key === a.aclKey) continue;
      a.aclKey = key;
      this.agent.setPortAcl(id, acls.matcher(a.resolved.vmi));
    }
  }

  private syncSubscriptions(): void {
    const vrfs = new Set<string>();
    for (const a of this.attached.values()) {
      vrfs.add(a.resolved.vrf);
      if (a.fip) vrfs.add(a.fip.vrf);
    }
    for (const vrf of vrfs) {
      if (this.vrfSubscribed.has(vrf)) continue;
      this.client.subscribe(vrf, { instanceId: this.agent.vrf(vrf).id });
      this.vrfSubscribed.add(vrf);
    }
    for (const vrf of [...this.vrfSubscribed]) {
      if (vrfs.has(vrf)) continue;
      const bum = this.bumPublished.get(vrf);
      if (bum) this.client.withdraw(vrf, bum.route);
      this.bumPublished.delete(vrf);
      this.client.unsubscribe(vrf);
      this.vrfSubscribed.delete(vrf);
      this.routes.dropVrf(vrf);
    }
  }

  private syncPublished(): void {
    const underlay = this.agent.underlayAddress;
    const perVrf = new Map<string, ResolvedPort>();
    for (const a of this.attached.values()) {
      const p = a.resolved;
      perVrf.set(p.vrf, p);
      const spec = {
        virtualNetwork: p.vn,
        underlay,
        routerMac: this.routerMac,
        label: a.label,
        vni: p.vni,
        encaps: encapsToXmpp(p.encaps),
        mac: p.mac,
        ip4: p.ip4,
        tags: interfaceTagIds(this.config, p.vmi),
        ...(p.ip6 !== undefined ? { ip6: p.ip6 } : {}),
      };
      const key = JSON.stringify(spec);
      if (key === a.routesKey) continue;
      const routes = portRoutes(spec);
      // Routes that are no longer produced are withdrawn; the rest are (re)published in place.
      const nodes = new Set(routes.map((r) => routeKey(r)));
      for (const old of a.routes) if (!nodes.has(routeKey(old))) this.client.withdraw(p.vrf, old);
      for (const r of routes) this.client.publish(p.vrf, r);
      a.routes = routes;
      a.routesKey = key;
    }
    // Floating IPs: an inet /32 in the floating IP's VRF with its own label (no EVPN route: routed only).
    for (const a of this.attached.values()) {
      const f = a.fip;
      const want = a.resolved.fip;
      if (!f || !want) continue;
      const spec = {
        virtualNetwork: want.vn,
        underlay,
        routerMac: this.routerMac,
        label: f.label,
        vni: want.vni,
        encaps: encapsToXmpp(want.encaps),
        mac: a.resolved.mac,
        ip4: f.address,
      };
      const key = JSON.stringify(spec);
      if (key === f.routeKey) continue;
      const route = portRoutes(spec)[0]!;
      this.client.publish(f.vrf, route);
      f.route = route;
      f.routeKey = key;
    }
    for (const [vrf, p] of perVrf) {
      const spec = {
        virtualNetwork: p.vn,
        underlay,
        routerMac: this.routerMac,
        vni: p.vni,
        encaps: encapsToXmpp(p.encaps),
      };
      const key = JSON.stringify(spec);
      if (this.bumPublished.get(vrf)?.key === key) continue;
      const route = bumRoute(spec);
      this.client.publish(vrf, route);
      this.bumPublished.set(vrf, { route, key });
    }
  }

  // ------------------------------------------------------------------ observability

  /** `/xmpp`: the control node channels. */
  describeXmpp(): unknown {
    const now = Date.now();
    return {
      agent: this.agent.name,
      configPeer: this.configPeer === undefined ? null : this.controllers[this.configPeer]?.endpoint,
      headless: this.client.establishedServers.length === 0,
      controllers: this.controllers.map((c, i) => ({
        index: i,
        endpoint: c.endpoint,
        state: c.state,
        forSeconds: Math.round((now - c.since) / 1000),
        ups: c.ups,
        downs: c.downs,
        endOfRib: c.endOfRib,
        routesReceived: this.routes.receivedBy.get(i) ?? 0,
        configMessages: c.configMessages,
        lastError: c.lastError,
      })),
      subscriptions: [...this.vrfSubscribed],
      routes: { held: this.routes.count(), ...this.routes.stats },
    };
  }

  /** `/config`: graph counts and the ports' resolution. */
  describeConfig(): unknown {
    return {
      objects: this.config.total(),
      byType: this.config.counts(),
      messages: this.config.messages,
      changes: this.config.changes,
      policyError: this.policyError || null,
      ports: [...this.requests.keys()].map((id) => this.portStatus(id)),
    };
  }

  metrics(): MetricFamily[] {
    return [
      {
        name: 'filament_agent_xmpp_up',
        help: 'XMPP channel to each control node (1 established, 0 not).',
        type: 'gauge',
        samples: this.controllers.map((c) => ({
          labels: { controller: c.endpoint },
          value: c.state === 'established' ? 1 : 0,
        })),
      },
      {
        name: 'filament_agent_xmpp_flaps_total',
        help: 'XMPP channels lost, per control node.',
        type: 'counter',
        samples: this.controllers.map((c) => ({ labels: { controller: c.endpoint }, value: c.downs })),
      },
      {
        name: 'filament_agent_xmpp_routes_received_total',
        help: 'Route items received, per control node.',
        type: 'counter',
        samples: this.controllers.map((c, i) => ({
          labels: { controller: c.endpoint },
          value: this.routes.receivedBy.get(i) ?? 0,
        })),
      },
      {
        name: 'filament_agent_remote_routes',
        help: 'Routes from the control nodes held (installed or not).',
        type: 'gauge',
        samples: [{ value: this.routes.count() }],
      },
      {
        name: 'filament_agent_config_objects',
        help: 'Config objects held, by type.',
        type: 'gauge',
        samples: Object.entries(this.config.counts()).map(([type, value]) => ({ labels: { type }, value })),
      },
      {
        name: 'filament_agent_ports',
        help: 'Ports declared through the port API, by state.',
        type: 'gauge',
        samples: (['attached', 'pending', 'failed'] as const).map((state) => ({
          labels: { state },
          value: [...this.requests.keys()].filter((id) => this.portStatus(id)?.state === state).length,
        })),
      },
    ];
  }
}

function routeKey(r: Route): string {
  if (r.family === 'evpn') return `evpn|${r.entry.nlri.mac},${r.entry.nlri.address}`;
  if (r.family === 'ermvpn' || r.family === 'mvpn') return `${r.family}|${r.entry.nlri.group}`;
  return `${r.family}|${r.entry.nlri.address}`;
}
