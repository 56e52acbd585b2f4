// `filament bgp serve CONFIG`: runs the @filament/bgp speaker from a declarative JSON config, prints
// sessions and routes as they change (JSON lines, or text with --text), and takes route injections and
// withdrawals from a file (--routes) and from standard input, one command a line:
//   announce ipv4-unicast 10.1.0.0/24 next-hop 10.255.0.1 [local-pref N] [med N] [community A:B]...
//   announce ipv4-mpls-vpn 10.1.0.0/24 rd 65000:1 label 100 rt 65000:1 next-hop 10.255.0.1
//   withdraw ipv4-unicast 10.1.0.0/24            withdraw ipv4-mpls-vpn 10.1.0.0/24 rd 65000:1
//   {"announce": {"family": "l2vpn-evpn", "nlri": {...}, "nextHop": "...", "attributes": [...]}}
//   {"withdraw": {"family": "...", "nlri": {...}}}
//   peers | routes FAMILY | refresh PEER FAMILY | quit
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  BgpSpeaker,
  evpnLabel,
  evpnLabelFromVni,
  familyName,
  formatExtendedCommunity,
  keyText,
  type LocalRoute,
  type Nlri,
  nlriKey,
  type PathAttribute,
  type PathAttrs,
  parseConfig,
  parseExtendedCommunity,
  parseFamily,
  parseRd,
  type RouteEvent,
  SpeakerError,
} from '@filament/bgp';
import { type Command, type Io, jsonLine, parseArgs, UsageError } from '../command.js';

const help = `Usage: filament bgp serve CONFIG [options]

Runs a BGP speaker (@filament/bgp) configured by the JSON file CONFIG and prints, one JSON object per line,
peer state changes, sessions up (with the negotiated capabilities) and down (with the NOTIFICATION),
received routes (added / changed / withdrawn) and End-of-RIB markers. Routes to advertise come from
"routes" in CONFIG, from --routes FILE and from standard input, one command a line:

  announce FAMILY PREFIX next-hop ADDR [rd RD] [label N] [rt RT]... [community A:B]... [local-pref N] [med N]
  withdraw FAMILY PREFIX [rd RD]
  {"announce": {"family", "nlri", "nextHop", "attributes"}}   any family, NLRI as @filament/bgp values
  {"withdraw": {"family", "nlri"}}
  peers | routes FAMILY | refresh PEER FAMILY | quit

CONFIG: {"asn", "routerId", "listen": [{"host", "port"}], "holdTime", "gracefulRestart": {...},
  "rtcRouteTargets": [...], "peers": [{"address", "port", "asn", "localAddress", "families": [...],
  "passive", "holdTime", "routeReflectorClient", "nextHopSelf", "nextHop", "maxPrefixes",
  "import": [rules], "export": [rules]}], "routes": [announce objects]}
Families: ipv4-unicast ipv6-unicast ipv4-mpls-vpn ipv6-mpls-vpn l2vpn-evpn ipv4-rtc ipv4-labeled-unicast.

Options:
  --routes FILE   read commands from FILE (after CONFIG's routes), then keep reading standard input
  --text          human-readable lines instead of JSON
  --for SECONDS   stop after SECONDS (default: run until SIGINT/SIGTERM or "quit")
  --help          this text

Example:
  filament bgp serve speaker.json --routes routes.txt
  echo 'announce ipv4-unicast 10.9.0.0/24 next-hop 10.255.0.9' | filament bgp serve speaker.json
`;

function describeAttrs(a: PathAttrs | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  const out: Record<string, unknown> = {
    nextHop: a.nextHop,
    asPath: a.asPath.flatMap((s): (string | number)[] =>
      s.type === 'set' ? [`{${s.asns.join(',')}}`] : s.asns,
    ),
  };
  if (a.localPref !== undefined) out.localPref = a.localPref;
  if (a.med !== undefined) out.med = a.med;
  for (const x of a.attributes) {
    if (x.type === 'COMMUNITIES') out.communities = x.communities.map((c) => `${c >>> 16}:${c & 0xffff}`);
    if (x.type === 'EXTENDED_COMMUNITIES')
      out.extendedCommunities = x.communities.map(formatExtendedCommunity);
    if (x.type === 'LARGE_COMMUNITY')
      out.largeCommunities = x.communities.map((c) => `${c.global}:${c.local1}:${c.local2}`);
    if (x.type === 'ORIGINATOR_ID') out.originatorId = x.originatorId;
    if (x.type === 'CLUSTER_LIST') out.clusterList = x.clusterIds;
    if (x.type === 'PMSI_TUNNEL')
      out.pmsiTunnel = { tunnelType: x.tunnelType, label: x.labelField, tunnelId: x.tunnelId };
  }
  return out;
}

function nlriText(n: Nlri, familyKey: number): string {
  const k = keyText(nlriKey(familyKey, n));
  if (n.type === 'vpn' || n.type === 'labeled') return `${k} label ${n.labels.join('/')}`;
  return k;
}

/** Turns JSON route input into codec values: RD text, EVPN labels as numbers (VNI) or {vni}/{raw}. */
function normalizeNlri(n: Record<string, unknown>): Nlri {
  const out: Record<string, unknown> = { ...n };
  if (typeof out.rd === 'string') out.rd = parseRd(out.rd);
  for (const k of ['label', 'label1', 'label2']) {
    const v = out[k];
    if (typeof v === 'number') out[k] = evpnLabelFromVni(v);
    else if (v && typeof v === 'object') {
      const o = v as { raw?: number; vni?: number };
      out[k] = o.raw !== undefined ? evpnLabel(o.raw) : evpnLabelFromVni(o.vni ?? 0);
    }
  }
  if (typeof out.routeTarget === 'string') out.routeTarget = parseExtendedCommunity(out.routeTarget);
  if (out.type === 'vpn' && out.labels === undefined) out.labels = [];
  return out as unknown as Nlri;
}

function normalizeAttrs(list: unknown): PathAttribute[] {
  if (!Array.isArray(list)) return [];
  return list.map((a: Record<string, unknown>) => {
    const x: Record<string, unknown> = { ...a };
    if (x.type === 'EXTENDED_COMMUNITIES' && Array.isArray(x.communities))
      x.communities = x.communities.map((c) => (typeof c === 'string' ? parseExtendedCommunity(c) : c));
    if (x.type === 'PMSI_TUNNEL' && typeof x.tunnelId === 'string')
      x.tunnelId = new Uint8Array(x.tunnelId.split('.').map(Number));
    return x as unknown as PathAttribute;
  });
}

function fromJson(o: Record<string, unknown>): LocalRoute {
  const r: LocalRoute = { nlri: normalizeNlri(o.nlri as Record<string, unknown>) };
  if (typeof o.family === 'string') r.family = o.family;
  if (typeof o.nextHop === 'string') r.nextHop = o.nextHop;
  const attrs = normalizeAttrs(o.attributes);
  if (attrs.length > 0) r.attributes = attrs;
  return r;
}

/** `announce|withdraw FAMILY PREFIX key value ...` -> a route. */
function fromText(words: string[]): LocalRoute {
  const [family, prefix, ...rest] = words;
  if (!family || !prefix) throw new UsageError('expected FAMILY PREFIX');
  const f = parseFamily(family);
  const kv: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i + 1] === undefined) throw new UsageError(`${rest[i]} needs a value`);
    kv.push([rest[i]!, rest[i + 1]!]);
  }
  const get = (k: string) => kv.filter(([a]) => a === k).map(([, b]) => b);
  let nlri: Nlri;
  if (f.safi === 128) {
    const rd = get('rd')[0];
    if (!rd) throw new UsageError('a VPN route needs rd');
    nlri = { type: 'vpn', rd: parseRd(rd), prefix, labels: get('label').map(Number) };
  } else if (f.safi === 4) nlri = { type: 'labeled', prefix, labels: get('label').map(Number) };
  else if (f.safi === 1 || f.safi === 2) nlri = { type: 'prefix', prefix };
  else throw new UsageError(`use the JSON form for ${family}`);
  const attributes: PathAttribute[] = [];
  const lp = get('local-pref')[0];
  if (lp !== undefined) attributes.push({ type: 'LOCAL_PREF', localPref: Number(lp) });
  const med = get('med')[0];
  if (med !== undefined) attributes.push({ type: 'MULTI_EXIT_DISC', med: Number(med) });
  const comms = get('community').map((c) => {
    const [a, b] = c.split(':').map(Number);
    return (a! << 16) + b!;
  });
  if (comms.length > 0) attributes.push({ type: 'COMMUNITIES', communities: comms.map((c) => c >>> 0) });
  const ext = [
    ...get('rt').map((t) => (t.startsWith('target:') ? t : `target:${t}`)),
    ...get('ext-community'),
  ].map(parseExtendedCommunity);
  if (ext.length > 0) attributes.push({ type: 'EXTENDED_COMMUNITIES', communities: ext });
  const r: LocalRoute = { family: f, nlri, attributes };
  const nh = get('next-hop')[0];
  if (nh) r.nextHop = nh;
  return r;
}

class Server {
  private readonly out: (o: Record<string, unknown>) => void;
  constructor(
    readonly speaker: BgpSpeaker,
    io: Io,
    text: boolean,
  ) {
    this.out = text
      ? (o) =>
          io.stdout.write(
            `${Object.entries(o)
              .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
              .join(' ')}\n`,
          )
      : (o) => io.stdout.write(jsonLine(o));
    const s = speaker;
    s.on('peer-state', (e) => this.out({ event: 'peer-state', peer: e.peer, from: e.from, to: e.to }));
    s.on('peer-up', (e) => {
      const st = s.status(s.peer(e.peer));
      this.out({ event: 'peer-up', peer: e.peer, asn: st.asn, negotiated: st.negotiated });
    });
    s.on('peer-down', (e) =>
      this.out({
        event: 'peer-down',
        peer: e.peer,
        reason: e.reason.kind,
        ...(e.notification
          ? {
              notification: `${e.notification.codeName} / ${e.notification.subcodeName}`,
              code: e.notification.code,
              subcode: e.notification.subcode,
            }
          : {}),
        gracefulRestart: e.gracefulRestart,
      }),
    );
    s.on('route', (e: RouteEvent) => {
      const fk = (e.family.afi << 8) | e.family.safi;
      this.out({
        event: 'route',
        kind: e.kind,
        peer: e.peer,
        family: familyName(e.family),
        route: nlriText(e.nlri, fk),
        ...(e.pathId ? { pathId: e.pathId } : {}),
        ...(e.kind !== 'withdrawn' ? { accepted: e.accepted } : {}),
        ...(e.attrs ? { attributes: describeAttrs(e.attrs) } : {}),
      });
    });
    s.on('end-of-rib', (e) => this.out({ event: 'end-of-rib', peer: e.peer, family: familyName(e.family) }));
    s.on('warning', (e) => this.out({ event: 'warning', peer: e.peer, message: e.message }));
  }

  /** Runs one command line; returns false for `quit`. */
  command(line: string): boolean {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return true;
    try {
      if (t.startsWith('{')) {
        const o = JSON.parse(t) as Record<string, Record<string, unknown>>;
        if (o.announce) this.speaker.announce(fromJson(o.announce));
        else if (o.withdraw) this.speaker.withdraw(fromJson(o.withdraw));
        else throw new UsageError('expected {"announce": ...} or {"withdraw": ...}');
        this.out({
          event: o.announce ? 'announced' : 'withdrawn',
          family: String((o.announce ?? o.withdraw)!.family ?? ''),
        });
        return true;
      }
      const [cmd, ...words] = t.split(/\s+/);
      switch (cmd) {
        case 'announce': {
          const r = fromText(words);
          this.speaker.announce(r);
          this.out({ event: 'announced', family: words[0], route: words[1] });
          return true;
        }
        case 'withdraw': {
          const r = fromText(words);
          const had = this.speaker.withdraw(r);
          this.out({ event: 'withdrawn', family: words[0], route: words[1], found: had });
          return true;
        }
        case 'peers':
          for (const p of this.speaker.peers()) this.out({ event: 'peer', ...p });
          return true;
        case 'routes': {
          const fam = words[0] ?? 'ipv4-unicast';
          const f = parseFamily(fam);
          const fk = (f.afi << 8) | f.safi;
          for (const r of this.speaker.routes(fam, { bestOnly: true }))
            this.out({
              event: 'rib',
              family: fam,
              route: nlriText(r.nlri, fk),
              peer: r.peer,
              attributes: describeAttrs(r.attrs),
            });
          return true;
        }
        case 'refresh':
          this.speaker.refresh(words[0] ?? '', words[1] ?? 'ipv4-unicast');
          this.out({ event: 'refresh-sent', peer: words[0], family: words[1] ?? 'ipv4-unicast' });
          return true;
        case 'quit':
          return false;
        default:
          throw new UsageError(`unknown command ${cmd}`);
      }
    } catch (e) {
      this.out({ event: 'error', input: t, message: (e as Error).message });
      return true;
    }
  }
}

export const bgpServeCommand: Command = {
  path: ['bgp', 'serve'],
  summary:
    'run a BGP speaker from a JSON config; print sessions and routes; inject routes from a file or stdin',
  help,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, ['text'], ['routes', 'for']);
    if (positionals.length !== 1) throw new UsageError('expects exactly one CONFIG');
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`cannot read ${positionals[0]}: ${(e as Error).message}`);
    }
    let speaker: BgpSpeaker;
    try {
      speaker = new BgpSpeaker(parseConfig(raw));
    } catch (e) {
      if (e instanceof SpeakerError) throw new UsageError(e.message);
      throw e;
    }
    const server = new Server(speaker, io, flags.has('text'));
    for (const r of (raw.routes as Record<string, unknown>[] | undefined) ?? [])
      speaker.announce(fromJson(r));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const feed = async (stream: NodeJS.ReadableStream) => {
      const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of rl) {
        if (!server.command(line)) {
          stop();
          break;
        }
      }
    };
    try {
      await speaker.start();
    } catch (e) {
      io.stderr.write(`${(e as Error).message}\n`);
      return 1;
    }
    io.stdout.write(
      jsonLine({
        event: 'started',
        asn: speaker.localAs,
        routerId: speaker.routerId,
        listening: speaker.listening(),
      }),
    );
    const onSignal = () => stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const seconds = values.has('for') ? Number(values.get('for')) : undefined;
    if (seconds !== undefined && !(seconds > 0))
      throw new UsageError('--for takes a positive number of seconds');
    const timer = seconds ? setTimeout(() => stop(), seconds * 1000) : undefined;
    (async () => {
      if (values.has('routes')) await feed(createReadStream(values.get('routes')!));
      await feed(io.stdin);
    })().catch((e: Error) => io.stderr.write(`${e.message}\n`));
    await stopped;
    if (timer) clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await speaker.stop();
    io.stdout.write(jsonLine({ event: 'stopped' }));
    return 0;
  },
};
