// IPv6 end to end between two agents over real loopback UDP sockets (127.0.76.1 and .2): each port's /128
// host route is installed locally (what the agent publishes, it must also deliver), in-process workloads
// resolve each other through the ND proxy and exchange ICMPv6 echo, routed over MPLS over UDP and over
// VXLAN (where the receiving agent looks the /128 up in its own VRF); the hop limit drops by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type Encap, macFromText, type Port, Workload } from '../src/index.js';

const U1 = '127.0.76.1';
const U2 = '127.0.76.2';
const ROUTER = '00:00:5e:00:01:00';

let a1: Agent;
let a2: Agent;
let w1: Workload;
let w2: Workload;
let p1: Port;
let p2: Port;

function attach(a: Agent, name: string, mac: string, address: string, address6: string) {
  const w = new Workload({
    name,
    mac,
    address,
    prefixLen: 24,
    gateway: '10.1.1.1',
    address6,
    timeoutMs: 2000,
  });
  const port = a.addPort({
    name,
    vrf: 'blue',
    mac,
    ipam: { address, prefixLen: 24, gateway: '10.1.1.1', address6 },
    deliver: w.deliver,
  });
  w.attach((f) => a.fw.fromPort(port.index, f));
  return { w, port };
}

/** What the controller sends each agent: the other's /128 with its label, VNI and router MAC. */
function routeTo(a: Agent, dst: string, prefix: string, label: number, encaps: Encap[]): void {
  a.addRoute('blue', prefix, {
    tunnel: { dst, label, vni: 100, routerMac: macFromText(ROUTER), encaps },
  });
}

const routes6 = (a: Agent) =>
  (
    a.describe('routes', 'blue') as {
      routes: { prefix: string; nextHop: { kind: string; port?: number } }[];
    }[]
  )[0]!.routes.filter((r) => r.prefix.includes(':'));

beforeAll(async () => {
  a1 = new Agent({ name: 'v6-1', underlay: U1, routerMac: ROUTER });
  a2 = new Agent({ name: 'v6-2', underlay: U2, routerMac: ROUTER });
  await a1.start();
  await a2.start();
  for (const a of [a1, a2]) a.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
  ({ w: w1, port: p1 } = attach(a1, 'w1', '02:00:00:00:76:01', '10.1.1.11', 'fd00:76::11'));
  ({ w: w2, port: p2 } = attach(a2, 'w2', '02:00:00:00:76:02', '10.1.1.12', 'fd00:76::12'));
});

afterAll(async () => {
  await a1?.stop();
  await a2?.stop();
});

describe('IPv6 between two agents', () => {
  it("each port's /128 is installed locally, to its interface next hop", () => {
    expect(routes6(a1)).toEqual([
      { prefix: 'fd00:76::11/128', nextHop: expect.objectContaining({ kind: 'interface', port: p1.index }) },
    ]);
    expect(routes6(a2)).toEqual([
      { prefix: 'fd00:76::12/128', nextHop: expect.objectContaining({ kind: 'interface', port: p2.index }) },
    ]);
  });

  it('ping6 routed over MPLS over UDP: ND answered by the agent, hop limit 64 -> 63', async () => {
    routeTo(a1, U2, 'fd00:76::12/128', p2.label, ['mpls-udp']);
    routeTo(a2, U1, 'fd00:76::11/128', p1.label, ['mpls-udp']);
    const tx = a1.fw.counters.tunnelTx[2]!;
    const r = await w1.ping6('fd00:76::12', 1);
    expect([r.sequence, r.ttl, new TextDecoder().decode(r.data)]).toEqual([1, 63, 'filament ping6']);
    expect(a1.fw.counters.ndProxied).toBeGreaterThan(0);
    expect(a1.fw.counters.tunnelTx[2]! - tx).toBeGreaterThan(0);
    expect(w2.counts.echoAnswered).toBeGreaterThan(0);
  });

  it('ping6 routed over VXLAN: the receiving agent finds the /128 of its own port', async () => {
    routeTo(a1, U2, 'fd00:76::12/128', p2.label, ['vxlan']);
    routeTo(a2, U1, 'fd00:76::11/128', p1.label, ['vxlan']);
    const rx = a2.fw.counters.tunnelRx[1]!;
    const r = await w1.ping6('fd00:76::12', 2);
    expect([r.sequence, r.ttl]).toEqual([2, 63]);
    expect(a2.fw.counters.tunnelRx[1]! - rx).toBeGreaterThan(0);
    // And the other way round, as a fresh flow.
    expect((await w2.ping6('fd00:76::11', 3)).ttl).toBe(63);
    expect(a2.fw.counters.ndProxied).toBeGreaterThan(0);
  });

  it('the /128 goes with the port', () => {
    a2.deletePort('w2');
    expect(routes6(a2).map((r) => r.prefix)).toEqual(['fd00:76::11/128']);
  });
});
