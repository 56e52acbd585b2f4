// The speaker's route model. A Path is one route to one destination from one source (a peer, or local
// injection): its NLRI, path identifier and attributes. Attribute sets (PathAttrs) are immutable and
// shared by every route that arrived with the same attributes, and carry the values the decision process
// reads (RFC 4271 9.1) so it never walks the attribute list.
//
// Route keys identify a destination within a family: IPv4 unicast prefixes are a number
// (address * 64 + length, no allocation); other families a string built from the NLRI fields that
// identify the route (labels, ESI of type 2, gateway and the like are not part of the key).
import { Afi, type Family, Safi } from '../../afi-safi.js';
import { type AsPathSegment, asPathLength } from '../../attributes/as-path.js';
import { formatExtendedCommunity } from '../../attributes/extended-community.js';
import type { PathAttribute } from '../../attributes/index.js';
import { readPrefixText } from '../../nlri/address.js';
import type { Nlri, PrefixNlri } from '../../nlri/index.js';
import { formatRd } from '../../rd.js';
import { HEX } from '../../text.js';

export type RouteKey = number | string;

/** An immutable, shared attribute set with the values the decision process uses. */
export interface PathAttrs {
  /** Attributes other than NEXT_HOP, MP_REACH_NLRI, MP_UNREACH_NLRI, AS4_PATH and AS4_AGGREGATOR, by type code. */
  readonly attributes: readonly PathAttribute[];
  /** The next hop ('' when none: withdrawals, RTC from some peers). */
  readonly nextHop: string;
  readonly linkLocal: string | undefined;
  /** 0 IGP, 1 EGP, 2 INCOMPLETE. */
  readonly origin: number;
  readonly asPath: readonly AsPathSegment[];
  /** RFC 4271 9.1.2.2 a: an AS_SET counts 1, confederation segments 0. */
  readonly asPathLength: number;
  /** The first AS of the path (the neighbouring AS), 0 for an empty path. */
  readonly neighborAs: number;
  readonly localPref: number | undefined;
  readonly med: number | undefined;
  readonly originatorId: string | undefined;
  readonly clusterList: readonly string[];
  /** Route targets as `formatExtendedCommunity` text. */
  readonly routeTargets: readonly string[];
}

const ORIGIN_NUM = { igp: 0, egp: 1, incomplete: 2 } as const;
const EXCLUDED = new Set(['NEXT_HOP', 'MP_REACH_NLRI', 'MP_UNREACH_NLRI', 'AS4_PATH', 'AS4_AGGREGATOR']);
const ORDER: Record<string, number> = {
  ORIGIN: 1,
  AS_PATH: 2,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  EXTENDED_COMMUNITIES: 16,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  LARGE_COMMUNITY: 32,
  OTC: 35,
};
const code = (a: PathAttribute) => (a.type === 'UNKNOWN' ? a.code : (ORDER[a.type] ?? 255));

/** Builds an attribute set (the list is filtered and ordered by type code). */
export function makePathAttrs(
  attributes: readonly PathAttribute[],
  nextHop: string,
  linkLocal?: string,
): PathAttrs {
  const list = attributes.filter((a) => !EXCLUDED.has(a.type)).sort((a, b) => code(a) - code(b));
  let origin = 2;
  let asPath: readonly AsPathSegment[] = [];
  let localPref: number | undefined;
  let med: number | undefined;
  let originatorId: string | undefined;
  let clusterList: readonly string[] = [];
  const routeTargets: string[] = [];
  for (const a of list) {
    switch (a.type) {
      case 'ORIGIN':
        origin = ORIGIN_NUM[a.origin];
        break;
      case 'AS_PATH':
        asPath = a.segments;
        break;
      case 'LOCAL_PREF':
        localPref = a.localPref;
        break;
      case 'MULTI_EXIT_DISC':
        med = a.med;
        break;
      case 'ORIGINATOR_ID':
        originatorId = a.originatorId;
        break;
      case 'CLUSTER_LIST':
        clusterList = a.clusterIds;
        break;
      case 'EXTENDED_COMMUNITIES':
        for (const c of a.communities)
          if (c.kind === 'route-target') routeTargets.push(formatExtendedCommunity(c));
        break;
    }
  }
  let neighborAs = 0;
  const first = asPath[0];
  if (first && (first.type === 'sequence' || first.type === 'set')) neighborAs = first.asns[0] ?? 0;
  return {
    attributes: list,
    nextHop,
    linkLocal,
    origin,
    asPath,
    asPathLength: asPathLength(asPath),
    neighborAs,
    localPref,
    med,
    originatorId,
    clusterList,
    routeTargets,
  };
}

/** Replaces (or adds, or with `undefined` removes) attributes of a type; returns a new set. */
export function withAttributes(
  attrs: PathAttrs,
  changes: { set?: PathAttribute[]; remove?: PathAttribute['type'][]; nextHop?: string },
): PathAttrs {
  const drop = new Set<string>([...(changes.remove ?? []), ...(changes.set ?? []).map((a) => a.type)]);
  const list = attrs.attributes.filter((a) => !drop.has(a.type));
  list.push(...(changes.set ?? []));
  return makePathAttrs(list, changes.nextHop ?? attrs.nextHop, changes.nextHop ? undefined : attrs.linkLocal);
}

/** Where a path came from. */
export interface RouteSource {
  /** The peer's address (its identity in this speaker), or 'local'. */
  readonly id: string;
  readonly kind: 'local' | 'internal' | 'external';
  /** The BGP Identifier of the source (ours for local routes). */
  readonly bgpId: string;
  readonly asn: number;
  /** A route reflector client (RFC 4456). */
  readonly rrClient: boolean;
}

let localIdSeq = 0;
function nextLocalId(): number {
  localIdSeq = localIdSeq >= 0xfffffffe ? 1 : localIdSeq + 1;
  return localIdSeq;
}

/** One route: a destination (family, key, NLRI) from one source, with its attributes. */
export class Path {
  /** Post-import-policy attributes; undefined when import policy or loop checks rejected the route. */
  attrs: PathAttrs | undefined;
  /** Next candidate for the same destination in the Loc-RIB (ordered best first). */
  next: Path | undefined = undefined;
  /** Kept during a graceful restart or an enhanced route refresh until End-of-RIB (RFC 4724, 7313). */
  stale = false;
  /** The path identifier this speaker sends the path with to add-path peers (RFC 7911), unique per path. */
  readonly localId: number = nextLocalId();
  constructor(
    readonly source: RouteSource,
    /** `familyKey` of the family. */
    readonly family: number,
    readonly key: RouteKey,
    /** The NLRI as received; undefined for IPv4 unicast (rebuilt from the key by `pathNlri`). */
    readonly nlri: Nlri | undefined,
    readonly pathId: number,
    /** Attributes as received. */
    readonly rxAttrs: PathAttrs,
  ) {
    this.attrs = rxAttrs;
  }
}

/**
 * A Path as an object literal (same fields as `new Path`): V8 tracks allocation sites of literals and,
 * seeing a table's worth of them survive, allocates them in the old generation straight away (pretenuring),
 * instead of copying every route through the young generation on each scavenge as it does for `new Path`.
 */
export function newPath(
  source: RouteSource,
  family: number,
  key: RouteKey,
  nlri: Nlri | undefined,
  pathId: number,
  rxAttrs: PathAttrs,
): Path {
  return {
    attrs: rxAttrs,
    next: undefined,
    stale: false,
    localId: nextLocalId(),
    source,
    family,
    key,
    nlri,
    pathId,
    rxAttrs,
  };
}

export const IPV4_UNICAST_KEY = (Afi.IPv4 << 8) | Safi.Unicast;

/** The number key of an IPv4 prefix (bits past the length cleared). */
export function ipv4Key(address: number, length: number): number {
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return ((address & mask) >>> 0) * 64 + length;
}

/** `a.b.c.d/len` of an IPv4 key. */
export function ipv4KeyText(key: number): string {
  const len = key % 64;
  const a = (key - len) / 64;
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}/${len}`;
}

const scratch = new Uint8Array(16);

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** The route key of an NLRI of `family` (a familyKey). */
export function nlriKey(family: number, n: Nlri): RouteKey {
  switch (n.type) {
    case 'prefix': {
      if (family === IPV4_UNICAST_KEY) {
        const len = readPrefixText(n.prefix, false, scratch);
        if (len >= 0) {
          const a = ((scratch[0]! << 24) | (scratch[1]! << 16) | (scratch[2]! << 8) | scratch[3]!) >>> 0;
          return ipv4Key(a, len);
        }
      }
      return n.prefix;
    }
    case 'labeled':
      return n.prefix;
    case 'vpn':
      return `${formatRd(n.rd)} ${n.prefix}`;
    case 'rtc':
      return n.prefixLength === 0
        ? 'default'
        : `${n.originAs ?? 0} ${n.routeTarget ? formatExtendedCommunity(n.routeTarget) : ''}/${n.prefixLength}`;
    case 'evpn-ethernet-ad':
      return `1 ${formatRd(n.rd)} ${n.esi} ${n.ethernetTag}`;
    case 'evpn-mac-ip':
      return `2 ${formatRd(n.rd)} ${n.ethernetTag} ${n.mac} ${n.ip ?? ''}`;
    case 'evpn-inclusive-multicast':
      return `3 ${formatRd(n.rd)} ${n.ethernetTag} ${n.originator}`;
    case 'evpn-ethernet-segment':
      return `4 ${formatRd(n.rd)} ${n.esi} ${n.originator}`;
    case 'evpn-ip-prefix':
      return `5 ${formatRd(n.rd)} ${n.ethernetTag} ${n.prefix}`;
    case 'evpn-unknown':
      return `${n.routeType} ${hex(n.bytes)}`;
    case 'unknown':
      return hex(n.bytes);
  }
}

/** The NLRI of a path (rebuilt from the key for IPv4 unicast), without a path identifier. */
export function pathNlri(p: Path): Nlri {
  if (p.nlri) return p.nlri;
  const n: PrefixNlri = { type: 'prefix', prefix: ipv4KeyText(p.key as number) };
  return n;
}

/** Human text of a route key. */
export function keyText(key: RouteKey): string {
  return typeof key === 'number' ? ipv4KeyText(key) : key;
}

/** Families VPN route-target constraint applies to (RFC 4684 6: VPN-IPv4/IPv6 and EVPN). */
export function rtConstrained(f: Family | number): boolean {
  const k = typeof f === 'number' ? f : (f.afi << 8) | f.safi;
  return (
    k === ((Afi.IPv4 << 8) | Safi.MplsVpn) ||
    k === ((Afi.IPv6 << 8) | Safi.MplsVpn) ||
    k === ((Afi.L2VPN << 8) | Safi.Evpn)
  );
}
