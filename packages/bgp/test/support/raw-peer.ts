// A BGP speaker on a raw node:net socket for interop tests: sends messages this codec encodes, cuts the
// peer's bytes with BgpFramer and queues what decodeMessage makes of them (with the RFC 7606 problems of
// every UPDATE). Every wait is bounded.
import { connect, type Socket } from 'node:net';
import {
  BgpFramer,
  type BgpMessage,
  decodeMessage,
  defaultContext,
  encodeMessage,
  type SessionContext,
  type UpdateProblem,
} from '../../src/index.js';

export class RawPeer {
  private framer = new BgpFramer();
  private queue: BgpMessage[] = [];
  private waiters: (() => void)[] = [];
  /** Problems of every UPDATE received, in order. */
  readonly problems: UpdateProblem[][] = [];
  closed = false;
  ctx: SessionContext = defaultContext;

  private constructor(readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.framer.push(new Uint8Array(chunk));
      for (const m of this.framer.messages()) {
        const r = decodeMessage(m, 0, this.ctx);
        if (r.message.type === 'update') this.problems.push(r.problems);
        this.queue.push(r.message);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('error', () => {});
  }

  static async connect(host: string, port: number, localAddress: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  send(m: BgpMessage): void {
    this.sock.write(encodeMessage(m, this.ctx));
  }

  /** The next message of `type` (others are skipped), within `ms`. */
  async next<T extends BgpMessage['type']>(type: T, ms = 15_000): Promise<Extract<BgpMessage, { type: T }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.queue.shift();
      if (m) {
        if (m.type === type) return m as Extract<BgpMessage, { type: T }>;
        continue;
      }
      if (this.closed) throw new Error(`connection closed while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${ms} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.sock.destroy();
  }
}
