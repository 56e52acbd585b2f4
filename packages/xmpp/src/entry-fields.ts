// The entry fields that several families' schemas share (xmpp_unicast/enet/multicast/mvpn.xsd use the same
// element names, types and TF decoding rules for them), named once for the field tables of unicast.ts,
// enet.ts, multicast.ts and mvpn.ts.
import type { Field, Schema } from './entry-codec.js';

export const AF: Field = { kind: 'int', el: 'af', key: 'af' };
/** A next hop's address family defaults to 1 (IPv4 tunnel endpoint). */
export const NEXT_HOP_AF: Field = { kind: 'int', el: 'af', key: 'af', def: 1 };
export const SAFI: Field = { kind: 'int', el: 'safi', key: 'safi' };
export const ADDRESS: Field = { kind: 'text', el: 'address', key: 'address' };
export const MAC: Field = { kind: 'text', el: 'mac', key: 'mac' };
export const GROUP: Field = { kind: 'text', el: 'group', key: 'group' };
export const SOURCE: Field = { kind: 'text', el: 'source', key: 'source' };
export const LABEL: Field = { kind: 'int', el: 'label', key: 'label' };
export const TUNNEL_ENCAPSULATIONS: Field = {
  kind: 'texts',
  el: 'tunnel-encapsulation-list',
  key: 'tunnelEncapsulations',
  child: 'tunnel-encapsulation',
};
export const VIRTUAL_NETWORK: Field = { kind: 'text', el: 'virtual-network', key: 'virtualNetwork' };
export const TAGS: Field = { kind: 'ints', el: 'tag-list', key: 'tags', child: 'tag' };
/** OpenSDN: 64-bit tags. */
export const IS_NEW_TAGS_LIST: Field = { kind: 'opt-bool', el: 'is-new-tags-list', key: 'isNewTagsList' };
export const LOCAL_SEQUENCE_NUMBER: Field = {
  kind: 'int',
  el: 'local-sequence-number',
  key: 'localSequenceNumber',
};
export const MOBILITY: Field = { kind: 'mobility', el: 'mobility', key: 'mobility' };
/** OpenSDN: bgpaas sources. */
export const PEERS: Field = { kind: 'opt-texts', el: 'peers', key: 'peers', child: 'peer' };
export const SEQUENCE_NUMBER: Field = { kind: 'int', el: 'sequence-number', key: 'sequenceNumber' };
export const SECURITY_GROUPS: Field = {
  kind: 'ints',
  el: 'security-group-list',
  key: 'securityGroups',
  child: 'security-group',
};
export const LOCAL_PREFERENCE: Field = { kind: 'int', el: 'local-preference', key: 'localPreference' };
export const MED: Field = { kind: 'int', el: 'med', key: 'med' };

export function nlri(of: Schema<object>): Field {
  return { kind: 'group', el: 'nlri', key: 'nlri', of };
}

export function nextHops(of: Schema<object>): Field {
  return { kind: 'list', el: 'next-hops', key: 'nextHops', of };
}

export function olist(of: Schema<object>): Field {
  return { kind: 'list', el: 'olist', key: 'olist', of };
}
