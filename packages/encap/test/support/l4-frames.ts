// Frames built by the library for the tshark cross-checks: each one keeps the values it was encoded from, so
// the test can compare every field tshark dissects with what we meant to write.
import {
  DhcpMessageType,
  type Dhcpv4,
  dhcpPadded,
  dhcpv4,
  type Gre,
  GreProtocol,
  gre,
  type MplsStack,
  mpls,
  type PseudoHeader,
  type Tcp,
  type TcpFlags,
  tcp,
  type Udp,
  udp,
  type Vxlan,
  vxlan,
} from '../../src/index.js';
import { cat, ethernet, ipv4, ipv6 } from './l4-pcap.js';

export const MAC_A = '02:00:00:00:00:0a';
export const MAC_B = '02:00:00:00:00:0b';
export const V4_A = '192.0.2.10';
export const V4_B = '198.51.100.20';
export const V6_A = '2001:db8::a';
export const V6_B = '2001:db8:1::b';
/** An MPLS label whose payload tshark is told (decode-as) is Ethernet without control word. */
export const EVPN_LABEL = 299776;

export type L4Frame = {
  name: string;
  bytes: Uint8Array;
  /** Good packets must dissect without malformed/warning/error expert info. */
  good: boolean;
} & (
  | { kind: 'udp'; udp: Udp; pseudo: PseudoHeader; payload: Uint8Array; checksumGood: boolean | undefined }
  | { kind: 'tcp'; tcp: Tcp; pseudo: PseudoHeader; payload: Uint8Array; checksumGood: boolean }
  | { kind: 'gre'; gre: Gre; payload: Uint8Array; checksumGood: boolean | undefined; mpls?: MplsStack }
  | {
      kind: 'mpls';
      mpls: MplsStack;
      over: 'udp' | 'ethernet';
      payload: Uint8Array;
      inner: 'ipv4' | 'ipv6' | 'ethernet';
    }
  | { kind: 'vxlan'; vxlan: Vxlan; udp: Udp; inner: Uint8Array }
  | { kind: 'dhcp'; dhcp: Dhcpv4 }
);

const flags = (set: Partial<TcpFlags>): TcpFlags => ({
  cwr: false,
  ece: false,
  urg: false,
  ack: false,
  psh: false,
  rst: false,
  syn: false,
  fin: false,
  ...set,
});

const v4 = { src: V4_A, dst: V4_B };
const v6 = { src: V6_A, dst: V6_B };

function udpIn(ip: 4 | 6, value: Udp, payload: Uint8Array): { bytes: Uint8Array; udp: Udp } {
  const pseudo = ip === 4 ? v4 : v6;
  const seg = udp.encode(value, undefined, 0, { pseudo, payload });
  const decoded = udp.decode(seg, 0, { pseudo }).value;
  const l3 = ip === 4 ? ipv4(V4_A, V4_B, 17, seg) : ipv6(V6_A, V6_B, 17, seg);
  return { bytes: ethernet(MAC_B, MAC_A, ip === 4 ? 0x0800 : 0x86dd, l3), udp: decoded };
}

function tcpIn(ip: 4 | 6, value: Tcp, payload: Uint8Array): { bytes: Uint8Array; tcp: Tcp } {
  const pseudo = ip === 4 ? v4 : v6;
  const seg = tcp.encode(value, undefined, 0, { pseudo, payload });
  const decoded = tcp.decode(seg, 0, { pseudo }).value;
  const l3 = ip === 4 ? ipv4(V4_A, V4_B, 6, seg) : ipv6(V6_A, V6_B, 6, seg);
  return { bytes: ethernet(MAC_B, MAC_A, ip === 4 ? 0x0800 : 0x86dd, l3), tcp: decoded };
}

const text = (s: string) => new TextEncoder().encode(s);

/** A small inner IPv4/UDP packet (and an IPv6 one) to carry in tunnels. */
export const INNER_V4 = ipv4(
  '10.1.1.1',
  '10.1.1.2',
  17,
  udp.encode({ srcPort: 40010, dstPort: 40011 }, undefined, 0, {
    pseudo: { src: '10.1.1.1', dst: '10.1.1.2' },
    payload: text('filament inner IPv4 payload'),
  }),
);
export const INNER_V6 = ipv6(
  'fd00::1',
  'fd00::2',
  17,
  udp.encode({ srcPort: 47002, dstPort: 47003 }, undefined, 0, {
    pseudo: { src: 'fd00::1', dst: 'fd00::2' },
    payload: text('filament inner IPv6 payload'),
  }),
);
export const INNER_ETH = ethernet('02:aa:00:00:00:02', '02:aa:00:00:00:01', 0x0800, INNER_V4);

export function buildFrames(): L4Frame[] {
  const frames: L4Frame[] = [];
  const addUdp = (
    name: string,
    ip: 4 | 6,
    value: Udp,
    payload: Uint8Array,
    checksumGood: boolean | undefined,
  ) => {
    const b = udpIn(ip, value, payload);
    frames.push({
      name,
      bytes: b.bytes,
      good: checksumGood !== false,
      kind: 'udp',
      udp: b.udp,
      pseudo: ip === 4 ? v4 : v6,
      payload,
      checksumGood,
    });
  };
  addUdp('IPv4/UDP', 4, { srcPort: 40000, dstPort: 9999 }, text('hello, world'), true);
  addUdp('IPv6/UDP', 6, { srcPort: 40053, dstPort: 33333 }, text('odd-length!'), true);
  addUdp('IPv4/UDP no checksum', 4, { srcPort: 1, dstPort: 9998, checksum: 0 }, text('x'), undefined);
  addUdp('IPv4/UDP wrong checksum', 4, { srcPort: 2, dstPort: 9997, checksum: 0x1234 }, text('bad'), false);
  addUdp('IPv6/UDP wrong checksum', 6, { srcPort: 3, dstPort: 9996, checksum: 0xbeef }, text('bad6'), false);

  const allOptions: Tcp = {
    srcPort: 41000,
    dstPort: 8080,
    seq: 0xfedcba98,
    ack: 0,
    flags: flags({ syn: true, ece: true, cwr: true }),
    window: 64240,
    urgentPointer: 0,
    options: [
      { kind: 'mss', mss: 1460 },
      { kind: 'sackPermitted' },
      { kind: 'timestamps', value: 123456789, echo: 0 },
      { kind: 'nop' },
      { kind: 'windowScale', shift: 7 },
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'sack', blocks: [{ left: 1000, right: 2000 }] },
      { kind: 'unknown', type: 99, data: Uint8Array.of(0xab, 0xcd) },
      { kind: 'eol' },
    ],
    padding: new Uint8Array(3),
  };
  const addTcp = (name: string, ip: 4 | 6, value: Tcp, payload: Uint8Array, checksumGood: boolean) => {
    const b = tcpIn(ip, value, payload);
    frames.push({
      name,
      bytes: b.bytes,
      good: checksumGood,
      kind: 'tcp',
      tcp: b.tcp,
      pseudo: ip === 4 ? v4 : v6,
      payload,
      checksumGood,
    });
  };
  addTcp('IPv4/TCP SYN with every option kind', 4, allOptions, new Uint8Array(0), true);
  addTcp(
    'IPv6/TCP ACK+PSH with SACK blocks, timestamps and data',
    6,
    {
      srcPort: 47443,
      dstPort: 50123,
      seq: 1,
      ack: 0xffffffff,
      flags: flags({ ack: true, psh: true }),
      window: 501,
      urgentPointer: 0,
      options: [
        { kind: 'nop' },
        { kind: 'nop' },
        { kind: 'timestamps', value: 1, echo: 2 },
        { kind: 'nop' },
        { kind: 'nop' },
        {
          kind: 'sack',
          blocks: [
            { left: 10, right: 20 },
            { left: 30, right: 40 },
          ],
        },
      ],
    },
    text('opaque payload bytes'),
    true,
  );
  addTcp(
    'IPv4/TCP FIN+URG',
    4,
    {
      srcPort: 5,
      dstPort: 6,
      seq: 7,
      ack: 8,
      flags: flags({ fin: true, ack: true, urg: true }),
      window: 9,
      urgentPointer: 1,
      options: [],
    },
    text('u'),
    true,
  );
  addTcp(
    'IPv4/TCP wrong checksum',
    4,
    {
      srcPort: 7,
      dstPort: 8,
      seq: 9,
      ack: 0,
      flags: flags({ rst: true }),
      window: 0,
      urgentPointer: 0,
      options: [],
      checksum: 0x4321,
    },
    new Uint8Array(0),
    false,
  );

  const addGre = (
    name: string,
    value: Gre,
    payload: Uint8Array,
    checksumGood: boolean | undefined,
    stack?: MplsStack,
  ) => {
    const pkt = gre.encode(value, undefined, 0, { payload });
    const decoded = gre.decode(pkt).value;
    const f: L4Frame = {
      name,
      bytes: ethernet(MAC_B, MAC_A, 0x0800, ipv4(V4_A, V4_B, 47, pkt)),
      good: checksumGood !== false,
      kind: 'gre',
      gre: decoded,
      payload,
      checksumGood,
    };
    if (stack) f.mpls = stack;
    frames.push(f);
  };
  addGre(
    'GRE checksum+key+seq carrying IPv4',
    { checksumPresent: true, key: 0x01020304, sequence: 77, protocolType: GreProtocol.ipv4 },
    INNER_V4,
    true,
  );
  addGre(
    'GRE wrong checksum',
    { checksumPresent: true, checksum: 0xdead, key: 9, protocolType: GreProtocol.ipv4 },
    INNER_V4,
    false,
  );
  const greStack: MplsStack = {
    labels: [
      { label: 1000, tc: 0, ttl: 64 },
      { label: 2000, tc: 5, ttl: 63 },
    ],
  };
  addGre(
    'MPLS over GRE (RFC 4023), key only, 2 labels over IPv4',
    { checksumPresent: false, key: 42, protocolType: GreProtocol.mpls },
    cat(mpls.encode(greStack), INNER_V4),
    undefined,
    greStack,
  );

  const addMpls = (
    name: string,
    stack: MplsStack,
    over: 'udp' | 'ethernet',
    inner: 'ipv4' | 'ipv6' | 'ethernet',
  ) => {
    const payload = inner === 'ipv4' ? INNER_V4 : inner === 'ipv6' ? INNER_V6 : INNER_ETH;
    const body = cat(mpls.encode(stack), payload);
    const bytes =
      over === 'udp'
        ? udpIn(4, { srcPort: 49152 + stack.labels.length, dstPort: 6635 }, body).bytes
        : ethernet(MAC_B, MAC_A, 0x8847, body);
    frames.push({ name, bytes, good: true, kind: 'mpls', mpls: stack, over, payload, inner });
  };
  addMpls('MPLS over UDP 6635, 1 label, IPv4', { labels: [{ label: 16, tc: 0, ttl: 255 }] }, 'udp', 'ipv4');
  addMpls(
    'MPLS over UDP 6635, 2 labels, IPv4',
    {
      labels: [
        { label: 100, tc: 0, ttl: 64 },
        { label: 200, tc: 4, ttl: 64 },
      ],
    },
    'udp',
    'ipv4',
  );
  addMpls(
    'Ethernet/MPLS, 3 labels, IPv4',
    {
      labels: [
        { label: 500, tc: 1, ttl: 10 },
        { label: 501, tc: 2, ttl: 11 },
        { label: 502, tc: 3, ttl: 12 },
      ],
    },
    'ethernet',
    'ipv4',
  );
  addMpls(
    'MPLS over UDP 6635, 3 labels, IPv6',
    {
      labels: [
        { label: 1048575, tc: 7, ttl: 1 },
        { label: 17, tc: 3, ttl: 2 },
        { label: 524288, tc: 1, ttl: 3 },
      ],
    },
    'udp',
    'ipv6',
  );
  addMpls(
    'Ethernet/MPLS, 2 labels, IPv4',
    {
      labels: [
        { label: 300, tc: 0, ttl: 64 },
        { label: 301, tc: 2, ttl: 64 },
      ],
    },
    'ethernet',
    'ipv4',
  );
  addMpls(
    'Ethernet/MPLS, 1 label, Ethernet (EVPN)',
    { labels: [{ label: EVPN_LABEL, tc: 0, ttl: 64 }] },
    'ethernet',
    'ethernet',
  );
  addMpls(
    'Ethernet/MPLS, 3 labels, Ethernet (EVPN)',
    {
      labels: [
        { label: 400, tc: 1, ttl: 64 },
        { label: 401, tc: 1, ttl: 64 },
        { label: EVPN_LABEL, tc: 6, ttl: 9 },
      ],
    },
    'ethernet',
    'ethernet',
  );

  for (const vni of [1, 5000, 0xffffff]) {
    const v: Vxlan = { vni };
    const body = cat(vxlan.encode(v), INNER_ETH);
    const b = udpIn(4, { srcPort: 50000 + (vni & 0xfff), dstPort: 4789 }, body);
    frames.push({
      name: `VXLAN VNI ${vni}`,
      bytes: b.bytes,
      good: true,
      kind: 'vxlan',
      vxlan: vxlan.decode(body).value,
      udp: b.udp,
      inner: INNER_ETH,
    });
  }

  const chaddr = '52:54:00:12:34:56';
  const base = {
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x3903f326,
    secs: 3,
    flags: 0,
    ciaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
  };
  const prl = [1, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 121];
  const server = '10.10.0.1';
  const replyOptions = (type: number): Dhcpv4['options'] => [
    { kind: 'messageType', value: type },
    { kind: 'serverId', value: server },
    { kind: 'leaseTime', value: 86400 },
    { kind: 'renewalTime', value: 43200 },
    { kind: 'rebindingTime', value: 75600 },
    { kind: 'subnetMask', value: '255.255.255.0' },
    { kind: 'broadcastAddress', value: '10.10.0.255' },
    { kind: 'router', value: [server] },
    { kind: 'dnsServers', value: ['10.10.0.2', '10.10.0.3'] },
    { kind: 'domainName', value: 'tenant.example' },
    { kind: 'mtu', value: 1450 },
    {
      kind: 'classlessStaticRoutes',
      value: [
        { destination: '0.0.0.0/0', router: server },
        { destination: '172.16.0.0/12', router: '10.10.0.254' },
        { destination: '10.20.30.0/24', router: '10.10.0.253' },
      ],
    },
    { kind: 'end' },
  ];
  const msgs: [string, Dhcpv4, boolean][] = [
    [
      'DHCPDISCOVER',
      {
        ...base,
        op: 1,
        broadcast: true,
        yiaddr: '0.0.0.0',
        options: [
          { kind: 'messageType', value: DhcpMessageType.discover },
          { kind: 'clientId', value: { type: 1, id: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56) } },
          { kind: 'requestedIp', value: '10.10.0.50' },
          { kind: 'hostname', value: 'vm-one' },
          { kind: 'parameterRequestList', value: prl },
          { kind: 'end' },
        ],
        trailer: new Uint8Array(20),
      },
      true,
    ],
    [
      'DHCPOFFER padded to the BOOTP minimum',
      dhcpPadded({
        ...base,
        op: 2,
        broadcast: false,
        yiaddr: '10.10.0.50',
        siaddr: server,
        sname: 'filament-agent',
        options: replyOptions(DhcpMessageType.offer),
      }),
      false,
    ],
    [
      'DHCPREQUEST',
      {
        ...base,
        op: 1,
        broadcast: false,
        yiaddr: '0.0.0.0',
        options: [
          { kind: 'messageType', value: DhcpMessageType.request },
          { kind: 'clientId', value: { type: 1, id: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56) } },
          { kind: 'requestedIp', value: '10.10.0.50' },
          { kind: 'serverId', value: server },
          { kind: 'hostname', value: 'vm-one' },
          { kind: 'parameterRequestList', value: prl },
          { kind: 'pad' },
          { kind: 'end' },
        ],
      },
      true,
    ],
    [
      'DHCPACK',
      {
        ...base,
        op: 2,
        broadcast: false,
        yiaddr: '10.10.0.50',
        siaddr: server,
        file: 'boot/pxelinux.0',
        options: replyOptions(DhcpMessageType.ack),
      },
      false,
    ],
  ];
  for (const [name, msg, fromClient] of msgs) {
    const body = dhcpv4.encode(msg);
    const seg = udp.encode({ srcPort: fromClient ? 68 : 67, dstPort: fromClient ? 67 : 68 }, undefined, 0, {
      pseudo: v4,
      payload: body,
    });
    frames.push({
      name,
      bytes: ethernet(MAC_B, MAC_A, 0x0800, ipv4(V4_A, V4_B, 17, seg)),
      good: true,
      kind: 'dhcp',
      dhcp: dhcpv4.decode(body).value,
    });
  }
  return frames;
}
