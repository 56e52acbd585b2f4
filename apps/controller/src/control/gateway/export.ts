// Export: the routes agents publish in a virtual network's instance, as the BGP routes a gateway takes
// (TF's control node does the same from its VRF tables into bgp.l3vpn.0 / bgp.evpn.0):
//   inet/inet6 path -> VPNv4/VPNv6 (RFC 4364): RD, the VN's export route targets, the agent's MPLS label, next
//                      hop = the compute node, encapsulation communities (RFC 9012) from the path's tunnel list;
//                      and EVPN type 5 (RFC 9136) with the VNI and the router's MAC when the VN routes over VXLAN;
//   enet MAC/IP     -> EVPN type 2 (RFC 7432 7.2), label field = the VNI under VXLAN (RFC 8365 5.1.3), the MPLS
//                      label otherwise;
//   per (instance, compute node) -> EVPN type 3 IMET (RFC 7432 7.3) with a PMSI tunnel attribute (RFC 6514 5),
//                      ingress replication, the VNI in the label field and the node as tunnel endpoint.
// One BGP route per next hop: ECMP paths get RDs of their compute node (`<node>:<index>`, as TF does), a single
// path the instance's RD. Routes are identified by `routeId` so the exporter can withdraw exactly what it sent.
import {
  type ExtendedCommunity,
  evpnLabelFromMpls,
  evpnLabelFromVni,
  familyKey,
  type LocalRoute,
  nlriKey,
  type PathAttribute,
  parseFamily,
  type RouteDistinguisher,
  ZERO_ESI,
} from '@filament/bgp';
import { type EnetEntry, evpnRouteKind, type UnicastEntry } from '@filament/xmpp';
import type { RouteFamily, RoutePath } from '../routing/route-db.js';
import { encapsulationCommunities, isVxlanOnly, TunnelType } from './encapsulation.js';

/** What export needs to know about one routing instance. */
export interface ExportInstance {
  readonly name: string;
  /** The VN's VNI (EVPN label field under VXLAN, IMET, type 5). */
  readonly vni: number | undefined;
  /** The VN's export route targets, parsed once per instance. */
  readonly exportTargets: readonly ExtendedCommunity[];
  /** The instance RD: the one IPAM allocated for the VN's routing instance, else `<router id>:<index>`. */
  readonly rd: RouteDistinguisher;
  /** The number in per-node RDs (`<node>:<index>`). */
  readonly index: number;
  /** The VN routes (forwarding mode l3 or l2_l3): inet paths over VXLAN also become EVPN type 5. */
  readonly l3: boolean;
}

/** A route for the speaker, with the identity the exporter uses to withdraw it. */
export interface ExportedRoute extends LocalRoute {
  readonly family: string;
  readonly id: string;
}

export const FAMILY_VPNV4 = 'ipv4-mpls-vpn';
export const FAMILY_VPNV6 = 'ipv6-mpls-vpn';
export const FAMILY_EVPN = 'l2vpn-evpn';
const FAMILY_KEYS: Record<string, number> = {
  [FAMILY_VPNV4]: familyKey(parseFamily(FAMILY_VPNV4)),
  [FAMILY_VPNV6]: familyKey(parseFamily(FAMILY_VPNV6)),
  [FAMILY_EVPN]: familyKey(parseFamily(FAMILY_EVPN)),
};
const PMSI_INGRESS_REPLICATION = 6;

/** The identity of a route in the speaker (family and the NLRI fields that name a destination). */
export function routeId(family: string, nlri: LocalRoute['nlri']): string {
  return `${family}|${nlriKey(FAMILY_KEYS[family]!, nlri)}`;
}

function ipv4Bytes(a: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) return undefined;
    b[i] = v;
  }
  return b;
}

/** The RD of one path: the instance's for a single path, the compute node's (`<node>:<index>`) under ECMP. */
export function pathRd(inst: ExportInstance, node: string, ecmp: boolean): RouteDistinguisher {
  if (!ecmp || ipv4Bytes(node) === undefined || inst.index > 0xffff) return inst.rd;
  return { type: 1, ip: node, assigned: inst.index };
}

function communities(inst: ExportInstance, tunnels: readonly string[], routerMac?: string): PathAttribute {
  const list: ExtendedCommunity[] = [...inst.exportTargets, ...encapsulationCommunities(tunnels)];
  if (routerMac && routerMac !== '' && !/^0{1,2}(:0{1,2}){5}$/.test(routerMac))
    list.push({ kind: 'router-mac', mac: routerMac.toLowerCase() });
  return { type: 'EXTENDED_COMMUNITIES', communities: list };
}

function preference(localPreference: number, med: number, out: PathAttribute[]): void {
  // LOCAL_PREF carries the agent's preference to iBGP gateways (the speaker strips it towards eBGP ones)
  if (localPreference > 0) out.push({ type: 'LOCAL_PREF', localPref: localPreference });
  if (med > 0) out.push({ type: 'MULTI_EXIT_DISC', med });
}

function hostIp(address: string): string | undefined {
  const slash = address.indexOf('/');
  const ip = slash < 0 ? address : address.slice(0, slash);
  const len = slash < 0 ? undefined : Number(address.slice(slash + 1));
  if (ip === '' || ip === '0.0.0.0' || ip === '::') return undefined;
  if (len !== undefined && len !== 32 && len !== 128) return undefined;
  return ip;
}

/** The routes of one inet/inet6 destination: VPNv4/VPNv6 per next hop, plus EVPN type 5 over VXLAN. */
function exportUnicast(inst: ExportInstance, paths: readonly RoutePath[], out: ExportedRoute[]): void {
  let hops = 0;
  for (const p of paths) hops += (p.entry as UnicastEntry).nextHops.length;
  const ecmp = hops > 1;
  for (const p of paths) {
    const e = p.entry as UnicastEntry;
    const prefix = e.nlri.address;
    const v6 = prefix.includes(':');
    const family = v6 ? FAMILY_VPNV6 : FAMILY_VPNV4;
    for (const nh of e.nextHops) {
      const rd = pathRd(inst, nh.address, ecmp);
      const attrs: PathAttribute[] = [communities(inst, nh.tunnelEncapsulations)];
      preference(e.localPreference, e.med, attrs);
      const vpn = { type: 'vpn' as const, labels: [nh.label], rd, prefix };
      out.push({ family, id: routeId(family, vpn), nlri: vpn, nextHop: nh.address, attributes: attrs });
      const vni = nh.vni > 0 ? nh.vni : inst.vni;
      if (inst.l3 && vni !== undefined && nh.tunnelEncapsulations.includes('vxlan')) {
        const t5 = {
          type: 'evpn-ip-prefix' as const,
          routeType: 5 as const,
          rd,
          esi: ZERO_ESI,
          ethernetTag: 0,
          prefix,
          gateway: v6 ? '::' : '0.0.0.0',
          label: evpnLabelFromVni(vni),
        };
        const a5: PathAttribute[] = [communities(inst, ['vxlan'], nh.mac)];
        preference(e.localPreference, e.med, a5);
        out.push({
          family: FAMILY_EVPN,
          id: routeId(FAMILY_EVPN, t5),
          nlri: t5,
          nextHop: nh.address,
          attributes: a5,
        });
      }
    }
  }
}

/** The routes of one enet destination: EVPN type 2 (MAC/IP) or type 5 (IP prefix) per next hop. */
function exportEnet(inst: ExportInstance, paths: readonly RoutePath[], out: ExportedRoute[]): void {
  let hops = 0;
  for (const p of paths) hops += (p.entry as EnetEntry).nextHops.length;
  const ecmp = hops > 1;
  for (const p of paths) {
    const e = p.entry as EnetEntry;
    const kind = evpnRouteKind(e.nlri);
    // broadcast MAC: the IMET route per compute node stands for it; SMET is not exported
    if (kind !== 'mac-ip' && kind !== 'ip-prefix') continue;
    for (const nh of e.nextHops) {
      const rd = pathRd(inst, nh.address, ecmp);
      const vxlan = isVxlanOnly(nh.tunnelEncapsulations) || nh.tunnelEncapsulations[0] === 'vxlan';
      const vni = inst.vni ?? (nh.label > 0 ? nh.label : undefined);
      if (vxlan && vni === undefined) continue;
      const label = vxlan ? evpnLabelFromVni(vni!) : evpnLabelFromMpls(nh.label & 0xfffff);
      const attrs: PathAttribute[] = [
        communities(inst, nh.tunnelEncapsulations, kind === 'ip-prefix' ? nh.mac : undefined),
      ];
      if (e.mobility.seqno > 0)
        (attrs[0] as { communities: ExtendedCommunity[] }).communities.push({
          kind: 'mac-mobility',
          sticky: e.mobility.sticky,
          sequence: e.mobility.seqno,
        });
      preference(e.localPreference, e.med, attrs);
      let nlri: LocalRoute['nlri'];
      if (kind === 'mac-ip') {
        const ip = hostIp(e.nlri.address);
        nlri = {
          type: 'evpn-mac-ip',
          routeType: 2,
          rd,
          esi: ZERO_ESI,
          ethernetTag: e.nlri.ethernetTag,
          mac: e.nlri.mac.toLowerCase(),
          ...(ip ? { ip } : {}),
          label1: label,
        };
      } else {
        nlri = {
          type: 'evpn-ip-prefix',
          routeType: 5,
          rd,
          esi: ZERO_ESI,
          ethernetTag: e.nlri.ethernetTag,
          prefix: e.nlri.address,
          gateway: e.nlri.address.includes(':') ? '::' : '0.0.0.0',
          label,
        };
      }
      out.push({
        family: FAMILY_EVPN,
        id: routeId(FAMILY_EVPN, nlri),
        nlri,
        nextHop: nh.address,
        attributes: attrs,
      });
    }
  }
}

/** Appends to `out` the BGP routes for one RouteDb destination's agent paths (none when `paths` is empty). */
export function exportRoutes(
  inst: ExportInstance,
  family: RouteFamily,
  paths: readonly RoutePath[],
  out: ExportedRoute[],
): void {
  if (paths.length === 0) return;
  if (family === 'enet') exportEnet(inst, paths, out);
  else exportUnicast(inst, paths, out);
}

/** The compute nodes (next hop addresses) of a destination's paths. */
export function pathNodes(paths: readonly RoutePath[], out: Set<string>): void {
  for (const p of paths) for (const nh of p.entry.nextHops) if (nh.address !== '') out.add(nh.address);
}

/**
 * The EVPN type 3 route of one compute node in one instance: ingress replication towards the node, the VNI in
 * the PMSI label field (RFC 8365 5.1.3). Undefined without a VNI or for a non-IPv4 node.
 */
export function imetRoute(inst: ExportInstance, node: string): ExportedRoute | undefined {
  const tunnelId = ipv4Bytes(node);
  if (inst.vni === undefined || tunnelId === undefined) return undefined;
  const nlri = {
    type: 'evpn-inclusive-multicast' as const,
    routeType: 3 as const,
    rd: inst.rd,
    ethernetTag: 0,
    originator: node,
  };
  return {
    family: FAMILY_EVPN,
    id: routeId(FAMILY_EVPN, nlri),
    nlri,
    nextHop: node,
    attributes: [
      {
        type: 'EXTENDED_COMMUNITIES',
        communities: [...inst.exportTargets, { kind: 'encapsulation', tunnelType: TunnelType.VXLAN }],
      },
      {
        type: 'PMSI_TUNNEL',
        pmsiFlags: 0,
        tunnelType: PMSI_INGRESS_REPLICATION,
        labelField: inst.vni,
        tunnelId,
      },
    ],
  };
}
