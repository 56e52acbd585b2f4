// Route entries the control plane builds itself (routes of hypervisor-less VTEPs from config) and the mapping
// between RouteDb families and @filament/xmpp families. Keys are the item ids TF puts on the wire
// (PROTOCOL.md section 6): the prefix for inet/inet6, `[<tag>-]<mac>,<ip>/<plen>` for EVPN.
import {
  defaultEnetNextHop,
  defaultUnicastNextHop,
  type EnetEntry,
  type Family,
  itemId,
  type Route,
  type UnicastEntry,
} from '@filament/xmpp';
import type { RouteFamily } from './route-db.js';

/** RouteDb family of an XMPP family; undefined for the families the RouteDb does not carry (multicast). */
export function routeFamilyOf(f: Family): RouteFamily | undefined {
  switch (f) {
    case 'inet':
    case 'inet-mpls':
      return 'inet';
    case 'inet6':
      return 'inet6';
    case 'evpn':
      return 'enet';
    default:
      return undefined;
  }
}

/** XMPP family a RouteDb family travels as. */
export function xmppFamilyOf(f: RouteFamily): 'inet' | 'inet6' | 'evpn' {
  return f === 'enet' ? 'evpn' : f;
}

/** The XMPP route of a RouteDb entry. */
export function routeOf(family: RouteFamily, entry: UnicastEntry | EnetEntry): Route {
  return family === 'enet'
    ? { family: 'evpn', entry: entry as EnetEntry }
    : { family, entry: entry as UnicastEntry };
}

/** The RouteDb key (the wire item id) of a route. */
export function routeKey(route: Route): string {
  return itemId(route);
}

export interface EndpointRouteSpec {
  /** Workload address, without a prefix length. */
  ip: string;
  mac: string;
  /** Tunnel endpoint (underlay address). */
  nextHop: string;
  label: number;
  vni: number;
  encapsulations: string[];
  /** Virtual network fq_name joined with ':'. */
  vn: string;
}

export function unicastEntry(s: EndpointRouteSpec): UnicastEntry {
  const v6 = s.ip.includes(':');
  const nh = defaultUnicastNextHop();
  nh.af = 1;
  nh.address = s.nextHop;
  nh.label = s.label;
  nh.vni = s.vni;
  nh.tunnelEncapsulations = [...s.encapsulations];
  nh.virtualNetwork = s.vn;
  return {
    nlri: { af: v6 ? 2 : 1, safi: 1, address: `${s.ip}/${v6 ? 128 : 32}` },
    nextHops: [nh],
    version: 1,
    virtualNetwork: s.vn,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 100,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
}

export function enetEntry(s: EndpointRouteSpec): EnetEntry {
  const v6 = s.ip.includes(':');
  const nh = defaultEnetNextHop();
  nh.af = 1;
  nh.address = s.nextHop;
  nh.label = s.vni;
  nh.l3Label = s.label;
  nh.tunnelEncapsulations = [...s.encapsulations];
  return {
    nlri: {
      af: 25,
      safi: 242,
      ethernetTag: 0,
      mac: s.mac,
      address: `${s.ip}/${v6 ? 128 : 32}`,
      group: '',
      source: '',
      flags: 0,
    },
    nextHops: [nh],
    olist: [],
    virtualNetwork: s.vn,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    localPreference: 100,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  };
}
