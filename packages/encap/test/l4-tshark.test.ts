// Frames built by the library, dissected by tshark: every field tshark reports must equal the value we
// encoded; good packets carry no malformed/warning/error expert info; wrong checksums are flagged bad.
import { join } from 'node:path';
import { describeWithTool, scratchDir, tsharkJson } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DhcpOption, TcpOption } from '../src/index.js';
import { buildFrames, EVPN_LABEL, type L4Frame } from './support/l4-frames.js';
import { all, colonHex, type Fields, flatten, hex16, hex32, one } from './support/l4-json.js';
import { writePcap } from './support/l4-pcap.js';

const WARN = 6291456; // _ws.expert.severity of PI_WARN; errors are 8388608

const status = (good: boolean | undefined) => (good === undefined ? '3' : good ? '1' : '0');
const bit = (b: boolean | undefined) => (b ? '1' : '0');

function checkUdp(f: Fields, frame: Extract<L4Frame, { kind: 'udp' }>): void {
  const u = frame.udp;
  expect(one(f, 'udp.srcport')).toBe(String(u.srcPort));
  expect(one(f, 'udp.dstport')).toBe(String(u.dstPort));
  expect(one(f, 'udp.length')).toBe(String(u.length));
  expect(one(f, 'udp.checksum')).toBe(hex16(u.checksum!));
  expect(one(f, 'udp.checksum.status')).toBe(status(frame.checksumGood));
  expect(u.checksumValid).toBe(frame.checksumGood);
  expect(one(f, 'udp.payload') ?? one(f, 'data.data')).toBe(colonHex(frame.payload));
}

function checkTcpOptions(f: Fields, options: TcpOption[], padding: Uint8Array | undefined): void {
  const count = (k: TcpOption['kind']) => options.filter((o) => o.kind === k).length;
  expect(all(f, 'tcp.options.nop')).toHaveLength(count('nop'));
  // tshark shows each zero byte after an EOL as one more EOL
  expect(all(f, 'tcp.options.eol')).toHaveLength(count('eol') + (padding?.length ?? 0));
  expect(all(f, 'tcp.options.sack_perm')).toHaveLength(count('sackPermitted'));
  const sackLe: string[] = [];
  const sackRe: string[] = [];
  for (const o of options) {
    if (o.kind === 'mss') expect(all(f, 'tcp.options.mss_val')).toContain(String(o.mss));
    if (o.kind === 'windowScale') expect(one(f, 'tcp.options.wscale.shift')).toBe(String(o.shift));
    if (o.kind === 'timestamps') {
      expect(one(f, 'tcp.options.timestamp.tsval')).toBe(String(o.value));
      expect(one(f, 'tcp.options.timestamp.tsecr')).toBe(String(o.echo));
    }
    if (o.kind === 'sack') {
      for (const b of o.blocks) {
        sackLe.push(String(b.left));
        sackRe.push(String(b.right));
      }
      expect(one(f, 'tcp.options.sack.count')).toBe(String(o.blocks.length));
    }
    if (o.kind === 'unknown') {
      expect(all(f, 'tcp.option_kind')).toContain(String(o.type));
      expect(one(f, 'tcp.options.unknown.payload')).toBe(colonHex(o.data));
    }
  }
  expect(all(f, 'tcp.options.sack_le')).toEqual(sackLe);
  expect(all(f, 'tcp.options.sack_re')).toEqual(sackRe);
}

function checkTcp(f: Fields, frame: Extract<L4Frame, { kind: 'tcp' }>): void {
  const t = frame.tcp;
  expect(one(f, 'tcp.srcport')).toBe(String(t.srcPort));
  expect(one(f, 'tcp.dstport')).toBe(String(t.dstPort));
  expect(one(f, 'tcp.seq_raw')).toBe(String(t.seq));
  expect(one(f, 'tcp.ack_raw')).toBe(String(t.ack));
  expect(one(f, 'tcp.hdr_len')).toBe(String(t.dataOffset! * 4));
  expect(one(f, 'tcp.flags.res')).toBe(String(t.reserved! >> 1));
  for (const [name, key] of [
    ['cwr', 'cwr'],
    ['ece', 'ece'],
    ['urg', 'urg'],
    ['ack', 'ack'],
    ['push', 'psh'],
    ['reset', 'rst'],
    ['syn', 'syn'],
    ['fin', 'fin'],
  ] as const) {
    expect(one(f, `tcp.flags.${name}`), name).toBe(bit(t.flags[key]));
  }
  expect(one(f, 'tcp.window_size_value')).toBe(String(t.window));
  expect(one(f, 'tcp.checksum')).toBe(hex16(t.checksum!));
  expect(one(f, 'tcp.checksum.status')).toBe(status(frame.checksumGood));
  expect(t.checksumValid).toBe(frame.checksumGood);
  expect(one(f, 'tcp.urgent_pointer')).toBe(String(t.urgentPointer));
  expect(one(f, 'tcp.len')).toBe(String(frame.payload.length));
  checkTcpOptions(f, t.options, t.padding);
}

function checkMplsEntries(f: Fields, labels: { label: number; tc: number; ttl: number }[]): void {
  expect(all(f, 'mpls.label')).toEqual(labels.map((l) => String(l.label)));
  expect(all(f, 'mpls.exp')).toEqual(labels.map((l) => String(l.tc)));
  expect(all(f, 'mpls.ttl')).toEqual(labels.map((l) => String(l.ttl)));
  expect(all(f, 'mpls.bottom')).toEqual(labels.map((_, i) => (i === labels.length - 1 ? '1' : '0')));
}

function checkGre(f: Fields, frame: Extract<L4Frame, { kind: 'gre' }>): void {
  const g = frame.gre;
  expect(one(f, 'gre.flags.checksum')).toBe(bit(g.checksumPresent));
  expect(one(f, 'gre.flags.routing')).toBe('0');
  expect(one(f, 'gre.flags.key')).toBe(bit(g.key !== undefined));
  expect(one(f, 'gre.flags.sequence_number')).toBe(bit(g.sequence !== undefined));
  expect(one(f, 'gre.flags.version')).toBe(String(g.version));
  expect(one(f, 'gre.proto')).toBe(hex16(g.protocolType));
  expect(one(f, 'gre.checksum')).toBe(g.checksumPresent ? hex16(g.checksum!) : undefined);
  expect(one(f, 'gre.checksum.status')).toBe(g.checksumPresent ? status(frame.checksumGood) : undefined);
  expect(g.checksumValid).toBe(frame.checksumGood);
  expect(one(f, 'gre.key')).toBe(g.key === undefined ? undefined : hex32(g.key));
  expect(one(f, 'gre.sequence_number')).toBe(g.sequence === undefined ? undefined : String(g.sequence));
  if (frame.mpls) checkMplsEntries(f, frame.mpls.labels);
  // the inner IPv4/UDP packet was found after the GRE header
  expect(all(f, 'ip.src')).toContain('10.1.1.1');
}

function checkMpls(f: Fields, frame: Extract<L4Frame, { kind: 'mpls' }>): void {
  checkMplsEntries(f, frame.mpls.labels);
  if (frame.over === 'udp') expect(all(f, 'udp.dstport')).toContain('6635');
  if (frame.inner === 'ethernet') {
    expect(f.has('pweth')).toBe(true);
    expect(all(f, 'eth.src')).toContain('02:aa:00:00:00:01');
  }
  if (frame.inner === 'ipv4' || frame.inner === 'ethernet') expect(all(f, 'ip.dst')).toContain('10.1.1.2');
  if (frame.inner === 'ipv6') expect(all(f, 'ipv6.dst')).toContain('fd00::2');
}

function checkVxlan(f: Fields, frame: Extract<L4Frame, { kind: 'vxlan' }>): void {
  expect(one(f, 'udp.dstport')).toBe('4789');
  expect(one(f, 'udp.srcport')).toBe(String(frame.udp.srcPort));
  expect(one(f, 'udp.checksum.status')).toBe('1');
  expect(one(f, 'vxlan.flag_i')).toBe(bit((frame.vxlan.flags! & 0x08) !== 0));
  expect(one(f, 'vxlan.flags')).toBe(hex16(frame.vxlan.flags! << 8));
  expect(one(f, 'vxlan.vni')).toBe(String(frame.vxlan.vni));
  expect(one(f, 'vxlan.reserved8')).toBe(String(frame.vxlan.reserved1));
  expect(all(f, 'eth.dst')).toContain('02:aa:00:00:00:02');
  expect(all(f, 'udp.dstport')).toContain('40011');
}

/** What tshark shows for one option, in the order of `dhcp.option.type_tree`. */
function dhcpOptionFields(o: DhcpOption): Record<string, string | string[]> {
  switch (o.kind) {
    case 'pad':
      return { 'dhcp.option.padding': '00' };
    case 'end':
      return { 'dhcp.option.end': '255' };
    case 'messageType':
      return { 'dhcp.option.dhcp': String(o.value) };
    case 'serverId':
      return { 'dhcp.option.dhcp_server_id': o.value };
    case 'leaseTime':
      return { 'dhcp.option.ip_address_lease_time': String(o.value) };
    case 'renewalTime':
      return { 'dhcp.option.renewal_time_value': String(o.value) };
    case 'rebindingTime':
      return { 'dhcp.option.rebinding_time_value': String(o.value) };
    case 'subnetMask':
      return { 'dhcp.option.subnet_mask': o.value };
    case 'broadcastAddress':
      return { 'dhcp.option.broadcast_address': o.value };
    case 'requestedIp':
      return { 'dhcp.option.requested_ip_address': o.value };
    case 'router':
      return { 'dhcp.option.router': o.value };
    case 'dnsServers':
      return { 'dhcp.option.domain_name_server': o.value };
    case 'domainName':
      return { 'dhcp.option.domain_name': o.value };
    case 'hostname':
      return { 'dhcp.option.hostname': o.value };
    case 'mtu':
      return { 'dhcp.option.interface_mtu': String(o.value) };
    case 'parameterRequestList':
      return { 'dhcp.option.request_list_item': o.value.map(String) };
    case 'clientId':
      return {
        'dhcp.hw.type': `0x${o.value.type.toString(16).padStart(2, '0')}`,
        'dhcp.hw.mac_addr': colonHex(o.value.id),
      };
    case 'classlessStaticRoutes':
      return {
        'dhcp.option.classless_static_route': o.value.map((r) => {
          const [dest, width] = r.destination.split('/') as [string, string];
          const octets = (Number(width) + 7) >> 3;
          return colonHex([
            Number(width),
            ...dest.split('.').map(Number).slice(0, octets),
            ...r.router.split('.').map(Number),
          ]);
        }),
      };
    case 'overload':
      return { 'dhcp.option.option_overload': String(o.value) };
    case 'unknown':
      return { 'dhcp.option.value': colonHex(o.data) };
  }
}

function checkDhcp(
  f: Fields,
  layers: Record<string, unknown>,
  frame: Extract<L4Frame, { kind: 'dhcp' }>,
): void {
  const d = frame.dhcp;
  expect(one(f, 'dhcp.type')).toBe(String(d.op));
  expect(one(f, 'dhcp.hw.type')).toBe(`0x${d.htype.toString(16).padStart(2, '0')}`);
  expect(one(f, 'dhcp.hw.len')).toBe(String(d.hlen));
  expect(one(f, 'dhcp.hops')).toBe(String(d.hops));
  expect(one(f, 'dhcp.id')).toBe(hex32(d.xid));
  expect(one(f, 'dhcp.secs')).toBe(String(d.secs));
  expect(one(f, 'dhcp.flags.bc')).toBe(bit(d.broadcast));
  expect(one(f, 'dhcp.flags.reserved')).toBe(hex16(d.flags ?? 0));
  expect(one(f, 'dhcp.ip.client')).toBe(d.ciaddr);
  expect(one(f, 'dhcp.ip.your')).toBe(d.yiaddr);
  expect(one(f, 'dhcp.ip.server')).toBe(d.siaddr);
  expect(one(f, 'dhcp.ip.relay')).toBe(d.giaddr);
  expect(one(f, 'dhcp.hw.mac_addr')).toBe(d.chaddr);
  expect(one(f, 'dhcp.server')).toBe(d.sname);
  expect(one(f, 'dhcp.file')).toBe(d.file);
  expect(one(f, 'dhcp.cookie')).toBe('99.130.83.99');
  const dhcp = layers.dhcp as Record<string, unknown>;
  const tree = dhcp['dhcp.option.type_tree'] as Record<string, unknown>[];
  expect(tree).toHaveLength(d.options.length);
  d.options.forEach((o, i) => {
    const got = flatten(tree[i]);
    for (const [k, v] of Object.entries(dhcpOptionFields(o)))
      expect(all(got, k), `${o.kind} ${k}`).toEqual([v].flat());
  });
  const trailer = dhcp['dhcp.option.padding'];
  expect(trailer).toBe(d.trailer ? colonHex(d.trailer) : undefined);
}

describeWithTool('tshark', 'tshark dissects library-built UDP/TCP/GRE/MPLS/VXLAN/DHCP frames', () => {
  const frames = buildFrames();
  let packets: Record<string, unknown>[] = [];
  const dir = scratchDir('filament-l4-tshark-');

  beforeAll(() => {
    const file = join(dir.path, 'l4.pcap');
    writePcap(
      file,
      frames.map((f) => f.bytes),
    );
    packets = tsharkJson(file, [
      '-o',
      'udp.check_checksum:TRUE',
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'tcp.relative_sequence_numbers:FALSE',
      '-o',
      'tcp.analyze_sequence_numbers:FALSE',
      '-d',
      `mpls.label==${EVPN_LABEL},pwethnocw`,
    ]);
  });
  afterAll(() => dir.cleanup());

  it('dissected every frame', () => expect(packets).toHaveLength(frames.length));

  frames.forEach((frame, i) => {
    it(`${frame.name}`, () => {
      const layers = packets[i]!;
      const f = flatten(layers);
      const severities = all(f, '_ws.expert.severity').map(Number);
      if (frame.good) {
        expect(f.has('_ws.malformed'), all(f, '_ws.expert.message').join('; ')).toBe(false);
        expect(
          severities.filter((s) => s >= WARN),
          all(f, '_ws.expert.message').join('; '),
        ).toEqual([]);
      } else {
        expect(all(f, '_ws.expert.message').some((m) => /checksum/i.test(m))).toBe(true);
      }
      switch (frame.kind) {
        case 'udp':
          return checkUdp(f, frame);
        case 'tcp':
          return checkTcp(f, frame);
        case 'gre':
          return checkGre(f, frame);
        case 'mpls':
          return checkMpls(f, frame);
        case 'vxlan':
          return checkVxlan(f, frame);
        case 'dhcp':
          return checkDhcp(f, layers, frame);
      }
    });
  });
});
