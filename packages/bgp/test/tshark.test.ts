// Messages this codec encodes, put in TCP segments to port 179 and dissected by tshark (Wireshark's BGP
// dissector, which none of us wrote): every field tshark shows must equal the value encoded, and tshark
// must raise no malformed-packet or expert warning. tshark 4.0 does not know LLGR (71), BGP Role (9) and
// OTC (35): for those it shows the raw value, which is compared instead. Its TUNNEL_ENCAPSULATION Color
// sub-TLV reading is 4 octets where RFC 9012 4.3 defines 8, so the Color sub-TLV is left out here (it is
// covered by the symmetry table in attributes.test.ts).
import { join } from 'node:path';
import { describeWithTool, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, expect, it } from 'vitest';
import {
  type BgpMessage,
  type Capability,
  decodeMessage,
  encodeMessage,
  makeOpen,
  notificationMessage,
  shutdownNotification,
  type UpdateMessage,
  unsupportedCapabilityNotification,
} from '../src/index.js';
import { writePcap } from './support/pcap-tcp.js';

const caps: Capability[] = [
  { type: 'multiprotocol', afi: 1, safi: 1 },
  { type: 'multiprotocol', afi: 25, safi: 70 },
  { type: 'route-refresh' },
  { type: 'enhanced-route-refresh' },
  { type: 'extended-message' },
  {
    type: 'graceful-restart',
    restartState: true,
    notification: false,
    restartTime: 120,
    families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
  },
  {
    type: 'long-lived-graceful-restart',
    families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTime: 3600 }],
  },
  { type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'both' }] },
  { type: 'extended-next-hop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  { type: 'fqdn', hostname: 'leaf1', domain: 'lab.example' },
  { type: 'role', role: 3 },
];
const open = makeOpen({ asn: 4200000001, bgpId: '10.0.0.1', holdTime: 90, capabilities: caps });

const update: UpdateMessage = {
  type: 'update',
  withdrawn: [{ type: 'prefix', prefix: '10.9.0.0/16' }],
  attributes: [
    { type: 'ORIGIN', origin: 'egp' },
    {
      type: 'AS_PATH',
      segments: [
        { type: 'sequence', asns: [65001, 4200000001] },
        { type: 'set', asns: [65010, 65011] },
      ],
    },
    { type: 'NEXT_HOP', nextHop: '10.255.0.1' },
    { type: 'MULTI_EXIT_DISC', med: 10 },
    { type: 'LOCAL_PREF', localPref: 200 },
    { type: 'ATOMIC_AGGREGATE' },
    { type: 'AGGREGATOR', asn: 65001, address: '10.0.0.9' },
    { type: 'COMMUNITIES', communities: [0xfde90064, 0xffffff01] },
    { type: 'ORIGINATOR_ID', originatorId: '1.1.1.1' },
    { type: 'CLUSTER_LIST', clusterIds: ['2.2.2.2', '3.3.3.3'] },
    { type: 'AS4_PATH', segments: [{ type: 'sequence', asns: [4200000002, 4200000003] }] },
    { type: 'AS4_AGGREGATOR', asn: 4200000001, address: '10.0.0.9' },
    {
      type: 'PMSI_TUNNEL',
      pmsiFlags: 0,
      tunnelType: 6,
      labelField: 1001 << 4,
      tunnelId: Uint8Array.of(10, 255, 0, 1),
    },
    {
      type: 'TUNNEL_ENCAPSULATION',
      tunnels: [
        {
          tunnelType: 8,
          subTlvs: [
            { kind: 'egress-endpoint', address: '10.0.0.2' },
            { kind: 'udp-port', port: 4789 },
          ],
        },
      ],
    },
    { type: 'AIGP', tlvs: [{ tlvType: 1, metric: 20n }] },
    {
      type: 'LARGE_COMMUNITY',
      communities: [
        { global: 65001, local1: 1, local2: 2 },
        { global: 4200000001, local1: 0, local2: 7 },
      ],
    },
    { type: 'OTC', asn: 65001 },
  ],
  nlri: [
    { type: 'prefix', prefix: '10.1.0.0/16' },
    { type: 'prefix', prefix: '192.0.2.0/24' },
  ],
};

const update6: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      flags: 0x90, // Extended Length on a short value, as FRR writes it: kept byte-exact
      afi: 2,
      safi: 1,
      nextHop: { kind: 'ip', address: '2001:db8::1', linkLocal: 'fe80::1' },
      nlri: [{ type: 'prefix', prefix: '2001:db8:1::/48' }],
    },
    { type: 'ORIGIN', origin: 'incomplete' },
    { type: 'AS_PATH', segments: [] },
    { type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ type: 'prefix', prefix: '2001:db8:2::/48' }] },
  ],
  nlri: [],
};

const messages: BgpMessage[] = [
  open,
  update,
  update6,
  shutdownNotification('maintenance window'),
  notificationMessage(3, 4, Uint8Array.of(0x40, 0x04, 0x04, 0, 0, 0, 10)),
  unsupportedCapabilityNotification([{ type: 'multiprotocol', afi: 25, safi: 70 }]),
  { type: 'route-refresh', afi: 1, safi: 1, subtype: 1 },
  { type: 'route-refresh', afi: 2, safi: 1, subtype: 2 },
  { type: 'keepalive' },
];

const FIELDS = [
  'bgp.type',
  '_ws.malformed',
  '_ws.expert.severity',
  'bgp.open.version',
  'bgp.open.myas',
  'bgp.open.holdtime',
  'bgp.open.identifier',
  'bgp.cap.type',
  'bgp.cap.mp.afi',
  'bgp.cap.mp.safi',
  'bgp.cap.4as',
  'bgp.cap.gr.timers.restart_time',
  'bgp.cap.gr.afi',
  'bgp.cap.gr.safi',
  'bgp.cap.ap.afi',
  'bgp.cap.ap.safi',
  'bgp.cap.ap.sendreceive',
  'bgp.cap.enh.afi',
  'bgp.cap.enh.safi',
  'bgp.cap.enh.nhafi',
  'bgp.cap.orf.fqdn.hostname',
  'bgp.cap.orf.fqdn.domain_name',
  'bgp.cap.unknown',
  'bgp.update.path_attribute.type_code',
  'bgp.update.path_attribute.flags',
  'bgp.update.path_attribute.origin',
  'bgp.update.path_attribute.as_path_segment.type',
  'bgp.update.path_attribute.as_path_segment.as4',
  'bgp.update.path_attribute.next_hop',
  'bgp.update.path_attribute.multi_exit_disc',
  'bgp.update.path_attribute.local_pref',
  'bgp.update.path_attribute.aggregator_as',
  'bgp.update.path_attribute.aggregator_origin',
  'bgp.update.path_attribute.community_as',
  'bgp.update.path_attribute.community_value',
  'bgp.update.path_attribute.community_wellknown',
  'bgp.update.path_attribute.originator_id',
  'bgp.path_attribute.cluster_id',
  'bgp.update.path_attribute.pmsi.tunnel.type',
  'bgp.update.path_attribute.mpls_label_value_20bits',
  'bgp.update.path_attribute.pmsi.ingress_rep_ip',
  'bgp.update.encaps_tunnel_tlv_type',
  'bgp.update.encaps_tunnel_subtlv_type',
  'bgp.update.encaps_tunnel_tlv_subtlv.value',
  'bgp.update.attribute.aigp.accu_igp_metric',
  'bgp.large_communities.ga',
  'bgp.large_communities.ldp1',
  'bgp.large_communities.ldp2',
  'bgp.withdrawn_prefix',
  'bgp.nlri_prefix',
  'bgp.prefix_length',
  'bgp.update.path_attribute.mp_reach_nlri.afi',
  'bgp.update.path_attribute.mp_reach_nlri.safi',
  'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6',
  'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local',
  'bgp.mp_reach_nlri_ipv6_prefix',
  'bgp.update.path_attribute.mp_unreach_nlri.afi',
  'bgp.mp_unreach_nlri_ipv6_prefix',
  'bgp.notify.major_error',
  'bgp.notify.minor_error_cease',
  'bgp.notify.minor_error_update',
  'bgp.notify.minor_error_open',
  'bgp.notify.communication',
  'bgp.route_refresh.afi',
  'bgp.route_refresh.subtype',
  'bgp.route_refresh.safi',
] as const;

type Row = Record<(typeof FIELDS)[number], string>;

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const list = (xs: readonly (string | number | bigint)[]): string => xs.map(String).join(',');

describeWithTool('tshark', 'tshark dissects what the codec encodes', () => {
  const dir = scratchDir('filament-bgp-tshark-');
  afterAll(() => dir.cleanup());
  const wire = messages.map((m) => encodeMessage(m));
  const file = join(dir.path, 'bgp.pcap');
  writePcap(file, wire);
  let rows: Row[] = [];

  it('dissects every message with no malformed packet or expert warning', () => {
    rows = tsharkFields(file, [...FIELDS]).map(
      (r) => Object.fromEntries(FIELDS.map((f, i) => [f, r[i] ?? ''])) as Row,
    );
    expect(rows).toHaveLength(messages.length);
    rows.forEach((r, i) => {
      expect(r['bgp.type']).toBe(String(wire[i]![18]));
      expect(r['_ws.malformed'], `packet ${i + 1}`).toBe('');
      expect(r['_ws.expert.severity'], `packet ${i + 1}`).toBe('');
    });
    // and the bytes decode back to the same values
    for (const [i, m] of messages.entries()) {
      expect(decodeMessage(wire[i]!).message).toEqual(decodeMessage(encodeMessage(m)).message);
    }
  }, 120_000);

  it('OPEN: header fields and every capability', () => {
    const r = rows[0]!;
    expect([
      r['bgp.open.version'],
      r['bgp.open.myas'],
      r['bgp.open.holdtime'],
      r['bgp.open.identifier'],
    ]).toEqual(['4', '23456', '90', '10.0.0.1']);
    expect(r['bgp.cap.type']).toBe(list([1, 1, 2, 70, 6, 64, 71, 69, 5, 73, 9, 65]));
    expect([r['bgp.cap.mp.afi'], r['bgp.cap.mp.safi']]).toEqual(['1,25', '1,70']);
    expect(r['bgp.cap.4as']).toBe('4200000001');
    expect([r['bgp.cap.gr.timers.restart_time'], r['bgp.cap.gr.afi'], r['bgp.cap.gr.safi']]).toEqual([
      '120',
      '1',
      '1',
    ]);
    expect([r['bgp.cap.ap.afi'], r['bgp.cap.ap.safi'], r['bgp.cap.ap.sendreceive']]).toEqual(['1', '1', '3']);
    expect([r['bgp.cap.enh.afi'], r['bgp.cap.enh.safi'], r['bgp.cap.enh.nhafi']]).toEqual(['1', '1', '2']);
    expect([r['bgp.cap.orf.fqdn.hostname'], r['bgp.cap.orf.fqdn.domain_name']]).toEqual([
      'leaf1',
      'lab.example',
    ]);
    // LLGR and Role, unknown to tshark 4.0: their raw values
    expect(r['bgp.cap.unknown']).toBe(['00010180000e10', '03'].join(','));
  });

  it('UPDATE: every attribute', () => {
    const r = rows[1]!;
    expect(r['bgp.update.path_attribute.type_code']).toBe(
      list([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 22, 23, 26, 32, 35]),
    );
    expect(r['bgp.update.path_attribute.flags']).toBe(
      list([
        '0x40',
        '0x40',
        '0x40',
        '0x80',
        '0x40',
        '0x40',
        '0xc0',
        '0xc0',
        '0x80',
        '0x80',
        '0xc0',
        '0xc0',
        '0xc0',
        '0xc0',
        '0x80',
        '0xc0',
        '0xc0',
      ]),
    );
    expect(r['bgp.update.path_attribute.origin']).toBe('1');
    // AS_PATH (a sequence and a set) then AS4_PATH (a sequence)
    expect(r['bgp.update.path_attribute.as_path_segment.type']).toBe('2,1,2');
    expect(r['bgp.update.path_attribute.as_path_segment.as4']).toBe(
      '65001,4200000001,65010,65011,4200000002,4200000003',
    );
    expect(r['bgp.update.path_attribute.next_hop']).toBe('10.255.0.1');
    expect(r['bgp.update.path_attribute.multi_exit_disc']).toBe('10');
    expect(r['bgp.update.path_attribute.local_pref']).toBe('200');
    expect(r['bgp.update.path_attribute.aggregator_as']).toBe('65001,4200000001');
    expect(r['bgp.update.path_attribute.aggregator_origin']).toBe('10.0.0.9,10.0.0.9');
    expect([
      r['bgp.update.path_attribute.community_as'],
      r['bgp.update.path_attribute.community_value'],
    ]).toEqual(['65001', '100']);
    expect(r['bgp.update.path_attribute.community_wellknown']).toBe('0xffffff01');
    expect(r['bgp.update.path_attribute.originator_id']).toBe('1.1.1.1');
    expect(r['bgp.path_attribute.cluster_id']).toBe('2.2.2.2,3.3.3.3');
    expect(r['bgp.update.path_attribute.pmsi.tunnel.type']).toBe('6');
    expect(r['bgp.update.path_attribute.mpls_label_value_20bits']).toBe('1001');
    expect(r['bgp.update.path_attribute.pmsi.ingress_rep_ip']).toBe('10.255.0.1');
    expect(r['bgp.update.encaps_tunnel_tlv_type']).toBe('8');
    expect(r['bgp.update.encaps_tunnel_subtlv_type']).toBe('6,8');
    expect(r['bgp.update.encaps_tunnel_tlv_subtlv.value']).toBe(
      `${hexOf(Uint8Array.of(0, 0, 0, 0, 0, 1, 10, 0, 0, 2))},12b5`,
    );
    expect(r['bgp.update.attribute.aigp.accu_igp_metric']).toBe('20');
    expect([
      r['bgp.large_communities.ga'],
      r['bgp.large_communities.ldp1'],
      r['bgp.large_communities.ldp2'],
    ]).toEqual(['65001,4200000001', '1,0', '2,7']);
    expect(r['bgp.withdrawn_prefix']).toBe('10.9.0.0');
    expect(r['bgp.nlri_prefix']).toBe('10.1.0.0,192.0.2.0');
    expect(r['bgp.prefix_length']).toBe('16,16,24');
  });

  it('UPDATE: MP_REACH_NLRI / MP_UNREACH_NLRI with an IPv6 global + link-local next hop', () => {
    const r = rows[2]!;
    expect(r['bgp.update.path_attribute.type_code']).toBe('14,1,2,15');
    expect(r['bgp.update.path_attribute.flags']).toBe('0x90,0x40,0x40,0x80');
    expect([
      r['bgp.update.path_attribute.mp_reach_nlri.afi'],
      r['bgp.update.path_attribute.mp_reach_nlri.safi'],
    ]).toEqual(['2', '1']);
    expect(r['bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6']).toBe('2001:db8::1');
    expect(r['bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local']).toBe('fe80::1');
    expect(r['bgp.mp_reach_nlri_ipv6_prefix']).toBe('2001:db8:1::');
    expect(r['bgp.update.path_attribute.mp_unreach_nlri.afi']).toBe('2');
    expect(r['bgp.mp_unreach_nlri_ipv6_prefix']).toBe('2001:db8:2::');
    expect(r['bgp.update.path_attribute.origin']).toBe('2');
  });

  it('NOTIFICATION: code, subcode and shutdown communication', () => {
    expect([
      rows[3]!['bgp.notify.major_error'],
      rows[3]!['bgp.notify.minor_error_cease'],
      rows[3]!['bgp.notify.communication'],
    ]).toEqual(['6', '2', 'maintenance window']);
    expect([rows[4]!['bgp.notify.major_error'], rows[4]!['bgp.notify.minor_error_update']]).toEqual([
      '3',
      '4',
    ]);
    expect([rows[5]!['bgp.notify.major_error'], rows[5]!['bgp.notify.minor_error_open']]).toEqual(['2', '7']);
  });

  it('ROUTE-REFRESH BoRR/EoRR and KEEPALIVE', () => {
    expect([
      rows[6]!['bgp.route_refresh.afi'],
      rows[6]!['bgp.route_refresh.subtype'],
      rows[6]!['bgp.route_refresh.safi'],
    ]).toEqual(['1', '1', '1']);
    expect([
      rows[7]!['bgp.route_refresh.afi'],
      rows[7]!['bgp.route_refresh.subtype'],
      rows[7]!['bgp.route_refresh.safi'],
    ]).toEqual(['2', '2', '1']);
    expect(rows[8]!['bgp.type']).toBe('4');
  });
});
