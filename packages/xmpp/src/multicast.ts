// ERMVPN (edge-replicated multicast) route entries, AFI/SAFI 1/241 on XMPP (1/243 on BGP): McastEntryType of
// Tungsten Fabric's xmpp_multicast.xsd. The next-hop label is a string: agent to CN a label range
// `start-end`, CN to agent a single label.
//
//   <entry> nlri(af safi group source source-label source-address) next-hops(next-hop*) olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { intLeaf, leaf, readInt, readTextList, textList } from './vocab-common.js';
import type { XmlCursor } from './xml-cursor.js';

export interface McastNextHop {
  af: number;
  address: string;
  /** `start-end` from an agent, one label from the CN. */
  label: string;
  tunnelEncapsulations: string[];
}

export interface McastNlri {
  af: number;
  safi: number;
  group: string;
  source: string;
  sourceLabel: number;
  sourceAddress: string;
}

export interface McastEntry {
  nlri: McastNlri;
  nextHops: McastNextHop[];
  olist: McastNextHop[];
}

function encodeNextHop(nh: McastNextHop): string {
  return (
    '<next-hop>\n' +
    intLeaf('af', nh.af) +
    leaf('address', nh.address) +
    leaf('label', nh.label) +
    textList('tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations) +
    '</next-hop>\n'
  );
}

function encodeNextHops(name: string, list: readonly McastNextHop[]): string {
  if (list.length === 0) return `<${name} />\n`;
  let out = `<${name}>\n`;
  for (const nh of list) out += encodeNextHop(nh);
  return `${out}</${name}>\n`;
}

export function readMcastNextHops(c: XmlCursor): McastNextHop[] {
  const out: McastNextHop[] = [];
  while (c.nextChild()) {
    if (c.name() !== 'next-hop') {
      c.skip();
      continue;
    }
    const nh: McastNextHop = { af: 1, address: '', label: '', tunnelEncapsulations: [] };
    while (c.nextChild()) {
      if (c.name() === 'af') nh.af = readInt(c, 'next-hop/af');
      else if (c.name() === 'address') nh.address = c.readText().trim();
      else if (c.name() === 'label') nh.label = c.readText().trim();
      else if (c.name() === 'tunnel-encapsulation-list')
        nh.tunnelEncapsulations = readTextList(c, 'tunnel-encapsulation');
      else c.skip();
    }
    out.push(nh);
  }
  return out;
}

export function encodeMcastEntry(e: McastEntry): string {
  const n = e.nlri;
  return (
    '<entry>\n<nlri>\n' +
    intLeaf('af', n.af) +
    intLeaf('safi', n.safi) +
    leaf('group', n.group) +
    leaf('source', n.source) +
    intLeaf('source-label', n.sourceLabel) +
    leaf('source-address', n.sourceAddress) +
    '</nlri>\n' +
    encodeNextHops('next-hops', e.nextHops) +
    encodeNextHops('olist', e.olist) +
    '</entry>\n'
  );
}

export function readMcastEntry(c: XmlCursor): McastEntry {
  const e: McastEntry = {
    nlri: { af: 0, safi: 0, group: '', source: '', sourceLabel: 0, sourceAddress: '' },
    nextHops: [],
    olist: [],
  };
  while (c.nextChild()) {
    if (c.name() === 'nlri') {
      const n = e.nlri;
      while (c.nextChild()) {
        if (c.name() === 'af') n.af = readInt(c, 'nlri/af');
        else if (c.name() === 'safi') n.safi = readInt(c, 'nlri/safi');
        else if (c.name() === 'group') n.group = c.readText().trim();
        else if (c.name() === 'source') n.source = c.readText().trim();
        else if (c.name() === 'source-label') n.sourceLabel = readInt(c, 'nlri/source-label');
        else if (c.name() === 'source-address') n.sourceAddress = c.readText().trim();
        else c.skip();
      }
    } else if (c.name() === 'next-hops') e.nextHops = readMcastNextHops(c);
    else if (c.name() === 'olist') e.olist = readMcastNextHops(c);
    else c.skip();
  }
  return e;
}
