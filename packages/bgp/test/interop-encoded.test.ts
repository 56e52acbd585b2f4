// The reverse direction for the families tshark.test.ts leaves out: UPDATEs this codec encodes for VPNv4,
// VPNv6, labeled unicast, EVPN route types 1-5 and RT-constraint, with every extended community an EVPN or
// L3VPN route carries (route targets in three forms, route origin, encapsulation, router's MAC, MAC
// mobility, ESI label, ES-import, default gateway), PMSI tunnel, AIGP, communities and large communities,
// their withdrawals, End-of-RIB, and ROUTE-REFRESH BoRR/EoRR for those families. They are written as
// TCP/179 segments with @filament/encap's PcapWriter and dissected by tshark: every field tshark shows must
// equal the encoded value (the same comparison as the real-speaker captures, support/wire-compare.ts), with
// no malformed packet or expert warning, and decoding gives the values back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ethernet, ipv4Packet, PcapWriter, tcp } from '@filament/encap';
import { describeWithTool, scratchDir } from '@filament/testkit';
import { afterAll, expect, it } from 'vitest';
import {
  type BgpMessage,
  decodeMessage,
  type ExtendedCommunity,
  encodeMessage,
  endOfRib,
  evpnLabelFromMpls,
  evpnLabelFromVni,
  type PathAttribute,
  parseEsi,
  parseExtendedCommunity,
  parseRd,
  type UpdateMessage,
  ZERO_ESI,
} from '../src/index.js';
import { compareCapture } from './support/wire-compare.js';

const ext = (...t: string[]): ExtendedCommunity[] => t.map(parseExtendedCommunity);
const base: PathAttribute[] = [
  { type: 'ORIGIN', origin: 'igp' },
  { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 4200000001] }] },
];
const esi = '01:aa:bb:cc:dd:ee:ff:00:0a:00';
void parseEsi(esi);

const vpn4: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      afi: 1,
      safi: 128,
      nextHop: { kind: 'vpn', address: '10.255.0.1' },
      nlri: [
        { type: 'vpn', labels: [100], rd: parseRd('65001:100'), prefix: '10.1.0.0/24' },
        { type: 'vpn', labels: [16, 17], rd: parseRd('1.1.1.1:7'), prefix: '10.1.1.128/25' },
        { type: 'vpn', labels: [1048575], rd: parseRd('4200000001:9'), prefix: '0.0.0.0/0' },
      ],
    },
    ...base,
    { type: 'MULTI_EXIT_DISC', med: 10 },
    { type: 'LOCAL_PREF', localPref: 300 },
    { type: 'COMMUNITIES', communities: [(65001 << 16) | 1, (65001 << 16) | 2].map((c) => c >>> 0) },
    {
      type: 'EXTENDED_COMMUNITIES',
      communities: ext('target:65001:100', 'target:1.1.1.1:7', 'target:4200000001:9', 'origin:65001:5'),
    },
    { type: 'AIGP', tlvs: [{ tlvType: 1, metric: 20n }] },
    { type: 'LARGE_COMMUNITY', communities: [{ global: 4200000001, local1: 1, local2: 2 }] },
  ],
};

const vpn6: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      afi: 2,
      safi: 128,
      nextHop: { kind: 'vpn', address: '2001:db8::1' },
      nlri: [{ type: 'vpn', labels: [102], rd: parseRd('65001:100'), prefix: '2001:db8:1::/64' }],
    },
    ...base,
    { type: 'EXTENDED_COMMUNITIES', communities: ext('target:65001:100') },
  ],
};

const labeled: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      afi: 1,
      safi: 4,
      nextHop: { kind: 'ip', address: '10.255.0.1' },
      nlri: [{ type: 'labeled', labels: [300], prefix: '10.3.0.0/16' }],
    },
    ...base,
  ],
};

const evpnMpls: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      afi: 25,
      safi: 70,
      nextHop: { kind: 'ip', address: '10.255.0.1' },
      nlri: [
        {
          type: 'evpn-ethernet-ad',
          routeType: 1,
          rd: parseRd('1.1.1.1:1001'),
          esi,
          ethernetTag: 0xffffffff,
          label: evpnLabelFromMpls(0),
        },
        {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd: parseRd('1.1.1.1:1001'),
          esi,
          ethernetTag: 100,
          mac: '02:00:00:00:01:01',
          ip: '10.1.0.11',
          label1: evpnLabelFromMpls(1001),
          label2: evpnLabelFromMpls(5001),
        },
        {
          type: 'evpn-ethernet-segment',
          routeType: 4,
          rd: parseRd('1.1.1.1:0'),
          esi,
          originator: '10.255.0.1',
        },
      ],
    },
    ...base,
    {
      type: 'EXTENDED_COMMUNITIES',
      communities: ext(
        'target:65001:1001',
        'mac-mobility:7:sticky',
        'es-import:aa:bb:cc:dd:ee:ff',
        'default-gateway',
      )
        .concat([{ kind: 'esi-label', singleActive: true, label: evpnLabelFromMpls(2001) }])
        .concat(ext('encap:mpls')),
    },
  ],
};

const evpnVxlan: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    ...base,
    {
      type: 'EXTENDED_COMMUNITIES',
      communities: ext('target:65001:5001', 'encap:vxlan', 'router-mac:02:00:00:00:00:01'),
    },
    {
      type: 'PMSI_TUNNEL',
      pmsiFlags: 0,
      tunnelType: 6,
      labelField: 1001,
      tunnelId: Uint8Array.of(10, 255, 0, 1),
    },
    {
      type: 'MP_REACH_NLRI',
      afi: 25,
      safi: 70,
      nextHop: { kind: 'ip', address: '10.255.0.1' },
      nlri: [
        {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd: parseRd('65001:1001'),
          esi: ZERO_ESI,
          ethernetTag: 0,
          mac: '02:00:00:00:01:02',
          ip: '2001:db8:10::11',
          label1: evpnLabelFromVni(1001),
          label2: evpnLabelFromVni(5001),
        },
        {
          type: 'evpn-inclusive-multicast',
          routeType: 3,
          rd: parseRd('65001:1001'),
          ethernetTag: 0,
          originator: '10.255.0.1',
        },
        {
          type: 'evpn-ip-prefix',
          routeType: 5,
          rd: parseRd('65001:5001'),
          esi: ZERO_ESI,
          ethernetTag: 0,
          prefix: '10.10.10.0/24',
          gateway: '10.10.10.1',
          label: evpnLabelFromVni(5001),
        },
        {
          type: 'evpn-ip-prefix',
          routeType: 5,
          rd: parseRd('65001:5001'),
          esi: ZERO_ESI,
          ethernetTag: 0,
          prefix: '2001:db8:10::/64',
          gateway: '::',
          label: evpnLabelFromVni(5001),
        },
      ],
    },
  ],
};

const withdrawals: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_UNREACH_NLRI',
      afi: 25,
      safi: 70,
      withdrawn: [
        {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd: parseRd('65001:1001'),
          esi: ZERO_ESI,
          ethernetTag: 0,
          mac: '02:00:00:00:01:02',
          label1: evpnLabelFromVni(0),
        },
      ],
    },
  ],
};

const vpnWithdraw: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_UNREACH_NLRI',
      afi: 1,
      safi: 128,
      withdrawn: [
        { type: 'vpn', labels: [], withdrawLabel: 0x800000, rd: parseRd('65001:100'), prefix: '10.1.0.0/24' },
      ],
    },
  ],
};

const rtc: UpdateMessage = {
  type: 'update',
  withdrawn: [],
  nlri: [],
  attributes: [
    {
      type: 'MP_REACH_NLRI',
      afi: 1,
      safi: 132,
      nextHop: { kind: 'ip', address: '10.255.0.1' },
      nlri: [
        {
          type: 'rtc',
          prefixLength: 96,
          originAs: 65001,
          routeTarget: parseExtendedCommunity('target:65001:500'),
        },
        { type: 'rtc', prefixLength: 0 },
      ],
    },
    ...base,
    { type: 'LOCAL_PREF', localPref: 100 },
  ],
};

const messages: BgpMessage[] = [
  vpn4,
  vpn6,
  labeled,
  evpnMpls,
  evpnVxlan,
  withdrawals,
  vpnWithdraw,
  rtc,
  endOfRib({ afi: 25, safi: 70 }),
  { type: 'route-refresh', afi: 25, safi: 70, subtype: 1 },
  { type: 'route-refresh', afi: 1, safi: 128, subtype: 2 },
  { type: 'route-refresh', afi: 1, safi: 132, subtype: 0 },
];

/** A TCP/IPv4/Ethernet frame from 10.0.0.1:40000 to 10.0.0.2:179 at `seq`. */
function segment(seq: number, payload: Uint8Array, syn = false): Uint8Array {
  const a = '10.0.0.1';
  const b = '10.0.0.2';
  const flags = {
    cwr: false,
    ece: false,
    urg: false,
    ack: !syn,
    psh: payload.length > 0,
    rst: false,
    syn,
    fin: false,
  };
  const seg = tcp.encode(
    {
      srcPort: 40000,
      dstPort: 179,
      seq,
      ack: syn ? 0 : 1,
      flags,
      window: 65535,
      urgentPointer: 0,
      options: [],
    },
    undefined,
    0,
    { pseudo: { src: a, dst: b }, payload },
  );
  const ip = ipv4Packet(
    {
      dscp: 0,
      ecn: 0,
      identification: 0,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol: 6,
      src: a,
      dst: b,
      options: new Uint8Array(0),
    },
    seg,
  );
  const f = new Uint8Array(14 + ip.length);
  ethernet.encode({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x0800 }, f, 0);
  f.set(ip, 14);
  return f;
}

describeWithTool('tshark', 'tshark dissects the VPN, labeled, EVPN and RTC UPDATEs the codec encodes', () => {
  const dir = scratchDir('filament-bgp-encoded-');
  afterAll(() => dir.cleanup());
  const wire = messages.map((m) => encodeMessage(m));
  const file = join(dir.path, 'encoded.pcap');
  const w = new PcapWriter();
  const frames = [segment(999, new Uint8Array(0), true)];
  let seq = 1000;
  for (const b of wire) {
    frames.push(segment(seq, b));
    seq += b.length;
  }
  writeFileSync(
    file,
    Buffer.concat([w.header(), ...frames.map((f, i) => w.packet(f, { seconds: 1_700_000_000 + i }))]),
  );

  it('every field tshark shows equals the encoded value, with no malformed packet or expert warning', () => {
    const cmp = compareCapture(file, [179]);
    expect(cmp.messages).toHaveLength(messages.length);
    expect(cmp.differences).toEqual([]);
    expect(cmp.tsharkErrors).toEqual([]);
    expect(cmp.problems).toEqual([]);
    expect(cmp.counts).toEqual({ update: 9, 'route-refresh': 3 });
  }, 120_000);

  it('decoding gives the encoded values back', () => {
    for (const [i, m] of messages.entries()) {
      const d = decodeMessage(wire[i]!);
      expect(encodeMessage(d.message)).toEqual(wire[i]);
      expect(d.problems).toEqual([]);
      if (m.type === 'update' && d.message.type === 'update') {
        expect(d.message.attributes.length).toBe(m.attributes.length);
      }
    }
  });
});
