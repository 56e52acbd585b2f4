// A TAP device (IFF_TAP | IFF_NO_PI) for a workload with the kernel's own IP stack: frames the workload's
// kernel sends come to `onFrame`; `send` writes a frame to it. The device is created and brought up here;
// the caller (a lab or a test) moves it into a network namespace and gives it its MAC and addresses.
// The agent holds the device's descriptor (see helper.ts for why a python3 helper attaches and reads it).
//
// Frames are bounded: frames shorter than an Ethernet header or longer than `maxFrame` are dropped and
// counted, and the length prefix of the helper's records (records.ts) can never exceed 65,535. A helper
// that dies is reported through `onError` (frames from the device stop; `send` still works) and the device
// stays until `close()`, which stops the helper and closes the descriptor, which deletes the device.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { TapHelperDiedError, TapNameError, TapOpenError, TapUnsupportedError } from './errors.js';
import { TAP_HELPER_PY } from './helper.js';
import { RecordSplitter } from './records.js';
import { tapPython, tapSupported } from './support.js';

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;
/** Ethernet header (14) + 1500-byte MTU + one 802.1Q tag. */
const DEFAULT_MAX_FRAME = 1518;
const ETH_HEADER = 14;
const READY_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 3_000;

export interface TapOptions {
  /** Frames longer than this are dropped (default 1,518: a 1,500-byte MTU with a VLAN tag). */
  maxFrame?: number;
  /**
   * Zero-copy receive: called instead of `onFrame` with the frame at `buf[offset, offset + length)`,
   * valid only during the call (the agent passes it straight to `Forwarder.fromPort`).
   */
  onFrameAt?: (buf: Uint8Array, offset: number, length: number) => void;
  /** The helper died (default: a process warning). */
  onError?: (err: TapHelperDiedError) => void;
}

/** Counters of one device. */
export interface TapCounters {
  rxFrames: number;
  rxBytes: number;
  /** Frames from the device dropped for their size. */
  rxDropped: number;
  txFrames: number;
  txBytes: number;
  /** Writes the kernel refused (EIO while the device is down) or writes after close. */
  txErrors: number;
}

type Helper = ChildProcessByStdio<Writable, Readable, Readable>;

export class TapDevice {
  /** The device's name (as the kernel named it). */
  readonly name: string;
  readonly counters: TapCounters = {
    rxFrames: 0,
    rxBytes: 0,
    rxDropped: 0,
    txFrames: 0,
    txBytes: 0,
    txErrors: 0,
  };
  /** Set when the helper died while the device was open. */
  failure: TapHelperDiedError | null = null;
  private fd: number;
  private readonly helper: Helper;
  private readonly maxFrame: number;
  private readonly onFrame: (frame: Uint8Array) => void;
  private readonly onFrameAt: ((buf: Uint8Array, offset: number, length: number) => void) | undefined;
  private readonly records = new RecordSplitter((buf, off, len) => this.frame(buf, off, len));
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private readonly helperError: ((err: TapHelperDiedError) => void) | undefined;

  /** Use `openTap`. */
  constructor(
    name: string,
    fd: number,
    helper: Helper,
    onFrame: (frame: Uint8Array) => void,
    opts: TapOptions,
    exited: Promise<void>,
  ) {
    this.name = name;
    this.fd = fd;
    this.helper = helper;
    this.onFrame = onFrame;
    this.onFrameAt = opts.onFrameAt;
    this.maxFrame = opts.maxFrame ?? DEFAULT_MAX_FRAME;
    this.exited = exited;
    this.helperError = opts.onError;
    helper.stdout.on('data', (chunk: Buffer) => this.records.push(chunk));
    // A pipe error ends the helper too; its exit is what gets reported.
    helper.stdout.on('error', () => {});
    helper.stderr.on('error', () => {});
  }

  /** The reader helper's process id (diagnostics). */
  get helperPid(): number | undefined {
    return this.helper.pid;
  }

  /** Whether frames from the device are still being received. */
  get alive(): boolean {
    return this.failure === null && this.closing === null;
  }

  /** Writes one frame to the device (to the workload's kernel). Never throws: refusals are counted. */
  send(frame: Uint8Array, offset: number, length: number): void {
    const c = this.counters;
    if (this.fd < 0) {
      c.txErrors++;
      return;
    }
    try {
      writeSync(this.fd, frame, offset, length);
      c.txFrames++;
      c.txBytes += length;
    } catch {
      // EIO while the device is down (not yet up in its namespace), EINVAL for a runt.
      c.txErrors++;
    }
  }

  /** Stops the helper and closes the descriptor; the kernel deletes the device. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const h = this.helper;
    if (h.exitCode === null && h.signalCode === null) {
      h.stdin.end();
      const timer = setTimeout(() => h.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  /** Called when the helper exits; reports it unless we asked it to. */
  helperExited(code: number | null, signal: string | null, stderr: string): void {
    if (this.closing !== null) return;
    this.failure = new TapHelperDiedError(this.name, code, signal, stderr);
    const report = this.helperError;
    if (report) report(this.failure);
    else process.emitWarning(this.failure);
  }

  private frame(buf: Uint8Array, off: number, len: number): void {
    // Frames still in the pipe when close() began go nowhere: the port may be gone already.
    if (this.closing !== null) return;
    const c = this.counters;
    if (len < ETH_HEADER || len > this.maxFrame) {
      c.rxDropped++;
      return;
    }
    c.rxFrames++;
    c.rxBytes += len;
    if (this.onFrameAt !== undefined) this.onFrameAt(buf, off, len);
    else this.onFrame(buf.subarray(off, off + len));
  }
}

/**
 * Creates TAP device `name` (IFF_TAP | IFF_NO_PI), brings it up, and calls `onFrame` with every frame the
 * device sends (valid during the call only; copy to keep). Throws TapUnsupportedError, TapNameError or
 * TapOpenError (EBUSY when a device of that name is open elsewhere).
 */
export async function openTap(
  name: string,
  onFrame: (frame: Uint8Array) => void,
  opts: TapOptions = {},
): Promise<TapDevice> {
  const support = tapSupported();
  if (!support.ok) throw new TapUnsupportedError(support.why);
  if (!NAME.test(name)) throw new TapNameError(name);
  let fd: number;
  try {
    fd = openSync('/dev/net/tun', 'r+');
  } catch (e) {
    throw new TapOpenError(
      name,
      (e as NodeJS.ErrnoException).errno ?? 0,
      `open /dev/net/tun: ${(e as Error).message}`,
    );
  }
  const helper = spawn(tapPython(), ['-c', TAP_HELPER_PY, name], {
    stdio: ['pipe', 'pipe', 'pipe', fd],
  }) as unknown as Helper;
  let stderr = '';
  let device: TapDevice | undefined;
  let onExit: (code: number | null, signal: string | null) => void = () => {};
  const exited = new Promise<void>((resolve) => {
    helper.once('exit', (code, signal) => {
      onExit(code, signal);
      resolve();
    });
  });
  helper.on('error', () => {}); // spawn failures surface as exit with stderr below
  // The helper must not die of SIGPIPE on our side: a broken stdin is how it learns we left.
  helper.stdin.on('error', () => {});
  try {
    const kernelName = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        helper.kill('SIGKILL');
        reject(new TapOpenError(name, 0, `helper gave no answer in ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      onExit = (code, signal) => {
        clearTimeout(timer);
        const m = /^error (\d+) (.*)$/m.exec(stderr);
        if (m) reject(new TapOpenError(name, Number(m[1]), m[2]!));
        else
          reject(new TapOpenError(name, 0, `helper exited (${signal ?? `code ${code}`}) ${stderr.trim()}`));
      };
      helper.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4096);
        const m = /^ready (\S+)$/m.exec(stderr);
        if (m && device === undefined) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    device = new TapDevice(kernelName, fd, helper, onFrame, opts, exited);
    const d = device;
    onExit = (code, signal) => d.helperExited(code, signal, stderr);
    return device;
  } catch (e) {
    if (helper.exitCode === null && helper.signalCode === null) helper.kill('SIGKILL');
    await exited;
    closeSync(fd);
    throw e;
  }
}
