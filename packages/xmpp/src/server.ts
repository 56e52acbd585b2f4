// The control-node side: accepts many agents, keys them by the header's `from`, and enforces the dialect's
// channel rules the way TF's control node does (PROTOCOL.md sections 1, 4, 5, 8):
//   - a second session with the same agent name from another address is refused; a re-open from the same
//     address retires the old session (graceful-restart helper behaviour);
//   - a duplicate subscribe, an unsubscribe of an unknown VRF, or a route for a VRF that is not subscribed
//     closes the channel;
//   - a publish is held until its collection; the next publish replaces a held one; a collection whose node
//     does not match, or without a publish, is dropped with a log; a publish with no item is End-of-RIB.
// Each session has its own framer, timers and buffers; a fault closes only that session.
import { EventEmitter } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type ConfigBlock, chunkConfig, encodeConfig } from './config.js';
import {
  CONFIG_JID_PREFIX,
  CONTROL_NODE_JID,
  DEFAULT_PORT,
  MAX_ITEMS_PER_MESSAGE,
  MAX_RETRACTS_PER_MESSAGE,
  RESOURCE_BGP,
  RESOURCE_CONFIG,
} from './constants.js';
import {
  DuplicateAgentError,
  SessionLimitError,
  SessionReplacedError,
  SubscriptionError,
  XmppError,
} from './errors.js';
import { type Family, parsePublishNode, type Route } from './families.js';
import { type Logger, silentLogger } from './logger.js';
import { encodeEndOfRib, encodeRouteRetract, encodeRouteUpdate, type RouteItem } from './pubsub.js';
import { type SessionOptions, type TlsOptions, XmppSession } from './session.js';
import { isConfigAddress, isConfigNode, type PublishStanza, type Stanza } from './stanza.js';
import { ownString } from './xml-text.js';

export interface ServerOptions {
  /** The control node's name, sent as the header's `from` (TF: its hostname). */
  hostname: string;
  holdTimeMs?: number;
  openTimeMs?: number;
  maxStanzaSize?: number;
  maxWriteBuffer?: number;
  /** Refuse connections beyond this many sessions (default 10000). */
  maxSessions?: number;
  /** Routing-instance plus config subscriptions one agent may hold (default 65536): a memory bound. */
  maxSubscriptions?: number;
  /** When set, agents must send this xmlns (TF "Subcluster mismatch"). */
  subcluster?: string;
  tls?: TlsOptions;
  streamErrors?: boolean;
  logger?: Logger;
}

export interface Subscription {
  instanceId?: number;
  noRibout: boolean;
}

export interface RouteEvent {
  op: 'add' | 'delete';
  vrf: string;
  node: string;
  route: Route;
  /** Master-instance inet routes may name their primary instance in the node. */
  primaryInstanceId?: number;
}

export interface AgentSessionEvents {
  subscribe: [vrf: string, sub: Subscription];
  unsubscribe: [vrf: string];
  route: [ev: RouteEvent];
  'end-of-rib': [];
  'config-subscribe': [node: string];
  'config-unsubscribe': [node: string];
  close: [reason: XmppError | undefined];
}

/** One agent's channel as the control node sees it. */
export class AgentSession extends EventEmitter<AgentSessionEvents> {
  readonly agent: string;
  readonly session: XmppSession;
  readonly subscriptions = new Map<string, Subscription>();
  readonly configSubscriptions = new Set<string>();
  private held: PublishStanza | undefined;
  private readonly from: string;
  private readonly log: Logger;

  private readonly maxSubscriptions: number;

  constructor(agent: string, session: XmppSession, log: Logger, maxSubscriptions = 65_536) {
    super();
    this.maxSubscriptions = maxSubscriptions;
    this.agent = agent;
    this.session = session;
    this.log = log;
    this.from = CONTROL_NODE_JID;
    session.on('stanza', (s) => {
      try {
        this.handle(s);
      } catch (err) {
        session.close(err as XmppError);
      }
    });
  }

  get remoteAddress(): string {
    return this.session.remoteAddress;
  }

  private handle(s: Stanza): void {
    switch (s.kind) {
      case 'subscribe':
      case 'unsubscribe': {
        if (
          s.kind === 'subscribe' &&
          this.subscriptions.size + this.configSubscriptions.size >= this.maxSubscriptions
        ) {
          throw new XmppError(`more than ${this.maxSubscriptions} subscriptions`, 'resource-constraint');
        }
        // A subscription's node is kept for the session's life (here and by listeners): own it, so it does
        // not pin the read buffer the iq arrived in.
        if (isConfigAddress(s.to) || isConfigNode(s.node)) {
          if (s.kind === 'subscribe') {
            const node = ownString(s.node);
            this.configSubscriptions.add(node);
            this.emit('config-subscribe', node);
          } else {
            this.configSubscriptions.delete(s.node);
            this.emit('config-unsubscribe', s.node);
          }
          return;
        }
        if (s.kind === 'subscribe') {
          if (this.subscriptions.has(s.node)) throw new SubscriptionError('duplicate-subscribe', s.node);
          const node = ownString(s.node);
          const sub: Subscription = { noRibout: s.noRibout === true };
          if (s.instanceId !== undefined) sub.instanceId = s.instanceId;
          this.subscriptions.set(node, sub);
          this.emit('subscribe', node, sub);
        } else {
          if (!this.subscriptions.delete(s.node)) throw new SubscriptionError('unknown-unsubscribe', s.node);
          this.emit('unsubscribe', s.node);
        }
        return;
      }
      case 'publish':
        if (s.route === undefined) {
          this.held = undefined;
          this.emit('end-of-rib');
        } else {
          if (this.held) this.log.debug({ agent: this.agent, node: this.held.node }, 'held publish replaced');
          this.held = s;
        }
        return;
      case 'collection': {
        const held = this.held;
        this.held = undefined;
        const op =
          held && s.associate.includes(held.node)
            ? 'add'
            : held && s.dissociate.includes(held.node)
              ? 'delete'
              : undefined;
        if (!held?.route || op === undefined) {
          this.log.info({ agent: this.agent, vrf: s.node }, 'collection without a matching publish dropped');
          return;
        }
        if (!this.subscriptions.has(s.node)) throw new SubscriptionError('not-subscribed', s.node);
        const ev: RouteEvent = { op, vrf: s.node, node: held.node, route: held.route };
        const parsed = parsePublishNode(held.node);
        if (parsed.primaryInstanceId !== undefined) ev.primaryInstanceId = parsed.primaryInstanceId;
        this.emit('route', ev);
        return;
      }
      case 'end-of-rib':
        this.emit('end-of-rib');
        return;
      default:
        // The CN ignores route messages and config from agents.
        this.log.debug({ agent: this.agent, kind: s.kind }, 'ignored stanza from agent');
    }
  }

  private get routesTo(): string {
    return `${this.agent}/${RESOURCE_BGP}`;
  }

  /** Sends routes of one family and VRF, 32 items per message. Returns false when the socket is full. */
  sendRoutes(family: Family, vrf: string, items: readonly RouteItem[]): boolean {
    let ok = true;
    for (let i = 0; i < items.length; i += MAX_ITEMS_PER_MESSAGE) {
      ok = this.session.send(
        encodeRouteUpdate(this.from, this.routesTo, family, vrf, items.slice(i, i + MAX_ITEMS_PER_MESSAGE)),
      );
    }
    return ok;
  }

  /** Withdraws routes by item id, 256 per message. */
  withdrawRoutes(family: Family, vrf: string, ids: readonly string[]): boolean {
    let ok = true;
    for (let i = 0; i < ids.length; i += MAX_RETRACTS_PER_MESSAGE) {
      ok = this.session.send(
        encodeRouteRetract(this.from, this.routesTo, family, vrf, ids.slice(i, i + MAX_RETRACTS_PER_MESSAGE)),
      );
    }
    return ok;
  }

  sendEndOfRib(): boolean {
    return this.session.send(encodeEndOfRib(this.from, this.routesTo));
  }

  /** Sends config, at most 16 objects per iq, to `default-global-system-config:<agent>/config`. */
  sendConfig(blocks: readonly ConfigBlock[]): boolean {
    const to = `${CONFIG_JID_PREFIX}${this.agent}/${RESOURCE_CONFIG}`;
    let ok = true;
    for (const chunk of chunkConfig(blocks)) ok = this.session.send(encodeConfig(this.from, to, chunk));
    return ok;
  }

  close(reason?: XmppError): void {
    this.session.close(reason);
  }
}

export interface ServerEvents {
  session: [s: AgentSession];
  'session-closed': [s: AgentSession, reason: XmppError | undefined];
  /** A connection that failed before it became an agent session (bad header, timeout, refused). */
  'connection-failed': [remote: string, reason: XmppError | undefined];
}

export class XmppServer extends EventEmitter<ServerEvents> {
  /** Established agent sessions by agent name. */
  readonly sessions = new Map<string, AgentSession>();
  private readonly pending = new Set<XmppSession>();
  private readonly server: Server;
  private readonly opts: ServerOptions;
  private readonly log: Logger;

  constructor(opts: ServerOptions) {
    super();
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.server = createServer((sock) => this.accept(sock));
  }

  /** Starts listening (default port 5269, all addresses, IPv4 and IPv6). */
  listen(port = DEFAULT_PORT, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Number of connections not yet established (header or TLS pending). */
  get pendingCount(): number {
    return this.pending.size;
  }

  private accept(sock: Socket): void {
    const o = this.opts;
    const max = o.maxSessions ?? 10_000;
    const remote = sock.remoteAddress ?? '';
    if (this.sessions.size + this.pending.size >= max) {
      this.log.warn({ remote }, new SessionLimitError(max).message);
      sock.destroy();
      return;
    }
    const so: SessionOptions = { role: 'server', name: o.hostname, logger: this.log };
    if (o.holdTimeMs !== undefined) so.holdTimeMs = o.holdTimeMs;
    if (o.openTimeMs !== undefined) so.openTimeMs = o.openTimeMs;
    if (o.maxStanzaSize !== undefined) so.maxStanzaSize = o.maxStanzaSize;
    if (o.maxWriteBuffer !== undefined) so.maxWriteBuffer = o.maxWriteBuffer;
    if (o.subcluster !== undefined) so.subcluster = o.subcluster;
    if (o.tls !== undefined) so.tls = o.tls;
    if (o.streamErrors !== undefined) so.streamErrors = o.streamErrors;
    const session = new XmppSession(sock, so);
    this.pending.add(session);
    session.once('established', (peer) => {
      this.pending.delete(session);
      const name = peer.from;
      const old = this.sessions.get(name);
      if (old) {
        if (old.remoteAddress !== session.remoteAddress) {
          const err = new DuplicateAgentError(name, old.remoteAddress, session.remoteAddress);
          session.close(err);
          this.emit('connection-failed', remote, err);
          return;
        }
        this.sessions.delete(name);
        old.close(new SessionReplacedError(name));
      }
      const agent = new AgentSession(name, session, this.log, o.maxSubscriptions);
      this.sessions.set(name, agent);
      session.once('close', (reason) => {
        if (this.sessions.get(name) === agent) this.sessions.delete(name);
        agent.emit('close', reason);
        this.emit('session-closed', agent, reason);
      });
      this.emit('session', agent);
    });
    session.once('close', (reason) => {
      if (this.pending.delete(session)) this.emit('connection-failed', remote, reason);
    });
  }

  /** Stops accepting, closes every session and resolves once the listener is closed. */
  close(): Promise<void> {
    for (const s of this.sessions.values()) s.close();
    for (const s of this.pending) s.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
