// WAL checkpoints of the SQLite engine on a worker thread. A checkpoint copies the WAL's pages into the database
// file and fsyncs both; done by SQLite's automatic checkpoint it runs inside a commit and blocks the event loop
// for the time of those writes and fsyncs. Here a second connection in a worker runs PASSIVE checkpoints (they
// never block the writer), at most one per `intervalMs`, after the main connection reports new writes.
// The WAL starts over from its beginning only when a write begins after a checkpoint has caught up with all of
// it; under a steady stream of writes that moment may never come, so when the WAL has grown large the store asks
// for a catch-up (`catchUp`) and holds its next write until it is done.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The worker's code, as a CommonJS script (eval): it loads better-sqlite3 from the path resolved here, so the
// same code runs from src/ under tsx and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
let dirty = false;
let timer;
const sleep = new Int32Array(new SharedArrayBuffer(4));
const catchUp = () => {
  if (timer) clearTimeout(timer);
  timer = undefined;
  dirty = false;
  let error;
  for (let i = 0; i < 200; i++) {
    try {
      const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (r.busy === 0 && r.checkpointed >= r.log) break;
    } catch (e) {
      error = String(e && e.message);
      break;
    }
    Atomics.wait(sleep, 0, 0, 5);
  }
  parentPort.postMessage(error === undefined ? { caughtUp: true } : { error });
};
const run = () => {
  timer = undefined;
  dirty = false;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message) });
  }
  if (dirty) timer = setTimeout(run, workerData.intervalMs);
};
parentPort.on('message', (m) => {
  if (m === 'close') {
    if (timer) clearTimeout(timer);
    db.close();
    parentPort.close();
    return;
  }
  if (m === 'catchUp') return catchUp();
  dirty = true;
  if (!timer) timer = setTimeout(run, workerData.intervalMs);
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private pending = false;
  private exited = false;
  private readonly exit: Promise<void>;
  private caughtUp: (() => void) | undefined;

  /**
   * `onError` is told when the worker cannot checkpoint (the caller then goes back to SQLite's own); `catchUp`
   * callers are then released as well.
   */
  constructor(file: string, onError: (e: Error) => void, intervalMs = 50) {
    const lib = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { lib, file, intervalMs } });
    this.worker.unref();
    const release = () => {
      const r = this.caughtUp;
      this.caughtUp = undefined;
      if (r) {
        this.worker.unref();
        r();
      }
    };
    const failed = (e: Error) => {
      // the caller goes back to SQLite's own checkpoints; this connection is of no further use
      void this.worker.terminate();
      onError(e);
      release();
    };
    this.worker.on('message', (m: { error?: string; caughtUp?: boolean }) => {
      if (m.error !== undefined) failed(new Error(`WAL checkpoint: ${m.error}`));
      else if (m.caughtUp) release();
    });
    this.worker.on('error', failed);
    this.exit = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.exited = true;
        release();
        resolve();
      }),
    );
  }

  /** Checkpoints all of the WAL now (the caller writes nothing meanwhile); `done` runs when it is over. */
  catchUp(done: () => void): void {
    if (this.exited) {
      done();
      return;
    }
    this.caughtUp = done;
    // held writes must not let the process exit before they are done: keep it alive while we wait
    this.worker.ref();
    this.worker.postMessage('catchUp');
  }

  /** New frames were written to the WAL: a checkpoint follows within `intervalMs`. */
  written(): void {
    if (this.exited || this.pending) return;
    // one message per event-loop turn is enough
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      if (!this.exited) this.worker.postMessage(1);
    });
  }

  async close(): Promise<void> {
    if (!this.exited) {
      this.worker.ref();
      this.worker.postMessage('close');
    }
    await this.exit;
  }
}
