// Network namespaces for privileged tests and the lab: create/delete namespaces and veth pairs, move a link
// in, give it a MAC/addresses/routes, run a command inside (`ip netns exec`). Everything made is named with
// a tag and this process's pid and recorded, so `cleanup()` (call it in afterAll) removes it all, a process
// exit removes what is left, and namespaces left by dead processes are swept on the next run.
//
// Commands that make traffic through an agent running in this process must use `execAsync`/`spawnIn`: a
// synchronous child would block the event loop the forwarder runs on.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Prefix of every namespace these helpers create: `<prefix><tag>-<pid>`. */
export const NETNS_PREFIX = 'filns-';

export type NetnsSupport = { ok: true } | { ok: false; why: string };

/** Whether namespaces can be made here: root and `ip` on PATH. */
export function netnsSupported(): NetnsSupport {
  if (process.platform !== 'linux') return { ok: false, why: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'network namespaces need root' };
  if (spawnSync('ip', ['-V']).status !== 0) return { ok: false, why: 'needs iproute2 (ip) on PATH' };
  return { ok: true };
}

/** Runs `ip ...` synchronously (configuration only, never traffic through an in-process agent). */
export function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in `ns` without blocking the event loop; resolves with its output (rejects on timeout). */
export function execIn(
  ns: string,
  argv: string[],
  opts: { timeoutMs?: number; allowFail?: boolean } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} in ${ns}: no exit in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !opts.allowFail)
        reject(new Error(`${argv.join(' ')} in ${ns} exited ${code}\n${stderr}${stdout.slice(-2000)}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running command in `ns` (a server); the lab kills it on cleanup. */
export function spawnIn(ns: string, argv: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits (bounded) until `line` appears in a child's stdout or stderr. */
export function waitForOutput(p: ChildProcess, line: RegExp, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => done(new Error(`no ${line} in ${timeoutMs} ms: ${seen.slice(-500)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-8192);
      if (line.test(seen)) done();
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited ${code} before ${line}: ${seen.slice(-500)}`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      p.stdout?.off('data', onData);
      p.stderr?.off('data', onData);
      p.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.once('exit', onExit);
  });
}

export interface LinkConfig {
  mac?: string;
  /** CIDR addresses, e.g. '10.1.1.11/24'. */
  addresses?: string[];
  mtu?: number;
  /** Default IPv4 route via this gateway. */
  gateway?: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of this prefix whose creating process is gone (a crashed earlier run). */
export function sweepStaleNamespaces(): void {
  if (!existsSync('/run/netns')) return;
  for (const name of readdirSync('/run/netns')) {
    const m = new RegExp(`^${NETNS_PREFIX}.*-(\\d+)$`).exec(name);
    if (m && !pidAlive(Number(m[1]))) spawnSync('ip', ['netns', 'del', name]);
  }
}

/** Namespaces, links and processes made for one test file; `cleanup()` removes them all. */
export class NetnsLab {
  readonly namespaces: string[] = [];
  /** Links in this (the host) namespace: deleting one end of a veth deletes both. */
  readonly hostLinks: string[] = [];
  readonly processes: ChildProcess[] = [];
  private readonly onExit = () => this.cleanupSync();

  constructor() {
    sweepStaleNamespaces();
    process.once('exit', this.onExit);
  }

  /** A link or namespace name unique to this process: `<tag><pid>`, at most 15 characters (IFNAMSIZ). */
  static linkName(tag: string): string {
    const name = `${tag}${process.pid}`;
    if (name.length > 15) throw new Error(`link name ${name} is longer than 15 characters`);
    return name;
  }

  /** Creates namespace `filns-<tag>-<pid>` with its loopback up. */
  addNamespace(tag: string): string {
    const name = `${NETNS_PREFIX}${tag}-${process.pid}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** Creates a veth pair in the host namespace; returns the two names. */
  addVeth(tagA: string, tagB: string): [string, string] {
    const a = NetnsLab.linkName(tagA);
    const b = NetnsLab.linkName(tagB);
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    this.hostLinks.push(a);
    return [a, b];
  }

  /** Moves `link` from the host namespace into `ns`. */
  moveTo(link: string, ns: string): void {
    ip('link', 'set', link, 'netns', ns);
  }

  /** Sets MAC, MTU, addresses, brings the link up and adds the default route, in `ns` (null = host). */
  configure(ns: string | null, link: string, cfg: LinkConfig): void {
    const n = ns === null ? [] : ['-n', ns];
    if (cfg.mac !== undefined) ip(...n, 'link', 'set', link, 'address', cfg.mac);
    if (cfg.mtu !== undefined) ip(...n, 'link', 'set', link, 'mtu', String(cfg.mtu));
    for (const a of cfg.addresses ?? []) ip(...n, 'addr', 'add', a, 'dev', link);
    ip(...n, 'link', 'set', link, 'up');
    if (cfg.gateway !== undefined) ip(...n, 'route', 'add', 'default', 'via', cfg.gateway, 'dev', link);
  }

  /** Adds a route in `ns` (null = host): `prefix` via `gateway`, or on-link through `dev`. */
  addRoute(ns: string | null, prefix: string, to: { via?: string; dev?: string }): void {
    const n = ns === null ? [] : ['-n', ns];
    ip(...n, 'route', 'add', prefix, ...(to.via ? ['via', to.via] : []), ...(to.dev ? ['dev', to.dev] : []));
  }

  /** `ip netns exec ns argv...` without blocking the event loop. */
  exec(
    ns: string,
    argv: string[],
    opts: { timeoutMs?: number; allowFail?: boolean } = {},
  ): Promise<ExecResult> {
    return execIn(ns, argv, opts);
  }

  /** Starts a server in `ns`, killed by `cleanup()`. */
  spawn(ns: string, argv: string[]): ChildProcess {
    const p = spawnIn(ns, argv);
    this.processes.push(p);
    return p;
  }

  /** Kills the processes, deletes the host links and the namespaces (and the links in them). */
  async cleanup(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    this.processes.length = 0;
    this.cleanupSync();
    process.off('exit', this.onExit);
  }

  private cleanupSync(): void {
    for (const p of this.processes) if (p.exitCode === null) p.kill('SIGKILL');
    for (const l of this.hostLinks.splice(0)) spawnSync('ip', ['link', 'del', l]);
    for (const ns of this.namespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
  }
}
