// `filament mrt FILE`: every route of an MRT dump (RFC 6396; RFC 8050 add-path types), plain, gzip or bzip2,
// streamed record by record so a full-table dump decodes in bounded memory. JSON lines by default, or with
// --bgpdump exactly the one-line format of `bgpdump -m` (so the two can be diffed).
import { once } from 'node:events';
import {
  Afi,
  type Bgp4mpMessage,
  BgpdumpFormatter,
  BgpError,
  decodeMessage,
  decodeNlri,
  decodeRibAttributes,
  familyName,
  type MrtRecord,
  type Nlri,
  type PathAttribute,
  type PeerIndexTable,
  readMrtFile,
  Safi,
  type SessionContext,
  sessionContext,
} from '@filament/bgp';
import { type Command, jsonLine, parseArgs, UsageError } from '../command.js';
import { bgpErrorJson } from './bgp.js';

const help = `Usage: filament mrt FILE [options]

Prints every route of an MRT dump (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2 RIBs, BGP4MP messages and state
changes, with the RFC 8050 add-path subtypes; plain, .gz or .bz2, recognised by content) as one JSON
object per line:
  {"kind": "rib", "time", "peer": {address, as, bgpId}, "family", "prefix" | "nlri", "pathId"?,
   "originated", "nextHop"?, "attributes": [...], "problems"?}
  {"kind": "announce" | "withdraw", "time", "peer": {address, as}, "family", "prefix" | "nlri",
   "nextHop"?, "attributes": [...]}            one line per NLRI of a BGP4MP UPDATE
  {"kind": "message", "time", "peer", "message"}            other BGP4MP messages (OPEN, NOTIFICATION, ...)
  {"kind": "state-change", "time", "peer", "oldState", "newState"}
Records are read and printed one at a time (bounded memory on full-table dumps).

Options:
  --bgpdump                print exactly what \`bgpdump -m\` prints, line for line
  --progress               print records/s to standard error every second
  --help                   this text

Example:
  filament mrt rrc15-updates.20100227.1600.gz --bgpdump
  filament mrt bview.20240101.0000.gz --progress > routes.jsonl
`;

const ADDPATH_FAMILIES = [
  { afi: Afi.IPv4, safi: Safi.Unicast },
  { afi: Afi.IPv6, safi: Safi.Unicast },
  { afi: Afi.IPv4, safi: Safi.Multicast },
  { afi: Afi.IPv6, safi: Safi.Multicast },
  { afi: Afi.IPv4, safi: Safi.Labeled },
  { afi: Afi.IPv6, safi: Safi.Labeled },
  { afi: Afi.IPv4, safi: Safi.MplsVpn },
  { afi: Afi.IPv6, safi: Safi.MplsVpn },
  { afi: Afi.L2VPN, safi: Safi.Evpn },
];

const contexts = {
  as2: sessionContext({ fourOctetAs: false, extendedMessage: true }),
  as4: sessionContext({ fourOctetAs: true, extendedMessage: true }),
  as2AddPath: sessionContext({ fourOctetAs: false, extendedMessage: true, addPath: ADDPATH_FAMILIES }),
  as4AddPath: sessionContext({ fourOctetAs: true, extendedMessage: true, addPath: ADDPATH_FAMILIES }),
};

function contextOf(as4: boolean, addPath: boolean): SessionContext {
  if (addPath) return as4 ? contexts.as4AddPath : contexts.as2AddPath;
  return as4 ? contexts.as4 : contexts.as2;
}

/** A route's NLRI as JSON: a prefix text for plain prefixes, the decoded NLRI otherwise. */
function nlriFields(n: Nlri): Record<string, unknown> {
  if (n.type === 'prefix')
    return n.pathId === undefined ? { prefix: n.prefix } : { prefix: n.prefix, pathId: n.pathId };
  return { nlri: n };
}

/** Attributes with MP_REACH/MP_UNREACH left out (their NLRI become lines of their own). */
function routeAttributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  return attrs.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI');
}

function time(r: MrtRecord): number {
  return r.microseconds ? r.timestamp + r.microseconds / 1e6 : r.timestamp;
}

/** JSON objects for one record; `peers` is the last PEER_INDEX_TABLE. */
function* recordLines(
  r: MrtRecord,
  state: { peers: PeerIndexTable['peers'] },
): Generator<Record<string, unknown>> {
  switch (r.kind) {
    case 'peer-index-table':
      state.peers = r.peers;
      return;
    case 'rib': {
      const family = familyName(r);
      let nlri: Record<string, unknown> | undefined =
        r.prefix !== undefined ? { prefix: r.prefix } : undefined;
      if (!nlri && r.nlri) {
        try {
          const list = decodeNlri(r, r.nlri, 0, r.nlri.length, { addPath: false });
          nlri = list[0] ? nlriFields(list[0]) : { nlri: r.nlri };
        } catch (e) {
          if (!(e instanceof BgpError)) throw e;
          nlri = { nlri: r.nlri, error: bgpErrorJson(e) };
        }
      }
      for (const e of r.entries) {
        const p = state.peers[e.peerIndex];
        const line: Record<string, unknown> = {
          kind: 'rib',
          time: time(r),
          peer: p ? { address: p.address, as: p.as, bgpId: p.bgpId } : { index: e.peerIndex },
          family,
          ...nlri,
        };
        if (e.pathId !== undefined) line.pathId = e.pathId;
        line.originated = e.originatedTime;
        try {
          const d = decodeRibAttributes(e.attributes, contexts.as4, r.afi, r.safi);
          const reach = d.attributes.find((a) => a.type === 'MP_REACH_NLRI');
          if (reach?.type === 'MP_REACH_NLRI' && reach.nextHop.kind !== 'raw')
            line.nextHop = reach.nextHop.address;
          line.attributes = routeAttributes(d.attributes);
          if (d.problems.length > 0) line.problems = d.problems.map(bgpErrorJson);
        } catch (err) {
          if (!(err instanceof BgpError)) throw err;
          line.error = bgpErrorJson(err);
        }
        yield line;
      }
      return;
    }
    case 'table-dump':
      yield {
        kind: 'rib',
        time: time(r),
        peer: { address: r.peerAddress, as: r.peerAs },
        family: familyName({ afi: r.afi, safi: Safi.Unicast }),
        prefix: r.prefix,
        originated: r.originatedTime,
        ...tableDumpAttributes(r.attributes, r.afi),
      };
      return;
    case 'bgp4mp-state-change':
      yield {
        kind: 'state-change',
        time: time(r),
        peer: { address: r.peerAddress, as: r.peerAs },
        oldState: r.oldState,
        newState: r.newState,
      };
      return;
    case 'bgp4mp-message':
      yield* messageLines(r);
      return;
    default:
      yield { kind: 'unknown', time: time(r), type: r.type, subtype: r.subtype, length: r.body.length };
  }
}

function tableDumpAttributes(buf: Uint8Array, afi: number): Record<string, unknown> {
  try {
    const d = decodeRibAttributes(buf, contexts.as2, afi, Safi.Unicast);
    const out: Record<string, unknown> = { attributes: routeAttributes(d.attributes) };
    if (d.problems.length > 0) out.problems = d.problems.map(bgpErrorJson);
    return out;
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    return { error: bgpErrorJson(e) };
  }
}

function* messageLines(r: Bgp4mpMessage): Generator<Record<string, unknown>> {
  const peer = { address: r.peerAddress, as: r.peerAs };
  const head = { time: time(r), peer };
  let decoded: ReturnType<typeof decodeMessage>;
  try {
    decoded = decodeMessage(r.message, 0, contextOf(r.as4, r.addPath));
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    yield { kind: 'message', ...head, error: bgpErrorJson(e) };
    return;
  }
  const m = decoded.message;
  if (m.type !== 'update') {
    yield { kind: 'message', ...head, message: m };
    return;
  }
  const problems = decoded.problems.length > 0 ? { problems: decoded.problems, action: decoded.action } : {};
  const v4 = familyName({ afi: Afi.IPv4, safi: Safi.Unicast });
  for (const n of m.withdrawn) yield { kind: 'withdraw', ...head, family: v4, ...nlriFields(n) };
  for (const a of m.attributes) {
    if (a.type !== 'MP_UNREACH_NLRI') continue;
    for (const n of a.withdrawn) yield { kind: 'withdraw', ...head, family: familyName(a), ...nlriFields(n) };
  }
  const attributes = routeAttributes(m.attributes);
  const nh = m.attributes.find((a) => a.type === 'NEXT_HOP');
  for (const n of m.nlri) {
    yield {
      kind: 'announce',
      ...head,
      family: v4,
      ...nlriFields(n),
      nextHop: nh?.type === 'NEXT_HOP' ? nh.nextHop : undefined,
      attributes,
      ...problems,
    };
  }
  for (const a of m.attributes) {
    if (a.type !== 'MP_REACH_NLRI') continue;
    const nextHop = a.nextHop.kind === 'raw' ? a.nextHop.bytes : a.nextHop.address;
    for (const n of a.nlri) {
      yield {
        kind: 'announce',
        ...head,
        family: familyName(a),
        ...nlriFields(n),
        nextHop,
        attributes,
        ...problems,
      };
    }
  }
  if (m.nlri.length === 0 && m.withdrawn.length === 0 && m.attributes.length === 0) {
    yield { kind: 'end-of-rib', ...head, family: v4 };
  }
}

/** Writes and waits when the stream asks to (bounded memory on large dumps). */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out as NodeJS.EventEmitter, 'drain');
}

export const mrtCommand: Command = {
  path: ['mrt'],
  summary: 'print every route of an MRT dump as JSON lines or exactly as `bgpdump -m`',
  help,
  async run(args, io) {
    const { flags, positionals } = parseArgs(args, ['bgpdump', 'progress']);
    if (positionals.length !== 1) throw new UsageError('expects exactly one FILE');
    let records = 0;
    let lastCount = 0;
    let last = Date.now();
    const timer = flags.has('progress')
      ? setInterval(() => {
          const now = Date.now();
          const rate = ((records - lastCount) * 1000) / Math.max(1, now - last);
          io.stderr.write(`filament mrt: ${records} records, ${Math.round(rate)} records/s\n`);
          lastCount = records;
          last = now;
        }, 1000)
      : undefined;
    timer?.unref();
    try {
      const source = readMrtFile(positionals[0]!);
      if (flags.has('bgpdump')) {
        const f = new BgpdumpFormatter();
        for await (const r of source) {
          records++;
          const lines = f.format(r);
          if (lines.length > 0) await write(io.stdout, `${lines.join('\n')}\n`);
        }
      } else {
        const state = { peers: [] as PeerIndexTable['peers'] };
        for await (const r of source) {
          records++;
          let chunk = '';
          for (const line of recordLines(r, state)) chunk += jsonLine(line);
          if (chunk.length > 0) await write(io.stdout, chunk);
        }
      }
    } finally {
      if (timer) clearInterval(timer);
    }
    if (flags.has('progress')) io.stderr.write(`filament mrt: ${records} records\n`);
    return 0;
  },
};
