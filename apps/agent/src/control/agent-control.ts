// The agent's control side (TF's vrouter agent controller module): the XMPP channels to one or two control
// nodes (channels.ts), the config graph they fill, the ports the port API declared, and the reconciliation
// that turns the three into data-plane state:
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
import { type Endpoint, type Logger, type Route, silentLogger, type XmppClient } from '@filament/xmpp';
import type { Agent } from '../agent.js';
import { UnknownObjectError } from '../errors.js';
import type { MetricFamily } from '../metrics.js';
import type { Encap } from '../nexthop.js';
import { ControlChannels, type ControlChannelsOptions } from './channels.js';
import { ConfigIndex } from './config-graph.js';
import { encapsToXmpp } from './encap-names.js';
import { PortStateError, UnknownPortError } from './errors.js';
import { bumRoute, portRoutes } from './local-routes.js';
import { type CompiledAcls, compileAcls, interfaceTagIds, POLICY_TYPES } from './policy-sync.js';
import { attachKey, type NetworkVrf, type ResolvedPort, resolvePort } from './port-config.js';
import type { PortRequest } from './port-request.js';
import { type PingResult, PortWorkload, type TcpResult } from './port-workload.js';
import { RemoteRoutes } from './remote-routes.js';

/** The channel timers an agent passes through to its ControlChannels (documented there), with `tls`. */
const CHANNEL_TIMERS = [
  'retryBaseMs',
  'retryMaxMs',
  'holdTimeMs',
  'configSweepMs',
  'endOfRibTimeoutMs',
  'staleSweepMs',
] as const;

export interface AgentControlOptions
  extends Pick<ControlChannelsOptions, 'tls' | (typeof CHANNEL_TIMERS)[number]> {
  agent: Agent;
  /** One or two control nodes (primary first). */
  controllers: Endpoint[];
  logger?: Logger;
  /** Router MAC published as the next hop's MAC (routed VXLAN); default the vRouter's 00:00:5e:00:01:00. */
  routerMac?: string;
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

export interface AgentControlEvents {
  /** A reconciliation pass finished. */
  settled: [];
  'port-attached': [id: string];
  'port-detached': [id: string];
}

export class AgentControl extends EventEmitter<AgentControlEvents> {
  readonly agent: Agent;
  readonly channels: ControlChannels;
  readonly config: ConfigIndex;
  readonly routes: RemoteRoutes;
  private readonly log: Logger;
  private readonly opts: AgentControlOptions;
  private readonly routerMac: string;
  private readonly requests = new Map<string, PortRequest>();
  private readonly attached = new Map<string, Attached>();
  private readonly failures = new Map<string, string>();
  private readonly vrfSubscribed = new Set<string>();
  /** VRFs this control made in the agent (and deletes when nothing needs them). */
  private readonly vrfsMade = new Set<string>();
  private readonly bumPublished = new Map<string, { route: Route; key: string }>();
  private policyDirty = true;
  private acls: CompiledAcls | null = null;
  /** The port being attached: its address and MAC count as local already. */
  private attaching: Pick<ResolvedPort, 'vrf' | 'ip4' | 'ip6' | 'mac'> | undefined;
  private pass: Promise<void> = Promise.resolve();
  private passQueued = false;
  private running = false;
  private policyError = '';

  constructor(opts: AgentControlOptions) {
    super();
    this.opts = opts;
    this.agent = opts.agent;
    this.log = opts.logger ?? silentLogger;
    this.routerMac = (opts.routerMac ?? '00:00:5e:00:01:00').toLowerCase();
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
    const ch: ControlChannelsOptions = {
      name: opts.agent.name,
      localAddress: opts.agent.underlayAddress,
      controllers: opts.controllers,
      logger: this.log,
      routes: this.routes,
      config: this.config,
      vmNodes: () => this.vmNodes(),
    };
    if (opts.tls !== undefined) ch.tls = opts.tls;
    for (const k of CHANNEL_TIMERS) {
      const v = opts[k];
      if (v !== undefined) ch[k] = v;
    }
    this.channels = new ControlChannels(ch);
  }

  /** The XMPP client (subscriptions and publications go through it). */
  get client(): XmppClient {
    return this.channels.client;
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) return;
    this.running = true;
    this.channels.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.channels.stop();
    await this.pass;
    for (const a of this.attached.values()) await a.workload.close();
  }

  /** Resolves after the reconciliation passes scheduled so far have run. */
  async settled(): Promise<void> {
    while (this.passQueued) await this.pass;
    await this.pass;
  }

  /** Runs one step of a pass; a fault in it is logged and the pass goes on. */
  /** Runs `f`; a failure is logged, not thrown. Returns whether it succeeded. */
  private guarded(what: string, f: () => void): boolean {
    try {
      f();
      return true;
    } catch (e) {
      this.log.warn({ err: (e as Error).message, name: (e as Error).name }, `${what}: not applied`);
      return false;
    }
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
    this.syncVrfs(want);
  }

  /**
   * Deletes the VRFs nothing needs any more: no port is (or is waiting to be) in the network, as its own
   * or its floating IP's, and it is unsubscribed (its remote routes dropped). A later port re-creates it.
   */
  private syncVrfs(want: ReadonlyMap<string, ResolvedPort>): void {
    const needed = new Set<string>(this.vrfSubscribed);
    for (const p of want.values()) {
      needed.add(p.vrf);
      if (p.fip) needed.add(p.fip.vrf);
    }
    for (const a of this.attached.values()) {
      needed.add(a.resolved.vrf);
      if (a.fip) needed.add(a.fip.vrf);
    }
    for (const vrf of [...this.vrfsMade]) {
      if (needed.has(vrf)) continue;
      this.vrfsMade.delete(vrf);
      if (!this.agent.hasVrf(vrf)) continue;
      this.routes.dropVrf(vrf);
      if (this.guarded(`vrf ${vrf}`, () => this.agent.deleteVrf(vrf))) this.log.info({ vrf }, 'vrf deleted');
    }
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
    this.vrfsMade.add(p.vrf);
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
        address6?: string;
        hostname?: string;
      };
      if (p.mtu !== undefined) ipam.mtu = p.mtu;
      if (req.displayName !== '') ipam.hostname = req.displayName;
      if (p.ip6 !== undefined) ipam.address6 = p.ip6;
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
      this.routes.resyncOwnHops();
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
    this.routes.resyncOwnHops();
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
  /** Per attached port, its compiled ACL as plain data (gates, remote sets resolved to prefixes). */
  describeAcls(): unknown {
    return [...this.attached.values()].map((a) => {
      const sig = this.acls?.signature(a.resolved.vmi) ?? '';
      return { port: a.req.id, vmi: a.resolved.vmi, acl: sig === '' ? null : (JSON.parse(sig) as unknown) };
    });
  }

  describeXmpp(): unknown {
    return {
      agent: this.agent.name,
      configPeer: this.channels.configPeerEndpoint,
      headless: this.channels.headless,
      controllers: this.channels.describe(),
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
      ...this.channels.metrics(),
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
