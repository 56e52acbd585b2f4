// A burst of IPv4 tuples for `FlowTable.lookupBatch`. Forwarders take packets from a ring in bursts; looking
// up a burst in passes lets the memory accesses of different packets overlap. Allocate once, refill per burst.
import { checkAddress32, checkField, checkPort } from './errors.js';

export class FlowBatch {
  /** Most tuples per batch. */
  readonly size: number;
  /** Tuples in the batch now. */
  count = 0;
  /** Per tuple, the key words as the table stores them: vrf:16|proto:8|4, sport:16|dport:16, src, dst. */
  readonly tuples: Int32Array;
  /** Per tuple, after `lookupBatch`: the flow index or -1. */
  readonly result: Int32Array;
  /** Working space of `lookupBatch`. */
  readonly hashes: Int32Array;
  readonly buckets: Int32Array;

  constructor(size = 64) {
    checkField('size', size, 1, 1 << 20);
    this.size = size;
    this.tuples = new Int32Array(size * 4);
    this.result = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.buckets = new Int32Array(size);
  }

  /** Empties the batch. */
  clear(): void {
    this.count = 0;
  }

  /** Appends an IPv4 tuple (addresses as 32-bit numbers); returns its position, or -1 when the batch is full. */
  addV4(vrf: number, proto: number, src: number, dst: number, sport: number, dport: number): number {
    if (this.count === this.size) return -1;
    if ((vrf & 0xffff) !== vrf) checkField('vrf', vrf, 0, 0xffff);
    if ((proto & 0xff) !== proto) checkField('proto', proto, 0, 0xff);
    checkPort('sport', sport);
    checkPort('dport', dport);
    checkAddress32('src', src);
    checkAddress32('dst', dst);
    const i = this.count++;
    const q = i << 2;
    this.tuples[q] = (vrf << 16) | (proto << 8) | 4;
    this.tuples[q + 1] = (sport << 16) | dport;
    this.tuples[q + 2] = src | 0;
    this.tuples[q + 3] = dst | 0;
    return i;
  }
}
