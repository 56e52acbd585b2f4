// RFC 4271 8 FSM driven by a ManualClock (no waiting, no timing assertions): transitions, timers,
// NOTIFICATIONs for hold timer expiry and unexpected messages (RFC 6608), IdleHold restart with backoff,
// passive peers, zero hold time; plus collision resolution (RFC 4271 6.8).
import { describe, expect, it } from 'vitest';
import {
  collisionLoser,
  Fsm,
  type FsmIo,
  type FsmState,
  ManualClock,
  type NotificationSpec,
} from '../src/index.js';

function harness(opts: ConstructorParameters<typeof Fsm>[2] = {}) {
  const clock = new ManualClock();
  const log: string[] = [];
  const sent: NotificationSpec[] = [];
  const states: FsmState[] = [];
  const io: FsmIo = {
    connect: () => log.push('connect'),
    disconnect: () => log.push('disconnect'),
    sendOpen: () => log.push('open'),
    sendKeepalive: () => log.push('keepalive'),
    sendNotification: (n) => {
      sent.push(n);
      log.push(`notification ${n.code}/${n.subcode}`);
    },
    established: () => log.push('established'),
    down: (r, was) => log.push(`down ${r.kind} ${was}`),
    stateChanged: (_f, t) => states.push(t),
  };
  // random() = 1 makes jitter exact (75-100% -> 100%)
  const fsm = new Fsm(io, clock, { connectRetryTime: 5, holdTime: 90, random: () => 1, ...opts });
  return { clock, log, sent, states, fsm };
}

function toEstablished(h: ReturnType<typeof harness>, hold = 90): void {
  h.fsm.handle({ type: 'ManualStart' });
  h.fsm.handle({ type: 'TcpConnectionUp' });
  h.fsm.handle({ type: 'OpenReceived', holdTime: hold });
  h.fsm.handle({ type: 'KeepaliveReceived' });
}

describe('BGP FSM', () => {
  it('walks Idle -> Connect -> OpenSent -> OpenConfirm -> Established', () => {
    const h = harness();
    toEstablished(h);
    expect(h.states).toEqual(['Connect', 'OpenSent', 'OpenConfirm', 'Established']);
    expect(h.log).toEqual(['connect', 'open', 'keepalive', 'established']);
    expect(h.fsm.holdTime).toBe(90);
  });

  it('sends KEEPALIVEs every hold/3 and keeps the session while KEEPALIVEs arrive', () => {
    const h = harness();
    toEstablished(h);
    h.log.length = 0;
    for (let i = 0; i < 6; i++) {
      h.clock.advance(30_000);
      h.fsm.handle({ type: 'KeepaliveReceived' });
    }
    expect(h.log.filter((l) => l === 'keepalive').length).toBe(6);
    expect(h.fsm.state).toBe('Established');
  });

  it('Hold Timer Expired: NOTIFICATION 4/0, Idle, then an automatic restart after IdleHold', () => {
    const h = harness({ idleHoldTime: 2 });
    toEstablished(h);
    h.clock.advance(90_000);
    expect(h.sent.at(-1)).toMatchObject({ code: 4, subcode: 0 });
    expect(h.fsm.state).toBe('Idle');
    expect(h.log).toContain('down hold-timer-expired true');
    h.clock.advance(1_999);
    expect(h.fsm.state).toBe('Idle');
    h.clock.advance(1);
    expect(h.fsm.state).toBe('Connect');
  });

  it('IdleHold doubles on consecutive failures and resets when Established', () => {
    const h = harness({ idleHoldTime: 1, maxIdleHoldTime: 8 });
    h.fsm.handle({ type: 'ManualStart' });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.fsm.handle({ type: 'TcpConnectionUp' });
      h.fsm.handle({
        type: 'NotificationReceived',
        notification: { code: 6, subcode: 5, data: new Uint8Array(0) },
      });
      let t = 0;
      while (h.fsm.state === 'Idle') {
        h.clock.advance(500);
        t += 500;
      }
      waits.push(t);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    h.fsm.handle({ type: 'TcpConnectionUp' });
    h.fsm.handle({ type: 'OpenReceived', holdTime: 9 });
    h.fsm.handle({ type: 'KeepaliveReceived' });
    h.fsm.handle({ type: 'MessageError', notification: { code: 1, subcode: 1, data: new Uint8Array(0) } });
    let t = 0;
    while (h.fsm.state === 'Idle') {
      h.clock.advance(500);
      t += 500;
    }
    expect(t).toBe(1000);
  });

  it('Connect -> Active on TCP failure, back to Connect when ConnectRetry expires', () => {
    const h = harness();
    h.fsm.handle({ type: 'ManualStart' });
    h.fsm.handle({ type: 'TcpConnectionFails' });
    expect(h.fsm.state).toBe('Active');
    h.clock.advance(5_000);
    expect(h.fsm.state).toBe('Connect');
    expect(h.log.filter((l) => l === 'connect').length).toBe(2);
  });

  it('a passive peer waits in Active and never connects', () => {
    const h = harness({ passive: true });
    h.fsm.handle({ type: 'ManualStart' });
    expect(h.fsm.state).toBe('Active');
    h.clock.advance(60_000);
    expect(h.log).not.toContain('connect');
    h.fsm.handle({ type: 'TcpConnectionUp' });
    expect(h.fsm.state).toBe('OpenSent');
  });

  it('RFC 6608: an UPDATE in OpenSent or OpenConfirm is an FSM error with the state subcode', () => {
    const a = harness();
    a.fsm.handle({ type: 'ManualStart' });
    a.fsm.handle({ type: 'TcpConnectionUp' });
    a.fsm.handle({ type: 'UpdateReceived' });
    expect(a.sent.at(-1)).toMatchObject({ code: 5, subcode: 1 });
    const b = harness();
    b.fsm.handle({ type: 'ManualStart' });
    b.fsm.handle({ type: 'TcpConnectionUp' });
    b.fsm.handle({ type: 'OpenReceived', holdTime: 90 });
    b.fsm.handle({ type: 'UpdateReceived' });
    expect(b.sent.at(-1)).toMatchObject({ code: 5, subcode: 2 });
    expect(b.fsm.state).toBe('Idle');
  });

  it('an OPEN error sends its NOTIFICATION and goes Idle without reaching OpenConfirm', () => {
    const h = harness();
    h.fsm.handle({ type: 'ManualStart' });
    h.fsm.handle({ type: 'TcpConnectionUp' });
    h.fsm.handle({
      type: 'OpenReceived',
      holdTime: 0,
      error: { code: 2, subcode: 2, data: new Uint8Array(0) },
    });
    expect(h.sent).toEqual([{ code: 2, subcode: 2, data: new Uint8Array(0) }]);
    expect(h.states).not.toContain('OpenConfirm');
    expect(h.fsm.state).toBe('Idle');
  });

  it('hold time 0: no KEEPALIVEs and no hold timer', () => {
    const h = harness();
    toEstablished(h, 0);
    h.log.length = 0;
    h.clock.advance(3_600_000);
    expect(h.log).toEqual([]);
    expect(h.fsm.state).toBe('Established');
  });

  it('OpenSent waits at most the large hold time (240 s) for the OPEN', () => {
    const h = harness();
    h.fsm.handle({ type: 'ManualStart' });
    h.fsm.handle({ type: 'TcpConnectionUp' });
    h.clock.advance(239_999);
    expect(h.fsm.state).toBe('OpenSent');
    h.clock.advance(1);
    expect(h.sent.at(-1)).toMatchObject({ code: 4, subcode: 0 });
  });

  it('ManualStop sends Cease / Administrative Shutdown and stays Idle', () => {
    const h = harness();
    toEstablished(h);
    h.fsm.handle({ type: 'ManualStop' });
    expect(h.sent.at(-1)).toMatchObject({ code: 6, subcode: 2 });
    expect(h.log).toContain('down stopped true');
    h.clock.advance(600_000);
    expect(h.fsm.state).toBe('Idle');
    expect(h.clock.armed).toBe(0);
  });

  it('collision: the higher BGP Identifier keeps the connection it initiated', () => {
    expect(collisionLoser('10.0.0.1', '10.0.0.2')).toBe('local');
    expect(collisionLoser('10.0.0.2', '10.0.0.1')).toBe('remote');
    // compared as unsigned 32-bit numbers, not as text
    expect(collisionLoser('9.0.0.1', '10.0.0.1')).toBe('local');
    expect(collisionLoser('200.0.0.1', '10.0.0.1')).toBe('remote');
  });
});
