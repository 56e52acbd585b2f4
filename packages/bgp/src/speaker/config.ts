// The speaker's declarative configuration (for `filament bgp serve` and standalone use): local AS and
// router ID, listen addresses, peers with their families, timers, roles and policies. `parseConfig`
// checks a parsed JSON object field by field and throws SpeakerConfigError naming the field.
import { Afi, type Family, Safi } from '../afi-safi.js';
import { SpeakerConfigError } from './errors.js';
import type { GracefulRestartConfig } from './graceful-restart.js';
import { type PolicyRule, type RoutePolicy, rulePolicy } from './policy.js';

export interface PeerConfig {
  address: string;
  /** Remote port (default 179). */
  port?: number;
  asn: number;
  /** Source address of our connections. */
  localAddress?: string;
  /** Our AS towards this peer (default the speaker's). */
  localAs?: number;
  description?: string;
  /** Families by name (default ipv4-unicast). */
  families?: string[];
  passive?: boolean;
  holdTime?: number;
  connectRetryTime?: number;
  idleHoldTime?: number;
  routeReflectorClient?: boolean;
  /** Always put our address as next hop (RFC 4271 5.1.3); external peers get it anyway. */
  nextHopSelf?: boolean;
  /** The next hop we advertise instead of the connection's local address. */
  nextHop?: string;
  /** Add-path (RFC 7911) receive for these families (names). */
  addPathReceive?: string[];
  /** Add-path (RFC 7911) send: every Loc-RIB candidate, each with its own path identifier. */
  addPathSend?: string[];
  /** RFC 2385 password: refused on this platform (TcpMd5UnsupportedError). */
  md5Password?: string;
  /** Offer extended messages (RFC 8654): UPDATEs up to 65,535 bytes when the peer offers them too. */
  extendedMessage?: boolean;
  /**
   * Offer extended next hop (RFC 8950) for IPv4 unicast (and VPNv4 when enabled) with IPv6 next hops:
   * once the peer offers it too, IPv4 routes go to it in MP_REACH_NLRI with an IPv6 next hop.
   */
  extendedNextHop?: boolean;
  /** RFC 9687 send hold time in seconds (default max(480, 2 x hold time)). */
  sendHoldTime?: number;
  /** Cease / Maximum Number of Prefixes Reached (RFC 4486) past this many routes (default 2,000,000). */
  maxPrefixes?: number;
  /** Graceful restart towards this peer (default: the speaker's setting). */
  gracefulRestart?: boolean;
  import?: RoutePolicy;
  export?: RoutePolicy;
}

export interface SpeakerConfig {
  asn: number;
  routerId: string;
  /** Addresses to listen on; an empty list listens nowhere (outgoing connections only). */
  listen?: { host: string; port?: number }[];
  /** RFC 4456 cluster ID (default the router ID). */
  clusterId?: string;
  holdTime?: number;
  gracefulRestart?: GracefulRestartConfig | false;
  /** Route targets we want (RFC 4684); default: the default membership ("everything"). */
  rtcRouteTargets?: string[];
  defaultLocalPref?: number;
  alwaysCompareMed?: boolean;
  igpCost?: (nextHop: string) => number | undefined;
  peers: PeerConfig[];
}

const afis: Record<string, number> = { ipv4: Afi.IPv4, ipv6: Afi.IPv6, l2vpn: Afi.L2VPN };
const safis: Record<string, number> = {
  unicast: Safi.Unicast,
  multicast: Safi.Multicast,
  'labeled-unicast': Safi.Labeled,
  evpn: Safi.Evpn,
  'mpls-vpn': Safi.MplsVpn,
  vpn: Safi.MplsVpn,
  rtc: Safi.RouteTargetConstraint,
};

/** `ipv4-unicast`, `ipv4-mpls-vpn` (or `ipv4-vpn`), `ipv6-mpls-vpn`, `l2vpn-evpn`, `ipv4-rtc`, ... */
export function parseFamily(name: string, field = 'family'): Family {
  const m = /^(ipv4|ipv6|l2vpn)-(.+)$/.exec(name);
  const afi = m ? afis[m[1]!] : undefined;
  const safi = m ? safis[m[2]!] : undefined;
  if (afi === undefined || safi === undefined) throw new SpeakerConfigError(field, `unknown family ${name}`);
  return { afi, safi };
}

function num(v: unknown, field: string, max: number, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new SpeakerConfigError(field, `expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new SpeakerConfigError(field, 'expected a non-empty string');
  return v;
}

function ipv4(v: unknown, field: string): string {
  const s = str(v, field);
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) || s.split('.').some((x) => Number(x) > 255))
    throw new SpeakerConfigError(field, `not a dotted-quad: ${s}`);
  return s;
}

function opt<T>(
  o: Record<string, unknown>,
  k: string,
  f: (v: unknown, field: string) => T,
  field: string,
): T | undefined {
  return o[k] === undefined ? undefined : f(o[k], `${field}.${k}`);
}

function rules(v: unknown, field: string): RoutePolicy {
  if (!Array.isArray(v)) throw new SpeakerConfigError(field, 'expected a list of rules');
  return rulePolicy(v as PolicyRule[], field);
}

/** Checks a parsed JSON configuration. */
export function parseConfig(raw: unknown): SpeakerConfig {
  if (typeof raw !== 'object' || raw === null) throw new SpeakerConfigError('config', 'expected an object');
  const o = raw as Record<string, unknown>;
  const cfg: SpeakerConfig = {
    asn: num(o.asn, 'asn', 0xffffffff, 1),
    routerId: ipv4(o.routerId, 'routerId'),
    peers: [],
  };
  if (o.listen !== undefined) {
    if (!Array.isArray(o.listen)) throw new SpeakerConfigError('listen', 'expected a list');
    cfg.listen = o.listen.map((l: Record<string, unknown>, i) => {
      const host = str(l.host, `listen[${i}].host`);
      const port = opt(l, 'port', (v, f) => num(v, f, 65535), `listen[${i}]`);
      return port === undefined ? { host } : { host, port };
    });
  }
  const clusterId = opt(o, 'clusterId', ipv4, 'config');
  if (clusterId) cfg.clusterId = clusterId;
  const hold = opt(o, 'holdTime', (v, f) => num(v, f, 65535), 'config');
  if (hold !== undefined) cfg.holdTime = hold;
  if (o.gracefulRestart !== undefined)
    cfg.gracefulRestart = o.gracefulRestart as GracefulRestartConfig | false;
  if (o.rtcRouteTargets !== undefined)
    cfg.rtcRouteTargets = (o.rtcRouteTargets as unknown[]).map((x, i) => str(x, `rtcRouteTargets[${i}]`));
  const lp = opt(o, 'defaultLocalPref', (v, f) => num(v, f, 0xffffffff), 'config');
  if (lp !== undefined) cfg.defaultLocalPref = lp;
  if (!Array.isArray(o.peers)) throw new SpeakerConfigError('peers', 'expected a list');
  cfg.peers = o.peers.map((p: Record<string, unknown>, i) => {
    const f = `peers[${i}]`;
    if (typeof p !== 'object' || p === null) throw new SpeakerConfigError(f, 'expected an object');
    const pc: PeerConfig = {
      address: str(p.address, `${f}.address`),
      asn: num(p.asn, `${f}.asn`, 0xffffffff, 1),
    };
    const port = opt(p, 'port', (v, x) => num(v, x, 65535, 1), f);
    if (port !== undefined) pc.port = port;
    for (const k of ['localAddress', 'description', 'nextHop', 'md5Password'] as const) {
      const v = opt(p, k, str, f);
      if (v !== undefined) pc[k] = v;
    }
    for (const k of [
      'passive',
      'routeReflectorClient',
      'nextHopSelf',
      'gracefulRestart',
      'extendedMessage',
      'extendedNextHop',
    ] as const) {
      if (p[k] !== undefined) pc[k] = p[k] === true;
    }
    for (const k of [
      'holdTime',
      'connectRetryTime',
      'idleHoldTime',
      'maxPrefixes',
      'localAs',
      'sendHoldTime',
    ] as const) {
      const v = opt(p, k, (x, y) => num(x, y, 0xffffffff), f);
      if (v !== undefined) pc[k] = v;
    }
    if (pc.holdTime !== undefined && (pc.holdTime === 1 || pc.holdTime === 2))
      throw new SpeakerConfigError(`${f}.holdTime`, 'must be 0 or at least 3 (RFC 4271 4.2)');
    for (const k of ['families', 'addPathReceive', 'addPathSend'] as const) {
      if (p[k] === undefined) continue;
      if (!Array.isArray(p[k])) throw new SpeakerConfigError(`${f}.${k}`, 'expected a list');
      pc[k] = (p[k] as unknown[]).map((x, j) => {
        const name = str(x, `${f}.${k}[${j}]`);
        parseFamily(name, `${f}.${k}[${j}]`);
        return name;
      });
    }
    if (p.import !== undefined) pc.import = rules(p.import, `${f}.import`);
    if (p.export !== undefined) pc.export = rules(p.export, `${f}.export`);
    return pc;
  });
  return cfg;
}
