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
import {
  ADDRESS,
  AF,
  GROUP,
  IS_NEW_TAGS_LIST,
  LABEL,
  LOCAL_PREFERENCE,
  LOCAL_SEQUENCE_NUMBER,
  MAC,
  MED,
  MOBILITY,
  NEXT_HOP_AF,
  nextHops,
  nlri,
  olist,
  PEERS,
  SAFI,
  SECURITY_GROUPS,
  SEQUENCE_NUMBER,
  SOURCE,
  TAGS,
  TUNNEL_ENCAPSULATIONS,
  VIRTUAL_NETWORK,
} from './entry-fields.js';
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

const NEXT_HOP = schema<EnetNextHop>('next-hop', [
  NEXT_HOP_AF,
  ADDRESS,
  MAC,
  LABEL,
  { kind: 'int', el: 'l3-label', key: 'l3Label' },
  TUNNEL_ENCAPSULATIONS,
  TAGS,
  IS_NEW_TAGS_LIST,
  LOCAL_SEQUENCE_NUMBER,
]);

export function defaultEnetNextHop(): EnetNextHop {
  return NEXT_HOP.make();
}

const ENTRY = schema<EnetEntry>(
  'entry',
  [
    nlri(
      schema<EnetNlri>('nlri', [
        AF,
        SAFI,
        { kind: 'int', el: 'ethernet-tag', key: 'ethernetTag' },
        MAC,
        ADDRESS,
        GROUP,
        SOURCE,
        { kind: 'int', el: 'flags', key: 'flags' },
      ]),
    ),
    nextHops(NEXT_HOP),
    olist(NEXT_HOP),
    VIRTUAL_NETWORK,
    MOBILITY,
    PEERS,
    SEQUENCE_NUMBER,
    SECURITY_GROUPS,
    LOCAL_PREFERENCE,
    MED,
    { kind: 'bool', el: 'edge-replication-not-supported', key: 'edgeReplicationNotSupported' },
    { kind: 'bool', el: 'assisted-replication-supported', key: 'assistedReplicationSupported' },
    { kind: 'list', el: 'leaf-olist', key: 'leafOlist', of: NEXT_HOP },
    { kind: 'text', el: 'replicator-address', key: 'replicatorAddress' },
    { kind: 'bool', el: 'etree-leaf', key: 'etreeLeaf' },
  ],
  '',
);

export function encodeEnetEntry(e: EnetEntry): string {
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads an EVPN entry, consuming `</entry>`. */
export function readEnetEntry(c: XmlCursor): EnetEntry {
  return readElementOf(c, ENTRY);
}
