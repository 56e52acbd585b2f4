// Errors of the control plane's agent channel. They extend @filament/xmpp's XmppError so that the session
// reports them to the agent as RFC 6120 stream errors with their condition before closing.
import { XmppError } from '@filament/xmpp';

/** The agent's name is not a virtual-router `default-global-system-config:<name>` in config. */
export class AgentNotAuthorizedError extends XmppError {
  override name = 'AgentNotAuthorizedError';
  override readonly code = 'ERR_CONTROL_AGENT_NOT_AUTHORIZED';
  constructor(readonly agent: string) {
    super(`agent '${agent}' is not a configured virtual-router`, 'not-authorized');
  }
}

/** An agent published more routes than one session may hold (a memory bound per agent). */
export class AgentRouteLimitError extends XmppError {
  override name = 'AgentRouteLimitError';
  override readonly code = 'ERR_CONTROL_AGENT_ROUTE_LIMIT';
  constructor(
    readonly agent: string,
    readonly limit: number,
  ) {
    super(`agent '${agent}' published more than ${limit} routes`, 'resource-constraint');
  }
}

/** A route item the control node skips (PROTOCOL.md section 8: invalid item, wrong af/safi, not one next hop,
 * bad label). Counted and logged; the session stays up, as in TF. */
export class InvalidRouteItemError extends Error {
  override name = 'InvalidRouteItemError';
  readonly code = 'ERR_CONTROL_INVALID_ROUTE_ITEM';
  constructor(
    readonly agent: string,
    readonly vrf: string,
    readonly reason: string,
  ) {
    super(`route from '${agent}' in ${vrf} skipped: ${reason}`);
  }
}
