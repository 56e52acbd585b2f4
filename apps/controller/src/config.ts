// Controller configuration: a JSON file and/or command-line flags, checked with the same schema language as
// the API so a bad setting is reported with its path and reason.
import { readFileSync } from 'node:fs';
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
});

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
  --log-level LEVEL        pino level (default info)`;

export function loadConfig(argv: string[]): ControllerConfig {
  let file: unknown = {};
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-auth') {
      flags.set('no-auth', 'true');
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
  validate(CONFIG_SPEC, cfg, 'config');
  if (cfg.store.engine === 'etcd' && cfg.store.hosts.length === 0)
    throw new ValidationError('config.store.hosts', 'needs at least one etcd URL');
  return cfg;
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
