// RFC 2918 2: Route Refresh capability (code 2), with an empty value.
//
//  +-------+-------+
//  | Code=2| Len=0 |
//  +-------+-------+
import { expectLength } from './error.js';

export interface RouteRefreshCapability {
  type: 'route-refresh';
}

export function decodeRouteRefreshCap(_buf: Uint8Array, o: number, len: number): RouteRefreshCapability {
  expectLength('route-refresh', o, len, 0);
  return { type: 'route-refresh' };
}
