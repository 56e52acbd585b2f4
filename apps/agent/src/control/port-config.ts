// A port's configuration, resolved from the config graph the way TF's agent builds a VM interface: the
// virtual-machine-interface by the port's uuid, its virtual-network, the VN's routing instance (VRF
// `<vn fq_name>:<vn>`), VNI, subnets and gateways (network_ipam_refs' ipam_subnets), the interface's
// addresses (instance-ips, else the port request's), DNS and MTU, and the encapsulation priority of
// global-vrouter-config.

import { isIPv4 } from 'node:net';
import type { Encap } from '../nexthop.js';
import { type ConfigIndex, objAt, refsOf, type TfObject } from './config-graph.js';
import { DEFAULT_ENCAP_PRIORITY, encapsFromConfig } from './encap-names.js';
import type { PortRequest } from './port-request.js';

export interface ResolvedPort {
  /** The VMI's node name (fq_name joined with ':'), the policy compiler's interface name. */
  vmi: string;
  vn: string;
  vrf: string;
  /** VXLAN network identifier, or -1. */
  vni: number;
  mac: string;
  ip4: string;
  prefixLen: number;
  gateway: string;
  dns: string[];
  mtu?: number;
  ip6?: string;
  /** Every IPv4 gateway of the VN's subnets (the distributed gateway answers for all of them). */
  gateways: string[];
  encaps: Encap[];
  /** A floating IP of the interface (1:1 NAT into another VN), when its VN is in the config. */
  fip?: FloatingIpConfig;
}

/** The VRF side of a network: what `Agent.addVrf` needs. */
export interface NetworkVrf {
  vn: string;
  vrf: string;
  vni: number;
  gateways: string[];
  encaps: Encap[];
}

export interface FloatingIpConfig extends NetworkVrf {
  address: string;
}

export type Resolution = { ok: true; port: ResolvedPort } | { ok: false; why: string };

interface Subnet {
  prefix: string;
  len: number;
  gateway: string;
  dns: string;
}

function ipv4Int(a: string): number {
  const p = a.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function contains(s: Subnet, a: string): boolean {
  if (!isIPv4(a) || !isIPv4(s.prefix)) return false;
  const mask = s.len === 0 ? 0 : (0xffffffff << (32 - s.len)) >>> 0;
  return (ipv4Int(a) & mask) >>> 0 === (ipv4Int(s.prefix) & mask) >>> 0;
}

/** The VN's IPv4/IPv6 subnets from its network_ipam_refs. */
export function subnetsOf(vn: TfObject): Subnet[] {
  const out: Subnet[] = [];
  for (const r of refsOf(vn, 'network_ipam_refs')) {
    const list = r.attr.ipam_subnets;
    if (!Array.isArray(list)) continue;
    for (const s of list) {
      const prefix = objAt(s, 'subnet', 'ip_prefix');
      const len = Number(objAt(s, 'subnet', 'ip_prefix_len'));
      if (typeof prefix !== 'string' || !Number.isInteger(len)) continue;
      const gw = objAt(s, 'default_gateway');
      const dns = objAt(s, 'dns_server_address');
      out.push({
        prefix,
        len,
        gateway: typeof gw === 'string' ? gw : '',
        dns: typeof dns === 'string' ? dns : '',
      });
    }
  }
  return out;
}

/** The VNI: virtual_network_properties.vxlan_network_identifier, else the network id (TF's automatic mode). */
export function vniOf(vn: TfObject): number {
  const v = Number(objAt(vn, 'virtual_network_properties', 'vxlan_network_identifier'));
  if (Number.isInteger(v) && v > 0 && v < 1 << 24) return v;
  const id = Number(vn.virtual_network_network_id);
  return Number.isInteger(id) && id > 0 && id < 1 << 24 ? id : -1;
}

/** Encapsulation priority from the (one) global-vrouter-config, else TF's default. */
export function encapPriority(cfg: ConfigIndex): Encap[] {
  for (const name of cfg.names('global-vrouter-config')) {
    const list = objAt(cfg.get('global-vrouter-config', name), 'encapsulation_priorities', 'encapsulation');
    if (Array.isArray(list)) {
      const e = encapsFromConfig(list);
      if (e.length > 0) return e;
    }
  }
  return [...DEFAULT_ENCAP_PRIORITY];
}

/** The routing instance of a VN, `<vn fq_name>:<vn name>` (contract B). */
export function vrfNameOf(vn: string): string {
  return `${vn}:${vn.split(':').pop()}`;
}

export function resolvePort(cfg: ConfigIndex, req: PortRequest): Resolution {
  const found = cfg.byUuid('virtual-machine-interface', req.id);
  if (!found) return { ok: false, why: 'waiting for the virtual-machine-interface config' };
  const { name: vmi, obj } = found;
  const vnRef = refsOf(obj, 'virtual_network_refs')[0];
  if (!vnRef) return { ok: false, why: 'the interface has no virtual network' };
  const vnObj = cfg.get('virtual-network', vnRef.name);
  if (!vnObj) return { ok: false, why: `waiting for virtual-network ${vnRef.name}` };
  let ip4 = '';
  let ip6: string | undefined;
  for (const iip of cfg.neighbours('virtual-machine-interface', vmi, 'instance-ip')) {
    const o = cfg.get('instance-ip', iip);
    const a = o?.instance_ip_address;
    if (typeof a !== 'string') continue;
    if (isIPv4(a) && ip4 === '') ip4 = a;
    else if (a.includes(':') && ip6 === undefined) ip6 = a;
  }
  if (ip4 === '') ip4 = req.ipAddress;
  if (ip6 === undefined && req.ip6Address !== '') ip6 = req.ip6Address;
  if (ip4 === '') return { ok: false, why: 'no IPv4 address (instance-ip or ip-address)' };
  const subnets = subnetsOf(vnObj);
  const sub = subnets.find((s) => contains(s, ip4));
  if (!sub) return { ok: false, why: `${ip4} is in none of ${vnRef.name}'s subnets` };
  const gateway = sub.gateway !== '' ? sub.gateway : `${sub.prefix.split('.').slice(0, 3).join('.')}.1`;
  const macs = objAt(obj, 'virtual_machine_interface_mac_addresses', 'mac_address');
  const mac = Array.isArray(macs) && typeof macs[0] === 'string' ? macs[0].toLowerCase() : req.macAddress;
  const mtu = Number(objAt(vnObj, 'virtual_network_properties', 'mtu'));
  const port: ResolvedPort = {
    vmi,
    vn: vnRef.name,
    vrf: vrfNameOf(vnRef.name),
    vni: vniOf(vnObj),
    mac,
    ip4,
    prefixLen: sub.len,
    gateway,
    dns: [sub.dns !== '' ? sub.dns : gateway],
    gateways: [...new Set(subnets.filter((s) => isIPv4(s.gateway)).map((s) => s.gateway))],
    encaps: encapPriority(cfg),
  };
  if (!port.gateways.includes(gateway)) port.gateways.push(gateway);
  const fip = floatingIpOf(cfg, vmi, port.encaps);
  if (fip !== undefined) port.fip = fip;
  if (Number.isInteger(mtu) && mtu >= 576 && mtu <= 9216) port.mtu = mtu;
  if (ip6 !== undefined) port.ip6 = ip6;
  return { ok: true, port };
}

/**
 * The interface's first IPv4 floating IP whose network is known: floating-ip -> its floating-ip-pool -> the
 * pool's virtual-network (the parent links; the fq_name chain `<vn>:<pool>:<fip>` when they are missing).
 */
function floatingIpOf(cfg: ConfigIndex, vmi: string, encaps: Encap[]): FloatingIpConfig | undefined {
  for (const name of cfg.neighbours('virtual-machine-interface', vmi, 'floating-ip').sort()) {
    const address = cfg.get('floating-ip', name)?.floating_ip_address;
    if (typeof address !== 'string' || !isIPv4(address)) continue;
    const pool =
      cfg.neighbours('floating-ip', name, 'floating-ip-pool')[0] ?? name.split(':').slice(0, -1).join(':');
    const vn =
      cfg.neighbours('floating-ip-pool', pool, 'virtual-network')[0] ??
      pool.split(':').slice(0, -1).join(':');
    const vnObj = cfg.get('virtual-network', vn);
    if (!vnObj) continue;
    const gateways = subnetsOf(vnObj)
      .filter((s) => isIPv4(s.gateway))
      .map((s) => s.gateway);
    return { address, vn, vrf: vrfNameOf(vn), vni: vniOf(vnObj), gateways, encaps };
  }
  return undefined;
}

/** What must be equal for an attached port to stay as it is. */
export function attachKey(p: ResolvedPort): string {
  return [p.vrf, p.mac, p.ip4, p.prefixLen, p.gateway, p.dns.join(','), p.mtu ?? '', p.ip6 ?? ''].join('|');
}
