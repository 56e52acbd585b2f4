// RFC 4271 6.8: connection collision detection. When two connections to the same peer both carry OPENs,
// the BGP Identifiers (as unsigned 32-bit numbers) decide: if ours is lower, the connection we initiated is
// closed; otherwise the one the peer initiated is. A collision with an Established session closes the new
// connection. The loser gets Cease / Connection Collision Resolution (RFC 4486 3).
import { ipv4ToNumber } from '../wire.js';

export type ConnectionOrigin = 'local' | 'remote';

/** Which connection to close: the one `local`ly initiated, or the `remote`ly initiated one. */
export function collisionLoser(localBgpId: string, remoteBgpId: string): ConnectionOrigin {
  const l = ipv4ToNumber(localBgpId, 'collision', 'localBgpId');
  const r = ipv4ToNumber(remoteBgpId, 'collision', 'remoteBgpId');
  return l < r ? 'local' : 'remote';
}
