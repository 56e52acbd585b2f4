// Wire check against FRR (Debian frr 8.4, bgpd alone with -Z, no zebra): bgpd originates a VPNv4 route
// and an EVPN type-5 route from `network` statements and advertises them over loopback to a passive peer
// in this test. Their NLRI and communities are decoded here and compared with the configuration and with
// `vtysh ... json`. This is where the EVPN label field disagreement shows: FRR writes `label 5000` of a
// type-5 route as an MPLS label entry, 5000 << 4 | S = 0x013881, which the RFC 8365 VNI reading (and
// gobgp's output) shows as 80001.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, run, scratchDir } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  decodeExtendedCommunities,
  decodeNlri,
  type EvpnRoute,
  type ExtendedCommunity,
  encodeExtendedCommunities,
  encodeNlri,
  evpnLabelReading,
  evpnServiceLabels,
  formatExtendedCommunity,
  formatRd,
  type Nlri,
} from '../src/index.js';
import { endOfRib, type Listener, listen, mpNlri, updateMessage, walkUpdate } from './support/nlri-peer.js';

const BGPD = '/usr/lib/frr/bgpd';
const FAMILIES = [
  { afi: 1, safi: 128 },
  { afi: 25, safi: 70 },
];

describeWithTool(
  [BGPD, 'vtysh'],
  'FRR bgpd advertises, we decode (VPNv4, EVPN type 5 label as FRR writes it)',
  () => {
    const scratch = scratchDir('filament-nlri-frr-');
    let bgpd: ChildProcess | undefined;
    let peer: Listener;
    const got: {
      family: { afi: number; safi: number };
      nlri: Nlri[];
      comms: ExtendedCommunity[];
      raw: Uint8Array;
      commRaw?: Uint8Array;
    }[] = [];

    beforeAll(async () => {
      peer = await listen('127.0.3.5', 65010, FAMILIES, FAMILIES.map(endOfRib));
      const dir = scratch.path;
      // bgpd drops privileges to the frr user, which must be able to write its pid, log and vty socket here.
      chmodSync(dir, 0o777);
      run('chown', ['-R', 'frr:frr', dir], { allowFail: true });
      writeFileSync(
        join(dir, 'bgpd.conf'),
        `frr defaults traditional
hostname filament-nlri
log file ${dir}/bgpd.log informational
!
route-map RM-RT permit 10
 set extcommunity rt 65002:100
!
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 127.0.3.5 remote-as 65010
 neighbor 127.0.3.5 port ${peer.port}
 neighbor 127.0.3.5 update-source 127.0.3.4
 neighbor 127.0.3.5 disable-connected-check
 neighbor 127.0.3.5 timers connect 1
 !
 address-family ipv4 vpn
  neighbor 127.0.3.5 activate
  network 10.2.0.0/24 rd 65002:100 label 200 route-map RM-RT
 exit-address-family
 !
 address-family l2vpn evpn
  neighbor 127.0.3.5 activate
  network 10.20.0.0/24 rd 65002:5000 ethtag 0 label 5000 esi 00:00:00:00:00:00:00:00:00:00 gwip 0.0.0.0 routermac 02:00:00:00:00:02
 exit-address-family
!
`,
      );
      // -Z: no zebra; -p 0: no BGP listener (this test's peer is passive, bgpd connects out from 127.0.3.4).
      bgpd = spawn(
        BGPD,
        [
          '-Z',
          '-f',
          join(dir, 'bgpd.conf'),
          '-i',
          join(dir, 'bgpd.pid'),
          '--vty_socket',
          dir,
          '-A',
          '127.0.0.1',
          '-P',
          '0',
          '-p',
          '0',
          '-l',
          '127.0.3.4',
        ],
        { stdio: 'ignore' },
      );
      await peer.waitFor(
        (m) =>
          m.filter((x) => x.type === 2 && walkUpdate(x.bytes).attrs.some((a) => a.code === 14)).length >= 2,
        60_000,
      );
      for (const m of peer.messages) {
        if (m.type !== 2) continue;
        const u = walkUpdate(m.bytes);
        const ext = u.attrs.find((a) => a.code === 16);
        for (const a of u.attrs.filter((x) => x.code === 14)) {
          const r = mpNlri(m.bytes, a);
          const entry: (typeof got)[number] = {
            family: r.family,
            nlri: decodeNlri(r.family, m.bytes, r.start, r.end, { addPath: false }),
            comms: ext ? decodeExtendedCommunities(m.bytes, ext.offset, ext.length) : [],
            raw: m.bytes.slice(r.start, r.end),
          };
          if (ext) entry.commRaw = m.bytes.slice(ext.offset, ext.offset + ext.length);
          got.push(entry);
        }
      }
    }, 90_000);

    afterAll(async () => {
      bgpd?.kill('SIGTERM');
      await peer?.close();
      scratch.cleanup();
    });

    it('VPNv4: label 200, RD 65002:100, 10.2.0.0/24, target:65002:100', () => {
      const v = got.find((g) => g.family.safi === 128)!;
      expect(v.nlri).toEqual([
        { type: 'vpn', labels: [200], rd: { type: 0, asn: 65002, assigned: 100 }, prefix: '10.2.0.0/24' },
      ]);
      expect(v.comms.map(formatExtendedCommunity)).toContain('target:65002:100');
    });

    it('EVPN type 5: FRR writes label 5000 as 0x013881; the MPLS reading is 5000, the VNI reading 80001', () => {
      const e = got.find((g) => g.family.afi === 25)!;
      const r = e.nlri[0] as EvpnRoute;
      expect(r).toEqual({
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: { type: 0, asn: 65002, assigned: 5000 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.20.0.0/24',
        gateway: '0.0.0.0',
        label: { raw: 0x013881, label: 5000, vni: 80001 },
      });
      expect(e.comms.map(formatExtendedCommunity)).toContain('router-mac:02:00:00:00:00:02');
      // Without an encapsulation community the field is read as MPLS (RFC 7432), which is what FRR meant.
      expect(evpnLabelReading(e.comms)).toBe('mpls');
      expect(evpnServiceLabels(r, e.comms)).toEqual({ reading: 'mpls', values: [5000] });
      // Were the route marked VXLAN, RFC 8365 would read 80001; the FRR-compatible option recovers 5000.
      const vx: ExtendedCommunity[] = [...e.comms, { kind: 'encapsulation', tunnelType: 8 }];
      expect(evpnServiceLabels(r, vx)).toEqual({ reading: 'vni', values: [80001] });
      expect(evpnServiceLabels(r, vx, { mplsEncodedVni: true })).toEqual({ reading: 'vni', values: [5000] });
    });

    it('matches `vtysh show bgp l2vpn evpn route type prefix json`', () => {
      const out = run('vtysh', [
        '--vty_socket',
        scratch.path,
        '-c',
        'show bgp l2vpn evpn route type prefix json',
      ]).stdout;
      const json = JSON.parse(out) as Record<string, unknown>;
      const e = got.find((g) => g.family.afi === 25)!;
      const r = e.nlri[0] as Extract<EvpnRoute, { type: 'evpn-ip-prefix' }>;
      const byRd = json[formatRd(r.rd)] as Record<string, unknown>;
      expect(byRd.rd).toBe(formatRd(r.rd));
      const key = `[5]:[${r.ethernetTag}]:[${r.prefix.split('/')[1]}]:[${r.prefix.split('/')[0]}]`;
      const paths = (byRd[key] as { paths: Record<string, unknown>[][] }).paths;
      const p = paths[0]![0]!;
      expect(p.routeType).toBe(5);
      expect(p.ethTag).toBe(r.ethernetTag);
      expect(`${p.ip}/${p.ipLen}`).toBe(r.prefix);
      expect((p.extendedCommunity as { string: string }).string).toContain('Rmac:02:00:00:00:00:02');
    });

    it('bgpd reads our encodings of EVPN types 2, 3 and 5 as meant (vtysh json)', async () => {
      const routes: EvpnRoute[] = [
        {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd: { type: 1, ip: '10.255.0.9', assigned: 2 },
          esi: '00:00:00:00:00:00:00:00:00:00',
          ethernetTag: 0,
          mac: '02:aa:00:00:00:09',
          ip: '10.9.0.9',
          label1: { raw: 0x0003e9, label: 62, vni: 1001 },
        },
        {
          type: 'evpn-inclusive-multicast',
          routeType: 3,
          rd: { type: 1, ip: '10.255.0.9', assigned: 3 },
          ethernetTag: 0,
          originator: '10.255.0.9',
        },
        {
          type: 'evpn-ip-prefix',
          routeType: 5,
          rd: { type: 0, asn: 65010, assigned: 5 },
          esi: '00:00:00:00:00:00:00:00:00:00',
          ethernetTag: 0,
          prefix: '10.99.0.0/16',
          gateway: '0.0.0.0',
          label: { raw: 0x013881, label: 5000, vni: 80001 },
        },
      ];
      const comms: ExtendedCommunity[] = [
        { kind: 'route-target', form: 'as2', asn: 65010, local: 9 },
        { kind: 'encapsulation', tunnelType: 8 },
      ];
      const nlri = encodeNlri({ afi: 25, safi: 70 }, routes, { addPath: false });
      peer.send(
        updateMessage([
          { flags: 0x40, code: 1, value: Uint8Array.of(0) },
          { flags: 0x40, code: 2, value: Uint8Array.of(2, 1, 0, 0, 0xfd, 0xf2) },
          { flags: 0x80, code: 14, value: Uint8Array.from([0, 25, 70, 4, 10, 255, 0, 9, 0, ...nlri]) },
          { flags: 0xc0, code: 16, value: encodeExtendedCommunities(comms) },
        ]),
      );
      // `show bgp l2vpn evpn route rd X json` nests the routes under the RD.
      const show = (rd: string) =>
        (
          JSON.parse(
            run('vtysh', ['--vty_socket', scratch.path, '-c', `show bgp l2vpn evpn route rd ${rd} json`])
              .stdout,
          ) as Record<string, Record<string, { paths: Record<string, unknown>[][] }>>
        )[rd] ?? {};
      let t5 = show('65010:5');
      for (let i = 0; i < 50 && !t5['[5]:[0]:[16]:[10.99.0.0]']; i++) {
        await new Promise((r) => setTimeout(r, 100));
        t5 = show('65010:5');
      }
      // Route-level fields, then the path's.
      const r5 = t5['[5]:[0]:[16]:[10.99.0.0]']! as unknown as Record<string, unknown> & {
        paths: Record<string, unknown>[][];
      };
      expect(r5.routeType).toBe(5);
      expect(r5.ethTag).toBe(0);
      expect(`${r5.ip}/${r5.ipLen}`).toBe('10.99.0.0/16');
      const p5 = r5.paths[0]![0]!;
      expect((p5.extendedCommunity as { string: string }).string).toBe('RT:65010:9 ET:8');
      // The field we sent as 0x013881 (what FRR itself sends for `label 5000`): FRR, receiving it with
      // encapsulation VXLAN, shows the 24-bit VNI reading, 80001 -- FRR disagrees with itself.
      expect(p5.vni).toBe('80001');
      const r2 = show('10.255.0.9:2')[
        '[2]:[0]:[48]:[02:aa:00:00:00:09]:[32]:[10.9.0.9]'
      ]! as unknown as Record<string, unknown> & { paths: Record<string, unknown>[][] };
      expect(r2.routeType).toBe(2);
      expect(r2.paths[0]![0]!.vni).toBe('1001');
      expect(show('10.255.0.9:3')['[3]:[0]:[32]:[10.255.0.9]']).toBeDefined();
    });

    it('encoding what we decoded gives back the bytes bgpd sent', () => {
      expect(got.length).toBeGreaterThanOrEqual(2);
      for (const g of got) {
        expect(encodeNlri(g.family, g.nlri, { addPath: false })).toEqual(g.raw);
        if (g.commRaw) expect(encodeExtendedCommunities(g.comms)).toEqual(g.commRaw);
      }
    });
  },
);
