// STARTTLS as the dialect does it (features -> starttls -> proceed -> handshake -> headers again) with mutual
// certificates made at test time by the openssl CLI.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { itWithTool, run, scratchDir } from '@filament/testkit';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { type AgentSession, type TlsOptions, XmppClient, type XmppError, XmppServer } from '../src/index.js';
import { inetRoute, VRF } from './fixtures.js';

interface Pki {
  server: TlsOptions;
  client: TlsOptions;
  stranger: TlsOptions;
}

function makePki(dir: string): Pki {
  const o = (args: string[]): void => {
    run('openssl', args, { cwd: dir });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  o([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=filament-test-ca',
  ]);
  o(['req', '-x509', ...ec, '-keyout', 'ca2.key', '-out', 'ca2.crt', '-days', '2', '-subj', '/CN=other-ca']);
  for (const [name, ca] of [
    ['server', 'ca'],
    ['client', 'ca'],
    ['stranger', 'ca2'],
  ] as const) {
    o(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    o([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
    ]);
  }
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const ca = read('ca.crt');
  return {
    server: { key: read('server.key'), cert: read('server.crt'), ca },
    client: { key: read('client.key'), cert: read('client.crt'), ca },
    stranger: { key: read('stranger.key'), cert: read('stranger.crt'), ca },
  };
}

describe('TLS (STARTTLS, mutual certificates)', () => {
  let dir: { path: string; cleanup: () => void };
  let pki: Pki;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(() => {
    dir = scratchDir('filament-xmpp-tls-');
  });
  afterAll(() => dir.cleanup());
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function serve(): Promise<{ server: XmppServer; port: number }> {
    const server = new XmppServer({ hostname: 'cn-tls', tls: pki.server, openTimeMs: 3000 });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    return { server, port };
  }

  itWithTool(
    'openssl',
    'agent and control node negotiate STARTTLS and exchange routes over TLS',
    async () => {
      pki = makePki(dir.path);
      const { server, port } = await serve();
      const client = new XmppClient({
        name: 'tls-agent',
        servers: [{ host: '127.0.0.1', port }],
        tls: pki.client,
      });
      cleanups.push(() => client.stop());
      client.subscribe(VRF, { instanceId: 1 });
      client.publish(VRF, inetRoute(3));
      const sessionP = once(server, 'session');
      client.start();
      const [agent] = (await sessionP) as [AgentSession];
      expect(agent.agent).toBe('tls-agent');
      expect(agent.session.encrypted).toBe(true);
      const [route] = await once(agent, 'route');
      expect(route.route).toEqual(inetRoute(3));
      const upd = once(client, 'route-update');
      agent.sendRoutes('inet', VRF, [{ route: inetRoute(4) }]);
      const [, msg] = await upd;
      expect(msg.items[0].route).toEqual(inetRoute(4));
      expect(client.sessionOf(0)?.encrypted).toBe(true);
    },
  );

  itWithTool('openssl', 'a client certificate from another CA is refused', async () => {
    pki ??= makePki(dir.path);
    const { server, port } = await serve();
    const client = new XmppClient({
      name: 'stranger',
      servers: [{ host: '127.0.0.1', port }],
      tls: pki.stranger,
      retryBaseMs: 60_000,
    });
    cleanups.push(() => client.stop());
    const failed = once(server, 'connection-failed');
    client.start();
    const [, reason] = (await failed) as [string, XmppError | undefined];
    expect(reason?.name).toMatch(/TlsError|ConnectionClosedError/);
    expect(server.sessions.size).toBe(0);
  });

  itWithTool('openssl', 'a plain client against a TLS server never gets a session', async () => {
    pki ??= makePki(dir.path);
    const { server, port } = await serve();
    const client = new XmppClient({
      name: 'plain',
      servers: [{ host: '127.0.0.1', port }],
      retryBaseMs: 60_000,
    });
    cleanups.push(() => client.stop());
    const down = once(client, 'down');
    client.start();
    const [, reason] = (await down) as [number, XmppError | undefined];
    expect(reason?.name).toBe('UnexpectedElementError');
    expect(server.sessions.size).toBe(0);
  });
});
