// The HTTP(S) front of the config API: routing from the resource table, body limits, auth, errors as JSON with
// their status, request logs and metrics. Bad input never throws out of the handler.
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Logger } from 'pino';
import { ANONYMOUS_ADMIN, requireAdmin, type TokenAuth } from '../auth/tokens.js';
import {
  BadRequestError,
  ControllerError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import type { controllerMetrics } from '../metrics.js';
import { BY_PLURAL, RESOURCES } from '../schema/resources.js';
import { openApiDocument } from './openapi.js';
import { scopeOf } from './scope.js';
import type { ConfigService, Json } from './service.js';

export interface ApiServerOptions {
  service: ConfigService;
  /** undefined = authentication disabled (every request is cloud-admin); only for tests and the lab. */
  auth: TokenAuth | undefined;
  /** Serve /metrics without a token even when auth is on (a Prometheus scraper on a trusted network). */
  publicMetrics?: boolean;
  log: Logger;
  metrics: ReturnType<typeof controllerMetrics>;
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  maxBodyBytes?: number;
  version?: string;
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ct = req.headers['content-type'];
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new PayloadTooLargeError(`body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('error', (e) => {
      if (!failed) reject(new BadRequestError(`reading body: ${e.message}`));
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '')
        return reject(new ValidationError('body', 'is empty; a JSON object is required'));
      if (ct !== undefined && !/^application\/json\b/i.test(ct)) {
        return reject(new UnsupportedMediaTypeError(`content-type must be application/json, not ${ct}`));
      }
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ValidationError('body', `is not valid JSON: ${(e as Error).message}`));
      }
    });
  });
}

function ifMatch(req: IncomingMessage): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(h);
  if (!m) throw new ValidationError('If-Match', 'must be a version number as returned in ETag');
  return Number(m[1]);
}

/**
 * Label objects per (method, route, status), made once: the counter remembers the series key of a label object
 * it has seen, so a request does not build and sort label keys again. Routes and statuses are few; methods are
 * whatever clients send, so unknown methods share one entry.
 */
const LABELS = new Map<string, Record<string, string>>();
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
function labels(key: string, make: () => Record<string, string>): Record<string, string> {
  let l = LABELS.get(key);
  if (l === undefined) {
    l = make();
    if (LABELS.size < 10_000) LABELS.set(key, l);
  }
  return l;
}
function requestLabels(method: string, route: string, status: number): Record<string, string> {
  const m = KNOWN_METHODS.has(method) ? method : 'other';
  return labels(`${m} ${route} ${status}`, () => ({ method: m, route, status: String(status) }));
}
function latencyLabels(method: string, route: string): Record<string, string> {
  const m = KNOWN_METHODS.has(method) ? method : 'other';
  return labels(`${m} ${route}`, () => ({ method: m, route }));
}

export function createApiServer(opts: ApiServerOptions): Server {
  const { service, log, metrics } = opts;
  const limit = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const openapi = JSON.stringify(openApiDocument(opts.version ?? '0.1.0'));

  /** A plain path without query, dots or escapes (most requests): no URL object needed. */
  const SIMPLE_PATH = /^\/[A-Za-z0-9-]+(?:\/[0-9A-Fa-f-]+)?$/;
  const NO_QUERY = new URLSearchParams();
  const parseUrl = (raw: string): { pathname: string; searchParams: URLSearchParams } =>
    SIMPLE_PATH.test(raw) ? { pathname: raw, searchParams: NO_QUERY } : new URL(raw, 'http://x');

  async function handle(req: IncomingMessage, base: string, route: { name: string }): Promise<Reply> {
    const url = parseUrl(req.url ?? '/');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (parts.length === 0) {
      route.name = '/';
      if (method !== 'GET') throw new MethodNotAllowedError(`${method} not allowed on /`);
      return new Reply(200, {
        href: base,
        links: [...RESOURCES.values()].map((d) => ({
          link: { rel: 'collection', href: `${base}/${d.plural}`, name: d.type },
        })),
      });
    }
    if (parts.length === 1 && parts[0] === 'openapi.json') {
      route.name = '/openapi.json';
      return new Reply(200, openapi, { 'content-type': 'application/json' });
    }
    if (parts.length === 1 && parts[0] === 'metrics') {
      route.name = '/metrics';
      // Metrics name projects, networks and rates: cloud-admin only unless the operator opens them for a scraper.
      if (opts.auth && !opts.publicMetrics) requireAdmin(opts.auth.authenticate(req.headers), 'GET /metrics');
      return new Reply(200, metrics.registry.render(), { 'content-type': 'text/plain; version=0.0.4' });
    }
    if (parts.length === 1 && parts[0] === 'healthz') {
      route.name = '/healthz';
      return new Reply(200, {
        status: 'ok',
        store: service.store.engine,
        revision: await service.store.revision(),
      });
    }
    const authorize = () =>
      scopeOf(service.store, opts.auth ? opts.auth.authenticate(req.headers) : ANONYMOUS_ADMIN);
    if (parts.length === 1 && ['fqname-to-id', 'id-to-fqname', 'ref-update'].includes(parts[0]!)) {
      route.name = `/${parts[0]}`;
      const scope = await authorize();
      if (method !== 'POST')
        throw new MethodNotAllowedError(`${method} not allowed on /${parts[0]}; use POST`);
      const body = await readBody(req, limit);
      if (parts[0] === 'fqname-to-id') return new Reply(200, await service.fqNameToId(body, scope));
      if (parts[0] === 'id-to-fqname') return new Reply(200, await service.idToFqName(body, scope));
      return new Reply(200, await service.refUpdate(body, scope));
    }
    const coll = parts.length === 1 ? BY_PLURAL.get(parts[0]!) : undefined;
    if (coll) {
      route.name = `/${coll.plural}`;
      const scope = await authorize();
      if (method === 'GET') return new Reply(200, await service.list(coll, url.searchParams, scope, base));
      if (method === 'POST')
        return new Reply(200, await service.create(coll, await readBody(req, limit), scope, base));
      throw new MethodNotAllowedError(`${method} not allowed on /${coll.plural}`);
    }
    const item = parts.length === 2 ? RESOURCES.get(parts[0]!) : undefined;
    if (item) {
      route.name = `/${item.type}/{uuid}`;
      const scope = await authorize();
      const uuid = decodeURIComponent(parts[1]!);
      if (!/^[0-9a-fA-F-]{36}$/.test(uuid))
        throw new NotFoundError(`${item.type} ${uuid.slice(0, 64)} not found (not a uuid)`);
      const q = url.searchParams;
      const flag = (k: string) => /^(true|1|yes)$/i.test(q.get(k) ?? '');
      if (method === 'GET') {
        const fields = q.get('fields');
        const r = await service.read(item, uuid, scope, {
          base,
          excludeBackRefs: flag('exclude_back_refs'),
          excludeChildren: flag('exclude_children'),
          excludeHrefs: flag('exclude_hrefs'),
          ...(fields ? { fields: new Set(fields.split(',').map((s) => s.trim())) } : {}),
        });
        return new Reply(200, r.body, { etag: `"${r.version}"` });
      }
      if (method === 'PUT') {
        const v = ifMatch(req);
        return new Reply(200, await service.update(item, uuid, await readBody(req, limit), scope, v, base));
      }
      if (method === 'DELETE') {
        await service.remove(item, uuid, scope, ifMatch(req));
        return new Reply(200, {});
      }
      throw new MethodNotAllowedError(`${method} not allowed on /${item.type}/{uuid}`);
    }
    route.name = 'unknown';
    await authorize();
    throw new NotFoundError(`no resource at ${url.pathname.slice(0, 200)}`);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const proto = opts.tls ? 'https' : 'http';
    const host = (req.headers.host ?? 'localhost').replace(/[^A-Za-z0-9.:[\]-]/g, '');
    const base = `${proto}://${host}`;
    const route = { name: 'unknown' };
    const send = (r: Reply) => {
      const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status, {
        'content-type': 'application/json; charset=utf-8',
        ...r.headers,
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc(requestLabels(req.method ?? '', route.name, r.status));
      metrics.latency.observe(latencyLabels(req.method ?? '', route.name), secs);
      const level = r.status >= 500 ? 'error' : 'debug';
      if (log.isLevelEnabled(level)) {
        log[level](
          {
            method: req.method,
            url: req.url?.slice(0, 300),
            status: r.status,
            ms: Math.round(secs * 1e4) / 10,
          },
          'request',
        );
      }
    };
    handle(req, base, route).then(send, (e: unknown) => {
      if (e instanceof ControllerError) {
        if (e.status === 413 || e.status === 415) res.setHeader('connection', 'close');
        send(new Reply(e.status, e.toJSON()));
      } else {
        log.error({ err: e, url: req.url?.slice(0, 300) }, 'internal error');
        send(
          new Reply(500, {
            error: { name: 'InternalError', code: 'ERR_INTERNAL', message: 'internal error' },
          }),
        );
      }
    });
  };
  const server = opts.tls
    ? createHttps(
        { cert: opts.tls.cert, key: opts.tls.key, ...(opts.tls.ca ? { ca: opts.tls.ca } : {}) },
        listener,
      )
    : createHttp(listener);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  return server;
}

export type { Json };
