// bgp-router objects (TF schema: bgp_router_parameters) as peers of the controller's BGP speaker. TF's rules:
// `router_type` 'control-node' is a control node (our own entry when it names this controller), anything else
// ('router', 'external-control-node', unset) is a gateway we peer with; `address_families.family` names the
// families by TF's names; `auth_data` asks for TCP MD5 (RFC 2385), which the speaker refuses on this platform.
import type { PeerConfig } from '@filament/bgp';
import type { StoredObject } from '../../store/interface.js';

/** TF family names -> speaker family names. */
const FAMILIES: Readonly<Record<string, string>> = {
  inet: 'ipv4-unicast',
  inet6: 'ipv6-unicast',
  'inet-labeled': 'ipv4-labeled-unicast',
  'inet-vpn': 'ipv4-mpls-vpn',
  'inet6-vpn': 'ipv6-mpls-vpn',
  'e-vpn': 'l2vpn-evpn',
  'route-target': 'ipv4-rtc',
};

/** TF's default for a bgp-router without address families (minus erm-vpn, which the speaker lacks). */
export const DEFAULT_FAMILIES = ['route-target', 'inet-vpn', 'inet6-vpn', 'e-vpn'];

export interface BgpRouterParams {
  address?: string;
  autonomous_system?: number;
  local_autonomous_system?: number;
  identifier?: string;
  port?: number;
  hold_time?: number;
  admin_down?: boolean;
  router_type?: string;
  address_families?: { family?: string[] };
  auth_data?: { key_type?: string; key_items?: { key_id?: number; key?: string }[] };
}

export function routerParams(o: StoredObject): BgpRouterParams {
  return (o.body.bgp_router_parameters ?? {}) as BgpRouterParams;
}

export function isControlNode(p: BgpRouterParams): boolean {
  return p.router_type === 'control-node';
}

/** Speaker family names for TF family names; those the speaker lacks (erm-vpn, inet-mvpn) are left out. */
export function speakerFamilies(tf: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const f of tf && tf.length > 0 ? tf : DEFAULT_FAMILIES) {
    const s = FAMILIES[f];
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}

/** The MD5 key of `auth_data` (TF AuthenticationData: key_type md5, key_items [{key_id, key}]). */
export function md5Key(p: BgpRouterParams): string | undefined {
  const a = p.auth_data;
  if (!a || (a.key_type !== undefined && a.key_type !== 'md5')) return undefined;
  const k = a.key_items?.[0]?.key;
  return k === undefined || k === '' ? undefined : k;
}

export interface LocalBgp {
  asn: number;
  /** Source address of our connections (the listen host when it is one address). */
  localAddress: string | undefined;
}

/**
 * The speaker's peer for a gateway bgp-router, or undefined when it is not one (a control node, no address,
 * admin down).
 */
export function peerConfig(o: StoredObject, local: LocalBgp): PeerConfig | undefined {
  const p = routerParams(o);
  if (isControlNode(p) || p.admin_down === true || !p.address) return undefined;
  const cfg: PeerConfig = {
    address: p.address,
    asn: p.autonomous_system ?? local.asn,
    description: o.fqName.join(':'),
    families: speakerFamilies(p.address_families?.family),
    connectRetryTime: 5,
  };
  if (p.port !== undefined) cfg.port = p.port;
  if (p.hold_time !== undefined && p.hold_time !== 0) cfg.holdTime = p.hold_time;
  if (p.local_autonomous_system !== undefined) cfg.localAs = p.local_autonomous_system;
  const key = md5Key(p);
  if (key !== undefined) cfg.md5Password = key;
  // a source address of the other IP version cannot reach the peer
  if (local.localAddress && local.localAddress.includes(':') === p.address.includes(':'))
    cfg.localAddress = local.localAddress;
  return cfg;
}

/** Compares two peer configurations (what a change to the object must restart the session for). */
export function samePeer(a: PeerConfig, b: PeerConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
