// RFC 7606 2 and 3: how an UPDATE's errors are reported. Each problem names the attribute (or field), the
// offset, the approach (attribute discard < treat-as-withdraw < AFI/SAFI disable < session reset) and the
// RFC 4271 6.3 NOTIFICATION (code, subcode, data) that goes with it, which a speaker sends when it resets
// the session. When several problems exist the strongest approach applies (RFC 7606 3 (j)).
import type { Family } from './afi-safi.js';
import type { ErrorAction, NotificationSpec } from './errors.js';
import { UpdateErrorSubcode } from './notification-codes.js';

export interface UpdateProblem {
  /** `AS_PATH`, `MP_REACH_NLRI`, `ATTR-99` for unknown codes, or a field: `WITHDRAWN_ROUTES`, `NLRI`, `PATH_ATTRIBUTES`. */
  attribute: string;
  /** The attribute type code, when the problem is an attribute's. */
  typeCode?: number;
  /** Offset in the decoded buffer where the problem was found. */
  offset: number;
  action: ErrorAction;
  reason: string;
  /** The NOTIFICATION for this problem (sent when the action is session-reset, or when the speaker prefers a reset). */
  notification: NotificationSpec;
  /** The family to disable, for `afi-safi-disable`. */
  family?: Family;
}

const rank: Record<ErrorAction, number> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'afi-safi-disable': 3,
  'session-reset': 4,
};

/** Orders approaches from least to most disruptive. */
export function actionRank(a: ErrorAction): number {
  return rank[a];
}

/** The strongest approach among the problems (RFC 7606 3 (j)), undefined when there are none. */
export function strongestAction(problems: readonly UpdateProblem[]): ErrorAction | undefined {
  let best: ErrorAction | undefined;
  for (const p of problems) if (!best || rank[p.action] > rank[best]) best = p.action;
  return best;
}

/** The problem whose NOTIFICATION to send when resetting: the first one with the strongest approach. */
export function resetNotification(problems: readonly UpdateProblem[]): NotificationSpec | undefined {
  const best = strongestAction(problems);
  return best ? problems.find((p) => p.action === best)?.notification : undefined;
}

/** RFC 4271 6.3 subcodes whose data field is the erroneous attribute (type, length and value). */
export function subcodeCarriesAttribute(subcode: number): boolean {
  return (
    subcode === UpdateErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE ||
    subcode === UpdateErrorSubcode.ATTRIBUTE_FLAGS_ERROR ||
    subcode === UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR ||
    subcode === UpdateErrorSubcode.INVALID_ORIGIN_ATTRIBUTE ||
    subcode === UpdateErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE ||
    subcode === UpdateErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR
  );
}
