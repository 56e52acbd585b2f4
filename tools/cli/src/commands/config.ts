// `filament config list|show|create|delete`: the controller's Tungsten Fabric-shaped config API over HTTP
// (default http://127.0.0.1:8082), with the token from --token or FILAMENT_TOKEN. Tables for people, --json for
// scripts. The HTTP client here is shared with `filament routes` (routes.ts).
import { readFile } from 'node:fs/promises';
import { type Command, type Io, jsonLine, parseArgs, UsageError } from '../command.js';

export const DEFAULT_API = 'http://127.0.0.1:8082';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPE = /^[a-z][a-z0-9-]*$/;

type Obj = Record<string, unknown>;

export interface ControllerTarget {
  /** Base URL, e.g. http://127.0.0.1:8082. */
  url: string;
  token: string | undefined;
}

/** The controller answered with an error status; main prints `name: message` and exits 1. */
export class ControllerRequestError extends Error {
  override name = 'ControllerRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function request(
  t: ControllerTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (t.token !== undefined) headers['x-auth-token'] = t.token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const url = `${t.url.replace(/\/+$/, '')}${path}`;
  let r: Response;
  try {
    r = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new ControllerRequestError(0, `cannot reach ${url}: ${cause ?? (e as Error).message}`);
  }
  const text = await r.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!r.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const what = err?.message ?? (text.trim().slice(0, 200) || r.statusText);
    throw new ControllerRequestError(
      r.status,
      `${method} ${path}: HTTP ${r.status}${err?.code ? ` ${err.code}` : ''}: ${what}`,
    );
  }
  return json;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** --api/--introspect URL, --token (or FILAMENT_TOKEN), --json. */
export function targetOf(values: Map<string, string>, urlFlag: string, defaultUrl: string): ControllerTarget {
  const url = values.get(urlFlag) ?? defaultUrl;
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--${urlFlag} must be an http:// or https:// URL`);
  const token = values.get('token') ?? process.env.FILAMENT_TOKEN;
  return { url, token: token === '' ? undefined : token };
}

function typeArg(t: string | undefined): string {
  if (t === undefined) throw new UsageError('TYPE is required (e.g. virtual-network)');
  if (!TYPE.test(t)) throw new UsageError(`'${t}' is not a type name (e.g. virtual-network)`);
  return t;
}

/** A uuid as given, or the uuid of an fq_name joined with ':' (POST /fqname-to-id). */
async function resolveId(t: ControllerTarget, type: string, id: string | undefined): Promise<string> {
  if (id === undefined) throw new UsageError('UUID or FQNAME is required');
  if (UUID.test(id)) return id.toLowerCase();
  const r = (await request(t, 'POST', '/fqname-to-id', { type, fq_name: id.split(':') })) as { uuid: string };
  return r.uuid;
}

const COMMON = `  --api URL      controller config API (default ${DEFAULT_API})
  --token TOKEN  X-Auth-Token (default: the FILAMENT_TOKEN environment variable)
  --json         print JSON instead of a table`;

const OPTS = { booleans: ['json'], valued: ['api', 'token'] } as const;

const list: Command = {
  path: ['config', 'list'],
  summary: 'List config objects of one type from the controller (uuid, fq_name, parent)',
  help: `Usage: filament config list TYPE [--parent FQNAME] [--api URL] [--token TOKEN] [--json]

Lists every object of TYPE (virtual-network, virtual-machine-interface, instance-ip, virtual-router, ...) that
the token may read, following the API's pages. --json prints the objects as the API returns them (detail=true),
as one JSON array.

Options:
  --parent FQNAME  only the children of this parent (e.g. default-domain:admin)
${COMMON}

Example:
  filament config list virtual-network
  FILAMENT_TOKEN=$(cat data/admin-token) filament config list virtual-machine-interface --json`,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, OPTS.booleans, [...OPTS.valued, 'parent']);
    const type = typeArg(positionals[0]);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const t = targetOf(values, 'api', DEFAULT_API);
    const objects: Obj[] = [];
    let marker: string | undefined;
    // Bounded: 10,000 pages of the API's page size.
    for (let page = 0; page < 10_000; page++) {
      const q = new URLSearchParams({ detail: 'true', exclude_hrefs: 'true', page_limit: '500' });
      if (marker !== undefined) q.set('page_marker', marker);
      const parent = values.get('parent');
      if (parent !== undefined) q.set('parent_fq_name_str', parent);
      const r = (await request(t, 'GET', `/${type}s?${q}`)) as Obj;
      const items = (r[`${type}s`] ?? []) as Obj[];
      for (const it of items) objects.push((it[type] as Obj | undefined) ?? it);
      marker = typeof r.marker === 'string' ? r.marker : undefined;
      if (marker === undefined || items.length === 0) break;
    }
    if (flags.has('json')) {
      io.stdout.write(jsonLine(objects));
      return 0;
    }
    const rows = objects.map((o) => [
      String(o.uuid ?? ''),
      Array.isArray(o.fq_name) ? o.fq_name.join(':') : '',
      typeof o.parent_type === 'string' ? o.parent_type : '-',
    ]);
    io.stdout.write(table(['UUID', 'FQ_NAME', 'PARENT'], rows));
    return 0;
  },
};

const show: Command = {
  path: ['config', 'show'],
  summary: 'Show one config object by uuid or fq_name',
  help: `Usage: filament config show TYPE UUID|FQNAME [--api URL] [--token TOKEN] [--json]

Prints the object as GET /TYPE/UUID returns it (refs, back-refs and children included), indented; --json prints
it on one line. FQNAME is the fq_name joined with ':' (default-domain:admin:vn1).

Options:
${COMMON}

Example:
  filament config show virtual-network default-domain:admin:vn1`,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, OPTS.booleans, OPTS.valued);
    const type = typeArg(positionals[0]);
    const t = targetOf(values, 'api', DEFAULT_API);
    const uuid = await resolveId(t, type, positionals[1]);
    const r = (await request(t, 'GET', `/${type}/${uuid}`)) as Obj;
    const o = (r[type] as Obj | undefined) ?? r;
    io.stdout.write(flags.has('json') ? jsonLine(o) : `${JSON.stringify(o, null, 2)}\n`);
    return 0;
  },
};

async function readInput(path: string, io: Io): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const create: Command = {
  path: ['config', 'create'],
  summary: 'Create a config object from JSON (a file or stdin)',
  help: `Usage: filament config create TYPE --json FILE|- [--api URL] [--token TOKEN]

FILE (or - for stdin) holds the object, either as the API takes it ({"virtual-network": {...}}) or just its
body ({"fq_name": [...], "parent_type": "project", ...}). Prints the new object's uuid and fq_name; with
--output json, the object as the API returned it.

Options:
  --json FILE|-     the object to create
  --output json     print the created object as JSON
  --api URL         controller config API (default ${DEFAULT_API})
  --token TOKEN     X-Auth-Token (default: the FILAMENT_TOKEN environment variable)

Example:
  echo '{"fq_name":["default-domain","default-project","vn1"],"parent_type":"project"}' |
    filament config create virtual-network --json -`,
  async run(args, io) {
    const { values, positionals } = parseArgs(args, [], ['api', 'token', 'json', 'output']);
    const type = typeArg(positionals[0]);
    const file = values.get('json');
    if (file === undefined) throw new UsageError('--json FILE|- is required');
    const output = values.get('output');
    if (output !== undefined && output !== 'json') throw new UsageError("--output takes 'json'");
    const t = targetOf(values, 'api', DEFAULT_API);
    let doc: unknown;
    try {
      doc = JSON.parse(await readInput(file, io));
    } catch (e) {
      throw new UsageError(`${file === '-' ? 'stdin' : file} is not JSON: ${(e as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new UsageError('the JSON must be an object');
    const keys = Object.keys(doc);
    const body = keys.length === 1 && keys[0] === type ? doc : { [type]: doc };
    const r = (await request(t, 'POST', `/${type}s`, body)) as Obj;
    const o = (r[type] as Obj | undefined) ?? r;
    if (output === 'json') io.stdout.write(jsonLine(o));
    else
      io.stdout.write(
        `created ${type} ${(o.fq_name as string[] | undefined)?.join(':') ?? ''} ${String(o.uuid)}\n`,
      );
    return 0;
  },
};

const remove: Command = {
  path: ['config', 'delete'],
  summary: 'Delete a config object by uuid or fq_name',
  help: `Usage: filament config delete TYPE UUID|FQNAME [--api URL] [--token TOKEN] [--json]

Deletes the object (the API refuses while children or back-refs remain, and says which).

Options:
${COMMON}

Example:
  filament config delete virtual-machine-interface 6ba7b810-9dad-11d1-80b4-00c04fd430c8`,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, OPTS.booleans, OPTS.valued);
    const type = typeArg(positionals[0]);
    const t = targetOf(values, 'api', DEFAULT_API);
    const uuid = await resolveId(t, type, positionals[1]);
    await request(t, 'DELETE', `/${type}/${uuid}`);
    io.stdout.write(flags.has('json') ? jsonLine({ deleted: uuid, type }) : `deleted ${type} ${uuid}\n`);
    return 0;
  },
};

export const configCommands: Command[] = [list, show, create, remove];
