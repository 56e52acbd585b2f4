// Namespace mode (root): each workload is a Linux network namespace with the kernel's own IP stack behind
// the TAP device its agent opened for the port (contract E). The lab moves the TAP into the namespace,
// gives it the interface's MAC, address and default route (from the controller's IPAM), runs an HTTP
// server in it, and drives traffic with iputils ping and an HTTP client whose body checksum it compares
// with the served file's. Everything runs through `ip netns exec` asynchronously; namespaces are named
// `flab-<workload>-<lab pid>` so a crashed run's leftovers are recognised and removed on the next start.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TapSupport, tapSupported } from '@filament/agent';
import type { PingResult, TcpResult } from './agent-client.js';
import { HostCommandError, WaitTimeoutError } from './errors.js';
import type { ProvisionedWorkload } from './provision.js';
import type { WorkloadDriver } from './workloads.js';

const NS_PREFIX = 'flab-';

/** Runs a command (never blocking the event loop); resolves with its output, or rejects with HostCommandError. */
export function run(
  argv: string[],
  opts: { timeoutMs?: number; allowFail?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (err && !opts.allowFail) reject(new HostCommandError(argv.join(' '), code, stderr || err.message));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces a lab that is gone left behind. */
export function sweepStaleNamespaces(): void {
  if (!existsSync('/run/netns')) return;
  for (const name of readdirSync('/run/netns')) {
    const m = new RegExp(`^${NS_PREFIX}.*-(\\d+)$`).exec(name);
    if (m && !pidAlive(Number(m[1]))) spawnSync('ip', ['netns', 'del', name]);
  }
}

/**
 * Whether namespace mode can run here: Linux, root, iproute2 and iputils ping, and what the agent's TAP
 * devices need (the agent's own probe, `tapSupported()`: /dev/net/tun, CAP_NET_ADMIN, its helper's python3).
 */
export function namespacesSupported(): TapSupport {
  if (process.platform !== 'linux') return { ok: false, why: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root: no namespaces or TAP devices' };
  if (spawnSync('ip', ['-V']).status !== 0) return { ok: false, why: 'iproute2 (ip) is not installed' };
  if (spawnSync('ping', ['-V']).status !== 0) return { ok: false, why: 'iputils ping is not installed' };
  return tapSupported();
}

// The HTTP server each namespace runs: serves the lab's file on every listen port, on every address.
const SERVER = `
const http = require('node:http'); const fs = require('node:fs');
const [file, ...ports] = process.argv.slice(1);
let up = 0;
for (const p of ports) http.createServer((q, s) => { s.writeHead(200, {'content-length': fs.statSync(file).size}); fs.createReadStream(file).pipe(s); })
  .listen(Number(p), '0.0.0.0', () => { if (++up === ports.length) console.log('listening'); });
`;

// The HTTP client: GET, hash the body, print {ok, bytes, sha256} or {ok:false, error} as one JSON line.
const CLIENT = `
const http = require('node:http'); const crypto = require('node:crypto');
const [host, port, ms] = process.argv.slice(1);
const h = crypto.createHash('sha256'); let n = 0; let done = false;
const out = (o) => { if (!done) { done = true; console.log(JSON.stringify(o)); } };
const req = http.get({ host, port: Number(port), path: '/', timeout: Number(ms) }, (r) => {
  r.on('data', (d) => { h.update(d); n += d.length; });
  r.on('end', () => out({ ok: r.statusCode === 200, bytes: n, sha256: h.digest('hex') }));
  r.on('error', (e) => out({ ok: false, bytes: n, error: e.message }));
});
req.on('timeout', () => req.destroy(new Error('no answer in ' + ms + ' ms')));
req.on('error', (e) => out({ ok: false, bytes: n, error: e.message }));
`;

export class NamespaceWorkloads implements WorkloadDriver {
  readonly mode = 'tap' as const;
  private readonly namespaces = new Map<string, string>();
  private readonly servers = new Map<string, ChildProcess>();
  private readonly file: string;
  private readonly fileSha256: string;
  readonly fileBytes: number;
  private readonly listen: number[];

  constructor(stateDir: string, bytes: number, listen: number[]) {
    sweepStaleNamespaces();
    const dir = join(stateDir, 'www');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'transfer.bin');
    const data = randomBytes(bytes);
    writeFileSync(this.file, data);
    this.fileSha256 = createHash('sha256').update(data).digest('hex');
    this.fileBytes = bytes;
    this.listen = listen;
  }

  nsOf(w: ProvisionedWorkload): string {
    const ns = this.namespaces.get(w.name);
    if (!ns) throw new HostCommandError(`namespace of ${w.name}`, null, 'not attached');
    return ns;
  }

  /**
   * Moves the workload's TAP (opened by its agent when the port was added) into the workload's namespace
   * and configures it; again after an agent restart, when the agent opened a new TAP.
   */
  async attach(w: ProvisionedWorkload, tap: string, prefixLen: number, fromNs?: string): Promise<void> {
    const from = fromNs ? ['-n', fromNs] : [];
    let ns = this.namespaces.get(w.name);
    if (!ns) {
      ns = `${NS_PREFIX}${w.name}-${process.pid}`;
      await run(['ip', 'netns', 'add', ns]);
      this.namespaces.set(w.name, ns);
      await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Already in place (an earlier attach, and the agent kept its TAP open).
    if ((await run(['ip', '-n', ns, 'link', 'show', tap], { allowFail: true })).code === 0) return;
    const deadline = Date.now() + 10_000;
    while ((await run(['ip', ...from, 'link', 'show', tap], { allowFail: true })).code !== 0) {
      if (Date.now() > deadline)
        throw new WaitTimeoutError(`TAP ${tap} of ${w.name}`, 10_000, 'no such link');
      await new Promise((r) => setTimeout(r, 100));
    }
    await run(['ip', ...from, 'link', 'set', tap, 'netns', ns]);
    await run(['ip', '-n', ns, 'link', 'set', tap, 'address', w.mac]);
    await run(['ip', '-n', ns, 'addr', 'add', `${w.ip}/${prefixLen}`, 'dev', tap]);
    await run(['ip', '-n', ns, 'link', 'set', tap, 'up']);
    await run(['ip', '-n', ns, 'route', 'replace', 'default', 'via', w.gateway, 'dev', tap]);
    if (!this.servers.has(w.name)) await this.serve(w.name, ns);
  }

  private serve(name: string, ns: string): Promise<void> {
    const p = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-e', SERVER, this.file, ...this.listen.map(String)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.servers.set(name, p);
    return new Promise((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new HostCommandError(`HTTP server in ${ns}`, null, `not listening: ${seen}`)),
        15_000,
      );
      const onData = (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      p.stdout.on('data', onData);
      p.stderr.on('data', onData);
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new HostCommandError(`HTTP server in ${ns}`, code, seen));
      });
    });
  }

  async ping(from: ProvisionedWorkload, to: string, count: number): Promise<PingResult> {
    const r = await run(
      ['ip', 'netns', 'exec', this.nsOf(from), 'ping', '-n', '-c', String(count), '-i', '0.2', '-W', '2', to],
      {
        allowFail: true,
        timeoutMs: 10_000 + count * 3000,
      },
    );
    const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
    const rttMs = [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((x) => Number(x[1]));
    return { sent: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0), rttMs };
  }

  /** An HTTP GET of the lab's file from `to`:`port`; ok only when the body hashes like the file. */
  async tcp(from: ProvisionedWorkload, to: string, port: number, _bytes: number): Promise<TcpResult> {
    const r = await run(
      ['ip', 'netns', 'exec', this.nsOf(from), process.execPath, '-e', CLIENT, to, String(port), '3000'],
      {
        allowFail: true,
        timeoutMs: 120_000,
      },
    );
    let got: TcpResult;
    try {
      got = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as TcpResult;
    } catch {
      return {
        ok: false,
        bytes: 0,
        error: `HTTP client: ${r.stderr.trim().slice(0, 200) || `exit ${r.code}`}`,
      };
    }
    if (!got.ok) return got;
    const same = got.sha256 === this.fileSha256 && got.bytes === this.fileBytes;
    return same
      ? got
      : { ...got, ok: false, error: `sha256 ${got.sha256} of ${got.bytes} bytes, served ${this.fileSha256}` };
  }

  /** Kills the servers and deletes the namespaces (a TAP still inside goes with its namespace). */
  async close(): Promise<void> {
    for (const p of this.servers.values()) if (p.exitCode === null) p.kill('SIGKILL');
    this.servers.clear();
    for (const ns of this.namespaces.values()) await run(['ip', 'netns', 'del', ns], { allowFail: true });
    this.namespaces.clear();
  }

  /** Synchronous cleanup for process exit. */
  closeNow(): void {
    for (const p of this.servers.values()) if (p.exitCode === null) p.kill('SIGKILL');
    for (const ns of this.namespaces.values()) spawnSync('ip', ['netns', 'del', ns]);
    this.namespaces.clear();
  }
}
