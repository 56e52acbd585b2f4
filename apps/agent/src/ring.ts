// Preallocated packet buffers with headroom. Every packet the forwarder handles sits in one of these, with
// HEADROOM bytes in front so tunnel headers are prepended in place. The ring hands the slots out in turn:
// a slot is reused only after `slots` more packets, which outlasts a UDP send that the kernel could not
// complete at once (Node then keeps a reference until it can).

/** Bytes in front of a packet: outer Ethernet 14 + IPv6 40 + UDP 8 + MPLS stack 32, rounded up. */
export const HEADROOM = 128;
/** Bytes per slot: headroom plus a 1,518-byte frame plus a tail, rounded. */
export const SLOT_BYTES = 2048;

export class PacketRing {
  private readonly bufs: Uint8Array[];
  private i = 0;

  constructor(slots = 1024) {
    const mem = new ArrayBuffer(slots * SLOT_BYTES);
    this.bufs = [];
    for (let k = 0; k < slots; k++) this.bufs.push(new Uint8Array(mem, k * SLOT_BYTES, SLOT_BYTES));
  }

  get slots(): number {
    return this.bufs.length;
  }

  /** The next buffer (SLOT_BYTES long; put the packet at HEADROOM). */
  next(): Uint8Array {
    const b = this.bufs[this.i]!;
    this.i = this.i + 1 === this.bufs.length ? 0 : this.i + 1;
    return b;
  }
}
