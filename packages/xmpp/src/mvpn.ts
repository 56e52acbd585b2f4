// MVPN route entries, AFI/SAFI 1/5: MvpnEntryType of Tungsten Fabric's xmpp_mvpn.xsd. The agent sends route
// type 7 (C-multicast join); the CN sends 5 or 7. One next hop, plus an olist from the CN.
//
//   <entry> nlri(af safi group source route-type) next-hop olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { encodeElement, readElementOf, schema } from './entry-codec.js';
import { EncodeError } from './errors.js';
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

const NEXT_HOP = schema<MvpnNextHop>(
  'next-hop',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'text', el: 'address', key: 'address' },
    { kind: 'int', el: 'label', key: 'label' },
    {
      kind: 'texts',
      el: 'tunnel-encapsulation-list',
      key: 'tunnelEncapsulations',
      child: 'tunnel-encapsulation',
    },
  ],
  () => ({ af: 1, address: '', label: 0, tunnelEncapsulations: [] }),
);

const NLRI = schema<MvpnNlri>(
  'nlri',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'int', el: 'safi', key: 'safi' },
    { kind: 'text', el: 'group', key: 'group' },
    { kind: 'text', el: 'source', key: 'source' },
    { kind: 'int', el: 'route-type', key: 'routeType' },
  ],
  () => ({ af: 0, safi: 0, group: '', source: '', routeType: 0 }),
);

const ENTRY = schema<MvpnEntry>(
  'entry',
  [
    { kind: 'group', el: 'nlri', key: 'nlri', of: NLRI },
    { kind: 'group', el: 'next-hop', key: 'nextHop', of: NEXT_HOP },
    { kind: 'list', el: 'olist', key: 'olist', of: NEXT_HOP },
  ],
  () => ({
    nlri: { af: 0, safi: 0, group: '', source: '', routeType: 0 },
    nextHop: { af: 1, address: '', label: 0, tunnelEncapsulations: [] },
    olist: [],
  }),
  '',
);

export function encodeMvpnEntry(e: MvpnEntry): string {
  const n = e.nlri;
  if (!Number.isInteger(n.routeType) || n.routeType < 1 || n.routeType > 7) {
    throw new EncodeError('nlri/route-type', `${n.routeType} is outside 1..7`);
  }
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads an MVPN entry, consuming `</entry>`. */
export function readMvpnEntry(c: XmlCursor): MvpnEntry {
  return readElementOf(c, ENTRY);
}
