// Route values shared by tests and the benchmark.
import type { EnetEntry, McastEntry, MvpnEntry, Route, UnicastEntry } from '../src/index.js';

export const VRF = 'default-domain:admin:vn1:vn1';

export function inetEntry(i: number, opts: Partial<UnicastEntry> = {}): UnicastEntry {
  return {
    nlri: { af: 1, safi: 1, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32` },
    nextHops: [
      {
        af: 1,
        address: '10.0.0.11',
        mac: '52:54:00:aa:bb:cc',
        label: 16 + (i % 1000),
        vni: 0,
        tunnelEncapsulations: ['gre', 'udp'],
        virtualNetwork: 'default-domain:admin:vn1',
        tags: [],
        localSequenceNumber: 0,
      },
    ],
    version: 1,
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [8000002],
    communityTags: [],
    localPreference: 200,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
    ...opts,
  };
}

export function inetRoute(i: number): Route {
  return { family: 'inet', entry: inetEntry(i) };
}

export function enetEntry(mac: string, address: string): EnetEntry {
  return {
    nlri: { af: 25, safi: 242, ethernetTag: 0, mac, address, group: '', source: '', flags: 0 },
    nextHops: [
      {
        af: 1,
        address: '10.0.0.11',
        mac: '',
        label: 26,
        l3Label: 0,
        tunnelEncapsulations: ['gre', 'udp'],
        tags: [],
        localSequenceNumber: 0,
      },
    ],
    olist: [],
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [8000002],
    localPreference: 200,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: true,
  };
}

export function mcastEntry(): McastEntry {
  return {
    nlri: {
      af: 1,
      safi: 241,
      group: '255.255.255.255',
      source: '0.0.0.0',
      sourceLabel: 0,
      sourceAddress: '',
    },
    nextHops: [{ af: 1, address: '10.0.0.11', label: '4096-4607', tunnelEncapsulations: ['gre', 'udp'] }],
    olist: [],
  };
}

export function mvpnEntry(): MvpnEntry {
  return {
    nlri: { af: 1, safi: 5, group: '239.1.1.1', source: '10.1.1.3', routeType: 7 },
    nextHop: { af: 1, address: '10.0.0.11', label: 0, tunnelEncapsulations: ['gre'] },
    olist: [],
  };
}
