import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason } from '../src/index.js';
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
    expect(r.ttl).toBeLessThan(64);
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
    await expect(f.w1.tcpEcho('10.2.2.13', enc('telnet?'), 23)).rejects.toThrow(/timed out/);
    expect(f.a1.fw.counters.drops[DropReason.policy]!).toBeGreaterThan(before1);
    const before2 = f.a2.fw.counters.drops[DropReason.policy]!;
    // w4 (compute-1, blue, no security group) -> w3 (compute-2, red): w3's ingress allows only TCP 7.
    f.a1.addRoute('blue', '10.2.2.13/32', {
      tunnel: { dst: f.addrs[1], label: f.a2.port('w3').label, encaps: ['mpls-udp'] },
    });
    await expect(f.w4.tcpEcho('10.2.2.13', enc('telnet?'), 23)).rejects.toThrow(/timed out/);
    expect(f.a2.fw.counters.drops[DropReason.policy]!).toBeGreaterThan(before2);
  });
});
