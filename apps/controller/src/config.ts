// Controller configuration: a JSON file and/or command-line flags, checked with the same schema language as
// the API so a bad setting is reported with its path and reason.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ValidationError } from './errors.js';
import { arr, bool, int, obj, oneOf, str, validate } from './schema/spec.js';

export interface ControllerConfig {
  listen: { host: string; port: number };
  store:
    | { engine: 'sqlite'; data_dir: string; durability?: 'full' | 'normal' }
    | {
        engine: 'etcd';
        hosts: string[];
        prefix?: string;
        /** Client TLS towards etcd (https:// hosts): CA, and a client certificate and key if etcd asks for one. */
        tls?: { ca_file: string; cert_file?: string; key_file?: string };
      };
  tls?: { cert_file: string; key_file: string; ca_file?: string };
  auth: {
    enabled: boolean;
    /** File with the cloud-admin token; created (0600) with a random token when missing. */
    admin_token_file?: string;
    /** Serve the API port's /metrics without a token (default: cloud-admin token required). */
    public_metrics?: boolean;
    tokens?: {
      token?: string;
      sha256?: string;
      name: string;
      role: 'cloud-admin' | 'member';
      projects?: string[];
    }[];
  };
  asn: number;
  log_level: string;
  /** The control plane (XMPP for agents, routing, introspect). Absent = not started (API-only tests). */
  control?: ControlConfig;
  /** BGP gateways (control/gateway): the controller's BGP speaker. Absent or disabled = no BGP. */
  bgp?: BgpConfig;
}

export interface BgpConfig {
  enabled: boolean;
  /** Where gateways connect (default 0.0.0.0; port: our control-node bgp-router's `port`, else 179). */
  host: string;
  port?: number;
  /** BGP identifier (default: our control-node bgp-router's identifier, else the first non-loopback IPv4). */
  router_id?: string;
  /** Our AS (default: our control-node bgp-router's `autonomous_system`, else the controller's `asn`). */
  asn?: number;
  /** Hold time offered to gateways whose bgp-router sets none (default 90). */
  hold_time?: number;
}

export interface ControlConfig {
  xmpp: {
    host: string;
    /** Default 5269 (TF's xmpp_server_port). */
    port: number;
    /** Sent to agents as the stream header's `from` (TF: the control node's hostname). */
    hostname: string;
    /** STARTTLS with these files; with ca_file, agents must present certificates signed by it. */
    tls?: { cert_file: string; key_file: string; ca_file?: string };
    max_sessions: number;
    /** Routing-instance plus config subscriptions per agent. */
    max_subscriptions: number;
    /** Paths one agent may publish before its session is closed. */
    max_routes_per_agent: number;
    /** Queued output per session before a slow agent is disconnected (bytes). */
    max_write_buffer: number;
  };
  /** How long a disconnected agent's routes stay (stale) before they are withdrawn (TF graceful restart). */
  graceful_restart_seconds: number;
  introspect: {
    host: string;
    /** Default 8083. */
    port: number;
    /** Serve introspect and its /metrics without a token even when auth is enabled. */
    public: boolean;
  };
}

const CONFIG_SPEC = obj('ControllerConfig', {
  listen: obj('Listen', { host: str(), port: int({ min: 0, max: 65535 }) }),
  store: obj(
    'StoreConfig',
    {
      engine: oneOf(['sqlite', 'etcd']),
      data_dir: str(),
      durability: oneOf(['full', 'normal']),
      hosts: arr(str()),
      prefix: str(),
      tls: obj('EtcdTlsConfig', { ca_file: str(), cert_file: str(), key_file: str() }, ['ca_file']),
    },
    ['engine'],
  ),
  tls: obj('TlsConfig', { cert_file: str(), key_file: str(), ca_file: str() }, ['cert_file', 'key_file']),
  auth: obj('AuthConfig', {
    enabled: bool(),
    admin_token_file: str(),
    public_metrics: bool(),
    tokens: arr(
      obj(
        'TokenConfig',
        {
          token: str(),
          sha256: str(),
          name: str(),
          role: oneOf(['cloud-admin', 'member']),
          projects: arr(str()),
        },
        ['name', 'role'],
      ),
    ),
  }),
  asn: int({ min: 1, max: 4294967295 }),
  log_level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  control: obj('ControlConfig', {
    xmpp: obj('XmppConfig', {
      host: str(),
      port: int({ min: 0, max: 65535 }),
      hostname: str(),
      tls: obj('XmppTlsConfig', { cert_file: str(), key_file: str(), ca_file: str() }, [
        'cert_file',
        'key_file',
      ]),
      max_sessions: int({ min: 1 }),
      max_subscriptions: int({ min: 1 }),
      max_routes_per_agent: int({ min: 1 }),
      max_write_buffer: int({ min: 65536 }),
    }),
    graceful_restart_seconds: int({ min: 0, max: 3600 }),
    introspect: obj('IntrospectConfig', { host: str(), port: int({ min: 0, max: 65535 }), public: bool() }),
  }),
  bgp: obj('BgpConfig', {
    enabled: bool(),
    host: str(),
    port: int({ min: 0, max: 65535 }),
    router_id: str({ format: 'ipv4' }),
    asn: int({ min: 1, max: 4294967295 }),
    hold_time: int({ min: 0, max: 65535 }),
  }),
});

/** Control-plane settings with defaults filled in. */
export function controlDefaults(c: Partial<Record<keyof ControlConfig, unknown>> = {}): ControlConfig {
  const x = (c.xmpp ?? {}) as Partial<ControlConfig['xmpp']>;
  const i = (c.introspect ?? {}) as Partial<ControlConfig['introspect']>;
  return {
    xmpp: {
      host: x.host ?? '0.0.0.0',
      port: x.port ?? 5269,
      hostname: x.hostname ?? hostname(),
      ...(x.tls ? { tls: x.tls } : {}),
      max_sessions: x.max_sessions ?? 10_000,
      max_subscriptions: x.max_subscriptions ?? 65_536,
      max_routes_per_agent: x.max_routes_per_agent ?? 100_000,
      max_write_buffer: x.max_write_buffer ?? 64 * 1024 * 1024,
    },
    graceful_restart_seconds: (c.graceful_restart_seconds as number | undefined) ?? 30,
    introspect: { host: i.host ?? '127.0.0.1', port: i.port ?? 8083, public: i.public ?? false },
  };
}

export const USAGE = `filament-controller [options]
  --config FILE            JSON config file (flags override it)
  --host ADDR              listen address (default 0.0.0.0)
  --port N                 listen port (default 8082)
  --store sqlite|etcd      store engine (default sqlite)
  --data-dir DIR           SQLite data directory (default ./filament-data)
  --durability full|normal SQLite: fsync every commit (full, default) or only survive process kills (normal)
  --etcd-hosts URLS        comma-separated etcd client URLs
  --etcd-prefix PREFIX     key prefix in etcd (default /filament/config/)
  --tls-cert FILE --tls-key FILE   serve HTTPS
  --admin-token-file FILE  cloud-admin token, created if missing (default <data-dir>/admin-token)
  --no-auth                disable authentication (lab only)
  --asn N                  autonomous system for route targets (default 64512)
  --log-level LEVEL        pino level (default info)
  --xmpp-host ADDR         XMPP server for agents: listen address (default 0.0.0.0)
  --xmpp-port N            XMPP server port (default 5269)
  --xmpp-tls-cert FILE --xmpp-tls-key FILE [--xmpp-tls-ca FILE]   STARTTLS for agents (CA: mutual certificates)
  --graceful-restart-seconds N   keep a disconnected agent's routes this long (default 30)
  --introspect-host ADDR   introspect/metrics listen address (default 127.0.0.1)
  --introspect-port N      introspect port (default 8083)
  --no-control             config API only: no XMPP server, routing or introspect
  --bgp-port N             run the BGP speaker for gateways (bgp-router objects) on this port (179 in TF)
  --bgp-host ADDR          BGP listen address (default 0.0.0.0)
  --bgp-router-id IP       BGP identifier (default: the control-node bgp-router's, else a host IPv4)`;

export function loadConfig(argv: string[]): ControllerConfig {
  let file: unknown = {};
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-auth' || a === '--no-control') {
      flags.set(a.slice(2), 'true');
      continue;
    }
    if (a === '--help' || a === '-h') {
      flags.set('help', 'true');
      continue;
    }
    if (!a.startsWith('--')) throw new ValidationError(`argv[${i}]`, `unexpected argument '${a}'`);
    const v = argv[i + 1];
    if (v === undefined) throw new ValidationError(a, 'needs a value');
    flags.set(a.slice(2), v);
    i++;
  }
  const cfgFile = flags.get('config');
  if (cfgFile) {
    try {
      file = JSON.parse(readFileSync(cfgFile, 'utf8'));
    } catch (e) {
      throw new ValidationError('--config', `${cfgFile}: ${(e as Error).message}`);
    }
    validate(CONFIG_SPEC, file, 'config');
  }
  const f = file as Partial<ControllerConfig> & { store?: Record<string, unknown> };
  const num = (k: string, d: number) => {
    const v = flags.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ValidationError(`--${k}`, 'must be a non-negative integer');
    return n;
  };
  const engine = (flags.get('store') ?? f.store?.engine ?? 'sqlite') as string;
  if (engine !== 'sqlite' && engine !== 'etcd')
    throw new ValidationError('--store', "must be 'sqlite' or 'etcd'");
  const dataDir = flags.get('data-dir') ?? (f.store?.data_dir as string | undefined) ?? './filament-data';
  const cfg: ControllerConfig = {
    listen: {
      host: flags.get('host') ?? f.listen?.host ?? '0.0.0.0',
      port: num('port', f.listen?.port ?? 8082),
    },
    store:
      engine === 'sqlite'
        ? {
            engine,
            data_dir: dataDir,
            ...((flags.get('durability') ?? f.store?.durability)
              ? { durability: (flags.get('durability') ?? f.store?.durability) as 'full' | 'normal' }
              : {}),
          }
        : {
            engine,
            hosts: flags.get('etcd-hosts')?.split(',') ??
              (f.store?.hosts as string[] | undefined) ?? ['http://127.0.0.1:2379'],
            ...((flags.get('etcd-prefix') ?? f.store?.prefix)
              ? { prefix: (flags.get('etcd-prefix') ?? f.store?.prefix) as string }
              : {}),
            ...(f.store?.tls
              ? { tls: f.store.tls as { ca_file: string; cert_file?: string; key_file?: string } }
              : {}),
          },
    auth: {
      enabled: flags.get('no-auth') !== 'true' && (f.auth?.enabled ?? true),
      ...(f.auth?.public_metrics !== undefined ? { public_metrics: f.auth.public_metrics } : {}),
      ...(f.auth?.tokens ? { tokens: f.auth.tokens } : {}),
    },
    asn: num('asn', f.asn ?? 64512),
    log_level: flags.get('log-level') ?? f.log_level ?? 'info',
  };
  const tokenFile =
    flags.get('admin-token-file') ??
    f.auth?.admin_token_file ??
    (engine === 'sqlite' ? `${dataDir}/admin-token` : undefined);
  if (tokenFile) cfg.auth.admin_token_file = tokenFile;
  const cert = flags.get('tls-cert') ?? f.tls?.cert_file;
  const key = flags.get('tls-key') ?? f.tls?.key_file;
  if ((cert === undefined) !== (key === undefined))
    throw new ValidationError('--tls-cert', 'needs --tls-key too (and the other way round)');
  if (cert && key)
    cfg.tls = { cert_file: cert, key_file: key, ...(f.tls?.ca_file ? { ca_file: f.tls.ca_file } : {}) };
  if (flags.get('no-control') !== 'true') cfg.control = controlFromFlags(flags, f.control, num);
  const bgp = bgpFromFlags(flags, f.bgp, num);
  if (bgp) cfg.bgp = bgp;
  validate(CONFIG_SPEC, cfg, 'config');
  if (cfg.store.engine === 'etcd' && cfg.store.hosts.length === 0)
    throw new ValidationError('config.store.hosts', 'needs at least one etcd URL');
  return cfg;
}

function controlFromFlags(
  flags: Map<string, string>,
  file: Partial<ControlConfig> | undefined,
  num: (k: string, d: number) => number,
): ControlConfig {
  const c = controlDefaults(file ?? {});
  c.xmpp.host = flags.get('xmpp-host') ?? c.xmpp.host;
  c.xmpp.port = num('xmpp-port', c.xmpp.port);
  c.graceful_restart_seconds = num('graceful-restart-seconds', c.graceful_restart_seconds);
  c.introspect.host = flags.get('introspect-host') ?? c.introspect.host;
  c.introspect.port = num('introspect-port', c.introspect.port);
  const cert = flags.get('xmpp-tls-cert');
  const key = flags.get('xmpp-tls-key');
  if ((cert === undefined) !== (key === undefined))
    throw new ValidationError('--xmpp-tls-cert', 'needs --xmpp-tls-key too (and the other way round)');
  if (cert && key) {
    const ca = flags.get('xmpp-tls-ca');
    c.xmpp.tls = { cert_file: cert, key_file: key, ...(ca ? { ca_file: ca } : {}) };
  }
  return c;
}

/** The BGP section: from the file, `--bgp-port` enables it; undefined when neither asks for BGP. */
function bgpFromFlags(
  flags: Map<string, string>,
  file: Partial<BgpConfig> | undefined,
  num: (k: string, d: number) => number,
): BgpConfig | undefined {
  const enabled = flags.has('bgp-port') || (file?.enabled ?? false);
  if (!enabled && !file) return undefined;
  const routerId = flags.get('bgp-router-id') ?? file?.router_id;
  return {
    enabled,
    host: flags.get('bgp-host') ?? file?.host ?? '0.0.0.0',
    ...(flags.has('bgp-port') || file?.port !== undefined
      ? { port: num('bgp-port', file?.port ?? 179) }
      : {}),
    ...(routerId ? { router_id: routerId } : {}),
    ...(file?.asn !== undefined ? { asn: file.asn } : {}),
    ...(file?.hold_time !== undefined ? { hold_time: file.hold_time } : {}),
  };
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
