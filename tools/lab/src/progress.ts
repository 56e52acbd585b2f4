// Progress lines while the lab starts and checks: one line per step with the elapsed time, and for long
// steps a "still ..." line every few seconds so a slow first start never looks hung. Written to stderr by
// the command, so stdout stays the summary (or the JSON).

export class Progress {
  private readonly out: NodeJS.WritableStream | null;
  private readonly started = Date.now();

  constructor(out: NodeJS.WritableStream | null) {
    this.out = out;
  }

  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)}s]`;
  }

  line(text: string): void {
    this.out?.write(`${this.stamp()} ${text}\n`);
  }

  /** Runs a long step, saying when it starts, while it lasts (every `everyMs`) and when it ends. */
  async long<T>(what: string, work: () => Promise<T>, everyMs = 5000): Promise<T> {
    const t0 = Date.now();
    this.line(`${what} ...`);
    const timer = setInterval(
      () => this.line(`  still ${what} (${Math.round((Date.now() - t0) / 1000)} s)`),
      everyMs,
    );
    timer.unref();
    try {
      const v = await work();
      this.line(`  done: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return v;
    } finally {
      clearInterval(timer);
    }
  }
}
