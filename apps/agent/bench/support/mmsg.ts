// Builds and runs mmsg.c (the batching estimate and the kernel VXLAN generator) from a scratch directory.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./mmsg.c', import.meta.url));

export interface MmsgResult {
  packets: number;
  cpuUs: number;
  wallUs: number;
}

export class Mmsg {
  private constructor(
    readonly binary: string,
    private readonly dir: string,
  ) {}

  /** Compiles mmsg.c with cc; null (and why) when there is no C compiler. */
  static async build(): Promise<Mmsg | string> {
    const dir = mkdtempSync(join(tmpdir(), 'filament-mmsg-'));
    const binary = join(dir, 'mmsg');
    try {
      await run('cc', ['-O2', '-o', binary, SOURCE]);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      return `no C compiler (cc): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    return new Mmsg(binary, dir);
  }

  /**
   * Runs a receiver on `address:port` and `senders` senders toward it (each `bytes` long datagrams,
   * `batch` per system call), optionally inside network namespaces (`prefix` = ['ip', 'netns', 'exec', ns]).
   */
  async pair(opts: {
    address: string;
    port: number;
    bytes: number;
    seconds: number;
    batch: number;
    senders?: number;
    sendPrefix?: string[];
    recvPrefix?: string[];
    /** Called while the traffic runs (for example to read interface counters). */
    during?: () => Promise<void>;
  }): Promise<{ recv: MmsgResult; send: MmsgResult[] }> {
    const recv = this.spawnJson(opts.recvPrefix ?? [], [
      'recv',
      opts.address,
      String(opts.port),
      String(opts.seconds),
      String(opts.batch),
    ]);
    await recv.ready;
    const senders = Array.from({ length: opts.senders ?? 1 }, () =>
      this.spawnJson(opts.sendPrefix ?? [], [
        'send',
        opts.address,
        String(opts.port),
        String(opts.bytes),
        String(opts.seconds + 0.5),
        String(opts.batch),
      ]),
    );
    if (opts.during) await opts.during();
    const [r, ...s] = await Promise.all([recv.result, ...senders.map((x) => x.result)]);
    return { recv: r!, send: s };
  }

  private spawnJson(prefix: string[], args: string[]): { ready: Promise<void>; result: Promise<MmsgResult> } {
    const argv = [...prefix, this.binary, ...args];
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let onReady: () => void = () => {};
    const ready = new Promise<void>((r) => {
      onReady = r;
    });
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready"')) onReady();
    });
    const result = new Promise<MmsgResult>((resolve, reject) => {
      p.once('error', reject);
      p.once('exit', (code) => {
        onReady();
        const line = out.split('\n').find((l) => l.includes('"packets"'));
        if (code !== 0 || !line) reject(new Error(`mmsg ${args.join(' ')} exited ${code}`));
        else resolve(JSON.parse(line) as MmsgResult);
      });
    });
    return { ready, result };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
