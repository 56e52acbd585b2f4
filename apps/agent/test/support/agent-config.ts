// The in-process agent config the control tests start their agents with: one agent on its own loopback
// underlay address, talking XMPP to simulated control nodes, with short retry and sweep timers so that
// fail-over and resync tests finish quickly. Each test file passes its own addresses and port.

import type { AgentConfig } from '../../src/index.js';

export interface ControlAgentOptions {
  /** The agent's name (its virtual-router's name in config). */
  name: string;
  /** Loopback underlay address; the port API and introspect listen there on ephemeral ports. */
  underlay: string;
  /** The simulated control nodes, in order of preference. */
  controllers: AgentConfig['controllers'];
  stateDir: string;
  /** Timer overrides for the tests that need other values (defaults: 50, 300, 2000, 200 ms). */
  timers?: Partial<Pick<AgentConfig, 'retryBaseMs' | 'configSweepMs' | 'endOfRibTimeoutMs' | 'staleSweepMs'>>;
}

export function controlAgentConfig(o: ControlAgentOptions): AgentConfig {
  return {
    name: o.name,
    underlay: o.underlay,
    controllers: o.controllers,
    portApi: { host: o.underlay, port: 0 },
    introspect: { host: o.underlay, port: 0 },
    jsonLogs: false,
    logLevel: 'warn',
    stateDir: o.stateDir,
    routerMac: '00:00:5e:00:01:00',
    retryBaseMs: 50,
    configSweepMs: 300,
    endOfRibTimeoutMs: 2000,
    staleSweepMs: 200,
    ...o.timers,
  };
}
