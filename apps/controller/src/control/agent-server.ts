// The controller's XMPP server for vRouter agents (TF's control-node side of the bgp-peer channel):
//   - an agent authenticates by name: `default-global-system-config:<name>` must be a virtual-router in config,
//     else the session ends with a not-authorized stream error (counted);
//   - its config channel goes to the ConfigFeed (attach on session, detach on close);
//   - a VRF subscribe queues the instance's current routes, then End-of-RIB once the burst is out; afterwards
//     every RouteDb change of a subscribed instance reaches the agent as one item (or retract), coalesced per
//     tick so that bursts travel 32 items to a message;
//   - published routes become RouteDb paths with source `agent:<name>`; items TF would skip (not one next hop,
//     wrong address family, bad label or address) are skipped and counted; channel-rule violations (route for an
//     unsubscribed VRF, duplicate subscribe) close only that session (the XmppServer enforces them);
//   - on disconnect the agent's paths turn stale and are withdrawn after the graceful-restart time; an agent
//     that comes back in time republishes, and on its End-of-RIB (or when the grace time runs out again)
//     leftovers still stale are swept. Its subscriptions then get a full resync;
//   - deleting an agent's virtual-router from config ends its live session with not-authorized (as a new session
//     would be refused) and withdraws its routes at once: a router that no longer exists gets no grace time.
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import {
  type AgentSession,
  CONTROL_NODE_JID,
  encodeEndOfRib,
  ownString,
  RESOURCE_BGP,
  type Route,
  type RouteEvent,
  type Subscription,
  type TlsOptions,
  XmppServer,
} from '@filament/xmpp';
import type { Logger } from 'pino';
import type { ControlMetrics } from '../metrics.js';
import { routeFamilyOf, routeKey, xmppFamilyOf } from './routing/entries.js';
import { AgentNotAuthorizedError, AgentRouteLimitError, InvalidRouteItemError } from './routing/errors.js';
import type { RouteChange, RouteDb, RouteFamily, RoutePath } from './routing/route-db.js';
import { itemXml, RouteMessageWriter, retractXml } from './routing/route-messages.js';

/** What the agent server needs of the config feed (E1's ConfigFeed implements it). */
export interface AgentConfigFeed {
  attach(agentName: string, session: AgentSession): void;
  detach(agentName: string): void;
  /** Subscribes to deletions of virtual-routers (by agent name); returns the unsubscribe. */
  onVirtualRouterDeleted?(fn: (agentName: string) => void): () => void;
}

export interface AgentServerOptions {
  host: string;
  port: number;
  /** Sent as the stream header's `from` (TF: the control node's hostname). */
  hostname: string;
  tls?: TlsOptions;
  maxSessions?: number;
  maxSubscriptions?: number;
  maxStanzaSize?: number;
  maxWriteBuffer?: number;
  holdTimeMs?: number;
  /** Paths one agent may publish before its session is closed. */
  maxRoutesPerAgent: number;
  /** How long a disconnected agent's paths stay (stale) before they are withdrawn. */
  gracefulRestartMs: number;
  /** Resolves whether `name` is a configured virtual-router (the index first, then the store). */
  authorize(name: string): boolean | Promise<boolean>;
  db: RouteDb;
  feed?: AgentConfigFeed;
  metrics: ControlMetrics;
  log: Logger;
}

export type AgentStateName = 'established' | 'graceful-restart';

export interface AgentView {
  name: string;
  address: string;
  state: AgentStateName;
  since: string;
  instances: string[];
  routesPublished: number;
  staleSweepPending: boolean;
}

type Pending = Map<string, Map<RouteFamily, Map<string, readonly RoutePath[]>>>;

class AgentState {
  session: AgentSession | undefined;
  address = '';
  state: AgentStateName = 'established';
  since = new Date();
  readonly subscriptions = new Map<string, Subscription>();
  /** Changes not yet sent, coalesced by instance, family and key. */
  pending: Pending = new Map();
  endOfRibDue = false;
  /** Waiting for the socket's 'drain' before sending more. */
  waitingDrain = false;
  readonly writer: RouteMessageWriter;
  graceTimer: NodeJS.Timeout | undefined;
  /** Set after a reconnect within the grace time: sweep stale paths on the agent's End-of-RIB. */
  sweepTimer: NodeJS.Timeout | undefined;
  /** Its virtual-router was deleted: on disconnect its paths go at once, with no graceful restart. */
  retired = false;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.writer = new RouteMessageWriter(name);
  }

  queue(instance: string, family: RouteFamily, key: string, paths: readonly RoutePath[]): void {
    let byFamily = this.pending.get(instance);
    if (!byFamily) {
      byFamily = new Map();
      this.pending.set(instance, byFamily);
    }
    let byKey = byFamily.get(family);
    if (!byKey) {
      byKey = new Map();
      byFamily.set(family, byKey);
    }
    byKey.set(key, paths);
  }
}

const MAX_LABEL = 0xfffff;
/** Bytes an agent's socket may hold before its updates wait for 'drain'. */
const SEND_WINDOW = 256 * 1024;
/** Minimum time between two flushes in a burst (the first change after a quiet spell goes at once). */
const FLUSH_GAP_MS = 4;
const OUT_UPDATE = { direction: 'out', kind: 'route-update' };
const OUT_RETRACT = { direction: 'out', kind: 'route-retract' };
const OUT_EOR = { direction: 'out', kind: 'end-of-rib' };
const IN_EOR = { direction: 'in', kind: 'end-of-rib' };
const IN_SUBSCRIBE = { direction: 'in', kind: 'subscribe' };
const IN_UNSUBSCRIBE = { direction: 'in', kind: 'unsubscribe' };
const IN_PUBLISH = { direction: 'in', kind: 'route-publish' };
const IN_WITHDRAW = { direction: 'in', kind: 'route-withdraw' };
const FAMILY_LABELS: Record<RouteFamily, { family: RouteFamily }> = {
  inet: { family: 'inet' },
  inet6: { family: 'inet6' },
  enet: { family: 'enet' },
};
const FAMILY_AF: Record<RouteFamily, number> = { inet: 1, inet6: 2, enet: 25 };

/** Why TF's control node would skip this item (PROTOCOL.md section 8), or undefined when it is acceptable. */
export function invalidRouteReason(family: RouteFamily, route: Route): string | undefined {
  const entry = route.entry as { nlri: { af: number; address: string }; nextHops: unknown[] };
  if (entry.nlri.af !== FAMILY_AF[family]) return `nlri af ${entry.nlri.af} is not ${FAMILY_AF[family]}`;
  if (entry.nextHops.length !== 1) return `${entry.nextHops.length} next hops (one expected)`;
  const nh = entry.nextHops[0] as { address: string; label: number };
  if (!Number.isInteger(nh.label) || nh.label < 0 || nh.label > MAX_LABEL) return `label ${nh.label}`;
  if (isIP(nh.address) === 0) return `next hop '${nh.address}' is not an address`;
  const slash = entry.nlri.address.lastIndexOf('/');
  const addr = slash < 0 ? entry.nlri.address : entry.nlri.address.slice(0, slash);
  if (family === 'enet') {
    if (addr !== '' && isIP(addr) === 0) return `address '${entry.nlri.address}'`;
  } else if (isIP(addr) !== (family === 'inet' ? 4 : 6) || slash < 0) {
    return `prefix '${entry.nlri.address}' is not ${family}`;
  }
  return undefined;
}

export interface AgentServerEvents {
  /** An instance got its first subscribed agent (true) or lost its last one (false). */
  interest: [instance: string, subscribed: boolean];
}

export class AgentServer extends EventEmitter<AgentServerEvents> {
  private readonly xmpp: XmppServer;
  private readonly agents = new Map<string, AgentState>();
  /** instance -> agents subscribed to it that want routes (no no-ribout). */
  private readonly subscribers = new Map<string, Set<AgentState>>();
  private readonly dirty = new Set<AgentState>();
  private flushScheduled = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private closed = false;
  private readonly onChange = (ch: RouteChange) => this.routeChanged(ch);
  private readonly offRouterDeleted: (() => void) | undefined;

  constructor(private readonly opts: AgentServerOptions) {
    super();
    this.xmpp = new XmppServer({
      hostname: opts.hostname,
      logger: opts.log,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.maxSessions !== undefined ? { maxSessions: opts.maxSessions } : {}),
      ...(opts.maxSubscriptions !== undefined ? { maxSubscriptions: opts.maxSubscriptions } : {}),
      ...(opts.maxStanzaSize !== undefined ? { maxStanzaSize: opts.maxStanzaSize } : {}),
      ...(opts.maxWriteBuffer !== undefined ? { maxWriteBuffer: opts.maxWriteBuffer } : {}),
      ...(opts.holdTimeMs !== undefined ? { holdTimeMs: opts.holdTimeMs } : {}),
    });
    this.xmpp.on('session', (s) => this.accept(s));
    this.xmpp.on('connection-failed', (remote, reason) =>
      opts.log.info({ remote, err: reason?.message }, 'agent connection failed'),
    );
    opts.db.on('change', this.onChange);
    this.offRouterDeleted = opts.feed?.onVirtualRouterDeleted?.((name) => this.routerDeleted(name));
    opts.metrics.agentsConnected.read = () => [[{}, this.connectedCount]];
  }

  /** The listening port, once listen() resolved. */
  port: number | undefined;

  async listen(): Promise<{ address: string; port: number }> {
    const a = await this.xmpp.listen(this.opts.port, this.opts.host);
    this.port = a.port;
    this.opts.log.info(
      { host: a.address, port: a.port, tls: !!this.opts.tls },
      'XMPP server for agents listening',
    );
    return { address: a.address, port: a.port };
  }

  get connectedCount(): number {
    let n = 0;
    for (const a of this.agents.values()) if (a.session) n++;
    return n;
  }

  /** Agents with a session or within their graceful-restart time. */
  agentViews(): AgentView[] {
    return [...this.agents.values()].map((a) => ({
      name: a.name,
      address: a.address,
      state: a.state,
      since: a.since.toISOString(),
      instances: [...a.subscriptions.keys()],
      routesPublished: this.opts.db.sourceCount(a.source),
      staleSweepPending: a.sweepTimer !== undefined,
    }));
  }

  /** Number of agents subscribed to an instance. */
  subscriberCount(instance: string): number {
    return this.subscribers.get(instance)?.size ?? 0;
  }

  private accept(s: AgentSession): void {
    const name = s.agent;
    // Events that arrive while the name is checked are kept and replayed in order.
    let backlog: (() => void)[] | undefined = [];
    const later =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (backlog) backlog.push(() => fn(...a));
        else fn(...a);
      };
    let state: AgentState | undefined;
    s.on(
      'subscribe',
      later((vrf, sub) => state && this.subscribe(state, vrf, sub)),
    );
    s.on(
      'unsubscribe',
      later((vrf) => state && this.unsubscribe(state, vrf)),
    );
    s.on(
      'route',
      later((ev) => state && this.route(state, s, ev)),
    );
    s.on(
      'end-of-rib',
      later(() => state && this.agentEndOfRib(state)),
    );
    s.once('close', (reason) => {
      backlog = undefined;
      if (state) this.disconnected(state, s, reason?.message);
    });
    const admit = (ok: boolean) => {
      if (s.session.state === 'closed' || this.closed) return;
      if (!ok) {
        this.opts.metrics.agentRejects.inc({ reason: 'not-authorized' });
        this.opts.log.warn({ agent: name, remote: s.remoteAddress }, 'unknown agent refused');
        backlog = undefined;
        s.close(new AgentNotAuthorizedError(name));
        return;
      }
      state = this.connected(name, s);
      const queued = backlog ?? [];
      backlog = undefined;
      for (const fn of queued) fn();
    };
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.opts.authorize(name);
    } catch (e) {
      this.opts.log.error({ err: e, agent: name }, 'agent authorization failed');
      verdict = false;
    }
    if (typeof verdict === 'boolean') admit(verdict);
    else
      verdict.then(admit, (e: unknown) => {
        this.opts.log.error({ err: e, agent: name }, 'agent authorization failed');
        admit(false);
      });
  }

  private connected(name: string, s: AgentSession): AgentState {
    let a = this.agents.get(name);
    const restarting = a !== undefined && a.state === 'graceful-restart';
    if (!a) {
      a = new AgentState(name, `agent:${name}`);
      this.agents.set(name, a);
    } else if (a.session) {
      // A session replaced by the same agent from the same address (the XmppServer retired the old one):
      // treat it like a reconnect within the grace time.
      this.dropSession(a);
      this.opts.db.markStale(a.source);
    }
    a.session = s;
    a.address = s.remoteAddress;
    a.state = 'established';
    a.since = new Date();
    if (a.graceTimer) clearTimeout(a.graceTimer);
    a.graceTimer = undefined;
    if (restarting || this.opts.db.sourceCount(a.source) > 0) {
      const agent = a;
      if (agent.sweepTimer) clearTimeout(agent.sweepTimer);
      agent.sweepTimer = setTimeout(() => this.sweep(agent, 'timer'), this.opts.gracefulRestartMs);
    }
    this.opts.log.info({ agent: name, remote: s.remoteAddress, restarting }, 'agent connected');
    this.opts.feed?.attach(name, s);
    return a;
  }

  private sweep(a: AgentState, why: string): void {
    if (a.sweepTimer) clearTimeout(a.sweepTimer);
    a.sweepTimer = undefined;
    const n = this.opts.db.sweepStale(a.source);
    if (n > 0) this.opts.log.info({ agent: a.name, paths: n, why }, 'stale paths swept');
  }

  private agentEndOfRib(a: AgentState): void {
    this.opts.metrics.xmppMessages.inc(IN_EOR);
    if (a.sweepTimer) this.sweep(a, 'end-of-rib');
  }

  private subscribe(a: AgentState, vrf: string, sub: Subscription): void {
    this.opts.metrics.xmppMessages.inc(IN_SUBSCRIBE);
    a.subscriptions.set(vrf, sub);
    if (sub.noRibout) return;
    let set = this.subscribers.get(vrf);
    if (!set) {
      set = new Set();
      this.subscribers.set(vrf, set);
    }
    set.add(a);
    if (set.size === 1) this.emit('interest', vrf, true);
    // Full table of the instance, then End-of-RIB after it.
    for (const family of ['inet', 'inet6', 'enet'] as const)
      for (const [key, paths] of this.opts.db.routes(vrf, family)) a.queue(vrf, family, key, paths);
    a.endOfRibDue = true;
    this.markDirty(a);
  }

  private unsubscribe(a: AgentState, vrf: string): void {
    this.opts.metrics.xmppMessages.inc(IN_UNSUBSCRIBE);
    a.subscriptions.delete(vrf);
    this.leave(a, vrf);
    a.pending.delete(vrf);
    // As TF: the agent's routes in that instance go with its subscription.
    this.opts.db.removeSource(a.source, vrf);
  }

  private route(a: AgentState, s: AgentSession, ev: RouteEvent): void {
    const m = this.opts.metrics;
    m.xmppMessages.inc(ev.op === 'add' ? IN_PUBLISH : IN_WITHDRAW);
    const family = routeFamilyOf(ev.route.family);
    if (!family) {
      this.opts.log.debug({ agent: a.name, family: ev.route.family }, 'multicast route ignored');
      return;
    }
    const key = routeKey(ev.route);
    if (ev.op === 'delete') {
      this.opts.db.removePath(ev.vrf, family, key, a.source);
      return;
    }
    const reason = invalidRouteReason(family, ev.route);
    if (reason) {
      m.invalidRoutes.inc({ family });
      this.opts.log.warn(
        { agent: a.name, err: new InvalidRouteItemError(a.name, ev.vrf, reason).message },
        'route item skipped',
      );
      return;
    }
    // The decoder's strings are slices of the received message: kept as they are, every stored route would
    // hold its whole <iq> text alive. The RouteDb keeps copies (structuredClone makes every string anew).
    const entry = structuredClone(ev.route.entry) as RoutePath['entry'];
    // The same for the VRF name: the instance's own name when it exists (each path notes its origin instance).
    const vrf = this.opts.db.instance(ev.vrf)?.name ?? ownString(ev.vrf);
    this.opts.db.addPath(vrf, family, routeKey({ ...ev.route, entry } as typeof ev.route), {
      source: a.source,
      entry,
    });
    if (this.opts.db.sourceCount(a.source) > this.opts.maxRoutesPerAgent)
      s.close(new AgentRouteLimitError(a.name, this.opts.maxRoutesPerAgent));
  }

  private leave(a: AgentState, vrf: string): void {
    const set = this.subscribers.get(vrf);
    if (!set?.delete(a) || set.size > 0) return;
    this.subscribers.delete(vrf);
    this.emit('interest', vrf, false);
  }

  private dropSession(a: AgentState): void {
    for (const vrf of a.subscriptions.keys()) this.leave(a, vrf);
    a.subscriptions.clear();
    a.pending = new Map();
    a.endOfRibDue = false;
    a.waitingDrain = false;
    this.dirty.delete(a);
    a.session = undefined;
    this.opts.feed?.detach(a.name);
  }

  /** The agent's virtual-router left config: end its session (not-authorized) and withdraw its routes. */
  private routerDeleted(name: string): void {
    const a = this.agents.get(name);
    if (a === undefined || this.closed) return;
    a.retired = true;
    const s = a.session;
    if (s !== undefined) {
      this.opts.metrics.agentRejects.inc({ reason: 'not-authorized' });
      this.opts.log.warn({ agent: name }, 'virtual-router deleted: agent session closed');
      // Its 'close' handler (disconnected) withdraws the paths, now or when the socket reports it.
      s.close(new AgentNotAuthorizedError(name));
      if (a.session === s) this.disconnected(a, s, 'virtual-router deleted');
    } else this.retire(a);
  }

  private retire(a: AgentState): void {
    if (a.graceTimer) clearTimeout(a.graceTimer);
    if (a.sweepTimer) clearTimeout(a.sweepTimer);
    a.graceTimer = undefined;
    a.sweepTimer = undefined;
    this.opts.db.removeSource(a.source);
    if (this.agents.get(a.name) === a) this.agents.delete(a.name);
  }

  private disconnected(a: AgentState, s: AgentSession, why: string | undefined): void {
    if (a.session !== s) return; // already replaced by a newer session
    this.dropSession(a);
    if (this.closed) return;
    if (a.retired) {
      this.opts.log.info(
        { agent: a.name, why },
        'agent disconnected; its virtual-router is gone: paths withdrawn',
      );
      this.retire(a);
      return;
    }
    if (a.sweepTimer) clearTimeout(a.sweepTimer);
    a.sweepTimer = undefined;
    const stale = this.opts.db.markStale(a.source);
    this.opts.log.info({ agent: a.name, why, stalePaths: stale }, 'agent disconnected');
    if (stale === 0) {
      this.agents.delete(a.name);
      return;
    }
    a.state = 'graceful-restart';
    a.since = new Date();
    a.graceTimer = setTimeout(() => {
      a.graceTimer = undefined;
      this.opts.log.info({ agent: a.name }, 'graceful-restart time over: paths withdrawn');
      this.opts.db.removeSource(a.source);
      this.agents.delete(a.name);
    }, this.opts.gracefulRestartMs);
  }

  private routeChanged(ch: RouteChange): void {
    this.opts.metrics.routeChanges.inc(FAMILY_LABELS[ch.family]);
    const subs = this.subscribers.get(ch.instance);
    if (!subs) return;
    for (const a of subs) {
      a.queue(ch.instance, ch.family, ch.key, ch.paths);
      this.markDirty(a);
    }
  }

  private markDirty(a: AgentState): void {
    this.dirty.add(a);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A change after a quiet spell goes out on the next turn; in a burst, flushes are FLUSH_GAP_MS apart so
    // that each carries more keys per message (fewer messages, writes and allocations per route).
    const wait = this.lastFlush + FLUSH_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(this.flushNow);
    else this.flushTimer = setTimeout(this.flushNow, wait);
  }

  private readonly flushNow = () => this.flush();

  /** Sends every dirty agent its coalesced changes (see flushAgent). */
  private flush(): void {
    this.flushScheduled = false;
    this.flushTimer = undefined;
    if (this.closed) return;
    this.lastFlush = performance.now();
    const agents = [...this.dirty];
    this.dirty.clear();
    for (const a of agents) this.flushAgent(a);
  }

  /**
   * Sends one agent its pending changes (32 items or 256 retracts to a message, all of one flush in one socket
   * write), then End-of-RIB when one is due. Stops at SEND_WINDOW bytes in the socket and goes on at its
   * 'drain': what waits stays in the pending map (coalesced, as references) instead of as XML in socket
   * buffers, which bounds memory when agents read slower than the controller writes.
   */
  private flushAgent(a: AgentState): void {
    const s = a.session;
    if (!s || s.session.state === 'closed') return;
    const room = SEND_WINDOW - s.session.writableLength;
    if (room <= 0) {
      this.waitDrain(a, s);
      return;
    }
    const w = a.writer;
    outer: for (const [vrf, byFamily] of a.pending) {
      for (const [family, byKey] of byFamily) {
        const xf = xmppFamilyOf(family);
        for (const [key, paths] of byKey) {
          if (w.length >= room) break outer;
          if (paths.length === 0) w.add(xf, vrf, 'retract', retractXml(key));
          else w.add(xf, vrf, 'item', itemXml(family, key, paths));
          byKey.delete(key);
        }
        byFamily.delete(family);
      }
      a.pending.delete(vrf);
    }
    const done = a.pending.size === 0;
    let xml = w.take();
    const m = this.opts.metrics;
    if (w.itemMessages > 0) m.xmppMessages.inc(OUT_UPDATE, w.itemMessages);
    if (w.retractMessages > 0) m.xmppMessages.inc(OUT_RETRACT, w.retractMessages);
    w.itemMessages = 0;
    w.retractMessages = 0;
    if (done && a.endOfRibDue) {
      a.endOfRibDue = false;
      xml += encodeEndOfRib(CONTROL_NODE_JID, `${a.name}/${RESOURCE_BGP}`);
      m.xmppMessages.inc(OUT_EOR);
    }
    const flowing = xml === '' || s.session.send(xml);
    if (done) return;
    if (flowing) this.markDirty(a);
    else this.waitDrain(a, s);
  }

  private waitDrain(a: AgentState, s: AgentSession): void {
    if (a.waitingDrain) return;
    a.waitingDrain = true;
    s.session.once('drain', () => {
      if (a.session !== s) return;
      a.waitingDrain = false;
      this.markDirty(a);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opts.db.off('change', this.onChange);
    this.offRouterDeleted?.();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const a of this.agents.values()) {
      if (a.graceTimer) clearTimeout(a.graceTimer);
      if (a.sweepTimer) clearTimeout(a.sweepTimer);
    }
    await this.xmpp.close();
    this.agents.clear();
    this.subscribers.clear();
  }
}
