// ERMVPN (edge-replicated multicast) route entries, AFI/SAFI 1/241 on XMPP (1/243 on BGP): McastEntryType of
// Tungsten Fabric's xmpp_multicast.xsd. The next-hop label is a string: agent to CN a label range
// `start-end`, CN to agent a single label.
//
//   <entry> nlri(af safi group source source-label source-address) next-hops(next-hop*) olist(next-hop*) </entry>
//   next-hop := af address label tunnel-encapsulation-list
import { encodeElement, readElementOf, schema } from './entry-codec.js';
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

const NEXT_HOP = schema<McastNextHop>(
  'next-hop',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'text', el: 'address', key: 'address' },
    { kind: 'text', el: 'label', key: 'label' },
    {
      kind: 'texts',
      el: 'tunnel-encapsulation-list',
      key: 'tunnelEncapsulations',
      child: 'tunnel-encapsulation',
    },
  ],
  () => ({ af: 1, address: '', label: '', tunnelEncapsulations: [] }),
);

const NLRI = schema<McastNlri>(
  'nlri',
  [
    { kind: 'int', el: 'af', key: 'af' },
    { kind: 'int', el: 'safi', key: 'safi' },
    { kind: 'text', el: 'group', key: 'group' },
    { kind: 'text', el: 'source', key: 'source' },
    { kind: 'int', el: 'source-label', key: 'sourceLabel' },
    { kind: 'text', el: 'source-address', key: 'sourceAddress' },
  ],
  () => ({ af: 0, safi: 0, group: '', source: '', sourceLabel: 0, sourceAddress: '' }),
);

const ENTRY = schema<McastEntry>(
  'entry',
  [
    { kind: 'group', el: 'nlri', key: 'nlri', of: NLRI },
    { kind: 'list', el: 'next-hops', key: 'nextHops', of: NEXT_HOP },
    { kind: 'list', el: 'olist', key: 'olist', of: NEXT_HOP },
  ],
  () => ({
    nlri: { af: 0, safi: 0, group: '', source: '', sourceLabel: 0, sourceAddress: '' },
    nextHops: [],
    olist: [],
  }),
  '',
);

export function encodeMcastEntry(e: McastEntry): string {
  return encodeElement(ENTRY, e);
}

/** After the START of `<entry>`: reads an ERMVPN entry, consuming `</entry>`. */
export function readMcastEntry(c: XmlCursor): McastEntry {
  return readElementOf(c, ENTRY);
}
