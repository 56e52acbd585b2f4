import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason, Workload, WorkloadTimeoutError } from '../src/index.js';
import { type Fabric, makeFabric } from './fabric.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('two agents over loopback UDP', () => {
  let f: Fabric;
  beforeAll(async () => {
    f = await makeFabric({ timeoutMs: 2000 });
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('ping across VXLAN (same VN, bridged)', async () => {
    const r = await f.w1.ping('10.1.1.12', 1);
    expect(r.sequence).toBe(1);
    expect(dec(r.data)).toBe('filament ping');
    expect(f.a1.fw.counters.tunnelTx[1]).toBeGreaterThan(0);
    expect(f.a2.fw.counters.tunnelRx[1]).toBeGreaterThan(0);
    expect(f.a1.fw.counters.arpProxied).toBeGreaterThan(0);
  });

  it('TCP echo across VXLAN', async () => {
    const data = enc('hello over vxlan '.repeat(20));
    const back = await f.w1.tcpEcho('10.1.1.12', data);
    expect(dec(back)).toBe(dec(data));
  });

  it('ping and TCP echo across MPLS over UDP (routed between VNs)', async () => {
    const tx = f.a1.fw.counters.tunnelTx[2]!;
    const r = await f.w1.ping('10.2.2.13', 7);
    expect(r.sequence).toBe(7);
    // The workload answers with TTL 64; the routed reply is decremented once (by the ingress agent, a2).
    expect(r.ttl).toBe(63);
    const back = await f.w1.tcpEcho('10.2.2.13', enc('routed and labelled'));
    expect(dec(back)).toBe('routed and labelled');
    expect(f.a1.fw.counters.tunnelTx[2]!).toBeGreaterThan(tx);
    expect(f.a2.fw.counters.tunnelRx[2]!).toBeGreaterThan(0);
  });

  it('the gateway answers ICMP echo', async () => {
    const r = await f.w1.ping('10.1.1.1', 3);
    expect(r.sequence).toBe(3);
    expect(f.a1.fw.counters.gatewayIcmp).toBeGreaterThan(0);
  });

  it('a flow the policy denies is dropped and counted (sender egress and receiver ingress)', async () => {
    const before1 = f.a1.fw.counters.drops[DropReason.policy]!;
    await expect(f.w1.tcpEcho('10.2.2.13', enc('telnet?'), 23)).rejects.toThrow(WorkloadTimeoutError);
    expect(f.a1.fw.counters.drops[DropReason.policy]!).toBeGreaterThan(before1);
    const before2 = f.a2.fw.counters.drops[DropReason.policy]!;
    // w4 (compute-1, blue, no security group) -> w3 (compute-2, red): w3's ingress allows only TCP 7.
    f.a1.addRoute('blue', '10.2.2.13/32', {
      tunnel: { dst: f.addrs[1], label: f.a2.port('w3').label, encaps: ['mpls-udp'] },
    });
    await expect(f.w4.tcpEcho('10.2.2.13', enc('telnet?'), 23)).rejects.toThrow(WorkloadTimeoutError);
    expect(f.a2.fw.counters.drops[DropReason.policy]!).toBeGreaterThan(before2);
  });

  it('an ARP request the proxy cannot answer is flooded to the VN (ingress replication) and answered', async () => {
    // w5 joins blue on compute-2; compute-1 has not heard of it (no MAC/IP route yet).
    const w5 = new Workload({
      name: 'w5',
      mac: '02:00:00:00:01:15',
      address: '10.1.1.15',
      prefixLen: 24,
      gateway: '10.1.1.1',
    });
    const p5 = f.a2.addPort({
      name: 'w5',
      vrf: 'blue',
      mac: '02:00:00:00:01:15',
      ipam: { address: '10.1.1.15', prefixLen: 24, gateway: '10.1.1.1' },
      deliver: w5.deliver,
    });
    w5.attach((frame) => f.a2.fw.fromPort(p5.index, frame));
    const flooded = f.a1.fw.counters.arpFlooded;
    const mac = await f.w1.resolve(0x0a01010f);
    expect(mac).toBe(w5.mac);
    expect(f.a1.fw.counters.arpFlooded).toBe(flooded + 1);
    expect(f.a1.fw.counters.bumReplicated).toBeGreaterThan(0);
    expect(w5.counts.arpAnswered).toBe(1);
  });

  it('serves Prometheus metrics and introspect JSON over HTTP on localhost', async () => {
    const base = `http://127.0.0.1:${f.a1.introspect!.port}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // Every line is a comment or `name{labels} value`.
    for (const line of metrics.trim().split('\n'))
      expect(line).toMatch(
        /^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?\d+(\.\d+)?(e[+-]?\d+)?)$/,
      );
    const policy = /filament_agent_drops_total\{reason="policy"\} (\d+)/.exec(metrics);
    expect(Number(policy?.[1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/filament_agent_interface_rx_packets_total\{interface="w1",vrf="blue"\} [1-9]/);
    expect(metrics).toMatch(/filament_agent_tunnel_tx_packets_total\{encap="mpls_udp"\} [1-9]/);
    const interfaces = (await (await fetch(`${base}/interfaces`)).json()) as {
      name: string;
      label: number;
    }[];
    expect(interfaces.map((i) => i.name).sort()).toEqual(['w1', 'w4']);
    expect(interfaces.find((i) => i.name === 'w1')?.label).toBe(f.a1.port('w1').label);
    const routes = (await (await fetch(`${base}/routes?vrf=blue`)).json()) as {
      routes: { prefix: string; nextHop: { kind: string; label?: number; dst?: string } }[];
    }[];
    const r = routes[0]!.routes.find((x) => x.prefix === '10.2.2.13/32');
    expect(r?.nextHop).toMatchObject({ kind: 'tunnel', dst: f.addrs[1], label: f.a2.port('w3').label });
    const flows = (await (await fetch(`${base}/flows`)).json()) as {
      src: string;
      dst: string;
      vrfName: string;
    }[];
    expect(flows.some((x) => x.src === '10.1.1.11' && x.dst === '10.2.2.13' && x.vrfName === 'blue')).toBe(
      true,
    );
    const vrfs = (await (await fetch(`${base}/vrfs`)).json()) as {
      name: string;
      vni: number;
      bumPeers: string[];
    }[];
    expect(vrfs.find((v) => v.name === 'blue')).toMatchObject({ vni: 100, bumPeers: [f.addrs[1]] });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/routes?vrf=nope`)).status).toBe(400);
  });

  it('floating IP: SNAT out of the port and DNAT in, across MPLS over UDP in the public VRF', async () => {
    for (const a of [f.a1, f.a2]) a.addVrf({ name: 'public', vni: 300, gateways: ['203.0.113.1'] });
    // w6 lives in the public network on compute-2; w1 (compute-1, blue) gets floating IP 203.0.113.10.
    const w6 = new Workload({
      name: 'w6',
      mac: '02:00:00:00:03:20',
      address: '203.0.113.20',
      prefixLen: 24,
      gateway: '203.0.113.1',
      timeoutMs: 2000,
    });
    const p6 = f.a2.addPort({
      name: 'w6',
      vrf: 'public',
      mac: '02:00:00:00:03:20',
      ipam: { address: '203.0.113.20', prefixLen: 24, gateway: '203.0.113.1' },
      deliver: w6.deliver,
    });
    w6.attach((frame) => f.a2.fw.fromPort(p6.index, frame));
    const fipLabel = f.a1.addFloatingIp('w4', 'public', '203.0.113.10');
    // The controller's routes: the floating IP on compute-1 (its own label), w6 on compute-2.
    f.a2.addRoute('public', '203.0.113.10/32', {
      tunnel: { dst: f.addrs[0], label: fipLabel, encaps: ['mpls-udp'] },
    });
    f.a1.addRoute('public', '203.0.113.20/32', {
      tunnel: { dst: f.addrs[1], label: p6.label, encaps: ['mpls-udp'] },
    });
    w6.keepReceived = true;
    // Out: w4 (10.1.1.14) reaches w6; w6 sees the floating IP as the source.
    const nat0 = f.a1.fw.counters.natPackets;
    const r = await f.w4.ping('203.0.113.20', 11);
    expect(r.sequence).toBe(11);
    const req = w6.received.find((x) => x[23] === 1 && x[34] === 8)!;
    expect([...req.subarray(26, 30)]).toEqual([203, 0, 113, 10]);
    expect(dec(await f.w4.tcpEcho('203.0.113.20', enc('through the floating IP')))).toBe(
      'through the floating IP',
    );
    // In: w6 connects to the floating IP and reaches w4's echo server.
    expect(dec(await w6.tcpEcho('203.0.113.10', enc('to the floating IP')))).toBe('to the floating IP');
    expect((await w6.ping('203.0.113.10', 12)).sequence).toBe(12);
    expect(f.a1.fw.counters.natPackets).toBeGreaterThan(nat0 + 8);
    const ifs = f.a1.describe('interfaces') as { name: string; floatingIp: unknown }[];
    expect(ifs.find((i) => i.name === 'w4')?.floatingIp).toEqual({
      vrf: 'public',
      address: '203.0.113.10',
      label: fipLabel,
    });
  });
});
