// Subnets of a virtual network (the IpamSubnetType list in the attr of its network_ipam_refs): validation,
// server defaults (subnet_uuid, default gateway = first host, DNS service address = second host) and the ranges
// instance addresses are allocated from (the allocation pools, or the whole subnet less network/broadcast), with
// the gateway and DNS addresses reserved.
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import {
  type Addr,
  bits,
  contains,
  formatAddr,
  formatPrefix,
  lastOf,
  overlaps,
  type Prefix,
  parseAddr,
  prefixOf,
} from './address.js';

export interface IpamSubnet {
  subnet?: { ip_prefix: string; ip_prefix_len: number };
  default_gateway?: string;
  dns_server_address?: string;
  allocation_pools?: { start: string; end: string }[];
  subnet_uuid?: string;
  addr_from_start?: boolean;
  [k: string]: unknown;
}

export interface SubnetPlan {
  uuid: string;
  prefix: Prefix;
  /** Inclusive [start, end] ranges to allocate from. */
  ranges: [bigint, bigint][];
  reserved: Set<bigint>;
  /** addr_from_start: allocate upwards from the lowest address (true) or downwards from the highest (false). */
  fromStart: boolean;
}

function addrIn(path: string, s: string | undefined, p: Prefix): Addr | undefined {
  if (s === undefined) return undefined;
  const a = parseAddr(s);
  if (!a || !contains(p, a)) throw new ValidationError(path, `${s} is not inside ${formatPrefix(p)}`);
  return a;
}

/** Checks and completes subnets in place; `others` are subnets of the same network kept from before. */
export function normalizeSubnets(subnets: IpamSubnet[], path: string, taken: Prefix[] = []): SubnetPlan[] {
  const plans: SubnetPlan[] = [];
  const seen: Prefix[] = [...taken];
  subnets.forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (!s.subnet) throw new ValidationError(`${at}.subnet`, 'is required');
    const p = prefixOf(s.subnet.ip_prefix, s.subnet.ip_prefix_len);
    if (!p)
      throw new ValidationError(
        `${at}.subnet.ip_prefix_len`,
        `must be <= ${bits(parseAddr(s.subnet.ip_prefix)?.family ?? 4)}`,
      );
    if (p.network !== parseAddr(s.subnet.ip_prefix)!.value) {
      throw new ValidationError(
        `${at}.subnet.ip_prefix`,
        `has host bits set for /${p.len} (network is ${formatPrefix(p)})`,
      );
    }
    if (p.len > bits(p.family) - 2)
      throw new ValidationError(`${at}.subnet.ip_prefix_len`, 'leaves no room for hosts');
    const clash = seen.find((o) => overlaps(o, p));
    if (clash)
      throw new ValidationError(`${at}.subnet`, `${formatPrefix(p)} overlaps ${formatPrefix(clash)}`);
    seen.push(p);
    const fam = p.family;
    const first = p.network + 1n;
    const last = fam === 4 ? lastOf(p) - 1n : lastOf(p);
    s.subnet_uuid ??= randomUUID();
    s.default_gateway ??= formatAddr({ family: fam, value: first });
    s.dns_server_address ??= formatAddr({ family: fam, value: first + 1n });
    s.enable_dhcp ??= true;
    s.addr_from_start ??= true;
    const reserved = new Set<bigint>([p.network]);
    const gw = addrIn(`${at}.default_gateway`, s.default_gateway, p);
    const dns = addrIn(`${at}.dns_server_address`, s.dns_server_address, p);
    if (gw) reserved.add(gw.value);
    if (dns) reserved.add(dns.value);
    if (fam === 4) reserved.add(lastOf(p));
    let ranges: [bigint, bigint][] = [[first, last]];
    if (s.allocation_pools && s.allocation_pools.length > 0) {
      ranges = s.allocation_pools.map((pool, j) => {
        const a = addrIn(`${at}.allocation_pools[${j}].start`, pool.start, p)!;
        const b = addrIn(`${at}.allocation_pools[${j}].end`, pool.end, p)!;
        if (a.value > b.value)
          throw new ValidationError(`${at}.allocation_pools[${j}]`, 'start is after end');
        return [a.value, b.value];
      });
    }
    plans.push({ uuid: s.subnet_uuid, prefix: p, ranges, reserved, fromStart: s.addr_from_start !== false });
  });
  return plans;
}

/** Subnet plans of a network from its stored network_ipam_refs attrs. */
export function plansOf(refs: { attr?: unknown }[]): SubnetPlan[] {
  const all: IpamSubnet[] = [];
  for (const r of refs) {
    const attr = r.attr as { ipam_subnets?: IpamSubnet[] } | undefined;
    for (const s of attr?.ipam_subnets ?? []) all.push(structuredClone(s));
  }
  return normalizeSubnets(all, 'network_ipam_refs.attr.ipam_subnets');
}
