// One whole agent, as the filament-agent process runs it: data plane and underlay sockets, introspect
// (with /xmpp, /config, /ports and the control metrics), the XMPP control side, the port API, and the
// ports persisted from the last run re-added before the port API opens. The token, HTTPS and XMPP TLS
// files are all read before anything starts, so a missing one stops the agent at once (AgentConfigError).

import type { Logger } from '@filament/xmpp';
import { Agent } from '../agent.js';
import { type AgentConfig, loadListenerSecurity, loadXmppTls } from '../config.js';
import { Introspect } from '../introspect.js';
import { PortApi } from '../port-api.js';
import { AgentControl } from './agent-control.js';
import { PortStore } from './port-store.js';

export interface RunningAgent {
  agent: Agent;
  control: AgentControl;
  portApi: PortApi;
  introspect: Introspect;
  store: PortStore;
  /** Stops everything (the port file stays). */
  stop(): Promise<void>;
}

export interface StartAgentOptions {
  logger?: Logger;
  /** In-process workload client timeout (ms). */
  workloadTimeoutMs?: number;
  holdTimeMs?: number;
}

export async function startAgent(cfg: AgentConfig, opts: StartAgentOptions = {}): Promise<RunningAgent> {
  const log = opts.logger;
  const introspectSecurity = loadListenerSecurity(cfg.introspectSecurity, 'introspect');
  const portApiSecurity = loadListenerSecurity(cfg.portApiSecurity, 'api');
  const xmppTls = cfg.xmppTls !== undefined ? loadXmppTls(cfg.xmppTls) : undefined;
  const agent = new Agent({ name: cfg.name, underlay: cfg.underlay, routerMac: cfg.routerMac });
  await agent.start({});
  const cleanup: (() => Promise<void>)[] = [() => agent.stop()];
  const unwind = async (): Promise<void> => {
    for (const f of cleanup.reverse()) await f().catch(() => {});
  };
  try {
    const introspect = new Introspect(agent);
    await introspect.listen(cfg.introspect.port, cfg.introspect.host, introspectSecurity);
    agent.introspect = introspect;
    const controlOpts: ConstructorParameters<typeof AgentControl>[0] = {
      agent,
      controllers: cfg.controllers,
      routerMac: cfg.routerMac,
      retryBaseMs: cfg.retryBaseMs,
      configSweepMs: cfg.configSweepMs,
      endOfRibTimeoutMs: cfg.endOfRibTimeoutMs,
      staleSweepMs: cfg.staleSweepMs,
    };
    if (log !== undefined) controlOpts.logger = log;
    if (opts.workloadTimeoutMs !== undefined) controlOpts.workloadTimeoutMs = opts.workloadTimeoutMs;
    if (opts.holdTimeMs !== undefined) controlOpts.holdTimeMs = opts.holdTimeMs;
    if (xmppTls !== undefined) controlOpts.tls = xmppTls;
    const control = new AgentControl(controlOpts);
    cleanup.push(() => control.stop());
    introspect.extend({
      views: {
        xmpp: () => control.describeXmpp(),
        config: () => control.describeConfig(),
        ports: () => control.portRequests().map((r) => control.portStatus(r.id)),
        'remote-routes': () => control.routes.describe(),
        // Remote workloads whose routes carry policy tags, and each port's compiled ACL (policy debugging).
        'tagged-endpoints': () => control.routes.taggedEndpoints(),
        acls: () => control.describeAcls(),
      },
      metrics: () => control.metrics(),
    });
    const store = new PortStore(cfg.stateDir);
    const saved = await store.load((i, err) =>
      log?.warn({ index: i, err: err.message }, 'stored port skipped'),
    );
    for (const p of saved) control.addPort(p);
    if (saved.length > 0) log?.info({ ports: saved.length, file: store.path }, 'ports restored');
    control.start();
    const portApi = new PortApi({
      control,
      store,
      security: portApiSecurity,
      ...(log ? { log: (o, m) => log.info(o, m) } : {}),
    });
    await portApi.listen(cfg.portApi.port, cfg.portApi.host);
    cleanup.push(() => portApi.close());
    return { agent, control, portApi, introspect, store, stop: unwind };
  } catch (e) {
    await unwind();
    throw e;
  }
}
