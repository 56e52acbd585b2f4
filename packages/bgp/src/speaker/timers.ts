// The three RFC 4271 10 timers (ConnectRetryTimer, HoldTimer, KeepaliveTimer) and the IdleHold timer of
// 8.1.1 (DampPeerOscillations) run on an injectable clock, so tests drive them without waiting.

/** What timers need from time. `systemClock` uses the process's; `ManualClock` is moved by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A clock that only moves when `advance` is called (for tests). */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Timers still armed. */
  get armed(): number {
    return this.pending.size;
  }
  /** Moves time forward by `ms`, firing due timers in order (timers they arm fire too when due). */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, p] of this.pending) {
        if (p.at <= target && (p.at < nextAt || (p.at === nextAt && id < nextId))) {
          nextAt = p.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const p = this.pending.get(nextId)!;
      this.pending.delete(nextId);
      this.t = p.at;
      p.fn();
    }
    this.t = target;
  }
}

/** One restartable one-shot timer. */
export class Timer {
  private handle: unknown;
  private armedFor = 0;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  /** (Re)starts the timer for `seconds`; 0 stops it (a zero hold time means no timer, RFC 4271 4.2). */
  start(seconds: number): void {
    this.stop();
    if (seconds <= 0) return;
    this.armedFor = seconds;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      this.fire();
    }, seconds * 1000);
  }

  /** Restarts with the last duration. */
  restart(): void {
    if (this.armedFor > 0) this.start(this.armedFor);
  }

  stop(): void {
    if (this.handle !== undefined) {
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  get running(): boolean {
    return this.handle !== undefined;
  }
}

/** RFC 4271 10: jitter of 75-100% applied to ConnectRetry and Keepalive intervals. */
export function jitter(seconds: number, random: () => number = Math.random): number {
  return seconds * (0.75 + 0.25 * random());
}
