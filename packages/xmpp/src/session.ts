// One XMPP stream over one TCP connection, either side (RFC 6120 section 4; TF xmpp_state_machine.cc states).
//
//   client: connect -> send header -> [open-sent] -> peer header -> established (keepalive at once)
//           with TLS: peer header -> features -> <starttls/> -> <proceed/> -> TLS handshake -> header
//           exchange again -> established
//   server: accept -> [open-wait, open timer] -> peer header -> send header -> established
//           with TLS: send features -> <starttls/> -> <proceed/> -> handshake -> header exchange again
//
// Once established: keepalives every hold/3, hold timer restarted by every complete stanza or keepalive
// (a stanza trickling in does not restart it, which cuts slow-loris peers), bounded input (framer) and
// output (maxWriteBuffer). Any protocol fault closes only this session, with a typed reason; the TCP close
// is the dialect's teardown, preceded by an RFC 6120 <stream:error> when `streamErrors` is on.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import * as tls from 'node:tls';
import {
  DEFAULT_HOLD_TIME_MS,
  DEFAULT_MAX_STANZA_SIZE,
  DEFAULT_MAX_WRITE_BUFFER,
  DEFAULT_OPEN_TIME_MS,
  NS_CLIENT,
} from './constants.js';
import {
  ConnectionClosedError,
  RemoteStreamError,
  SubclusterMismatchError,
  TimerExpiredError,
  TlsError,
  UnexpectedElementError,
  WriteBufferOverflowError,
  XmppError,
} from './errors.js';
import { FRAME_HEADER, FRAME_KEEPALIVE, FRAME_STANZA, FRAME_STREAM_END, Framer } from './framer.js';
import { KEEPALIVE_BYTES, keepaliveInterval } from './keepalive.js';
import { type Logger, silentLogger } from './logger.js';
import { decodeStanza, type Stanza } from './stanza.js';
import {
  decodeStreamHeader,
  encodeProceed,
  encodeStartTls,
  encodeStartTlsFeatures,
  encodeStreamError,
  encodeStreamHeader,
  STREAM_CLOSE,
  type StreamHeader,
} from './stream-header.js';

export type SessionState = 'open-wait' | 'open-sent' | 'tls' | 'established' | 'closed';

export interface TlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA that signed the peer's certificate. With it, both sides must present certificates (TF with xmpp_ca_cert). */
  ca?: string | Buffer | (string | Buffer)[];
  /** Reject a peer without a certificate signed by `ca` (default: true when `ca` is set). */
  verifyPeer?: boolean;
  /** Client only: check the server certificate's name (TF does not; default: no name check). */
  servername?: string;
}

export interface SessionOptions {
  role: 'client' | 'server';
  /** Our `from`: the agent name (client) or the control node's hostname (server). */
  name: string;
  /** Client: the header's `to` (default the CN JID). */
  to?: string;
  /** Client: the header's xmlns (subcluster, default ''). Server: when non-empty, a peer must match it. */
  subcluster?: string;
  holdTimeMs?: number;
  /** Server: time from accept to the peer's header (and the whole TLS negotiation). Client: to establish. */
  openTimeMs?: number;
  maxStanzaSize?: number;
  maxWriteBuffer?: number;
  tls?: TlsOptions;
  /** Write <stream:error> before closing on a protocol fault (default true; TF peers ignore it). */
  streamErrors?: boolean;
  logger?: Logger;
}

export interface SessionEvents {
  established: [peer: StreamHeader];
  stanza: [stanza: Stanza];
  keepalive: [];
  drain: [];
  close: [reason: XmppError | undefined];
}

export class XmppSession extends EventEmitter<SessionEvents> {
  state: SessionState;
  /** The peer's last stream header. */
  peer: StreamHeader | undefined;
  readonly remoteAddress: string;
  /** Why the session closed, once it has. */
  closeReason: XmppError | undefined;
  /** Counters, cheap enough to keep always. */
  readonly stats = { stanzasIn: 0, stanzasOut: 0, keepalivesIn: 0, bytesIn: 0 };
  private socket: Socket;
  private readonly opts: SessionOptions;
  private readonly hold: number;
  private readonly log: Logger;
  private readonly framer: Framer;
  private decoder = new StringDecoder('utf8');
  private lastRx = Date.now();
  private holdTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private openTimer: NodeJS.Timeout | undefined;
  private headerSent = false;
  private secured = false;
  private closing = false;
  private readonly onData = (buf: Buffer): void => this.receive(buf);
  private readonly onEnd = (): void => this.close(new ConnectionClosedError('peer closed the connection'));
  private readonly onError = (err: Error): void =>
    this.close(new ConnectionClosedError(`socket error: ${err.message}`));
  private readonly onClose = (): void => this.finish();
  private readonly onDrain = (): void => {
    this.emit('drain');
  };

  constructor(socket: Socket, opts: SessionOptions) {
    super();
    this.socket = socket;
    this.opts = opts;
    this.hold = opts.holdTimeMs ?? DEFAULT_HOLD_TIME_MS;
    this.log = opts.logger ?? silentLogger;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.framer = new Framer((kind, text) => this.frame(kind, text), {
      maxStanzaSize: opts.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE,
    });
    this.state = opts.role === 'server' ? 'open-wait' : 'open-sent';
    socket.setNoDelay(true);
    this.attach(socket);
    const openMs = opts.openTimeMs ?? DEFAULT_OPEN_TIME_MS;
    this.openTimer = setTimeout(() => this.close(new TimerExpiredError('open', openMs)), openMs);
    this.openTimer.unref();
    if (opts.role === 'client') this.sendHeader();
  }

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('end', this.onEnd);
    s.on('error', this.onError);
    s.on('close', this.onClose);
    s.on('drain', this.onDrain);
  }

  private detach(s: Socket): void {
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('error', this.onError);
    s.off('close', this.onClose);
    s.off('drain', this.onDrain);
  }

  get established(): boolean {
    return this.state === 'established';
  }

  /** True when the connection is TLS-protected. */
  get encrypted(): boolean {
    return this.secured;
  }

  /** Bytes queued in the socket, for callers that pace their own sends. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Stops reading (TCP backpressure to the peer) until resume(). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private sendHeader(): void {
    const o = this.opts;
    const h: StreamHeader =
      o.role === 'client'
        ? {
            from: o.name,
            to: o.to ?? 'network-control@contrailsystems.com',
            version: '1.0',
            lang: 'en',
            xmlns: o.subcluster ?? '',
          }
        : {
            from: o.name,
            to: this.peer?.from ?? '',
            id: '++123',
            version: '1.0',
            lang: 'en',
            xmlns: NS_CLIENT,
          };
    this.write(encodeStreamHeader(h));
    this.headerSent = true;
  }

  /** Writes raw text, enforcing the output bound. Returns false when the caller should wait for 'drain'. */
  private write(text: string | Uint8Array): boolean {
    if (this.closing) return false;
    const queued = this.socket.writableLength;
    const limit = this.opts.maxWriteBuffer ?? DEFAULT_MAX_WRITE_BUFFER;
    if (queued > limit) {
      this.close(new WriteBufferOverflowError(limit, queued));
      return false;
    }
    return this.socket.write(text);
  }

  /**
   * Sends encoded stanzas (one or more, e.g. a publish + collection pair). Throws before the session is
   * established; returns false once it is closing (nothing is sent) or when the socket buffer is full.
   */
  send(xml: string): boolean {
    if (this.closing) return false;
    if (this.state !== 'established') throw new UnexpectedElementError('send', this.state);
    this.stats.stanzasOut++;
    return this.write(xml);
  }

  private receive(buf: Buffer): void {
    if (this.closing) return;
    this.stats.bytesIn += buf.length;
    try {
      this.framer.write(this.decoder.write(buf));
    } catch (err) {
      this.close(err instanceof XmppError ? err : new XmppError(String(err), 'undefined-condition'));
    }
  }

  private frame(kind: number, text: string): void {
    if (this.closing) {
      this.framer.stop();
      return;
    }
    this.lastRx = Date.now();
    if (kind === FRAME_KEEPALIVE) {
      this.stats.keepalivesIn++;
      if (this.state === 'established') this.emit('keepalive');
      return;
    }
    if (kind === FRAME_HEADER) {
      this.onHeader(decodeStreamHeader(text));
      return;
    }
    if (kind === FRAME_STREAM_END) {
      // TF never sends it in Established; treat as the peer closing.
      this.close(new ConnectionClosedError('peer closed the stream'));
      this.framer.stop();
      return;
    }
    if (kind === FRAME_STANZA) this.onStanza(decodeStanza(text));
  }

  private onHeader(h: StreamHeader): void {
    if (this.state === 'established' || this.state === 'closed') {
      throw new UnexpectedElementError('stream:stream', this.state);
    }
    const o = this.opts;
    if (o.role === 'server' && o.subcluster && h.xmlns !== o.subcluster) {
      throw new SubclusterMismatchError(o.subcluster, h.xmlns);
    }
    this.peer = h;
    if (o.role === 'server') {
      this.sendHeader();
      if (o.tls && !this.secured) {
        this.write(encodeStartTlsFeatures());
        this.state = 'tls';
        return;
      }
      this.establish();
    } else if (o.tls && !this.secured) {
      this.state = 'tls'; // wait for the features
    } else {
      this.establish();
    }
  }

  private onStanza(s: Stanza): void {
    if (s.kind === 'stream-error') throw new RemoteStreamError(s.condition, s.text);
    if (this.state === 'tls') {
      this.onTlsNegotiation(s);
      return;
    }
    if (this.state !== 'established') throw new UnexpectedElementError(s.kind, this.state);
    if (s.kind === 'features' || s.kind === 'starttls' || s.kind === 'proceed') {
      throw new UnexpectedElementError(s.kind, this.state);
    }
    this.stats.stanzasIn++;
    this.emit('stanza', s);
  }

  private onTlsNegotiation(s: Stanza): void {
    if (this.opts.role === 'server') {
      if (s.kind !== 'starttls') throw new TlsError(`expected <starttls/>, got ${s.kind}`);
      this.write(encodeProceed());
      this.framer.stop();
      this.upgrade();
    } else if (s.kind === 'features') {
      if (!s.starttls) throw new TlsError('TLS configured but the server offers no STARTTLS');
      this.write(encodeStartTls());
    } else if (s.kind === 'proceed') {
      this.framer.stop();
      this.upgrade();
    } else {
      throw new TlsError(`expected TLS negotiation, got ${s.kind}`);
    }
  }

  /** Swaps the plain socket for a TLS socket over it and starts a fresh stream (RFC 6120 5.4.3.3). */
  private upgrade(): void {
    const t = this.opts.tls!;
    const raw = this.socket;
    this.detach(raw);
    const verify = t.verifyPeer ?? t.ca !== undefined;
    // Until the handshake completes, the raw socket's close still ends the session.
    const onRawClose = (): void =>
      this.finishWith(new TlsError('connection closed during the TLS handshake'));
    raw.once('close', onRawClose);
    if (this.opts.role === 'server') {
      // A non-listening tls.Server wraps the socket: it verifies the client certificate and sets
      // `authorized` exactly as a TLS listener does, which a bare server-side TLSSocket does not.
      const wrapper = tls.createServer({
        key: t.key,
        cert: t.cert,
        ...(t.ca ? { ca: t.ca } : {}),
        requestCert: verify,
        rejectUnauthorized: verify,
        minVersion: 'TLSv1.2',
      });
      wrapper.once('secureConnection', (sock: tls.TLSSocket) => {
        raw.off('close', onRawClose);
        this.socket = sock;
        this.attach(sock);
        this.secure(sock, verify);
      });
      wrapper.once('tlsClientError', (err: Error) => {
        raw.off('close', onRawClose);
        raw.destroy();
        this.finishWith(new TlsError(`TLS handshake failed: ${err.message}`));
      });
      wrapper.emit('connection', raw);
      return;
    }
    const secure = tls.connect({
      socket: raw,
      key: t.key,
      cert: t.cert,
      ...(t.ca ? { ca: t.ca } : {}),
      rejectUnauthorized: verify,
      minVersion: 'TLSv1.2',
      ...(t.servername ? { servername: t.servername } : { checkServerIdentity: () => undefined }),
    });
    secure.once('secureConnect', () => {
      raw.off('close', onRawClose);
      this.secure(secure, verify);
    });
    this.socket = secure;
    this.attach(secure);
  }

  /** Ends the session for a failure found outside the socket's own events (TLS handshake). */
  private finishWith(reason: XmppError): void {
    if (this.state === 'closed') return;
    if (!this.closing) {
      this.closing = true;
      this.closeReason = reason;
      this.log.warn({ peer: this.peer?.from, remote: this.remoteAddress, code: reason.code }, reason.message);
    }
    this.finish();
  }

  private secure(s: tls.TLSSocket, verify: boolean): void {
    if (verify && !s.authorized) {
      this.close(new TlsError(`peer certificate rejected: ${String(s.authorizationError)}`));
      return;
    }
    this.secured = true;
    this.decoder = new StringDecoder('utf8');
    this.framer.reset();
    this.headerSent = false;
    this.state = this.opts.role === 'server' ? 'open-wait' : 'open-sent';
    if (this.opts.role === 'client') this.sendHeader();
  }

  private establish(): void {
    clearTimeout(this.openTimer);
    this.openTimer = undefined;
    this.state = 'established';
    this.lastRx = Date.now();
    this.armHold(this.hold);
    const every = keepaliveInterval(this.hold);
    this.keepaliveTimer = setInterval(() => this.write(KEEPALIVE_BYTES), every);
    this.keepaliveTimer.unref();
    if (this.opts.role === 'client') this.write(KEEPALIVE_BYTES);
    this.log.debug({ peer: this.peer?.from, remote: this.remoteAddress }, 'xmpp session established');
    this.emit('established', this.peer!);
  }

  private armHold(ms: number): void {
    // One timer per hold period; received units only stamp lastRx, so a keepalive flood costs nothing here.
    this.holdTimer = setTimeout(() => {
      const idle = Date.now() - this.lastRx;
      if (idle >= this.hold) this.close(new TimerExpiredError('hold', this.hold));
      else this.armHold(this.hold - idle);
    }, ms);
    this.holdTimer.unref();
  }

  /** Closes the session; `reason` says why (undefined for a local, orderly close). Idempotent. */
  close(reason?: XmppError): void {
    if (this.closing) return;
    this.closing = true;
    this.closeReason = reason;
    this.framer.stop();
    clearTimeout(this.openTimer);
    clearTimeout(this.holdTimer);
    clearInterval(this.keepaliveTimer);
    if (reason && !(reason instanceof ConnectionClosedError)) {
      this.log.warn(
        { peer: this.peer?.from, remote: this.remoteAddress, code: reason.code, condition: reason.condition },
        reason.message,
      );
    }
    const s = this.socket;
    if (!s.destroyed && s.writable) {
      if (reason?.condition && this.headerSent && (this.opts.streamErrors ?? true))
        s.write(encodeStreamError(reason));
      else if (this.opts.role === 'server' && reason instanceof TimerExpiredError && reason.timer === 'open')
        s.write(STREAM_CLOSE);
      s.end();
    }
    // A peer that never closes its side must not hold the socket.
    const t = setTimeout(() => s.destroy(), 2000);
    t.unref();
    if (s.destroyed) this.finish();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    if (!this.closing) {
      this.closing = true;
      clearTimeout(this.openTimer);
      clearTimeout(this.holdTimer);
      clearInterval(this.keepaliveTimer);
      this.closeReason = new ConnectionClosedError('connection closed');
    }
    this.state = 'closed';
    clearTimeout(this.openTimer);
    clearTimeout(this.holdTimer);
    clearInterval(this.keepaliveTimer);
    this.socket.destroy();
    this.emit('close', this.closeReason);
  }
}
