// The agent's port API (contract D; TF's vrouter-port-control REST on 127.0.0.1:9091, which its CNI
// plugin and Nova driver call): JSON over HTTP on localhost.
//
//   POST   /port                  add a port {id, instance-id, mac-address, ip-address, system-name, ...,
//                                 workload: {kind: 'in-process' | 'tap'}, listen: [ports]} -> 200 {port}
//   DELETE /port/<vmi uuid>       remove it -> 200 {deleted}; 404 when unknown
//   GET    /ports                 every port with its state (pending until its config arrives, attached)
//   GET    /port/<vmi uuid>       one port
//   POST   /port/<id>/ping        {to, count} -> {sent, received, rttMs}         (in-process workloads)
//   POST   /port/<id>/tcp         {to, port, bytes} -> {ok, bytes, sha256}       (in-process workloads)
//
// Bad requests are 400 with {error, name, field}; nothing a client sends can stop the agent. Ports are
// persisted (control/port-store.ts) so a restarted agent re-adds them.

import type { IncomingMessage } from 'node:http';
import { type AddressInfo, isIPv4 } from 'node:net';
import type { ListenerSecurity } from './config.js';
import type { AgentControl } from './control/agent-control.js';
import { PortRequestError, PortStateError, UnknownPortError } from './control/errors.js';
import { parsePortRequest, portRequestJson } from './control/port-request.js';
import type { PortStore } from './control/port-store.js';
import { MAX_TCP_BYTES } from './control/port-workload.js';
import { AgentError } from './errors.js';
import { closeListener, createListenerServer, type ListenerServer, listenOn } from './listener.js';

/** Largest request body accepted. */
const MAX_BODY = 64 * 1024;
/** Most echoes one ping request may ask for. */
const MAX_PING_COUNT = 100;

export const DEFAULT_PORT_API_PORT = 9091;

export interface PortApiOptions {
  control: AgentControl;
  /** Persists the port list; absent: ports live only as long as the process. */
  store?: PortStore;
  log?: (obj: object, msg: string) => void;
  /** Token and HTTPS (default: neither, plain HTTP on loopback). */
  security?: ListenerSecurity;
}

class BodyTooLargeError extends PortRequestError {
  constructor() {
    super('body', `larger than ${MAX_BODY} bytes`);
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new PortRequestError('body', `not JSON: ${(e as Error).message}`));
      }
    });
  });
}

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[key]
    : undefined;
}

function intField(body: unknown, key: string, dflt: number | undefined, min: number, max: number): number {
  const v = field(body, key);
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new PortRequestError(key, `must be an integer in ${min}..${max}`);
  return v;
}

function ipField(body: unknown, key: string): string {
  const v = field(body, key);
  if (typeof v !== 'string' || !isIPv4(v)) throw new PortRequestError(key, 'must be an IPv4 address');
  return v;
}

export class PortApi {
  private readonly opts: PortApiOptions;
  private server: ListenerServer | null = null;

  constructor(opts: PortApiOptions) {
    this.opts = opts;
  }

  private persist(): Promise<void> {
    return this.opts.store?.save(this.opts.control.portRequests()) ?? Promise.resolve();
  }

  private async route(method: string, path: string, req: IncomingMessage): Promise<[number, unknown]> {
    const control = this.opts.control;
    const parts = path.split('/').filter((p) => p !== '');
    if (method === 'GET' && path === '/ports') {
      return [
        200,
        control.portRequests().map((r) => ({ ...portRequestJson(r), status: control.portStatus(r.id) })),
      ];
    }
    if (method === 'POST' && path === '/port') {
      const p = parsePortRequest(await readBody(req));
      control.addPort(p);
      await this.persist();
      this.opts.log?.({ port: p.id, vm: p.instanceId, kind: p.workload.kind }, 'port added (API)');
      return [200, { ...portRequestJson(p), status: control.portStatus(p.id) }];
    }
    if (parts[0] === 'port' && parts.length >= 2) {
      const id = decodeURIComponent(parts[1]!).toLowerCase();
      if (parts.length === 2 && method === 'DELETE') {
        if (!control.deletePort(id)) throw new UnknownPortError(id);
        await this.persist();
        this.opts.log?.({ port: id }, 'port deleted (API)');
        return [200, { deleted: id }];
      }
      if (parts.length === 2 && method === 'GET') {
        const st = control.portStatus(id);
        const r = control.portRequests().find((x) => x.id === id);
        if (!st || !r) throw new UnknownPortError(id);
        return [200, { ...portRequestJson(r), status: st }];
      }
      if (parts.length === 3 && method === 'POST' && parts[2] === 'ping') {
        const body = await readBody(req);
        const to = ipField(body, 'to');
        const count = intField(body, 'count', 1, 1, MAX_PING_COUNT);
        return [200, await control.ping(id, to, count)];
      }
      if (parts.length === 3 && method === 'POST' && parts[2] === 'tcp') {
        const body = await readBody(req);
        const to = ipField(body, 'to');
        const port = intField(body, 'port', 7, 1, 65535);
        const bytes = intField(body, 'bytes', 64, 1, MAX_TCP_BYTES);
        return [200, await control.tcp(id, to, port, bytes)];
      }
    }
    return [404, { error: `no ${method} ${path}` }];
  }

  /** Listens on `host:port` (0 picks one); returns the port. */
  async listen(port = DEFAULT_PORT_API_PORT, host = '127.0.0.1'): Promise<number> {
    const server = createListenerServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const reply = (status: number, body: unknown): void => {
        if (res.headersSent) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(body)}\n`);
      };
      this.route(req.method ?? 'GET', path, req).then(
        ([status, body]) => reply(status, body),
        (e: unknown) => {
          const err = e as Error;
          const status =
            e instanceof UnknownPortError
              ? 404
              : e instanceof PortStateError
                ? 409
                : e instanceof AgentError
                  ? 400
                  : 500;
          if (status === 500) this.opts.log?.({ err: err.message }, 'port API error');
          reply(status, {
            error: err.message,
            name: err.name,
            ...(e instanceof AgentError ? { code: e.code, field: e.field } : {}),
          });
        },
      );
    }, this.opts.security);
    const bound = await listenOn(server, port, host);
    this.server = server;
    return bound;
  }

  get port(): number {
    return this.server ? (this.server.address() as AddressInfo).port : -1;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await closeListener(s);
  }
}
