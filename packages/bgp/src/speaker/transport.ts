// BGP transport (RFC 4271 8: TCP port 179): listening on any address and port, IPv4 or IPv6, and outgoing
// connections from a chosen local address. TCP MD5 (RFC 2385) needs setsockopt(TCP_MD5SIG) before
// connect/listen; node:net offers no such call, so asking for it fails with TcpMd5UnsupportedError.
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { TcpMd5UnsupportedError } from './errors.js';

export const BGP_PORT = 179;

export interface ConnectOptions {
  host: string;
  port?: number;
  localAddress?: string;
  /** RFC 2385 password: refused (see TcpMd5UnsupportedError). */
  md5Password?: string;
  /** Give up after this many milliseconds (default 10 s). */
  timeoutMs?: number;
}

/** Throws TcpMd5UnsupportedError when a password is configured: this platform cannot sign segments. */
export function checkMd5(peer: string, password: string | undefined): void {
  if (password !== undefined && password !== '') throw new TcpMd5UnsupportedError(peer, process.platform);
}

/** Opens a TCP connection to a peer; resolves with the connected socket. */
export function connectTcp(opts: ConnectOptions): Promise<Socket> {
  checkMd5(opts.host, opts.md5Password);
  return new Promise((resolve, reject) => {
    const s = connect({
      host: opts.host,
      port: opts.port ?? BGP_PORT,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      family: isIP(opts.host) || undefined,
    });
    s.setNoDelay(true);
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect to ${opts.host} timed out`));
    }, opts.timeoutMs ?? 10_000);
    t.unref?.();
    s.once('connect', () => {
      clearTimeout(t);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      s.destroy();
      reject(e);
    });
  });
}

export interface ListenOptions {
  host: string;
  port?: number;
  md5Password?: string;
}

/** Listens for BGP connections; `onConnection` gets each accepted socket. */
export function listenTcp(opts: ListenOptions, onConnection: (s: Socket) => void): Promise<Server> {
  checkMd5(opts.host, opts.md5Password);
  return new Promise((resolve, reject) => {
    const srv = createServer({ noDelay: true }, onConnection);
    srv.once('error', reject);
    srv.listen({ host: opts.host, port: opts.port ?? BGP_PORT, ipv6Only: false }, () => {
      srv.removeListener('error', reject);
      srv.on('error', () => {});
      resolve(srv);
    });
  });
}

/** Normalizes an address as sockets report it (`::ffff:127.0.0.1` -> `127.0.0.1`). */
export function plainAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
