// Route entries of IPv4 unicast (AFI/SAFI 1/1), labeled IPv4 (1/4) and IPv6 unicast (2/1): the EntryType of
// Tungsten Fabric's xmpp_unicast.xsd, with the OpenSDN additions (`is-new-tags-list`, `peers`) as optional
// fields. Elements are written in schema order with every scalar present; decoding takes them in any order
// and skips unknown names.
//
//   <entry> nlri(af safi address) next-hops(next-hop*) version virtual-network mobility[@seqno @sticky]
//           [peers] sequence-number security-group-list community-tag-list local-preference med
//           load-balance(load-balance-fields load-balance-decision) sub-protocol </entry>
import { encodeElement, type Mobility, readElementOf, schema } from './entry-codec.js';
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

export function defaultUnicastNextHop(): UnicastNextHop {
  return {
    af: 1,
    address: '',
    mac: '',
    label: 0,
    vni: 0,
    tunnelEncapsulations: [],
    virtualNetwork: '',
    tags: [],
    localSequenceNumber: 0,
  };
}

const NEXT_HOP = schema<UnicastNextHop>(
  'next-hop',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'text', el: 'address', key: 'address' },
    { kind: 'text', el: 'mac', key: 'mac' },
    { kind: 'int', el: 'label', key: 'label' },
    { kind: 'int', el: 'vni', key: 'vni' },
    {
      kind: 'texts',
      el: 'tunnel-encapsulation-list',
      key: 'tunnelEncapsulations',
      child: 'tunnel-encapsulation',
    },
    { kind: 'text', el: 'virtual-network', key: 'virtualNetwork' },
    { kind: 'ints', el: 'tag-list', key: 'tags', child: 'tag' },
    { kind: 'opt-bool', el: 'is-new-tags-list', key: 'isNewTagsList' },
    { kind: 'int', el: 'local-sequence-number', key: 'localSequenceNumber' },
  ],
  defaultUnicastNextHop,
);

const NLRI = schema<UnicastNlri>(
  'nlri',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'int', el: 'safi', key: 'safi' },
    { kind: 'text', el: 'address', key: 'address' },
  ],
  () => ({ af: 0, safi: 0, address: '' }),
);

const LOAD_BALANCE = schema<LoadBalance>(
  'load-balance',
  [
    { kind: 'texts', el: 'load-balance-fields', key: 'fields', child: 'load-balance-field-list' },
    { kind: 'text', el: 'load-balance-decision', key: 'decision' },
  ],
  () => ({ fields: [], decision: 'field-hash' }),
);

const ENTRY = schema<UnicastEntry>(
  'entry',
  [
    { kind: 'group', el: 'nlri', key: 'nlri', of: NLRI },
    { kind: 'list', el: 'next-hops', key: 'nextHops', of: NEXT_HOP },
    { kind: 'int', el: 'version', key: 'version' },
    { kind: 'text', el: 'virtual-network', key: 'virtualNetwork' },
    { kind: 'mobility', el: 'mobility', key: 'mobility' },
    { kind: 'opt-texts', el: 'peers', key: 'peers', child: 'peer' },
    { kind: 'int', el: 'sequence-number', key: 'sequenceNumber' },
    { kind: 'ints', el: 'security-group-list', key: 'securityGroups', child: 'security-group' },
    { kind: 'texts', el: 'community-tag-list', key: 'communityTags', child: 'community-tag' },
    { kind: 'int', el: 'local-preference', key: 'localPreference' },
    { kind: 'int', el: 'med', key: 'med' },
    { kind: 'group', el: 'load-balance', key: 'loadBalance', of: LOAD_BALANCE },
    { kind: 'text', el: 'sub-protocol', key: 'subProtocol' },
  ],
  () => ({
    nlri: { af: 0, safi: 0, address: '' },
    nextHops: [],
    version: 0,
    virtualNetwork: '',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 0,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  }),
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
