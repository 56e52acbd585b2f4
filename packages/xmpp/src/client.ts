// The agent side (PROTOCOL.md sections 1, 4, 5, 7): up to two control nodes, each an independent session
// with connect retry (about 50 ms, then min(2^(n-1), 30) s, +-10 % jitter). The application declares what
// it wants (VRF subscriptions, published routes, config subscriptions); every time a session comes up the
// client replays that state in the dialect's order: config subscribe (first session only: the config
// peer), VRF subscribes, publish + associate pairs, then End-of-RIB. So fail-over and reconnect need nothing
// from the application. Routes for a VRF that is not subscribed are refused locally, because the control
// node would close the channel.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  CONFIG_JID_PREFIX,
  CONTROL_NODE_JID,
  DEFAULT_PORT,
  MAX_SERVERS_PER_AGENT,
  RESOURCE_BGP,
  RESOURCE_CONFIG,
} from './constants.js';
import { EncodeError, SubscriptionError, type XmppError } from './errors.js';
import { publishNode, type Route } from './families.js';
import { retryDelay } from './keepalive.js';
import { type Logger, silentLogger } from './logger.js';
import { encodeEndOfRib, encodeRoutePublish, encodeSubscribe, type SubscribeOptions } from './pubsub.js';
import { type SessionOptions, type TlsOptions, XmppSession } from './session.js';
import type { ConfigStanza, RouteRetractStanza, RouteUpdateStanza } from './stanza.js';

export interface Endpoint {
  host: string;
  port?: number;
}

export interface ClientOptions {
  /** The agent name: the header's `from` (TF: hostname or DEFAULT.agent_name). */
  name: string;
  /** One or two control nodes. */
  servers: Endpoint[];
  /** Source address to bind (TF binds to the vhost0 IP). */
  localAddress?: string;
  subcluster?: string;
  holdTimeMs?: number;
  openTimeMs?: number;
  maxStanzaSize?: number;
  maxWriteBuffer?: number;
  tls?: TlsOptions;
  /** Scale of the exponential retry (1000 ms in TF); tests shorten it. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Subscribe `virtual-router:default-global-system-config:<name>` on the config peer (default true). */
  configSubscribe?: boolean;
  logger?: Logger;
}

export interface ClientEvents {
  established: [server: number];
  down: [server: number, reason: XmppError | undefined];
  'route-update': [server: number, msg: RouteUpdateStanza];
  'route-retract': [server: number, msg: RouteRetractStanza];
  'end-of-rib': [server: number];
  config: [server: number, msg: ConfigStanza];
}

/** One control node: its session and its retry state. */
class Channel {
  session: XmppSession | undefined;
  attempts = 0;
  timer: NodeJS.Timeout | undefined;
  /** A connect in flight, so stop() can abandon it. */
  connecting: Socket | undefined;
  seq = 0;
  constructor(
    readonly index: number,
    readonly endpoint: Endpoint,
  ) {}
}

export class XmppClient extends EventEmitter<ClientEvents> {
  private readonly opts: ClientOptions;
  private readonly log: Logger;
  private readonly channels: Channel[];
  private readonly subs = new Map<string, SubscribeOptions>();
  /** vrf -> publish node -> route */
  private readonly routes = new Map<string, Map<string, Route>>();
  private readonly configNodes = new Set<string>();
  private configPeer: number | undefined;
  private running = false;

  constructor(opts: ClientOptions) {
    super();
    if (opts.servers.length === 0 || opts.servers.length > MAX_SERVERS_PER_AGENT) {
      throw new EncodeError(
        'servers',
        `${opts.servers.length} servers; an agent keeps 1..${MAX_SERVERS_PER_AGENT}`,
      );
    }
    this.opts = opts;
    this.log = opts.logger ?? silentLogger;
    this.channels = opts.servers.map((e, i) => new Channel(i, e));
    if (opts.configSubscribe ?? true) this.configNodes.add(`virtual-router:${CONFIG_JID_PREFIX}${opts.name}`);
  }

  /** Connects to every server; reconnects on loss until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const ch of this.channels) this.schedule(ch);
  }

  /** Closes every session and stops retrying; resolves when all sockets are closed. */
  async stop(): Promise<void> {
    this.running = false;
    const waits: Promise<unknown>[] = [];
    for (const ch of this.channels) {
      clearTimeout(ch.timer);
      ch.connecting?.destroy();
      ch.connecting = undefined;
      const s = ch.session;
      if (s && s.state !== 'closed') {
        waits.push(new Promise((r) => s.once('close', r)));
        s.close();
      }
    }
    await Promise.all(waits);
  }

  /** Indexes of the servers whose session is established. */
  get establishedServers(): number[] {
    return this.channels.filter((c) => c.session?.established).map((c) => c.index);
  }

  /** The session of one server, when connected. */
  sessionOf(server: number): XmppSession | undefined {
    return this.channels[server]?.session;
  }

  private schedule(ch: Channel): void {
    if (!this.running) return;
    ch.attempts++;
    const delay = retryDelay(ch.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs);
    ch.timer = setTimeout(() => this.connect(ch), delay);
  }

  private connect(ch: Channel): void {
    if (!this.running) return;
    const o = this.opts;
    const sock: Socket = connect({
      host: ch.endpoint.host,
      port: ch.endpoint.port ?? DEFAULT_PORT,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    });
    const so: SessionOptions = { role: 'client', name: o.name, logger: this.log };
    if (o.subcluster !== undefined) so.subcluster = o.subcluster;
    if (o.holdTimeMs !== undefined) so.holdTimeMs = o.holdTimeMs;
    if (o.openTimeMs !== undefined) so.openTimeMs = o.openTimeMs;
    if (o.maxStanzaSize !== undefined) so.maxStanzaSize = o.maxStanzaSize;
    if (o.maxWriteBuffer !== undefined) so.maxWriteBuffer = o.maxWriteBuffer;
    if (o.tls !== undefined) so.tls = o.tls;
    ch.connecting = sock;
    const failed = (err: Error): void => {
      ch.connecting = undefined;
      sock.destroy();
      this.log.debug({ server: ch.index, err: err.message }, 'xmpp connect failed');
      ch.session = undefined;
      this.schedule(ch);
    };
    sock.once('error', failed);
    sock.once('connect', () => {
      ch.connecting = undefined;
      sock.off('error', failed);
      const s = new XmppSession(sock, so);
      ch.session = s;
      s.on('established', () => {
        ch.attempts = 0;
        this.replay(ch, s);
        this.emit('established', ch.index);
      });
      s.on('stanza', (st) => {
        if (st.kind === 'route-update') this.emit('route-update', ch.index, st);
        else if (st.kind === 'route-retract') this.emit('route-retract', ch.index, st);
        else if (st.kind === 'end-of-rib') this.emit('end-of-rib', ch.index);
        else if (st.kind === 'config') this.emit('config', ch.index, st);
      });
      s.once('close', (reason) => {
        ch.session = undefined;
        if (this.configPeer === ch.index) this.configPeer = undefined;
        this.emit('down', ch.index, reason);
        this.schedule(ch);
      });
    });
  }

  private get bgpTo(): string {
    return `${CONTROL_NODE_JID}/${RESOURCE_BGP}`;
  }

  /** Sends the whole declared state on a fresh session. */
  private replay(ch: Channel, s: XmppSession): void {
    let out = '';
    if (this.configPeer === undefined) {
      this.configPeer = ch.index;
      for (const node of this.configNodes) out += this.configXml('subscribe', node);
    }
    for (const [vrf, opts] of this.subs) out += this.subXml(ch, 'subscribe', vrf, opts);
    for (const [vrf, byNode] of this.routes) {
      for (const [node, route] of byNode) {
        out += encodeRoutePublish('associate', { from: this.opts.name, vrf, route, node, seq: ch.seq++ });
      }
    }
    out += encodeEndOfRib(this.opts.name, this.bgpTo);
    s.send(out);
  }

  private subXml(ch: Channel, op: 'subscribe' | 'unsubscribe', vrf: string, opts: SubscribeOptions): string {
    return encodeSubscribe(
      op,
      { from: this.opts.name, to: this.bgpTo, id: `subscribe${ch.seq++}` },
      vrf,
      opts,
    );
  }

  private configXml(op: 'subscribe' | 'unsubscribe', node: string): string {
    return encodeSubscribe(op, { from: this.opts.name, to: `${CONTROL_NODE_JID}/${RESOURCE_CONFIG}` }, node);
  }

  private broadcast(make: (ch: Channel) => string): void {
    for (const ch of this.channels) {
      if (ch.session?.established) ch.session.send(make(ch));
    }
  }

  /** Subscribes a routing instance on every control node (now and after each reconnect). */
  subscribe(vrf: string, opts: SubscribeOptions = {}): void {
    if (this.subs.has(vrf)) return;
    this.subs.set(vrf, opts);
    this.broadcast((ch) => this.subXml(ch, 'subscribe', vrf, opts));
  }

  /** Unsubscribes, withdrawing nothing: the control node drops the agent's routes of that VRF itself. */
  unsubscribe(vrf: string): void {
    const opts = this.subs.get(vrf);
    if (opts === undefined) return;
    this.subs.delete(vrf);
    this.routes.delete(vrf);
    this.broadcast((ch) => this.subXml(ch, 'unsubscribe', vrf, opts));
  }

  /** Publishes (adds or updates) a route in a subscribed VRF. */
  publish(vrf: string, route: Route): void {
    if (!this.subs.has(vrf)) throw new SubscriptionError('not-subscribed', vrf);
    const node = publishNode(route, vrf);
    let byNode = this.routes.get(vrf);
    if (!byNode) {
      byNode = new Map();
      this.routes.set(vrf, byNode);
    }
    byNode.set(node, route);
    this.broadcast((ch) =>
      encodeRoutePublish('associate', { from: this.opts.name, vrf, route, node, seq: ch.seq++ }),
    );
  }

  /** Withdraws a route published earlier (the entry is sent again, as the TF agent does). */
  withdraw(vrf: string, route: Route): void {
    const node = publishNode(route, vrf);
    const byNode = this.routes.get(vrf);
    if (!byNode?.delete(node)) return;
    this.broadcast((ch) =>
      encodeRoutePublish('dissociate', { from: this.opts.name, vrf, route, node, seq: ch.seq++ }),
    );
  }

  /** Subscribes config for a VM (`virtual-machine:<uuid>`) on the config peer. */
  subscribeConfig(node: string): void {
    if (this.configNodes.has(node)) return;
    this.configNodes.add(node);
    const ch = this.configPeer === undefined ? undefined : this.channels[this.configPeer];
    if (ch?.session?.established) ch.session.send(this.configXml('subscribe', node));
  }

  unsubscribeConfig(node: string): void {
    if (!this.configNodes.delete(node)) return;
    const ch = this.configPeer === undefined ? undefined : this.channels[this.configPeer];
    if (ch?.session?.established) ch.session.send(this.configXml('unsubscribe', node));
  }
}
