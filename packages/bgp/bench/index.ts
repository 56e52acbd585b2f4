// Benchmarks of the BGP codec core (runBench, one core): decoding packed IPv4 unicast UPDATEs through the
// allocation-free visitor and into full objects, encoding them, against a straightforward object-per-field
// decoder and a straightforward field-by-field encoder (small Uint8Arrays per field and per prefix, text
// split per prefix, concatenated) written here as the baselines of the same run; and the heap each decoded
// route takes.
//   pnpm --filter @filament/bgp bench

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runBench } from '@filament/testkit';
import {
  decodeMessage,
  defaultContext,
  encodeAttributeBlock,
  encodeMessage,
  type PathAttribute,
  packIpv4Updates,
  type UpdateMessage,
  visitUpdate,
} from '../src/index.js';

// ---- corpus: UPDATEs packed with /24 prefixes sharing one attribute set ---------------------------------

const attributes: PathAttribute[] = [
  { type: 'ORIGIN', origin: 'igp' },
  { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001, 3356, 1299, 4200000001] }] },
  { type: 'NEXT_HOP', nextHop: '192.0.2.1' },
  { type: 'MULTI_EXIT_DISC', med: 100 },
  { type: 'COMMUNITIES', communities: [0xfde90064, 0xfde900c8] },
  { type: 'LARGE_COMMUNITY', communities: [{ global: 65001, local1: 1, local2: 2 }] },
];
const PER_UPDATE = 1000; // 4 bytes per /24: fits the 4096-byte limit with the attributes
const UPDATES = 50;
const updates: UpdateMessage[] = [];
for (let u = 0; u < UPDATES; u++) {
  const nlri = [];
  for (let i = 0; i < PER_UPDATE; i++) {
    const n = u * PER_UPDATE + i;
    nlri.push({ type: 'prefix' as const, prefix: `${10 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}.0/24` });
  }
  updates.push({ type: 'update', withdrawn: [], attributes, nlri });
}
const wire = updates.map((m) => encodeMessage(m, defaultContext));
const stream = new Uint8Array(wire.reduce((n, w) => n + w.length, 0));
{
  let o = 0;
  for (const w of wire) {
    stream.set(w, o);
    o += w.length;
  }
}
const PREFIXES = UPDATES * PER_UPDATE;
const prefixNumbers = new Uint32Array(PREFIXES);
const prefixLengths = new Uint8Array(PREFIXES).fill(24);
for (let n = 0; n < PREFIXES; n++)
  prefixNumbers[n] = (((10 + (n >> 16)) << 24) | (((n >> 8) & 0xff) << 16) | ((n & 0xff) << 8)) >>> 0;
const attrBlock = encodeAttributeBlock(attributes, defaultContext);

// ---- baseline: a straightforward object-per-field decoder ------------------------------------------------

interface NaiveAttr {
  flags: number;
  code: number;
  length: number;
  value: Uint8Array;
}
interface NaivePrefix {
  length: number;
  bytes: Uint8Array;
  text: string;
}
interface NaiveUpdate {
  header: { marker: Uint8Array; length: number; type: number };
  withdrawn: NaivePrefix[];
  attributes: NaiveAttr[];
  nlri: NaivePrefix[];
}

function naivePrefixes(buf: Uint8Array, s: number, e: number): NaivePrefix[] {
  const out: NaivePrefix[] = [];
  let p = s;
  while (p < e) {
    const length = buf[p]!;
    const n = Math.ceil(length / 8);
    const bytes = buf.slice(p + 1, p + 1 + n);
    const full = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) full[i] = bytes[i]!;
    out.push({ length, bytes, text: `${full.join('.')}/${length}` });
    p += 1 + n;
  }
  return out;
}

function naiveDecode(buf: Uint8Array, o: number): NaiveUpdate {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const header = { marker: buf.slice(o, o + 16), length: view.getUint16(o + 16), type: buf[o + 18]! };
  const end = o + header.length;
  const wl = view.getUint16(o + 19);
  const withdrawn = naivePrefixes(buf, o + 21, o + 21 + wl);
  const al = view.getUint16(o + 21 + wl);
  const as = o + 23 + wl;
  const attributes: NaiveAttr[] = [];
  let p = as;
  while (p < as + al) {
    const flags = buf[p]!;
    const code = buf[p + 1]!;
    const ext = (flags & 0x10) !== 0;
    const length = ext ? view.getUint16(p + 2) : buf[p + 2]!;
    const v = p + (ext ? 4 : 3);
    attributes.push({ flags, code, length, value: buf.slice(v, v + length) });
    p = v + length;
  }
  return { header, withdrawn, attributes, nlri: naivePrefixes(buf, as + al, end) };
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
function naivePrefix(text: string): Uint8Array {
  const [addr = '', lenText = ''] = text.split('/');
  const len = Number(lenText);
  return concat([Uint8Array.of(len), naiveIpv4(addr).slice(0, (len + 7) >> 3)]);
}
function naiveAttribute(flags: number, code: number, value: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(flags, code, value.length), value]);
}
function naiveAttributeBytes(a: PathAttribute): Uint8Array {
  switch (a.type) {
    case 'ORIGIN':
      return naiveAttribute(0x40, 1, Uint8Array.of(['igp', 'egp', 'incomplete'].indexOf(a.origin)));
    case 'AS_PATH':
      return naiveAttribute(
        0x40,
        2,
        concat(
          a.segments.map((s) =>
            concat([Uint8Array.of(s.type === 'sequence' ? 2 : 1, s.asns.length), ...s.asns.map(naiveU32)]),
          ),
        ),
      );
    case 'NEXT_HOP':
      return naiveAttribute(0x40, 3, naiveIpv4(a.nextHop));
    case 'MULTI_EXIT_DISC':
      return naiveAttribute(0x80, 4, naiveU32(a.med));
    case 'COMMUNITIES':
      return naiveAttribute(0xc0, 8, concat(a.communities.map((c) => naiveU32(c as number))));
    case 'LARGE_COMMUNITY':
      return naiveAttribute(
        0xc0,
        32,
        concat(a.communities.flatMap((c) => [naiveU32(c.global), naiveU32(c.local1), naiveU32(c.local2)])),
      );
    default:
      throw new Error(`baseline does not encode ${a.type}`);
  }
}
function naiveEncode(m: UpdateMessage): Uint8Array {
  const withdrawn = concat(m.withdrawn.map((n) => naivePrefix((n as { prefix: string }).prefix)));
  const attrs = concat(m.attributes.map(naiveAttributeBytes));
  const nlri = concat(m.nlri.map((n) => naivePrefix((n as { prefix: string }).prefix)));
  const body = concat([naiveU16(withdrawn.length), withdrawn, naiveU16(attrs.length), attrs, nlri]);
  return concat([new Uint8Array(16).fill(0xff), naiveU16(19 + body.length), Uint8Array.of(2), body]);
}
{
  const a = naiveEncode(updates[0]!);
  if (a.length !== wire[0]!.length || a.some((v, i) => v !== wire[0]![i]))
    throw new Error('baseline encoder mismatch');
}

// ---- tasks ---------------------------------------------------------------------------------------------

let sink = 0;
const visitor = {
  attributes(_b: Uint8Array, s: number, e: number) {
    sink += e - s;
  },
  ipv4(_reach: boolean, prefix: number, length: number, _pathId: number) {
    sink = (sink + prefix + length) | 0;
  },
};

const rows = await runBench(
  '@filament/bgp: packed IPv4 unicast UPDATEs (50 x 1000 /24 prefixes, shared attributes)',
  [
    {
      name: 'decode via visitUpdate (zero allocation per prefix)',
      items: PREFIXES,
      fn: () => {
        let o = 0;
        while (o < stream.length) o += visitUpdate(stream, o, defaultContext, visitor);
      },
    },
    {
      name: 'decode via decodeMessage (full objects)',
      items: PREFIXES,
      fn: () => {
        let o = 0;
        while (o < stream.length) {
          const r = decodeMessage(stream, o, defaultContext);
          sink += r.length;
          o += r.length;
        }
      },
    },
    {
      name: 'baseline: object-per-field decoder (same run)',
      items: PREFIXES,
      fn: () => {
        let o = 0;
        while (o < stream.length) {
          const u = naiveDecode(stream, o);
          sink += u.nlri.length;
          o += u.header.length;
        }
      },
    },
    {
      name: 'encode via packIpv4Updates (prefixes as numbers)',
      items: PREFIXES,
      fn: () => {
        for (const m of packIpv4Updates(attrBlock, prefixNumbers, prefixLengths, PREFIXES, defaultContext))
          sink += m.length;
      },
    },
    {
      name: 'encode via encodeMessage (from objects)',
      items: PREFIXES,
      fn: () => {
        for (const m of updates) sink += encodeMessage(m, defaultContext).length;
      },
    },
    {
      name: 'baseline: field-by-field encoder (same run)',
      items: PREFIXES,
      fn: () => {
        for (const m of updates) sink += naiveEncode(m).length;
      },
    },
  ],
  { time: 2000 },
);

// ---- memory per decoded route --------------------------------------------------------------------------

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapPerRoute(decode: () => unknown[]): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = decode();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  sink += kept.length;
  return (after - before) / PREFIXES;
}

const full = heapPerRoute(() => {
  const out: unknown[] = [];
  let o = 0;
  while (o < stream.length) {
    const r = decodeMessage(stream, o, defaultContext);
    out.push(r.message);
    o += r.length;
  }
  return out;
});
const naive = heapPerRoute(() => {
  const out: unknown[] = [];
  let o = 0;
  while (o < stream.length) {
    const u = naiveDecode(stream, o);
    out.push(u);
    o += u.header.length;
  }
  return out;
});
const visited = heapPerRoute(() => {
  let o = 0;
  while (o < stream.length) o += visitUpdate(stream, o, defaultContext, visitor);
  return [];
});

console.log('\n@filament/bgp: retained heap per decoded IPv4 route (50 000 routes kept)');
console.log(
  `  decodeMessage objects                                         ${full.toFixed(1).padStart(10)} B/route`,
);
console.log(
  `  baseline object-per-field decoder                             ${naive.toFixed(1).padStart(10)} B/route`,
);
console.log(
  `  visitUpdate (nothing kept)                                    ${Math.max(0, visited).toFixed(1).padStart(10)} B/route`,
);
const v = rows[0]!.itemsPerSec;
const b = rows[2]!.itemsPerSec;
const eb = rows[5]!.itemsPerSec;
console.log(
  `\nvisitor vs baseline decoder: ${(v / b).toFixed(1)}x; full objects vs baseline decoder: ${(rows[1]!.itemsPerSec / b).toFixed(2)}x; ` +
    `packIpv4Updates vs baseline encoder: ${(rows[3]!.itemsPerSec / eb).toFixed(1)}x; encodeMessage vs baseline encoder: ${(rows[4]!.itemsPerSec / eb).toFixed(1)}x (sink ${sink & 1})`,
);
