// A live session with GoBGP (gobgpd, software none of us wrote) on loopback: a raw node:net socket speaks
// for us with messages this codec encodes and decodes what gobgpd sends. Checked: our OPEN is accepted and
// the session reaches ESTABLISHED (as `gobgp neighbor` reports), gobgpd's OPEN/KEEPALIVE decode, an UPDATE
// we send shows up in gobgpd's Adj-RIB-In with its attributes, gobgpd's Cease/Administrative Reset
// NOTIFICATION decodes, and our Cease/Administrative Shutdown NOTIFICATION takes the session down.
// Every wait is bounded; the daemon is killed (by its pid) after the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describeWithTool, run, scratchDir } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  makeOpen,
  type NotificationMessage,
  type OpenMessage,
  openCapabilities,
  peerAs,
  shutdownNotification,
  type UpdateMessage,
  validateOpen,
} from '../src/index.js';
import { RawPeer } from './support/raw-peer.js';

const LOCAL = '127.0.0.61';
const LOCAL_AS = 65061;
const GOBGP_AS = 65001;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithTool(['gobgpd', 'gobgp'], 'session with gobgpd', () => {
  const dir = scratchDir('filament-bgp-gobgpd-');
  let daemon: ChildProcess | undefined;
  let port = 0;
  let api = 0;
  const gobgp = (...args: string[]) =>
    run('gobgp', ['-u', '127.0.0.1', '-p', String(api), ...args], { timeoutMs: 20_000 }).stdout;

  async function neighborState(): Promise<string> {
    const j = JSON.parse(gobgp('neighbor', LOCAL, '-j')) as { state?: { session_state?: string | number } };
    return String(j.state?.session_state ?? '');
  }

  async function waitState(pred: (s: string) => boolean, ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms;
    let s = '';
    while (Date.now() < deadline) {
      s = await neighborState();
      if (pred(s)) return s;
      await sleep(200);
    }
    return s;
  }

  beforeAll(async () => {
    port = await freePort();
    api = await freePort();
    const cfg = join(dir.path, 'gobgpd.toml');
    writeFileSync(
      cfg,
      `[global.config]
  as = ${GOBGP_AS}
  router-id = "1.1.1.1"
  port = ${port}
  local-address-list = ["127.0.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "${LOCAL}"
    peer-as = ${LOCAL_AS}
  [neighbors.transport.config]
    passive-mode = true
    local-address = "127.0.0.1"
  [neighbors.timers.config]
    hold-time = 90
    keepalive-interval = 30
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`,
    );
    const log = openSync(join(dir.path, 'gobgpd.log'), 'w');
    daemon = spawn(
      'gobgpd',
      ['-f', cfg, '--api-hosts', `127.0.0.1:${api}`, '--pprof-disable', '-p', '-l', 'info'],
      {
        stdio: ['ignore', log, log],
      },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = run('gobgp', ['-u', '127.0.0.1', '-p', String(api), 'neighbor'], {
        allowFail: true,
        timeoutMs: 5_000,
      });
      if (r.status === 0) break;
      if (Date.now() > deadline) throw new Error(`gobgpd did not start: ${r.stderr}`);
      await sleep(200);
    }
  }, 60_000);

  afterAll(() => {
    if (daemon?.pid) process.kill(daemon.pid, 'SIGTERM');
    dir.cleanup();
  });

  it('OPEN and KEEPALIVE: the session reaches ESTABLISHED, then an UPDATE lands in Adj-RIB-In', async () => {
    const peer = await RawPeer.connect('127.0.0.1', port, LOCAL);
    try {
      const ours = makeOpen({
        asn: LOCAL_AS,
        bgpId: '10.61.0.1',
        holdTime: 90,
        capabilities: [
          { type: 'multiprotocol', afi: 1, safi: 1 },
          { type: 'route-refresh' },
          { type: 'enhanced-route-refresh' },
        ],
      });
      peer.send(ours);
      const theirs: OpenMessage = await peer.next('open');
      expect(validateOpen(theirs, { peerAs: GOBGP_AS })).toBeUndefined();
      expect(peerAs(theirs)).toBe(GOBGP_AS);
      expect(theirs.bgpId).toBe('1.1.1.1');
      expect(openCapabilities(theirs)).toContainEqual({ type: 'four-octet-as', asn: GOBGP_AS });
      expect(openCapabilities(theirs)).toContainEqual({ type: 'multiprotocol', afi: 1, safi: 1 });
      peer.send({ type: 'keepalive' });
      await peer.next('keepalive');
      expect(await waitState((s) => /establish/i.test(s) || s === '6')).toMatch(/establish|6/i);

      peer.send({
        type: 'update',
        withdrawn: [],
        attributes: [
          { type: 'ORIGIN', origin: 'igp' },
          { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [LOCAL_AS, 4200000001] }] },
          { type: 'NEXT_HOP', nextHop: '10.61.0.1' }, // gobgpd treats loopback next hops as invalid
          { type: 'MULTI_EXIT_DISC', med: 42 },
          { type: 'COMMUNITIES', communities: [((LOCAL_AS << 16) | 7) >>> 0] },
          { type: 'LARGE_COMMUNITY', communities: [{ global: LOCAL_AS, local1: 1, local2: 2 }] },
        ],
        nlri: [{ type: 'prefix', prefix: '10.61.1.0/24' }],
      });
      const deadline = Date.now() + 15_000;
      let rib = '';
      while (Date.now() < deadline) {
        rib = gobgp('neighbor', LOCAL, 'adj-in', '10.61.1.0/24');
        if (rib.includes('10.61.1.0/24')) break;
        await sleep(200);
      }
      if (!rib.includes('10.61.1.0/24'))
        console.log(
          gobgp('neighbor', LOCAL, 'adj-in'),
          readFileSync(join(dir.path, 'gobgpd.log'), 'utf8').slice(-4000),
        );
      expect(rib).toContain('10.61.1.0/24');
      expect(rib).toContain(`${LOCAL_AS} 4200000001`);
      expect(rib).toContain('10.61.0.1');
      expect(rib).toMatch(/Med: 42/);
      expect(rib).toContain(`${LOCAL_AS}:7`);
      expect(rib).toContain(`${LOCAL_AS}:1:2`);

      // a route gobgpd originates reaches us as an UPDATE that decodes without problems
      gobgp(
        'global',
        'rib',
        'add',
        '10.62.0.0/24',
        'med',
        '7',
        'community',
        '65001:9',
        'large-community',
        '65001:3:4',
        '-a',
        'ipv4',
      );
      let got: UpdateMessage | undefined;
      while (!got) {
        const u = await peer.next('update');
        if (u.nlri.some((n) => n.type === 'prefix' && n.prefix === '10.62.0.0/24')) got = u;
      }
      const byType = new Map(got.attributes.map((a) => [a.type, a]));
      // the ORIGIN we decode is the one gobgpd shows for its own route
      const origin = byType.get('ORIGIN');
      const mark = { igp: 'i', egp: 'e', incomplete: '?' }[origin?.type === 'ORIGIN' ? origin.origin : 'igp'];
      expect(gobgp('global', 'rib', '10.62.0.0/24')).toContain(`{Origin: ${mark}}`);
      expect(byType.get('AS_PATH')).toMatchObject({ segments: [{ type: 'sequence', asns: [GOBGP_AS] }] });
      expect(byType.get('NEXT_HOP')).toMatchObject({ nextHop: '127.0.0.1' });
      expect(byType.get('MULTI_EXIT_DISC')).toMatchObject({ med: 7 });
      expect(byType.get('COMMUNITIES')).toMatchObject({ communities: [((65001 << 16) | 9) >>> 0] });
      expect(byType.get('LARGE_COMMUNITY')).toMatchObject({
        communities: [{ global: 65001, local1: 3, local2: 4 }],
      });
      expect(peer.problems.flat()).toEqual([]);

      // gobgpd resets the session: Cease / Administrative Reset (RFC 4486)
      gobgp('neighbor', LOCAL, 'reset');
      const n: NotificationMessage = await peer.next('notification');
      expect([n.code, n.subcode, n.subcodeName]).toEqual([6, 4, 'Administrative Reset']);
    } finally {
      peer.close();
    }
  }, 90_000);

  it('our Cease / Administrative Shutdown NOTIFICATION takes the session down', async () => {
    // gobgpd may hold the peer in idle for a moment after the reset
    await waitState((s) => !/establish/i.test(s), 20_000);
    let peer: RawPeer | undefined;
    const deadline = Date.now() + 40_000;
    let open: OpenMessage | undefined;
    while (!open && Date.now() < deadline) {
      peer = await RawPeer.connect('127.0.0.1', port, LOCAL);
      peer.send(
        makeOpen({
          asn: LOCAL_AS,
          bgpId: '10.61.0.1',
          capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }],
        }),
      );
      try {
        open = await peer.next('open', 5_000);
      } catch {
        peer.close();
        await sleep(1_000);
      }
    }
    expect(open).toBeDefined();
    const p = peer!;
    try {
      p.send({ type: 'keepalive' });
      await p.next('keepalive');
      expect(await waitState((s) => /establish/i.test(s) || s === '6')).toMatch(/establish|6/i);
      p.send(shutdownNotification('filament maintenance'));
      expect(await waitState((s) => !/establish/i.test(s) && s !== '6')).not.toMatch(/establish/i);
      // gobgpd logs the NOTIFICATION it received, with the RFC 8203 shutdown communication
      const log = readFileSync(join(dir.path, 'gobgpd.log'), 'utf8');
      const received = log.split('\n').filter((l) => l.includes('received notification'));
      expect(received.at(-1)).toMatch(/Code=6 Communicated-Reason="filament maintenance".*Subcode=2/);
    } finally {
      p.close();
    }
  }, 90_000);
});
