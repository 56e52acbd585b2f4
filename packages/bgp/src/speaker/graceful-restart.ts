// RFC 4724: graceful restart. As receiving speaker (helper): when a session with a peer that negotiated
// the capability ends without a NOTIFICATION (or, with RFC 8538 N bit, with one other than Hard Reset),
// its routes of the families it preserves stay in use, marked stale; they are removed when the peer's
// restart time passes without a new session, or, family by family, when the new session's End-of-RIB
// arrives (stale routes not refreshed by then are deleted). As restarting speaker: the Restart State bit
// tells peers we restarted, and our own advertisement waits for their End-of-RIB (deferral, 4.1).
import type { Family } from '../afi-safi.js';
import type { GracefulRestartCapability } from '../capabilities/index.js';
import { CeaseSubcode, NotificationCode } from '../notification-codes.js';
import type { DownReason } from './fsm.js';
import type { Negotiated } from './negotiate.js';

export interface GracefulRestartConfig {
  /** Restart Time we advertise (seconds, at most 4095; default 120). */
  restartTime?: number;
  /** Set the Restart State bit: we restarted and defer our advertisement until peers' End-of-RIB. */
  restarting?: boolean;
  /** Say we preserved forwarding state (F bit) for every family. */
  forwardingPreserved?: boolean;
  /** RFC 8538 N bit (default true). */
  notification?: boolean;
  /** Seconds to wait for End-of-RIB from every peer before advertising anyway (default 360). */
  selectionDeferralTime?: number;
}

/** The capability for our OPEN. */
export function gracefulRestartCapability(
  cfg: GracefulRestartConfig,
  families: Family[],
): GracefulRestartCapability {
  return {
    type: 'graceful-restart',
    restartState: cfg.restarting ?? false,
    notification: cfg.notification ?? true,
    restartTime: Math.min(cfg.restartTime ?? 120, 4095),
    families: families.map((f) => ({ ...f, forwardingPreserved: cfg.forwardingPreserved ?? false })),
  };
}

/** Whether the routes of a peer are kept (stale) after its session went down for `reason`. */
export function retainsRoutes(n: Negotiated | undefined, reason: DownReason): boolean {
  const gr = n?.gracefulRestart;
  if (!gr || gr.families.size === 0 || gr.restartTime === 0) return false;
  switch (reason.kind) {
    case 'tcp-closed':
    case 'hold-timer-expired':
      return true;
    case 'notification-received':
    case 'notification-sent': {
      // RFC 8538 5: with the N bit, every NOTIFICATION but Cease/Hard Reset keeps the routes
      const hard =
        reason.notification.code === NotificationCode.CEASE &&
        reason.notification.subcode === CeaseSubcode.HARD_RESET;
      return gr.notification && !hard;
    }
    default:
      return false;
  }
}
