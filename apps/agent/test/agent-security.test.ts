// The filament-agent process's listener security, against the real process: the port API and introspect
// refuse requests without the token file's token (401) and take them with it (Bearer or X-Auth-Token), a
// missing token file stops the agent at start, both serve HTTPS with an openssl-made certificate, and the
// agent reaches a TLS-only XmppServer (mutual certificates) only when given the CA and its certificate.
// Addresses 127.0.91.x, ports 39_15x.

import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Daemon, describeWithTool, run, scratchDir, startDaemon, waitFor } from '@filament/testkit';
import { type AgentSession, XmppServer } from '@filament/xmpp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const pkg = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@filament/source', join(pkg, 'src', 'main.ts')];

const CONTROL = '127.0.91.1';
const UNDERLAY = '127.0.91.2';
const XMPP_PORT = 39_151;
const PORT_API = 39_152;
const INTROSPECT = 39_153;
const TOKEN = 's3cret-token-91';

interface Reply {
  status: number;
  body: string;
}

/** One GET over http or https (`ca` given: https, verified against it). */
function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<Reply> {
  return new Promise((res, rej) => {
    const done = (r: import('node:http').IncomingMessage): void => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => {
        body += c;
      });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    };
    const req =
      ca !== undefined
        ? httpsRequest(url, { headers, ca, agent: false }, done)
        : httpRequest(url, { headers, agent: false }, done);
    req.on('error', rej);
    req.end();
  });
}

function startAgent(extra: string[]): Daemon {
  return startDaemon(
    process.execPath,
    [
      ...NODE_ARGS,
      '--name',
      'compute-91',
      '--underlay',
      UNDERLAY,
      '--controller',
      `${CONTROL}:${XMPP_PORT}`,
      '--port-api',
      `${UNDERLAY}:${PORT_API}`,
      '--introspect',
      `${UNDERLAY}:${INTROSPECT}`,
      '--retry-ms',
      '50',
      '--json-logs',
      ...extra,
    ],
    { cwd: pkg },
  );
}

async function started(agent: Daemon): Promise<void> {
  await waitFor(
    'agent started',
    () => {
      if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.output()}`);
      return agent.output().includes('"agent started"');
    },
    45_000,
  );
}

const dir = scratchDir('filament-agent-security-');
const agents: Daemon[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});
afterAll(() => dir.cleanup());

describe('filament-agent token on the port API and introspect', () => {
  const tokenFile = join(dir.path, 'api.token');
  beforeAll(() => writeFileSync(tokenFile, `${TOKEN}\n`));

  it('refuses requests without the token (401) and takes them with it', async () => {
    const agent = startAgent(['--api-token-file', tokenFile, '--introspect-token-file', tokenFile]);
    agents.push(agent);
    await started(agent);
    const api = `http://${UNDERLAY}:${PORT_API}/ports`;
    const none = await get(api);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ name: 'Unauthorized' });
    expect((await get(api, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(api, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    const bearer = await get(api, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(200);
    expect(JSON.parse(bearer.body)).toEqual([]);
    expect((await get(api, { 'x-auth-token': TOKEN })).status).toBe(200);

    const metrics = `http://${UNDERLAY}:${INTROSPECT}/metrics`;
    expect((await get(metrics)).status).toBe(401);
    expect((await get(`http://${UNDERLAY}:${INTROSPECT}/xmpp`, { 'x-auth-token': 'nope' })).status).toBe(401);
    const scraped = await get(metrics, { authorization: `Bearer ${TOKEN}` });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('filament_agent_');
  });

  it('without token flags both listeners stay open as today', async () => {
    const agent = startAgent([]);
    agents.push(agent);
    await started(agent);
    expect((await get(`http://${UNDERLAY}:${PORT_API}/ports`)).status).toBe(200);
    expect((await get(`http://${UNDERLAY}:${INTROSPECT}/metrics`)).status).toBe(200);
  });

  it('--help lists the security flags; incomplete TLS flags exit 2', async () => {
    const help = startDaemon(process.execPath, [...NODE_ARGS, '--help'], { cwd: pkg });
    agents.push(help);
    expect(((await once(help.child, 'exit')) as [number | null])[0]).toBe(0);
    for (const flag of ['--xmpp-ca-file', '--api-token-file', '--api-cert-file', '--introspect-token-file'])
      expect(help.output()).toContain(flag);
    for (const [args, why] of [
      [['--xmpp-ca-file', tokenFile], 'xmpp-ca-file'],
      [['--api-cert-file', tokenFile], 'api-key-file'],
    ] as const) {
      const bad = startAgent([...args]);
      agents.push(bad);
      expect(((await once(bad.child, 'exit')) as [number | null])[0]).toBe(2);
      expect(bad.output()).toContain(why);
    }
  });

  it('a missing token file stops the agent at start, naming the flag', async () => {
    const agent = startAgent(['--api-token-file', join(dir.path, 'absent.token')]);
    agents.push(agent);
    const [code] = (await once(agent.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(agent.output()).toContain('api-token-file');
    expect(agent.output()).toContain('ENOENT');
  });
});

describeWithTool('openssl', 'filament-agent HTTPS and XMPP TLS', () => {
  const f = (name: string): string => join(dir.path, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]): void => {
    run('openssl', args, { cwd: dir.path });
  };

  beforeAll(() => {
    // HTTPS: a self-signed certificate for the listener address (the client checks the IP SAN).
    openssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'https.key',
      '-out',
      'https.crt',
      '-days',
      '2',
      '-subj',
      '/CN=compute-91',
      '-addext',
      `subjectAltName=IP:${UNDERLAY}`,
    ]);
    // XMPP: one CA signing the control node's and the agent's certificates.
    openssl([
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
      '/CN=ca-91',
    ]);
    for (const name of ['control', 'agent']) {
      openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
      openssl([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '2',
      ]);
    }
    writeFileSync(f('api.token'), TOKEN);
  });

  it('serves the port API and introspect over HTTPS with the certificate', async () => {
    const agent = startAgent([
      '--api-cert-file',
      f('https.crt'),
      '--api-key-file',
      f('https.key'),
      '--api-token-file',
      f('api.token'),
      '--introspect-cert-file',
      f('https.crt'),
      '--introspect-key-file',
      f('https.key'),
    ]);
    agents.push(agent);
    await started(agent);
    const ca = readFileSync(f('https.crt'), 'utf8');
    const api = `https://${UNDERLAY}:${PORT_API}/ports`;
    expect((await get(api, {}, ca)).status).toBe(401);
    expect((await get(api, { authorization: `Bearer ${TOKEN}` }, ca)).status).toBe(200);
    const metrics = await get(`https://${UNDERLAY}:${INTROSPECT}/metrics`, {}, ca);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('filament_agent_');
    // Plain HTTP to the HTTPS port gets no answer from the application.
    await expect(get(`http://${UNDERLAY}:${INTROSPECT}/metrics`)).rejects.toThrow();
  });

  it('reaches a TLS-only control node only with the CA and its client certificate', async () => {
    const read = readFileSync;
    const server = new XmppServer({
      hostname: 'cn-91',
      openTimeMs: 5000,
      tls: { key: read(f('control.key')), cert: read(f('control.crt')), ca: read(f('ca.crt')) },
    });
    await server.listen(XMPP_PORT, CONTROL);
    try {
      // Plain: the agent's attempts end before a session (the server requires STARTTLS).
      const refused = once(server, 'connection-failed');
      const plain = startAgent([]);
      agents.push(plain);
      await refused;
      expect(server.sessions.size).toBe(0);
      await plain.stop();

      // A CA that did not sign the control node's certificate: the agent refuses the server.
      const untrusted = once(server, 'connection-failed');
      const wrongCa = startAgent([
        '--xmpp-ca-file',
        f('https.crt'),
        '--xmpp-cert-file',
        f('agent.crt'),
        '--xmpp-key-file',
        f('agent.key'),
      ]);
      agents.push(wrongCa);
      await untrusted;
      expect(server.sessions.size).toBe(0);
      await wrongCa.stop();

      const session = once(server, 'session');
      const secure = startAgent([
        '--xmpp-ca-file',
        f('ca.crt'),
        '--xmpp-cert-file',
        f('agent.crt'),
        '--xmpp-key-file',
        f('agent.key'),
      ]);
      agents.push(secure);
      const [s] = (await session) as [AgentSession];
      expect(s.agent).toBe('compute-91');
      expect(s.session.encrypted).toBe(true);
    } finally {
      for (const a of agents.splice(0)) await a.stop();
      await server.close();
    }
  });
});
