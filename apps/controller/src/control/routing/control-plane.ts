// The control plane's routing side put together: the RouteDb, routing instances and embedded-VTEP routes
// derived from config, and the XMPP server for agents. It loads a snapshot of the config it needs from the
// store, then follows the store's changes (Controller.changes) in revision order.
import type { Logger } from 'pino';
import type { ControlMetrics } from '../../metrics.js';
import type { Change, Store, StoredObject } from '../../store/interface.js';
import { type AgentConfigFeed, AgentServer, type AgentServerOptions } from '../agent-server.js';
import { ConfigInstances, INSTANCE_CONFIG_TYPES } from './config-instances.js';
import { EmbeddedRoutes } from './embedded-routes.js';
import { RouteDb } from './route-db.js';
import { GLOBAL_SYSTEM_CONFIG, VirtualRouters } from './virtual-routers.js';

/** Types the routing side reads from the store. */
export const ROUTING_CONFIG_TYPES: readonly string[] = [
  ...INSTANCE_CONFIG_TYPES,
  'virtual-router',
  'virtual-machine-interface',
  'instance-ip',
];

export interface ControlPlaneOptions {
  store: Store;
  log: Logger;
  metrics: ControlMetrics;
  agents: Omit<AgentServerOptions, 'db' | 'authorize' | 'metrics' | 'log' | 'feed'>;
  feed?: AgentConfigFeed;
}

export class ControlPlane {
  readonly db = new RouteDb();
  readonly routers = new VirtualRouters();
  readonly instances: ConfigInstances;
  readonly embedded: EmbeddedRoutes;
  readonly agents: AgentServer;
  private readonly log: Logger;

  private constructor(opts: ControlPlaneOptions) {
    this.log = opts.log;
    this.instances = new ConfigInstances(this.db);
    this.embedded = new EmbeddedRoutes(this.db, this.routers, this.instances);
    const { store } = opts;
    this.agents = new AgentServer({
      ...opts.agents,
      db: this.db,
      metrics: opts.metrics,
      log: opts.log,
      ...(opts.feed ? { feed: opts.feed } : {}),
      // The index answers at once; a router created a moment ago may not have come through the watch yet.
      authorize: (name) =>
        this.routers.get(name) !== undefined ||
        store.fqNameToUuid('virtual-router', [GLOBAL_SYSTEM_CONFIG, name]).then((u) => u !== undefined),
    });
    opts.metrics.routesPerInstance.read = () =>
      [...this.db.instances()].map((ri) => [{ instance: ri.name }, ri.routeCount]);
  }

  /** Loads the config snapshot (call before following changes from the revision read before it). */
  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const cp = new ControlPlane(opts);
    const objects: StoredObject[] = [];
    for (const type of ROUTING_CONFIG_TYPES) {
      let after: string | undefined;
      for (;;) {
        const page = await opts.store.list({ type, limit: 5000, ...(after ? { after } : {}) });
        objects.push(...page.objects);
        if (!page.next) break;
        after = page.next;
      }
    }
    cp.routers.load(objects);
    cp.instances.load(objects);
    cp.embedded.load(objects);
    cp.log.info(
      { instances: [...cp.db.instances()].length, routers: cp.routers.size, objects: objects.length },
      'control plane config loaded',
    );
    return cp;
  }

  listen(): Promise<{ address: string; port: number }> {
    return this.agents.listen();
  }

  /** One store change, in revision order. */
  apply(ch: Change): void {
    try {
      this.routers.apply(ch);
      this.instances.apply(ch);
      this.embedded.apply(ch);
    } catch (e) {
      // A malformed object must not stop the feed for everything else.
      this.log.error({ err: e, type: ch.type, uuid: ch.uuid }, 'control plane failed to apply a change');
    }
  }

  async close(): Promise<void> {
    await this.agents.close();
  }
}
