// The workload behind a port (contract D): an in-process Workload (ARP, ICMP, UDP and TCP echo on the
// request's `listen` ports, ping and TCP clients driven through the port API), or a Linux TAP device
// (contract E) that a real workload in a network namespace sends through.

import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from '../agent.js';
import { openTap, type TapDevice } from '../tap/index.js';
import { Workload } from '../workload.js';
import { PortStateError } from './errors.js';
import type { ResolvedPort } from './port-config.js';
import type { PortRequest } from './port-request.js';

/** Largest TCP payload of one exchange: the in-process client sends it as one segment. */
export const MAX_TCP_BYTES = 1400;

export interface PingResult {
  sent: number;
  received: number;
  rttMs: number[];
}

export interface TcpResult {
  ok: boolean;
  bytes: number;
  sha256: string;
  /** Why the exchange failed: the message, and the error's class name (WorkloadTimeoutError, ...). */
  error?: string;
  errorName?: string;
}

export class PortWorkload {
  readonly kind: 'in-process' | 'tap';
  readonly workload: Workload | null;
  readonly tap: TapDevice | null;
  /** The data-plane port index frames from the workload enter at (set once the port is added). */
  index = -1;

  private constructor(kind: 'in-process' | 'tap', workload: Workload | null, tap: TapDevice | null) {
    this.kind = kind;
    this.workload = workload;
    this.tap = tap;
  }

  /** Creates the workload; `agent` receives its frames once `index` is set. */
  static async open(
    agent: Agent,
    req: PortRequest,
    port: ResolvedPort,
    timeoutMs: number,
  ): Promise<PortWorkload> {
    if (req.workload.kind === 'tap') {
      let self: PortWorkload | undefined;
      const tap = await openTap(req.systemName, () => {}, {
        onFrameAt: (buf, off, len) => {
          if (self !== undefined && self.index >= 0) agent.fw.fromPort(self.index, buf, off, len);
        },
      });
      self = new PortWorkload('tap', null, tap);
      return self;
    }
    const w = new Workload({
      name: req.displayName || req.id,
      mac: port.mac,
      address: port.ip4,
      prefixLen: port.prefixLen,
      gateway: port.gateway,
      timeoutMs,
      listen: req.listen,
    });
    const pw = new PortWorkload('in-process', w, null);
    w.attach((frame) => {
      if (pw.index >= 0) agent.fw.fromPort(pw.index, frame);
    });
    return pw;
  }

  /** The port's deliver function (copies nothing itself: the workload or the TAP write does). */
  deliver = (buf: Uint8Array, offset: number, length: number): void => {
    if (this.workload) this.workload.deliver(buf, offset, length);
    else this.tap?.send(buf, offset, length);
  };

  async close(): Promise<void> {
    this.index = -1;
    await this.tap?.close();
  }

  private inProcess(id: string): Workload {
    if (!this.workload) throw new PortStateError(id, 'not an in-process workload');
    return this.workload;
  }

  /** `count` ICMP echoes, one after the other; failures (no ARP answer, no reply, no route) count as lost. */
  async ping(id: string, to: string, count: number): Promise<PingResult> {
    const w = this.inProcess(id);
    const out: PingResult = { sent: 0, received: 0, rttMs: [] };
    for (let seq = 1; seq <= count; seq++) {
      out.sent++;
      const t0 = performance.now();
      try {
        await w.ping(to, seq);
        out.received++;
        out.rttMs.push(Math.round((performance.now() - t0) * 1000) / 1000);
      } catch {
        // lost: reported in the counts
      }
    }
    return out;
  }

  /** A TCP exchange of `bytes` random bytes with the echo server at `to:port`, checked byte for byte. */
  async tcp(id: string, to: string, port: number, bytes: number): Promise<TcpResult> {
    const w = this.inProcess(id);
    const data = randomBytes(bytes);
    const sent = createHash('sha256').update(data).digest('hex');
    try {
      const back = await w.tcpEcho(to, new Uint8Array(data), port);
      const got = createHash('sha256').update(back).digest('hex');
      return { ok: got === sent && back.length === bytes, bytes: back.length, sha256: got };
    } catch (e) {
      const err = e as Error;
      return { ok: false, bytes: 0, sha256: '', error: err.message, errorName: err.name };
    }
  }
}
