// ERMVPN (edge-replicated multicast) route entries, AFI/SAFI 1/241 on XMPP (1/243 on BGP): McastEntryType of
// Tungsten Fabric's xmpp_multicast.xsd. The next-hop label is a string: agent to CN a label range
// `start-end`, CN to agent a single label.
//
//   <entry> nlri(af safi group source source-label source-address) next-hops(next-hop*) olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { encodeElement, readElementOf, schema } from './entry-codec.js';
import {
  ADDRESS,
  AF,
  GROUP,
  NEXT_HOP_AF,
  nextHops,
  nlri,
  olist,
  SAFI,
  SOURCE,
  TUNNEL_ENCAPSULATIONS,
} from './entry-fields.js';
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

const NEXT_HOP = schema<McastNextHop>('next-hop', [
  NEXT_HOP_AF,
  ADDRESS,
  { kind: 'text', el: 'label', key: 'label' },
  TUNNEL_ENCAPSULATIONS,
]);

const ENTRY = schema<McastEntry>(
  'entry',
  [
    nlri(
      schema<McastNlri>('nlri', [
        AF,
        SAFI,
        GROUP,
        SOURCE,
        { kind: 'int', el: 'source-label', key: 'sourceLabel' },
        { kind: 'text', el: 'source-address', key: 'sourceAddress' },
      ]),
    ),
    nextHops(NEXT_HOP),
    olist(NEXT_HOP),
  ],
  '',
);

export function encodeMcastEntry(e: McastEntry): string {
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads an ERMVPN entry, consuming `</entry>`. */
export function readMcastEntry(c: XmlCursor): McastEntry {
  return readElementOf(c, ENTRY);
}
