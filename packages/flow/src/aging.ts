// Aging policy. The caller supplies the clock (any millisecond counter) to every call, so aging is tested
// without sleeping. Timestamps are stored as the low 32 bits of that clock and ages are computed modulo 2^32,
// which is exact for idle times below 49 days.
import { checkField } from './errors.js';

export interface AgingOptions {
  /** Idle timeout of any flow, ms (vrouter agent default: 180 s). */
  idleMs?: number;
  /** Per-protocol idle timeouts, ms, keyed by IP protocol number (e.g. `{ 17: 60_000 }`). */
  protocols?: Readonly<Record<number, number>>;
  /** A TCP pair that saw RST, or FIN in both directions, is removed after this idle time, ms. */
  tcpClosedMs?: number;
  /** A TCP pair whose handshake never completed (SYN without ESTABLISHED) is removed after this, ms. */
  tcpEmbryonicMs?: number;
  /**
   * Removed entries are first retired (lookups miss, the slot is not reused) and freed on a later sweep
   * once more than this many ms passed, so a reader that still holds the index never sees it reused.
   */
  graceMs?: number;
}

export const DEFAULT_IDLE_MS = 180_000;

/** Timeouts resolved into flat arrays so the sweeper reads them without lookups. */
export class AgingPolicy {
  readonly idle = new Float64Array(256);
  readonly tcpClosedMs: number;
  readonly tcpEmbryonicMs: number;
  readonly graceMs: number;

  constructor(o: AgingOptions = {}) {
    const idle = o.idleMs ?? DEFAULT_IDLE_MS;
    checkMs('idleMs', idle);
    this.idle.fill(idle);
    for (const [p, ms] of Object.entries(o.protocols ?? {})) {
      const proto = Number(p);
      checkField('protocols', proto, 0, 255);
      checkMs(`protocols.${p}`, ms);
      this.idle[proto] = ms;
    }
    this.tcpClosedMs = o.tcpClosedMs ?? 1_000;
    this.tcpEmbryonicMs = o.tcpEmbryonicMs ?? this.idle[6]!;
    this.graceMs = o.graceMs ?? 1_000;
    checkMs('tcpClosedMs', this.tcpClosedMs);
    checkMs('tcpEmbryonicMs', this.tcpEmbryonicMs);
    checkMs('graceMs', this.graceMs);
  }
}

function checkMs(field: string, ms: number): void {
  checkField(field, ms, 0, 0x7fffffff);
}

/** Milliseconds from a stored 32-bit timestamp to `now`, modulo 2^32. */
export function ageOf(now: number, stamp: number): number {
  return ((now >>> 0) - stamp) >>> 0;
}
