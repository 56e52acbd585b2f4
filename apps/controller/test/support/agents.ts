// Simulated vRouter agents for control-plane tests: a real @filament/xmpp XmppClient over TCP that subscribes
// VRFs, publishes interface routes the way the agent does (inet /32 + EVPN MAC/IP, contract B) and keeps what
// the controller sends it, per VRF, family and item id.
import { waitFor } from '@filament/testkit';
import {
  defaultEnetNextHop,
  defaultUnicastNextHop,
  type EnetEntry,
  itemId,
  type Route,
  type TlsOptions,
  type UnicastEntry,
  XmppClient,
  type XmppError,
} from '@filament/xmpp';

export interface InterfaceSpec {
  vrf: string;
  ip: string;
  mac: string;
  label: number;
  /** The network's VNI (0 for MPLS encapsulations). */
  vni?: number;
  encapsulations?: string[];
  /** The VN fq_name (vrf without its last element by default). */
  vn?: string;
}

export function interfaceRoutes(underlay: string, s: InterfaceSpec): { inet: Route; enet: Route } {
  const vn = s.vn ?? s.vrf.split(':').slice(0, -1).join(':');
  const encaps = s.encapsulations ?? ['udp', 'gre'];
  const nh = defaultUnicastNextHop();
  Object.assign(nh, {
    af: 1,
    address: underlay,
    mac: '',
    label: s.label,
    vni: s.vni ?? 0,
    tunnelEncapsulations: encaps,
    virtualNetwork: vn,
  });
  const inet: UnicastEntry = {
    nlri: { af: 1, safi: 1, address: `${s.ip}/32` },
    nextHops: [nh],
    version: 1,
    virtualNetwork: vn,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 200,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
  const enh = defaultEnetNextHop();
  Object.assign(enh, {
    af: 1,
    address: underlay,
    mac: '',
    label: s.vni ?? s.label,
    l3Label: s.label,
    tunnelEncapsulations: encaps,
  });
  const enet: EnetEntry = {
    nlri: {
      af: 25,
      safi: 242,
      ethernetTag: 0,
      mac: s.mac,
      address: `${s.ip}/32`,
      group: '',
      source: '',
      flags: 0,
    },
    nextHops: [enh],
    olist: [],
    virtualNetwork: vn,
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    localPreference: 200,
    med: 0,
    edgeReplicationNotSupported: false,
    assistedReplicationSupported: false,
    leafOlist: [],
    replicatorAddress: '',
    etreeLeaf: false,
  };
  return { inet: { family: 'inet', entry: inet }, enet: { family: 'evpn', entry: enet } };
}

export interface ReceivedNextHop {
  address: string;
  label: number;
  /** Unicast: the vni field; EVPN: the label (which carries the VNI). */
  vni: number;
  tunnelEncapsulations: string[];
}

export interface SimAgentOptions {
  name: string;
  port: number;
  host?: string;
  /** Underlay address used as next hop. */
  underlay: string;
  /** Source address of the TCP connection (the controller sees it as the agent's address). */
  localAddress?: string;
  retryBaseMs?: number;
  /** STARTTLS towards the controller (client certificate and the CA that signed the controller's). */
  tls?: TlsOptions;
}

export class SimAgent {
  readonly client: XmppClient;
  /** vrf -> `${family} ${item id}` -> route as last received. */
  readonly table = new Map<string, Map<string, Route>>();
  endOfRibs = 0;
  established = 0;
  readonly downs: (XmppError | undefined)[] = [];
  private nextInstanceId = 1;

  constructor(readonly opts: SimAgentOptions) {
    this.client = new XmppClient({
      name: opts.name,
      servers: [{ host: opts.host ?? '127.0.0.1', port: opts.port }],
      retryBaseMs: opts.retryBaseMs ?? 50,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
    });
    this.client.on('established', () => this.established++);
    this.client.on('down', (_s, reason) => this.downs.push(reason));
    this.client.on('end-of-rib', () => this.endOfRibs++);
    this.client.on('route-update', (_s, msg) => {
      const t = this.vrf(msg.vrf);
      for (const item of msg.items) t.set(`${msg.family} ${item.id}`, item.route);
    });
    this.client.on('route-retract', (_s, msg) => {
      const t = this.vrf(msg.vrf);
      for (const id of msg.ids) t.delete(`${msg.family} ${id}`);
    });
  }

  private vrf(name: string): Map<string, Route> {
    let t = this.table.get(name);
    if (!t) {
      t = new Map();
      this.table.set(name, t);
    }
    return t;
  }

  get name(): string {
    return this.opts.name;
  }

  start(): this {
    this.client.start();
    return this;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  subscribe(vrf: string): void {
    this.client.subscribe(vrf, { instanceId: this.nextInstanceId++ });
  }

  /** Publishes an interface's inet and EVPN routes; returns their item ids. */
  publishInterface(s: InterfaceSpec): { inet: string; enet: string } {
    const r = interfaceRoutes(this.opts.underlay, s);
    this.client.publish(s.vrf, r.inet);
    this.client.publish(s.vrf, r.enet);
    return { inet: itemId(r.inet), enet: itemId(r.enet) };
  }

  withdrawInterface(s: InterfaceSpec): void {
    const r = interfaceRoutes(this.opts.underlay, s);
    this.client.withdraw(s.vrf, r.inet);
    this.client.withdraw(s.vrf, r.enet);
  }

  /** The route last received for an inet prefix or EVPN item id in a VRF. */
  route(vrf: string, family: 'inet' | 'inet6' | 'evpn', id: string): Route | undefined {
    return this.table.get(vrf)?.get(`${family} ${id}`);
  }

  /** Next hops of a received unicast or EVPN route ([] when absent). */
  nextHopsOf(vrf: string, family: 'inet' | 'inet6' | 'evpn', id: string): ReceivedNextHop[] {
    const r = this.route(vrf, family, id);
    if (r?.family === 'inet' || r?.family === 'inet6') return r.entry.nextHops;
    if (r?.family === 'evpn') return r.entry.nextHops.map((n) => ({ ...n, vni: n.label }));
    return [];
  }

  /** Next-hop addresses of a received route, sorted. */
  nextHops(vrf: string, family: 'inet' | 'inet6' | 'evpn', id: string): string[] {
    return this.nextHopsOf(vrf, family, id)
      .map((n) => n.address)
      .sort();
  }

  /** Item ids received in a VRF for one family, sorted. */
  ids(vrf: string, family: 'inet' | 'inet6' | 'evpn'): string[] {
    const out: string[] = [];
    for (const k of this.table.get(vrf)?.keys() ?? [])
      if (k.startsWith(`${family} `)) out.push(k.slice(family.length + 1));
    return out.sort();
  }

  async waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return waitFor(`${this.name}: ${what}`, check, timeoutMs, 20);
  }

  async waitEstablished(timeoutMs = 10_000): Promise<void> {
    await this.waitFor('established', () => this.client.establishedServers.length > 0, timeoutMs);
  }
}

/** The REST calls control-plane tests make (a Harness from ./api.ts fits). */
export interface ApiCaller {
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, Record<string, unknown>> }>;
}

export const TEST_PROJECT = ['default-domain', 'default-project'];

async function ok<T>(what: string, p: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await p;
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates the virtual-router an agent authenticates as. */
export async function createVirtualRouter(
  api: ApiCaller,
  name: string,
  ip: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const b = await ok(
    `create virtual-router ${name}`,
    api.call('POST', '/virtual-routers', {
      'virtual-router': {
        fq_name: ['default-global-system-config', name],
        parent_type: 'global-system-config',
        virtual_router_ip_address: ip,
        ...extra,
      },
    }),
  );
  return b['virtual-router']!.uuid as string;
}

export interface TestNetwork {
  uuid: string;
  fq: string;
  /** Routing instance (VRF) name. */
  vrf: string;
  vni: number;
}

/** Creates a virtual network with one subnet; returns its VRF name and VNI. */
export async function createNetwork(
  api: ApiCaller,
  name: string,
  prefix: string,
  extra: Record<string, unknown> = {},
): Promise<TestNetwork> {
  const b = await ok(
    `create virtual-network ${name}`,
    api.call('POST', '/virtual-networks', {
      'virtual-network': {
        fq_name: [...TEST_PROJECT, name],
        parent_type: 'project',
        network_ipam_refs: [
          {
            to: [...TEST_PROJECT, 'default-network-ipam'],
            attr: { ipam_subnets: [{ subnet: { ip_prefix: prefix, ip_prefix_len: 24 } }] },
          },
        ],
        ...extra,
      },
    }),
  );
  const uuid = b['virtual-network']!.uuid as string;
  const got = await ok(`get ${name}`, api.call('GET', `/virtual-network/${uuid}`));
  const vn = got['virtual-network']!;
  const fq = [...TEST_PROJECT, name].join(':');
  return {
    uuid,
    fq,
    vrf: `${fq}:${name}`,
    vni: (vn.virtual_network_properties as { vxlan_network_identifier: number }).vxlan_network_identifier,
  };
}

/** A network-policy with one pass rule between two networks (direction <>). */
export async function createPassPolicy(api: ApiCaller, name: string, a: string, b: string): Promise<string> {
  const body = await ok(
    `create network-policy ${name}`,
    api.call('POST', '/network-policys', {
      'network-policy': {
        fq_name: [...TEST_PROJECT, name],
        parent_type: 'project',
        network_policy_entries: {
          policy_rule: [
            {
              direction: '<>',
              protocol: 'any',
              src_addresses: [{ virtual_network: a }],
              dst_addresses: [{ virtual_network: b }],
              action_list: { simple_action: 'pass' },
            },
          ],
        },
      },
    }),
  );
  return body['network-policy']!.uuid as string;
}

/** Adds or removes a network_policy ref on a network. */
export async function attachPolicy(
  api: ApiCaller,
  vnUuid: string,
  policyUuid: string,
  operation: 'ADD' | 'DELETE' = 'ADD',
): Promise<void> {
  await ok(
    `${operation} policy ref`,
    api.call('POST', '/ref-update', {
      operation,
      type: 'virtual-network',
      uuid: vnUuid,
      'ref-type': 'network-policy',
      'ref-uuid': policyUuid,
      ...(operation === 'ADD' ? { attr: { sequence: { major: 0, minor: 0 } } } : {}),
    }),
  );
}
