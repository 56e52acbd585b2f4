// Complex types of the Tungsten Fabric configuration schema (vnc_cfg.xsd), by their schema names, for the fields
// Filament uses. Field names are those of the schema; Filament checks them and keeps them as given.
import { any, arr, bool, int, obj, oneOf, str } from './spec.js';

export const KeyValuePair = obj('KeyValuePair', { key: str(), value: str() }, ['key']);
export const KeyValuePairs = obj('KeyValuePairs', { key_value_pair: arr(KeyValuePair) });

export const IdPermsType = obj('IdPermsType', {
  enable: bool(),
  description: str(),
  user_visible: bool(),
  created: str({ readonly: true }),
  last_modified: str({ readonly: true }),
  creator: str(),
  uuid: any('uuid as two 64-bit halves; informational'),
  permissions: any(),
});

export const ShareType = obj('ShareType', { tenant: str(), tenant_access: int({ min: 0, max: 7 }) });
export const PermType2 = obj('PermType2', {
  owner: str(),
  owner_access: int({ min: 0, max: 7 }),
  global_access: int({ min: 0, max: 7 }),
  share: arr(ShareType),
});

export const SubnetType = obj(
  'SubnetType',
  { ip_prefix: str({ format: 'ip' }), ip_prefix_len: int({ min: 0, max: 128 }) },
  ['ip_prefix', 'ip_prefix_len'],
);
export const SubnetListType = obj('SubnetListType', { subnet: arr(SubnetType) });

export const AllocationPoolType = obj(
  'AllocationPoolType',
  { start: str({ format: 'ip' }), end: str({ format: 'ip' }), vrouter_specific_pool: bool() },
  ['start', 'end'],
);

export const RouteType = obj('RouteType', {
  prefix: str(),
  next_hop: str(),
  next_hop_type: str(),
  community_attributes: any(),
});
export const RouteTableType = obj('RouteTableType', { route: arr(RouteType) });
export const DhcpOptionType = obj('DhcpOptionType', {
  dhcp_option_name: str(),
  dhcp_option_value: str(),
  dhcp_option_value_bytes: str(),
});
export const DhcpOptionsListType = obj('DhcpOptionsListType', { dhcp_option: arr(DhcpOptionType) });

export const IpamSubnetType = obj('IpamSubnetType', {
  subnet: SubnetType,
  default_gateway: str({ format: 'ip' }),
  dns_server_address: str({ format: 'ip' }),
  allocation_pools: arr(AllocationPoolType),
  enable_dhcp: bool(),
  dns_nameservers: arr(str({ format: 'ip' })),
  dhcp_option_list: DhcpOptionsListType,
  host_routes: RouteTableType,
  subnet_uuid: str({ format: 'uuid' }),
  subnet_name: str(),
  addr_from_start: bool(),
  alloc_unit: int({ min: 1 }),
  created: str(),
  last_modified: str(),
  subscriber_tag: str(),
  subnetpool: str(),
});
export const VnSubnetsType = obj('VnSubnetsType', {
  ipam_subnets: arr(IpamSubnetType),
  host_routes: RouteTableType,
});
export const IpamSubnets = obj('IpamSubnets', { subnets: arr(IpamSubnetType) });
export const IpamType = obj('IpamType', {
  ipam_method: oneOf(['dhcp', 'fixed']),
  ipam_dns_method: oneOf(['none', 'default-dns-server', 'tenant-dns-server', 'virtual-dns-server']),
  ipam_dns_server: any(),
  dhcp_option_list: DhcpOptionsListType,
  host_routes: RouteTableType,
  cidr_block: SubnetType,
});

export const VirtualNetworkType = obj('VirtualNetworkType', {
  allow_transit: bool(),
  network_id: int({ readonly: true }),
  vxlan_network_identifier: int({ min: 1, max: 16777215 }),
  forwarding_mode: oneOf(['l2_l3', 'l2', 'l3']),
  rpf: oneOf(['enable', 'disable']),
  mirror_destination: bool(),
  max_flows: int({ min: 0 }),
});
/** global-vrouter-config encapsulation_priorities: tunnel types in the order agents prefer them. */
export const EncapsulationPrioritiesType = obj('EncapsulationPrioritiesType', {
  encapsulation: arr(oneOf(['MPLSoGRE', 'MPLSoUDP', 'VXLAN']), 3),
});
export const RouteTargetList = obj('RouteTargetList', { route_target: arr(str({ format: 'route-target' })) });
export const SequenceType = obj('SequenceType', { major: int(), minor: int() });
export const TimerType = obj('TimerType', {
  start_time: str(),
  on_interval: str(),
  off_interval: str(),
  end_time: str(),
});
export const VirtualNetworkPolicyType = obj('VirtualNetworkPolicyType', {
  sequence: SequenceType,
  timer: TimerType,
});

export const PortType = obj('PortType', {
  start_port: int({ min: -1, max: 65535 }),
  end_port: int({ min: -1, max: 65535 }),
});
export const AddressType = obj('AddressType', {
  security_group: str(),
  subnet: SubnetType,
  virtual_network: str(),
  network_policy: str(),
  subnet_list: arr(SubnetType),
});
export const MirrorActionType = obj('MirrorActionType', {
  analyzer_name: str(),
  analyzer_ip_address: str(),
  udp_port: int(),
  encapsulation: str(),
  routing_instance: str(),
});
export const ActionListType = obj('ActionListType', {
  simple_action: oneOf(['deny', 'pass']),
  gateway_name: str(),
  apply_service: arr(str()),
  mirror_to: MirrorActionType,
  assign_routing_instance: str(),
  log: bool(),
  alert: bool(),
  qos_action: str(),
  host_based_service: bool(),
});
export const PolicyRuleType = obj(
  'PolicyRuleType',
  {
    rule_sequence: SequenceType,
    rule_uuid: str(),
    direction: oneOf(['>', '<', '<>']),
    protocol: str({ maxLength: 16 }),
    src_addresses: arr(AddressType),
    src_ports: arr(PortType),
    application: arr(str()),
    dst_addresses: arr(AddressType),
    dst_ports: arr(PortType),
    action_list: ActionListType,
    ethertype: oneOf(['IPv4', 'IPv6']),
    created: str(),
    last_modified: str(),
  },
  ['protocol'],
);
export const PolicyEntriesType = obj('PolicyEntriesType', { policy_rule: arr(PolicyRuleType) });

export const MacAddressesType = obj('MacAddressesType', { mac_address: arr(str({ format: 'mac' }), 64) });

export const FirewallServiceType = obj('FirewallServiceType', {
  protocol: str({ maxLength: 16 }),
  protocol_id: int({ min: 0, max: 255 }),
  src_ports: PortType,
  dst_ports: PortType,
});
export const FirewallServiceGroupType = obj('FirewallServiceGroupType', {
  firewall_service: arr(FirewallServiceType),
});
export const FirewallRuleEndpointType = obj('FirewallRuleEndpointType', {
  subnet: SubnetType,
  tags: arr(str()),
  tag_ids: arr(int()),
  virtual_network: str(),
  any: bool(),
  address_group: str(),
});
export const FirewallRuleMatchTagsType = obj('FirewallRuleMatchTagsType', { tag_list: arr(str()) });
export const FirewallRuleMatchTagsTypeIdList = obj('FirewallRuleMatchTagsTypeIdList', {
  tag_type: arr(int()),
});
export const FirewallSequence = obj('FirewallSequence', { sequence: str() });

export const AddressFamilies = obj('AddressFamilies', {
  family: arr(
    oneOf([
      'inet',
      'inet-labeled',
      'inet-vpn',
      'e-vpn',
      'erm-vpn',
      'route-target',
      'inet6',
      'inet-mvpn',
      'inet6-vpn',
    ]),
  ),
});
export const BgpRouterParams = obj('BgpRouterParams', {
  admin_down: bool(),
  vendor: str(),
  cluster_id: int({ min: 0 }),
  autonomous_system: int({ min: 1, max: 4294967295 }),
  identifier: str({ format: 'ipv4' }),
  address: str({ format: 'ip' }),
  port: int({ min: 1, max: 65535 }),
  source_port: int({ min: 0, max: 65535 }),
  hold_time: int({ min: 0, max: 65535 }),
  address_families: AddressFamilies,
  auth_data: any(),
  local_autonomous_system: int({ min: 1, max: 4294967295 }),
  router_type: oneOf(['control-node', 'external-control-node', 'router', 'bgpaas-server', 'bgpaas-client']),
  gateway_address: str({ format: 'ip' }),
});
export const InstanceTargetType = obj('InstanceTargetType', { import_export: oneOf(['import', 'export']) });
export const FloatingIpPoolSubnetType = obj('FloatingIpPoolSubnetType', {
  subnet_uuid: arr(str({ format: 'uuid' })),
});
