// The routes an agent publishes for its interfaces (contract B, TF's agent route export): per port an inet
// /32 (and an inet6 /128 when the port has an IPv6 address) and an EVPN MAC/IP route, each with the agent's
// underlay address as next hop, the port's MPLS label, the network's VNI and the tunnel encapsulations of
// the network's priority list; per VRF one EVPN inclusive-multicast route (broadcast MAC, 0.0.0.0/32) so the
// other agents of the network add this one to their ingress replication list.

import { BROADCAST_MAC, type EnetEntry, type Route, type UnicastEntry } from '@filament/xmpp';

/** What one port contributes (everything the entries need, nothing from the data plane's tables). */
export interface LocalRouteSpec {
  /** The VN's fq_name, `default-domain:admin:vn1`. */
  virtualNetwork: string;
  underlay: string;
  routerMac: string;
  label: number;
  vni: number;
  /** XMPP tunnel names in priority order (`udp`, `gre`, `vxlan`). */
  encaps: readonly string[];
  mac: string;
  ip4: string;
  ip6?: string;
  securityGroups?: readonly number[];
  /** Policy tag ids of the interface (TF tag_id: type << 16 | value). */
  tags?: readonly number[];
}

function unicast(family: 'inet' | 'inet6', prefix: string, s: LocalRouteSpec): Route {
  const entry: UnicastEntry = {
    nlri: { af: family === 'inet' ? 1 : 2, safi: 1, address: prefix },
    nextHops: [
      {
        af: 1,
        address: s.underlay,
        mac: s.routerMac,
        label: s.label,
        vni: Math.max(s.vni, 0),
        tunnelEncapsulations: [...s.encaps],
        virtualNetwork: s.virtualNetwork,
        tags: [...(s.tags ?? [])],
        localSequenceNumber: 0,
      },
    ],
    version: 1,
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [...(s.securityGroups ?? [])],
    communityTags: [],
    localPreference: 200,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
  return { family, entry };
}

function enet(mac: string, address: string, s: LocalRouteSpec, l3Label: number): Route {
  const vni = Math.max(s.vni, 0);
  const entry: EnetEntry = {
    nlri: { af: 25, safi: 242, ethernetTag: vni, mac, address, group: '', source: '', flags: 0 },
    nextHops: [
      {
        af: 1,
        address: s.underlay,
        mac: s.routerMac,
        // TF: the L2 label field carries the VNI when the network runs VXLAN.
        label: vni > 0 ? vni : s.label,
        l3Label,
        tunnelEncapsulations: [...s.encaps],
        tags: [...(s.tags ?? [])],
        localSequenceNumber: 0,
      },
    ],
    olist: [],
    virtualNetwork: s.virtualNetwork,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [...(s.securityGroups ?? [])],
    localPreference: 200,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  };
  return { family: 'evpn', entry };
}

/** The routes of one port: inet /32, inet6 /128 when it has one, EVPN `<mac>,<ip>/32`. */
export function portRoutes(s: LocalRouteSpec): Route[] {
  const out = [unicast('inet', `${s.ip4}/32`, s)];
  if (s.ip6 !== undefined) out.push(unicast('inet6', `${s.ip6}/128`, s));
  out.push(enet(s.mac.toLowerCase(), `${s.ip4}/32`, s, s.label));
  return out;
}

/** The VRF's inclusive-multicast route (ingress replication toward this agent). */
export function bumRoute(s: Omit<LocalRouteSpec, 'mac' | 'ip4' | 'ip6' | 'label'>): Route {
  return enet(BROADCAST_MAC, '0.0.0.0/32', { ...s, label: 0, mac: BROADCAST_MAC, ip4: '0.0.0.0' }, 0);
}
