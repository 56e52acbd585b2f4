// What a session agreed on, from our OPEN and the peer's (RFC 5492 capabilities): hold time (RFC 4271
// 4.2: the smaller of the two, 0 or >= 3), multiprotocol families (RFC 4760 8: the families both sent, a side without
// the capability counting as IPv4 unicast), 4-octet AS (RFC 6793), route refresh (RFC 2918) and enhanced route
// refresh (RFC 7313), graceful restart (RFC 4724), add-path per family and direction (RFC 7911 4),
// extended messages (RFC 8654), extended next hop (RFC 8950), and the SessionContext of each direction.
import { Afi, type Family, familyKey, Safi } from '../afi-safi.js';
import type { AddPathMode, Capability, GracefulRestartCapability } from '../capabilities/index.js';
import { type SessionContext, sessionContext } from '../context.js';
import { type OpenMessage, openCapabilities, peerAs } from '../open.js';

export interface GracefulRestartState {
  /** The peer's Restart Time (seconds). */
  restartTime: number;
  /** The peer set the Restart State bit: it is restarting and will send End-of-RIB. */
  restarting: boolean;
  /** RFC 8538 N bit on both sides: NOTIFICATIONs other than Hard Reset keep routes too. */
  notification: boolean;
  /** Families the peer preserves state for, with the Forwarding State bit. */
  families: Map<number, boolean>;
}

export interface Negotiated {
  holdTime: number;
  /** Keepalive interval: one third of the hold time (0 when the hold time is 0). */
  keepaliveTime: number;
  peerAs: number;
  peerBgpId: string;
  internal: boolean;
  /** Families enabled on the session, in our OPEN's order. */
  families: Family[];
  fourOctetAs: boolean;
  extendedMessage: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  /** Families whose NLRI we receive with path identifiers. */
  addPathReceive: Family[];
  /** Families whose NLRI we send with path identifiers. */
  addPathSend: Family[];
  /** Present when both sides sent the graceful restart capability. */
  gracefulRestart: GracefulRestartState | undefined;
  /** Families for which the peer may use IPv6 next hops for IPv4 NLRI (RFC 8950), both having said so. */
  extendedNextHop: Family[];
  /** How to decode what the peer sends. */
  rx: SessionContext;
  /** How to encode what we send. */
  tx: SessionContext;
  local: Capability[];
  remote: Capability[];
}

/** RFC 4271 4.2: the negotiated hold time. */
export function negotiateHoldTime(local: number, remote: number): number {
  return Math.min(local, remote);
}

function mpFamilies(caps: readonly Capability[]): Family[] {
  const out: Family[] = [];
  for (const c of caps) if (c.type === 'multiprotocol') out.push({ afi: c.afi, safi: c.safi });
  return out;
}

function addPathModes(caps: readonly Capability[]): Map<number, AddPathMode> {
  const m = new Map<number, AddPathMode>();
  for (const c of caps) if (c.type === 'add-path') for (const f of c.families) m.set(familyKey(f), f.mode);
  return m;
}

const canSend = (m: AddPathMode | undefined) => m === 'send' || m === 'both';
const canReceive = (m: AddPathMode | undefined) => m === 'receive' || m === 'both';

/** The negotiation of a session from the two OPENs; `localAs` decides internal/external. */
export function negotiateSession(local: OpenMessage, remote: OpenMessage, localAs: number): Negotiated {
  const lc = openCapabilities(local);
  const rc = openCapabilities(remote);
  const has = (caps: readonly Capability[], t: Capability['type']) => caps.some((c) => c.type === t);
  const holdTime = negotiateHoldTime(local.holdTime, remote.holdTime);
  // A side that sent no multiprotocol capability speaks IPv4 unicast only (RFC 4760 8, RFC 5492 3)
  const v4: Family[] = [{ afi: Afi.IPv4, safi: Safi.Unicast }];
  const lf = mpFamilies(lc).length > 0 ? mpFamilies(lc) : v4;
  const rf = mpFamilies(rc).length > 0 ? mpFamilies(rc) : v4;
  const theirs = new Set(rf.map(familyKey));
  const families = lf.filter((f) => theirs.has(familyKey(f)));
  const fourOctetAs = has(lc, 'four-octet-as') && has(rc, 'four-octet-as');
  const extendedMessage = has(lc, 'extended-message') && has(rc, 'extended-message');
  const enabled = new Set(families.map(familyKey));
  const lap = addPathModes(lc);
  const rap = addPathModes(rc);
  const addPathReceive = families.filter(
    (f) => canReceive(lap.get(familyKey(f))) && canSend(rap.get(familyKey(f))),
  );
  const addPathSend = families.filter(
    (f) => canSend(lap.get(familyKey(f))) && canReceive(rap.get(familyKey(f))),
  );
  const lgr = lc.find((c): c is GracefulRestartCapability => c.type === 'graceful-restart');
  const rgr = rc.find((c): c is GracefulRestartCapability => c.type === 'graceful-restart');
  let gracefulRestart: GracefulRestartState | undefined;
  if (lgr && rgr) {
    const fam = new Map<number, boolean>();
    for (const f of rgr.families) if (enabled.has(familyKey(f))) fam.set(familyKey(f), f.forwardingPreserved);
    gracefulRestart = {
      restartTime: rgr.restartTime,
      restarting: rgr.restartState,
      notification: lgr.notification && rgr.notification,
      families: fam,
    };
  }
  const lnh = lc.flatMap((c) => (c.type === 'extended-next-hop' ? c.entries : []));
  const rnh = rc.flatMap((c) => (c.type === 'extended-next-hop' ? c.entries : []));
  const extendedNextHop = lnh
    .filter((l) => rnh.some((r) => r.afi === l.afi && r.safi === l.safi && r.nextHopAfi === l.nextHopAfi))
    .map((e) => ({ afi: e.afi, safi: e.safi }));
  const pa = peerAs(remote);
  const internal = pa === localAs;
  const peerType = internal ? 'internal' : 'external';
  return {
    holdTime,
    keepaliveTime: Math.floor(holdTime / 3),
    peerAs: pa,
    peerBgpId: remote.bgpId,
    internal,
    families,
    fourOctetAs,
    extendedMessage,
    routeRefresh: has(lc, 'route-refresh') && has(rc, 'route-refresh'),
    enhancedRouteRefresh: has(lc, 'enhanced-route-refresh') && has(rc, 'enhanced-route-refresh'),
    addPathReceive,
    addPathSend,
    gracefulRestart,
    extendedNextHop,
    rx: sessionContext({ fourOctetAs, extendedMessage, addPath: addPathReceive, peerType }),
    tx: sessionContext({ fourOctetAs, extendedMessage, addPath: addPathSend, peerType }),
    local: lc,
    remote: rc,
  };
}
