// MVPN route entries, AFI/SAFI 1/5: MvpnEntryType of Tungsten Fabric's xmpp_mvpn.xsd. The agent sends route
// type 7 (C-multicast join); the CN sends 5 or 7. One next hop, plus an olist from the CN.
//
//   <entry> nlri(af safi group source route-type) next-hop olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { EncodeError } from './errors.js';
import { intLeaf, leaf, readInt, readTextList, textList } from './vocab-common.js';
import type { XmlCursor } from './xml-cursor.js';

export interface MvpnNextHop {
  af: number;
  address: string;
  label: number;
  tunnelEncapsulations: string[];
}

export interface MvpnNlri {
  af: number;
  safi: number;
  group: string;
  source: string;
  /** 1..7 (RFC 6514 route types). */
  routeType: number;
}

export interface MvpnEntry {
  nlri: MvpnNlri;
  nextHop: MvpnNextHop;
  olist: MvpnNextHop[];
}

function encodeNextHop(nh: MvpnNextHop): string {
  return (
    '<next-hop>\n' +
    intLeaf('af', nh.af) +
    leaf('address', nh.address) +
    intLeaf('label', nh.label) +
    textList('tunnel-encapsulation-list', 'tunnel-encapsulation', nh.tunnelEncapsulations) +
    '</next-hop>\n'
  );
}

function readNextHop(c: XmlCursor): MvpnNextHop {
  const nh: MvpnNextHop = { af: 1, address: '', label: 0, tunnelEncapsulations: [] };
  while (c.nextChild()) {
    if (c.name() === 'af') nh.af = readInt(c, 'next-hop/af');
    else if (c.name() === 'address') nh.address = c.readText().trim();
    else if (c.name() === 'label') nh.label = readInt(c, 'next-hop/label');
    else if (c.name() === 'tunnel-encapsulation-list')
      nh.tunnelEncapsulations = readTextList(c, 'tunnel-encapsulation');
    else c.skip();
  }
  return nh;
}

export function encodeMvpnEntry(e: MvpnEntry): string {
  const n = e.nlri;
  if (!Number.isInteger(n.routeType) || n.routeType < 1 || n.routeType > 7) {
    throw new EncodeError('nlri/route-type', `${n.routeType} is outside 1..7`);
  }
  let olist = '<olist />\n';
  if (e.olist.length > 0) {
    olist = '<olist>\n';
    for (const nh of e.olist) olist += encodeNextHop(nh);
    olist += '</olist>\n';
  }
  return (
    '<entry>\n<nlri>\n' +
    intLeaf('af', n.af) +
    intLeaf('safi', n.safi) +
    leaf('group', n.group) +
    leaf('source', n.source) +
    intLeaf('route-type', n.routeType) +
    '</nlri>\n' +
    encodeNextHop(e.nextHop) +
    olist +
    '</entry>\n'
  );
}

export function readMvpnEntry(c: XmlCursor): MvpnEntry {
  const e: MvpnEntry = {
    nlri: { af: 0, safi: 0, group: '', source: '', routeType: 0 },
    nextHop: { af: 1, address: '', label: 0, tunnelEncapsulations: [] },
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
        else if (c.name() === 'route-type') n.routeType = readInt(c, 'nlri/route-type');
        else c.skip();
      }
    } else if (c.name() === 'next-hop') e.nextHop = readNextHop(c);
    else if (c.name() === 'olist') {
      while (c.nextChild()) {
        if (c.name() === 'next-hop') e.olist.push(readNextHop(c));
        else c.skip();
      }
    } else c.skip();
  }
  return e;
}
