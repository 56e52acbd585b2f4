// One supervised child process of the lab (the controller, an agent): started in its own process group with
// its output in a log file, ready only when its readiness check passes, stopped with SIGTERM then SIGKILL,
// and killable with SIGKILL and restartable for the fault checks. An exit nobody asked for is reported.
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync, type WriteStream, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProcessExitedError, ReadinessTimeoutError } from './errors.js';

/** Resolves null when the process is ready, or says what is still missing. */
export type ReadinessCheck = () => Promise<string | null>;

export interface ProcessSpec {
  /** Shown in progress lines and errors: 'controller', 'agent compute-1'. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** Where the running process's pid is kept, so a later run can end it if this lab died without stopping it. */
  pidFile?: string;
  ready: ReadinessCheck;
  /** How long start() waits for readiness (default 60 s: the first start of SQLite may be slow). */
  readyTimeoutMs?: number;
}

const TAIL_BYTES = 8192;

export class ManagedProcess extends EventEmitter<{ 'unexpected-exit': [ProcessExitedError] }> {
  readonly spec: ProcessSpec;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream | null = null;
  private tail = '';
  private expectingExit = false;
  /** How many times the process was started (restarts count). */
  starts = 0;

  constructor(spec: ProcessSpec) {
    super();
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote. */
  outputTail(): string {
    return this.tail;
  }

  /** Starts the process and waits until its readiness check passes. */
  async start(): Promise<void> {
    if (this.running) return;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.log.write(
      `--- ${new Date().toISOString()} start ${this.spec.command} ${this.spec.args.join(' ')}\n`,
    );
    this.expectingExit = false;
    const child = spawn(this.spec.command, this.spec.args, {
      env: this.spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    if (this.spec.pidFile && child.pid !== undefined) {
      mkdirSync(dirname(this.spec.pidFile), { recursive: true });
      writeFileSync(this.spec.pidFile, `${child.pid}\n`);
    }
    const keep = (b: Buffer) => {
      this.log?.write(b);
      this.tail = (this.tail + b.toString()).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exitError: ProcessExitedError | null = null;
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (e) => {
        this.tail += `\nspawn error: ${e.message}`;
        exitError = new ProcessExitedError(this.spec.name, null, null, this.tail);
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitError = new ProcessExitedError(this.spec.name, code, signal, this.tail);
        this.log?.write(`--- ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
        if (!this.expectingExit) this.emit('unexpected-exit', exitError);
        resolve();
      });
    });
    const timeout = this.spec.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeout;
    let problem = 'not checked yet';
    for (;;) {
      if (exitError) throw exitError;
      try {
        const p = await this.spec.ready();
        if (p === null) return;
        problem = p;
      } catch (e) {
        problem = (e as Error).message;
      }
      if (exitError) throw exitError;
      if (Date.now() > deadline) {
        await this.stop();
        throw new ReadinessTimeoutError(this.spec.name, timeout, problem, this.tail);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, sig); // the whole group: a helper the process spawned goes too
    } catch {
      try {
        process.kill(pid, sig);
      } catch {}
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.spec.pidFile) rmSync(this.spec.pidFile, { force: true });
    if (!this.running) return;
    this.expectingExit = true;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** kill -9: no chance to clean up (the fault checks). */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Last resort when the lab itself exits: SIGKILL synchronously, no waiting. */
  killNow(): void {
    this.expectingExit = true;
    this.signal('SIGKILL');
  }

  /**
   * Ends a process an earlier run left behind (that lab was killed before it could stop its children): the
   * pid in `pidFile`, if it is alive and its command line names `marker`. Returns whether one was ended.
   */
  static endLeftover(pidFile: string, marker: string): boolean {
    let pid: number;
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      return false;
    }
    rmSync(pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1) return false;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return false; // gone (or not Linux: nothing to compare, leave it)
    }
    if (!cmdline.includes(marker)) return false;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return false;
      }
    }
    return true;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Closes the log file (after the last stop). */
  async closeLog(): Promise<void> {
    const log = this.log;
    this.log = null;
    if (log) await new Promise<void>((r) => log.end(() => r()));
  }
}
