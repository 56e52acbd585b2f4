// Route entries of IPv4 unicast (AFI/SAFI 1/1), labeled IPv4 (1/4) and IPv6 unicast (2/1): the EntryType of
// Tungsten Fabric's xmpp_unicast.xsd, with the OpenSDN additions (`is-new-tags-list`, `peers`) as optional
// fields. Elements are written in schema order with every scalar present; decoding takes them in any order
// and skips unknown names.
//
//   <entry> nlri(af safi address) next-hops(next-hop*) version virtual-network mobility[@seqno @sticky]
//           [peers] sequence-number security-group-list community-tag-list local-preference med
//           load-balance(load-balance-fields load-balance-decision) sub-protocol </entry>
import { encodeElement, type Mobility, readElementOf, schema } from './entry-codec.js';
import {
  ADDRESS,
  AF,
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
  PEERS,
  SAFI,
  SECURITY_GROUPS,
  SEQUENCE_NUMBER,
  TAGS,
  TUNNEL_ENCAPSULATIONS,
  VIRTUAL_NETWORK,
} from './entry-fields.js';
import type { XmlCursor } from './xml-cursor.js';

export { encodeMobility, type Mobility, readMobility } from './entry-codec.js';

export type TunnelEncapsulation = 'gre' | 'udp' | 'vxlan' | 'mpls' | 'native' | (string & {});
export type LoadBalanceField =
  | 'l3-source-address'
  | 'l3-destination-address'
  | 'l4-protocol'
  | 'l4-source-port'
  | 'l4-destination-port'
  | (string & {});
export type SubProtocol = 'interface' | 'interface-static' | 'service-interface' | 'bgpaas' | (string & {});

export interface UnicastNextHop {
  af: number;
  /** Tunnel endpoint (the compute node's underlay IPv4). */
  address: string;
  /** Router MAC, or ''. */
  mac: string;
  /** MPLS label (the VN id when the encapsulation is VXLAN). */
  label: number;
  vni: number;
  tunnelEncapsulations: TunnelEncapsulation[];
  virtualNetwork: string;
  tags: number[];
  /** OpenSDN: 64-bit tags. Written only when set. */
  isNewTagsList?: boolean;
  localSequenceNumber: number;
}

export interface UnicastNlri {
  af: number;
  safi: number;
  /** `a.b.c.d/len` or `x::/len`. */
  address: string;
}

export interface LoadBalance {
  fields: LoadBalanceField[];
  decision: 'field-hash' | 'source-bias' | (string & {});
}

export interface UnicastEntry {
  nlri: UnicastNlri;
  nextHops: UnicastNextHop[];
  version: number;
  /** CN to agent: VN of the best path. */
  virtualNetwork: string;
  mobility: Mobility;
  /** OpenSDN: bgpaas sources. Written only when set. */
  peers?: string[];
  /** Deprecated in favour of mobility, still always written. */
  sequenceNumber: number;
  securityGroups: number[];
  communityTags: string[];
  localPreference: number;
  med: number;
  loadBalance: LoadBalance;
  subProtocol: SubProtocol;
}

const NEXT_HOP = schema<UnicastNextHop>('next-hop', [
  NEXT_HOP_AF,
  ADDRESS,
  MAC,
  LABEL,
  { kind: 'int', el: 'vni', key: 'vni' },
  TUNNEL_ENCAPSULATIONS,
  VIRTUAL_NETWORK,
  TAGS,
  IS_NEW_TAGS_LIST,
  LOCAL_SEQUENCE_NUMBER,
]);

export function defaultUnicastNextHop(): UnicastNextHop {
  return NEXT_HOP.make();
}

const ENTRY = schema<UnicastEntry>(
  'entry',
  [
    nlri(schema<UnicastNlri>('nlri', [AF, SAFI, ADDRESS])),
    nextHops(NEXT_HOP),
    { kind: 'int', el: 'version', key: 'version' },
    VIRTUAL_NETWORK,
    MOBILITY,
    PEERS,
    SEQUENCE_NUMBER,
    SECURITY_GROUPS,
    { kind: 'texts', el: 'community-tag-list', key: 'communityTags', child: 'community-tag' },
    LOCAL_PREFERENCE,
    MED,
    {
      kind: 'group',
      el: 'load-balance',
      key: 'loadBalance',
      of: schema<LoadBalance>('load-balance', [
        { kind: 'texts', el: 'load-balance-fields', key: 'fields', child: 'load-balance-field-list' },
        { kind: 'text', el: 'load-balance-decision', key: 'decision', def: 'field-hash' },
      ]),
    },
    { kind: 'text', el: 'sub-protocol', key: 'subProtocol', def: 'interface' },
  ],
  '',
);

/** Writes `<entry>...</entry>` for a unicast route. */
export function encodeUnicastEntry(e: UnicastEntry): string {
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads a unicast entry, consuming `</entry>`. */
export function readUnicastEntry(c: XmlCursor): UnicastEntry {
  return readElementOf(c, ENTRY);
}
