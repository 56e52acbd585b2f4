// @filament/agent public API: one line per concept.
export { Agent, type AgentOptions, type RouteTarget, type VrfSpec } from './agent.js';
export { flood } from './bum.js';
export {
  AGENT_USAGE,
  type AgentConfig,
  type HostPort,
  type ParsedArgs,
  parseAgentArgs,
  parseHostPort,
} from './config.js';
export {
  AgentControl,
  type AgentControlOptions,
  type PortState,
  type PortStatus,
} from './control/agent-control.js';
export { type RunningAgent, type StartAgentOptions, startAgent } from './control/agent-process.js';
export { ControlChannels, type ControlChannelsOptions, type ControllerState } from './control/channels.js';
export * from './control/errors.js';
export { bumRoute, type LocalRouteSpec, portRoutes } from './control/local-routes.js';
export {
  type PortRequest,
  parsePortRequest,
  portRequestJson,
  type WorkloadKind,
} from './control/port-request.js';
export { PortStore } from './control/port-store.js';
export { RemoteRoutes, type RemoteRoutesOptions } from './control/remote-routes.js';
export { dhcpReply } from './dhcp-server.js';
export * from './errors.js';
export { Forwarder, type ForwarderOptions, type UnderlaySend } from './forwarder.js';
export { agentMetrics, Introspect, type IntrospectExtension } from './introspect.js';
export { LabelTable, MAX_LABEL, MIN_LABEL } from './label-table.js';
export { BROADCAST_MAC, MacTable, macAt, macFromText, macText, putMac } from './mac-table.js';
export { Counters, DROP_REASON_NAMES, DropReason, type MetricFamily, prometheusText } from './metrics.js';
export {
  type Encap,
  EncapCode,
  ipv4Number,
  NextHop,
  NextHopKind,
  NextHopTable,
  NH_DISCARD,
  NH_RECEIVE,
  NH_RESOLVE,
  type TunnelSpec,
} from './nexthop.js';
export { DEFAULT_PORT_API_PORT, PortApi, type PortApiOptions } from './port-api.js';
export { Port, type PortDeliver, type PortIpam, type PortSpec } from './ports.js';
export { HEADROOM, PacketRing, SLOT_BYTES } from './ring.js';
export {
  openTap,
  type TapCounters,
  TapDevice,
  TapHelperDiedError,
  TapNameError,
  TapOpenError,
  type TapOptions,
  type TapSupport,
  TapUnsupportedError,
  tapPython,
  tapSupported,
} from './tap/index.js';
export { MPLS_UDP_PORT, Underlay, type UnderlayOptions, VXLAN_PORT } from './underlay.js';
export { VniTable } from './vni-table.js';
export { formatPrefix, type ParsedPrefix, parsePrefix, Vrf } from './vrf.js';
export { type DhcpLease, type EchoReply, Workload, type WorkloadOptions } from './workload.js';
