// @filament/encap benchmarks: the forwarder's hot paths against naive baselines measured in the same run.
//   pnpm --filter @filament/encap bench
// Each task handles a corpus of 64 different frames per call and reports packets per second.
import { runBench } from '@filament/testkit';
import { Parser } from 'binary-parser/dist/binary_parser.js';
import {
  DecapMeta,
  decapFast,
  dissect,
  encapsulate,
  encapVxlan,
  FlowKey,
  flowKeyFast,
  type TunnelParams,
  tunnelParams,
} from '../src/index.js';
import { innerEthernet, innerIp } from '../test/support/tunnel-fixtures.js';

const N = 64;
const eth = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
const flows = Array.from({ length: N }, (_, i) => ({
  ipVersion: 4 as const,
  protocol: 6 as const,
  src: `192.168.${i}.1`,
  dst: `192.168.${i}.2`,
  srcPort: 30000 + i,
  dstPort: 443,
  payload: new Uint8Array(64).fill(i),
}));
const vxlanFrames = flows.map((f, i) =>
  encapsulate(
    { type: 'vxlan', vni: 1000 + i, src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
    innerEthernet(f),
  ),
);
const mplsFrames = flows.map((f, i) =>
  encapsulate(
    { type: 'mpls-udp', labels: [16 + i], src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
    innerIp(f),
  ),
);
const innerPackets = flows.map((f) => innerIp(f));
let sink = 0;

// The naive decoder: binary-parser objects for the same outer stack (Ethernet / IPv4 / UDP / VXLAN).
const outerParser = new Parser()
  .endianness('big')
  .array('dst', { type: 'uint8', length: 6 })
  .array('src', { type: 'uint8', length: 6 })
  .uint16('etherType')
  .bit4('version')
  .bit4('ihl')
  .uint8('tos')
  .uint16('totalLength')
  .uint16('id')
  .uint16('fragment')
  .uint8('ttl')
  .uint8('protocol')
  .uint16('checksum')
  .uint32('src4')
  .uint32('dst4')
  .uint16('srcPort')
  .uint16('dstPort')
  .uint16('udpLength')
  .uint16('udpChecksum')
  .uint8('vxlanFlags')
  .bit24('reserved0')
  .bit24('vni')
  .uint8('reserved1');
const mplsParser = new Parser()
  .endianness('big')
  .array('dst', { type: 'uint8', length: 6 })
  .array('src', { type: 'uint8', length: 6 })
  .uint16('etherType')
  .bit4('version')
  .bit4('ihl')
  .uint8('tos')
  .uint16('totalLength')
  .uint16('id')
  .uint16('fragment')
  .uint8('ttl')
  .uint8('protocol')
  .uint16('checksum')
  .uint32('src4')
  .uint32('dst4')
  .uint16('srcPort')
  .uint16('dstPort')
  .uint16('udpLength')
  .uint16('udpChecksum')
  .array('labels', {
    type: new Parser().bit20('label').bit3('tc').bit1('bottom').uint8('ttl'),
    readUntil: (e: { bottom: number }) => e.bottom === 1,
  });
const ipTcpParser = new Parser()
  .endianness('big')
  .bit4('version')
  .bit4('ihl')
  .uint8('tos')
  .uint16('totalLength')
  .uint16('id')
  .uint16('fragment')
  .uint8('ttl')
  .uint8('protocol')
  .uint16('checksum')
  .uint32('src')
  .uint32('dst')
  .uint16('srcPort')
  .uint16('dstPort');
const ethIpUdp = () =>
  new Parser()
    .endianness('big')
    .array('dst', { type: 'uint8', length: 6 })
    .array('src', { type: 'uint8', length: 6 })
    .uint16('etherType')
    .bit4('version')
    .bit4('ihl')
    .uint8('tos')
    .uint16('totalLength')
    .uint16('id')
    .uint16('fragment')
    .uint8('ttl')
    .uint8('protocol')
    .uint16('checksum')
    .array('srcIp', { type: 'uint8', length: 4 })
    .array('dstIp', { type: 'uint8', length: 4 });
// Seven layers as objects: Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 / TCP.
const fullParser = ethIpUdp()
  .nest('udp', { type: new Parser().uint16('srcPort').uint16('dstPort').uint16('length').uint16('checksum') })
  .nest('vxlan', { type: new Parser().uint8('flags').bit24('reserved0').bit24('vni').uint8('reserved1') })
  .nest('inner', { type: ethIpUdp() })
  .nest('tcp', {
    type: new Parser()
      .uint16('srcPort')
      .uint16('dstPort')
      .uint32('seq')
      .uint32('ack')
      .bit4('dataOffset')
      .bit4('reserved')
      .uint8('flags')
      .uint16('window')
      .uint16('checksum')
      .uint16('urgentPointer'),
  });

// The measurement: binary-parser objects against plain byte reads of one VXLAN header stack.
function plainReads(b: Uint8Array): number {
  const vni = (b[46]! << 16) | (b[47]! << 8) | b[48]!;
  const dport = (b[36]! << 8) | b[37]!;
  const src = ((b[26]! << 24) | (b[27]! << 16) | (b[28]! << 8) | b[29]!) >>> 0;
  return vni ^ dport ^ src ^ b[23]!;
}

const meta = new DecapMeta();
const key = new FlowKey();
const params = tunnelParams({ type: 'vxlan', vni: 5000, src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth });
const HEADROOM = 64;
const encapBufs = flows.map((f) => {
  const inner = innerEthernet(f);
  const b = new Uint8Array(HEADROOM + inner.length);
  b.set(inner, HEADROOM);
  return b;
});
const innerFrames = flows.map((f) => innerEthernet(f));
const p: TunnelParams = params;

const rows = await runBench('@filament/encap', [
  {
    name: 'decap fast path: Eth/IPv4/UDP/VXLAN -> inner offset + VNI',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const f = vxlanFrames[i]!;
        decapFast(f, 0, f.length, meta);
        sink ^= meta.vni ^ meta.innerOffset;
      }
    },
  },
  {
    name: 'decap fast path: Eth/IPv4/UDP 6635/MPLS -> inner offset + label',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const f = mplsFrames[i]!;
        decapFast(f, 0, f.length, meta);
        sink ^= meta.labels[0]! ^ meta.innerOffset;
      }
    },
  },
  {
    name: 'baseline: binary-parser objects, Eth/IPv4/UDP/VXLAN',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) sink ^= (outerParser.parse(vxlanFrames[i]!) as { vni: number }).vni;
    },
  },
  {
    name: 'baseline: binary-parser objects, Eth/IPv4/UDP/MPLS',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++)
        sink ^= (mplsParser.parse(mplsFrames[i]!) as { labels: { label: number }[] }).labels[0]!.label;
    },
  },
  {
    name: '5-tuple fast path: inner IPv4/TCP',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const b = innerPackets[i]!;
        flowKeyFast(b, 0, b.length, key);
        sink ^= key.src4 ^ key.dstPort;
      }
    },
  },
  {
    name: 'baseline: binary-parser objects, IPv4/TCP ports',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++)
        sink ^= (ipTcpParser.parse(innerPackets[i]!) as { srcPort: number }).srcPort;
    },
  },
  {
    name: 'encap into headroom: Eth/IPv4/UDP/VXLAN, entropy port, IPv4 checksum',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const b = encapBufs[i]!;
        sink ^= encapVxlan(b, HEADROOM, b.length - HEADROOM, p);
      }
    },
  },
  {
    name: 'baseline: encapsulate() value API (allocates)',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++)
        sink ^= encapsulate(
          { type: 'vxlan', vni: 5000, src: '10.0.0.1', dst: '10.0.0.2', ethernet: eth },
          innerFrames[i]!,
        ).length;
    },
  },
  {
    name: 'baseline: Buffer.concat of outer headers and payload',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const inner = innerFrames[i]!;
        const e = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]);
        const ip = Buffer.alloc(20);
        ip[0] = 0x45;
        ip.writeUInt16BE(20 + 16 + inner.length, 2);
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = 17;
        ip.writeUInt32BE(0x0a000001, 12);
        ip.writeUInt32BE(0x0a000002, 16);
        let s = 0;
        for (let j = 0; j < 20; j += 2) s += ip.readUInt16BE(j);
        s = (s & 0xffff) + (s >>> 16);
        ip.writeUInt16BE(~s & 0xffff, 10);
        const u = Buffer.alloc(8);
        u.writeUInt16BE(49152 + (i & 0x3fff), 0);
        u.writeUInt16BE(4789, 2);
        u.writeUInt16BE(16 + inner.length, 4);
        const v = Buffer.from([8, 0, 0, 0, 0, 0x13, 0x88, 0]);
        sink ^= Buffer.concat([e, ip, u, v, inner]).length;
      }
    },
  },
  {
    name: 'dissect(): VXLAN frame, 7 layers as value objects',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) sink ^= dissect(vxlanFrames[i]!).length;
    },
  },
  {
    name: 'baseline: binary-parser objects, same 7 layers',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++)
        sink ^= (fullParser.parse(vxlanFrames[i]!) as { vxlan: { vni: number } }).vxlan.vni;
    },
  },
  {
    name: 'VXLAN header stack: plain byte reads',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) sink ^= plainReads(vxlanFrames[i]!);
    },
  },
  {
    name: 'VXLAN header stack: binary-parser',
    items: N,
    fn: () => {
      for (let i = 0; i < N; i++) sink ^= (outerParser.parse(vxlanFrames[i]!) as { vni: number }).vni;
    },
  },
]);

const rate = (name: string) => rows.find((r) => r.name.startsWith(name))?.itemsPerSec ?? 0;
console.log('\nratios (same run):');
console.log(
  `  decap VXLAN vs binary-parser       ${(rate('decap fast path: Eth/IPv4/UDP/VXLAN') / rate('baseline: binary-parser objects, Eth/IPv4/UDP/VXLAN')).toFixed(1)}x`,
);
console.log(
  `  5-tuple vs binary-parser           ${(rate('5-tuple') / rate('baseline: binary-parser objects, IPv4/TCP')).toFixed(1)}x`,
);
console.log(
  `  headroom encap vs Buffer.concat    ${(rate('encap into headroom') / rate('baseline: Buffer.concat')).toFixed(1)}x`,
);
console.log(
  `  dissect vs binary-parser (7 layers) ${(rate('dissect()') / rate('baseline: binary-parser objects, same 7')).toFixed(2)}x`,
);
console.log(
  `  plain reads vs binary-parser       ${(rate('VXLAN header stack: plain') / rate('VXLAN header stack: binary-parser')).toFixed(1)}x`,
);
if (sink === 0.5) console.log(sink);
