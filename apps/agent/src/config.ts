// The filament-agent process configuration (contract F): command-line flags, optionally on top of a JSON
// file (`--config FILE`, the same keys in camelCase); flags win. Like TF's contrail-vrouter-agent.conf:
// the agent name, its underlay (vhost0) address, one or two control nodes, the port API and introspect
// endpoints, and the state directory the port list is kept in. Security (house standard): XMPP STARTTLS with
// mutual certificates, and a bearer token and HTTPS on the port API and introspect; all off by default so a
// loopback lab runs unchanged. The files are read once at start (loadListenerSecurity, loadXmppTls).

import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentConfigError } from './control/errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface AgentConfig {
  /** The agent (virtual-router) name, also its XMPP name. */
  name: string;
  /** Underlay IPv4 address (VXLAN and MPLS over UDP sockets, the published next hop). */
  underlay: string;
  /** One or two control nodes, primary first (XMPP, default port 5269). */
  controllers: HostPort[];
  portApi: HostPort;
  introspect: HostPort;
  jsonLogs: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where ports.json lives. */
  stateDir: string;
  routerMac: string;
  /** XMPP reconnect scale in ms (TF: 1,000). */
  retryBaseMs: number;
  /** Config inactivity before stale config is swept (ms). */
  configSweepMs: number;
  /** Stale routes of a control node that sends no End-of-RIB are swept after this (ms). */
  endOfRibTimeoutMs: number;
  /** Stale routes stay this long after End-of-RIB, for the other agents to republish to a restarted control node (ms). */
  staleSweepMs: number;
  /** XMPP STARTTLS to the control nodes; absent: plain TCP (TF's default). */
  xmppTls?: XmppTlsFiles;
  /** Token and HTTPS of the port API; absent: plain HTTP, no token. */
  portApiSecurity?: ListenerSecurityFiles;
  introspectSecurity?: ListenerSecurityFiles;
}

/** The files of XMPP TLS: the control nodes' certificates are verified against `caFile`, ours is presented. */
export interface XmppTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Token and HTTPS files of one HTTP listener (port API or introspect); each part optional. */
export interface ListenerSecurityFiles {
  /** A file holding the token requests must carry (`Authorization: Bearer` or `X-Auth-Token`). */
  tokenFile?: string;
  /** HTTPS certificate and key (both or neither). */
  certFile?: string;
  keyFile?: string;
}

/** What a listener enforces, the files read. */
export interface ListenerSecurity {
  token?: string;
  tls?: { cert: Buffer; key: Buffer };
}

export const AGENT_USAGE = `Usage: filament-agent --name NAME --underlay IP --controller HOST[:PORT] [options]

The Filament vRouter agent: a user-space data plane (VXLAN and MPLS over UDP on the underlay address),
an XMPP client to one or two control nodes (config and routes), a port API for workloads, and an
introspect endpoint with Prometheus metrics.

Options:
  --name NAME                 agent name = the virtual-router object's name (required)
  --underlay IP               underlay IPv4 address (required)
  --controller HOST[:PORT]    control node, XMPP port 5269 by default; give it twice for primary and backup
  --port-api HOST:PORT        port API (default 127.0.0.1:9091)
  --introspect HOST:PORT      introspect and /metrics (default 127.0.0.1:8085)
  --state-dir DIR             where the port list is kept (default $TMPDIR/filament-agent/NAME)
  --router-mac MAC            router MAC (default 00:00:5e:00:01:00)
  --retry-ms N                XMPP reconnect scale in ms (default 1000)
  --config-sweep-ms N         config inactivity before stale config is swept (default 3000)
  --eor-timeout-ms N          End-of-RIB assumed when none comes (default 15000)
  --stale-sweep-ms N          stale routes kept after End-of-RIB (default 5000)
  --xmpp-ca-file FILE         XMPP over STARTTLS: CA the control nodes' certificates are verified against
  --xmpp-cert-file FILE       XMPP TLS client certificate (PEM), presented to the control nodes
  --xmpp-key-file FILE        XMPP TLS client key (PEM); the three --xmpp-*-file flags go together
  --api-token-file FILE       port API requires "Authorization: Bearer TOKEN" or "X-Auth-Token: TOKEN"
                              (the file's content, trimmed), else 401 (default: no token)
  --api-cert-file FILE        port API over HTTPS with this certificate (PEM) ...
  --api-key-file FILE         ... and this key (default: plain HTTP)
  --introspect-token-file FILE  the same token check for introspect and /metrics
  --introspect-cert-file FILE   introspect over HTTPS with this certificate (PEM) ...
  --introspect-key-file FILE    ... and this key
  --log-level LEVEL           debug | info | warn | error (default info)
  --json-logs                 pino JSON lines instead of text
  --config FILE               JSON file with these settings (camelCase keys); flags override it
  --help                      this text
`;

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function parseHostPort(text: string, field: string, defaultPort?: number): HostPort {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(text.trim());
  const host = m?.[1] ?? '';
  const portText = m?.[2];
  if (host === '') throw new AgentConfigError(field, `"${text}" is not HOST[:PORT]`);
  const port = portText !== undefined ? Number(portText) : defaultPort;
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new AgentConfigError(field, `"${text}" needs a port 0..65535`);
  return { host, port };
}

function intValue(v: unknown, field: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new AgentConfigError(field, `must be an integer in ${min}..${max}`);
  return n;
}

/** Values from a config file: the AgentConfig keys, host:port fields as strings or {host, port}. */
function fromFile(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AgentConfigError('config', `${path}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new AgentConfigError('config', `${path}: must be a JSON object`);
  return doc as Record<string, unknown>;
}

function hostPortValue(v: unknown, field: string, defaultPort?: number): HostPort {
  if (typeof v === 'string') return parseHostPort(v, field, defaultPort);
  if (typeof v === 'object' && v !== null && typeof (v as HostPort).host === 'string')
    return parseHostPort(
      `${(v as HostPort).host}:${(v as HostPort).port ?? defaultPort}`,
      field,
      defaultPort,
    );
  throw new AgentConfigError(field, 'must be "HOST:PORT" or {host, port}');
}

export type ParsedArgs = { help: true } | { help: false; config: AgentConfig };

/** Parses argv (without node and the script). Throws AgentConfigError. */
export function parseAgentArgs(argv: readonly string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const flags: Record<string, unknown> = {};
  const controllers: string[] = [];
  let file: string | undefined;
  const valueFlags: Record<string, string> = {
    '--name': 'name',
    '--underlay': 'underlay',
    '--port-api': 'portApi',
    '--introspect': 'introspect',
    '--state-dir': 'stateDir',
    '--router-mac': 'routerMac',
    '--retry-ms': 'retryBaseMs',
    '--config-sweep-ms': 'configSweepMs',
    '--eor-timeout-ms': 'endOfRibTimeoutMs',
    '--stale-sweep-ms': 'staleSweepMs',
    '--log-level': 'logLevel',
    '--xmpp-ca-file': 'xmppCaFile',
    '--xmpp-cert-file': 'xmppCertFile',
    '--xmpp-key-file': 'xmppKeyFile',
    '--api-token-file': 'apiTokenFile',
    '--api-cert-file': 'apiCertFile',
    '--api-key-file': 'apiKeyFile',
    '--introspect-token-file': 'introspectTokenFile',
    '--introspect-cert-file': 'introspectCertFile',
    '--introspect-key-file': 'introspectKeyFile',
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new AgentConfigError(flag, 'needs a value');
      return v;
    };
    if (flag === '--json-logs') flags.jsonLogs = true;
    else if (flag === '--controller') controllers.push(value());
    else if (flag === '--config') file = value();
    else if (valueFlags[flag] !== undefined) flags[valueFlags[flag]!] = value();
    else throw new AgentConfigError(flag, 'unknown option (see --help)');
  }
  const base = file !== undefined ? fromFile(file) : {};
  const merged: Record<string, unknown> = { ...base, ...flags };
  if (controllers.length > 0) merged.controllers = controllers;

  const name = merged.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(name))
    throw new AgentConfigError('name', 'required: letters, digits, "_", "." and "-"');
  const underlay = merged.underlay;
  if (typeof underlay !== 'string' || !isIPv4(underlay))
    throw new AgentConfigError('underlay', 'required: an IPv4 address');
  const ctl = merged.controllers;
  if (!Array.isArray(ctl) || ctl.length < 1 || ctl.length > 2)
    throw new AgentConfigError('controller', 'give one or two control nodes');
  const logLevel = merged.logLevel ?? 'info';
  if (!LEVELS.includes(logLevel as (typeof LEVELS)[number]))
    throw new AgentConfigError('log-level', `one of ${LEVELS.join(', ')}`);
  const routerMac = merged.routerMac ?? '00:00:5e:00:01:00';
  if (typeof routerMac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(routerMac))
    throw new AgentConfigError('router-mac', 'must be a MAC address');
  const stateDir = merged.stateDir ?? join(tmpdir(), 'filament-agent', name);
  if (typeof stateDir !== 'string' || stateDir === '')
    throw new AgentConfigError('state-dir', 'must be a path');
  const xmppTls = xmppTlsValue(merged);
  return {
    help: false,
    config: {
      ...(xmppTls !== undefined ? { xmppTls } : {}),
      portApiSecurity: listenerFilesValue(merged, 'api'),
      introspectSecurity: listenerFilesValue(merged, 'introspect'),
      name,
      underlay,
      controllers: ctl.map((c, i) => hostPortValue(c, `controller[${i}]`, 5269)),
      portApi: hostPortValue(merged.portApi ?? '127.0.0.1:9091', 'port-api'),
      introspect: hostPortValue(merged.introspect ?? '127.0.0.1:8085', 'introspect'),
      jsonLogs: merged.jsonLogs === true,
      logLevel: logLevel as AgentConfig['logLevel'],
      stateDir,
      routerMac: routerMac.toLowerCase(),
      retryBaseMs: intValue(merged.retryBaseMs ?? 1000, 'retry-ms', 1, 600_000),
      configSweepMs: intValue(merged.configSweepMs ?? 3000, 'config-sweep-ms', 10, 600_000),
      endOfRibTimeoutMs: intValue(merged.endOfRibTimeoutMs ?? 15_000, 'eor-timeout-ms', 10, 3_600_000),
      staleSweepMs: intValue(merged.staleSweepMs ?? 5000, 'stale-sweep-ms', 0, 3_600_000),
    },
  };
}

function pathValue(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new AgentConfigError(field, 'must be a file path');
  return v;
}

function xmppTlsValue(m: Record<string, unknown>): XmppTlsFiles | undefined {
  const caFile = pathValue(m.xmppCaFile, 'xmpp-ca-file');
  const certFile = pathValue(m.xmppCertFile, 'xmpp-cert-file');
  const keyFile = pathValue(m.xmppKeyFile, 'xmpp-key-file');
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  // The control node's agent server asks for a client certificate whenever it has a CA, and a client
  // that does not verify the server is not worth the TLS: all three or none.
  if (caFile === undefined || certFile === undefined || keyFile === undefined)
    throw new AgentConfigError(
      'xmpp-ca-file',
      'XMPP TLS needs --xmpp-ca-file, --xmpp-cert-file and --xmpp-key-file',
    );
  return { caFile, certFile, keyFile };
}

/** `prefix` is the flag prefix ("api" or "introspect"); the file keys are its camelCase form. */
function listenerFilesValue(m: Record<string, unknown>, prefix: 'api' | 'introspect'): ListenerSecurityFiles {
  const tokenFile = pathValue(m[`${prefix}TokenFile`], `${prefix}-token-file`);
  const certFile = pathValue(m[`${prefix}CertFile`], `${prefix}-cert-file`);
  const keyFile = pathValue(m[`${prefix}KeyFile`], `${prefix}-key-file`);
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new AgentConfigError(
      `${prefix}-cert-file`,
      `HTTPS needs both --${prefix}-cert-file and --${prefix}-key-file`,
    );
  return {
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : {}),
  };
}

function readConfigFile(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new AgentConfigError(
      field,
      `${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** Reads a listener's token and HTTPS files (at start: a missing file stops the agent). Throws AgentConfigError. */
export function loadListenerSecurity(
  files: ListenerSecurityFiles | undefined,
  prefix: 'api' | 'introspect',
): ListenerSecurity {
  const out: ListenerSecurity = {};
  if (files === undefined) return out;
  if (files.tokenFile !== undefined) {
    const token = readConfigFile(files.tokenFile, `${prefix}-token-file`).toString('utf8').trim();
    if (token === '') throw new AgentConfigError(`${prefix}-token-file`, `${files.tokenFile}: empty token`);
    out.token = token;
  }
  if (files.certFile !== undefined && files.keyFile !== undefined)
    out.tls = {
      cert: readConfigFile(files.certFile, `${prefix}-cert-file`),
      key: readConfigFile(files.keyFile, `${prefix}-key-file`),
    };
  return out;
}

/** Reads the XMPP TLS files into the client's options: the server is verified against the CA. */
export function loadXmppTls(files: XmppTlsFiles): {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  verifyPeer: true;
} {
  return {
    ca: readConfigFile(files.caFile, 'xmpp-ca-file'),
    cert: readConfigFile(files.certFile, 'xmpp-cert-file'),
    key: readConfigFile(files.keyFile, 'xmpp-key-file'),
    verifyPeer: true,
  };
}
