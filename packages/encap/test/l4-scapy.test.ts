// Packets built by scapy (Debian python3-scapy), decoded by the library: every field scapy reports must be
// what our decoders read, checksums scapy computed must verify, and the ones it was told to get wrong must not.
import { fileURLToPath } from 'node:url';
import { debianPython, describeWithTool, run } from '@filament/testkit';
import { beforeAll, expect, it } from 'vitest';
import {
  type DhcpOption,
  dhcpv4,
  gre,
  mpls,
  mplsPayloadGuess,
  type TcpOption,
  tcp,
  tcpFlagsToByte,
  udp,
  vxlan,
} from '../src/index.js';
import { hex } from './support/l4-fuzz.js';

interface ScapyPacket {
  name: string;
  kind: 'udp' | 'tcp' | 'gre' | 'mpls' | 'vxlan' | 'dhcp';
  hex: string;
  offset: number;
  src: string;
  dst: string;
  fields: Record<string, unknown>;
}

type Bytes = { hex: string };
const SCRIPT = fileURLToPath(new URL('./support/l4-scapy.py', import.meta.url));
const python = debianPython();
const latin1 = (h: string) => String.fromCharCode(...hex(h)).replace(/\0+$/, '');

function scapyTcpOption(o: TcpOption): unknown[] {
  switch (o.kind) {
    case 'eol':
      return ['EOL', null];
    case 'nop':
      return ['NOP', null];
    case 'mss':
      return ['MSS', o.mss];
    case 'windowScale':
      return ['WScale', o.shift];
    case 'sackPermitted':
      return ['SAckOK', { hex: '' }];
    case 'sack':
      return ['SAck', o.blocks.flatMap((b) => [b.left, b.right])];
    case 'timestamps':
      return ['Timestamp', [o.value, o.echo]];
    case 'unknown':
      return [o.type, { hex: Buffer.from(o.data).toString('hex') }];
  }
}

function fromScapyDhcp(o: unknown[]): DhcpOption {
  const [name, ...rest] = o as [string, ...unknown[]];
  const first = rest[0];
  const text = (v: unknown) => latin1((v as Bytes).hex);
  switch (name) {
    case 'pad':
      return { kind: 'pad' };
    case 'end':
      return { kind: 'end' };
    case 'message-type':
      return { kind: 'messageType', value: first as number };
    case 'client_id': {
      const b = hex((first as Bytes).hex);
      return { kind: 'clientId', value: { type: b[0]!, id: b.slice(1) } };
    }
    case 'hostname':
      return { kind: 'hostname', value: text(first) };
    case 'domain':
      return { kind: 'domainName', value: text(first) };
    case 'param_req_list':
      return { kind: 'parameterRequestList', value: first as number[] };
    case 'requested_addr':
      return { kind: 'requestedIp', value: first as string };
    case 'server_id':
      return { kind: 'serverId', value: first as string };
    case 'subnet_mask':
      return { kind: 'subnetMask', value: first as string };
    case 'broadcast_address':
      return { kind: 'broadcastAddress', value: first as string };
    case 'router':
      return { kind: 'router', value: rest as string[] };
    case 'name_server':
      return { kind: 'dnsServers', value: rest as string[] };
    case 'lease_time':
      return { kind: 'leaseTime', value: first as number };
    case 'renewal_time':
      return { kind: 'renewalTime', value: first as number };
    case 'rebinding_time':
      return { kind: 'rebindingTime', value: first as number };
    case 'interface-mtu':
      return { kind: 'mtu', value: first as number };
    case 'classless_static_routes':
      return {
        kind: 'classlessStaticRoutes',
        value: (first as string[]).map((r) => {
          const [destination, router] = r.split(':') as [string, string];
          return { destination, router };
        }),
      };
  }
  throw new Error(`scapy option ${name} has no mapping in this test`);
}

describeWithTool(python ?? 'python3-scapy', 'scapy-built packets decoded by the library', () => {
  let packets: ScapyPacket[] = [];
  beforeAll(() => {
    packets = JSON.parse(run(python!, [SCRIPT]).stdout) as ScapyPacket[];
  });

  it('scapy built every kind', () => {
    expect(new Set(packets.map((p) => p.kind))).toEqual(
      new Set(['udp', 'tcp', 'gre', 'mpls', 'vxlan', 'dhcp']),
    );
    expect(packets.length).toBeGreaterThanOrEqual(19);
  });

  it('UDP: ports, length, checksum, and checksum verdicts', () => {
    for (const p of packets.filter((x) => x.kind === 'udp')) {
      const f = p.fields as { sport: number; dport: number; len: number; chksum: number };
      const d = udp.decode(hex(p.hex), p.offset, { pseudo: { src: p.src, dst: p.dst } }).value;
      expect(d, p.name).toEqual({
        srcPort: f.sport,
        dstPort: f.dport,
        length: f.len,
        checksum: f.chksum,
        checksumValid: /no checksum/.test(p.name) ? undefined : !/wrong/.test(p.name),
      });
    }
  });

  it('TCP: every header field and option, checksum verdicts', () => {
    for (const p of packets.filter((x) => x.kind === 'tcp')) {
      const f = p.fields as Record<string, number> & { options: unknown[][] };
      const buf = hex(p.hex);
      const { value: d, length } = tcp.decode(buf, p.offset, { pseudo: { src: p.src, dst: p.dst } });
      expect(d.srcPort, p.name).toBe(f.sport);
      expect(d.dstPort).toBe(f.dport);
      expect(d.seq).toBe(f.seq);
      expect(d.ack).toBe(f.ack);
      expect(d.dataOffset).toBe(f.dataofs);
      expect(length).toBe(f.dataofs! * 4);
      // scapy splits the 4 reserved bits into 3 reserved bits and the historic NS flag
      expect(d.reserved).toBe((f.reserved! << 1) | (f.flags! >> 8));
      expect(tcpFlagsToByte(d.flags)).toBe(f.flags! & 0xff);
      expect(d.window).toBe(f.window);
      expect(d.checksum).toBe(f.chksum);
      expect(d.urgentPointer).toBe(f.urgptr);
      expect(d.checksumValid).toBe(!/wrong/.test(p.name));
      expect(d.options.map(scapyTcpOption)).toEqual(f.options);
      // scapy pads after EOL with zeros; we keep them as padding
      if (d.padding) expect([...d.padding].every((b) => b === 0)).toBe(true);
      expect(toHexOf(tcp.encode(d, undefined, 0, { payload: buf.subarray(p.offset + length) }))).toBe(
        p.hex.slice(2 * p.offset),
      );
    }
  });

  it('GRE: flags, protocol, checksum, key, sequence, reserved bits', () => {
    for (const p of packets.filter((x) => x.kind === 'gre')) {
      const f = p.fields as Record<string, number | null>;
      const buf = hex(p.hex);
      const { value: d, length } = gre.decode(buf, p.offset);
      expect(d.checksumPresent, p.name).toBe(f.chksum_present === 1);
      expect(d.key !== undefined).toBe(f.key_present === 1);
      expect(d.sequence !== undefined).toBe(f.seqnum_present === 1);
      expect(f.routing_present).toBe(0);
      expect(f.strict_route_source).toBe(0);
      expect(d.version).toBe(f.version);
      expect(d.protocolType).toBe(f.proto);
      expect(d.reserved0).toBe(((f.recursion_control! & 3) << 5) | f.flags!);
      if (d.checksumPresent) {
        expect(d.checksum).toBe(f.chksum);
        expect(d.reserved1).toBe(f.offset);
        expect(d.checksumValid).toBe(!/wrong/.test(p.name));
      } else expect(d.checksumValid).toBeUndefined();
      if (d.key !== undefined) expect(d.key).toBe(f.key);
      if (d.sequence !== undefined) expect(d.sequence).toBe(f.sequence_number);
      expect(toHexOf(gre.encode(d, undefined, 0, { payload: buf.subarray(p.offset + length) }))).toBe(
        p.hex.slice(2 * p.offset),
      );
    }
  });

  it('MPLS: every entry, and the payload kind after the bottom of stack', () => {
    const guess = mplsPayloadGuess(new Map([[299776, 'ethernet' as const]]));
    const kinds: Record<string, string> = { IP: 'ipv4', IPv6: 'ipv6', Ether: 'ethernet' };
    for (const p of packets.filter((x) => x.kind === 'mpls')) {
      const f = p.fields as {
        entries: { label: number; cos: number; s: number; ttl: number }[];
        payload: string;
      };
      const buf = hex(p.hex);
      const { value: d, length } = mpls.decode(buf, p.offset);
      expect(d.labels, p.name).toEqual(
        f.entries.map((e) => ({ label: e.label, tc: e.cos, bottom: e.s === 1, ttl: e.ttl })),
      );
      expect(length).toBe(4 * f.entries.length);
      expect(guess(d, buf, p.offset + length)).toBe(kinds[f.payload]);
    }
  });

  it('VXLAN: flags, VNI and reserved fields', () => {
    for (const p of packets.filter((x) => x.kind === 'vxlan')) {
      const f = p.fields as Record<string, number>;
      const d = vxlan.decode(hex(p.hex), p.offset).value;
      expect(d, p.name).toEqual({
        flags: f.flags,
        vni: f.vni,
        reserved0: f.reserved0,
        reserved1: f.reserved2,
      });
      expect(udp.decode(hex(p.hex), 20, { pseudo: { src: p.src, dst: p.dst } }).value).toMatchObject({
        dstPort: 4789,
        checksumValid: true,
      });
    }
  });

  it('DHCP: the fixed part and every option of discover/offer/request/ack', () => {
    const dhcps = packets.filter((x) => x.kind === 'dhcp');
    expect(dhcps).toHaveLength(4);
    for (const p of dhcps) {
      const f = p.fields as Record<string, number | string> & { options: unknown[][] };
      const buf = hex(p.hex);
      const { value: d } = dhcpv4.decode(buf, p.offset);
      const chaddr = hex(f.chaddr as string);
      expect(d, p.name).toMatchObject({
        op: f.op,
        htype: f.htype,
        hlen: f.hlen,
        hops: f.hops,
        xid: f.xid,
        secs: f.secs,
        broadcast: ((f.flags as number) & 0x8000) !== 0,
        flags: (f.flags as number) & 0x7fff,
        ciaddr: f.ciaddr,
        yiaddr: f.yiaddr,
        siaddr: f.siaddr,
        giaddr: f.giaddr,
        chaddr: [...chaddr.subarray(0, f.hlen as number)]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join(':'),
        sname: latin1(f.sname as string),
        file: latin1(f.file as string),
      });
      expect(d.options).toEqual(f.options.map(fromScapyDhcp));
      expect(toHexOf(dhcpv4.encode(d))).toBe(p.hex.slice(2 * p.offset));
    }
  });
});

function toHexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
