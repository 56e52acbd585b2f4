// The HOLD queue: while the first packet of a flow waits for the agent's decision, up to `perFlow` packets
// of that flow are kept (the vrouter keeps 3) and at most `maxFlows` flows can be on hold at once (8,192).
// Records come from a fixed pool; the table's entry stores record + 1. This lives in the thread that owns
// the table: packets are JS objects and are not shared with workers.
import { checkField } from './errors.js';

export interface HoldOptions {
  /** Flows on hold at once (vrouter: 8,192). */
  maxFlows?: number;
  /** Packets kept per held flow (vrouter: 3). */
  perFlow?: number;
}

export class HoldQueue {
  readonly maxFlows: number;
  readonly perFlow: number;
  private readonly packets: (Uint8Array | undefined)[];
  private readonly counts: Uint8Array;
  private readonly freeList: Int32Array;
  private freeTop: number;

  constructor(o: HoldOptions = {}) {
    this.maxFlows = o.maxFlows ?? 8192;
    this.perFlow = o.perFlow ?? 3;
    checkField('hold.maxFlows', this.maxFlows, 0, 0xfffe);
    checkField('hold.perFlow', this.perFlow, 1, 255);
    this.packets = new Array<Uint8Array | undefined>(this.maxFlows * this.perFlow).fill(undefined);
    this.counts = new Uint8Array(this.maxFlows);
    this.freeList = new Int32Array(this.maxFlows);
    for (let i = 0; i < this.maxFlows; i++) this.freeList[i] = this.maxFlows - 1 - i;
    this.freeTop = this.maxFlows;
  }

  /** Flows on hold now. */
  get inUse(): number {
    return this.maxFlows - this.freeTop;
  }

  /** Takes a record, or -1 when `maxFlows` flows are already held. */
  alloc(): number {
    if (this.freeTop === 0) return -1;
    const r = this.freeList[--this.freeTop]!;
    this.counts[r] = 0;
    return r;
  }

  /** Queues a packet; false when the record already holds `perFlow` packets. */
  push(record: number, packet: Uint8Array): boolean {
    const n = this.counts[record]!;
    if (n >= this.perFlow) return false;
    this.packets[record * this.perFlow + n] = packet;
    this.counts[record] = n + 1;
    return true;
  }

  count(record: number): number {
    return this.counts[record]!;
  }

  /** Hands the queued packets to `fn` in arrival order (or drops them), frees the record, returns how many. */
  release(record: number, fn?: (packet: Uint8Array) => void): number {
    const n = this.counts[record]!;
    const base = record * this.perFlow;
    for (let i = 0; i < n; i++) {
      const p = this.packets[base + i]!;
      this.packets[base + i] = undefined;
      if (fn) fn(p);
    }
    this.counts[record] = 0;
    this.freeList[this.freeTop++] = record;
    return n;
  }
}
