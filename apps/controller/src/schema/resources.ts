// The resource table: every config object type the API serves, with its Tungsten Fabric name, collection URL,
// parent types, properties and reference types (with the link attribute type). The API routes, request
// validation and the OpenAPI document are all generated from this table.
import { arr, bool, int, obj, oneOf, type Spec, str } from './spec.js';
import * as T from './types.js';

export interface RefDef {
  /** Link attribute type, if the reference carries one. */
  attr?: Spec;
}

export interface ResourceDef {
  /** TF type name, also the item URL segment: /virtual-network/{uuid}. */
  type: string;
  /** Collection URL segment: /virtual-networks. */
  plural: string;
  /** Allowed parent types; 'config-root' means no parent (fq_name of length 1). */
  parents: readonly string[];
  props: Record<string, Spec>;
  /** Reference types by target type; the JSON field is <target_with_underscores>_refs. */
  refs: Record<string, RefDef>;
  /** Properties that must be present on create. */
  required?: readonly string[];
  /** Reference types that must be present on create. */
  requiredRefs?: readonly string[];
  desc: string;
}

/** Properties every resource has. */
export const COMMON_PROPS: Record<string, Spec> = {
  display_name: str(),
  id_perms: T.IdPermsType,
  perms2: T.PermType2,
  annotations: T.KeyValuePairs,
};

const policyParents = ['project', 'policy-management'] as const;
const tagRef = { tag: {} };

const table: ResourceDef[] = [
  {
    type: 'domain',
    plural: 'domains',
    parents: ['config-root'],
    props: {},
    refs: {},
    desc: 'An administrative domain; parent of projects.',
  },
  {
    type: 'project',
    plural: 'projects',
    parents: ['domain'],
    props: {},
    refs: { ...tagRef },
    desc: 'A tenant.',
  },
  {
    type: 'global-system-config',
    plural: 'global-system-configs',
    parents: ['config-root'],
    props: {
      autonomous_system: int({ min: 1, max: 4294967295 }),
      enable_4byte_as: bool(),
      ibgp_auto_mesh: bool(),
      ip_fabric_subnets: T.SubnetListType,
      bgp_always_compare_med: bool(),
      config_version: str(),
    },
    refs: { 'bgp-router': {} },
    desc: 'System-wide settings: the autonomous system, iBGP mesh.',
  },
  {
    type: 'global-vrouter-config',
    plural: 'global-vrouter-configs',
    parents: ['global-system-config'],
    props: {
      encapsulation_priorities: T.EncapsulationPrioritiesType,
    },
    refs: {},
    desc:
      'vRouter-wide settings, pushed to every agent: the tunnel encapsulations in the order agents use them ' +
      '(TF default MPLSoUDP, MPLSoGRE, VXLAN).',
  },
  {
    type: 'policy-management',
    plural: 'policy-managements',
    parents: ['config-root'],
    props: {},
    refs: {},
    desc: 'Container of global firewall policies, rules and groups.',
  },
  {
    type: 'network-ipam',
    plural: 'network-ipams',
    parents: ['project'],
    props: {
      network_ipam_mgmt: T.IpamType,
      ipam_subnet_method: oneOf(['user-defined-subnet', 'flat-subnet', 'auto-subnet']),
      ipam_subnets: T.IpamSubnets,
      ipam_subnetting: bool(),
    },
    refs: {},
    desc: 'IP address management: DHCP/DNS method and, for flat-subnet IPAMs, the subnets.',
  },
  {
    type: 'virtual-network',
    plural: 'virtual-networks',
    parents: ['project'],
    props: {
      virtual_network_properties: T.VirtualNetworkType,
      virtual_network_network_id: int({ readonly: true, desc: 'Allocated by the server.' }),
      route_target_list: T.RouteTargetList,
      import_route_target_list: T.RouteTargetList,
      export_route_target_list: T.RouteTargetList,
      router_external: bool(),
      is_shared: bool(),
      flood_unknown_unicast: bool(),
      mac_learning_enabled: bool(),
      port_security_enabled: bool(),
      address_allocation_mode: oneOf([
        'user-defined-subnet-preferred',
        'user-defined-subnet-only',
        'flat-subnet-preferred',
        'flat-subnet-only',
      ]),
      layer2_control_word: bool(),
    },
    refs: {
      'network-ipam': { attr: T.VnSubnetsType },
      'network-policy': { attr: T.VirtualNetworkPolicyType },
      ...tagRef,
    },
    desc: 'A virtual network; its subnets are the attributes of its network_ipam_refs.',
  },
  {
    type: 'route-target',
    plural: 'route-targets',
    parents: ['config-root'],
    props: {},
    refs: {},
    desc: "A route target; fq_name is ['target:<asn>:<number>'].",
  },
  {
    type: 'routing-instance',
    plural: 'routing-instances',
    parents: ['virtual-network'],
    props: {
      routing_instance_is_default: bool(),
      route_distinguisher: str({
        readonly: true,
        desc: 'Filament: type-0 RD <asn>:<network id> allocated with the network.',
      }),
      static_route_entries: T.RouteTableType,
    },
    refs: { 'route-target': { attr: T.InstanceTargetType }, 'routing-instance': {} },
    desc: 'The routing table of a virtual network (created and deleted with it).',
  },
  {
    type: 'virtual-machine',
    plural: 'virtual-machines',
    parents: ['config-root'],
    props: { server_type: str() },
    refs: { ...tagRef },
    desc: 'A workload (VM, container, pod).',
  },
  {
    type: 'virtual-machine-interface',
    plural: 'virtual-machine-interfaces',
    parents: ['project'],
    props: {
      virtual_machine_interface_mac_addresses: T.MacAddressesType,
      virtual_machine_interface_device_owner: str(),
      virtual_machine_interface_bindings: T.KeyValuePairs,
      virtual_machine_interface_disable_policy: bool(),
      port_security_enabled: bool(),
      virtual_machine_interface_host_routes: T.RouteTableType,
      virtual_machine_interface_dhcp_option_list: T.DhcpOptionsListType,
    },
    refs: { 'virtual-network': {}, 'virtual-machine': {}, 'security-group': {}, ...tagRef },
    requiredRefs: ['virtual-network'],
    desc: 'A port of a workload on a virtual network; a MAC address is allocated if none is given.',
  },
  {
    type: 'instance-ip',
    plural: 'instance-ips',
    parents: ['config-root'],
    props: {
      instance_ip_address: str({ format: 'ip', desc: 'Allocated from the network subnets if absent.' }),
      instance_ip_family: oneOf(['v4', 'v6']),
      instance_ip_mode: oneOf(['active-active', 'active-standby']),
      subnet_uuid: str({ format: 'uuid' }),
      instance_ip_secondary: bool(),
      service_instance_ip: bool(),
      instance_ip_local_ip: bool(),
    },
    refs: { 'virtual-network': {}, 'virtual-machine-interface': {} },
    requiredRefs: ['virtual-network'],
    desc: 'An address of an interface, allocated from its network subnets.',
  },
  {
    type: 'floating-ip-pool',
    plural: 'floating-ip-pools',
    parents: ['virtual-network'],
    props: { floating_ip_pool_subnets: T.FloatingIpPoolSubnetType },
    refs: {},
    desc: 'A pool of floating addresses from the subnets of its (external) network.',
  },
  {
    type: 'floating-ip',
    plural: 'floating-ips',
    parents: ['floating-ip-pool'],
    props: {
      floating_ip_address: str({ format: 'ip' }),
      floating_ip_is_virtual_ip: bool(),
      floating_ip_fixed_ip_address: str({ format: 'ip' }),
      floating_ip_address_family: oneOf(['v4', 'v6']),
      floating_ip_traffic_direction: oneOf(['ingress', 'egress', 'both']),
      floating_ip_port_mappings_enable: bool(),
    },
    refs: { project: {}, 'virtual-machine-interface': {} },
    desc: 'A floating address from its pool, associated with interfaces.',
  },
  {
    type: 'security-group',
    plural: 'security-groups',
    parents: ['project'],
    props: {
      security_group_id: int({ readonly: true }),
      configured_security_group_id: int({ min: 0, max: 7999999 }),
      security_group_entries: T.PolicyEntriesType,
    },
    refs: {},
    desc: 'Stateful rules on interfaces; security_group_id is allocated from 8,000,000.',
  },
  {
    type: 'network-policy',
    plural: 'network-policys',
    parents: ['project'],
    props: { network_policy_entries: T.PolicyEntriesType },
    refs: {},
    desc: 'Rules between networks; attached through virtual-network network_policy_refs.',
  },
  {
    type: 'tag-type',
    plural: 'tag-types',
    parents: ['config-root'],
    props: { tag_type_id: str({ readonly: true, desc: '16-bit id as 0x hex string.' }) },
    refs: {},
    desc: 'A kind of tag (application, tier, site, deployment, label...).',
  },
  {
    type: 'tag',
    plural: 'tags',
    parents: ['config-root', 'project'],
    props: {
      tag_type_name: str({ maxLength: 64 }),
      tag_value: str({ maxLength: 255 }),
      tag_id: str({ readonly: true, desc: '32-bit id (type << 16 | value) as 0x hex string.' }),
      tag_predefined: bool(),
    },
    refs: { 'tag-type': {} },
    required: ['tag_type_name', 'tag_value'],
    desc: "A tag; its name is '<type>=<value>'.",
  },
  {
    type: 'firewall-rule',
    plural: 'firewall-rules',
    parents: policyParents,
    props: {
      action_list: T.ActionListType,
      service: T.FirewallServiceType,
      endpoint_1: T.FirewallRuleEndpointType,
      endpoint_2: T.FirewallRuleEndpointType,
      match_tags: T.FirewallRuleMatchTagsType,
      match_tag_types: T.FirewallRuleMatchTagsTypeIdList,
      direction: oneOf(['<', '>', '<>']),
    },
    refs: { 'service-group': {}, 'address-group': {}, 'virtual-network': {} },
    desc: 'One firewall rule between tag/address/network endpoints.',
  },
  {
    type: 'firewall-policy',
    plural: 'firewall-policys',
    parents: policyParents,
    props: {},
    refs: { 'firewall-rule': { attr: T.FirewallSequence } },
    desc: 'An ordered list of firewall rules.',
  },
  {
    type: 'application-policy-set',
    plural: 'application-policy-sets',
    parents: policyParents,
    props: { all_applications: bool() },
    refs: { 'firewall-policy': { attr: T.FirewallSequence }, ...tagRef },
    desc: 'Firewall policies applied to the workloads of an application tag.',
  },
  {
    type: 'service-group',
    plural: 'service-groups',
    parents: policyParents,
    props: { service_group_firewall_service_list: T.FirewallServiceGroupType },
    refs: {},
    desc: 'A named set of protocol/port services.',
  },
  {
    type: 'address-group',
    plural: 'address-groups',
    parents: policyParents,
    props: { address_group_prefix: T.SubnetListType },
    refs: { ...tagRef },
    desc: 'A named set of prefixes.',
  },
  {
    type: 'virtual-router',
    plural: 'virtual-routers',
    parents: ['global-system-config'],
    props: {
      virtual_router_ip_address: str({ format: 'ip' }),
      virtual_router_type: oneOf(['embedded', 'tor-agent', 'tor-service-node']),
      virtual_router_dpdk_enabled: bool(),
    },
    refs: { 'virtual-machine': {} },
    desc: 'A compute node (vRouter agent).',
  },
  {
    type: 'bgp-router',
    plural: 'bgp-routers',
    parents: ['routing-instance'],
    props: { bgp_router_parameters: T.BgpRouterParams },
    refs: {
      'bgp-router': {
        attr: obj('BgpPeeringAttributes', {
          session: arr(
            obj('BgpSession', {
              uuid: str(),
              attributes: arr(
                obj('BgpSessionAttributes', {
                  bgp_router: str(),
                  address_families: T.AddressFamilies,
                  admin_down: bool(),
                  passive: bool(),
                  hold_time: int(),
                  loop_count: int(),
                  family_attributes: arr(
                    obj('BgpFamilyAttributes', {
                      address_family: str(),
                      loop_count: int(),
                      prefix_limit: obj('BgpPrefixLimit', { maximum: int(), idle_timeout: int() }),
                    }),
                  ),
                }),
              ),
            }),
          ),
        }),
      },
    },
    desc: 'A BGP speaker: a control node or a gateway router peer.',
  },
];

export const RESOURCES: ReadonlyMap<string, ResourceDef> = new Map(table.map((r) => [r.type, r]));
export const BY_PLURAL: ReadonlyMap<string, ResourceDef> = new Map(table.map((r) => [r.plural, r]));

export const field = (type: string): string => type.replaceAll('-', '_');
export const refField = (type: string): string => `${field(type)}_refs`;
export const backRefField = (type: string): string => `${field(type)}_back_refs`;
export const childField = (type: string): string => `${field(type)}s`;

/** Child types of each type (from the parents lists). */
export const CHILDREN: ReadonlyMap<string, string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const r of table) for (const p of r.parents) m.set(p, [...(m.get(p) ?? []), r.type]);
  return m;
})();

/** The type names of every reference field that can point at `type`, by source type. */
export const BACK_REF_SOURCES: ReadonlyMap<string, string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const r of table) for (const t of Object.keys(r.refs)) m.set(t, [...(m.get(t) ?? []), r.type]);
  return m;
})();

/** Reference JSON shape: {to: fq_name, uuid, attr}; either `to` or `uuid` identifies the target on input. */
export function refSpec(def: RefDef, target: string): Spec {
  const fields: Record<string, Spec> = {
    to: arr(str(), 64),
    uuid: str({ format: 'uuid' }),
    href: str(),
  };
  if (def.attr) fields.attr = def.attr;
  else fields.attr = { t: 'any' };
  return obj(`Ref_${field(target)}`, fields);
}
