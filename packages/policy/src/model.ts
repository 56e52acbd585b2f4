// The input model, in plain objects: the policy objects (what a controller's config API stores) and the
// inventory (where workloads are and what they carry). Field meanings follow Tungsten Fabric's schema
// (firewall_policy.xsd, vnc_cfg.xsd); names are camelCase here, the loader in tf-objects.ts maps the REST shape.
import { InvalidPortRangeError, InvalidProtocolError } from './errors.js';

/** `tcp`, `udp`, `icmp`, `icmp6`, `sctp`, `any`, or an IP protocol number 0..255. */
export type ProtocolSpec = string | number;
/** Inclusive port range; a single number means that port. */
export type PortSpec = number | readonly [number, number] | { start: number; end: number };

export interface ServiceSpec {
  protocol: ProtocolSpec;
  srcPorts?: PortSpec;
  dstPorts?: PortSpec;
}

/** One firewall-rule endpoint: exactly one of these keys. */
export type EndpointSpec =
  | { tags: readonly string[] }
  | { addressGroup: string }
  | { virtualNetwork: string }
  | { subnet: string }
  | { any: true };

export interface FirewallRuleSpec {
  /** Rule id (TF: uuid or fq_name); carried on every compiled entry. */
  name: string;
  action: 'pass' | 'deny';
  log?: boolean;
  endpoint1: EndpointSpec;
  endpoint2: EndpointSpec;
  direction: '>' | '<' | '<>';
  /** Exactly one of service or serviceGroup. */
  service?: ServiceSpec;
  serviceGroup?: string;
  /** Tag types whose values must be equal at both ends (e.g. ['deployment']). */
  matchTags?: readonly string[];
}

export interface FirewallPolicySpec {
  name: string;
  /** Ordered by `sequence`, compared as strings as TF does ("0.1" < "1.01" < "10" < "2"). */
  rules: readonly { sequence: string; rule: string }[];
}

export interface ApplicationPolicySetSpec {
  name: string;
  /** `global` (policy-management) or a project name. */
  scope?: string;
  policies: readonly { sequence: string; policy: string }[];
  /** The `application=...` tag this set is bound to. */
  applicationTag?: string;
  /** Applies to every interface (global scope) or every interface of the project (project scope). */
  allApplications?: boolean;
}

export interface AddressGroupSpec {
  name: string;
  prefixes?: readonly string[];
  /** `label=...` tags: interfaces carrying any of them are members. */
  labels?: readonly string[];
}

export interface ServiceGroupSpec {
  name: string;
  services: readonly ServiceSpec[];
}

export interface SecurityGroupRuleSpec {
  name: string;
  direction: 'ingress' | 'egress';
  ethertype?: 'IPv4' | 'IPv6';
  protocol?: ProtocolSpec;
  /** Destination ports. */
  ports?: PortSpec;
  /** Remote end: a prefix, another security group's members, or any (of the ethertype). */
  remote?: { cidr: string } | { securityGroup: string } | { any: true };
}

export interface SecurityGroupSpec {
  name: string;
  rules: readonly SecurityGroupRuleSpec[];
}

/** Network-policy address: a virtual network, a subnet or any. */
export type NetworkAddressSpec = { virtualNetwork: string } | { subnet: string } | { any: true };

export interface NetworkPolicyRuleSpec {
  name: string;
  direction: '>' | '<>';
  protocol?: ProtocolSpec;
  src: readonly NetworkAddressSpec[];
  dst: readonly NetworkAddressSpec[];
  srcPorts?: readonly PortSpec[];
  dstPorts?: readonly PortSpec[];
  action: 'pass' | 'deny';
  /** Service instances the agent steers matching traffic through (apply_service). */
  serviceChain?: readonly string[];
}

export interface NetworkPolicySpec {
  name: string;
  rules: readonly NetworkPolicyRuleSpec[];
}

/** The policy objects. */
export interface PolicyModel {
  /** Custom tag types beyond the predefined label, application, tier, deployment, site, neutron_*. */
  tagTypes?: readonly string[];
  addressGroups?: readonly AddressGroupSpec[];
  serviceGroups?: readonly ServiceGroupSpec[];
  firewallRules?: readonly FirewallRuleSpec[];
  firewallPolicies?: readonly FirewallPolicySpec[];
  applicationPolicySets?: readonly ApplicationPolicySetSpec[];
  securityGroups?: readonly SecurityGroupSpec[];
  networkPolicies?: readonly NetworkPolicySpec[];
}

export interface ProjectSpec {
  name: string;
  tags?: readonly string[];
}

export interface SubnetSpec {
  prefix: string;
  /** Default gateway; defaults to the first address after the network address. */
  gateway?: string;
}

export interface VirtualNetworkSpec {
  name: string;
  project: string;
  subnets?: readonly (string | SubnetSpec)[];
  /** Attached network policies; ordered by (major, minor) numerically. */
  networkPolicies?: readonly { policy: string; major?: number; minor?: number }[];
  tags?: readonly string[];
  portSecurity?: boolean;
}

export interface VmSpec {
  name: string;
  tags?: readonly string[];
}

export interface HostSpec {
  name: string;
  tags?: readonly string[];
}

export interface InterfaceSpec {
  /** Interface name (TF: VMI fq_name joined with ':'). */
  name: string;
  virtualNetwork: string;
  vm?: string;
  host?: string;
  addresses: readonly string[];
  securityGroups?: readonly string[];
  tags?: readonly string[];
  /** Down interfaces have no ACL and are not members of any set. Default up. */
  up?: boolean;
  portSecurity?: boolean;
}

/** Where workloads are. */
export interface Inventory {
  projects?: readonly ProjectSpec[];
  virtualNetworks: readonly VirtualNetworkSpec[];
  vms?: readonly VmSpec[];
  hosts?: readonly HostSpec[];
  interfaces: readonly InterfaceSpec[];
}

export const PROTOCOLS: Readonly<Record<string, number>> = {
  any: -1,
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  'ipv6-icmp': 58,
  sctp: 132,
};

export interface FieldContext {
  objectType: string;
  objectName: string;
  field: string;
}

/** Protocol name or number to a number; -1 means any. */
export function parseProtocol(p: ProtocolSpec | undefined, ctx: FieldContext): number {
  if (p === undefined) return -1;
  if (typeof p === 'number' || /^\d+$/.test(p)) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255)
      throw new InvalidProtocolError(ctx.objectType, ctx.objectName, ctx.field, String(p));
    return n;
  }
  const n = PROTOCOLS[p.toLowerCase()];
  if (n === undefined) throw new InvalidProtocolError(ctx.objectType, ctx.objectName, ctx.field, p);
  return n;
}

/** Port spec to an inclusive [lo, hi]; TF's -1 (or absent) means any. */
export function parsePorts(p: PortSpec | undefined, ctx: FieldContext): [number, number] {
  if (p === undefined) return [0, 65535];
  let lo: number;
  let hi: number;
  if (typeof p === 'number') lo = hi = p;
  else if (Array.isArray(p)) [lo, hi] = p as readonly [number, number];
  else ({ start: lo, end: hi } = p as { start: number; end: number });
  if (lo === -1 && hi === -1) return [0, 65535];
  if (lo === -1) lo = 0;
  if (hi === -1) hi = 65535;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > 65535 || lo > hi)
    throw new InvalidPortRangeError(ctx.objectType, ctx.objectName, ctx.field, lo, hi);
  return [lo, hi];
}

/** TF SequenceNumberType order: plain string comparison ("0.1" < "1.01" < "10" < "2"). */
export function compareSequence(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
