// EVPN route entries (AFI/SAFI 25/242 on XMPP, 25/70 on the BGP side): the EnetEntryType of Tungsten Fabric's
// xmpp_enet.xsd with the OpenSDN additions as optional fields. One entry type carries every EVPN form the
// control node tells apart (PROTOCOL.md section 5): a non-zero MAC is type 2 (MAC/IP), an all-zero MAC with
// an address is type 5 (IP prefix), a broadcast MAC is the BUM (inclusive multicast) route, a group is
// SMET (type 6).
//
//   <entry> nlri(af safi ethernet-tag mac address group source flags) next-hops(next-hop*) olist
//           virtual-network mobility [peers] sequence-number security-group-list local-preference med
//           edge-replication-not-supported assisted-replication-supported leaf-olist replicator-address
//           etree-leaf </entry>
//   next-hop := af address mac label l3-label tunnel-encapsulation-list tag-list [is-new-tags-list]
//               local-sequence-number
import { encodeElement, type Mobility, readElementOf, schema } from './entry-codec.js';
import type { XmlCursor } from './xml-cursor.js';

export interface EnetNextHop {
  af: number;
  address: string;
  mac: string;
  /** L2 label, or the VNI for VXLAN. */
  label: number;
  l3Label: number;
  tunnelEncapsulations: string[];
  tags: number[];
  isNewTagsList?: boolean;
  localSequenceNumber: number;
}

export interface EnetNlri {
  af: number;
  safi: number;
  /** VNI for VXLAN, else 0. */
  ethernetTag: number;
  mac: string;
  /** `ip/32`, `::/128` or `0.0.0.0/32`; a prefix for type 5. */
  address: string;
  /** SMET (type 6) group and source; '' otherwise. */
  group: string;
  source: string;
  flags: number;
}

export interface EnetEntry {
  nlri: EnetNlri;
  nextHops: EnetNextHop[];
  olist: EnetNextHop[];
  virtualNetwork: string;
  mobility: Mobility;
  peers?: string[];
  sequenceNumber: number;
  securityGroups: number[];
  localPreference: number;
  med: number;
  edgeReplicationNotSupported: boolean;
  assistedReplicationSupported: boolean;
  leafOlist: EnetNextHop[];
  replicatorAddress: string;
  etreeLeaf: boolean;
}

/** The EVPN route type the control node derives from an entry (PROTOCOL.md section 5, CN rules). */
export type EvpnRouteKind = 'mac-ip' | 'ip-prefix' | 'inclusive-multicast' | 'smet';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

export function evpnRouteKind(nlri: EnetNlri): EvpnRouteKind {
  if (nlri.group !== '' && nlri.group !== '0.0.0.0') return 'smet';
  const mac = nlri.mac.toLowerCase();
  if (mac === BROADCAST_MAC) return 'inclusive-multicast';
  if (mac === '' || /^0{1,2}(:0{1,2}){5}$/.test(mac)) return 'ip-prefix';
  return 'mac-ip';
}

export function defaultEnetNextHop(): EnetNextHop {
  return {
    af: 1,
    address: '',
    mac: '',
    label: 0,
    l3Label: 0,
    tunnelEncapsulations: [],
    tags: [],
    localSequenceNumber: 0,
  };
}

const NEXT_HOP = schema<EnetNextHop>(
  'next-hop',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'text', el: 'address', key: 'address' },
    { kind: 'text', el: 'mac', key: 'mac' },
    { kind: 'int', el: 'label', key: 'label' },
    { kind: 'int', el: 'l3-label', key: 'l3Label' },
    {
      kind: 'texts',
      el: 'tunnel-encapsulation-list',
      key: 'tunnelEncapsulations',
      child: 'tunnel-encapsulation',
    },
    { kind: 'ints', el: 'tag-list', key: 'tags', child: 'tag' },
    { kind: 'opt-bool', el: 'is-new-tags-list', key: 'isNewTagsList' },
    { kind: 'int', el: 'local-sequence-number', key: 'localSequenceNumber' },
  ],
  defaultEnetNextHop,
);

const NLRI = schema<EnetNlri>(
  'nlri',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'int', el: 'safi', key: 'safi' },
    { kind: 'int', el: 'ethernet-tag', key: 'ethernetTag' },
    { kind: 'text', el: 'mac', key: 'mac' },
    { kind: 'text', el: 'address', key: 'address' },
    { kind: 'text', el: 'group', key: 'group' },
    { kind: 'text', el: 'source', key: 'source' },
    { kind: 'int', el: 'flags', key: 'flags' },
  ],
  () => ({ af: 0, safi: 0, ethernetTag: 0, mac: '', address: '', group: '', source: '', flags: 0 }),
);

const ENTRY = schema<EnetEntry>(
  'entry',
  [
    { kind: 'group', el: 'nlri', key: 'nlri', of: NLRI },
    { kind: 'list', el: 'next-hops', key: 'nextHops', of: NEXT_HOP },
    { kind: 'list', el: 'olist', key: 'olist', of: NEXT_HOP },
    { kind: 'text', el: 'virtual-network', key: 'virtualNetwork' },
    { kind: 'mobility', el: 'mobility', key: 'mobility' },
    { kind: 'opt-texts', el: 'peers', key: 'peers', child: 'peer' },
    { kind: 'int', el: 'sequence-number', key: 'sequenceNumber' },
    { kind: 'ints', el: 'security-group-list', key: 'securityGroups', child: 'security-group' },
    { kind: 'int', el: 'local-preference', key: 'localPreference' },
    { kind: 'int', el: 'med', key: 'med' },
    { kind: 'bool', el: 'edge-replication-not-supported', key: 'edgeReplicationNotSupported' },
    { kind: 'bool', el: 'assisted-replication-supported', key: 'assistedReplicationSupported' },
    { kind: 'list', el: 'leaf-olist', key: 'leafOlist', of: NEXT_HOP },
    { kind: 'text', el: 'replicator-address', key: 'replicatorAddress' },
    { kind: 'bool', el: 'etree-leaf', key: 'etreeLeaf' },
  ],
  () => ({
    nlri: { af: 0, safi: 0, ethernetTag: 0, mac: '', address: '', group: '', source: '', flags: 0 },
    nextHops: [],
    olist: [],
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    localPreference: 0,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  }),
  '',
);

export function encodeEnetEntry(e: EnetEntry): string {
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads an EVPN entry, consuming `</entry>`. */
export function readEnetEntry(c: XmlCursor): EnetEntry {
  return readElementOf(c, ENTRY);
}
