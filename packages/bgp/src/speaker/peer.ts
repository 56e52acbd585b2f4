// One configured BGP peer: its FSM (fsm.ts), the TCP connection it runs on, framing and dispatch of
// received messages, OPEN checking and capability negotiation, connection collision handling
// (collision.ts), keepalives, NOTIFICATIONs, and writing its Adj-RIB-Out with backpressure. Route
// processing is the speaker's (speaker.ts); this file only moves messages.
//
// Isolation: each peer has its own framer with a byte bound, reads at most `MESSAGES_PER_TURN` messages
// before yielding to the event loop (a flooding peer cannot starve others), stops reading while it is
// over its bound, and only writes its Adj-RIB-Out when the socket drains (a stalled peer costs at most one
// pending entry per route and its hold timer ends it). Garbage gives it a NOTIFICATION and closes only
// its own connection.
import type { Socket } from 'node:net';
import { BgpError, type NotificationSpec } from '../errors.js';
import { BgpFramer } from '../framer.js';
import { HEADER_LENGTH } from '../header.js';
import { encodeKeepalive } from '../keepalive.js';
import { decodeMessage } from '../message.js';
import { MessageType } from '../message-types.js';
import { encodeNotification, type NotificationMessage, notificationFromSpec } from '../notification.js';
import { CeaseSubcode, NotificationCode } from '../notification-codes.js';
import { encodeOpen, type OpenMessage, validateOpen } from '../open.js';
import type { RouteRefreshMessage } from '../route-refresh.js';
import { type ConnectionOrigin, collisionLoser } from './collision.js';
import type { PeerConfig } from './config.js';
import { type DownReason, Fsm, type FsmState } from './fsm.js';
import { type Negotiated, negotiateSession } from './negotiate.js';
import { AdjRibIn } from './rib/adj-rib-in.js';
import { AdjRibOut, type ExportFn } from './rib/adj-rib-out.js';
import type { RouteSource } from './rib/path.js';
import type { Clock } from './timers.js';
import { connectTcp, plainAddress } from './transport.js';

const MESSAGES_PER_TURN = 512;
const KEEPALIVE = encodeKeepalive();
/** Bytes the socket may hold unsent before the Adj-RIB-Out stops writing (besides Node's own highWaterMark). */
const WRITE_HIGH_WATER = 256 * 1024;

/** What a peer needs from the speaker. */
export interface PeerHost {
  readonly routerId: string;
  readonly localAs: number;
  readonly clock: Clock;
  openFor(peer: Peer): OpenMessage;
  established(peer: Peer): void;
  down(
    peer: Peer,
    reason: DownReason,
    wasEstablished: boolean,
    notification: NotificationMessage | undefined,
  ): void;
  /** One whole UPDATE message (header included), in the peer's receive context. */
  update(peer: Peer, msg: Uint8Array): void;
  routeRefresh(peer: Peer, m: RouteRefreshMessage): void;
  exportPath: (peer: Peer) => ExportFn;
  stateChanged(peer: Peer, from: FsmState, to: FsmState): void;
}

interface Candidate {
  socket: Socket;
  framer: BgpFramer;
  timer: unknown;
}

export class Peer {
  readonly fsm: Fsm;
  readonly adjIn = new AdjRibIn();
  out: AdjRibOut | undefined;
  negotiated: Negotiated | undefined;
  /** Set while Established: how routes from this peer are tagged. */
  source: RouteSource;
  private socket: Socket | undefined;
  private origin: ConnectionOrigin = 'local';
  private framer = new BgpFramer({ maxBufferedBytes: 2 << 20 });
  private attempt = 0;
  private sentOpen: OpenMessage | undefined;
  private candidate: Candidate | undefined;
  private reading = false;
  private flushScheduled = false;
  private waitingDrain = false;
  /** RFC 9687 SendHoldTimer: armed while the peer takes none of our bytes. */
  private sendHold: unknown;
  lastNotificationSent: NotificationMessage | undefined;
  lastNotificationReceived: NotificationMessage | undefined;
  localAddress = '';
  established = 0;
  messagesIn = 0;
  updatesIn = 0;
  flaps = 0;

  constructor(
    readonly cfg: PeerConfig,
    private readonly host: PeerHost,
  ) {
    this.source = this.makeSource('external', '0.0.0.0');
    this.fsm = new Fsm(
      {
        connect: () => this.connect(),
        disconnect: () => this.disconnect(),
        sendOpen: () => {
          this.sentOpen = host.openFor(this);
          this.write(encodeOpen(this.sentOpen));
        },
        sendKeepalive: () => this.write(KEEPALIVE),
        sendNotification: (n) => this.sendNotification(n),
        established: () => {
          this.established = host.clock.now();
          this.out = new AdjRibOut({ ctx: this.negotiated!.tx, exportPath: host.exportPath(this) });
          host.established(this);
        },
        down: (reason, was) => {
          if (was) this.flaps++;
          const n =
            reason.kind === 'notification-received'
              ? this.lastNotificationReceived
              : reason.kind === 'notification-sent' || (reason.kind === 'stopped' && reason.notification)
                ? this.lastNotificationSent
                : undefined;
          host.down(this, reason, was, n);
          this.out = undefined;
        },
        stateChanged: (from, to) => host.stateChanged(this, from, to),
      },
      host.clock,
      {
        connectRetryTime: cfg.connectRetryTime ?? 30,
        holdTime: cfg.holdTime ?? 90,
        passive: cfg.passive ?? false,
        idleHoldTime: cfg.idleHoldTime ?? 1,
      },
    );
  }

  get address(): string {
    return this.cfg.address;
  }

  get state(): FsmState {
    return this.fsm.state;
  }

  /** Bytes written to the socket and not yet taken by the kernel. */
  get outputBuffered(): number {
    return this.socket?.writableLength ?? 0;
  }

  private makeSource(kind: 'internal' | 'external', bgpId: string): RouteSource {
    return {
      id: this.cfg.address,
      kind,
      bgpId,
      asn: this.cfg.asn,
      rrClient: this.cfg.routeReflectorClient ?? false,
    };
  }

  start(): void {
    this.fsm.handle({ type: 'ManualStart' });
  }

  stop(notification?: NotificationSpec): void {
    this.dropCandidate();
    this.fsm.handle(notification ? { type: 'ManualStop', notification } : { type: 'ManualStop' });
  }

  /** Sends a ROUTE-REFRESH (RFC 2918) for a family. */
  sendRaw(msg: Uint8Array): boolean {
    return this.write(msg);
  }

  private connect(): void {
    if (this.socket) return;
    const id = ++this.attempt;
    connectTcp({
      host: this.cfg.address,
      port: this.cfg.port ?? 179,
      ...(this.cfg.localAddress ? { localAddress: this.cfg.localAddress } : {}),
    }).then(
      (s) => {
        if (id !== this.attempt || this.socket || (this.state !== 'Connect' && this.state !== 'Active')) {
          s.destroy();
          return;
        }
        this.attach(s, 'local');
        this.fsm.handle({ type: 'TcpConnectionUp' });
      },
      (e: Error) => {
        if (id === this.attempt && !this.socket)
          this.fsm.handle({ type: 'TcpConnectionFails', error: e.message });
      },
    );
  }

  private attach(s: Socket, origin: ConnectionOrigin): void {
    this.socket = s;
    this.origin = origin;
    this.localAddress = plainAddress(s.localAddress);
    this.framer = new BgpFramer({ maxBufferedBytes: 2 << 20 });
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      try {
        this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (e) {
        this.protocolError(e);
        return;
      }
      this.readMessages(s);
    });
    s.on('drain', () => {
      if (this.socket !== s) return;
      this.waitingDrain = false;
      this.stopSendHold();
      this.scheduleFlush();
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.fsm.handle({ type: 'TcpConnectionFails', error: 'connection closed by peer' });
    });
  }

  private disconnect(): void {
    this.stopSendHold();
    this.attempt++;
    const s = this.socket;
    this.socket = undefined;
    this.waitingDrain = false;
    if (s) {
      s.end();
      const t = setTimeout(() => s.destroy(), 1000);
      t.unref?.();
    }
    this.framer.reset();
  }

  private write(msg: Uint8Array): boolean {
    const s = this.socket;
    if (!s || s.destroyed) return false;
    const ok = s.write(msg);
    return ok && s.writableLength < WRITE_HIGH_WATER;
  }

  private sendNotification(n: NotificationSpec): void {
    this.lastNotificationSent = notificationFromSpec(n);
    this.write(encodeNotification(n));
  }

  private protocolError(e: unknown): void {
    if (e instanceof BgpError && e.notification) {
      this.fsm.handle({ type: 'MessageError', notification: e.notification });
    } else {
      this.fsm.handle({
        type: 'MessageError',
        notification: {
          code: NotificationCode.CEASE,
          subcode: CeaseSubcode.OUT_OF_RESOURCES,
          data: new Uint8Array(0),
        },
      });
    }
  }

  /** Processes whole messages, at most MESSAGES_PER_TURN per event-loop turn. */
  private readMessages(s: Socket): void {
    if (this.reading) return;
    this.reading = true;
    try {
      let n = 0;
      while (this.socket === s) {
        let m: Uint8Array | undefined;
        try {
          m = this.framer.next();
        } catch (e) {
          this.protocolError(e);
          return;
        }
        if (!m) break;
        this.dispatch(m);
        if (++n >= MESSAGES_PER_TURN) {
          s.pause();
          setImmediate(() => {
            if (this.socket !== s) return;
            s.resume();
            this.readMessages(s);
          });
          return;
        }
      }
    } finally {
      this.reading = false;
    }
  }

  private dispatch(m: Uint8Array): void {
    this.messagesIn++;
    const type = m[18];
    try {
      if (type === MessageType.UPDATE) {
        this.updatesIn++;
        this.fsm.handle({ type: 'UpdateReceived' });
        if (this.state === 'Established') this.host.update(this, m);
        return;
      }
      if (type === MessageType.KEEPALIVE) {
        this.fsm.handle({ type: 'KeepaliveReceived' });
        return;
      }
      const ctx = this.negotiated?.rx;
      const d = decodeMessage(m, 0, ctx);
      const msg = d.message;
      if (msg.type === 'open') this.onOpen(msg);
      else if (msg.type === 'notification') {
        this.lastNotificationReceived = msg;
        this.fsm.handle({ type: 'NotificationReceived', notification: msg });
      } else if (msg.type === 'route-refresh') {
        this.fsm.handle({ type: 'RouteRefreshReceived' });
        if (this.state === 'Established') this.host.routeRefresh(this, msg);
      }
    } catch (e) {
      this.protocolError(e);
    }
  }

  private checkOpen(open: OpenMessage): { negotiated?: Negotiated; error?: NotificationSpec } {
    const error = validateOpen(open, { peerAs: this.cfg.asn, localBgpId: this.host.routerId });
    if (error) return { error };
    const n = negotiateSession(this.sentOpen!, open, this.host.localAs);
    return { negotiated: n };
  }

  private onOpen(open: OpenMessage): void {
    if (this.state !== 'OpenSent') {
      this.fsm.handle({ type: 'OpenReceived', holdTime: 0 });
      return;
    }
    const r = this.checkOpen(open);
    if (r.error) {
      this.fsm.handle({ type: 'OpenReceived', holdTime: 0, error: r.error });
      return;
    }
    this.adopt(r.negotiated!);
    this.fsm.handle({ type: 'OpenReceived', holdTime: r.negotiated!.holdTime });
  }

  private adopt(n: Negotiated): void {
    this.negotiated = n;
    this.source = this.makeSource(n.internal ? 'internal' : 'external', n.peerBgpId);
    this.framer.setMaxMessageLength(n.extendedMessage ? 65535 : 4096);
  }

  /** An incoming connection from this peer's address. */
  accept(s: Socket): void {
    const st = this.state;
    if (!this.fsm.isStarted) {
      s.destroy();
      return;
    }
    if (st === 'Connect' || st === 'Active' || st === 'Idle') {
      if (st === 'Idle') this.fsm.handle({ type: 'AutomaticStart' });
      this.attempt++;
      if (this.socket) this.disconnect();
      this.attach(s, 'remote');
      this.fsm.handle({ type: 'TcpConnectionUp' });
      return;
    }
    if (st === 'Established') {
      if (this.negotiated?.gracefulRestart) {
        // RFC 4724 4.2: a new connection from a restarting peer ends the old session, routes kept stale
        this.fsm.handle({ type: 'TcpConnectionFails', error: 'peer restarted (new connection)' });
        this.accept(s);
        return;
      }
      // RFC 4271 6.8: collision with an Established session closes the new connection
      s.end(
        encodeNotification({
          code: NotificationCode.CEASE,
          subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
          data: new Uint8Array(0),
        }),
      );
      return;
    }
    // OpenSent / OpenConfirm: run the second connection to its OPEN, then resolve the collision
    if (this.candidate) {
      s.destroy();
      return;
    }
    const framer = new BgpFramer({ maxBufferedBytes: 64 * 1024 });
    const c: Candidate = {
      socket: s,
      framer,
      timer: this.host.clock.setTimeout(() => this.dropCandidate(), 60_000),
    };
    this.candidate = c;
    s.on('error', () => {});
    s.on('close', () => {
      if (this.candidate === c) this.dropCandidate();
    });
    s.write(encodeOpen(this.sentOpen ?? this.host.openFor(this)));
    s.on('data', (chunk: Buffer) => {
      if (this.candidate !== c) return;
      try {
        framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        const m = framer.next();
        if (!m) return;
        const d = decodeMessage(m);
        if (d.message.type !== 'open') {
          this.dropCandidate();
          return;
        }
        this.resolveCollision(c, d.message, framer);
      } catch {
        this.dropCandidate();
      }
    });
  }

  private dropCandidate(): void {
    const c = this.candidate;
    if (!c) return;
    this.candidate = undefined;
    this.host.clock.clearTimeout(c.timer);
    c.socket.destroy();
  }

  private resolveCollision(c: Candidate, open: OpenMessage, framer: BgpFramer): void {
    const cease = encodeNotification({
      code: NotificationCode.CEASE,
      subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
      data: new Uint8Array(0),
    });
    const loser = collisionLoser(this.host.routerId, open.bgpId);
    this.host.clock.clearTimeout(c.timer);
    this.candidate = undefined;
    // The candidate was initiated by the peer; it loses unless the local side loses and the current
    // connection is ours.
    if (loser === 'remote' || this.origin === 'remote') {
      c.socket.end(cease);
      return;
    }
    if (this.state !== 'OpenSent' && this.state !== 'OpenConfirm') {
      c.socket.end(cease);
      return;
    }
    const r = this.checkOpen(open);
    if (r.error) {
      c.socket.end(encodeNotification(r.error));
      return;
    }
    // Swap: close our connection with Cease/7, continue on the peer's.
    const old = this.socket;
    this.socket = undefined;
    old?.end(cease);
    c.socket.removeAllListeners('data');
    c.socket.removeAllListeners('close');
    this.attach(c.socket, 'remote');
    this.framer = framer;
    this.adopt(r.negotiated!);
    if (this.state === 'OpenSent')
      this.fsm.handle({ type: 'OpenReceived', holdTime: r.negotiated!.holdTime });
    else this.write(KEEPALIVE);
    this.readMessages(c.socket);
  }

  /** Writes queued Adj-RIB-Out changes soon (coalescing calls). */
  scheduleFlush(): void {
    if (this.flushScheduled || this.waitingDrain || !this.out) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const out = this.out;
    const s = this.socket;
    if (!out || !s || this.state !== 'Established' || this.waitingDrain) return;
    let open = true;
    const done = out.flush((m) => {
      open = this.write(m) && open;
      return open;
    });
    if (!open) {
      this.waitingDrain = true;
      this.startSendHold();
      if (s.writableLength === 0) {
        this.waitingDrain = false;
        this.scheduleFlush();
      }
      return;
    }
    if (!done) this.scheduleFlush();
  }

  /**
   * RFC 9687: a peer that reads nothing for max(8 minutes, 2 x hold time) while we have data for it is
   * dropped (Send Hold Timer Expired), so a stalled peer cannot pin a session and its buffers forever.
   */
  private startSendHold(): void {
    if (this.sendHold !== undefined) return;
    const secs = this.cfg.sendHoldTime ?? Math.max(480, 2 * this.fsm.holdTime);
    this.sendHold = this.host.clock.setTimeout(() => {
      this.sendHold = undefined;
      if (this.waitingDrain && this.state === 'Established') {
        this.fsm.handle({
          type: 'MessageError',
          notification: {
            code: NotificationCode.SEND_HOLD_TIMER_EXPIRED,
            subcode: 0,
            data: new Uint8Array(0),
          },
        });
      }
    }, secs * 1000);
  }

  private stopSendHold(): void {
    if (this.sendHold !== undefined) this.host.clock.clearTimeout(this.sendHold);
    this.sendHold = undefined;
  }

  /** Stops timers and closes the connection without any message (speaker shutdown after stop()). */
  dispose(): void {
    this.dropCandidate();
    this.fsm.dispose();
    this.disconnect();
  }
}

export { HEADER_LENGTH };
