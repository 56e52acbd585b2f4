// `filament routes [INSTANCE]`: the controller's routing tables, read from its introspect endpoint
// (GET /routes?instance=NAME, default http://127.0.0.1:8083): one row per path, ECMP paths on rows of their own.
import { type Command, jsonLine, parseArgs, UsageError } from '../command.js';
import { request, table, targetOf } from './config.js';

export const DEFAULT_INTROSPECT = 'http://127.0.0.1:8083';

interface RoutesView {
  instances: {
    name: string;
    routes: {
      family: string;
      key: string;
      paths: {
        source: string;
        nextHop: string;
        label?: number;
        vni?: number;
        encapsulations?: string[];
        stale?: boolean;
      }[];
    }[];
  }[];
}

function isRoutesView(v: unknown): v is RoutesView {
  return typeof v === 'object' && v !== null && Array.isArray((v as RoutesView).instances);
}

export const routesCommand: Command = {
  path: ['routes'],
  summary: "Show the controller's routes per routing instance (source, next hop, label, VNI)",
  help: `Usage: filament routes [INSTANCE] [--introspect URL] [--token TOKEN] [--json]

Reads the controller's introspect (GET /routes, ?instance=INSTANCE for one routing instance, e.g.
default-domain:admin:vn1:vn1) and prints one row per path: instance, family, prefix, source (agent:<name> or
bgp:<peer>), next hop, MPLS label, VNI and encapsulations; a stale path (agent restarting) is marked.

Options:
  --introspect URL  controller introspect endpoint (default ${DEFAULT_INTROSPECT})
  --token TOKEN     X-Auth-Token (default: the FILAMENT_TOKEN environment variable)
  --json            print the introspect's JSON

Example:
  filament routes default-domain:admin:vn1:vn1`,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, ['json'], ['introspect', 'token']);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const t = targetOf(values, 'introspect', DEFAULT_INTROSPECT);
    const q = positionals[0] === undefined ? '' : `?${new URLSearchParams({ instance: positionals[0] })}`;
    const view = await request(t, 'GET', `/routes${q}`);
    if (!isRoutesView(view)) throw new Error('the introspect answered without an instances list');
    if (flags.has('json')) {
      io.stdout.write(jsonLine(view));
      return 0;
    }
    const rows: string[][] = [];
    for (const ri of view.instances) {
      for (const r of ri.routes) {
        for (const p of r.paths) {
          rows.push([
            ri.name,
            r.family,
            r.key,
            p.source,
            p.nextHop,
            p.label === undefined ? '-' : String(p.label),
            p.vni === undefined ? '-' : String(p.vni),
            `${(p.encapsulations ?? []).join(',') || '-'}${p.stale ? ' (stale)' : ''}`,
          ]);
        }
      }
    }
    io.stdout.write(
      table(['INSTANCE', 'FAMILY', 'PREFIX', 'SOURCE', 'NEXT HOP', 'LABEL', 'VNI', 'ENCAP'], rows),
    );
    return 0;
  },
};
