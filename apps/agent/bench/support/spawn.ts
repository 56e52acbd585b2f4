// The parent side of the underlay benchmark's child processes: fork one per role (through tsx, with the
// workspace's source condition), start it, ask for snapshots, stop it and wait for it to exit.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, RemotePort, RoleConfig, Snapshot } from './protocol.js';
import type { UdpPeer } from './udp.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** BENCH_CPU_PROF=<dir>: agent processes write V8 CPU profiles there (node --cpu-prof) when they stop. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

export class Child {
  /** The role's UDP address (an agent's: its port's wire), and an agent port's MPLS label. */
  address: UdpPeer = { address: '', port: 0 };
  label = -1;
  /** A relay's network-side address. */
  network: UdpPeer = { address: '', port: 0 };
  private readonly proc: ChildProcess;
  private readonly waiters: ((m: ChildMessage) => void)[] = [];
  private snapId = 0;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    profile: boolean,
  ) {
    const prof = profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    this.proc = fork(CHILD, [name], {
      execArgv: ['--import', TSX, '--conditions=@filament/source', ...prof],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: ChildMessage) => {
      for (const w of this.waiters.splice(0)) w(m);
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
  }

  /** Forks a child and starts `config` in it; rejects with the child's error. */
  static async start(name: string, config: RoleConfig): Promise<Child> {
    const c = new Child(name, config.role === 'agent');
    c.proc.send({ op: 'start', config });
    try {
      const m = await c.next((m) => m.op === 'ready' || m.op === 'error', 60_000);
      if (m.op === 'error') throw new Error(`${name}: ${m.message}`);
      if (m.op === 'ready') {
        c.address = m.address;
        if (m.label !== undefined) c.label = m.label;
        if (m.network !== undefined) c.network = m.network;
      }
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  private next(pred: (m: ChildMessage) => boolean, timeoutMs: number): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onExit = () => {
        clearTimeout(timer);
        reject(new Error(`${this.name}: exited`));
      };
      this.proc.once('exit', onExit);
      const wait = (m: ChildMessage) => {
        if (!pred(m)) {
          this.waiters.push(wait);
          return;
        }
        clearTimeout(timer);
        this.proc.off('exit', onExit);
        resolve(m);
      };
      this.waiters.push(wait);
    });
  }

  async remote(remote: RemotePort): Promise<void> {
    this.proc.send({ op: 'remote', remote });
    await this.next((m) => m.op === 'ready', 10_000);
  }

  go(to: UdpPeer): void {
    this.proc.send({ op: 'go', to });
  }

  async snap(): Promise<Snapshot> {
    const id = ++this.snapId;
    this.proc.send({ op: 'snap', id });
    const m = await this.next((m) => m.op === 'snap' && m.id === id, 30_000);
    if (m.op !== 'snap') throw new Error('unreachable');
    return m.snap;
  }

  /** Waits for a ping client's round-trip times. */
  async done(timeoutMs: number): Promise<number[]> {
    const m = await this.next((m) => m.op === 'done', timeoutMs);
    return m.op === 'done' ? (m.rttNs ?? []) : [];
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.connected) this.proc.send({ op: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Stops every child, whatever happened. */
export async function stopAll(children: (Child | undefined)[]): Promise<void> {
  await Promise.all(children.map((c) => c?.stop()));
}
