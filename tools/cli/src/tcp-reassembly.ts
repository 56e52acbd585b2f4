// TCP stream reassembly for capture decoding: application messages (BGP, XMPP) span segments, so each
// direction of each connection gets its bytes back in sequence order. Sequence numbers wrap (RFC 9293 3.4),
// retransmitted bytes are dropped, out-of-order segments wait in a bounded buffer.

/** One direction of a TCP connection. */
export class TcpDirection {
  private next: number | undefined;
  private readonly pending = new Map<number, Uint8Array>();
  private pendingBytes = 0;
  /** Bytes lost because the out-of-order buffer was full or the capture missed segments. */
  gaps = 0;

  constructor(private readonly maxPendingBytes = 1 << 20) {}

  /**
   * Adds a segment; returns the bytes that became contiguous (possibly several segments' worth), in order.
   * `syn` marks the segment that carries SYN (its sequence number counts one before the data).
   */
  push(seq: number, payload: Uint8Array, syn: boolean): Uint8Array[] {
    if (syn) {
      this.next = (seq + 1) >>> 0;
      if (payload.length === 0) return [];
      seq = this.next;
    }
    if (payload.length === 0) return [];
    // A capture that starts mid-connection: take the first data segment as the start.
    if (this.next === undefined) this.next = seq;
    const out: Uint8Array[] = [];
    this.accept(seq, payload, out);
    // Drain whatever the new bytes made contiguous.
    for (let found = true; found && this.pending.size > 0; ) {
      found = false;
      for (const [s, p] of this.pending) {
        if (before(this.next!, s)) continue;
        this.pending.delete(s);
        this.pendingBytes -= p.length;
        this.accept(s, p, out);
        found = true;
      }
    }
    return out;
  }

  private accept(seq: number, payload: Uint8Array, out: Uint8Array[]): void {
    const next = this.next!;
    const end = (seq + payload.length) >>> 0;
    if (!before(next, end)) return; // wholly retransmitted
    if (before(next, seq)) {
      // Out of order: keep for later, within the bound.
      if (this.pendingBytes + payload.length > this.maxPendingBytes) {
        this.gaps += payload.length;
        return;
      }
      if (!this.pending.has(seq)) {
        this.pending.set(seq, payload);
        this.pendingBytes += payload.length;
      }
      return;
    }
    const skip = (next - seq) >>> 0;
    out.push(payload.subarray(skip));
    this.next = end;
  }
}

/** a < b in 32-bit sequence space. */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
