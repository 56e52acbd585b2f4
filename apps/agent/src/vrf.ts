// A VRF (routing instance of a VN on this host): IPv4 and IPv6 longest-prefix-match tables, the MAC table,
// the VN's VNI, its BUM replication next hop, the distributed gateway's addresses and the encapsulation
// priority list of the network. Routes point to next hop ids (nexthop.ts).

import { parseIPv4, parseIPv6 } from '@filament/encap';
import { LpmTrie } from '@filament/lpm';
import { InvalidPrefixError } from './errors.js';
import { MacTable } from './mac-table.js';
import type { Encap } from './nexthop.js';

export interface ParsedPrefix {
  family: 4 | 6;
  addr: Uint8Array;
  len: number;
  text: string;
}

/** `10.1.1.0/24` or `fd00::/64` (a bare address is a host route). */
export function parsePrefix(text: string): ParsedPrefix {
  const slash = text.indexOf('/');
  const a = slash < 0 ? text : text.slice(0, slash);
  const family = a.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1))))
    throw new InvalidPrefixError('route', 'prefix', text, `length must be 0..${max}`);
  let addr: Uint8Array;
  try {
    addr = family === 4 ? parseIPv4(a) : parseIPv6(a);
  } catch (e) {
    throw new InvalidPrefixError('route', 'prefix', text, (e as Error).message);
  }
  return { family, addr, len, text };
}

export function formatPrefix(family: 4 | 6, addr: Uint8Array, len: number): string {
  if (family === 4) return `${addr.join('.')}/${len}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((addr[i]! << 8) | addr[i + 1]!).toString(16));
  return `${words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${len}`;
}

export class Vrf {
  readonly id: number;
  readonly name: string;
  /** The VN's VXLAN network identifier, or -1. */
  vni = -1;
  readonly lpm4: LpmTrie;
  readonly lpm6: LpmTrie;
  readonly macs = new MacTable();
  /** The BUM composite next hop id (ingress replication list), or -1. */
  bum = -1;
  /** Distributed default gateway addresses of this VRF's subnets (IPv4 numbers). */
  readonly gateways = new Set<number>();
  /** Encapsulation priority: bridged (L2) traffic and routed (L3) traffic. */
  encapL2: readonly Encap[] = ['vxlan', 'mpls-udp'];
  encapL3: readonly Encap[] = ['mpls-udp', 'vxlan'];
  /** Local ports in this VRF. */
  readonly ports = new Set<number>();

  constructor(id: number, name: string, lpmNodes = 64) {
    this.id = id;
    this.name = name;
    this.lpm4 = new LpmTrie(32, { initialNodes: lpmNodes });
    this.lpm6 = new LpmTrie(128, { initialNodes: lpmNodes });
  }

  /** Installs a route; returns the next hop id it replaced, or -1. */
  addRoute(p: ParsedPrefix, nextHop: number): number {
    const t = p.family === 4 ? this.lpm4 : this.lpm6;
    const old = t.get(p.addr, p.len);
    t.insert(p.addr, p.len, nextHop);
    return old;
  }

  /** Removes a route; returns its next hop id, or -1 when absent. */
  deleteRoute(p: ParsedPrefix): number {
    const t = p.family === 4 ? this.lpm4 : this.lpm6;
    const old = t.get(p.addr, p.len);
    if (old >= 0) t.delete(p.addr, p.len);
    return old;
  }

  *routes(): IterableIterator<{ prefix: string; nextHop: number }> {
    for (const e of this.lpm4.entries()) yield { prefix: formatPrefix(4, e.addr, e.len), nextHop: e.value };
    for (const e of this.lpm6.entries()) yield { prefix: formatPrefix(6, e.addr, e.len), nextHop: e.value };
  }
}
