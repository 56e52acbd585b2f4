// Routes the controller leaks between two VNs of ONE agent (a network policy connects them): the next hop
// is this agent itself, with the label of its own port. They are installed as the interface next hop of
// the port that owns the label (TF's vRouter resolves its own label the same way), and the flow pair
// translates the VRF, so the reply finds its reverse flow in the destination's VRF. In process, no sockets.
import type { Route } from '@filament/xmpp';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type Port, RemoteRoutes, Workload } from '../src/index.js';

const UNDERLAY = '192.0.2.41';

function leaked(prefix: string, label: number, vn: string, address = UNDERLAY): Route {
  return {
    family: prefix.includes(':') ? 'inet6' : 'inet',
    entry: {
      nlri: { af: prefix.includes(':') ? 2 : 1, safi: 1, address: prefix },
      nextHops: [
        {
          af: 1,
          address,
          mac: '',
          label,
          vni: 0,
          tunnelEncapsulations: ['udp', 'gre'],
          virtualNetwork: vn,
          tags: [],
          localSequenceNumber: 1,
        },
      ],
    },
  } as unknown as Route;
}

function setup() {
  const agent = new Agent({ name: 'one', underlay: UNDERLAY });
  agent.addVrf({ name: 'red', vni: 10, gateways: ['10.2.2.1'] });
  agent.addVrf({ name: 'blue', vni: 11, gateways: ['10.1.1.1'] });
  const attach = (name: string, vrf: string, mac: string, address: string, gateway: string) => {
    const w = new Workload({
      name,
      mac,
      address,
      prefixLen: 24,
      gateway,
      timeoutMs: 1500,
      listen: [7, 8080],
    });
    const port = agent.addPort({
      name,
      vrf,
      mac,
      ipam: { address, prefixLen: 24, gateway },
      deliver: w.deliver,
    });
    w.attach((f) => agent.fw.fromPort(port.index, f));
    return { w, port };
  };
  const red = attach('red-1', 'red', '02:00:00:00:41:01', '10.2.2.11', '10.2.2.1');
  const blue = attach('blue-1', 'blue', '02:00:00:00:41:02', '10.1.1.11', '10.1.1.1');
  const rr = new RemoteRoutes({
    agent,
    isLocalPrefix: (vrf, prefix) =>
      agent
        .ports()
        .some((p: Port) => agent.fw.vrfs[p.vrf]?.name === vrf && `${p.ipam.address}/32` === prefix),
    isLocalMac: () => false,
    log: () => {},
  });
  return { agent, red, blue, rr };
}

/** The next hop id of `prefix` in `vrf`, or undefined when it is not installed. */
const routeIn = (agent: Agent, vrf: string, prefix: string): number | undefined =>
  (
    agent.describe('routes', vrf) as { routes: { prefix: string; nextHop: { id: number } }[] }[]
  )[0]!.routes.find((r) => r.prefix === prefix)?.nextHop.id;

describe('routes leaked between VNs of one agent', () => {
  let t: ReturnType<typeof setup> | undefined;
  afterEach(() => {
    t = undefined;
  });

  it('install as the local port that owns the label; ping and TCP pass both ways, TTL decremented once', async () => {
    t = setup();
    const { agent, red, blue, rr } = t;
    rr.update(0, 'inet', 'red', [
      { id: '10.1.1.11/32', route: leaked('10.1.1.11/32', blue.port.label, 'blue') },
    ]);
    rr.update(0, 'inet', 'blue', [
      { id: '10.2.2.11/32', route: leaked('10.2.2.11/32', red.port.label, 'red') },
    ]);
    expect(routeIn(agent, 'red', '10.1.1.11/32')).toBe(blue.port.nextHop);
    expect(routeIn(agent, 'blue', '10.2.2.11/32')).toBe(red.port.nextHop);
    expect(rr.stats.installed).toBe(2);

    const r = await red.w.ping('10.1.1.11', 5);
    expect([r.sequence, r.ttl]).toEqual([5, 63]);
    const back = await red.w.tcpEcho('10.1.1.11', new TextEncoder().encode('across VNs, one agent'), 8080);
    expect(new TextDecoder().decode(back)).toBe('across VNs, one agent');
    // The reply went through the reverse flow (in blue's VRF), not a second flow set up from blue-1.
    const c = agent.fw.counters;
    expect(c.flowHit).toBeGreaterThan(0);
    const flows = agent.describe('flows') as { vrfName: string; src: string; dst: string; dport: number }[];
    const tcp = flows.filter((f) => f.dport === 8080 || (f as { sport?: number }).sport === 8080);
    expect(tcp.map((f) => f.vrfName).sort()).toEqual(['blue', 'red']);
    // And from blue's side too.
    expect((await blue.w.ping('10.2.2.11', 6)).ttl).toBe(63);
  });

  it('a label that no local port owns installs nothing, and a port that goes takes its leaked route along', () => {
    t = setup();
    const { agent, blue, rr } = t;
    rr.update(0, 'inet', 'red', [{ id: '10.1.1.99/32', route: leaked('10.1.1.99/32', 99_999, 'blue') }]);
    expect(routeIn(agent, 'red', '10.1.1.99/32')).toBeUndefined();
    rr.update(0, 'inet', 'red', [
      { id: '10.1.1.11/32', route: leaked('10.1.1.11/32', blue.port.label, 'blue') },
    ]);
    expect(routeIn(agent, 'red', '10.1.1.11/32')).toBe(blue.port.nextHop);
    agent.deletePort('blue-1');
    rr.resyncOwnHops();
    expect(routeIn(agent, 'red', '10.1.1.11/32')).toBeUndefined();
    expect(rr.stats.installed).toBe(0);
    // The next hop the route held is freed with it.
    expect([...agent.fw.nexthops.all()].some((nh) => nh.kind === 2 && nh.port === blue.port.index)).toBe(
      false,
    );
  });

  it('ECMP over this agent and another: the local member is the port, the other a tunnel', () => {
    t = setup();
    const { agent, blue, rr } = t;
    const route = leaked('10.1.1.11/32', blue.port.label, 'blue');
    const hops = (route.entry as { nextHops: unknown[] }).nextHops;
    hops.push({ ...(hops[0] as object), address: '192.0.2.42', label: 77 });
    rr.update(0, 'inet', 'red', [{ id: '10.1.1.11/32', route }]);
    const nh = agent.fw.nexthops.get(routeIn(agent, 'red', '10.1.1.11/32')!);
    expect(nh.members.map((m) => agent.fw.nexthops.get(m).kind).sort()).toEqual([2, 3]);
  });
});
