// RouteDb path sources the gateways tell apart (contract C): agents' paths are exported, gateways' are imported.
export const AGENT_SOURCE_PREFIX = 'agent:';
export const BGP_SOURCE_PREFIX = 'bgp:';

export function bgpSource(peer: string): string {
  return `${BGP_SOURCE_PREFIX}${peer}`;
}
