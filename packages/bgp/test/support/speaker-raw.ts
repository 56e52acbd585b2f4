// A hand-driven BGP peer on a raw socket for the speaker's robustness tests: it sends exactly the bytes
// a test gives it (valid messages from the codec, or garbage) and collects what the speaker sends.
import { connect, type Socket } from 'node:net';
import { waitFor } from '@filament/testkit';
import {
  BgpFramer,
  type BgpMessage,
  type Capability,
  decodeMessage,
  encodeMessage,
  makeOpen,
  type SessionContext,
  sessionContext,
} from '../../src/index.js';

export class RawPeer {
  readonly messages: BgpMessage[] = [];
  closed = false;
  private framer = new BgpFramer({ maxMessageLength: 65535, maxBufferedBytes: 64 << 20 });
  ctx: SessionContext = sessionContext();

  private constructor(readonly sock: Socket) {
    sock.on('data', (b: Buffer) => {
      this.framer.push(new Uint8Array(b));
      for (const m of this.framer.messages()) this.messages.push(decodeMessage(m, 0, this.ctx).message);
    });
    sock.on('close', () => {
      this.closed = true;
    });
    sock.on('error', () => {});
  }

  /** Wraps a socket the test accepted (the speaker connected to the test's listener). */
  static wrap(sock: Socket): RawPeer {
    return new RawPeer(sock);
  }

  static connect(
    host: string,
    port: number,
    localAddress: string,
    opts: { read?: boolean } = {},
  ): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, localAddress }, () => {
        const p = new RawPeer(s);
        if (opts.read === false) s.pause();
        resolve(p);
      });
      s.once('error', reject);
    });
  }

  send(m: BgpMessage | Uint8Array): void {
    this.sock.write(m instanceof Uint8Array ? m : encodeMessage(m, this.ctx));
  }

  /** Sends OPEN and KEEPALIVE and waits for the speaker's KEEPALIVE (Established on its side). */
  async establish(asn: number, bgpId: string, caps?: Capability[], asnInOpen?: number): Promise<void> {
    const open = makeOpen({
      asn,
      bgpId,
      holdTime: 90,
      capabilities: caps ?? [{ type: 'multiprotocol', afi: 1, safi: 1 }],
    });
    if (asnInOpen !== undefined) open.myAs = asnInOpen;
    this.send(open);
    await waitFor('OPEN from speaker', () => this.messages.some((m) => m.type === 'open'), 10_000, 20);
    this.send({ type: 'keepalive' });
    await waitFor(
      'KEEPALIVE from speaker',
      () => this.messages.some((m) => m.type === 'keepalive'),
      10_000,
      20,
    );
  }

  of<T extends BgpMessage['type']>(t: T): Extract<BgpMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === t) as Extract<BgpMessage, { type: T }>[];
  }

  close(): void {
    this.sock.destroy();
  }
}
