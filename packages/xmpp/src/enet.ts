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
import { encodeMobility, type Mobility, readMobility } from './unicast.js';
import {
  fastIntList,
  fastTextList,
  intLeaf,
  leaf,
  readBool,
  readInt,
  readIntList,
  readTextList,
  textList,
} from './vocab-common.js';
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

function encodeNextHop(nh: EnetNextHop): string {
  return (
    '<next-hop>\n' +
    intLeaf('af', nh.af) +
    leaf('address', nh.address) +
    leaf('mac', nh.mac) +
    intLeaf('label', nh.label) +
    intLeaf('l3-label', nh.l3Label) +
    textList('tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations) +
    textList('tag-list', 'tag', nh.tags) +
    (nh.isNewTagsList === undefined ? '' : leaf('is-new-tags-list', nh.isNewTagsList ? 'true' : 'false')) +
    intLeaf('local-sequence-number', nh.localSequenceNumber) +
    '</next-hop>\n'
  );
}

function encodeNextHops(name: string, list: readonly EnetNextHop[]): string {
  if (list.length === 0) return `<${name} />\n`;
  let out = `<${name}>\n`;
  for (const nh of list) out += encodeNextHop(nh);
  return `${out}</${name}>\n`;
}

function onNextHopChild(c: XmlCursor, nh: EnetNextHop): void {
  switch (c.name()) {
    case 'af':
      nh.af = readInt(c, 'next-hop/af');
      break;
    case 'address':
      nh.address = c.readText().trim();
      break;
    case 'mac':
      nh.mac = c.readText().trim();
      break;
    case 'label':
      nh.label = readInt(c, 'next-hop/label');
      break;
    case 'l3-label':
      nh.l3Label = readInt(c, 'next-hop/l3-label');
      break;
    case 'tunnel-encapsulation-list':
      nh.tunnelEncapsulations = readTextList(c, 'tunnel-encapsulation');
      break;
    case 'tag-list':
      nh.tags = readIntList(c, 'tag', 'next-hop/tag');
      break;
    case 'is-new-tags-list':
      nh.isNewTagsList = readBool(c);
      break;
    case 'local-sequence-number':
      nh.localSequenceNumber = readInt(c, 'next-hop/local-sequence-number');
      break;
    default:
      c.skip();
  }
}

function fastNextHop(c: XmlCursor, nh: EnetNextHop): void {
  let v = c.leafInt('af');
  if (v === undefined) return;
  nh.af = v;
  let t = c.leafText('address');
  if (t === undefined) return;
  nh.address = t;
  t = c.leafText('mac');
  if (t === undefined) return;
  nh.mac = t;
  v = c.leafInt('label');
  if (v === undefined) return;
  nh.label = v;
  v = c.leafInt('l3-label');
  if (v === undefined) return;
  nh.l3Label = v;
  if (!fastTextList(c, 'tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations)) return;
  if (!fastIntList(c, 'tag-list', 'tag', nh.tags)) return;
  v = c.leafInt('local-sequence-number');
  if (v !== undefined) nh.localSequenceNumber = v;
}

function readNextHop(c: XmlCursor): EnetNextHop {
  const nh = defaultEnetNextHop();
  fastNextHop(c, nh);
  while (c.nextChild()) onNextHopChild(c, nh);
  return nh;
}

function readNextHops(c: XmlCursor): EnetNextHop[] {
  const out: EnetNextHop[] = [];
  while (c.enter('next-hop')) {
    const nh = defaultEnetNextHop();
    fastNextHop(c, nh);
    if (!c.leave()) while (c.nextChild()) onNextHopChild(c, nh);
    out.push(nh);
  }
  while (c.nextChild()) {
    if (c.name() === 'next-hop') out.push(readNextHop(c));
    else c.skip();
  }
  return out;
}

export function encodeEnetEntry(e: EnetEntry): string {
  const n = e.nlri;
  return (
    '<entry>\n<nlri>\n' +
    intLeaf('af', n.af) +
    intLeaf('safi', n.safi) +
    intLeaf('ethernet-tag', n.ethernetTag) +
    leaf('mac', n.mac) +
    leaf('address', n.address) +
    leaf('group', n.group) +
    leaf('source', n.source) +
    intLeaf('flags', n.flags) +
    '</nlri>\n' +
    encodeNextHops('next-hops', e.nextHops) +
    encodeNextHops('olist', e.olist) +
    leaf('virtual-network', e.virtualNetwork) +
    encodeMobility(e.mobility) +
    (e.peers === undefined ? '' : textList('peers', 'peer', e.peers)) +
    intLeaf('sequence-number', e.sequenceNumber) +
    textList('security-group-list', 'security-group', e.securityGroups) +
    intLeaf('local-preference', e.localPreference) +
    intLeaf('med', e.med) +
    leaf('edge-replication-not-supported', e.edgeReplicationNotSupported ? 'true' : 'false') +
    leaf('assisted-replication-supported', e.assistedReplicationSupported ? 'true' : 'false') +
    encodeNextHops('leaf-olist', e.leafOlist) +
    leaf('replicator-address', e.replicatorAddress) +
    leaf('etree-leaf', e.etreeLeaf ? 'true' : 'false') +
    '</entry>\n'
  );
}

export function readEnetEntry(c: XmlCursor): EnetEntry {
  const e: EnetEntry = {
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
  };
  fastEntry(c, e);
  while (c.nextChild()) {
    switch (c.name()) {
      case 'nlri': {
        const n = e.nlri;
        while (c.nextChild()) {
          switch (c.name()) {
            case 'af':
              n.af = readInt(c, 'nlri/af');
              break;
            case 'safi':
              n.safi = readInt(c, 'nlri/safi');
              break;
            case 'ethernet-tag':
              n.ethernetTag = readInt(c, 'nlri/ethernet-tag');
              break;
            case 'mac':
              n.mac = c.readText().trim();
              break;
            case 'address':
              n.address = c.readText().trim();
              break;
            case 'group':
              n.group = c.readText().trim();
              break;
            case 'source':
              n.source = c.readText().trim();
              break;
            case 'flags':
              n.flags = readInt(c, 'nlri/flags');
              break;
            default:
              c.skip();
          }
        }
        break;
      }
      case 'next-hops':
        e.nextHops = readNextHops(c);
        break;
      case 'olist':
        e.olist = readNextHops(c);
        break;
      case 'leaf-olist':
        e.leafOlist = readNextHops(c);
        break;
      case 'virtual-network':
        e.virtualNetwork = c.readText().trim();
        break;
      case 'mobility':
        e.mobility = readMobility(c);
        break;
      case 'peers':
        e.peers = readTextList(c, 'peer');
        break;
      case 'sequence-number':
        e.sequenceNumber = readInt(c, 'sequence-number');
        break;
      case 'security-group-list':
        e.securityGroups = readIntList(c, 'security-group', 'security-group');
        break;
      case 'local-preference':
        e.localPreference = readInt(c, 'local-preference');
        break;
      case 'med':
        e.med = readInt(c, 'med');
        break;
      case 'edge-replication-not-supported':
        e.edgeReplicationNotSupported = readBool(c);
        break;
      case 'assisted-replication-supported':
        e.assistedReplicationSupported = readBool(c);
        break;
      case 'replicator-address':
        e.replicatorAddress = c.readText().trim();
        break;
      case 'etree-leaf':
        e.etreeLeaf = readBool(c);
        break;
      default:
        c.skip();
    }
  }
  return e;
}

/** `<name />` or `<name>` + next hops (finished by the general loop); false when `name` is not next. */
function fastNextHops(c: XmlCursor, name: string, out: EnetNextHop[]): boolean {
  const o = c.open(name);
  if (o === 2) out.push(...readNextHops(c));
  return o !== 0;
}

/** Schema-order fast path of an EVPN entry; the general loop finishes whatever it leaves. */
function fastEntry(c: XmlCursor, e: EnetEntry): void {
  if (!c.peek('nlri')) return;
  if (c.enter('nlri')) {
    const n = e.nlri;
    fastNlri(c, n);
    while (c.nextChild()) {
      // Rare: the nlri was not in schema order; hand the rest to the general reader.
      const name = c.name();
      if (name === 'af') n.af = readInt(c, 'nlri/af');
      else if (name === 'safi') n.safi = readInt(c, 'nlri/safi');
      else if (name === 'ethernet-tag') n.ethernetTag = readInt(c, 'nlri/ethernet-tag');
      else if (name === 'mac') n.mac = c.readText().trim();
      else if (name === 'address') n.address = c.readText().trim();
      else if (name === 'group') n.group = c.readText().trim();
      else if (name === 'source') n.source = c.readText().trim();
      else if (name === 'flags') n.flags = readInt(c, 'nlri/flags');
      else c.skip();
    }
  } else return;
  if (!fastNextHops(c, 'next-hops', e.nextHops)) return;
  if (!fastNextHops(c, 'olist', e.olist)) return;
  let t = c.leafText('virtual-network');
  if (t === undefined) return;
  e.virtualNetwork = t;
  if (!c.peek('mobility')) return;
  c.nextChild();
  e.mobility = readMobility(c);
  if (c.peek('peers')) {
    c.nextChild();
    e.peers = readTextList(c, 'peer');
  }
  let v = c.leafInt('sequence-number');
  if (v === undefined) return;
  e.sequenceNumber = v;
  if (!fastIntList(c, 'security-group-list', 'security-group', e.securityGroups)) return;
  v = c.leafInt('local-preference');
  if (v === undefined) return;
  e.localPreference = v;
  v = c.leafInt('med');
  if (v === undefined) return;
  e.med = v;
  t = c.leafText('edge-replication-not-supported');
  if (t === undefined) return;
  e.edgeReplicationNotSupported = t === 'true';
  t = c.leafText('assisted-replication-supported');
  if (t === undefined) return;
  e.assistedReplicationSupported = t === 'true';
  if (!fastNextHops(c, 'leaf-olist', e.leafOlist)) return;
  t = c.leafText('replicator-address');
  if (t === undefined) return;
  e.replicatorAddress = t;
  t = c.leafText('etree-leaf');
  if (t !== undefined) e.etreeLeaf = t === 'true';
}

function fastNlri(c: XmlCursor, n: EnetNlri): void {
  let v = c.leafInt('af');
  if (v === undefined) return;
  n.af = v;
  v = c.leafInt('safi');
  if (v === undefined) return;
  n.safi = v;
  v = c.leafInt('ethernet-tag');
  if (v === undefined) return;
  n.ethernetTag = v;
  let t = c.leafText('mac');
  if (t === undefined) return;
  n.mac = t;
  t = c.leafText('address');
  if (t === undefined) return;
  n.address = t;
  t = c.leafText('group');
  if (t === undefined) return;
  n.group = t;
  t = c.leafText('source');
  if (t === undefined) return;
  n.source = t;
  v = c.leafInt('flags');
  if (v !== undefined) n.flags = v;
}
