// A stream framer: cuts whole BGP messages out of TCP bytes using the header's Length (RFC 4271 4.1), with
// the 4096-byte limit or 65535 after extended messages are negotiated (RFC 8654), and a bound on the bytes
// it holds. A message that lies inside one pushed chunk is returned as a subarray of that chunk (zero
// copy: the caller must not overwrite a chunk while it still uses messages cut from it); a message that
// spans chunks is copied once into a fresh buffer.
//
//  chunk 1                     chunk 2
//  +---------+---------+----   ---+--------+
//  | msg A   | msg B (part)  ...  | msg C  |
//  +---------+---------+----   ---+--------+
import { FramerOverflowError } from './errors.js';
import { decodeHeader, HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './header.js';

export interface FramerOptions {
  /** 4096 (default) or 65535 with extended messages; settable later with `setMaxMessageLength`. */
  maxMessageLength?: number;
  /** Bound on bytes held between pushes (default 1 MiB); exceeding it throws FramerOverflowError. */
  maxBufferedBytes?: number;
}

export class BgpFramer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private maxLength: number;
  private readonly maxBuffered: number;

  constructor(opts: FramerOptions = {}) {
    this.maxLength = opts.maxMessageLength ?? MAX_MESSAGE_LENGTH;
    this.maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
  }

  /** Raise (or lower) the message size limit, e.g. to 65535 once both OPENs carried capability 6. */
  setMaxMessageLength(n: number): void {
    this.maxLength = n;
  }

  /** Bytes held and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds TCP bytes. Throws FramerOverflowError when the bytes held would exceed the bound. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.buffered + chunk.length > this.maxBuffered) {
      throw new FramerOverflowError(
        'framer',
        'buffer',
        this.buffered,
        `holding ${this.buffered + chunk.length} bytes exceeds ${this.maxBuffered}`,
      );
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next whole message (header included), or undefined when more bytes are needed. Throws the header
   * error (MalformedError with its RFC 4271 6.1 NOTIFICATION) for a bad marker, length or type.
   */
  next(): Uint8Array | undefined {
    if (this.buffered < HEADER_LENGTH) return undefined;
    let first = this.chunks[0]!;
    if (first.length < HEADER_LENGTH) {
      first = this.gather(HEADER_LENGTH, false);
    }
    const { length } = decodeHeader(first, 0, this.maxLength);
    if (this.buffered < length) return undefined;
    const head = this.chunks[0]!;
    if (head.length >= length) {
      const msg = head.subarray(0, length);
      if (head.length === length) this.chunks.shift();
      else this.chunks[0] = head.subarray(length);
      this.buffered -= length;
      return msg;
    }
    return this.gather(length, true);
  }

  /** Every whole message now available. */
  *messages(): Generator<Uint8Array> {
    for (let m = this.next(); m !== undefined; m = this.next()) yield m;
  }

  /** Copies the first `n` bytes across chunks; consumes them when `consume`. */
  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const c = this.chunks[i]!;
      const take = Math.min(c.length, n - filled);
      out.set(take === c.length ? c : c.subarray(0, take), filled);
      filled += take;
      if (take < c.length) {
        if (consume) this.chunks[i] = c.subarray(take);
        break;
      }
      i++;
    }
    if (consume) {
      this.chunks.splice(0, i);
      this.buffered -= n;
    }
    return out;
  }

  /** Drops every held byte (after a session reset). */
  reset(): void {
    this.chunks = [];
    this.buffered = 0;
  }
}
