// The introspect and metrics endpoint: HTTP on localhost, JSON views of the agent's state and the
// Prometheus text exposition of its counters.
//
//   GET /metrics                 Prometheus text (version 0.0.4)
//   GET /interfaces              ports with their VRF, MAC, address, label, counters
//   GET /vrfs                    VRFs with VNI, route and MAC counts, BUM peers, encapsulation priority
//   GET /routes[?vrf=NAME]       routes and MAC entries with their next hops
//   GET /nexthops, /labels       the next hop and MPLS label tables
//   GET /flows                   the flow table (forward and reverse entries, counters)
//   GET /xmpp, /config, /ports   added by the control side (control/agent-control.ts) through `extend`

import type { AddressInfo } from 'node:net';
import type { Agent } from './agent.js';
import type { ListenerSecurity } from './config.js';
import { closeListener, createListenerServer, type ListenerServer, listenOn } from './listener.js';
import { DROP_REASON_NAMES, type MetricFamily, prometheusText } from './metrics.js';

/** The metric families of an agent. */
export function agentMetrics(agent: Agent): MetricFamily[] {
  const fw = agent.fw;
  const c = fw.counters;
  const ports = agent.ports();
  const perPort = (f: (p: (typeof ports)[number]) => number) =>
    ports.map((p) => ({ labels: { interface: p.name, vrf: fw.vrfs[p.vrf]?.name ?? '' }, value: f(p) }));
  const stats = fw.flows.stats();
  const encapNames = ['', 'vxlan', 'mpls_udp', 'mpls_gre'];
  return [
    {
      name: 'filament_agent_interface_rx_packets_total',
      help: 'Packets received from the workload.',
      type: 'counter',
      samples: perPort((p) => p.rxPackets),
    },
    {
      name: 'filament_agent_interface_rx_bytes_total',
      help: 'Bytes received from the workload.',
      type: 'counter',
      samples: perPort((p) => p.rxBytes),
    },
    {
      name: 'filament_agent_interface_tx_packets_total',
      help: 'Packets delivered to the workload.',
      type: 'counter',
      samples: perPort((p) => p.txPackets),
    },
    {
      name: 'filament_agent_interface_tx_bytes_total',
      help: 'Bytes delivered to the workload.',
      type: 'counter',
      samples: perPort((p) => p.txBytes),
    },
    {
      name: 'filament_agent_drops_total',
      help: 'Packets dropped, by reason.',
      type: 'counter',
      samples: DROP_REASON_NAMES.map((reason, i) => ({ labels: { reason }, value: c.drops[i]! })),
    },
    {
      name: 'filament_agent_tunnel_tx_packets_total',
      help: 'Tunnel packets sent, by encapsulation.',
      type: 'counter',
      samples: [1, 2].map((i) => ({ labels: { encap: encapNames[i]! }, value: c.tunnelTx[i]! })),
    },
    {
      name: 'filament_agent_tunnel_rx_packets_total',
      help: 'Tunnel packets received, by encapsulation.',
      type: 'counter',
      samples: [1, 2].map((i) => ({ labels: { encap: encapNames[i]! }, value: c.tunnelRx[i]! })),
    },
    {
      name: 'filament_agent_flows',
      help: 'Live flow entries (a pair is 2).',
      type: 'gauge',
      samples: [{ value: stats.flows }],
    },
    {
      name: 'filament_agent_flows_created_total',
      help: 'Flow pairs set up by the forwarder.',
      type: 'counter',
      samples: [{ value: c.flowsCreated }],
    },
    {
      name: 'filament_agent_flow_lookups_total',
      help: 'Flow lookups by result.',
      type: 'counter',
      samples: [
        { labels: { result: 'hit' }, value: c.flowHit },
        { labels: { result: 'miss' }, value: c.flowMiss },
      ],
    },
    {
      name: 'filament_agent_arp_proxy_total',
      help: 'ARP requests answered by the proxy, and flooded.',
      type: 'counter',
      samples: [
        { labels: { result: 'answered' }, value: c.arpProxied },
        { labels: { result: 'flooded' }, value: c.arpFlooded },
      ],
    },
    {
      name: 'filament_agent_nd_proxy_total',
      help: 'IPv6 Neighbor Solicitations answered by the proxy.',
      type: 'counter',
      samples: [{ labels: { result: 'answered' }, value: c.ndProxied }],
    },
    {
      name: 'filament_agent_nat_packets_total',
      help: 'Packets rewritten by NAT flows (floating IPs).',
      type: 'counter',
      samples: [{ value: c.natPackets }],
    },
    {
      name: 'filament_agent_dhcp_replies_total',
      help: 'DHCP replies sent.',
      type: 'counter',
      samples: [{ value: c.dhcpReplies }],
    },
    {
      name: 'filament_agent_gateway_icmp_total',
      help: 'ICMP echo requests answered by the gateway.',
      type: 'counter',
      samples: [{ value: c.gatewayIcmp }],
    },
    {
      name: 'filament_agent_bum_replicated_total',
      help: 'BUM replicas sent to remote agents.',
      type: 'counter',
      samples: [{ value: c.bumReplicated }],
    },
    {
      name: 'filament_agent_routes',
      help: 'Routes per VRF and family.',
      type: 'gauge',
      samples: fw.vrfs.flatMap((v) =>
        v
          ? [
              { labels: { vrf: v.name, family: 'ipv4' }, value: v.lpm4.size },
              { labels: { vrf: v.name, family: 'ipv6' }, value: v.lpm6.size },
            ]
          : [],
      ),
    },
  ];
}

/** More views and metric families (the control side adds `/xmpp`, `/config`, `/ports`). */
export interface IntrospectExtension {
  views: Record<string, () => unknown>;
  metrics?: () => MetricFamily[];
}

export class Introspect {
  private readonly agent: Agent;
  private server: ListenerServer | null = null;
  private readonly extensions: IntrospectExtension[] = [];

  constructor(agent: Agent) {
    this.agent = agent;
  }

  extend(ext: IntrospectExtension): void {
    this.extensions.push(ext);
  }

  /** Listens on 127.0.0.1:`port` (0 picks one), with the token and HTTPS of `security`; returns the port. */
  async listen(port = 0, host = '127.0.0.1', security: ListenerSecurity = {}): Promise<number> {
    const server = createListenerServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, type: string, body: string): void => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      if (req.method !== 'GET') {
        send(405, 'text/plain', 'method not allowed\n');
        return;
      }
      try {
        const path = url.pathname.replace(/\/+$/, '') || '/';
        if (path === '/metrics') {
          const families = agentMetrics(this.agent);
          for (const x of this.extensions) if (x.metrics) families.push(...x.metrics());
          send(200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(families));
          return;
        }
        for (const x of this.extensions) {
          const f = x.views[path.slice(1)];
          if (f !== undefined && Object.hasOwn(x.views, path.slice(1))) {
            send(200, 'application/json', `${JSON.stringify(f())}\n`);
            return;
          }
        }
        const views = ['interfaces', 'vrfs', 'routes', 'nexthops', 'flows', 'labels'] as const;
        const view = views.find((v) => `/${v}` === path);
        if (view !== undefined) {
          const vrf = url.searchParams.get('vrf') ?? undefined;
          send(200, 'application/json', `${JSON.stringify(this.agent.describe(view, vrf))}\n`);
          return;
        }
        if (path === '/') {
          send(
            200,
            'application/json',
            `${JSON.stringify({
              agent: this.agent.name,
              views: ['metrics', ...views, ...this.extensions.flatMap((x) => Object.keys(x.views))],
            })}\n`,
          );
          return;
        }
        send(404, 'application/json', `${JSON.stringify({ error: 'not found' })}\n`);
        return;
      } catch (e) {
        send(
          400,
          'application/json',
          `${JSON.stringify({ error: (e as Error).message, name: (e as Error).name })}\n`,
        );
        return;
      }
    }, security);
    const bound = await listenOn(server, port, host);
    this.server = server;
    return bound;
  }

  get port(): number {
    return this.server ? (this.server.address() as AddressInfo).port : -1;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await closeListener(s);
  }
}
