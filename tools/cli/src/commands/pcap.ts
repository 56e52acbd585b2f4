// `filament pcap FILE`: every frame of a pcap/pcapng capture, each layer @filament/encap knows decoded with
// its offset, and application messages (BGP on TCP 179, and any decoder bound with --decode-as) reassembled
// from their TCP streams and decoded.
import { createReadStream } from 'node:fs';
import {
  type CapturedPacket,
  createDissectorRegistry,
  type DissectedLayer,
  dissect,
  readCaptureStream,
} from '@filament/encap';
import { type Command, jsonLine, parseArgs, UsageError } from '../command.js';
import { prettyTree } from '../pretty.js';
import {
  type ConnectionState,
  defaultTcpPorts,
  type StreamDecoder,
  streamDecoders,
} from '../stream-decoders.js';
import { TcpDirection } from '../tcp-reassembly.js';

const help = `Usage: filament pcap FILE [options]

Prints every frame of a pcap or pcapng file (FILE, or - for standard input) as one JSON object per line:
{"frame", "time", "length", "capturedLength", "layers": [{name, offset, length, value}...], "messages"?}.
Layers are Ethernet, 802.1Q/QinQ, ARP, IPv4, IPv6 (+extension headers), ICMP, ICMPv6, UDP, TCP, GRE, MPLS,
VXLAN, DHCPv4, and the inner frames of tunnels; an undecoded rest is a "payload" layer in hex. Messages of
TCP application protocols are reassembled across segments and listed under "messages" on the frame that
completed them (BGP on port 179 by default).

Options:
  --pretty                 an indented tree per frame instead of JSON lines
  --json                   JSON lines (the default)
  --decode-as PORT=NAME,.. decode TCP port PORT as NAME (${[...streamDecoders.keys()].join(', ')}) or UDP port PORT
                           as a layer decoder (e.g. 8472=vxlan); several mappings separated by commas
  --limit N                stop after N frames
  --help                   this text

Example:
  filament pcap capture.pcap --pretty
  filament pcap bgp.pcapng --decode-as 10179=bgp
`;

const layerDecoders = createDissectorRegistry().decoders;

interface Flow {
  reassembly: TcpDirection;
  decoder: StreamDecoder;
}

export const pcapCommand: Command = {
  path: ['pcap'],
  summary: 'decode every frame of a pcap/pcapng capture (layers, tunnels, BGP)',
  help,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, ['pretty', 'json'], ['decode-as', 'limit']);
    if (positionals.length !== 1) throw new UsageError('expects exactly one FILE');
    const limit = values.has('limit') ? Number(values.get('limit')) : Number.POSITIVE_INFINITY;
    if (!(limit > 0)) throw new UsageError('--limit takes a positive number');
    const tcpPorts = new Map(defaultTcpPorts);
    const udpPorts: Record<number, string> = {};
    for (const spec of (values.get('decode-as') ?? '').split(',').filter(Boolean)) {
      const [port, name] = spec.split('=');
      const p = Number(port);
      if (!Number.isInteger(p) || p < 0 || p > 65535 || !name)
        throw new UsageError(`bad --decode-as ${spec}`);
      if (streamDecoders.has(name)) tcpPorts.set(p, name);
      else if (layerDecoders.has(name)) udpPorts[p] = name;
      else throw new UsageError(`unknown decoder ${name} in --decode-as`);
    }
    const file = positionals[0]!;
    const source = file === '-' ? (io.stdin as AsyncIterable<Uint8Array>) : createReadStream(file);
    for await (const frame of decodeCapture(source, { tcpPorts, udpPorts, limit })) {
      if (flags.has('pretty')) io.stdout.write(`${prettyFrame(frame)}\n\n`);
      else io.stdout.write(jsonLine(frame));
    }
    return 0;
  },
};

/** One decoded frame as `filament pcap` prints it. */
export interface DecodedFrame {
  frame: number;
  time: string;
  length: number;
  capturedLength: number;
  layers: DissectedLayer[];
  /** Application messages this frame completed, reassembled from their TCP stream. */
  messages?: { protocol: string; from: string; to: string; message: unknown }[];
}

/** Dissects every frame of a pcap/pcapng byte stream and decodes the TCP application streams in it. */
export async function* decodeCapture(
  source: AsyncIterable<Uint8Array>,
  opts: { tcpPorts?: Map<number, string>; udpPorts?: Record<number, string>; limit?: number } = {},
): AsyncGenerator<DecodedFrame> {
  const tcpPorts = opts.tcpPorts ?? defaultTcpPorts;
  const udpPorts = opts.udpPorts ?? {};
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const flows = new Map<string, Flow>();
  const connections = new Map<string, ConnectionState>();
  let n = 0;
  for await (const pkt of readCaptureStream(source)) {
    if (++n > limit) break;
    const layers = dissect(pkt.data, { linktype: pkt.linktype, udpPorts });
    const frame: DecodedFrame = {
      frame: n,
      time: timeText(pkt),
      length: pkt.originalLength,
      capturedLength: pkt.capturedLength,
      layers,
    };
    const messages = appMessages(pkt, layers, tcpPorts, flows, connections);
    if (messages.length > 0) frame.messages = messages;
    yield frame;
  }
}

function timeText(p: CapturedPacket): string {
  const iso = new Date(p.seconds * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(p.nanoseconds).padStart(9, '0')}Z`;
}

/** Feeds the TCP payload of a frame to its connection's stream decoder; returns the completed messages. */
function appMessages(
  pkt: CapturedPacket,
  layers: DissectedLayer[],
  tcpPorts: Map<number, string>,
  flows: Map<string, Flow>,
  connections: Map<string, ConnectionState>,
): NonNullable<DecodedFrame['messages']> {
  // The innermost IP + TCP pair: tunnelled BGP sessions are reassembled by their inner addresses.
  const t = layers.findLastIndex((l) => l.name === 'tcp');
  if (t < 0) return [];
  const tcp = layers[t]!.value as { srcPort: number; dstPort: number; seq: number; flags: { syn: boolean } };
  const ip = layers.slice(0, t).findLast((l) => l.name === 'ipv4' || l.name === 'ipv6')?.value as
    | { src: string; dst: string }
    | undefined;
  const protocol = tcpPorts.get(tcp.dstPort) ?? tcpPorts.get(tcp.srcPort);
  if (!ip || !protocol) return [];
  const factory = streamDecoders.get(protocol)!;
  const from = `${ip.src}:${tcp.srcPort}`;
  const to = `${ip.dst}:${tcp.dstPort}`;
  const conn = from < to ? `${from}-${to}` : `${to}-${from}`;
  const key = `${from}>${to}`;
  let state = connections.get(conn);
  if (!state) {
    state = { opens: new Map() };
    connections.set(conn, state);
  }
  let flow = flows.get(key);
  if (!flow) {
    flow = { reassembly: new TcpDirection(), decoder: factory(state, key) };
    flows.set(key, flow);
  }
  const payload = layers[t + 1];
  const bytes =
    payload && payload.name === 'payload'
      ? pkt.data.subarray(payload.offset, payload.offset + payload.length)
      : new Uint8Array(0);
  const out: NonNullable<DecodedFrame['messages']> = [];
  for (const chunk of flow.reassembly.push(tcp.seq, bytes, tcp.flags.syn)) {
    for (const m of flow.decoder.push(chunk)) out.push({ protocol, from, to, message: m });
  }
  return out;
}

export function prettyFrame(frame: DecodedFrame): string {
  const layers = frame.layers;
  const head = `frame ${frame.frame}  ${frame.time}  ${frame.length} bytes`;
  const body = layers.map((l) => {
    const title = `  ${l.name} @${l.offset} (${l.length} bytes)`;
    const detail = l.value ?? (l.error ? l.error : l.hex !== undefined ? { hex: l.hex } : undefined);
    return detail === undefined ? title : `${title}\n${prettyTree(detail, '      ')}`;
  });
  const msgs = (frame.messages ?? []).map((m) => `  message\n${prettyTree(m, '      ')}`);
  return [head, ...body, ...msgs].join('\n');
}
