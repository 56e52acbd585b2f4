// The control plane's introspect HTTP endpoint (its own port, default 8083), read by `filament routes` and the
// lab. With authentication on, every path (metrics included) needs a cloud-admin token (X-Auth-Token or
// Authorization: Bearer) unless `control.introspect.public` is set.
//   GET /introspect/agents      agents: name, address, state, subscribed instances, routes published
//   GET /introspect/instances   routing instances: vn, vni, route targets, routes, subscribers
//   GET /routes[?instance=NAME] (also /introspect/routes) {instances:[{name, routes:[{family,key,paths:[{source,nextHop,label,vni,encapsulations}]}]}]}
//   GET /metrics                Prometheus text (same registry as the API's /metrics)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { requireAdmin, type TokenAuth } from '../auth/tokens.js';
import { ControllerError, NotFoundError } from '../errors.js';
import type { Registry } from '../metrics.js';
import type { ControlPlane } from './routing/control-plane.js';
import { ROUTE_FAMILIES, type RoutePath } from './routing/route-db.js';

export interface IntrospectOptions {
  host: string;
  port: number;
  control: ControlPlane;
  registry: Registry;
  /** undefined = no authentication. */
  auth: TokenAuth | undefined;
  log: Logger;
}

export interface IntrospectPath {
  source: string;
  nextHop: string;
  label: number;
  vni: number;
  encapsulations: string[];
  stale: boolean;
  origin: string | undefined;
}

function pathView(p: RoutePath): IntrospectPath[] {
  return p.entry.nextHops.map((nh) => ({
    source: p.source,
    nextHop: nh.address,
    label: nh.label,
    // enet next hops carry the VNI as their label.
    vni: 'vni' in nh ? nh.vni : nh.label,
    encapsulations: [...nh.tunnelEncapsulations],
    stale: p.stale === true,
    origin: p.origin,
  }));
}

export function routesView(cp: ControlPlane, instance?: string) {
  const names = instance !== undefined ? [instance] : [...cp.db.instances()].map((ri) => ri.name).sort();
  if (instance !== undefined && !cp.db.instance(instance))
    throw new NotFoundError(`routing instance ${instance} not found`);
  return {
    instances: names.map((name) => ({
      name,
      routes: ROUTE_FAMILIES.flatMap((family) =>
        [...cp.db.routes(name, family)].map(([key, paths]) => ({
          family,
          key,
          paths: paths.flatMap(pathView),
        })),
      ),
    })),
  };
}

export function instancesView(cp: ControlPlane) {
  return {
    instances: [...cp.db.instances()]
      .map((ri) => ({
        name: ri.name,
        vn: ri.vn,
        vni: ri.vni,
        importTargets: [...ri.importTargets].sort(),
        exportTargets: [...ri.exportTargets].sort(),
        routes: ri.routeCount,
        subscribers: cp.agents.subscriberCount(ri.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export class IntrospectServer {
  private readonly server: Server;

  constructor(private readonly opts: IntrospectOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    try {
      if (req.method !== 'GET') {
        send(405, JSON.stringify({ error: { message: 'only GET' } }));
        return;
      }
      if (this.opts.auth) requireAdmin(this.opts.auth.authenticate(req.headers), 'introspect');
      const url = new URL(req.url ?? '/', 'http://introspect');
      const cp = this.opts.control;
      switch (url.pathname) {
        case '/introspect/agents':
          send(200, JSON.stringify({ agents: cp.agents.agentViews() }));
          return;
        case '/introspect/instances':
          send(200, JSON.stringify(instancesView(cp)));
          return;
        case '/routes':
        case '/introspect/routes':
          send(200, JSON.stringify(routesView(cp, url.searchParams.get('instance') ?? undefined)));
          return;
        case '/metrics':
          send(200, this.opts.registry.render(), 'text/plain; version=0.0.4');
          return;
        default:
          throw new NotFoundError(`no introspect page ${url.pathname}`);
      }
    } catch (e) {
      if (e instanceof ControllerError) {
        send(e.status, JSON.stringify(e.toJSON()));
        return;
      }
      this.opts.log.error({ err: e }, 'introspect request failed');
      send(500, JSON.stringify({ error: { message: 'internal error' } }));
    }
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
