// EVPN types 2 and 3 as FRR 8.4 originates them from a kernel VXLAN (zebra + bgpd, `advertise-all-vni`,
// ../shared/ref/bgp-peers/RUN.md variant A), received by the Filament speaker. FRR runs in a network
// namespace this test makes (its VTEP address on the namespace's loopback, a bridge, VXLAN device 100, a
// veth into the bridge, a static FDB entry and a permanent neighbour for one MAC and one MAC+IP); a veth
// pair joins that namespace to ours, and FRR peers over it with our speaker, which runs in the test
// process. Checked: FRR's type-2 routes (MAC only, MAC+IP) in our Loc-RIB and 'route' events with VNI 100
// (raw 24-bit label under the VXLAN encapsulation community), route target 65002:100 and FRR's VTEP as
// next hop; its type-3 route with a PMSI tunnel attribute (ingress replication, VNI 100, tunnel endpoint
// the VTEP). The other way: a MAC/IP route we inject for VNI 100 ends up in the kernel FDB of FRR's
// namespace towards our VTEP. Namespace, links and daemons are removed afterwards.
import type { Daemon } from '@filament/testkit';
import { describeWithTool, run, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BgpSpeaker,
  evpnLabelFromVni,
  evpnServiceLabels,
  formatExtendedCommunity,
  type Nlri,
  type PathAttrs,
  parseExtendedCommunity,
  parseRd,
  type RouteEvent,
} from '../src/index.js';
import { createNetns, type Frr, type Netns, startFrrBgpd, startFrrZebra } from './support/daemons.js';
import { established } from './support/speaker-daemons.js';

const US = '10.231.0.1';
const FRR = '10.231.0.2';
/** FRR's VTEP, on the namespace's loopback (zebra ignores 127/8). */
const FRR_VTEP = '10.255.31.2';
/** The VTEP we advertise: routed out of the namespace's tv1 so FRR's next-hop tracking resolves it. */
const OUR_VTEP = '10.255.31.11';
const US_PORT = 31280;
const FRR_PORT = 31279;
const MAC = '02:aa:bb:cc:dd:31';
const HOST_IP = '10.100.31.5';
const OUR_MAC = '02:00:00:00:31:01';

const frrConf = `frr defaults traditional
hostname frr-speaker-evpn
router bgp 65002
 bgp router-id 2.2.2.31
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${US} remote-as 65100
 neighbor ${US} port ${US_PORT}
 neighbor ${US} update-source ${FRR}
 neighbor ${US} timers connect 1
 address-family l2vpn evpn
  neighbor ${US} activate
  advertise-all-vni
 exit-address-family
`;

const root = typeof process.getuid === 'function' && process.getuid() === 0;

const extCommunities = (a: PathAttrs | undefined) =>
  a?.attributes.flatMap((x) => (x.type === 'EXTENDED_COMMUNITIES' ? x.communities : [])) ?? [];

describeWithTool(
  ['ip', 'bridge', '/usr/lib/frr/zebra', '/usr/lib/frr/bgpd', 'vtysh'],
  `speaker interop: FRR EVPN types 2 and 3 from a kernel VXLAN${root ? '' : ' [skipped: needs root]'}`,
  () => {
    if (!root) {
      it.skip('needs root for a network namespace', () => {});
      return;
    }
    const dir = scratchDir('speaker-frr-evpn-');
    const veth = `fe7s${process.pid % 100000}`;
    let ns: Netns | undefined;
    let zebra: Daemon | undefined;
    let frr: Frr | undefined;
    let s: BgpSpeaker | undefined;
    const events: RouteEvent[] = [];

    const evpn = () => s!.routes('l2vpn-evpn').filter((r) => r.peer === FRR);
    const macIp = (ip: string | undefined) =>
      evpn().find((r) => r.nlri.type === 'evpn-mac-ip' && r.nlri.mac === MAC && r.nlri.ip === ip);

    beforeAll(async () => {
      ns = createNetns(`fil-spk-evpn-${process.pid}`);
      const x = ns;
      x.run('ip', ['addr', 'add', `${FRR_VTEP}/32`, 'dev', 'lo']);
      x.run('ip', ['link', 'add', 'br100', 'type', 'bridge']);
      x.run('ip', [
        'link',
        'add',
        'vxlan100',
        'type',
        'vxlan',
        'id',
        '100',
        'local',
        FRR_VTEP,
        'dstport',
        '4789',
        'nolearning',
      ]);
      x.run('ip', ['link', 'set', 'vxlan100', 'master', 'br100']);
      x.run('ip', ['link', 'add', 'tv0', 'type', 'veth', 'peer', 'name', 'tv1']);
      x.run('ip', ['link', 'set', 'tv0', 'master', 'br100']);
      for (const i of ['br100', 'vxlan100', 'tv0', 'tv1']) x.run('ip', ['link', 'set', i, 'up']);
      x.run('ip', ['addr', 'add', '10.100.31.1/24', 'dev', 'br100']);
      x.run('bridge', ['fdb', 'add', MAC, 'dev', 'tv0', 'master', 'static']);
      x.run('ip', ['neigh', 'replace', HOST_IP, 'lladdr', MAC, 'dev', 'br100', 'nud', 'permanent']);
      x.run('ip', ['route', 'add', `${OUR_VTEP}/32`, 'dev', 'tv1']);
      // the link between our namespace (the speaker) and FRR's
      x.run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}n`]);
      x.run('ip', ['link', 'set', `${veth}n`, 'up']);
      x.run('ip', ['addr', 'add', `${FRR}/30`, 'dev', `${veth}n`]);
      x.run('ip', ['link', 'set', veth, 'netns', '1']);
      run('ip', ['addr', 'add', `${US}/30`, 'dev', veth]);
      run('ip', ['link', 'set', veth, 'up']);

      zebra = await startFrrZebra(dir.path, 'frr', x.name);
      frr = await startFrrBgpd(dir.path, 'frr', frrConf, FRR, FRR_PORT, { zebra: true, netns: x.name });
      s = new BgpSpeaker({
        asn: 65100,
        routerId: '10.0.31.1',
        listen: [{ host: US, port: US_PORT }],
        peers: [
          {
            address: FRR,
            port: FRR_PORT,
            asn: 65002,
            localAddress: US,
            families: ['l2vpn-evpn'],
            connectRetryTime: 1,
          },
        ],
      });
      s.on('route', (e) => events.push(e));
      s.announce({
        family: 'l2vpn-evpn',
        nlri: {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd: parseRd('10.0.31.1:100'),
          esi: '00:00:00:00:00:00:00:00:00:00',
          ethernetTag: 0,
          mac: OUR_MAC,
          label1: evpnLabelFromVni(100),
        },
        nextHop: OUR_VTEP,
        attributes: [
          {
            type: 'EXTENDED_COMMUNITIES',
            communities: [parseExtendedCommunity('target:65002:100'), parseExtendedCommunity('encap:vxlan')],
          },
        ],
      });
      await s.start();
    }, 180_000);

    afterAll(async () => {
      await s?.stop();
      await frr?.stop();
      await zebra?.stop();
      ns?.remove();
      // deleting the namespace deletes its end of the pair and with it ours; make sure of it
      run('ip', ['link', 'del', veth], { allowFail: true });
      dir.cleanup();
    });

    it('reaches Established with FRR over the namespace link, with L2VPN EVPN', async () => {
      const st = await established(s!, FRR, 60_000);
      expect(st.negotiated?.families).toEqual(['l2vpn-evpn']);
      const vni = await waitFor(
        'FRR knows VNI 100',
        () => frr!.vtysh('show evpn vni 100').includes('100'),
        30_000,
      );
      expect(vni).toBe(true);
    });

    it("holds FRR's type-2 MAC and MAC+IP routes with VNI 100, its route target and VTEP", async () => {
      await waitFor('type-2 routes from FRR', () => macIp(HOST_IP) && macIp(undefined), 60_000, 200);
      for (const r of [macIp(HOST_IP)!, macIp(undefined)!]) {
        if (r.nlri.type !== 'evpn-mac-ip') throw new Error('not type 2');
        const ext = extCommunities(r.attrs);
        expect(evpnServiceLabels(r.nlri, ext)).toEqual({ reading: 'vni', values: [100] });
        expect(ext.map(formatExtendedCommunity)).toEqual(
          expect.arrayContaining(['target:65002:100', 'encap:vxlan']),
        );
        expect(r.attrs.routeTargets).toContain('target:65002:100');
        expect(r.attrs.nextHop).toBe(FRR_VTEP);
        expect(r.attrs.asPath).toEqual([{ type: 'sequence', asns: [65002] }]);
      }
      // the same routes came through the event API
      const added = events.filter(
        (e) => e.kind === 'added' && e.peer === FRR && e.nlri.type === 'evpn-mac-ip' && e.nlri.mac === MAC,
      );
      expect(added.map((e) => (e.nlri as Extract<Nlri, { type: 'evpn-mac-ip' }>).ip).sort()).toEqual(
        expect.arrayContaining([HOST_IP, undefined]),
      );
      expect(added.every((e) => e.accepted && e.family.afi === 25 && e.family.safi === 70)).toBe(true);
    });

    it("holds FRR's type-3 route with a PMSI tunnel: ingress replication, VNI 100, FRR's VTEP", async () => {
      const imet = await waitFor(
        'type-3 route from FRR',
        () => evpn().find((r) => r.nlri.type === 'evpn-inclusive-multicast'),
        60_000,
        200,
      );
      expect(imet.nlri).toMatchObject({ originator: FRR_VTEP, ethernetTag: 0 });
      const pmsi = imet.attrs.attributes.find((a) => a.type === 'PMSI_TUNNEL');
      if (pmsi?.type !== 'PMSI_TUNNEL') throw new Error('no PMSI_TUNNEL attribute');
      expect([pmsi.tunnelType, pmsi.labelField, [...pmsi.tunnelId].join('.')]).toEqual([6, 100, FRR_VTEP]);
      expect(extCommunities(imet.attrs).map(formatExtendedCommunity)).toEqual(
        expect.arrayContaining(['target:65002:100', 'encap:vxlan']),
      );
      expect(events.some((e) => e.peer === FRR && e.nlri.type === 'evpn-inclusive-multicast')).toBe(true);
    });

    it('our MAC/IP route for VNI 100 reaches the kernel FDB in FRR namespace, towards our VTEP', async () => {
      const fdb = await waitFor(
        'our MAC in the kernel FDB',
        () => {
          const out = ns!.run('bridge', ['fdb', 'show', 'dev', 'vxlan100']);
          return out.includes(OUR_MAC) ? out : undefined;
        },
        60_000,
        500,
      );
      expect(fdb).toMatch(new RegExp(`${OUR_MAC} dst ${OUR_VTEP.replaceAll('.', '\\.')}`));
      const macs = frr!.vtysh('show evpn mac vni 100');
      expect(macs).toContain(OUR_MAC);
    });
  },
);
