// The global MPLS label table (RFC 3032): labels this agent allocated, each to the next hop a packet that
// arrives with it goes to (usually a local interface). Labels 0-15 are reserved; the agent allocates from
// 16 upwards, as the vRouter does from its label range. A dense Int32Array: one read per packet.

import { FieldRangeError, TableFullError, UnknownObjectError } from './errors.js';

export const MIN_LABEL = 16;
export const MAX_LABEL = 0xfffff;

export class LabelTable {
  private readonly nh: Int32Array;
  private next = MIN_LABEL;
  private count = 0;

  /** `size` labels (16 .. 16 + size - 1) are available. */
  constructor(size = 65536) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_LABEL - MIN_LABEL + 1)
      throw new FieldRangeError('label-table', 'size', size, 1, MAX_LABEL - MIN_LABEL + 1);
    this.nh = new Int32Array(MIN_LABEL + size).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Allocates a label pointing to `nextHop`. */
  allocate(nextHop: number): number {
    const n = this.nh.length;
    for (let i = 0; i < n - MIN_LABEL; i++) {
      const label = MIN_LABEL + ((this.next - MIN_LABEL + i) % (n - MIN_LABEL));
      if (this.nh[label] === -1) {
        this.nh[label] = nextHop;
        this.next = label + 1 >= n ? MIN_LABEL : label + 1;
        this.count++;
        return label;
      }
    }
    throw new TableFullError('label-table', 'label', n - MIN_LABEL);
  }

  free(label: number): void {
    if (label < MIN_LABEL || label >= this.nh.length || this.nh[label] === -1)
      throw new UnknownObjectError('label-table', 'label', label);
    this.nh[label] = -1;
    this.count--;
  }

  /** The next hop of `label`, or -1 (unknown or reserved). */
  lookup(label: number): number {
    return label < this.nh.length ? this.nh[label]! : -1;
  }

  *entries(): IterableIterator<[number, number]> {
    for (let l = MIN_LABEL; l < this.nh.length; l++) if (this.nh[l] !== -1) yield [l, this.nh[l]!];
  }
}
