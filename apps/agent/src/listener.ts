// The agent's HTTP listeners (port API, introspect): plain HTTP on loopback by default, optionally HTTPS and a
// token (`Authorization: Bearer T` or `X-Auth-Token: T`) checked before any handler runs.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ListenerSecurity } from './config.js';

/** The HTTP(S) server of one agent listener (port API, introspect). */
export type ListenerServer = Server | HttpsServer;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer T` or `X-Auth-Token: T`. Both sides are hashed first so the compare is
 * constant-time whatever the presented length (timingSafeEqual needs equal lengths).
 */
export function tokenAccepted(req: IncomingMessage, expectedDigest: Buffer): boolean {
  const auth = req.headers.authorization;
  let presented: string | undefined;
  if (typeof auth === 'string' && /^bearer\s/i.test(auth)) presented = auth.slice(7).trim();
  else {
    const x = req.headers['x-auth-token'];
    if (typeof x === 'string') presented = x.trim();
  }
  return presented !== undefined && timingSafeEqual(sha256(presented), expectedDigest);
}

/** An HTTP or HTTPS server whose requests without the token get 401 before `handler` sees them. */
export function createListenerServer(
  handler: RequestListener,
  security: ListenerSecurity = {},
): ListenerServer {
  const digest = security.token !== undefined ? sha256(security.token) : undefined;
  const guarded: RequestListener =
    digest === undefined
      ? handler
      : (req, res) => {
          if (tokenAccepted(req, digest)) {
            handler(req, res);
            return;
          }
          req.resume(); // drain any body so the connection can be reused
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
          res.end(`${JSON.stringify({ error: 'a valid token is required', name: 'Unauthorized' })}\n`);
        };
  return security.tls !== undefined
    ? createHttpsServer({ cert: security.tls.cert, key: security.tls.key, minVersion: 'TLSv1.2' }, guarded)
    : createServer(guarded);
}

/** Listens and resolves with the bound port (0 = any), rejecting on EADDRINUSE and the like. */
export async function listenOn(server: ListenerServer, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Closes the server, dropping kept-alive connections (scrapers) that would otherwise hold it open. */
export async function closeListener(server: ListenerServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
