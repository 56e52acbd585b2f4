// Ports: the agent's virtual-machine interfaces. A port is attached to a VRF, has the workload's MAC and
// addresses, an MPLS label the agent allocated for it, its compiled ACL (from @filament/policy) and its
// IPAM data for DHCP. Frames reach the workload through `deliver`, which must copy what it keeps: the
// buffer is the forwarder's and is reused.

import type { AclMatcher } from '@filament/policy';

/** What DHCP hands out on this port (from the IPAM of its subnet). */
export interface PortIpam {
  /** The workload's address and prefix length. */
  address: string;
  prefixLen: number;
  gateway: string;
  /** The workload's IPv6 address, when it has one (a /128 host route to the port is installed). */
  address6?: string;
  dns?: string[];
  mtu?: number;
  leaseSeconds?: number;
  domainName?: string;
  hostname?: string;
}

/** Receives a frame for the workload: `buf[offset, offset + length)`, valid only during the call. */
export type PortDeliver = (buf: Uint8Array, offset: number, length: number) => void;

export interface PortSpec {
  name: string;
  /** The VN's VRF name. */
  vrf: string;
  mac: string;
  ipam: PortIpam;
  /** Compiled ACL of the interface; null or absent: allow everything. */
  acl?: AclMatcher | null;
  deliver: PortDeliver;
}

export class Port {
  readonly index: number;
  readonly name: string;
  readonly vrf: number;
  readonly mac: number;
  readonly macText: string;
  readonly ip4: number;
  readonly gateway4: number;
  readonly ipam: PortIpam;
  acl: AclMatcher | null;
  deliver: PortDeliver;
  label = -1;
  nextHop = -1;
  /** Floating IP (1:1 NAT into another VRF): its VRF id, address, label and next hop; -1/0 when none. */
  fipVrf = -1;
  fip4 = 0;
  fipLabel = -1;
  fipNextHop = -1;
  up = true;
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;

  constructor(index: number, spec: PortSpec, vrf: number, mac: number, ip4: number, gateway4: number) {
    this.index = index;
    this.name = spec.name;
    this.vrf = vrf;
    this.mac = mac;
    this.macText = spec.mac.toLowerCase();
    this.ip4 = ip4;
    this.gateway4 = gateway4;
    this.ipam = spec.ipam;
    this.acl = spec.acl ?? null;
    this.deliver = spec.deliver;
  }
}
