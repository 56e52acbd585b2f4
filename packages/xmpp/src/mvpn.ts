// MVPN route entries, AFI/SAFI 1/5: MvpnEntryType of Tungsten Fabric's xmpp_mvpn.xsd. The agent sends route
// type 7 (C-multicast join); the CN sends 5 or 7. One next hop, plus an olist from the CN.
//
//   <entry> nlri(af safi group source route-type) next-hop olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { encodeElement, readElementOf, schema } from './entry-codec.js';
import {
  ADDRESS,
  AF,
  GROUP,
  LABEL,
  NEXT_HOP_AF,
  nlri,
  olist,
  SAFI,
  SOURCE,
  TUNNEL_ENCAPSULATIONS,
} from './entry-fields.js';
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

const NEXT_HOP = schema<MvpnNextHop>('next-hop', [NEXT_HOP_AF, ADDRESS, LABEL, TUNNEL_ENCAPSULATIONS]);

const ENTRY = schema<MvpnEntry>(
  'entry',
  [
    nlri(
      schema<MvpnNlri>('nlri', [
        AF,
        SAFI,
        GROUP,
        SOURCE,
        { kind: 'int', el: 'route-type', key: 'routeType' },
      ]),
    ),
    { kind: 'group', el: 'next-hop', key: 'nextHop', of: NEXT_HOP },
    olist(NEXT_HOP),
  ],
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
