// ECMP stickiness. A flow stores the *slot* of its member in an EcmpGroup, not a position in a list, so when
// members join or leave the other slots keep their meaning: existing flows stay on their member, and when a
// member is removed only the flows that used its slot are moved (the vrouter keeps holes in the composite
// next hop for the same reason). New flows and moved flows pick among the active slots by their flow hash.
import { checkField, FlowError } from './errors.js';
import { reduce } from './hash.js';
import { ECMP_NONE } from './layout.js';

/** Largest number of member slots: the entry stores the slot in 8 bits and 255 means "none". */
export const ECMP_MAX_MEMBERS = ECMP_NONE;

export class EcmpGroup {
  /** Next hop id per slot, -1 for a hole. */
  private readonly slots: Int32Array;
  /** Active slot numbers, densely packed, so selection is one multiply. */
  private readonly active: Int32Array;
  private activeCount = 0;
  private used = 0;

  constructor(nextHops: readonly number[] = [], maxMembers = 64) {
    checkField('maxMembers', maxMembers, 1, ECMP_MAX_MEMBERS);
    this.slots = new Int32Array(maxMembers).fill(-1);
    this.active = new Int32Array(maxMembers);
    for (const nh of nextHops) this.add(nh);
  }

  /** Adds a member next hop; returns its slot (the first hole, or a new slot). */
  add(nextHop: number): number {
    checkField('nextHop', nextHop, 0, 0x7fffffff);
    if (this.slotOf(nextHop) >= 0) throw new FlowError('nextHop', `${nextHop} is already a member`);
    const slot = this.slots.indexOf(-1);
    if (slot < 0 || slot >= this.slots.length)
      throw new FlowError('nextHop', `group is full (${this.slots.length} members)`);
    this.slots[slot] = nextHop;
    if (slot >= this.used) this.used = slot + 1;
    this.rebuild();
    return slot;
  }

  /** Removes a member; returns the slot it held. Flows on other slots are untouched. */
  remove(nextHop: number): number {
    const slot = this.slotOf(nextHop);
    if (slot < 0) throw new FlowError('nextHop', `${nextHop} is not a member`);
    this.slots[slot] = -1;
    this.rebuild();
    return slot;
  }

  /** Slot of a member next hop, or -1. */
  slotOf(nextHop: number): number {
    for (let i = 0; i < this.used; i++) if (this.slots[i] === nextHop) return i;
    return -1;
  }

  /** True when `slot` holds a member. */
  isActive(slot: number): boolean {
    return slot >= 0 && slot < this.used && this.slots[slot]! >= 0;
  }

  /** Next hop in `slot`, or -1 for a hole. */
  nextHop(slot: number): number {
    return slot >= 0 && slot < this.used ? this.slots[slot]! : -1;
  }

  /** Number of active members. */
  get size(): number {
    return this.activeCount;
  }

  /** The slot a new flow with this hash uses, or -1 when the group is empty. */
  select(hash: number): number {
    const n = this.activeCount;
    return n === 0 ? -1 : this.active[reduce(hash, n)]!;
  }

  private rebuild(): void {
    let n = 0;
    for (let i = 0; i < this.used; i++) if (this.slots[i]! >= 0) this.active[n++] = i;
    this.activeCount = n;
  }
}
