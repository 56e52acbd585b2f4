// RFC 7313 3.1: Enhanced Route Refresh capability (code 70), with an empty value.
//
//  +-------+-------+
//  |Code=70| Len=0 |
//  +-------+-------+
import { expectLength } from './error.js';

export interface EnhancedRouteRefreshCapability {
  type: 'enhanced-route-refresh';
}

export function decodeEnhancedRouteRefresh(
  _buf: Uint8Array,
  o: number,
  len: number,
): EnhancedRouteRefreshCapability {
  expectLength('enhanced-route-refresh', o, len, 0);
  return { type: 'enhanced-route-refresh' };
}
