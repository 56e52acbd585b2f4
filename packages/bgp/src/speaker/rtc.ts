// RFC 4684: route target constraint. A peer that negotiated AFI 1 / SAFI 132 tells us, with RT membership
// NLRI (origin AS + route target), which route targets it wants; VPN and EVPN routes go to it only when
// they carry one of them (section 6), or every route after the default membership (length 0). Until the
// peer's End-of-RIB for the RTC family arrives, its VPN/EVPN tables are held back (section 6.2).
import { Afi, Safi } from '../afi-safi.js';
import { formatExtendedCommunity, parseExtendedCommunity } from '../attributes/extended-community.js';
import type { RtcNlri } from '../nlri/index.js';
import type { PathAttrs } from './rib/path.js';

export const RTC_FAMILY_KEY = (Afi.IPv4 << 8) | Safi.RouteTargetConstraint;

/** The membership one peer advertised. */
export class RtMembership {
  private readonly counts = new Map<string, number>();
  private defaults = 0;

  /** Adds (or with `-1` removes) one membership route. */
  update(n: RtcNlri, delta: 1 | -1): void {
    if (n.prefixLength === 0 || !n.routeTarget) {
      this.defaults += delta;
      return;
    }
    const k = formatExtendedCommunity(n.routeTarget);
    const c = (this.counts.get(k) ?? 0) + delta;
    if (c <= 0) this.counts.delete(k);
    else this.counts.set(k, c);
  }

  /** Whether a route with these attributes may be sent. */
  allows(attrs: PathAttrs): boolean {
    if (this.defaults > 0) return true;
    for (const rt of attrs.routeTargets) if (this.counts.has(rt)) return true;
    return false;
  }

  get routeTargets(): string[] {
    return [...this.counts.keys()];
  }

  get acceptsAll(): boolean {
    return this.defaults > 0;
  }
}

/** The RT membership NLRI for our AS and a route target (`target:65001:100`), or the default one. */
export function membershipNlri(originAs: number, routeTarget?: string): RtcNlri {
  if (routeTarget === undefined) return { type: 'rtc', prefixLength: 0 };
  return { type: 'rtc', prefixLength: 96, originAs, routeTarget: parseExtendedCommunity(routeTarget) };
}
