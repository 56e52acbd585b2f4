// The one-line route format of `bgpdump -m`, so Filament's MRT decoding can be diffed against bgpdump's
// line for line. Fields, separated by '|':
//   BGP4MP|time|A|peer|peerAS|prefix|ASPATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG/NAG|AGGREGATOR|
//   BGP4MP|time|W|peer|peerAS|prefix
//   BGP4MP|time|STATE|peer|peerAS|oldState|newState
//   TABLE_DUMP2|time|B|peer|peerAS|prefix|... as for A
// The time column is the MRT record's timestamp. Where bgpdump prints a value of its own for a missing
// attribute (INCOMPLETE for no ORIGIN, 255.255.255.255 for no next hop in a RIB entry), this does the same.
import { Afi, Safi } from '../afi-safi.js';
import { asPathToString, reconstructAsPath } from '../attributes/as-path.js';
import type { PathAttribute } from '../attributes/index.js';
import { type SessionContext, sessionContext } from '../context.js';
import { decodeMessage } from '../message.js';
import type { Nlri } from '../nlri/index.js';
import { decodeRibAttributes } from './attributes.js';
import type { Bgp4mpMessage, MrtRecord, PeerIndexTable, RibRecord, TableDumpRecord } from './types.js';

const ORIGIN_TEXT = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE' } as const;

/** bgpdump's names for the RFC 1997 well-known communities; every other community prints as `as:value`. */
const BGPDUMP_COMMUNITY_NAMES = new Map<number, string>([
  [0xffffff01, 'no-export'],
  [0xffffff02, 'no-advertise'],
  [0xffffff03, 'local-AS'],
]);

function bgpdumpCommunity(c: number): string {
  return BGPDUMP_COMMUNITY_NAMES.get(c) ?? `${c >>> 16}:${c & 0xffff}`;
}

/** Stateful formatter: TABLE_DUMP_V2 RIB records refer to the last PEER_INDEX_TABLE by index. */
export class BgpdumpFormatter {
  private peers: PeerIndexTable['peers'] = [];
  private readonly ctx2: SessionContext = sessionContext({ fourOctetAs: false });
  private readonly ctx4: SessionContext = sessionContext({ fourOctetAs: true });
  private readonly ctx2AddPath: SessionContext;
  private readonly ctx4AddPath: SessionContext;

  constructor() {
    const all = [
      { afi: Afi.IPv4, safi: Safi.Unicast },
      { afi: Afi.IPv6, safi: Safi.Unicast },
      { afi: Afi.IPv4, safi: Safi.Multicast },
      { afi: Afi.IPv6, safi: Safi.Multicast },
    ];
    this.ctx2AddPath = sessionContext({ fourOctetAs: false, addPath: all });
    this.ctx4AddPath = sessionContext({ fourOctetAs: true, addPath: all });
  }

  /** The `bgpdump -m` lines of one record (none for records bgpdump -m does not print). */
  format(record: MrtRecord): string[] {
    switch (record.kind) {
      case 'bgp4mp-state-change':
        return [
          `BGP4MP|${record.timestamp}|STATE|${record.peerAddress}|${record.peerAs}|${record.oldState}|${record.newState}`,
        ];
      case 'bgp4mp-message':
        return this.formatMessage(record);
      case 'peer-index-table':
        this.peers = record.peers;
        return [];
      case 'rib':
        return this.formatRib(record);
      case 'table-dump':
        return this.formatTableDump(record);
      default:
        return [];
    }
  }

  private formatMessage(rec: Bgp4mpMessage): string[] {
    const ctx = rec.addPath
      ? rec.as4
        ? this.ctx4AddPath
        : this.ctx2AddPath
      : rec.as4
        ? this.ctx4
        : this.ctx2;
    const decoded = decodeMessage(rec.message, 0, ctx);
    const m = decoded.message;
    if (m.type !== 'update') return [];
    const head = `BGP4MP|${rec.timestamp}`;
    const who = `${rec.peerAddress}|${rec.peerAs}`;
    const lines: string[] = [];
    // bgpdump prints the withdrawals first: the Withdrawn Routes field, then MP_UNREACH_NLRI.
    for (const n of m.withdrawn) lines.push(`${head}|W|${who}|${prefixText(n)}`);
    for (const a of m.attributes) {
      if (a.type === 'MP_UNREACH_NLRI')
        for (const n of a.withdrawn) lines.push(`${head}|W|${who}|${prefixText(n)}`);
    }
    const attrs = m.attributes;
    const announced: { nlri: Nlri; nextHop: string }[] = [];
    const nh = attrs.find((a) => a.type === 'NEXT_HOP');
    for (const n of m.nlri) announced.push({ nlri: n, nextHop: nh?.type === 'NEXT_HOP' ? nh.nextHop : '' });
    for (const a of attrs) {
      if (a.type !== 'MP_REACH_NLRI') continue;
      const hop = a.nextHop.kind === 'raw' ? '' : a.nextHop.address;
      for (const n of a.nlri) announced.push({ nlri: n, nextHop: hop });
    }
    const common = attributeColumns(attrs, !rec.as4);
    for (const { nlri, nextHop } of announced) {
      lines.push(
        `${head}|A|${who}|${prefixText(nlri)}|${common.path}|${common.origin}|${nextHop}|${common.rest}`,
      );
    }
    return lines;
  }

  private formatRib(rec: RibRecord): string[] {
    if (rec.prefix === undefined) return [];
    const lines: string[] = [];
    for (const e of rec.entries) {
      const peer = this.peers[e.peerIndex];
      const attrs = decodeRibAttributes(e.attributes, this.ctx4, rec.afi, rec.safi).attributes;
      const common = attributeColumns(attrs, false);
      const nextHop = ribNextHop(attrs);
      lines.push(
        `TABLE_DUMP2|${rec.timestamp}|B|${peer?.address ?? ''}|${peer?.as ?? ''}|${rec.prefix}|${common.path}|${common.origin}|${nextHop}|${common.rest}`,
      );
    }
    return lines;
  }

  private formatTableDump(rec: TableDumpRecord): string[] {
    const attrs = decodeRibAttributes(rec.attributes, this.ctx2, rec.afi, 1).attributes;
    const common = attributeColumns(attrs, true);
    return [
      `TABLE_DUMP|${rec.timestamp}|B|${rec.peerAddress}|${rec.peerAs}|${rec.prefix}|${common.path}|${common.origin}|${ribNextHop(attrs)}|${common.rest}`,
    ];
  }
}

function prefixText(n: Nlri): string {
  return n.type === 'prefix' ? n.prefix : JSON.stringify(n);
}

/** bgpdump prints 255.255.255.255 (INADDR_NONE, its unset value) for a RIB entry without a next hop. */
function ribNextHop(attrs: readonly PathAttribute[]): string {
  for (const a of attrs) if (a.type === 'MP_REACH_NLRI' && a.nextHop.kind !== 'raw') return a.nextHop.address;
  for (const a of attrs) if (a.type === 'NEXT_HOP') return a.nextHop;
  return '255.255.255.255';
}

/** The AS path, origin, and the columns after the next hop, shared by every prefix of one attribute set. */
function attributeColumns(
  attrs: readonly PathAttribute[],
  twoOctet: boolean,
): { path: string; origin: string; rest: string } {
  let path = '';
  // bgpdump prints INCOMPLETE when there is no ORIGIN attribute.
  let origin = 'INCOMPLETE';
  let localPref = 0;
  let med = 0;
  let communities = '';
  let atomic = 'NAG';
  let aggregator = '';
  let asPath: PathAttribute | undefined;
  let as4Path: PathAttribute | undefined;
  let aggregatorAs: number | undefined;
  let as4Aggregator = '';
  for (const a of attrs) {
    switch (a.type) {
      case 'ORIGIN':
        origin = ORIGIN_TEXT[a.origin as keyof typeof ORIGIN_TEXT] ?? String(a.origin);
        break;
      case 'AS_PATH':
        asPath = a;
        break;
      case 'AS4_PATH':
        as4Path = a;
        break;
      case 'LOCAL_PREF':
        localPref = a.localPref;
        break;
      case 'MULTI_EXIT_DISC':
        med = a.med;
        break;
      case 'COMMUNITIES':
        communities = a.communities.map(bgpdumpCommunity).join(' ');
        break;
      case 'ATOMIC_AGGREGATE':
        atomic = 'AG';
        break;
      case 'AGGREGATOR':
        aggregatorAs = a.asn;
        aggregator = `${a.asn} ${a.address}`;
        break;
      case 'AS4_AGGREGATOR':
        as4Aggregator = `${a.asn} ${a.address}`;
        break;
    }
  }
  if (asPath?.type === 'AS_PATH') {
    // On 2-octet sessions the real path is rebuilt from AS_PATH and AS4_PATH (RFC 6793 4.2.3), as bgpdump does.
    // AS4_PATH is ignored only when AGGREGATOR and AS4_AGGREGATOR are both present and AGGREGATOR's AS is not
    // AS_TRANS; an AGGREGATOR alone does not disqualify it.
    const segs =
      twoOctet && as4Path?.type === 'AS4_PATH'
        ? reconstructAsPath(asPath.segments, as4Path.segments, as4Aggregator ? aggregatorAs : undefined)
        : asPath.segments;
    path = asPathToString(segs);
  }
  if (twoOctet && as4Aggregator && aggregatorAs === 23456) aggregator = as4Aggregator;
  return { path, origin, rest: `${localPref}|${med}|${communities}|${atomic}|${aggregator}|` };
}

/** Formats every record of a stream as `bgpdump -m` lines. */
export async function* bgpdumpLines(records: AsyncIterable<MrtRecord>): AsyncGenerator<string> {
  const f = new BgpdumpFormatter();
  for await (const r of records) for (const line of f.format(r)) yield line;
}
