// Import and export policy hooks: functions over the decoded route that accept it, reject it, or change
// its attributes. Import policy runs on routes from a peer before the Loc-RIB (RFC 4271 9.1.1), export
// policy on the best path before the Adj-RIB-Out of each peer (9.1.3). `rulePolicy` builds one from the
// declarative rules of the speaker config: the first matching rule decides; no match accepts.
import { type Family, familyName } from '../afi-safi.js';
import { formatExtendedCommunity, parseExtendedCommunity } from '../attributes/extended-community.js';
import type { PathAttribute } from '../attributes/index.js';
import type { Nlri } from '../nlri/index.js';
import { SpeakerConfigError } from './errors.js';
import type { PathAttrs } from './rib/path.js';

export interface PolicyRoute {
  direction: 'import' | 'export';
  /** The peer the route came from (import) or goes to (export). */
  peer: string;
  peerAs: number;
  family: Family;
  nlri: Nlri;
  attrs: PathAttrs;
}

/** `true`/`undefined` accept as is, `false` reject, an object accepts with changed attributes. */
export type PolicyResult =
  | boolean
  | undefined
  | { set?: PathAttribute[]; remove?: PathAttribute['type'][]; nextHop?: string };

export type RoutePolicy = (route: PolicyRoute) => PolicyResult;

export interface PolicyRule {
  match?: {
    /** Families by name (`ipv4-unicast`, `l2vpn-evpn`, ...). */
    family?: string[];
    /** Prefix texts; `10.0.0.0/8+` also matches longer prefixes inside it. */
    prefix?: string[];
    /** Route targets (`target:65001:100`); matches when the route carries any. */
    routeTarget?: string[];
    /** Matches when the AS path contains any of these. */
    asPathContains?: number[];
    /** The peer's address. */
    peer?: string[];
  };
  action?: 'accept' | 'reject';
  set?: {
    localPref?: number;
    med?: number;
    /** Communities `asn:value` to add. */
    addCommunities?: string[];
    /** Extended communities (`target:65001:100`, `encap:vxlan`, ...) to add. */
    addExtendedCommunities?: string[];
    nextHop?: string;
  };
}

function prefixOf(n: Nlri): string | undefined {
  return 'prefix' in n && typeof n.prefix === 'string' ? n.prefix : undefined;
}

function v4(text: string): [number, number] | undefined {
  const [a, l] = text.split('/');
  const p = a?.split('.').map(Number);
  if (p?.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
  return [((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0, Number(l ?? 32)];
}

function prefixMatches(pattern: string, prefix: string): boolean {
  if (!pattern.endsWith('+')) return pattern === prefix;
  const pat = v4(pattern.slice(0, -1));
  const pre = v4(prefix);
  if (!pat || !pre) return prefix.startsWith(pattern.slice(0, -1).split('/')[0]!.replace(/::$/, ':'));
  if (pre[1] < pat[1]) return false;
  const mask = pat[1] === 0 ? 0 : (0xffffffff << (32 - pat[1])) >>> 0;
  return (pre[0] & mask) >>> 0 === (pat[0] & mask) >>> 0;
}

function community(text: string, field: string): number {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m || Number(m[1]) > 0xffff || Number(m[2]) > 0xffff)
    throw new SpeakerConfigError(field, `not a community: ${text}`);
  return Number(m[1]) * 65536 + Number(m[2]);
}

/** A policy from declarative rules (first match decides; no match accepts). */
export function rulePolicy(rules: readonly PolicyRule[], field = 'policy'): RoutePolicy {
  const compiled = rules.map((r, i) => {
    const setComms = (r.set?.addCommunities ?? []).map((c) =>
      community(c, `${field}[${i}].set.addCommunities`),
    );
    const setExt = (r.set?.addExtendedCommunities ?? []).map((c) => {
      try {
        return parseExtendedCommunity(c);
      } catch (e) {
        throw new SpeakerConfigError(
          `${field}[${i}].set.addExtendedCommunities`,
          String((e as Error).message),
        );
      }
    });
    const rts = (r.match?.routeTarget ?? []).map((t) => {
      try {
        return formatExtendedCommunity(parseExtendedCommunity(t));
      } catch (e) {
        throw new SpeakerConfigError(`${field}[${i}].match.routeTarget`, String((e as Error).message));
      }
    });
    return { r, setComms, setExt, rts };
  });
  return (route) => {
    for (const { r, setComms, setExt, rts } of compiled) {
      const m = r.match;
      if (m) {
        if (m.family && !m.family.includes(familyName(route.family))) continue;
        if (m.peer && !m.peer.includes(route.peer)) continue;
        if (m.prefix) {
          const p = prefixOf(route.nlri);
          if (!p || !m.prefix.some((x) => prefixMatches(x, p))) continue;
        }
        if (rts.length > 0 && !route.attrs.routeTargets.some((t) => rts.includes(t))) continue;
        if (
          m.asPathContains &&
          !route.attrs.asPath.some((s) => s.asns.some((a) => m.asPathContains!.includes(a)))
        )
          continue;
      }
      if (r.action === 'reject') return false;
      if (!r.set) return true;
      const set: PathAttribute[] = [];
      if (r.set.localPref !== undefined) set.push({ type: 'LOCAL_PREF', localPref: r.set.localPref });
      if (r.set.med !== undefined) set.push({ type: 'MULTI_EXIT_DISC', med: r.set.med });
      if (setComms.length > 0) {
        const cur = route.attrs.attributes.find((a) => a.type === 'COMMUNITIES');
        const have = cur?.type === 'COMMUNITIES' ? cur.communities : [];
        set.push({
          type: 'COMMUNITIES',
          communities: [...have, ...setComms.filter((c) => !have.includes(c))],
        });
      }
      if (setExt.length > 0) {
        const cur = route.attrs.attributes.find((a) => a.type === 'EXTENDED_COMMUNITIES');
        const have = cur?.type === 'EXTENDED_COMMUNITIES' ? cur.communities : [];
        set.push({ type: 'EXTENDED_COMMUNITIES', communities: [...have, ...setExt] });
      }
      return r.set.nextHop !== undefined ? { set, nextHop: r.set.nextHop } : { set };
    }
    return true;
  };
}
