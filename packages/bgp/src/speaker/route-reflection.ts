// RFC 4456: BGP route reflection. Which peers a route may go to (section 6: a reflector sends routes from
// non-clients to clients, from clients to everyone, and every route to external peers; without reflection
// internal routes go only to external peers, RFC 4271 9.2.1), the attributes a reflected route gains
// (ORIGINATOR_ID set once, the CLUSTER_ID prepended to CLUSTER_LIST, section 8), and the loop checks on
// receipt (our router ID as ORIGINATOR_ID, or our CLUSTER_ID in CLUSTER_LIST).
import type { PathAttrs, RouteSource } from './rib/path.js';
import { withAttributes } from './rib/path.js';

export interface ReflectionTarget {
  id: string;
  kind: 'internal' | 'external';
  rrClient: boolean;
}

/** Whether a route from `source` may be advertised to `target`. */
export function mayAdvertise(source: RouteSource, target: ReflectionTarget): boolean {
  if (source.id === target.id) return false;
  if (source.kind !== 'internal' || target.kind === 'external') return true;
  // internal -> internal: only through a reflector
  return source.rrClient || target.rrClient;
}

/** Whether the route is reflected (internal to internal), so it needs ORIGINATOR_ID and CLUSTER_LIST. */
export function isReflected(source: RouteSource, target: ReflectionTarget): boolean {
  return source.kind === 'internal' && target.kind === 'internal';
}

/** RFC 4456 8: the attributes of a reflected route. */
export function reflectAttrs(attrs: PathAttrs, source: RouteSource, clusterId: string): PathAttrs {
  return withAttributes(attrs, {
    set: [
      { type: 'ORIGINATOR_ID', originatorId: attrs.originatorId ?? source.bgpId },
      { type: 'CLUSTER_LIST', clusterIds: [clusterId, ...attrs.clusterList] },
    ],
  });
}

/** RFC 4456 8: a route that came back to its originator or through our cluster is ignored. */
export function reflectionLoop(attrs: PathAttrs, routerId: string, clusterId: string): boolean {
  return attrs.originatorId === routerId || attrs.clusterList.includes(clusterId);
}
