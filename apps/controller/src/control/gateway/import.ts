// Import: routes a gateway peer sends (VPNv4/VPNv6, EVPN types 2, 3 and 5) as RouteDb paths of the instances whose
// import route targets the route carries (RFC 4364 4.3.1; TF's control node imports bgp.l3vpn.0 / bgp.evpn.0 into
// VRFs the same way). The path's source is `bgp:<peer address>` and its entry is what an agent is sent (TF's
// EntryType): next hop = the gateway's address, label or VNI and tunnel encapsulations from the route.
//   VPN       -> inet/inet6 entry, key = the prefix, label = the VPN label (the VNI when the route says VXLAN);
//   type 2    -> enet entry `<mac>,<ip>/<len>`, label = the VNI under VXLAN (RFC 8365 5.1.3), else the MPLS label;
//   type 5    -> enet entry `00:00:00:00:00:00,<prefix>` with the router's MAC as next hop MAC;
//   type 3    -> enet broadcast entry `ff:ff:ff:ff:ff:ff,<originator>/32` (the gateway as a BUM replication target),
//                label = the PMSI tunnel's label field.
import type { ExtendedCommunity, Nlri, PathAttrs } from '@filament/bgp';
import {
  BROADCAST_MAC,
  defaultEnetNextHop,
  defaultUnicastNextHop,
  type EnetEntry,
  type UnicastEntry,
} from '@filament/xmpp';
import type { RouteFamily } from '../routing/route-db.js';
import { encapsulationNames } from './encapsulation.js';

/** One imported destination, before it is matched to instances. */
export interface ImportedRoute {
  readonly family: RouteFamily;
  readonly key: string;
  /** Builds the entry for one instance (its VN goes into the entry). */
  entry(vn: string): UnicastEntry | EnetEntry;
}

const ZERO_MAC = '00:00:00:00:00:00';

function extendedCommunities(attrs: PathAttrs): readonly ExtendedCommunity[] {
  for (const a of attrs.attributes) if (a.type === 'EXTENDED_COMMUNITIES') return a.communities;
  return [];
}

/** A BGP next hop as an agent tunnel endpoint (IPv4-mapped IPv6 next hops of VPNv6 routes unwrapped). */
export function tunnelEndpoint(nextHop: string): string {
  return nextHop.startsWith('::ffff:') && nextHop.includes('.') ? nextHop.slice(7) : nextHop;
}

function withLength(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** The enet item id TF uses (PROTOCOL.md section 6): `[<tag>-]<mac>,<ip>/<len>`. */
export function enetKey(ethernetTag: number, mac: string, address: string): string {
  return ethernetTag === 0 ? `${mac},${address}` : `${ethernetTag}-${mac},${address}`;
}

function unicastEntry(
  prefix: string,
  nextHop: ReturnType<typeof defaultUnicastNextHop>,
  vn: string,
  attrs: PathAttrs,
): UnicastEntry {
  const v6 = prefix.includes(':');
  return {
    nlri: { af: v6 ? 2 : 1, safi: 1, address: prefix },
    nextHops: [{ ...nextHop, virtualNetwork: vn }],
    version: 1,
    virtualNetwork: vn,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: attrs.localPref ?? 100,
    med: attrs.med ?? 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
}

function enetEntry(
  nlri: EnetEntry['nlri'],
  nextHop: ReturnType<typeof defaultEnetNextHop>,
  vn: string,
  attrs: PathAttrs,
  mobility: EnetEntry['mobility'],
): EnetEntry {
  return {
    nlri,
    nextHops: [nextHop],
    olist: [],
    virtualNetwork: vn,
    mobility,
    sequenceNumber: mobility.seqno,
    securityGroups: [],
    localPreference: attrs.localPref ?? 100,
    med: attrs.med ?? 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  };
}

function enetNlri(ethernetTag: number, mac: string, address: string): EnetEntry['nlri'] {
  return { af: 25, safi: 242, ethernetTag, mac, address, group: '', source: '', flags: 0 };
}

/**
 * The RouteDb destination for a route from a gateway, or undefined for what agents cannot use (other
 * families, EVPN types 1 and 4, routes without a next hop).
 */
export function importedRoute(nlri: Nlri, attrs: PathAttrs): ImportedRoute | undefined {
  const address = tunnelEndpoint(attrs.nextHop);
  if (address === '') return undefined;
  const ext = extendedCommunities(attrs);
  const tunnels = encapsulationNames(ext);
  const vxlan = tunnels.includes('vxlan');
  let routerMac = '';
  let mobility = { seqno: 0, sticky: false };
  for (const c of ext) {
    if (c.kind === 'router-mac') routerMac = c.mac;
    else if (c.kind === 'mac-mobility') mobility = { seqno: c.sequence, sticky: c.sticky };
  }
  switch (nlri.type) {
    case 'vpn': {
      const label = nlri.labels[0] ?? 0;
      const nh = {
        ...defaultUnicastNextHop(),
        af: 1,
        address,
        mac: routerMac,
        label,
        vni: vxlan ? label : 0,
        tunnelEncapsulations: tunnels,
      };
      const family: RouteFamily = nlri.prefix.includes(':') ? 'inet6' : 'inet';
      return { family, key: nlri.prefix, entry: (vn) => unicastEntry(nlri.prefix, nh, vn, attrs) };
    }
    case 'evpn-mac-ip': {
      const ip = nlri.ip === undefined ? '0.0.0.0/32' : withLength(nlri.ip);
      const label = vxlan ? nlri.label1.vni : nlri.label1.label;
      const l3 = nlri.label2 === undefined ? 0 : vxlan ? nlri.label2.vni : nlri.label2.label;
      const nh = {
        ...defaultEnetNextHop(),
        af: 1,
        address,
        mac: routerMac,
        label,
        l3Label: l3,
        tunnelEncapsulations: tunnels,
      };
      const n = enetNlri(nlri.ethernetTag, nlri.mac, ip);
      return {
        family: 'enet',
        key: enetKey(nlri.ethernetTag, nlri.mac, ip),
        entry: (vn) => enetEntry(n, nh, vn, attrs, mobility),
      };
    }
    case 'evpn-ip-prefix': {
      const label = vxlan ? nlri.label.vni : nlri.label.label;
      const nh = {
        ...defaultEnetNextHop(),
        af: 1,
        address,
        mac: routerMac,
        label,
        tunnelEncapsulations: tunnels,
      };
      const n = enetNlri(nlri.ethernetTag, ZERO_MAC, nlri.prefix);
      return {
        family: 'enet',
        key: enetKey(nlri.ethernetTag, ZERO_MAC, nlri.prefix),
        entry: (vn) => enetEntry(n, nh, vn, attrs, mobility),
      };
    }
    case 'evpn-inclusive-multicast': {
      let label = 0;
      for (const a of attrs.attributes) if (a.type === 'PMSI_TUNNEL') label = a.labelField;
      const ip = withLength(nlri.originator);
      const nh = { ...defaultEnetNextHop(), af: 1, address, label, tunnelEncapsulations: tunnels };
      const n = enetNlri(nlri.ethernetTag, BROADCAST_MAC, ip);
      return {
        family: 'enet',
        key: enetKey(nlri.ethernetTag, BROADCAST_MAC, ip),
        entry: (vn) => enetEntry(n, nh, vn, attrs, mobility),
      };
    }
    default:
      return undefined;
  }
}

/** Whether a route with these route targets is imported by an instance with these import targets. */
export function importedBy(routeTargets: readonly string[], importTargets: ReadonlySet<string>): boolean {
  for (const t of routeTargets) if (importTargets.has(t)) return true;
  return false;
}
