// IPv4/IPv6 addresses as bigints, prefixes and ranges: the arithmetic IPAM allocates with.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface Addr {
  family: Family;
  value: bigint;
}

export function parseAddr(s: string): Addr | undefined {
  const fam = isIP(s);
  if (fam === 4) {
    const v = s.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
    return { family: 4, value: v };
  }
  if (fam === 6) {
    let text = s;
    // embedded IPv4 tail (::ffff:1.2.3.4)
    const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
    if (v4) {
      const a = parseAddr(v4[1]!)!.value;
      text = `${text.slice(0, -v4[1]!.length)}${(a >> 16n).toString(16)}:${(a & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    const v = groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
    return { family: 6, value: v };
  }
  return undefined;
}

export function formatAddr(a: Addr): string {
  if (a.family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => ((a.value >> sh) & 0xffn).toString()).join('.');
  }
  const g = Array.from({ length: 8 }, (_, i) => Number((a.value >> BigInt((7 - i) * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export const bits = (f: Family): number => (f === 4 ? 32 : 128);

export interface Prefix {
  family: Family;
  network: bigint;
  len: number;
}

export function prefixOf(ip: string, len: number): Prefix | undefined {
  const a = parseAddr(ip);
  if (!a || len < 0 || len > bits(a.family)) return undefined;
  const host = bits(a.family) - len;
  return { family: a.family, network: (a.value >> BigInt(host)) << BigInt(host), len };
}

export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(bits(p.family) - p.len);
}

export function lastOf(p: Prefix): bigint {
  return p.network + prefixSize(p) - 1n;
}

export function contains(p: Prefix, a: Addr): boolean {
  return a.family === p.family && a.value >= p.network && a.value <= lastOf(p);
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.network <= lastOf(b) && b.network <= lastOf(a);
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddr({ family: p.family, value: p.network })}/${p.len}`;
}
