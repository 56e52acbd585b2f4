// A live session with FRR bgpd 8.4 (software none of us wrote; bgpd alone, -Z) on loopback, with BGP roles
// (RFC 9234): FRR is the provider, we are the customer. Checked: FRR accepts our OPEN (role capability) and
// the session reaches Established with the roles FRR reports; FRR's OPEN decodes (its role, FQDN and other
// capabilities); the route FRR sends us carries OTC = FRR's AS (RFC 9234 5, added towards a customer) and
// decodes without problems; the UPDATE we send is in FRR's table with the attributes we encoded; a role
// mismatch is refused with OPEN Message Error / Role Mismatch. Every wait is bounded; bgpd is stopped after.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Daemon,
  describeWithTool,
  freePort,
  run,
  scratchDir,
  startDaemon,
  waitFor,
} from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BgpRole,
  makeOpen,
  type OpenMessage,
  openCapabilities,
  peerAs,
  type UpdateMessage,
  validateOpen,
} from '../src/index.js';
import { RawPeer } from './support/raw-peer.js';

const FRR = '127.0.0.72';
const LOCAL = '127.0.0.62';
const FRR_AS = 65072;
const LOCAL_AS = 65062;
const BGPD = '/usr/lib/frr/bgpd';

describeWithTool([BGPD, 'vtysh'], 'session with FRR bgpd (BGP roles, OTC)', () => {
  const dir = scratchDir('filament-bgp-frr-');
  let bgpd: Daemon | undefined;
  let port = 0;
  let vty = '';
  const vtysh = (...c: string[]) =>
    run('vtysh', ['--vty_socket', vty, ...c.flatMap((x) => ['-c', x])], { timeoutMs: 20_000 }).stdout;
  const neighbor = () =>
    (JSON.parse(vtysh(`show bgp neighbors ${LOCAL} json`)) as Record<string, Record<string, unknown>>)[
      LOCAL
    ] ?? {};

  beforeAll(async () => {
    port = await freePort();
    vty = join(dir.path, 'frr');
    mkdirSync(vty, { recursive: true });
    chmodSync(dir.path, 0o755);
    const conf = join(vty, 'bgpd.conf');
    writeFileSync(
      conf,
      `frr defaults traditional
hostname filament-frr
!
router bgp ${FRR_AS}
 bgp router-id 7.7.7.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${LOCAL} remote-as ${LOCAL_AS}
 neighbor ${LOCAL} local-role provider
 neighbor ${LOCAL} passive
 neighbor ${LOCAL} timers 30 90
 !
 address-family ipv4 unicast
  network 10.72.0.0/24
  neighbor ${LOCAL} activate
 exit-address-family
!
`,
    );
    run('chown', ['-R', 'frr:frr', vty], { allowFail: true });
    bgpd = startDaemon(BGPD, [
      '-Z',
      '-f',
      conf,
      '-i',
      join(vty, 'bgpd.pid'),
      '--vty_socket',
      vty,
      '-A',
      '127.0.0.1',
      '-P',
      '0',
      '-p',
      String(port),
      '-l',
      FRR,
    ]);
    await waitFor('FRR bgpd', () => vtysh('show bgp summary').length > 0, 30_000);
  }, 60_000);

  afterAll(async () => {
    await bgpd?.stop();
    dir.cleanup();
  });

  it('customer OPEN with a role is accepted, FRR sends its route with OTC, ours lands in its table', async () => {
    const peer = await waitFor(
      'FRR to accept connections',
      () => RawPeer.connect(FRR, port, LOCAL).catch(() => undefined),
      20_000,
    );
    try {
      peer.send(
        makeOpen({
          asn: LOCAL_AS,
          bgpId: '10.62.0.1',
          capabilities: [
            { type: 'multiprotocol', afi: 1, safi: 1 },
            { type: 'route-refresh' },
            { type: 'role', role: BgpRole.CUSTOMER },
          ],
        }),
      );
      const theirs: OpenMessage = await peer.next('open');
      expect(peerAs(theirs)).toBe(FRR_AS);
      expect(
        validateOpen(theirs, { peerAs: FRR_AS, localRole: BgpRole.CUSTOMER, strictRole: true }),
      ).toBeUndefined();
      const caps = openCapabilities(theirs);
      expect(caps).toContainEqual({ type: 'role', role: BgpRole.PROVIDER });
      expect(caps).toContainEqual({ type: 'four-octet-as', asn: FRR_AS });
      expect(caps.find((c) => c.type === 'fqdn')).toMatchObject({ hostname: 'filament-frr' });
      peer.send({ type: 'keepalive' });
      await peer.next('keepalive');
      const n = await waitFor('Established', () => {
        const x = neighbor();
        return x.bgpState === 'Established' ? x : undefined;
      });
      expect([n.localRole, n.remoteRole]).toEqual(['provider', 'customer']);

      // FRR's own route, sent to a customer, carries OTC with FRR's AS (RFC 9234 5)
      let route: UpdateMessage | undefined;
      while (!route) {
        const u = await peer.next('update', 20_000);
        if (u.nlri.some((p) => p.type === 'prefix' && p.prefix === '10.72.0.0/24')) route = u;
      }
      expect(route.attributes.find((a) => a.type === 'OTC')).toMatchObject({ asn: FRR_AS, flags: 0xc0 });
      expect(route.attributes.find((a) => a.type === 'AS_PATH')).toMatchObject({
        segments: [{ type: 'sequence', asns: [FRR_AS] }],
      });
      expect(peer.problems.flat()).toEqual([]);

      peer.send({
        type: 'update',
        withdrawn: [],
        attributes: [
          { type: 'ORIGIN', origin: 'egp' },
          { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [LOCAL_AS, 4200000001] }] },
          { type: 'NEXT_HOP', nextHop: '10.255.0.62' },
          { type: 'MULTI_EXIT_DISC', med: 42 },
          { type: 'COMMUNITIES', communities: [((LOCAL_AS << 16) | 7) >>> 0, 0xffffff03] },
          { type: 'LARGE_COMMUNITY', communities: [{ global: LOCAL_AS, local1: 1, local2: 2 }] },
        ],
        nlri: [{ type: 'prefix', prefix: '10.62.1.0/24' }],
      });
      const r = await waitFor('our route in FRR', () => {
        const j = JSON.parse(vtysh('show bgp ipv4 unicast 10.62.1.0/24 json')) as {
          paths?: Record<string, unknown>[];
        };
        return j.paths?.[0];
      });
      expect(r).toMatchObject({
        aspath: { string: `${LOCAL_AS} 4200000001` },
        origin: 'EGP',
        metric: 42,
        // FRR prints NO_EXPORT_SUBCONFED (0xFFFFFF03) as local-AS
        community: { string: `${LOCAL_AS}:7 local-AS` },
        largeCommunity: { string: `${LOCAL_AS}:1:2` },
      });
      expect((r.nexthops as { ip: string }[])[0]?.ip).toBe('10.255.0.62');
    } finally {
      peer.close();
    }
  }, 120_000);

  it('a role that does not pair with FRR is refused with Role Mismatch', async () => {
    await waitFor('session down', () => neighbor().bgpState !== 'Established', 20_000);
    const peer = await waitFor(
      'FRR to accept connections',
      () => RawPeer.connect(FRR, port, LOCAL).catch(() => undefined),
      30_000,
    );
    try {
      peer.send(
        makeOpen({
          asn: LOCAL_AS,
          bgpId: '10.62.0.1',
          capabilities: [
            { type: 'multiprotocol', afi: 1, safi: 1 },
            { type: 'role', role: BgpRole.PEER },
          ],
        }),
      );
      const n = await peer.next('notification', 20_000);
      expect([n.code, n.subcode, n.subcodeName]).toEqual([2, 11, 'Role Mismatch']);
    } finally {
      peer.close();
    }
  }, 120_000);
});
