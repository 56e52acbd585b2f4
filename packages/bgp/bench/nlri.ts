// Benchmarks of the NLRI codec (runBench, one core): decoding and encoding EVPN type-2 (MAC/IP) routes and
// VPNv4 routes as they sit in an MP_REACH_NLRI attribute, against a straightforward object-per-field
// decoder and a straightforward field-by-field encoder (small Uint8Arrays per field, text split per route,
// concatenated) written here as the baselines of the same run; and the heap each decoded route takes.
//   cd packages/bgp && npx tsx --conditions=@filament/source bench/nlri.ts

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runBench } from '@filament/testkit';
import {
  decodeNlri,
  type EvpnRoute,
  encodeNlri,
  evpnLabel,
  type Nlri,
  NlriReader,
  type VpnNlri,
} from '../src/index.js';

const EVPN = { afi: 25, safi: 70 };
const VPN4 = { afi: 1, safi: 128 };
const N = 1000;

// ---- corpus ---------------------------------------------------------------------------------------------

const evpnRoutes: EvpnRoute[] = [];
const vpnRoutes: VpnNlri[] = [];
for (let i = 0; i < N; i++) {
  const h = (i >> 8).toString(16).padStart(2, '0');
  const l = (i & 0xff).toString(16).padStart(2, '0');
  evpnRoutes.push({
    type: 'evpn-mac-ip',
    routeType: 2,
    rd: { type: 1, ip: '10.255.0.1', assigned: 1000 + (i % 50) },
    esi: '00:00:00:00:00:00:00:00:00:00',
    ethernetTag: 0,
    mac: `02:00:00:00:${h}:${l}`,
    ip: `10.1.${i >> 8}.${i & 0xff}`,
    label1: evpnLabel(5000 + (i % 50)),
  });
  vpnRoutes.push({
    type: 'vpn',
    labels: [16 + i],
    rd: { type: 0, asn: 65001, assigned: 100 + (i % 50) },
    prefix: `10.${i >> 8}.${i & 0xff}.0/24`,
  });
}
const evpnBytes = encodeNlri(EVPN, evpnRoutes, { addPath: false });
const vpnBytes = encodeNlri(VPN4, vpnRoutes, { addPath: false });

// ---- baseline: a straightforward object-per-field decoder ----------------------------------------------

interface BaseRd {
  type: number;
  value: { administrator: string | number; assigned: number };
}
function baseRd(dv: DataView, o: number): BaseRd {
  const type = dv.getUint16(o);
  if (type === 1) {
    const ip = Array.from(new Uint8Array(dv.buffer, dv.byteOffset + o + 2, 4)).join('.');
    return { type, value: { administrator: ip, assigned: dv.getUint16(o + 6) } };
  }
  if (type === 0)
    return { type, value: { administrator: dv.getUint16(o + 2), assigned: dv.getUint32(o + 4) } };
  return { type, value: { administrator: dv.getUint32(o + 2), assigned: dv.getUint16(o + 6) } };
}
function baseLabel(dv: DataView, o: number): { label: number; exp: number; bottom: boolean } {
  const v = (dv.getUint8(o) << 16) | dv.getUint16(o + 1);
  return { label: v >>> 4, exp: (v >> 1) & 7, bottom: (v & 1) === 1 };
}
function baseBytesHex(buf: Uint8Array, o: number, n: number): string {
  return Array.from(buf.subarray(o, o + n))
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}

function baselineEvpn(buf: Uint8Array): object[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: object[] = [];
  let o = 0;
  while (o < buf.length) {
    const header = { routeType: dv.getUint8(o), length: dv.getUint8(o + 1) };
    const v = o + 2;
    const rd = baseRd(dv, v);
    const esi = { type: dv.getUint8(v + 8), value: Array.from(buf.subarray(v + 9, v + 18)) };
    const ethernetTag = { id: dv.getUint32(v + 18) };
    const mac = { length: dv.getUint8(v + 22), address: baseBytesHex(buf, v + 23, 6) };
    const ipLength = dv.getUint8(v + 29);
    const ip = {
      length: ipLength,
      address: ipLength === 32 ? Array.from(buf.subarray(v + 30, v + 34)).join('.') : undefined,
    };
    const labels = [baseLabel(dv, v + 30 + ipLength / 8)];
    out.push({ header, rd, esi, ethernetTag, mac, ip, labels });
    o = v + header.length;
  }
  return out;
}

function baselineVpn(buf: Uint8Array): object[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: object[] = [];
  let o = 0;
  while (o < buf.length) {
    const bits = dv.getUint8(o);
    const labels = [];
    let p = o + 1;
    for (;;) {
      const l = baseLabel(dv, p);
      labels.push(l);
      p += 3;
      if (l.bottom) break;
    }
    const rd = baseRd(dv, p);
    p += 8;
    const plen = bits - labels.length * 24 - 64;
    const bytes = Array.from(buf.subarray(p, p + ((plen + 7) >> 3)));
    while (bytes.length < 4) bytes.push(0);
    out.push({ length: bits, labels, rd, prefix: { length: plen, address: bytes.join('.') } });
    o = p + ((plen + 7) >> 3);
  }
  return out;
}

// ---- baseline: a straightforward encoder (one small Uint8Array per field, text split, concatenated) -------

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function naiveU16(v: number): Uint8Array {
  return Uint8Array.of(v >>> 8, v & 0xff);
}
function naiveU32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function naiveIpv4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`bad IPv4 ${text}`);
  return Uint8Array.from(parts);
}
function naiveHex(text: string, n: number): Uint8Array {
  const parts = text.split(':').map((h) => Number.parseInt(h, 16));
  if (parts.length !== n || parts.some((p) => Number.isNaN(p))) throw new Error(`bad hex ${text}`);
  return Uint8Array.from(parts);
}
function naiveRdBytes(rd: VpnNlri['rd']): Uint8Array {
  switch (rd.type) {
    case 0:
      return concat([naiveU16(0), naiveU16(rd.asn), naiveU32(rd.assigned)]);
    case 1:
      return concat([naiveU16(1), naiveIpv4(rd.ip), naiveU16(rd.assigned)]);
    case 2:
      return concat([naiveU16(2), naiveU32(rd.asn), naiveU16(rd.assigned)]);
    default:
      throw new Error('rd type');
  }
}
function naiveLabel(raw: number): Uint8Array {
  return Uint8Array.of(raw >>> 16, (raw >>> 8) & 0xff, raw & 0xff);
}

function baselineEncodeEvpn(routes: readonly EvpnRoute[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const r of routes) {
    if (r.type !== 'evpn-mac-ip') throw new Error('only type 2 here');
    const ip = r.ip === undefined ? new Uint8Array(0) : naiveIpv4(r.ip);
    const fields = [
      naiveRdBytes(r.rd),
      naiveHex(r.esi, 10),
      naiveU32(r.ethernetTag),
      Uint8Array.of(48),
      naiveHex(r.mac, 6),
      Uint8Array.of(ip.length * 8),
      ip,
      naiveLabel(r.label1.raw),
    ];
    if (r.label2) fields.push(naiveLabel(r.label2.raw));
    const value = concat(fields);
    parts.push(Uint8Array.of(2, value.length), value);
  }
  return concat(parts);
}

function baselineEncodeVpn(routes: readonly VpnNlri[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const r of routes) {
    const [addr = '', lenText = ''] = r.prefix.split('/');
    const plen = Number(lenText);
    const prefix = naiveIpv4(addr).slice(0, (plen + 7) >> 3);
    const labels = r.labels.map((l, i) => naiveLabel(l * 16 + (i === r.labels.length - 1 ? 1 : 0)));
    const body = concat([...labels, naiveRdBytes(r.rd), prefix]);
    parts.push(Uint8Array.of(r.labels.length * 24 + 64 + plen), body);
  }
  return concat(parts);
}

// Sanity: both decoders read the same routes before they are timed.
const check = decodeNlri(EVPN, evpnBytes, 0, evpnBytes.length, { addPath: false });
if (check.length !== N || baselineEvpn(evpnBytes).length !== N || baselineVpn(vpnBytes).length !== N) {
  throw new Error('corpus mismatch');
}
// ... and both encoders write the same bytes.
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
if (!same(baselineEncodeEvpn(evpnRoutes), evpnBytes) || !same(baselineEncodeVpn(vpnRoutes), vpnBytes)) {
  throw new Error('baseline encoder mismatch');
}

// ---- the allocation-free reader: walk every route and read its fields in place ------------------------

const reader = new NlriReader();
function walkEvpn(): number {
  let acc = 0;
  reader.reset(EVPN, evpnBytes, 0, evpnBytes.length, { addPath: false });
  while (reader.next()) {
    if (reader.routeType === 2)
      acc += reader.labelRaw(0) + reader.buf[reader.macOffset + 5]! + reader.ethernetTag;
  }
  return acc;
}
function walkVpn(): number {
  let acc = 0;
  reader.reset(VPN4, vpnBytes, 0, vpnBytes.length, { addPath: false });
  while (reader.next()) acc += reader.label(0) + reader.prefixLength + reader.buf[reader.rdOffset + 7]!;
  return acc;
}

// ---- memory per decoded route ---------------------------------------------------------------------------

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap growth per route while walking 200 000 routes with the reader (no GC in between). */
function walkGrowthPerRoute(walk: () => number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  let acc = 0;
  for (let i = 0; i < 200; i++) acc += walk();
  const after = process.memoryUsage().heapUsed;
  if (acc === -1) console.log(acc);
  return (after - before) / (200 * N);
}
function heapPerRoute(decode: () => unknown[]): number {
  const keep: unknown[][] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) keep.push(decode());
  gc();
  const after = process.memoryUsage().heapUsed;
  const routes = keep.reduce((n, k) => n + k.length, 0);
  return (after - before) / routes;
}

// ---- run -------------------------------------------------------------------------------------------------

let sink: Nlri[] | object[] = [];
let bytesSink: Uint8Array = new Uint8Array(0);
let numSink = 0;
const rows = await runBench(
  '@filament/bgp NLRI (routes per second)',
  [
    {
      name: 'decode EVPN type-2 (decodeNlri)',
      items: N,
      fn: () => {
        sink = decodeNlri(EVPN, evpnBytes, 0, evpnBytes.length, { addPath: false });
      },
    },
    {
      name: 'walk EVPN type-2 (NlriReader, fields in place)',
      items: N,
      fn: () => {
        numSink += walkEvpn();
      },
    },
    {
      name: 'decode EVPN type-2 (baseline object-per-field)',
      items: N,
      fn: () => {
        sink = baselineEvpn(evpnBytes);
      },
    },
    {
      name: 'encode EVPN type-2 (encodeNlri)',
      items: N,
      fn: () => {
        bytesSink = encodeNlri(EVPN, evpnRoutes, { addPath: false });
      },
    },
    {
      name: 'encode EVPN type-2 (baseline field-by-field)',
      items: N,
      fn: () => {
        bytesSink = baselineEncodeEvpn(evpnRoutes);
      },
    },
    {
      name: 'decode VPNv4 (decodeNlri)',
      items: N,
      fn: () => {
        sink = decodeNlri(VPN4, vpnBytes, 0, vpnBytes.length, { addPath: false });
      },
    },
    {
      name: 'walk VPNv4 (NlriReader, fields in place)',
      items: N,
      fn: () => {
        numSink += walkVpn();
      },
    },
    {
      name: 'decode VPNv4 (baseline object-per-field)',
      items: N,
      fn: () => {
        sink = baselineVpn(vpnBytes);
      },
    },
    {
      name: 'encode VPNv4 (encodeNlri)',
      items: N,
      fn: () => {
        bytesSink = encodeNlri(VPN4, vpnRoutes, { addPath: false });
      },
    },
    {
      name: 'encode VPNv4 (baseline field-by-field)',
      items: N,
      fn: () => {
        bytesSink = baselineEncodeVpn(vpnRoutes);
      },
    },
  ],
  { time: 1500 },
);
const rate = (name: string): number => rows.find((r) => r.name.startsWith(name))?.itemsPerSec ?? Number.NaN;
console.log(
  `\nencode / decode (encodeNlri vs decodeNlri): EVPN type-2 ${(rate('encode EVPN type-2 (encodeNlri') / rate('decode EVPN type-2 (decodeNlri')).toFixed(2)}x, ` +
    `VPNv4 ${(rate('encode VPNv4 (encodeNlri') / rate('decode VPNv4 (decodeNlri')).toFixed(2)}x; ` +
    `encodeNlri vs baseline encoder: EVPN type-2 ${(rate('encode EVPN type-2 (encodeNlri') / rate('encode EVPN type-2 (baseline')).toFixed(1)}x, ` +
    `VPNv4 ${(rate('encode VPNv4 (encodeNlri') / rate('encode VPNv4 (baseline')).toFixed(1)}x`,
);
void sink;
void bytesSink;
void numSink;

const mem = [
  [
    'EVPN type-2, decodeNlri',
    heapPerRoute(() => decodeNlri(EVPN, evpnBytes, 0, evpnBytes.length, { addPath: false })),
  ],
  ['EVPN type-2, baseline', heapPerRoute(() => baselineEvpn(evpnBytes))],
  [
    'VPNv4, decodeNlri',
    heapPerRoute(() => decodeNlri(VPN4, vpnBytes, 0, vpnBytes.length, { addPath: false })),
  ],
  ['VPNv4, baseline', heapPerRoute(() => baselineVpn(vpnBytes))],
  ['EVPN type-2, NlriReader walk (growth, not retained)', walkGrowthPerRoute(walkEvpn)],
  ['VPNv4, NlriReader walk (growth, not retained)', walkGrowthPerRoute(walkVpn)],
] as const;
console.log('\nheap per decoded route (retained)');
for (const [name, bytes] of mem) console.log(`  ${name.padEnd(60)} ${bytes.toFixed(0).padStart(8)} bytes`);
void rows;
