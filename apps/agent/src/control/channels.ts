// The XMPP channels to the control nodes (TF agent: AgentXmppChannel per control node, the config peer and
// the End-of-RIB / EndOfConfig timers): one XmppClient with one or two servers, the state of each channel,
// the choice of config peer, and what a channel coming and going means for the routes (RemoteRoutes:
// stale marking, End-of-RIB sweep after a hold) and for the config graph (stale marking when a new config
// peer starts sending, sweep once it has been quiet).

import {
  CONTROL_NODE_JID,
  type Endpoint,
  encodeSubscribe,
  type Logger,
  RESOURCE_CONFIG,
  type TlsOptions,
  XmppClient,
} from '@filament/xmpp';
import type { MetricFamily } from '../metrics.js';
import type { ConfigIndex } from './config-graph.js';
import type { RemoteRoutes } from './remote-routes.js';

export interface ControlChannelsOptions {
  /** The agent name (XMPP `from`, the virtual-router name). */
  name: string;
  /** Source address of the XMPP connections (TF binds to the vhost0 address). */
  localAddress: string;
  /** One or two control nodes (primary first). */
  controllers: Endpoint[];
  logger: Logger;
  routes: RemoteRoutes;
  config: ConfigIndex;
  /** The `virtual-machine:<uuid>` config nodes of the ports (subscribed again on a config take-over). */
  vmNodes: () => string[];
  /** XMPP reconnect scale (TF: 1,000 ms); tests shorten it. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  holdTimeMs?: number;
  /** Config inactivity after which stale config is swept (TF's EndOfConfig timer). Default 3,000 ms. */
  configSweepMs?: number;
  /** When a control node sends no End-of-RIB, it is assumed after this. Default 15,000 ms. */
  endOfRibTimeoutMs?: number;
  /**
   * How long stale routes stay after End-of-RIB (default 5,000 ms). A control node that restarted sends
   * End-of-RIB before the other agents have republished to it; sweeping at once would drop their routes
   * until they do (a dip in traffic). Routes sent again in the meantime are fresh and stay.
   */
  staleSweepMs?: number;
  /** STARTTLS with these certificates (the server verified against `ca`); absent: plain TCP. */
  tls?: TlsOptions;
}

export interface ControllerState {
  endpoint: string;
  state: 'connecting' | 'established' | 'down';
  since: number;
  ups: number;
  downs: number;
  lastError: string;
  endOfRib: boolean;
  configMessages: number;
}

export class ControlChannels {
  readonly client: XmppClient;
  readonly states: ControllerState[];
  private readonly opts: ControlChannelsOptions;
  private readonly log: Logger;
  private readonly routes: RemoteRoutes;
  private readonly config: ConfigIndex;
  private configPeer: number | undefined;
  /** The channel the XMPP client sent the config subscriptions on (mirrors its own choice). */
  private clientConfigPeer: number | undefined;
  /** Channels that carry this agent's config subscriptions. */
  private readonly configFed = new Set<number>();
  private configTimer: NodeJS.Timeout | undefined;
  private configSinceUp = 0;
  private readonly ribTimers = new Map<number, NodeJS.Timeout>();
  private readonly sweepTimers = new Map<number, NodeJS.Timeout>();

  constructor(opts: ControlChannelsOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.routes = opts.routes;
    this.config = opts.config;
    const clientOpts: ConstructorParameters<typeof XmppClient>[0] = {
      name: opts.name,
      servers: opts.controllers,
      localAddress: opts.localAddress,
      logger: this.log,
    };
    if (opts.retryBaseMs !== undefined) clientOpts.retryBaseMs = opts.retryBaseMs;
    if (opts.retryMaxMs !== undefined) clientOpts.retryMaxMs = opts.retryMaxMs;
    if (opts.holdTimeMs !== undefined) clientOpts.holdTimeMs = opts.holdTimeMs;
    if (opts.tls !== undefined) clientOpts.tls = opts.tls;
    this.client = new XmppClient(clientOpts);
    this.states = opts.controllers.map((e) => ({
      endpoint: `${e.host}:${e.port ?? 5269}`,
      state: 'connecting',
      since: Date.now(),
      ups: 0,
      downs: 0,
      lastError: '',
      endOfRib: false,
      configMessages: 0,
    }));
    this.wireClient();
  }

  start(): void {
    this.client.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.configTimer);
    for (const t of [...this.ribTimers.values(), ...this.sweepTimers.values()]) clearTimeout(t);
    this.ribTimers.clear();
    this.sweepTimers.clear();
    await this.client.stop();
  }

  /** No control node is connected: the agent forwards with what it holds. */
  get headless(): boolean {
    return this.client.establishedServers.length === 0;
  }

  get configPeerEndpoint(): string | null {
    return this.configPeer === undefined ? null : (this.states[this.configPeer]?.endpoint ?? null);
  }

  /** Per control node, for `/xmpp`. */
  describe(): unknown[] {
    const now = Date.now();
    return this.states.map((c, i) => ({
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
    }));
  }

  metrics(): MetricFamily[] {
    return [
      {
        name: 'filament_agent_xmpp_up',
        help: 'XMPP channel to each control node (1 established, 0 not).',
        type: 'gauge',
        samples: this.states.map((c) => ({
          labels: { controller: c.endpoint },
          value: c.state === 'established' ? 1 : 0,
        })),
      },
      {
        name: 'filament_agent_xmpp_flaps_total',
        help: 'XMPP channels lost, per control node.',
        type: 'counter',
        samples: this.states.map((c) => ({ labels: { controller: c.endpoint }, value: c.downs })),
      },
      {
        name: 'filament_agent_xmpp_routes_received_total',
        help: 'Route items received, per control node.',
        type: 'counter',
        samples: this.states.map((c, i) => ({
          labels: { controller: c.endpoint },
          value: this.routes.receivedBy.get(i) ?? 0,
        })),
      },
    ];
  }

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
      const st = this.states[i];
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
    const st = this.states[i]!;
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
    const st = this.states[i]!;
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
      { from: this.opts.name, to },
      `virtual-router:default-global-system-config:${this.opts.name}`,
    );
    for (const vm of this.opts.vmNodes())
      out += encodeSubscribe('subscribe', { from: this.opts.name, to }, vm);
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
    const st = this.states[server];
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
}
