// RFC 4271 8: the BGP finite state machine of one peer. It owns the ConnectRetry, Hold and Keepalive timers
// (and the IdleHold timer of 8.1.1 that restarts a peer after an error, doubling up to a bound) and tells
// its owner what to do through `FsmIo`; it does no I/O itself, so tests drive it with a ManualClock.
//
//                 ManualStart                 TCP up / send OPEN
//   +------+  ---------------->  +---------+  -----------------> +----------+
//   | Idle |                     | Connect |                     | OpenSent |
//   +------+  <----------------  +---------+ <--+                +----------+
//      ^         errors, stop         | TCP fails|ConnectRetry        | OPEN ok / send KEEPALIVE
//      |                              v          |                    v
//      |                         +--------+ -----+               +-------------+ KEEPALIVE  +-------------+
//      +------------------------ | Active |  TCP up / send OPEN  | OpenConfirm | ---------> | Established |
//        errors, NOTIFICATION    +--------+  (to OpenSent)       +-------------+            +-------------+
import type { NotificationSpec } from '../errors.js';
import { CeaseSubcode, FsmErrorSubcode, NotificationCode } from '../notification-codes.js';
import { type Clock, jitter, Timer } from './timers.js';

export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Why a session left (or never reached) Established. */
export type DownReason =
  | { kind: 'stopped'; notification?: NotificationSpec }
  | { kind: 'notification-received'; notification: NotificationSpec }
  | { kind: 'notification-sent'; notification: NotificationSpec }
  | { kind: 'hold-timer-expired' }
  | { kind: 'tcp-closed'; error?: string }
  | { kind: 'collision' };

/** RFC 4271 8.1 events, as the owner reports them (message events already decoded and checked). */
export type FsmEvent =
  | { type: 'ManualStart' }
  | { type: 'ManualStop'; notification?: NotificationSpec }
  | { type: 'AutomaticStart' }
  | { type: 'ConnectRetryTimerExpires' }
  | { type: 'HoldTimerExpires' }
  | { type: 'KeepaliveTimerExpires' }
  /** Events 16/17: a TCP connection is up (ours acknowledged, or theirs accepted). */
  | { type: 'TcpConnectionUp' }
  /** Event 18. */
  | { type: 'TcpConnectionFails'; error?: string }
  /** Event 19 (BGPOpen), with the negotiated hold time; `error` makes it event 22 (BGPOpenMsgErr). */
  | { type: 'OpenReceived'; holdTime: number; error?: NotificationSpec }
  | { type: 'KeepaliveReceived' }
  | { type: 'UpdateReceived' }
  /** Event 21/28: a header or UPDATE error that resets the session (the NOTIFICATION to send). */
  | { type: 'MessageError'; notification: NotificationSpec }
  | { type: 'NotificationReceived'; notification: NotificationSpec }
  /** Event 23: collision detection chose the other connection. */
  | { type: 'OpenCollisionDump' }
  | { type: 'RouteRefreshReceived' };

/** What the FSM asks its owner to do. */
export interface FsmIo {
  /** Start a TCP connection to the peer (report TcpConnectionUp / TcpConnectionFails). */
  connect(): void;
  /** Close the current TCP connection (after any NOTIFICATION was written). */
  disconnect(): void;
  sendOpen(): void;
  sendKeepalive(): void;
  sendNotification(n: NotificationSpec): void;
  /** OpenConfirm -> Established. */
  established(): void;
  /** The session left Established, or a connection attempt past Connect/Active failed. */
  down(reason: DownReason, wasEstablished: boolean): void;
  /** Every state change (for events and logs). */
  stateChanged?(from: FsmState, to: FsmState): void;
}

export interface FsmOptions {
  /** Seconds between connection attempts (RFC 4271 10 suggests 120; default 30). */
  connectRetryTime?: number;
  /** Hold time proposed in our OPEN (default 90). */
  holdTime?: number;
  /** Wait for the peer to connect, never connect out (RFC 4271 8.1.1 PassiveTcpEstablishment). */
  passive?: boolean;
  /** First IdleHold delay in seconds before an automatic restart after an error (default 1; doubles to 120). */
  idleHoldTime?: number;
  /** Maximum IdleHold delay (default 120). */
  maxIdleHoldTime?: number;
  /** Restart automatically after errors (default true). */
  autoRestart?: boolean;
  /** Random source for jitter (default Math.random). */
  random?: () => number;
}

/** Hold timer value while waiting for the OPEN (RFC 4271 8.2.2: "a large value", 4 minutes suggested). */
export const LARGE_HOLD_TIME = 240;

const unexpected: Partial<Record<FsmState, number>> = {
  OpenSent: FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENSENT,
  OpenConfirm: FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPENCONFIRM,
  Established: FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_ESTABLISHED,
};

export class Fsm {
  private s: FsmState = 'Idle';
  /** ConnectRetryCounter of RFC 4271 8. */
  connectRetryCounter = 0;
  private started = false;
  private negotiatedHold = 0;
  private idleHold: number;
  private readonly connectRetry: Timer;
  private readonly hold: Timer;
  private readonly keepalive: Timer;
  private readonly idleHoldTimer: Timer;
  private readonly opts: Required<FsmOptions>;

  constructor(
    private readonly io: FsmIo,
    clock: Clock,
    opts: FsmOptions = {},
  ) {
    this.opts = {
      connectRetryTime: opts.connectRetryTime ?? 30,
      holdTime: opts.holdTime ?? 90,
      passive: opts.passive ?? false,
      idleHoldTime: opts.idleHoldTime ?? 1,
      maxIdleHoldTime: opts.maxIdleHoldTime ?? 120,
      autoRestart: opts.autoRestart ?? true,
      random: opts.random ?? Math.random,
    };
    this.idleHold = this.opts.idleHoldTime;
    this.connectRetry = new Timer(clock, () => this.handle({ type: 'ConnectRetryTimerExpires' }));
    this.hold = new Timer(clock, () => this.handle({ type: 'HoldTimerExpires' }));
    this.keepalive = new Timer(clock, () => this.handle({ type: 'KeepaliveTimerExpires' }));
    this.idleHoldTimer = new Timer(clock, () => this.handle({ type: 'AutomaticStart' }));
  }

  get state(): FsmState {
    return this.s;
  }

  /** The hold time in force (0 when no hold timer runs). */
  get holdTime(): number {
    return this.negotiatedHold;
  }

  /** Whether the peer is administratively started (ManualStart without a later ManualStop). */
  get isStarted(): boolean {
    return this.started;
  }

  private to(next: FsmState): void {
    const prev = this.s;
    if (prev === next) return;
    this.s = next;
    this.io.stateChanged?.(prev, next);
  }

  private stopTimers(): void {
    this.connectRetry.stop();
    this.hold.stop();
    this.keepalive.stop();
  }

  private startConnecting(): void {
    this.connectRetry.start(jitter(this.opts.connectRetryTime, this.opts.random));
    if (this.opts.passive) {
      this.to('Active');
    } else {
      this.to('Connect');
      this.io.connect();
    }
  }

  /** Leaves for Idle after an error: NOTIFICATION (when given), close, and an automatic restart later. */
  private fail(reason: DownReason, notify?: NotificationSpec): void {
    const wasEstablished = this.s === 'Established';
    if (notify) this.io.sendNotification(notify);
    this.stopTimers();
    this.io.disconnect();
    this.connectRetryCounter++;
    this.to('Idle');
    this.io.down(reason, wasEstablished);
    if (this.started && this.opts.autoRestart) {
      this.idleHoldTimer.start(this.idleHold);
      this.idleHold = Math.min(this.idleHold * 2, this.opts.maxIdleHoldTime);
    }
  }

  /** Handles one event. */
  handle(e: FsmEvent): void {
    const s = this.s;
    switch (e.type) {
      case 'ManualStart':
        this.started = true;
        this.idleHold = this.opts.idleHoldTime;
        if (s === 'Idle') {
          this.idleHoldTimer.stop();
          this.connectRetryCounter = 0;
          this.startConnecting();
        }
        return;
      case 'AutomaticStart':
        if (s === 'Idle' && this.started) this.startConnecting();
        return;
      case 'ManualStop': {
        this.started = false;
        this.idleHoldTimer.stop();
        if (s === 'Idle') return;
        const wasEstablished = s === 'Established';
        const connected = s === 'OpenSent' || s === 'OpenConfirm' || s === 'Established';
        const n = e.notification ?? {
          code: NotificationCode.CEASE,
          subcode: CeaseSubcode.ADMINISTRATIVE_SHUTDOWN,
          data: new Uint8Array(0),
        };
        if (connected) this.io.sendNotification(n);
        this.stopTimers();
        this.io.disconnect();
        this.connectRetryCounter = 0;
        this.to('Idle');
        this.io.down(connected ? { kind: 'stopped', notification: n } : { kind: 'stopped' }, wasEstablished);
        return;
      }
      case 'ConnectRetryTimerExpires':
        if (s === 'Connect' || s === 'Active') {
          this.io.disconnect();
          this.startConnecting();
        }
        return;
      case 'TcpConnectionUp':
        if (s === 'Connect' || s === 'Active') {
          this.connectRetry.stop();
          this.io.sendOpen();
          this.hold.start(LARGE_HOLD_TIME);
          this.to('OpenSent');
        }
        return;
      case 'TcpConnectionFails':
        if (s === 'Connect') {
          this.io.disconnect();
          this.connectRetry.start(jitter(this.opts.connectRetryTime, this.opts.random));
          this.to('Active');
        } else if (s === 'Active') {
          this.io.disconnect();
        } else if (s === 'OpenSent') {
          // RFC 4271 8.2.2: OpenSent + TcpConnectionFails -> Active
          this.hold.stop();
          this.io.disconnect();
          this.connectRetry.start(jitter(this.opts.connectRetryTime, this.opts.random));
          this.to('Active');
          this.io.down({ kind: 'tcp-closed', ...(e.error ? { error: e.error } : {}) }, false);
        } else if (s !== 'Idle') {
          this.fail({ kind: 'tcp-closed', ...(e.error ? { error: e.error } : {}) });
        }
        return;
      case 'OpenReceived':
        if (s !== 'OpenSent') {
          if (s === 'OpenConfirm' || s === 'Established') this.fsmError();
          return;
        }
        if (e.error) {
          this.fail({ kind: 'notification-sent', notification: e.error }, e.error);
          return;
        }
        this.connectRetry.stop();
        this.negotiatedHold = e.holdTime;
        this.io.sendKeepalive();
        if (e.holdTime > 0) {
          this.keepalive.start(jitter(e.holdTime / 3, this.opts.random));
          this.hold.start(e.holdTime);
        } else {
          this.hold.stop();
        }
        this.to('OpenConfirm');
        return;
      case 'KeepaliveReceived':
        if (s === 'OpenConfirm') {
          if (this.negotiatedHold > 0) this.hold.start(this.negotiatedHold);
          this.idleHold = this.opts.idleHoldTime;
          this.connectRetryCounter = 0;
          this.to('Established');
          this.io.established();
        } else if (s === 'Established') {
          if (this.negotiatedHold > 0) this.hold.restart();
        } else if (s === 'OpenSent') {
          this.fsmError();
        }
        return;
      case 'UpdateReceived':
      case 'RouteRefreshReceived':
        if (s === 'Established') {
          if (this.negotiatedHold > 0) this.hold.restart();
        } else if (s === 'OpenSent' || s === 'OpenConfirm') {
          this.fsmError();
        }
        return;
      case 'KeepaliveTimerExpires':
        if (s === 'OpenConfirm' || s === 'Established') {
          this.io.sendKeepalive();
          this.keepalive.start(jitter(this.negotiatedHold / 3, this.opts.random));
        }
        return;
      case 'HoldTimerExpires':
        if (s === 'OpenSent' || s === 'OpenConfirm' || s === 'Established') {
          this.fail(
            { kind: 'hold-timer-expired' },
            { code: NotificationCode.HOLD_TIMER_EXPIRED, subcode: 0, data: new Uint8Array(0) },
          );
        }
        return;
      case 'MessageError':
        if (s !== 'Idle')
          this.fail({ kind: 'notification-sent', notification: e.notification }, e.notification);
        return;
      case 'NotificationReceived':
        if (s !== 'Idle') this.fail({ kind: 'notification-received', notification: e.notification });
        return;
      case 'OpenCollisionDump':
        if (s !== 'Idle') {
          const n = {
            code: NotificationCode.CEASE,
            subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION,
            data: new Uint8Array(0),
          };
          this.io.sendNotification(n);
          this.stopTimers();
          this.io.disconnect();
          this.to('Idle');
          this.io.down({ kind: 'collision' }, false);
        }
        return;
    }
  }

  /** RFC 6608: a message the state does not expect. */
  private fsmError(): void {
    const n = {
      code: NotificationCode.FSM_ERROR,
      subcode: unexpected[this.s] ?? FsmErrorSubcode.UNSPECIFIED,
      data: new Uint8Array(0),
    };
    this.fail({ kind: 'notification-sent', notification: n }, n);
  }

  /** Stops every timer (the speaker is shutting down). */
  dispose(): void {
    this.started = false;
    this.stopTimers();
    this.idleHoldTimer.stop();
  }
}
