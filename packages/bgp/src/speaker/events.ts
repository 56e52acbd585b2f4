// The speaker's event API: peer up/down (with the reason and any NOTIFICATION), per-peer route changes
// in the Adj-RIB-In (added / changed / withdrawn) and Loc-RIB best path changes. Listeners are plain
// functions; emitting costs nothing for an event nobody listens to, so the ingest path can call it freely.
import type { Family } from '../afi-safi.js';
import type { Nlri } from '../nlri/index.js';
import type { NotificationMessage } from '../notification.js';
import type { DownReason, FsmState } from './fsm.js';
import type { Negotiated } from './negotiate.js';
import type { PathAttrs } from './rib/path.js';

export interface PeerUpEvent {
  peer: string;
  negotiated: Negotiated;
}

export interface PeerDownEvent {
  peer: string;
  reason: DownReason;
  /** The NOTIFICATION sent or received, decoded, when there was one. */
  notification?: NotificationMessage;
  /** Routes were kept as stale for graceful restart (RFC 4724). */
  gracefulRestart: boolean;
}

export interface PeerStateEvent {
  peer: string;
  from: FsmState;
  to: FsmState;
}

export interface RouteEvent {
  kind: 'added' | 'changed' | 'withdrawn';
  peer: string;
  family: Family;
  nlri: Nlri;
  pathId: number;
  /** The attributes as accepted by import policy; undefined when withdrawn or rejected. */
  attrs: PathAttrs | undefined;
  /** False when import policy (or loop detection) rejected the route. */
  accepted: boolean;
}

export interface BestPathEvent {
  family: Family;
  nlri: Nlri;
  /** The source of the new best path, undefined when the destination became unreachable. */
  peer: string | undefined;
  attrs: PathAttrs | undefined;
  previousPeer: string | undefined;
}

export interface SpeakerEvents {
  'peer-up': PeerUpEvent;
  'peer-down': PeerDownEvent;
  'peer-state': PeerStateEvent;
  route: RouteEvent;
  'best-path': BestPathEvent;
  /** Something the speaker dealt with without a session reset (RFC 7606 treat-as-withdraw, ...). */
  warning: { peer: string; message: string };
  'end-of-rib': { peer: string; family: Family };
  'route-refresh': { peer: string; family: Family; subtype: number };
}

type Listener<T> = (e: T) => void;

export class SpeakerEventEmitter {
  private readonly listeners = new Map<keyof SpeakerEvents, Listener<never>[]>();

  on<K extends keyof SpeakerEvents>(name: K, fn: Listener<SpeakerEvents[K]>): () => void {
    let l = this.listeners.get(name);
    if (!l) {
      l = [];
      this.listeners.set(name, l);
    }
    l.push(fn as Listener<never>);
    return () => this.off(name, fn);
  }

  off<K extends keyof SpeakerEvents>(name: K, fn: Listener<SpeakerEvents[K]>): void {
    const l = this.listeners.get(name);
    if (!l) return;
    const i = l.indexOf(fn as Listener<never>);
    if (i >= 0) l.splice(i, 1);
  }

  /** Whether anyone listens (check before building an event on a hot path). */
  has(name: keyof SpeakerEvents): boolean {
    return (this.listeners.get(name)?.length ?? 0) > 0;
  }

  emit<K extends keyof SpeakerEvents>(name: K, e: SpeakerEvents[K]): void {
    const l = this.listeners.get(name);
    if (!l) return;
    for (const fn of [...l]) (fn as Listener<SpeakerEvents[K]>)(e);
  }
}
