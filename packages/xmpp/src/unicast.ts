// Route entries of IPv4 unicast (AFI/SAFI 1/1), labeled IPv4 (1/4) and IPv6 unicast (2/1): the EntryType of
// Tungsten Fabric's xmpp_unicast.xsd, with the OpenSDN additions (`is-new-tags-list`, `peers`) as optional
// fields. Elements are written in schema order with every scalar present; decoding takes them in any order
// and skips unknown names.
//
//   <entry> nlri(af safi address) next-hops(next-hop*) version virtual-network mobility[@seqno @sticky]
//           [peers] sequence-number security-group-list community-tag-list local-preference med
//           load-balance(load-balance-fields load-balance-decision) sub-protocol </entry>
import { VocabularyError } from './errors.js';
import {
  fastIntList,
  fastTextList,
  intLeaf,
  LIT_INT,
  LIT_TEXT,
  LIT_WS,
  leaf,
  litExec,
  litInts,
  litLeaf,
  litList,
  litTexts,
  parseInteger,
  readBool,
  readInt,
  readIntList,
  readTextList,
  textList,
} from './vocab-common.js';
import type { XmlCursor } from './xml-cursor.js';

export type TunnelEncapsulation = 'gre' | 'udp' | 'vxlan' | 'mpls' | 'native' | (string & {});
export type LoadBalanceField =
  | 'l3-source-address'
  | 'l3-destination-address'
  | 'l4-protocol'
  | 'l4-source-port'
  | 'l4-destination-port'
  | (string & {});
export type SubProtocol = 'interface' | 'interface-static' | 'service-interface' | 'bgpaas' | (string & {});

export interface Mobility {
  seqno: number;
  sticky: boolean;
}

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

export function encodeMobility(m: Mobility): string {
  if (!Number.isSafeInteger(m.seqno))
    throw new VocabularyError('mobility/seqno', `not an integer: ${m.seqno}`);
  return `<mobility seqno="${m.seqno}" sticky="${m.sticky ? 'true' : 'false'}" />\n`;
}

export function readMobility(c: XmlCursor): Mobility {
  const seqno = parseInteger(c.attr('seqno') ?? '', 'mobility/seqno');
  const sticky = c.attr('sticky') === 'true';
  c.skip();
  return { seqno, sticky };
}

function encodeNextHop(nh: UnicastNextHop): string {
  return (
    '<next-hop>\n' +
    intLeaf('af', nh.af) +
    leaf('address', nh.address) +
    leaf('mac', nh.mac) +
    intLeaf('label', nh.label) +
    intLeaf('vni', nh.vni) +
    textList('tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations) +
    leaf('virtual-network', nh.virtualNetwork) +
    textList('tag-list', 'tag', nh.tags) +
    (nh.isNewTagsList === undefined ? '' : leaf('is-new-tags-list', nh.isNewTagsList ? 'true' : 'false')) +
    intLeaf('local-sequence-number', nh.localSequenceNumber) +
    '</next-hop>\n'
  );
}

function onNextHopChild(c: XmlCursor, nh: UnicastNextHop): void {
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
    case 'vni':
      nh.vni = readInt(c, 'next-hop/vni');
      break;
    case 'tunnel-encapsulation-list':
      nh.tunnelEncapsulations = readTextList(c, 'tunnel-encapsulation');
      break;
    case 'virtual-network':
      nh.virtualNetwork = c.readText().trim();
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

/** Schema-order fast path of a next hop; stops at the first element that is not the expected one. */
function fastNextHop(c: XmlCursor, nh: UnicastNextHop): void {
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
  v = c.leafInt('vni');
  if (v === undefined) return;
  nh.vni = v;
  if (!fastTextList(c, 'tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations)) return;
  t = c.leafText('virtual-network');
  if (t === undefined) return;
  nh.virtualNetwork = t;
  if (!fastIntList(c, 'tag-list', 'tag', nh.tags)) return;
  v = c.leafInt('local-sequence-number');
  if (v !== undefined) nh.localSequenceNumber = v;
}

function readNextHop(c: XmlCursor): UnicastNextHop {
  const nh = defaultUnicastNextHop();
  fastNextHop(c, nh);
  while (c.nextChild()) onNextHopChild(c, nh);
  return nh;
}

/** Writes `<entry>...</entry>` for a unicast route. */
export function encodeUnicastEntry(e: UnicastEntry): string {
  let nhs = '<next-hops>\n';
  for (const nh of e.nextHops) nhs += encodeNextHop(nh);
  nhs += '</next-hops>\n';
  if (e.nextHops.length === 0) nhs = '<next-hops />\n';
  return (
    '<entry>\n<nlri>\n' +
    intLeaf('af', e.nlri.af) +
    intLeaf('safi', e.nlri.safi) +
    leaf('address', e.nlri.address) +
    '</nlri>\n' +
    nhs +
    intLeaf('version', e.version) +
    leaf('virtual-network', e.virtualNetwork) +
    encodeMobility(e.mobility) +
    (e.peers === undefined ? '' : textList('peers', 'peer', e.peers)) +
    intLeaf('sequence-number', e.sequenceNumber) +
    textList('security-group-list', 'security-group', e.securityGroups) +
    textList('community-tag-list', 'community-tag', e.communityTags) +
    intLeaf('local-preference', e.localPreference) +
    intLeaf('med', e.med) +
    '<load-balance>\n' +
    textList('load-balance-fields', 'load-balance-field-list', e.loadBalance.fields) +
    leaf('load-balance-decision', e.loadBalance.decision) +
    '</load-balance>\n' +
    leaf('sub-protocol', e.subProtocol) +
    '</entry>\n'
  );
}

// Literal fast path (vocab-common.ts): the entry as encodeUnicastEntry and TF write it, in three sticky
// regexes: up to `<next-hops>`, one per next hop, the rest up to `</entry>`.
const LIT_NLRI = new RegExp(
  `${LIT_WS}<nlri>${litLeaf('af', LIT_INT)}${litLeaf('safi', LIT_INT)}${litLeaf('address', LIT_TEXT)}` +
    `${LIT_WS}</nlri>${LIT_WS}<next-hops(?:( ?/)>|>)`,
  'y',
);
const LIT_NEXT_HOP = new RegExp(
  `${LIT_WS}<next-hop>${litLeaf('af', LIT_INT)}${litLeaf('address', LIT_TEXT)}${litLeaf('mac', LIT_TEXT)}` +
    `${litLeaf('label', LIT_INT)}${litLeaf('vni', LIT_INT)}` +
    `${litList('tunnel-encapsulation-list', 'tunnel-encapsulation', false)}` +
    `${litLeaf('virtual-network', LIT_TEXT)}${litList('tag-list', 'tag', true)}` +
    `(?:${litLeaf('is-new-tags-list', LIT_TEXT)})?${litLeaf('local-sequence-number', LIT_INT)}` +
    `${LIT_WS}</next-hop>`,
  'y',
);
const LIT_REST =
  `${litLeaf('version', LIT_INT)}${litLeaf('virtual-network', LIT_TEXT)}` +
  `${LIT_WS}<mobility seqno="(\\d{1,15})" sticky="(true|false)" ?/>${litLeaf('sequence-number', LIT_INT)}` +
  `${litList('security-group-list', 'security-group', true)}` +
  `${litList('community-tag-list', 'community-tag', false)}` +
  `${litLeaf('local-preference', LIT_INT)}${litLeaf('med', LIT_INT)}${LIT_WS}<load-balance>` +
  `${litList('load-balance-fields', 'load-balance-field-list', false)}` +
  `${litLeaf('load-balance-decision', LIT_TEXT)}${LIT_WS}</load-balance>` +
  `${litLeaf('sub-protocol', LIT_TEXT)}${LIT_WS}</entry>`;
const LIT_REST_AFTER_LIST = new RegExp(`${LIT_WS}</next-hops>${LIT_REST}`, 'y');
const LIT_REST_AFTER_EMPTY = new RegExp(LIT_REST, 'y');

/** The literal fast path of an entry after its START; undefined (nothing consumed) when it does not apply. */
function literalUnicastEntry(c: XmlCursor): UnicastEntry | undefined {
  // entry > next-hops > next-hop > tag-list > tag
  const pos = c.literalFrom(4);
  if (pos < 0) return undefined;
  const s = c.source;
  const end = c.limit;
  const h = litExec(LIT_NLRI, s, pos, end);
  if (h === null) return undefined;
  let p = LIT_NLRI.lastIndex;
  const nextHops: UnicastNextHop[] = [];
  let rest = LIT_REST_AFTER_EMPTY;
  if (h[4] === undefined) {
    rest = LIT_REST_AFTER_LIST;
    for (let m = litExec(LIT_NEXT_HOP, s, p, end); m !== null; m = litExec(LIT_NEXT_HOP, s, p, end)) {
      p = LIT_NEXT_HOP.lastIndex;
      const nh: UnicastNextHop = {
        af: +m[1]!,
        address: m[2]!,
        mac: m[3]!,
        label: +m[4]!,
        vni: +m[5]!,
        tunnelEncapsulations: litTexts(m[6], 'tunnel-encapsulation', []),
        virtualNetwork: m[7]!,
        tags: litInts(m[8], 'tag', []),
        localSequenceNumber: +m[10]!,
      };
      if (m[9] !== undefined) nh.isNewTagsList = m[9] === 'true';
      nextHops.push(nh);
    }
  }
  const r = litExec(rest, s, p, end);
  if (r === null) return undefined;
  c.leaveAt(rest.lastIndex);
  return {
    nlri: { af: +h[1]!, safi: +h[2]!, address: h[3]! },
    nextHops,
    version: +r[1]!,
    virtualNetwork: r[2]!,
    mobility: { seqno: +r[3]!, sticky: r[4] === 'true' },
    sequenceNumber: +r[5]!,
    securityGroups: litInts(r[6], 'security-group', []),
    communityTags: litTexts(r[7], 'community-tag', []),
    localPreference: +r[8]!,
    med: +r[9]!,
    loadBalance: { fields: litTexts(r[10], 'load-balance-field-list', []), decision: r[11]! },
    subProtocol: r[12]!,
  };
}

/** After the START of `<entry>`: reads a unicast entry, consuming `</entry>`. */
export function readUnicastEntry(c: XmlCursor): UnicastEntry {
  const lit = literalUnicastEntry(c);
  if (lit !== undefined) return lit;
  const e: UnicastEntry = {
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
  };
  fastEntry(c, e);
  while (c.nextChild()) onEntryChild(c, e);
  return e;
}

function onNlriChild(c: XmlCursor, n: UnicastNlri): void {
  const name = c.name();
  if (name === 'af') n.af = readInt(c, 'nlri/af');
  else if (name === 'safi') n.safi = readInt(c, 'nlri/safi');
  else if (name === 'address') n.address = c.readText().trim();
  else c.skip();
}

function onLoadBalanceChild(c: XmlCursor, lb: LoadBalance): void {
  const name = c.name();
  if (name === 'load-balance-fields') lb.fields = readTextList(c, 'load-balance-field-list');
  else if (name === 'load-balance-decision') lb.decision = c.readText().trim();
  else c.skip();
}

/** Schema-order fast path of an entry; every container it enters is finished by the general loop. */
function fastEntry(c: XmlCursor, e: UnicastEntry): void {
  if (!c.enter('nlri')) return;
  const n = e.nlri;
  let v = c.leafInt('af');
  if (v !== undefined) {
    n.af = v;
    v = c.leafInt('safi');
    if (v !== undefined) {
      n.safi = v;
      const a = c.leafText('address');
      if (a !== undefined) n.address = a;
    }
  }
  if (!c.leave()) while (c.nextChild()) onNlriChild(c, n);
  const o = c.open('next-hops');
  if (o === 0) return;
  if (o === 2) {
    while (c.enter('next-hop')) e.nextHops.push(readNextHopEntered(c));
    if (!c.leave()) {
      while (c.nextChild()) {
        if (c.name() === 'next-hop') e.nextHops.push(readNextHop(c));
        else c.skip();
      }
    }
  }
  v = c.leafInt('version');
  if (v === undefined) return;
  e.version = v;
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
  v = c.leafInt('sequence-number');
  if (v === undefined) return;
  e.sequenceNumber = v;
  if (!fastIntList(c, 'security-group-list', 'security-group', e.securityGroups)) return;
  if (!fastTextList(c, 'community-tag-list', 'community-tag', e.communityTags)) return;
  v = c.leafInt('local-preference');
  if (v === undefined) return;
  e.localPreference = v;
  v = c.leafInt('med');
  if (v === undefined) return;
  e.med = v;
  if (!c.enter('load-balance')) return;
  const lb = e.loadBalance;
  if (fastTextList(c, 'load-balance-fields', 'load-balance-field-list', lb.fields)) {
    const d = c.leafText('load-balance-decision');
    if (d !== undefined) lb.decision = d;
  }
  if (!c.leave()) while (c.nextChild()) onLoadBalanceChild(c, lb);
  t = c.leafText('sub-protocol');
  if (t !== undefined) e.subProtocol = t;
}

function readNextHopEntered(c: XmlCursor): UnicastNextHop {
  const nh = defaultUnicastNextHop();
  fastNextHop(c, nh);
  if (!c.leave()) while (c.nextChild()) onNextHopChild(c, nh);
  return nh;
}

function onEntryChild(c: XmlCursor, e: UnicastEntry): void {
  switch (c.name()) {
    case 'nlri':
      while (c.nextChild()) onNlriChild(c, e.nlri);
      break;
    case 'next-hops':
      while (c.nextChild()) {
        if (c.name() === 'next-hop') e.nextHops.push(readNextHop(c));
        else c.skip();
      }
      break;
    case 'version':
      e.version = readInt(c, 'version');
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
    case 'community-tag-list':
      e.communityTags = readTextList(c, 'community-tag');
      break;
    case 'local-preference':
      e.localPreference = readInt(c, 'local-preference');
      break;
    case 'med':
      e.med = readInt(c, 'med');
      break;
    case 'load-balance':
      while (c.nextChild()) onLoadBalanceChild(c, e.loadBalance);
      break;
    case 'sub-protocol':
      e.subProtocol = c.readText().trim();
      break;
    default:
      c.skip();
  }
}
