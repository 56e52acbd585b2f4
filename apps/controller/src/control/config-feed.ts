// Config over XMPP to agents (PROTOCOL.md section 7): for every attached agent session, what the agent
// subscribed (`virtual-router:default-global-system-config:<name>`, `virtual-machine:<uuid>`) selects a graph
// of config objects (config/walk.ts over the in-memory config/object-index.ts); the feed sends that graph on
// subscribe and afterwards only the difference, driven by the store's change stream. Each agent has its own
// record of what it was sent (node fingerprints and links), so an update goes only to agents whose graph it
// changes and a delete only to agents that hold the object.
//
// A change concerns an agent when it matches something the agent's last walk read (config/dependencies.ts): an
// object of its graph, a name it looked up (its virtual-router, a rule's tag), the children or back-refs of one
// type that it listed (a new VMI on one of its VMs, a new application-policy-set of a project it holds). Only
// those agents re-walk their graph and send the diff; finding them costs a few map reads per change. A walk is
// synchronous over the index; walks run one microtask after the first concerning change (so the changes of one
// store transaction make one push), from one queue that yields to the event loop every few milliseconds, so
// a change that concerns thousands of agents does not hold up API replies or XMPP traffic for long.
import type { EventEmitter } from 'node:events';
import type { AgentSession, ConfigBlock, ConfigLink, ConfigNode } from '@filament/xmpp';
import type { Logger } from 'pino';
import type { ControllerEvents } from '../controller.js';
import type { Change, Store } from '../store/interface.js';
import { DependentsIndex, RecordingView } from './config/dependencies.js';
import {
  DEFAULT_ENCAPSULATION_PRIORITIES,
  DesiredCache,
  type DesiredGraph,
  type IfmapItem,
  itemFromKey,
} from './config/desired.js';
import { INDEXED_TYPES, ObjectIndex } from './config/object-index.js';
import { type AgentInterest, GLOBAL_SYSTEM_CONFIG, walkAgentConfig } from './config/walk.js';

/** The part of an agent session the feed uses (AgentSession of @filament/xmpp). */
export type ConfigSession = Pick<AgentSession, 'on' | 'off' | 'sendConfig' | 'configSubscriptions'>;

export interface ConfigFeedOptions {
  store: Store;
  /** The controller's change stream (`Controller.changes`). */
  changes: EventEmitter<ControllerEvents>;
  log?: Logger;
  /** global-vrouter-config encapsulation priorities (default MPLSoUDP, MPLSoGRE, VXLAN). */
  encapsulationPriorities?: readonly string[];
  /** Wait before listing the store again after a failed load (default 2000 ms). */
  loadRetryMs?: number;
}

export interface ConfigFeedStats {
  agents: number;
  /** Objects (nodes and links, updates and deletes) handed to sessions. */
  objectsSent: number;
  walks: number;
  /** Config objects held in memory. */
  indexed: number;
  /** Times the walk queue gave the event loop a turn before going on. */
  yields: number;
}

/** Longest run of walks before the queue yields to the event loop. */
const WALK_SLICE_MS = 5;
const NO_DEPENDENCIES: ReadonlySet<string> = new Set();

const VR_NODE = `virtual-router:${GLOBAL_SYSTEM_CONFIG}:`;
const VM_NODE = 'virtual-machine:';

type SessionEvent = 'config-subscribe' | 'config-unsubscribe' | 'close';

class AgentFeed implements AgentInterest {
  virtualRouter: string | undefined;
  readonly virtualMachines = new Set<string>();
  /** Item key -> fingerprint of what the agent was sent and still holds. */
  readonly sent = new Map<string, string>();
  /** What the agent's last walk read (config/dependencies.ts). */
  dependencies: ReadonlySet<string> = NO_DEPENDENCIES;
  walks = 0;
  /** A walk is queued and has not run yet. */
  scheduled = false;
  closed = false;
  readonly listeners: { event: SessionEvent; fn: (node: string) => void }[] = [];

  constructor(
    readonly name: string,
    readonly session: ConfigSession,
  ) {}

  get subscribed(): boolean {
    return this.virtualRouter !== undefined || this.virtualMachines.size > 0;
  }
}

export class ConfigFeed {
  private readonly agents = new Map<string, AgentFeed>();
  private readonly index = new ObjectIndex();
  private readonly dependents = new DependentsIndex<AgentFeed>();
  /** Agents with a walk due, in the order their first concerning change came. */
  private readonly queue = new Set<AgentFeed>();
  private draining = false;
  /** Reused per change: the agents it concerns. */
  private readonly concerned = new Set<AgentFeed>();
  private readonly routerDeletedListeners = new Set<(name: string) => void>();
  private readonly changes: EventEmitter<ControllerEvents>;
  private readonly log: Logger | undefined;
  private readonly desired: DesiredCache;
  private readonly onChange = (c: Change): void => this.changed(c);
  private readonly idle = new Set<() => void>();
  private readonly ready: Promise<void>;
  private closed = false;
  readonly stats: ConfigFeedStats = { agents: 0, objectsSent: 0, walks: 0, indexed: 0, yields: 0 };

  constructor(opts: ConfigFeedOptions) {
    this.changes = opts.changes;
    this.log = opts.log;
    this.desired = new DesiredCache(
      this.index,
      { encapsulationPriorities: opts.encapsulationPriorities ?? DEFAULT_ENCAPSULATION_PRIORITIES },
      (o, err) => this.log?.warn({ err, type: o.type, uuid: o.uuid }, 'config object left out of the push'),
    );
    // Subscribe before listing: the index holds changes that arrive during the load.
    this.changes.on('change', this.onChange);
    this.ready = this.load(opts.store, opts.loadRetryMs ?? 2000);
  }

  private async load(store: Store, retryMs: number): Promise<void> {
    // Bounded by close(): a store that stays down keeps the feed empty, not the process busy.
    while (!this.closed) {
      try {
        await this.index.load(store);
        this.stats.indexed = this.index.size;
        this.log?.info({ objects: this.index.size }, 'config feed loaded');
        return;
      } catch (err) {
        this.log?.error({ err }, 'config feed: loading the store failed; retrying');
        await new Promise((r) => setTimeout(r, retryMs).unref());
      }
    }
  }

  /** Starts serving config to one agent's session (replacing an earlier session of that agent). */
  attach(agentName: string, session: ConfigSession): void {
    this.detach(agentName);
    const a = new AgentFeed(agentName, session);
    a.listeners.push(
      { event: 'config-subscribe', fn: (node) => this.subscription(a, node, true) },
      { event: 'config-unsubscribe', fn: (node) => this.subscription(a, node, false) },
      {
        event: 'close',
        fn: () => {
          if (this.agents.get(agentName) === a) this.detach(agentName);
        },
      },
    );
    for (const l of a.listeners) session.on(l.event, l.fn as () => void);
    this.agents.set(agentName, a);
    this.stats.agents = this.agents.size;
    // Subscriptions that arrived before the attach.
    for (const node of session.configSubscriptions) this.subscription(a, node, true);
  }

  /** Stops serving an agent and forgets what it was sent (a new session starts from a full push). */
  detach(agentName: string): void {
    const a = this.agents.get(agentName);
    if (a === undefined) return;
    a.closed = true;
    for (const l of a.listeners) a.session.off(l.event, l.fn as () => void);
    this.queue.delete(a);
    this.dependents.update(a, a.dependencies, NO_DEPENDENCIES);
    a.dependencies = NO_DEPENDENCIES;
    this.agents.delete(agentName);
    this.stats.agents = this.agents.size;
    this.checkIdle();
  }

  /** Names of attached agents. */
  attached(): string[] {
    return [...this.agents.keys()];
  }

  /** Calls `fn` with the agent name of every virtual-router deleted from config (the agent server closes its session). */
  onVirtualRouterDeleted(fn: (name: string) => void): () => void {
    this.routerDeletedListeners.add(fn);
    return () => this.routerDeletedListeners.delete(fn);
  }

  /** Walks run for an attached agent so far (tests: which agents a change concerned). */
  walksOf(agentName: string): number | undefined {
    return this.agents.get(agentName)?.walks;
  }

  /** Resolves once the store is loaded and no agent has a push pending (tests, orderly shutdown). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.add(resolve);
      this.checkIdle();
    });
  }

  close(): void {
    this.closed = true;
    this.changes.off('change', this.onChange);
    for (const name of [...this.agents.keys()]) this.detach(name);
  }

  private checkIdle(): void {
    if (!this.index.loaded || this.draining || this.queue.size > 0) return;
    for (const r of this.idle) r();
    this.idle.clear();
  }

  private subscription(a: AgentFeed, node: string, on: boolean): void {
    if (node.startsWith(VR_NODE)) {
      const vr = node.slice(VR_NODE.length);
      if (vr === '') return;
      a.virtualRouter = on ? vr : undefined;
    } else if (node.startsWith(VM_NODE)) {
      const vm = node.slice(VM_NODE.length).toLowerCase();
      if (on) a.virtualMachines.add(vm);
      else a.virtualMachines.delete(vm);
    } else {
      this.log?.debug({ agent: a.name, node }, 'config subscription to an unknown node ignored');
      return;
    }
    this.schedule(a);
  }

  private changed(c: Change): void {
    const before = this.index.get(c.uuid);
    this.index.apply(c);
    if (c.kind === 'delete') this.desired.drop(c.uuid);
    this.stats.indexed = this.index.size;
    if (c.kind === 'delete' && c.type === 'virtual-router') this.routerDeleted(c);
    if (!INDEXED_TYPES.has(c.type)) return;
    // The version an agent read and the new one: a VMI moved to another VM concerns both VMs' agents.
    const concerned = this.concerned;
    concerned.clear();
    if (before !== undefined && before !== c.object) this.dependents.collect(before, concerned);
    this.dependents.collect(c.object, concerned);
    // An agent already queued reads the index after this change anyway.
    for (const a of concerned) if (a.subscribed && !a.scheduled) this.schedule(a);
    concerned.clear();
  }

  private routerDeleted(c: Change): void {
    const fq = c.object.fqName;
    if (fq.length !== 2 || fq[0] !== GLOBAL_SYSTEM_CONFIG) return;
    for (const fn of this.routerDeletedListeners) {
      try {
        fn(fq[1]!);
      } catch (err) {
        this.log?.error({ err, agent: fq[1] }, 'virtual-router deletion listener failed');
      }
    }
  }

  private schedule(a: AgentFeed): void {
    if (a.scheduled) return;
    a.scheduled = true;
    this.queue.add(a);
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      if (!this.index.loaded) await this.ready;
      // One microtask: the other changes of the same store transaction reach the index first.
      await Promise.resolve();
      let sliceStart = performance.now();
      // Bounded: every pass takes one agent off the queue or yields; agents come back only with new changes.
      while (this.queue.size > 0 && !this.closed && this.index.loaded) {
        if (performance.now() - sliceStart >= WALK_SLICE_MS) {
          this.stats.yields++;
          // The IF-MAP forms built for this slice's pushes: the next slice builds what it needs again.
          this.desired.release();
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
          continue;
        }
        const a = this.queue.values().next().value as AgentFeed;
        this.queue.delete(a);
        a.scheduled = false;
        if (a.closed) continue;
        try {
          this.sync(a);
        } catch (err) {
          this.log?.error({ err, agent: a.name }, 'config push failed');
        }
      }
    } finally {
      this.desired.release();
      this.draining = false;
      if (this.closed) {
        for (const a of this.queue) a.scheduled = false;
        this.queue.clear();
      }
      this.checkIdle();
    }
  }

  /** Walks the agent's graph and sends the difference from what it holds. */
  private sync(a: AgentFeed): void {
    const view = new RecordingView(this.index);
    const objects = walkAgentConfig(view, a);
    a.walks++;
    this.stats.walks++;
    this.dependents.update(a, a.dependencies, view.dependencies);
    a.dependencies = view.dependencies;
    const want = this.desired.desiredGraph(objects);
    const blocks = this.diff(a, want);
    if (blocks.length === 0) return;
    let n = 0;
    for (const b of blocks) n += b.objects.length;
    this.stats.objectsSent += n;
    a.session.sendConfig(blocks);
    this.log?.debug({ agent: a.name, objects: n }, 'config pushed');
  }

  private diff(a: AgentFeed, want: DesiredGraph): ConfigBlock[] {
    const updates: IfmapItem[] = [];
    for (const [k, e] of want) {
      if (a.sent.get(k) === e.fingerprint) continue;
      a.sent.set(k, e.fingerprint);
      updates.push(e.item);
    }
    // Deletes: links before nodes, so the agent never holds a link to a node it no longer has.
    const links: ConfigLink[] = [];
    const nodes: ConfigNode[] = [];
    for (const k of a.sent.keys()) {
      if (want.has(k)) continue;
      a.sent.delete(k);
      const item = itemFromKey(k);
      if (item.kind === 'link') links.push(item);
      else nodes.push(item);
    }
    const blocks: ConfigBlock[] = [];
    if (updates.length > 0) blocks.push({ op: 'update', objects: updates });
    if (links.length + nodes.length > 0) blocks.push({ op: 'delete', objects: [...links, ...nodes] });
    return blocks;
  }
}
