// `filament demo`: the main job until the lab exists. It builds the traffic of a small two-host fabric with
// @filament/encap and @filament/bgp — workload packets in VXLAN, MPLS over UDP and MPLS over GRE tunnels,
// and the controller's BGP session announcing a workload as an EVPN route to a gateway — writes it to a
// pcap file, then decodes that file as `filament pcap` does and prints what each frame carries.
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  Afi,
  encodeMessage,
  evpnLabelFromVni,
  makeOpen,
  parseExtendedCommunity,
  parseRd,
  Safi,
} from '@filament/bgp';
import {
  ArpOperation,
  arp,
  arpEthernetIPv4,
  type DissectedLayer,
  encapsulate,
  ethernet,
  icmpv4,
  ipv4Packet,
  PcapWriter,
  tcp,
} from '@filament/encap';
import { type Command, jsonLine, parseArgs } from '../command.js';
import { type DecodedFrame, decodeCapture, prettyFrame } from './pcap.js';

const help = `Usage: filament demo [options]

Builds the traffic of a small fabric — two compute hosts (underlay 192.0.2.1 and 192.0.2.2), workloads in
virtual networks 10.1.0.0/24 (VNI 5001) and 10.2.0.0/24, a controller peering with a gateway — writes it as a
pcap file and decodes every frame back: ARP and ping in VXLAN, TCP in MPLS over UDP (two flows, two entropy
source ports) and in MPLS over GRE, and a BGP session whose EVPN UPDATE spans two TCP segments.

Options:
  --out FILE   where to write the capture (default: a new temporary directory)
  --pretty     print every decoded layer as a tree instead of one summary line per frame
  --json       print the decoded frames as JSON lines
  --help       this text
`;

const HOST1 = { mac: '52:54:00:00:00:01', ip: '192.0.2.1' };
const HOST2 = { mac: '52:54:00:00:00:02', ip: '192.0.2.2' };
const VM1 = { mac: '02:00:0a:01:00:0b', ip: '10.1.0.11' };
const VM2 = { mac: '02:00:0a:01:00:0c', ip: '10.1.0.12' };
const VM3 = { mac: '02:00:0a:02:00:0c', ip: '10.2.0.12' };
const GATEWAY_MAC = '00:00:5e:00:01:01';

function ethernetFrame(src: string, dst: string, etherType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + payload.length);
  ethernet.encode({ src, dst, etherType }, out, 0);
  out.set(payload, 14);
  return out;
}

function ip(src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array {
  return ipv4Packet(
    {
      dscp: 0,
      ecn: 0,
      identification: 1,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol,
      src,
      dst,
      options: new Uint8Array(0),
    },
    payload,
  );
}

function tcpSegment(
  src: string,
  dst: string,
  ports: [number, number],
  seq: number,
  flags: { syn?: boolean; ack?: boolean; psh?: boolean },
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const header = {
    srcPort: ports[0],
    dstPort: ports[1],
    seq,
    ack: flags.ack ? 1 : 0,
    flags: {
      cwr: false,
      ece: false,
      urg: false,
      ack: flags.ack ?? false,
      psh: flags.psh ?? false,
      rst: false,
      syn: flags.syn ?? false,
      fin: false,
    },
    window: 65535,
    urgentPointer: 0,
    options: [],
  };
  const seg = tcp.encode(header, undefined, 0, { pseudo: { src, dst }, payload });
  return ip(src, dst, 6, seg);
}

function ping(src: string, dst: string, sequence: number): Uint8Array {
  const msg = {
    kind: 'echo' as const,
    type: 8,
    code: 0,
    identifier: 0x1234,
    sequence,
    data: new TextEncoder().encode('filament'),
  };
  return ip(src, dst, 1, icmpv4.encode(msg));
}

const outer = (from: typeof HOST1, to: typeof HOST1) => ({
  src: from.ip,
  dst: to.ip,
  ethernet: { src: from.mac, dst: to.mac },
});

/** The demo's frames, in capture order. */
export function buildFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  // VM1 asks for VM2's MAC; the ARP request travels in VXLAN to host 2 (ingress replication of BUM).
  const arpRequest = arp.encode(
    arpEthernetIPv4(ArpOperation.Request, VM1.mac, VM1.ip, '00:00:00:00:00:00', VM2.ip),
  );
  frames.push(
    encapsulate(
      { type: 'vxlan', vni: 5001, ...outer(HOST1, HOST2) },
      ethernetFrame(VM1.mac, 'ff:ff:ff:ff:ff:ff', 0x0806, arpRequest),
    ),
  );
  // VM1 pings VM2 in the same network: Ethernet in VXLAN.
  frames.push(
    encapsulate(
      { type: 'vxlan', vni: 5001, ...outer(HOST1, HOST2) },
      ethernetFrame(VM1.mac, VM2.mac, 0x0800, ping(VM1.ip, VM2.ip, 1)),
    ),
  );
  // VM1 opens two TCP connections to VM3 in the other network: routed, IP in MPLS over UDP with VM3's label.
  // Each flow hashes to its own UDP source port (RFC 7510 entropy), so the underlay spreads them.
  frames.push(
    encapsulate(
      { type: 'mpls-udp', labels: [25], ...outer(HOST1, HOST2) },
      tcpSegment(VM1.ip, VM3.ip, [40001, 8080], 1000, { syn: true }),
    ),
  );
  frames.push(
    encapsulate(
      { type: 'mpls-udp', labels: [25], ...outer(HOST1, HOST2) },
      tcpSegment(VM1.ip, VM3.ip, [40002, 8080], 5000, { syn: true }),
    ),
  );
  // The same destination reached through MPLS over GRE, as towards a gateway that only speaks GRE.
  frames.push(
    encapsulate({ type: 'mpls-gre', labels: [26], ...outer(HOST1, HOST2) }, ping(VM1.ip, VM3.ip, 2)),
  );
  // The controller tells a gateway about VM1: OPEN, KEEPALIVE, and an EVPN MAC/IP route whose UPDATE is
  // cut across two TCP segments (the decoder reassembles it).
  const controller = { mac: '52:54:00:00:00:0a', ip: '192.0.2.10' };
  const gateway = { mac: GATEWAY_MAC, ip: '192.0.2.254' };
  const open = encodeMessage(
    makeOpen({
      asn: 64512,
      bgpId: controller.ip,
      capabilities: [
        { type: 'multiprotocol', afi: Afi.L2VPN, safi: Safi.Evpn },
        { type: 'multiprotocol', afi: Afi.IPv4, safi: Safi.MplsVpn },
      ],
    }),
  );
  const update = encodeMessage({
    type: 'update',
    withdrawn: [],
    nlri: [],
    attributes: [
      { type: 'ORIGIN', origin: 'igp' },
      { type: 'AS_PATH', segments: [] },
      {
        type: 'MP_REACH_NLRI',
        afi: Afi.L2VPN,
        safi: Safi.Evpn,
        nextHop: { kind: 'ip', address: HOST1.ip },
        nlri: [
          {
            type: 'evpn-mac-ip',
            routeType: 2,
            rd: parseRd(`${HOST1.ip}:5001`),
            esi: '00:00:00:00:00:00:00:00:00:00',
            ethernetTag: 0,
            mac: VM1.mac,
            ip: VM1.ip,
            label1: evpnLabelFromVni(5001),
          },
        ],
      },
      {
        type: 'EXTENDED_COMMUNITIES',
        communities: ['target:64512:5001', 'encap:vxlan', `router-mac:${HOST1.mac}`].map(
          parseExtendedCommunity,
        ),
      },
    ],
  });
  const keepalive = encodeMessage({ type: 'keepalive' });
  const ports: [number, number] = [50000, 179];
  const bgpFrame = (
    seq: number,
    payload: Uint8Array,
    flags: { syn?: boolean; ack?: boolean; psh?: boolean },
  ) =>
    ethernetFrame(
      controller.mac,
      gateway.mac,
      0x0800,
      tcpSegment(controller.ip, gateway.ip, ports, seq, flags, payload),
    );
  let seq = 7000;
  frames.push(bgpFrame(seq, new Uint8Array(0), { syn: true }));
  seq += 1;
  const stream = [open, keepalive];
  for (const m of stream) {
    frames.push(bgpFrame(seq, m, { ack: true, psh: true }));
    seq += m.length;
  }
  const cut = Math.floor(update.length / 2);
  frames.push(bgpFrame(seq, update.subarray(0, cut), { ack: true }));
  seq += cut;
  frames.push(bgpFrame(seq, update.subarray(cut), { ack: true, psh: true }));
  return frames;
}

/** One line per frame: the layer path with the fields that matter, and any application messages. */
function summary(f: DecodedFrame): string {
  const parts = f.layers.map(layerText).filter((p): p is string => p !== undefined);
  const msgs = (f.messages ?? []).map(
    (m) => `    ${m.protocol} ${m.from} -> ${m.to}: ${messageText(m.message)}`,
  );
  return [`${String(f.frame).padStart(2)}  ${parts.join(' > ')}`, ...msgs].join('\n');
}

function layerText(l: DissectedLayer): string | undefined {
  const v = (l.value ?? {}) as Record<string, unknown>;
  switch (l.name) {
    case 'ethernet':
      return undefined;
    case 'ipv4':
    case 'ipv6':
      return `${l.name} ${v.src}->${v.dst}`;
    case 'udp':
      return `udp ${v.srcPort}->${v.dstPort}`;
    case 'tcp': {
      const flags = Object.entries(v.flags as Record<string, boolean>)
        .filter(([, on]) => on)
        .map(([k]) => k.toUpperCase());
      return `tcp ${v.srcPort}->${v.dstPort} [${flags.join(',')}]`;
    }
    case 'vxlan':
      return `vxlan vni ${v.vni}`;
    case 'mpls':
      return `mpls ${(v.labels as { label: number }[]).map((e) => e.label).join('/')}`;
    case 'gre':
      return 'gre';
    case 'arp':
      return `arp ${v.operation === 1 ? 'who-has' : 'is-at'} ${v.targetProtocol ?? ''}`.trim();
    case 'icmpv4':
      return `icmp echo seq ${v.sequence}`;
    case 'payload':
      return `payload ${l.length} bytes`;
    case 'error':
      return `ERROR ${l.error?.message}`;
    default:
      return l.name;
  }
}

function messageText(m: unknown): string {
  const msg = m as { type: string; attributes?: { type: string; nlri?: unknown[] }[] };
  if (msg.type !== 'update') return msg.type.toUpperCase();
  const reach = msg.attributes?.find((a) => a.type === 'MP_REACH_NLRI');
  const routes = (reach?.nlri ?? []) as { mac?: string; ip?: string; label1?: { vni: number } }[];
  return `UPDATE ${routes.map((r) => `evpn mac-ip ${r.mac} ${r.ip} vni ${r.label1?.vni}`).join(', ')}`;
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'build a capture of tunnelled fabric traffic and BGP, then decode it',
  help,
  async run(args, io) {
    const { flags, values } = parseArgs(args, ['pretty', 'json'], ['out']);
    const file = values.get('out') ?? join(mkdtempSync(join(tmpdir(), 'filament-demo-')), 'fabric.pcap');
    io.stderr.write('filament demo: building fabric traffic with @filament/encap and @filament/bgp\n');
    const writer = new PcapWriter();
    const chunks: Uint8Array[] = [writer.header()];
    const base = Date.UTC(2026, 0, 1) / 1000;
    for (const [i, frame] of buildFrames().entries()) {
      chunks.push(writer.packet(frame, { seconds: base + i, nanoseconds: 0 }));
    }
    await writeFile(file, Readable.from(chunks));
    io.stderr.write(`filament demo: wrote ${chunks.length - 1} frames to ${file}; decoding it back\n\n`);
    let errors = 0;
    let frames = 0;
    for await (const f of decodeCapture(Readable.from(chunks))) {
      frames++;
      errors += f.layers.filter((l) => l.name === 'error').length;
      if (flags.has('json')) io.stdout.write(jsonLine(f));
      else if (flags.has('pretty')) io.stdout.write(`${prettyFrame(f)}\n\n`);
      else io.stdout.write(`${summary(f)}\n`);
    }
    io.stderr.write(
      `\nfilament demo: ${frames} frames decoded, ${errors} errors.\n` +
        `  Look closer:  filament pcap ${file} --pretty\n` +
        `  Compare with: tshark -r ${file} -V\n`,
    );
    return errors === 0 ? 0 : 1;
  },
};
