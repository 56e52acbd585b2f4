// Hostile peers against one server while 20 well-behaved agents share it: each attacker is closed with the
// dialect-correct, typed reason; buffers stay bounded; the good agents keep their sessions and still get
// routes afterwards.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentSession,
  encodeStreamHeader,
  XmppClient,
  type XmppError,
  XmppServer,
} from '../src/index.js';
import { inetRoute, VRF } from './fixtures.js';

const HEADER = (from: string): string =>
  encodeStreamHeader({
    from,
    to: 'network-control@contrailsystems.com',
    version: '1.0',
    lang: 'en',
    xmlns: '',
  });

describe('bad input with 20 good sessions on the same server', () => {
  let server: XmppServer;
  let port: number;
  const clients: XmppClient[] = [];
  const sessions = new Map<string, AgentSession>();
  const closedByName = new Map<string, XmppError | undefined>();
  const failedByAddr = new Map<string, XmppError | undefined>();

  beforeAll(async () => {
    server = new XmppServer({ hostname: 'cn', holdTimeMs: 600, openTimeMs: 400, maxStanzaSize: 256 * 1024 });
    server.on('session', (s) => sessions.set(s.agent, s));
    server.on('session-closed', (s, r) => closedByName.set(s.agent, r));
    server.on('connection-failed', (addr, r) => failedByAddr.set(addr, r));
    ({ port } = await server.listen(0, '127.0.0.1'));
    for (let i = 0; i < 20; i++) {
      const c = new XmppClient({
        name: `good-${i}`,
        servers: [{ host: '127.0.0.1', port }],
        holdTimeMs: 600,
        retryBaseMs: 20,
      });
      c.subscribe(VRF, { instanceId: i });
      c.publish(VRF, inetRoute(i));
      c.start();
      clients.push(c);
    }
    await Promise.all(clients.map((c) => once(c, 'established')));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server.close();
  });

  /** Connects from a distinct loopback address so failures before the header can be told apart. */
  async function attacker(addr: string): Promise<{ sock: Socket; closed: Promise<unknown> }> {
    const sock = connect({ host: '127.0.0.1', port, localAddress: addr });
    sock.on('error', () => {});
    sock.on('data', () => {});
    const closed = once(sock, 'close');
    await once(sock, 'connect');
    return { sock, closed };
  }

  async function until(pred: () => boolean, ms = 5000): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('every attacker is closed with its typed reason', async () => {
    const attacks: Promise<void>[] = [];

    // Malformed XML after the header.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.1');
        a.sock.write(`${HEADER('bad-xml')}<iq type="set"><pubsub></iq>`);
        await a.closed;
      })(),
    );
    // DOCTYPE / entity bomb before any header.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.2');
        a.sock.write(
          '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        );
        await a.closed;
      })(),
    );
    // A stanza before the header.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.3');
        a.sock.write('<iq type="set"><pubsub><subscribe node="x"/></pubsub></iq>');
        await a.closed;
      })(),
    );
    // A 100 MB stanza, written until the server hangs up.
    let sent = 0;
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.4');
        a.sock.write(
          `${HEADER('huge')}<iq type="set"><pubsub><publish node="1/1/x/1.1.1.1/32"><item><entry>`,
        );
        const chunk = `<x>${'a'.repeat(64 * 1024)}</x>`;
        while (sent < 100 * 1024 * 1024 && !a.sock.destroyed && a.sock.writable) {
          sent += chunk.length;
          if (!a.sock.write(chunk)) await Promise.race([once(a.sock, 'drain'), a.closed]);
        }
        await a.closed;
      })(),
    );
    // Unclosed stanza then silence: the hold timer.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.5');
        a.sock.write(`${HEADER('unclosed')}<iq type="set"><pubsub>`);
        await a.closed;
      })(),
    );
    // Slow loris: a stanza one byte every 40 ms, never a complete unit, so the hold timer still expires.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.6');
        a.sock.write(HEADER('loris'));
        const body = `<iq type="set" from="loris" to="x"><pubsub>${'<a>b</a>'.repeat(200)}</pubsub></iq>`;
        for (let i = 0; i < body.length && !a.sock.destroyed; i++) {
          a.sock.write(body[i]!);
          await new Promise((r) => setTimeout(r, 40));
        }
        await a.closed;
      })(),
    );
    // Slow header: the open timer.
    attacks.push(
      (async () => {
        const a = await attacker('127.0.1.7');
        a.sock.write('<stream:stream from="slow"');
        await a.closed;
      })(),
    );
    await Promise.all(attacks);
    await until(() => closedByName.size >= 4 && failedByAddr.size >= 3);

    expect(closedByName.get('bad-xml')?.name).toBe('XmlSyntaxError');
    expect(closedByName.get('bad-xml')?.condition).toBe('not-well-formed');
    expect(failedByAddr.get('127.0.1.2')?.name).toBe('RestrictedXmlError');
    expect(failedByAddr.get('127.0.1.2')?.condition).toBe('restricted-xml');
    expect(failedByAddr.get('127.0.1.3')?.name).toBe('UnexpectedElementError');
    expect(closedByName.get('huge')?.name).toBe('StanzaTooLargeError');
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    expect(closedByName.get('unclosed')?.name).toBe('TimerExpiredError');
    expect(closedByName.get('loris')?.name).toBe('TimerExpiredError');
    expect(failedByAddr.get('127.0.1.7')?.name).toBe('TimerExpiredError');
  }, 30_000);

  it('a keepalive flood keeps the session open and buffers nothing', async () => {
    const a = await attacker('127.0.1.8');
    a.sock.write(HEADER('flood'));
    await until(() => sessions.has('flood'));
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i += 2) chunk.set([0xc8, 0x80], i);
    for (let i = 0; i < 160; i++) {
      if (!a.sock.write(chunk)) await once(a.sock, 'drain');
    }
    const s = sessions.get('flood')!;
    await until(() => s.session.stats.bytesIn >= 160 * chunk.length);
    expect(s.session.established).toBe(true);
    a.sock.destroy();
    await until(() => closedByName.has('flood'));
  });

  it('the 20 good agents were never disturbed and still get routes', async () => {
    for (let i = 0; i < 20; i++) {
      expect(clients[i]!.establishedServers).toEqual([0]);
      expect(closedByName.has(`good-${i}`)).toBe(false);
      expect(sessions.get(`good-${i}`)?.subscriptions.get(VRF)).toEqual({ instanceId: i, noRibout: false });
    }
    const got = clients.map((c) => once(c, 'route-update'));
    for (let i = 0; i < 20; i++)
      sessions.get(`good-${i}`)!.sendRoutes('inet', VRF, [{ route: inetRoute(1000 + i) }]);
    const msgs = await Promise.all(got);
    msgs.forEach(([, m], i) => {
      expect(m.items[0].route).toEqual(inetRoute(1000 + i));
    });
  });
});
