// `filament lab` / `filament-lab`: parses the options, brings the lab up with progress lines, runs the
// checks, prints the summary (a table, or JSON with --json), then either exits (--once: 0 only when every
// check passed) or stays up until Ctrl-C and stops every child cleanly.
import { rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { CheckResult } from './checks.js';
import { LabError, LabUsageError } from './errors.js';
import { DEFAULT_LAB_OPTIONS, Lab, type LabOptions } from './lab.js';
import { Progress } from './progress.js';
import { renderSummary, summarize } from './summary.js';

export const LAB_HELP = `Usage: filament lab [options]

Runs a whole Filament fabric on this machine: a controller (embedded SQLite store, token auth, XMPP for
agents) and two agents (compute-1 on 127.0.0.1, compute-2 on 127.0.0.2) as real processes; creates through
the REST API a project, vn-red 10.10.1.0/24 and vn-blue 10.10.2.0/24, a network policy that lets vn-red
reach vn-blue on TCP 8080 only, virtual-routers and four workloads spread over both agents; attaches them
through the agents' port APIs; then shows traffic (ping and TCP with a checksum between the agents, across
VXLAN and MPLS over UDP, and flows the policy denies, with the drop counters), the routes and flow table
of each agent, a summary, and the URLs of the API, introspect and metrics. Stays up until Ctrl-C.

Options:
  --once                  run the checks once and exit: 0 when every check passed, 1 otherwise
  --json                  print the summary as JSON on stdout (progress stays on stderr)
  --workloads MODE        auto (default), in-process, or tap (namespaces and TAP devices, needs root)
  --hosts MODE            auto (default), loopback (agents here, underlay on 127.0.0.x), or namespaces
                          (root: a namespace per compute node, veth underlay 198.19.0.0/24 on a bridge)
  --state-dir DIR         state (store, token, logs); default $XDG_STATE_HOME/filament-lab or ./.filament-lab
  --keep-state            reuse the controller's store of the last run instead of starting fresh
  --api-host ADDR         controller API address (default 127.0.0.1)
  --api-port N            controller API port (default 8082)
  --xmpp-port N           controller XMPP port for agents (default 5269)
  --controller-introspect-port N   controller introspect port (default 8083)
  --underlays A,B         underlay addresses of compute-1 and compute-2 (default 127.0.0.1,127.0.0.2 on
                          loopback, 198.19.0.1,198.19.0.2 in namespaces)
  --port-api-port N       agents' port API port, on each underlay address (default 9091)
  --introspect-port N     agents' introspect/metrics port, on each underlay address (default 8085)
  --bytes N               bytes per TCP transfer check (default 1400 in-process, 1 MiB with TAP)
  --help                  this text

Example:
  filament lab --once --json --workloads in-process
`;

export interface LabIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const BOOLEANS = ['once', 'json', 'keep-state', 'help'];
const VALUED = [
  'hosts',
  'controller-introspect-port',
  'workloads',
  'state-dir',
  'api-host',
  'api-port',
  'xmpp-port',
  'underlays',
  'port-api-port',
  'introspect-port',
  'bytes',
];

export interface ParsedLabArgs {
  once: boolean;
  json: boolean;
  keepState: boolean;
  help: boolean;
  options: LabOptions;
}

function port(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new LabUsageError(`--${name} must be a port number (1-65535), not '${v}'`);
  return n;
}

function defaultStateDir(env: NodeJS.ProcessEnv, cwd: string): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'filament-lab') : join(cwd, '.filament-lab');
}

export function parseLabArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ParsedLabArgs {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h') {
      flags.add('help');
      continue;
    }
    if (!a.startsWith('--')) throw new LabUsageError(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (BOOLEANS.includes(key) && eq === -1) flags.add(key);
    else if (VALUED.includes(key)) {
      const v = eq === -1 ? args[++i] : a.slice(eq + 1);
      if (v === undefined) throw new LabUsageError(`--${key} needs a value`);
      values.set(key, v);
    } else throw new LabUsageError(`unknown option ${a}`);
  }
  const o: LabOptions = {
    ...DEFAULT_LAB_OPTIONS,
    stateDir: resolve(values.get('state-dir') ?? defaultStateDir(env, cwd)),
  };
  const w = values.get('workloads');
  if (w !== undefined) {
    if (w !== 'auto' && w !== 'in-process' && w !== 'tap')
      throw new LabUsageError(`--workloads must be auto, in-process or tap, not '${w}'`);
    o.workloads = w;
  }
  const h = values.get('hosts');
  if (h !== undefined) {
    if (h !== 'auto' && h !== 'loopback' && h !== 'namespaces')
      throw new LabUsageError(`--hosts must be auto, loopback or namespaces, not '${h}'`);
    o.hosts = h;
  }
  if (values.has('api-host')) o.apiHost = values.get('api-host')!;
  if (values.has('api-port')) o.apiPort = port('api-port', values.get('api-port')!);
  if (values.has('xmpp-port')) o.xmppPort = port('xmpp-port', values.get('xmpp-port')!);
  if (values.has('controller-introspect-port'))
    o.controllerIntrospectPort = port(
      'controller-introspect-port',
      values.get('controller-introspect-port')!,
    );
  if (values.has('port-api-port')) o.portApiPort = port('port-api-port', values.get('port-api-port')!);
  if (values.has('introspect-port'))
    o.introspectPort = port('introspect-port', values.get('introspect-port')!);
  const u = values.get('underlays');
  if (u !== undefined) {
    const parts = u.split(',');
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
    if (parts.length !== 2 || !parts.every((p) => v4.test(p)) || parts[0] === parts[1])
      throw new LabUsageError(
        `--underlays needs two different IPv4 addresses separated by a comma, not '${u}'`,
      );
    o.underlays = [parts[0]!, parts[1]!];
  }
  const b = values.get('bytes');
  if (b !== undefined) {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 1 || n > 64 * 1024 * 1024)
      throw new LabUsageError(`--bytes must be 1..67108864, not '${b}'`);
    o.transferBytes = n;
  }
  return {
    once: flags.has('once'),
    json: flags.has('json'),
    keepState: flags.has('keep-state'),
    help: flags.has('help'),
    options: o,
  };
}

/** Runs the lab as a command; resolves to the exit code. Usage errors throw LabUsageError. */
export async function runLab(args: string[], io: LabIo, signals: NodeJS.Process = process): Promise<number> {
  const parsed = parseLabArgs(args);
  if (parsed.help) {
    io.stdout.write(LAB_HELP);
    return 0;
  }
  const { options } = parsed;
  if (!parsed.keepState) {
    rmSync(join(options.stateDir, 'controller'), { recursive: true, force: true });
    rmSync(join(options.stateDir, 'agents'), { recursive: true, force: true });
  }
  const progress = new Progress(io.stderr);
  const lab = new Lab(options, progress);
  const lastResort = () => lab.killAll();
  signals.once('exit', lastResort);
  let interrupted: (() => void) | null = null;
  const interruptedP = new Promise<void>((r) => {
    interrupted = r;
  });
  let stopRequested = false;
  const onSignal = () => {
    if (stopRequested) return;
    stopRequested = true;
    progress.line('stopping (signal) ...');
    interrupted?.();
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const started = lab.start().then(() => 'started' as const);
    if ((await Promise.race([started, interruptedP.then(() => 'interrupted' as const)])) === 'interrupted') {
      await started.catch(() => {});
      await lab.stop();
      return 130;
    }
    let checks: CheckResult[];
    try {
      checks = await lab.check();
    } catch (e) {
      checks = [
        { id: 'run', title: 'running the checks', ok: false, expected: 'checks run', observed: describe(e) },
      ];
    }
    const summary = await summarize(lab, checks);
    io.stdout.write(parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
    if (parsed.once) {
      progress.line('stopping ...');
      await lab.stop();
      progress.line('stopped');
      return summary.ok ? 0 : 1;
    }
    progress.line('the lab is up; press Ctrl-C to stop it');
    await interruptedP;
    await lab.stop();
    progress.line('stopped every process');
    return 0;
  } catch (e) {
    io.stderr.write(`filament lab: ${describe(e)}\n`);
    await lab.stop();
    return 1;
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    signals.off('exit', lastResort);
  }
}

function describe(e: unknown): string {
  if (e instanceof LabError) return `${e.name} (${e.code}): ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
