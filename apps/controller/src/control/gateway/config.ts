// The gateway settings from the controller's configuration (config.ts `bgp` section).
import type { ControllerConfig } from '../../config.js';
import type { GatewayConfig } from './gateway-manager.js';

/** Undefined when BGP is not enabled. */
export function gatewayConfigOf(cfg: ControllerConfig): GatewayConfig | undefined {
  const b = cfg.bgp;
  if (!b?.enabled) return undefined;
  return {
    ...(b.asn !== undefined ? { asn: b.asn } : {}),
    defaultAsn: cfg.asn,
    listen: { host: b.host, ...(b.port !== undefined ? { port: b.port } : {}) },
    ...(b.router_id ? { routerId: b.router_id } : {}),
    ...(b.hold_time !== undefined ? { holdTime: b.hold_time } : {}),
  };
}
