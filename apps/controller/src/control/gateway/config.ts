// The gateway settings from the controller's configuration (config.ts `bgp` section).
import type { ControllerConfig } from '../../config.js';
import type { GatewayConfig } from './gateway-manager.js';

/** Undefined when BGP is not enabled. */
export function gatewayConfigOf(cfg: ControllerConfig): GatewayConfig | undefined {
  const b = cfg.bgp;
  if (!b?.enabled) return undefined;
  return {
    asn: b.asn ?? cfg.asn,
    listen: { host: b.host, port: b.port },
    ...(b.router_id ? { routerId: b.router_id } : {}),
    ...(b.hold_time !== undefined ? { holdTime: b.hold_time } : {}),
  };
}
