// `filament agent ports|routes|flows|vrfs|xmpp`: reads a running filament-agent's introspect endpoint over
// HTTP (default http://127.0.0.1:8085, the agent's --introspect) and prints a table, or the JSON with --json.
import { type Command, type Io, jsonLine, parseArgs, UsageError } from '../command.js';

const DEFAULT_URL = 'http://127.0.0.1:8085';

type Obj = Record<string, unknown>;

/** Columns padded to their widest cell. */
function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

function nextHopText(nh: unknown): string {
  if (typeof nh !== 'object' || nh === null) return '-';
  const n = nh as Obj;
  switch (n.kind) {
    case 'interface':
      return `interface port ${String(n.port)}`;
    case 'tunnel': {
      const parts = [`tunnel ${String(n.dst)}`];
      if (n.label !== undefined) parts.push(`label ${String(n.label)}`);
      if (n.vni !== undefined) parts.push(`vni ${String(n.vni)}`);
      if (Array.isArray(n.encaps)) parts.push(`[${n.encaps.join(',')}]`);
      return parts.join(' ');
    }
    case 'ecmp':
    case 'bum':
      return `${String(n.kind)} ${Array.isArray(n.members) ? n.members.length : 0} members`;
    default:
      return String(n.kind);
  }
}

const VIEWS = {
  ports: {
    summary: "list the agent's ports (port API state, VRF, address, MPLS label, counters)",
    path: '/ports',
    text: async (data: unknown, get: (p: string) => Promise<unknown>): Promise<string> => {
      const ifs = (await get('/interfaces')) as Obj[];
      const byName = new Map(ifs.map((i) => [String(i.name), i]));
      const rows = (data as Obj[]).map((p) => {
        const i = byName.get(String(p.id));
        const rx = (i?.rx as Obj | undefined)?.packets ?? '-';
        const tx = (i?.tx as Obj | undefined)?.packets ?? '-';
        return [
          String(p.id),
          String(p.state),
          String(p.kind),
          String(p.vrf ?? '-'),
          String(p.address ?? '-'),
          p.label === undefined ? '-' : String(p.label),
          `${String(rx)}/${String(tx)}`,
          String(p.why ?? ''),
        ];
      });
      return table(['PORT', 'STATE', 'KIND', 'VRF', 'ADDRESS', 'LABEL', 'RX/TX', 'NOTE'], rows);
    },
  },
  routes: {
    summary: 'list the routes and MAC entries of every VRF (or --vrf NAME) with their next hops',
    path: '/routes',
    text: async (data: unknown): Promise<string> => {
      let out = '';
      for (const v of data as Obj[]) {
        out += `${String(v.vrf)}\n`;
        const rows: string[][] = [];
        for (const r of (v.routes as Obj[]) ?? [])
          rows.push(['  route', String(r.prefix), nextHopText(r.nextHop)]);
        for (const m of (v.macs as Obj[]) ?? []) rows.push(['  mac', String(m.mac), nextHopText(m.nextHop)]);
        out += rows.length > 0 ? table(['', 'KEY', 'NEXT HOP'], rows) : '  (empty)\n';
      }
      return out;
    },
  },
  flows: {
    summary: 'list the flow table (5-tuple, VRF, action, next hop kind, packets and bytes)',
    path: '/flows',
    text: async (data: unknown): Promise<string> => {
      const proto = (p: number) => ({ 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6' })[p] ?? String(p);
      const rows = (data as Obj[]).map((f) => [
        String(f.index),
        String(f.vrfName ?? f.vrf),
        proto(Number(f.proto)),
        `${String(f.src)}:${String(f.sport)}`,
        `${String(f.dst)}:${String(f.dport)}`,
        String(f.action),
        String(f.nextHopKind ?? '-'),
        String(f.packets),
        String(f.bytes),
      ]);
      return table(
        ['FLOW', 'VRF', 'PROTO', 'SOURCE', 'DESTINATION', 'ACTION', 'NEXT HOP', 'PACKETS', 'BYTES'],
        rows,
      );
    },
  },
  vrfs: {
    summary: 'list the VRFs (VNI, route and MAC counts, ports, BUM peers, encapsulation priority)',
    path: '/vrfs',
    text: async (data: unknown): Promise<string> => {
      const rows = (data as Obj[]).map((v) => [
        String(v.name),
        v.vni === null ? '-' : String(v.vni),
        String(v.routes4),
        String(v.routes6),
        String(v.macs),
        String((v.ports as unknown[]).length),
        (v.bumPeers as string[]).join(',') || '-',
        (v.encapL3 as string[]).join(','),
      ]);
      return table(['VRF', 'VNI', 'ROUTES4', 'ROUTES6', 'MACS', 'PORTS', 'BUM PEERS', 'ENCAP'], rows);
    },
  },
  xmpp: {
    summary: 'show the XMPP channels to the control nodes (state, End-of-RIB, routes received, config peer)',
    path: '/xmpp',
    text: async (data: unknown): Promise<string> => {
      const x = data as Obj;
      const rows = ((x.controllers as Obj[]) ?? []).map((c) => [
        String(c.endpoint),
        String(c.state),
        `${String(c.forSeconds)}s`,
        c.endOfRib ? 'yes' : 'no',
        String(c.routesReceived),
        String(c.configMessages),
        String(c.downs),
        String(c.lastError || ''),
      ]);
      const head = `agent ${String(x.agent)}: ${x.headless ? 'HEADLESS (no control node)' : 'connected'}, config peer ${String(x.configPeer ?? '-')}\n`;
      return (
        head +
        table(['CONTROLLER', 'STATE', 'FOR', 'EOR', 'ROUTES', 'CONFIG', 'FLAPS', 'LAST ERROR'], rows) +
        `subscribed: ${((x.subscriptions as string[]) ?? []).join(' ') || '-'}\n`
      );
    },
  },
} as const;

type View = keyof typeof VIEWS;

function makeCommand(view: View): Command {
  const v = VIEWS[view];
  const help = `Usage: filament agent ${view} [options]

${v.summary[0]!.toUpperCase()}${v.summary.slice(1)}, read from a running filament-agent's introspect
endpoint (GET ${v.path}).

Options:
  --introspect URL   the agent's introspect endpoint (default ${DEFAULT_URL}; https:// when the agent
                     serves it with a certificate: NODE_EXTRA_CA_CERTS=FILE trusts a private CA)
  --token TOKEN      X-Auth-Token for an agent started with --introspect-token-file
                     (default: the FILAMENT_AGENT_TOKEN environment variable)
${view === 'routes' ? '  --vrf NAME         one VRF only\n' : ''}  --json             print the endpoint's JSON instead of a table
  --help             this text

Exit status: 0, or 1 when the agent cannot be reached or answers with an error.

Example:
  filament agent ${view} --introspect http://127.0.0.1:8085
`;
  return {
    path: ['agent', view],
    summary: v.summary,
    help,
    async run(args: string[], io: Io): Promise<number> {
      const { flags, values, positionals } = parseArgs(
        args,
        ['json'],
        view === 'routes' ? ['introspect', 'vrf', 'token'] : ['introspect', 'token'],
      );
      const token = values.get('token') ?? process.env.FILAMENT_AGENT_TOKEN;
      const headers: Record<string, string> = token ? { 'x-auth-token': token } : {};
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      const base = (values.get('introspect') ?? DEFAULT_URL).replace(/\/+$/, '');
      let url: URL;
      try {
        url = new URL(base);
      } catch {
        throw new UsageError(`--introspect ${base} is not a URL`);
      }
      const get = async (path: string): Promise<unknown> => {
        const res = await fetch(new URL(path, url), { headers, signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${body.trim()}`);
        return JSON.parse(body) as unknown;
      };
      const path =
        view === 'routes' && values.has('vrf')
          ? `${v.path}?vrf=${encodeURIComponent(values.get('vrf')!)}`
          : v.path;
      let data: unknown;
      try {
        data = await get(path);
        if (flags.has('json')) io.stdout.write(jsonLine(data));
        else io.stdout.write(await v.text(data, get));
      } catch (e) {
        io.stderr.write(`filament agent ${view}: ${base}: ${(e as Error).message}\n`);
        return 1;
      }
      return 0;
    },
  };
}

export const agentCommands: Command[] = (Object.keys(VIEWS) as View[]).map(makeCommand);
