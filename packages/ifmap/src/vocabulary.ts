// The vnc_cfg.xsd subset that the control node pushes to agents: per identifier type its properties, refs and
// parents, with the complex types by their schema names. It mirrors the controller's REST schema; the
// controller's tests check that every field it serves has the same shape here.
import { list, obj, type Shape, type TypeVocabulary, type Vocabulary } from './shape.js';

const S = 'string';
const I = 'integer';
const B = 'boolean';
const A = 'any';

const KeyValuePair = obj({ key: S, value: S });
const KeyValuePairs = obj({ key_value_pair: list(KeyValuePair) });
const UuidType = obj({ uuid_mslong: S, uuid_lslong: S });
const PermType = obj({ owner: S, owner_access: I, group: S, group_access: I, other_access: I });
const IdPermsType = obj({
  enable: B,
  description: S,
  user_visible: B,
  created: S,
  last_modified: S,
  creator: S,
  uuid: UuidType,
  permissions: PermType,
});
const ShareType = obj({ tenant: S, tenant_access: I });
const PermType2 = obj({ owner: S, owner_access: I, global_access: I, share: list(ShareType) });
const SubnetType = obj({ ip_prefix: S, ip_prefix_len: I });
const SubnetListType = obj({ subnet: list(SubnetType) });
const AllocationPoolType = obj({ start: S, end: S, vrouter_specific_pool: B });
const RouteType = obj({ prefix: S, next_hop: S, next_hop_type: S, community_attributes: A });
const RouteTableType = obj({ route: list(RouteType) });
const DhcpOptionType = obj({ dhcp_option_name: S, dhcp_option_value: S, dhcp_option_value_bytes: S });
const DhcpOptionsListType = obj({ dhcp_option: list(DhcpOptionType) });
const IpamSubnetType = obj({
  subnet: SubnetType,
  default_gateway: S,
  dns_server_address: S,
  allocation_pools: list(AllocationPoolType),
  enable_dhcp: B,
  dns_nameservers: list(S),
  dhcp_option_list: DhcpOptionsListType,
  host_routes: RouteTableType,
  subnet_uuid: S,
  subnet_name: S,
  addr_from_start: B,
  alloc_unit: I,
  created: S,
  last_modified: S,
  subscriber_tag: S,
  subnetpool: S,
});
const VnSubnetsType = obj({ ipam_subnets: list(IpamSubnetType), host_routes: RouteTableType });
const IpamSubnets = obj({ subnets: list(IpamSubnetType) });
const IpamType = obj({
  ipam_method: S,
  ipam_dns_method: S,
  ipam_dns_server: A,
  dhcp_option_list: DhcpOptionsListType,
  host_routes: RouteTableType,
  cidr_block: SubnetType,
});
const VirtualNetworkType = obj({
  allow_transit: B,
  network_id: I,
  vxlan_network_identifier: I,
  forwarding_mode: S,
  rpf: S,
  mirror_destination: B,
  max_flows: I,
});
const RouteTargetList = obj({ route_target: list(S) });
const SequenceType = obj({ major: I, minor: I });
const TimerType = obj({ start_time: S, on_interval: S, off_interval: S, end_time: S });
const VirtualNetworkPolicyType = obj({ sequence: SequenceType, timer: TimerType });
const PortType = obj({ start_port: I, end_port: I });
const AddressType = obj({
  security_group: S,
  subnet: SubnetType,
  virtual_network: S,
  network_policy: S,
  subnet_list: list(SubnetType),
});
const MirrorActionType = obj({
  analyzer_name: S,
  analyzer_ip_address: S,
  udp_port: I,
  encapsulation: S,
  routing_instance: S,
});
const ActionListType = obj({
  simple_action: S,
  gateway_name: S,
  apply_service: list(S),
  mirror_to: MirrorActionType,
  assign_routing_instance: S,
  log: B,
  alert: B,
  qos_action: S,
  host_based_service: B,
});
const PolicyRuleType = obj({
  rule_sequence: SequenceType,
  rule_uuid: S,
  direction: S,
  protocol: S,
  src_addresses: list(AddressType),
  src_ports: list(PortType),
  application: list(S),
  dst_addresses: list(AddressType),
  dst_ports: list(PortType),
  action_list: ActionListType,
  ethertype: S,
  created: S,
  last_modified: S,
});
const PolicyEntriesType = obj({ policy_rule: list(PolicyRuleType) });
const MacAddressesType = obj({ mac_address: list(S) });
const FirewallServiceType = obj({ protocol: S, protocol_id: I, src_ports: PortType, dst_ports: PortType });
const FirewallServiceGroupType = obj({ firewall_service: list(FirewallServiceType) });
const FirewallRuleEndpointType = obj({
  subnet: SubnetType,
  tags: list(S),
  tag_ids: list(I),
  virtual_network: S,
  any: B,
  address_group: S,
});
const FirewallRuleMatchTagsType = obj({ tag_list: list(S) });
const FirewallRuleMatchTagsTypeIdList = obj({ tag_type: list(I) });
const FirewallSequence = obj({ sequence: S });
const AddressFamilies = obj({ family: list(S) });
const BgpRouterParams = obj({
  admin_down: B,
  vendor: S,
  cluster_id: I,
  autonomous_system: I,
  identifier: S,
  address: S,
  port: I,
  source_port: I,
  hold_time: I,
  address_families: AddressFamilies,
  auth_data: A,
  local_autonomous_system: I,
  router_type: S,
  gateway_address: S,
});
const BgpPeeringAttributes = obj({
  session: list(
    obj({
      uuid: S,
      attributes: list(
        obj({
          bgp_router: S,
          address_families: AddressFamilies,
          admin_down: B,
          passive: B,
          hold_time: I,
          loop_count: I,
          family_attributes: list(
            obj({
              address_family: S,
              loop_count: I,
              prefix_limit: obj({ maximum: I, idle_timeout: I }),
            }),
          ),
        }),
      ),
    }),
  ),
});
const InstanceTargetType = obj({ import_export: S });
const FloatingIpPoolSubnetType = obj({ subnet_uuid: list(S) });
const EncapsulationPrioritiesType = obj({ encapsulation: list(S) });

/** Properties every identifier has. */
export const COMMON_PROPS: Readonly<Record<string, Shape>> = {
  display_name: S,
  id_perms: IdPermsType,
  perms2: PermType2,
  annotations: KeyValuePairs,
};

const policyParents = ['project', 'policy-management'];
const tag = { tag: null };

function def(
  props: Record<string, Shape>,
  refs: Record<string, Shape | null>,
  parents: string[],
): TypeVocabulary {
  return { props: { ...COMMON_PROPS, ...props }, refs, parents };
}

/** The built-in vocabulary (vnc_cfg.xsd names, JSON spelling). */
export const TF_VOCABULARY: Vocabulary = new Map<string, TypeVocabulary>([
  ['domain', def({}, {}, ['config-root'])],
  ['project', def({}, { ...tag }, ['domain'])],
  [
    'global-system-config',
    def(
      {
        autonomous_system: I,
        enable_4byte_as: B,
        ibgp_auto_mesh: B,
        ip_fabric_subnets: SubnetListType,
        bgp_always_compare_med: B,
        config_version: S,
      },
      { 'bgp-router': null },
      ['config-root'],
    ),
  ],
  [
    'global-vrouter-config',
    def(
      {
        encapsulation_priorities: EncapsulationPrioritiesType,
        vxlan_network_identifier_mode: S,
        forwarding_mode: S,
        flow_export_rate: I,
        enable_security_logging: B,
      },
      {},
      ['global-system-config'],
    ),
  ],
  ['policy-management', def({}, {}, ['config-root'])],
  [
    'network-ipam',
    def(
      {
        network_ipam_mgmt: IpamType,
        ipam_subnet_method: S,
        ipam_subnets: IpamSubnets,
        ipam_subnetting: B,
      },
      {},
      ['project'],
    ),
  ],
  [
    'virtual-network',
    def(
      {
        virtual_network_properties: VirtualNetworkType,
        virtual_network_network_id: I,
        route_target_list: RouteTargetList,
        import_route_target_list: RouteTargetList,
        export_route_target_list: RouteTargetList,
        router_external: B,
        is_shared: B,
        flood_unknown_unicast: B,
        mac_learning_enabled: B,
        port_security_enabled: B,
        address_allocation_mode: S,
        layer2_control_word: B,
      },
      { 'network-ipam': VnSubnetsType, 'network-policy': VirtualNetworkPolicyType, ...tag },
      ['project'],
    ),
  ],
  ['route-target', def({}, {}, ['config-root'])],
  [
    'routing-instance',
    def(
      { routing_instance_is_default: B, route_distinguisher: S, static_route_entries: RouteTableType },
      { 'route-target': InstanceTargetType, 'routing-instance': null },
      ['virtual-network'],
    ),
  ],
  ['virtual-machine', def({ server_type: S }, { ...tag }, ['config-root'])],
  [
    'virtual-machine-interface',
    def(
      {
        virtual_machine_interface_mac_addresses: MacAddressesType,
        virtual_machine_interface_device_owner: S,
        virtual_machine_interface_bindings: KeyValuePairs,
        virtual_machine_interface_disable_policy: B,
        port_security_enabled: B,
        virtual_machine_interface_host_routes: RouteTableType,
        virtual_machine_interface_dhcp_option_list: DhcpOptionsListType,
      },
      { 'virtual-network': null, 'virtual-machine': null, 'security-group': null, ...tag },
      ['project'],
    ),
  ],
  [
    'instance-ip',
    def(
      {
        instance_ip_address: S,
        instance_ip_family: S,
        instance_ip_mode: S,
        subnet_uuid: S,
        instance_ip_secondary: B,
        service_instance_ip: B,
        instance_ip_local_ip: B,
      },
      { 'virtual-network': null, 'virtual-machine-interface': null },
      ['config-root'],
    ),
  ],
  ['floating-ip-pool', def({ floating_ip_pool_subnets: FloatingIpPoolSubnetType }, {}, ['virtual-network'])],
  [
    'floating-ip',
    def(
      {
        floating_ip_address: S,
        floating_ip_is_virtual_ip: B,
        floating_ip_fixed_ip_address: S,
        floating_ip_address_family: S,
        floating_ip_traffic_direction: S,
        floating_ip_port_mappings_enable: B,
      },
      { project: null, 'virtual-machine-interface': null },
      ['floating-ip-pool'],
    ),
  ],
  [
    'security-group',
    def(
      { security_group_id: I, configured_security_group_id: I, security_group_entries: PolicyEntriesType },
      {},
      ['project'],
    ),
  ],
  ['network-policy', def({ network_policy_entries: PolicyEntriesType }, {}, ['project'])],
  ['tag-type', def({ tag_type_id: S }, {}, ['config-root'])],
  [
    'tag',
    def({ tag_type_name: S, tag_value: S, tag_id: S, tag_predefined: B }, { 'tag-type': null }, [
      'config-root',
      'project',
    ]),
  ],
  [
    'firewall-rule',
    def(
      {
        action_list: ActionListType,
        service: FirewallServiceType,
        endpoint_1: FirewallRuleEndpointType,
        endpoint_2: FirewallRuleEndpointType,
        match_tags: FirewallRuleMatchTagsType,
        match_tag_types: FirewallRuleMatchTagsTypeIdList,
        direction: S,
      },
      { 'service-group': null, 'address-group': null, 'virtual-network': null },
      policyParents,
    ),
  ],
  ['firewall-policy', def({}, { 'firewall-rule': FirewallSequence }, policyParents)],
  [
    'application-policy-set',
    def({ all_applications: B }, { 'firewall-policy': FirewallSequence, ...tag }, policyParents),
  ],
  [
    'service-group',
    def({ service_group_firewall_service_list: FirewallServiceGroupType }, {}, policyParents),
  ],
  ['address-group', def({ address_group_prefix: SubnetListType }, { ...tag }, policyParents)],
  [
    'virtual-router',
    def(
      { virtual_router_ip_address: S, virtual_router_type: S, virtual_router_dpdk_enabled: B },
      { 'virtual-machine': null },
      ['global-system-config'],
    ),
  ],
  [
    'bgp-router',
    def({ bgp_router_parameters: BgpRouterParams }, { 'bgp-router': BgpPeeringAttributes }, [
      'routing-instance',
    ]),
  ],
]);
