// A simulated control node for the agent's control tests, built from @filament/xmpp's XmppServer (the
// controller app is not imported: apps do not import each other). It holds TF REST-shaped config objects
// and pushes them to every agent that subscribes config (IF-MAP encoded with @filament/ifmap), and keeps a
// route table per VRF: what agents publish is reflected to every subscriber of the VRF (the publisher
// too: agents must ignore their own routes), with the next hops of all agents' paths for one key merged
// into one ECMP entry, and optional leaking between two VRFs (what a network policy does). It sends
// End-of-RIB after each subscribe burst, as the controller does.

import { type IfmapObject, nodeFromTfObject } from '@filament/ifmap';
import {
  type AgentSession,
  type ConfigBlock,
  type ConfigLink,
  type EnetEntry,
  itemId,
  type Route,
  type UnicastEntry,
  XmppServer,
} from '@filament/xmpp';

export type TfObject = Record<string, unknown>;

interface Path {
  agent: string;
  route: Route;
}

export class SimController {
  readonly server = new XmppServer({ hostname: 'sim-control', holdTimeMs: 90_000 });
  readonly objects = new Map<string, { type: string; obj: TfObject }>();
  /** vrf -> family|id -> agent -> path */
  readonly rib = new Map<string, Map<string, Map<string, Path>>>();
  readonly leaks: [string, string][] = [];
  readonly sessions = new Map<string, AgentSession>();
  /** Subscribes seen (VRF and config), for assertions. */
  readonly configSubscriptions: string[] = [];
  /** Do not reflect routes (a control node that knows no routes yet). */
  quietRoutes = false;
  port = 0;

  constructor(readonly host: string) {
    this.server.on('session', (s) => this.onSession(s));
  }

  async listen(port = 0): Promise<number> {
    const r = await this.server.listen(port, this.host);
    this.port = r.port;
    return r.port;
  }

  async close(): Promise<void> {
    await this.server.close();
    this.sessions.clear();
  }

  // ---------------------------------------------------------------- config

  private key(type: string, obj: TfObject): string {
    return `${type}\t${(obj.fq_name as string[]).join(':')}`;
  }

  private encode(type: string, obj: TfObject): IfmapObject {
    return nodeFromTfObject(type, obj);
  }

  private blocksFor(list: { type: string; obj: TfObject }[], op: 'update' | 'delete'): ConfigBlock[] {
    const nodes: ConfigBlock['objects'] = [];
    const links: ConfigBlock['objects'] = [];
    for (const { type, obj } of list) {
      const o = this.encode(type, obj);
      nodes.push(o.node, ...o.attributeNodes);
      links.push(...o.links);
    }
    // Updates: nodes, then the links between them; deletes: links first.
    return op === 'update'
      ? [{ op, objects: [...nodes, ...links] }]
      : [
          {
            op,
            objects: [...links, ...nodes.map((n) => (n.kind === 'node' ? { ...n, properties: [] } : n))],
          },
        ];
  }

  /** Which objects an agent gets (default all): a test hides another agent's workloads from one. */
  visibleTo: (agent: string, type: string, obj: TfObject) => boolean = () => true;

  private visible(
    agent: string,
    items: { type: string; obj: TfObject }[],
  ): { type: string; obj: TfObject }[] {
    return items.filter((it) => this.visibleTo(agent, it.type, it.obj));
  }

  /** Sends each config-subscribed agent the blocks `make` builds from the items it may see. */
  private pushConfig(
    items: { type: string; obj: TfObject }[],
    make: (items: { type: string; obj: TfObject }[]) => ConfigBlock[],
  ): void {
    for (const s of this.sessions.values()) {
      if (s.configSubscriptions.size === 0) continue;
      const mine = this.visible(s.agent, items);
      if (mine.length > 0) s.sendConfig(make(mine));
    }
  }

  /**
   * Adds or replaces objects and pushes them to the agents. A replaced object's references that are gone
   * travel as link deletes first (an IF-MAP update never removes a link by leaving it out).
   */
  set(...list: [type: string, obj: TfObject][]): void {
    const items = list.map(([type, obj]) => ({ type, obj }));
    const linkId = (l: ConfigLink) => `${l.left.type}\t${l.left.name}\t${l.right.type}\t${l.right.name}`;
    const olds = new Map<(typeof items)[number], { type: string; obj: TfObject }>();
    for (const it of items) {
      const k = this.key(it.type, it.obj);
      const old = this.objects.get(k);
      if (old) olds.set(it, old);
      this.objects.set(k, it);
    }
    this.pushConfig(items, (mine) => {
      const gone: ConfigBlock['objects'] = [];
      for (const it of mine) {
        const old = olds.get(it);
        if (!old) continue;
        const now = new Set(this.encode(it.type, it.obj).links.map(linkId));
        for (const l of this.encode(old.type, old.obj).links) if (!now.has(linkId(l))) gone.push(l);
      }
      const blocks = this.blocksFor(mine, 'update');
      return gone.length > 0 ? [{ op: 'delete', objects: gone }, ...blocks] : blocks;
    });
  }

  /** Removes objects (and their links) and pushes the deletes. */
  remove(...list: [type: string, obj: TfObject][]): void {
    const items = list.map(([type, obj]) => ({ type, obj }));
    for (const it of items) this.objects.delete(this.key(it.type, it.obj));
    this.pushConfig(items, (mine) => this.blocksFor(mine, 'delete'));
  }

  // ---------------------------------------------------------------- routes

  leak(a: string, b: string): void {
    this.leaks.push([a, b]);
  }

  private visibleIn(vrf: string): string[] {
    const out = [vrf];
    for (const [a, b] of this.leaks) {
      if (a === vrf) out.push(b);
      if (b === vrf) out.push(a);
    }
    return out;
  }

  /** The merged entry of one key in one VRF (every agent's next hop: ECMP), or undefined. */
  private merged(vrf: string, key: string): Route | undefined {
    const paths: Path[] = [];
    for (const src of this.visibleIn(vrf)) {
      const byAgent = this.rib.get(src)?.get(key);
      if (byAgent) paths.push(...byAgent.values());
    }
    if (paths.length === 0) return undefined;
    const first = paths[0]!.route;
    if (first.family === 'evpn') {
      // EVPN routes are not leaked between VRFs: only the VRF's own paths.
      const own = [...(this.rib.get(vrf)?.get(key)?.values() ?? [])];
      if (own.length === 0) return undefined;
      const e = own[0]!.route.entry as EnetEntry;
      return {
        family: 'evpn',
        entry: { ...e, nextHops: own.flatMap((p) => (p.route.entry as EnetEntry).nextHops) },
      };
    }
    const e = first.entry as UnicastEntry;
    return {
      family: first.family as 'inet' | 'inet6',
      entry: { ...e, nextHops: paths.flatMap((p) => (p.route.entry as UnicastEntry).nextHops) },
    };
  }

  private sendKey(vrf: string, family: string, id: string): void {
    const key = `${family}|${id}`;
    for (const target of this.visibleIn(vrf)) {
      const route = this.merged(target, key);
      for (const s of this.sessions.values()) {
        if (!s.subscriptions.has(target)) continue;
        if (route) s.sendRoutes(route.family, target, [{ id, route }]);
        else s.withdrawRoutes(family as Route['family'], target, [id]);
      }
    }
  }

  private sendAll(s: AgentSession, vrf: string): void {
    if (this.quietRoutes) return;
    const keys = new Set<string>();
    for (const src of this.visibleIn(vrf)) for (const k of this.rib.get(src)?.keys() ?? []) keys.add(k);
    for (const key of keys) {
      const route = this.merged(vrf, key);
      if (route) s.sendRoutes(route.family, vrf, [{ id: key.slice(key.indexOf('|') + 1), route }]);
    }
  }

  /** Adds a path as if agent `agent` had published it, and sends the result to the subscribers. */
  inject(agent: string, vrf: string, route: Route): void {
    const id = itemId(route);
    const key = `${route.family}|${id}`;
    let byKey = this.rib.get(vrf);
    if (!byKey) {
      byKey = new Map();
      this.rib.set(vrf, byKey);
    }
    let byAgent = byKey.get(key);
    if (!byAgent) {
      byAgent = new Map();
      byKey.set(key, byAgent);
    }
    byAgent.set(agent, { agent, route });
    this.sendKey(vrf, route.family, id);
  }

  /** Withdraws every path of `agent` (its session ended for good). */
  dropAgent(agent: string): void {
    for (const [vrf, byKey] of this.rib) {
      for (const [key, byAgent] of byKey) {
        if (!byAgent.delete(agent)) continue;
        if (byAgent.size === 0) byKey.delete(key);
        const bar = key.indexOf('|');
        this.sendKey(vrf, key.slice(0, bar), key.slice(bar + 1));
      }
    }
  }

  /** Route ids of one VRF as the agents see them. */
  ids(vrf: string): string[] {
    return [...(this.rib.get(vrf)?.keys() ?? [])];
  }

  private onSession(s: AgentSession): void {
    this.sessions.set(s.agent, s);
    const subscribed = new Set<string>();
    s.on('config-subscribe', (node) => {
      this.configSubscriptions.push(node);
      // Like a control node that keeps one config subscription per node: a repeat sends nothing.
      if (subscribed.has(node)) return;
      subscribed.add(node);
      const all = [...this.objects.values()];
      const mine = this.visible(s.agent, all);
      if (mine.length > 0) s.sendConfig(this.blocksFor(mine, 'update'));
    });
    s.on('subscribe', (vrf) => {
      this.sendAll(s, vrf);
      s.sendEndOfRib();
    });
    s.on('route', (ev) => {
      if (ev.route.family !== 'inet' && ev.route.family !== 'inet6' && ev.route.family !== 'evpn') return;
      const id = itemId(ev.route);
      const key = `${ev.route.family}|${id}`;
      let byKey = this.rib.get(ev.vrf);
      if (!byKey) {
        byKey = new Map();
        this.rib.set(ev.vrf, byKey);
      }
      let byAgent = byKey.get(key);
      if (!byAgent) {
        byAgent = new Map();
        byKey.set(key, byAgent);
      }
      if (ev.op === 'add') byAgent.set(s.agent, { agent: s.agent, route: ev.route });
      else byAgent.delete(s.agent);
      if (byAgent.size === 0) byKey.delete(key);
      if (!this.quietRoutes) this.sendKey(ev.vrf, ev.route.family, id);
    });
    s.on('close', () => {
      if (this.sessions.get(s.agent) === s) this.sessions.delete(s.agent);
    });
  }
}

// ------------------------------------------------------------------ config objects

const uuidOf = (n: number, kind: number): string =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const ids = {
  vm: (n: number) => uuidOf(n, 0x1),
  vmi: (n: number) => uuidOf(n, 0x2),
  vn: (n: number) => uuidOf(n, 0x3),
};

export const PROJECT = ['default-domain', 'admin'];

export function baseConfig(encaps: string[] = ['MPLSoUDP', 'VXLAN']): [string, TfObject][] {
  return [
    ['global-system-config', { fq_name: ['default-global-system-config'], uuid: uuidOf(1, 0x10) }],
    [
      'global-vrouter-config',
      {
        fq_name: ['default-global-system-config', 'default-global-vrouter-config'],
        parent_type: 'global-system-config',
        uuid: uuidOf(2, 0x10),
        encapsulation_priorities: { encapsulation: encaps },
      },
    ],
    ['domain', { fq_name: ['default-domain'], uuid: uuidOf(3, 0x10) }],
    ['project', { fq_name: PROJECT, parent_type: 'domain', uuid: uuidOf(4, 0x10) }],
    ['network-ipam', { fq_name: [...PROJECT, 'ipam'], parent_type: 'project', uuid: uuidOf(5, 0x10) }],
  ];
}

export function virtualRouter(name: string, address: string, vms: string[] = []): [string, TfObject] {
  return [
    'virtual-router',
    {
      fq_name: ['default-global-system-config', name],
      parent_type: 'global-system-config',
      uuid: uuidOf(Number.parseInt(address.split('.').join(''), 10) % 0xffffff, 0x11),
      virtual_router_ip_address: address,
      virtual_machine_refs: vms.map((vm) => ({ to: [vm], attr: null })),
    },
  ];
}

export function network(
  n: number,
  name: string,
  subnet: string,
  vni: number,
  policies: string[] = [],
): [string, TfObject] {
  const [prefix, len] = subnet.split('/');
  const gw = `${prefix!.split('.').slice(0, 3).join('.')}.1`;
  return [
    'virtual-network',
    {
      fq_name: [...PROJECT, name],
      parent_type: 'project',
      uuid: ids.vn(n),
      virtual_network_network_id: n,
      virtual_network_properties: { vxlan_network_identifier: vni, forwarding_mode: 'l2_l3' },
      network_ipam_refs: [
        {
          to: [...PROJECT, 'ipam'],
          attr: {
            ipam_subnets: [
              {
                subnet: { ip_prefix: prefix, ip_prefix_len: Number(len) },
                default_gateway: gw,
                dns_server_address: gw.replace(/\.1$/, '.2'),
              },
            ],
          },
        },
      ],
      network_policy_refs: policies.map((p) => ({
        to: [...PROJECT, p],
        attr: { sequence: { major: 0, minor: 0 } },
      })),
    },
  ];
}

export interface WorkloadConfig {
  n: number;
  vn: string;
  address: string;
  mac: string;
  tags?: string[];
  securityGroups?: string[];
}

/** virtual-machine, virtual-machine-interface and instance-ip of one workload. */
export function workloadConfig(w: WorkloadConfig): [string, TfObject][] {
  const vmi = ids.vmi(w.n);
  return [
    ['virtual-machine', { fq_name: [ids.vm(w.n)], uuid: ids.vm(w.n) }],
    [
      'virtual-machine-interface',
      {
        fq_name: [...PROJECT, `vmi-${w.n}`],
        parent_type: 'project',
        uuid: vmi,
        virtual_machine_interface_mac_addresses: { mac_address: [w.mac] },
        virtual_network_refs: [{ to: [...PROJECT, w.vn], attr: null }],
        virtual_machine_refs: [{ to: [ids.vm(w.n)], attr: null }],
        tag_refs: (w.tags ?? []).map((t) => ({ to: [t], attr: null })),
        security_group_refs: (w.securityGroups ?? []).map((g) => ({ to: [...PROJECT, g], attr: null })),
      },
    ],
    [
      'instance-ip',
      {
        fq_name: [`iip-${w.n}`],
        uuid: uuidOf(w.n, 0x4),
        instance_ip_address: w.address,
        instance_ip_family: 'v4',
        virtual_machine_interface_refs: [{ to: [...PROJECT, `vmi-${w.n}`], attr: null }],
        virtual_network_refs: [{ to: [...PROJECT, w.vn], attr: null }],
      },
    ],
  ];
}

/** The port API body of one workload. */
export function portBody(w: WorkloadConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ids.vmi(w.n),
    'instance-id': ids.vm(w.n),
    'display-name': `w${w.n}`,
    'ip-address': w.address,
    'mac-address': w.mac,
    'system-name': `tap${w.n}`,
    type: 0,
    'rx-vlan-id': -1,
    'tx-vlan-id': -1,
    workload: { kind: 'in-process' },
    ...extra,
  };
}

/** TF's predefined tag type ids. */
const TAG_TYPES: Record<string, number> = { label: 0, application: 1, tier: 2, deployment: 3, site: 4 };
const tagValues = new Map<string, number>();

/** A global tag with its uuid and TF tag_id (type << 16 | value, as the controller allocates it). */
export function tag(name: string): [string, TfObject] {
  const [type, value] = name.split('=') as [string, string];
  let v = tagValues.get(name);
  if (v === undefined) {
    v = tagValues.size + 1;
    tagValues.set(name, v);
  }
  const id = (((TAG_TYPES[type] ?? 7) << 16) | v) >>> 0;
  return [
    'tag',
    {
      fq_name: [name],
      uuid: uuidOf(id, 0x20),
      tag_type_name: type,
      tag_value: value,
      tag_id: `0x${id.toString(16).padStart(8, '0')}`,
    },
  ];
}

/** Polls `f` until it returns a value that is not undefined/false (bounded). */
export async function until<T>(
  f: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 8000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (let i = 0; Date.now() < end && i < 10_000; i++) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function http(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: returned as text
  }
  return { status: res.status, json };
}
