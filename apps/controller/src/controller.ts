// The controller process minus argv: opens the store, bootstraps defaults, serves the config API, follows the
// store's watch (two controllers on one etcd see each other's writes through it) and, when configured, runs the
// control plane: route distribution, the XMPP server for agents and the introspect endpoint.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { createApiServer } from './api/server.js';
import { ConfigService } from './api/service.js';
import { ensureTokenFile, TokenAuth, type TokenEntry } from './auth/tokens.js';
import { bootstrap } from './bootstrap.js';
import type { ControllerConfig } from './config.js';
import { ConfigFeed } from './control/config-feed.js';
import { GatewayManager, gatewayConfigOf, registerGatewayMetrics } from './control/gateway/index.js';
import { IntrospectServer } from './control/introspect.js';
import { ControlPlane } from './control/routing/control-plane.js';
import { Ipam } from './ipam/hooks.js';
import { controllerMetrics } from './metrics.js';
import { EtcdStore } from './store/etcd.js';
import type { Change, Store, Watcher } from './store/interface.js';
import { SqliteStore } from './store/sqlite.js';

export interface ControllerEvents {
  change: [Change];
}

export class Controller {
  /** Every store change (own and other controllers'), in revision order. */
  readonly changes = new EventEmitter<ControllerEvents>();
  private watcher: Watcher | undefined;
  /** Route distribution and the agents' XMPP server; undefined when `config.control` is absent. */
  control: ControlPlane | undefined;
  /** Config pushed to agents over XMPP (IF-MAP), attached per agent session by the agent server. */
  configFeed: ConfigFeed | undefined;
  introspect: IntrospectServer | undefined;
  /** BGP gateways (bgp-router objects as peers of our BGP speaker); undefined unless `config.bgp` enables them. */
  gateways: GatewayManager | undefined;

  private constructor(
    readonly config: ControllerConfig,
    readonly store: Store,
    readonly service: ConfigService,
    readonly server: Server,
    readonly log: Logger,
    readonly adminToken: string | undefined,
    readonly metrics: ReturnType<typeof controllerMetrics>,
    private readonly auth: TokenAuth | undefined,
  ) {
    this.changes.setMaxListeners(0);
  }

  static openStore(cfg: ControllerConfig): Store {
    if (cfg.store.engine === 'sqlite') {
      return new SqliteStore({
        dataDir: cfg.store.data_dir,
        ...(cfg.store.durability ? { durability: cfg.store.durability } : {}),
      });
    }
    const t = cfg.store.tls;
    return new EtcdStore({
      hosts: cfg.store.hosts,
      ...(cfg.store.prefix ? { prefix: cfg.store.prefix } : {}),
      ...(t
        ? {
            client: {
              credentials: {
                rootCertificate: readFileSync(t.ca_file),
                ...(t.cert_file ? { certChain: readFileSync(t.cert_file) } : {}),
                ...(t.key_file ? { privateKey: readFileSync(t.key_file) } : {}),
              },
            },
          }
        : {}),
    });
  }

  static async start(
    cfg: ControllerConfig,
    log: Logger = pino({ level: cfg.log_level }),
  ): Promise<Controller> {
    const store = Controller.openStore(cfg);
    try {
      return await Controller.startOn(store, cfg, log);
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
  }

  private static async startOn(store: Store, cfg: ControllerConfig, log: Logger): Promise<Controller> {
    const metrics = controllerMetrics();
    const ipam = new Ipam(store, { asn: cfg.asn });
    const service = new ConfigService(store, ipam);
    let auth: TokenAuth | undefined;
    let adminToken: string | undefined;
    if (cfg.auth.enabled) {
      const entries: TokenEntry[] = [...(cfg.auth.tokens ?? [])];
      if (cfg.auth.admin_token_file) {
        adminToken = ensureTokenFile(cfg.auth.admin_token_file);
        entries.push({ token: adminToken, name: 'admin', role: 'cloud-admin' });
      }
      if (entries.length === 0)
        throw new Error('auth is enabled but no token is configured (admin_token_file or auth.tokens)');
      auth = new TokenAuth(entries);
    } else {
      log.warn('authentication is disabled: every request acts as cloud-admin');
    }
    await bootstrap(service, cfg.asn);
    const tls = cfg.tls
      ? {
          cert: readFileSync(cfg.tls.cert_file),
          key: readFileSync(cfg.tls.key_file),
          ...(cfg.tls.ca_file ? { ca: readFileSync(cfg.tls.ca_file) } : {}),
        }
      : undefined;
    const server = createApiServer({
      service,
      auth,
      log,
      metrics,
      publicMetrics: cfg.auth.public_metrics === true,
      ...(tls ? { tls } : {}),
    });
    const c = new Controller(cfg, store, service, server, log, adminToken, metrics, auth);
    const from = await store.revision();
    try {
      // The control plane reads its snapshot after `from`, so the watch below replays what it may have missed.
      await c.startControlPlane();
    } catch (e) {
      await c.stopControlPlane();
      throw e;
    }
    c.watcher = await store.watch(
      from,
      (ch) => {
        metrics.watchEvents.inc({ type: ch.type, kind: ch.kind });
        c.changes.emit('change', ch);
      },
      (e) => log.error({ err: e }, 'store watch failed'),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(cfg.listen.port, cfg.listen.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await c.watcher.close();
      await c.stopControlPlane();
      throw e;
    }
    const a = server.address() as AddressInfo;
    log.info(
      { host: a.address, port: a.port, store: store.engine, tls: !!tls, auth: !!auth },
      'config API listening',
    );
    return c;
  }

  /**
   * Starts the control plane: RouteDb and instances from config, the XMPP server for agents, introspect.
   * It follows `changes`; the caller starts the store watch afterwards.
   */
  private async startControlPlane(): Promise<void> {
    const cc = this.config.control;
    if (!cc) return;
    const x = cc.xmpp;
    const log = this.log.child({ component: 'control' });
    this.configFeed = new ConfigFeed({ store: this.store, changes: this.changes, log });
    const cp = await ControlPlane.start({
      store: this.store,
      log,
      metrics: this.metrics.control,
      feed: this.configFeed,
      agents: {
        host: x.host,
        port: x.port,
        hostname: x.hostname,
        ...(x.tls
          ? {
              tls: {
                cert: readFileSync(x.tls.cert_file),
                key: readFileSync(x.tls.key_file),
                ...(x.tls.ca_file ? { ca: readFileSync(x.tls.ca_file) } : {}),
              },
            }
          : {}),
        maxSessions: x.max_sessions,
        maxSubscriptions: x.max_subscriptions,
        maxWriteBuffer: x.max_write_buffer,
        maxRoutesPerAgent: x.max_routes_per_agent,
        gracefulRestartMs: cc.graceful_restart_seconds * 1000,
      },
    });
    this.control = cp;
    this.changes.on('change', (ch) => cp.apply(ch));
    await cp.listen();
    // BGP gateways (control/gateway): bgp-router objects -> speaker peers, RouteDb <-> VPN/EVPN routes
    const bgp = gatewayConfigOf(this.config);
    if (bgp) {
      const deps = { store: this.store, changes: this.changes, routes: cp.db, subscribers: cp.agents };
      this.gateways = await GatewayManager.start({ ...deps, log: this.log.child({ component: 'bgp' }) }, bgp);
      registerGatewayMetrics(this.metrics.registry, this.gateways);
    }
    this.introspect = new IntrospectServer({
      host: cc.introspect.host,
      port: cc.introspect.port,
      control: cp,
      registry: this.metrics.registry,
      auth: cc.introspect.public ? undefined : this.auth,
      log: this.log,
    });
    const a = await this.introspect.listen();
    this.log.info({ host: a.address, port: a.port }, 'introspect listening');
  }

  private async stopControlPlane(): Promise<void> {
    await this.gateways?.close();
    await this.introspect?.close();
    await this.control?.close();
    this.configFeed?.close();
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Port of the XMPP server for agents (when the control plane runs). */
  get xmppPort(): number | undefined {
    return this.control?.agents.port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.watcher?.close();
    await this.stopControlPlane();
    await this.store.close();
  }
}
