// Config over XMPP to agents (PROTOCOL.md section 7): for every attached agent session, what the agent
// subscribed (`virtual-router:default-global-system-config:<name>`, `virtual-machine:<uuid>`) selects a graph
// of config objects (config/walk.ts); the feed sends that graph on subscribe and afterwards only the
// difference, driven by the store's change stream. Each agent has its own record of what it was sent (node
// fingerprints and links), so an update goes only to agents whose graph it changes and a delete only to agents
// that hold the object.
//
// A change is relevant to an agent when it touches an object of the agent's graph, points at one (a new VMI
// referring to one of its VMs, a new instance-ip referring to one of its VMIs), is a child of one, or is the
// agent's virtual-router or subscribed VM. Relevant agents recompute their graph and send the diff; walks of
// one agent never overlap; changes arriving meanwhile are judged against the graph that walk finds, and the
// relevant ones fold into one more walk.
import type { EventEmitter } from 'node:events';
import type { AgentSession, ConfigBlock, ConfigLink, ConfigNode } from '@filament/xmpp';
import type { Logger } from 'pino';
import type { ControllerEvents } from '../controller.js';
import type { Change, Store } from '../store/interface.js';
import { type DesiredGraph, desiredGraph, type IfmapItem, itemFromKey } from './config/desired.js';
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
}

export interface ConfigFeedStats {
  agents: number;
  /** Config iq payloads handed to sessions (update and delete objects). */
  objectsSent: number;
  walks: number;
}

/** Beyond this many changes during one walk, walk again without judging them one by one. */
const MAX_HELD_CHANGES = 10_000;
const VR_NODE = `virtual-router:${GLOBAL_SYSTEM_CONFIG}:`;
const VM_NODE = 'virtual-machine:';

class AgentFeed implements AgentInterest {
  virtualRouter: string | undefined;
  readonly virtualMachines = new Set<string>();
  /** Item key -> fingerprint of what the agent was sent and still holds. */
  readonly sent = new Map<string, string>();
  /** Store uuids of the agent's graph at the last walk. */
  uuids = new Set<string>();
  walking = false;
  again = false;
  /** Changes that arrived during a walk, judged against the graph that walk finds. */
  duringWalk: Change[] = [];
  closed = false;
  readonly listeners: {
    event: 'config-subscribe' | 'config-unsubscribe' | 'close';
    fn: (n?: unknown) => void;
  }[] = [];

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
  private readonly store: Store;
  private readonly changes: EventEmitter<ControllerEvents>;
  private readonly log: Logger | undefined;
  private readonly encapsulationPriorities: readonly string[];
  private readonly onChange = (c: Change): void => this.changed(c);
  private readonly idle = new Set<() => void>();
  readonly stats: ConfigFeedStats = { agents: 0, objectsSent: 0, walks: 0 };

  constructor(opts: ConfigFeedOptions) {
    this.store = opts.store;
    this.changes = opts.changes;
    this.log = opts.log;
    this.encapsulationPriorities = opts.encapsulationPriorities ?? ['MPLSoUDP', 'MPLSoGRE', 'VXLAN'];
    this.changes.on('change', this.onChange);
  }

  /** Starts serving config to one agent's session (replacing an earlier session of that agent). */
  attach(agentName: string, session: ConfigSession): void {
    this.detach(agentName);
    const a = new AgentFeed(agentName, session);
    const sub = (node?: unknown) => this.subscription(a, node as string, true);
    const unsub = (node?: unknown) => this.subscription(a, node as string, false);
    const close = () => {
      if (this.agents.get(agentName) === a) this.detach(agentName);
    };
    a.listeners.push(
      { event: 'config-subscribe', fn: sub },
      { event: 'config-unsubscribe', fn: unsub },
      { event: 'close', fn: close },
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
    this.agents.delete(agentName);
    this.stats.agents = this.agents.size;
    this.checkIdle();
  }

  /** Names of attached agents. */
  attached(): string[] {
    return [...this.agents.keys()];
  }

  /** Resolves when no agent has a walk in progress or pending (tests, orderly shutdown). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.add(resolve);
      this.checkIdle();
    });
  }

  close(): void {
    this.changes.off('change', this.onChange);
    for (const name of [...this.agents.keys()]) this.detach(name);
  }

  private checkIdle(): void {
    for (const a of this.agents.values()) if (a.walking) return;
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

  private relevant(a: AgentFeed, c: Change): boolean {
    if (a.uuids.has(c.uuid)) return true;
    const o = c.object;
    if (o.parentUuid !== undefined && a.uuids.has(o.parentUuid)) return true;
    for (const r of o.refs) if (a.uuids.has(r.uuid)) return true;
    if (c.type === 'virtual-router') {
      return (
        a.virtualRouter !== undefined && o.fqName.join(':') === `${GLOBAL_SYSTEM_CONFIG}:${a.virtualRouter}`
      );
    }
    return c.type === 'virtual-machine' && a.virtualMachines.has(c.uuid);
  }

  private changed(c: Change): void {
    for (const a of this.agents.values()) {
      if (!a.subscribed) continue;
      if (!a.walking) {
        if (this.relevant(a, c)) this.schedule(a);
      } else if (!a.again) {
        // The walk in progress may have read past this change: judge it once the walk knows the new graph.
        if (a.duringWalk.length < MAX_HELD_CHANGES) a.duringWalk.push(c);
        else a.again = true;
      }
    }
  }

  private schedule(a: AgentFeed): void {
    if (a.walking) {
      a.again = true;
      return;
    }
    a.walking = true;
    void this.run(a);
  }

  private async run(a: AgentFeed): Promise<void> {
    try {
      do {
        a.again = false;
        a.duringWalk = [];
        await this.sync(a);
        if (!a.again) a.again = a.duringWalk.some((c) => this.relevant(a, c));
      } while (a.again && !a.closed);
      a.duringWalk = [];
    } catch (err) {
      this.log?.error({ err, agent: a.name }, 'config push failed');
    } finally {
      a.walking = false;
      this.checkIdle();
    }
  }

  /** Walks the agent's graph and sends the difference from what it holds. */
  private async sync(a: AgentFeed): Promise<void> {
    const objects = await walkAgentConfig(this.store, a);
    this.stats.walks++;
    if (a.closed) return;
    const want = desiredGraph(objects, { encapsulationPriorities: this.encapsulationPriorities });
    a.uuids = new Set(objects.keys());
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
