// RFC 4271 9.1: the decision process. `comparePaths` orders two candidates for the same destination
// (negative: `a` is better), following 9.1.2.2 with the tie-breakers in common use:
//   1. highest LOCAL_PREF (a configured default for routes without one, e.g. from external peers)
//   2. locally injected routes
//   3. shortest AS_PATH (an AS_SET counts 1, confederation segments 0)
//   4. lowest ORIGIN (IGP < EGP < INCOMPLETE)
//   5. lowest MULTI_EXIT_DISC, only between routes from the same neighbouring AS (missing = 0), unless
//      always-compare-med
//   6. external over internal
//   7. lowest IGP cost to the next hop (a hook; unreachable next hops are never best)
//   8. lowest BGP Identifier of the source, or ORIGINATOR_ID when present (RFC 4456 9)
//   9. shortest CLUSTER_LIST (RFC 4456 9)
//  10. lowest peer address
// `multipathEqual` says whether two routes are equal through step 7 (ECMP, with the same neighbour AS).
import { ipv4ToNumber } from '../../wire.js';
import type { Path, PathAttrs } from './path.js';

export interface DecisionOptions {
  /** LOCAL_PREF for routes without one (default 100). */
  defaultLocalPref?: number;
  /** Compare MED across neighbouring ASes (default false). */
  alwaysCompareMed?: boolean;
  /** IGP cost to a next hop; `undefined` for unreachable (default: every next hop costs 0). */
  igpCost?: (nextHop: string) => number | undefined;
}

const LOCAL_RANK = { local: 0, external: 1, internal: 2 } as const;

function idNum(s: string): number {
  try {
    return ipv4ToNumber(s, 'decision', 'id');
  } catch {
    return 0;
  }
}

function addressCompare(a: string, b: string): number {
  if (a === b) return 0;
  const na = a.includes(':') ? Number.NaN : idNum(a);
  const nb = b.includes(':') ? Number.NaN : idNum(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : 1;
}

export class Decision {
  readonly defaultLocalPref: number;
  readonly alwaysCompareMed: boolean;
  readonly igpCost: ((nextHop: string) => number | undefined) | undefined;

  constructor(opts: DecisionOptions = {}) {
    this.defaultLocalPref = opts.defaultLocalPref ?? 100;
    this.alwaysCompareMed = opts.alwaysCompareMed ?? false;
    this.igpCost = opts.igpCost;
  }

  private cost(a: PathAttrs): number {
    if (!this.igpCost || a.nextHop === '') return 0;
    return this.igpCost(a.nextHop) ?? Number.POSITIVE_INFINITY;
  }

  /** Whether the route may be selected at all (next hop reachable). */
  eligible(p: Path): boolean {
    return p.attrs !== undefined && this.cost(p.attrs) !== Number.POSITIVE_INFINITY;
  }

  /** Steps 1-7; 0 when the two are equal up to the IGP cost. */
  private compareUpToIgp(a: Path, b: Path): number {
    const x = a.attrs!;
    const y = b.attrs!;
    const lpA = x.localPref ?? this.defaultLocalPref;
    const lpB = y.localPref ?? this.defaultLocalPref;
    if (lpA !== lpB) return lpB - lpA;
    const la = a.source.kind === 'local' ? 0 : 1;
    const lb = b.source.kind === 'local' ? 0 : 1;
    if (la !== lb) return la - lb;
    if (x.asPathLength !== y.asPathLength) return x.asPathLength - y.asPathLength;
    if (x.origin !== y.origin) return x.origin - y.origin;
    if (this.alwaysCompareMed || x.neighborAs === y.neighborAs) {
      const ma = x.med ?? 0;
      const mb = y.med ?? 0;
      if (ma !== mb) return ma - mb;
    }
    const ka = LOCAL_RANK[a.source.kind];
    const kb = LOCAL_RANK[b.source.kind];
    if (ka !== kb) return ka - kb;
    const ca = this.cost(x);
    const cb = this.cost(y);
    if (ca !== cb) return ca < cb ? -1 : 1;
    return 0;
  }

  /** Orders two candidates for one destination: negative when `a` is preferred. */
  compare(a: Path, b: Path): number {
    const ea = this.eligible(a);
    const eb = this.eligible(b);
    if (ea !== eb) return ea ? -1 : 1;
    if (!ea) return 0;
    const c = this.compareUpToIgp(a, b);
    if (c !== 0) return c;
    const ida = idNum(a.attrs!.originatorId ?? a.source.bgpId);
    const idb = idNum(b.attrs!.originatorId ?? b.source.bgpId);
    if (ida !== idb) return ida - idb;
    const cl = a.attrs!.clusterList.length - b.attrs!.clusterList.length;
    if (cl !== 0) return cl;
    const pc = addressCompare(a.source.id, b.source.id);
    if (pc !== 0) return pc;
    return a.pathId - b.pathId;
  }

  /** RFC 4271 9.1.2.2 ECMP: equal through the IGP cost, with the same neighbouring AS. */
  multipathEqual(a: Path, b: Path): boolean {
    if (!this.eligible(a) || !this.eligible(b)) return false;
    return this.compareUpToIgp(a, b) === 0 && a.attrs!.neighborAs === b.attrs!.neighborAs;
  }
}
