// Address families of the dialect and their node names (PROTOCOL.md section 5 table):
//
//   family     AFI/SAFI  agent publish node                               CN items node
//   inet       1/1       1/1/<vrf>/<a.b.c.d>/<plen>[/<primary-instance>]   1/1/<vrf>
//   inet-mpls  1/4       1/4/<vrf>/<prefix>                               1/4/<vrf>
//   inet6      2/1       2/1/<vrf>/<v6>/<plen>                            2/1/<vrf>
//   evpn       25/242    25/242/<mac>,<ip>/<plen>[,<grp>,<src>] (no vrf)   25/242/<vrf>
//   ermvpn     1/241     1/241/<vrf>/<group>                              1/241/<vrf>
//   mvpn       1/5       1/5/<vrf>/<group>                                1/5/<vrf>
import { type EnetEntry, encodeEnetEntry, readEnetEntry } from './enet.js';
import { EncodeError, VocabularyError } from './errors.js';
import { encodeMcastEntry, type McastEntry, readMcastEntry } from './multicast.js';
import { encodeMvpnEntry, type MvpnEntry, readMvpnEntry } from './mvpn.js';
import { encodeUnicastEntry, readUnicastEntry, type UnicastEntry } from './unicast.js';
import type { XmlCursor } from './xml-cursor.js';

export type UnicastFamily = 'inet' | 'inet-mpls' | 'inet6';
export type Family = UnicastFamily | 'evpn' | 'ermvpn' | 'mvpn';

export const FAMILIES: Readonly<Record<Family, { afi: number; safi: number }>> = {
  inet: { afi: 1, safi: 1 },
  'inet-mpls': { afi: 1, safi: 4 },
  inet6: { afi: 2, safi: 1 },
  evpn: { afi: 25, safi: 242 },
  ermvpn: { afi: 1, safi: 241 },
  mvpn: { afi: 1, safi: 5 },
};

export function familyOf(afi: number, safi: number): Family | undefined {
  if (afi === 1)
    return safi === 1
      ? 'inet'
      : safi === 4
        ? 'inet-mpls'
        : safi === 241
          ? 'ermvpn'
          : safi === 5
            ? 'mvpn'
            : undefined;
  if (afi === 2) return safi === 1 ? 'inet6' : undefined;
  return afi === 25 && safi === 242 ? 'evpn' : undefined;
}

/** A route entry tagged with its family. */
export type Route =
  | { family: UnicastFamily; entry: UnicastEntry }
  | { family: 'evpn'; entry: EnetEntry }
  | { family: 'ermvpn'; entry: McastEntry }
  | { family: 'mvpn'; entry: MvpnEntry };

export function encodeEntry(r: Route): string {
  switch (r.family) {
    case 'evpn':
      return encodeEnetEntry(r.entry);
    case 'ermvpn':
      return encodeMcastEntry(r.entry);
    case 'mvpn':
      return encodeMvpnEntry(r.entry);
    default:
      return encodeUnicastEntry(r.entry);
  }
}

/** After the START of `<entry>`: reads the entry of `family`. */
export function readEntry(c: XmlCursor, family: Family): Route {
  switch (family) {
    case 'evpn':
      return { family, entry: readEnetEntry(c) };
    case 'ermvpn':
      return { family, entry: readMcastEntry(c) };
    case 'mvpn':
      return { family, entry: readMvpnEntry(c) };
    default:
      return { family, entry: readUnicastEntry(c) };
  }
}

function evpnKey(e: EnetEntry): string {
  const n = e.nlri;
  const tail = n.group === '' ? '' : `,${n.group},${n.source}`;
  return `${n.mac},${n.address}${tail}`;
}

/** The node an agent publishes a route under (the VRF is not part of EVPN nodes). */
export function publishNode(r: Route, vrf: string): string {
  const { afi, safi } = FAMILIES[r.family];
  if (vrf.includes('/')) throw new EncodeError('vrf', `"${vrf}" contains '/'`);
  switch (r.family) {
    case 'evpn':
      return `${afi}/${safi}/${evpnKey(r.entry)}`;
    case 'ermvpn':
    case 'mvpn':
      return `${afi}/${safi}/${vrf}/${r.entry.nlri.group}`;
    default:
      return `${afi}/${safi}/${vrf}/${r.entry.nlri.address}`;
  }
}

/**
 * The CN's item id for a route: the prefix for inet families; `[<tag>-]<mac>,<ip>/<plen>[,<grp>,<src>]` for
 * EVPN; `<rd>:<group>,<source>` for ERMVPN and MVPN (the RD is the CN's, so callers may pass it).
 */
export function itemId(r: Route, rd = '0.0.0.0:0'): string {
  switch (r.family) {
    case 'evpn':
      return r.entry.nlri.ethernetTag === 0
        ? evpnKey(r.entry)
        : `${r.entry.nlri.ethernetTag}-${evpnKey(r.entry)}`;
    case 'ermvpn':
    case 'mvpn':
      return `${rd}:${r.entry.nlri.group},${r.entry.nlri.source}`;
    default:
      return r.entry.nlri.address;
  }
}

export interface ParsedNode {
  afi: number;
  safi: number;
  /** Undefined when the AFI/SAFI pair is not one of the dialect's. */
  family: Family | undefined;
  /** The VRF named in the node ('' for EVPN nodes, which carry none). */
  vrf: string;
  /** What follows the VRF: the prefix, `<mac>,<ip>/<plen>`, the group. */
  key: string;
  /** Master-instance inet routes: a trailing primary instance id. */
  primaryInstanceId?: number;
}

function parseAfiSafi(node: string): { afi: number; safi: number; rest: string } {
  const a = node.indexOf('/');
  const b = a === -1 ? -1 : node.indexOf('/', a + 1);
  const afi = Number(node.slice(0, a));
  const safi = Number(node.slice(a + 1, b === -1 ? undefined : b));
  if (
    a <= 0 ||
    !Number.isInteger(afi) ||
    !Number.isInteger(safi) ||
    node.slice(a + 1, b === -1 ? undefined : b) === ''
  ) {
    throw new VocabularyError('node', `"${node}" does not start with <afi>/<safi>`);
  }
  return { afi, safi, rest: b === -1 ? '' : node.slice(b + 1) };
}

/** Parses a CN `items` node: `<afi>/<safi>/<vrf>` (everything after the second '/' is the VRF). */
export function parseItemsNode(node: string): ParsedNode {
  const { afi, safi, rest } = parseAfiSafi(node);
  return { afi, safi, family: familyOf(afi, safi), vrf: rest, key: '' };
}

/** Parses an agent publish/associate node. */
export function parsePublishNode(node: string): ParsedNode {
  const { afi, safi, rest } = parseAfiSafi(node);
  const family = familyOf(afi, safi);
  const slash = rest.indexOf('/');
  const first = slash === -1 ? rest : rest.slice(0, slash);
  if (family === 'evpn' && first.includes(',')) return { afi, safi, family, vrf: '', key: rest };
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  const out: ParsedNode = { afi, safi, family, vrf: first, key };
  if (family === 'inet' || family === 'inet6' || family === 'inet-mpls') {
    // <addr>/<plen>[/<primary-instance-id>]
    const parts = key.split('/');
    if (parts.length === 3 && /^\d+$/.test(parts[2]!)) {
      out.key = `${parts[0]}/${parts[1]}`;
      out.primaryInstanceId = Number(parts[2]);
    }
  }
  return out;
}

export function itemsNode(family: Family, vrf: string): string {
  const { afi, safi } = FAMILIES[family];
  return `${afi}/${safi}/${vrf}`;
}
