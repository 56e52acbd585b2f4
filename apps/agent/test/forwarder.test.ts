// The data plane in process, without sockets: two agents whose underlay send hooks feed each other.
import { getHeapSpaceStatistics } from 'node:v8';
import { DecapMeta, decapFast, FastStatus, ipv4, ipv6, parseIPv6, udp } from '@filament/encap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Agent, DropReason, HEADROOM, macFromText, NextHopKind } from '../src/index.js';
import { udp6Frame, udpFrame } from './frames.js';

const ROUTER = '00:00:5e:00:01:00';
const M1 = macFromText('02:00:00:00:01:11');
const M2 = macFromText('02:00:00:00:01:12');

function pair() {
  const a1 = new Agent({ name: 'a1', underlay: '192.0.2.1', routerMac: ROUTER });
  const a2 = new Agent({ name: 'a2', underlay: '192.0.2.2', routerMac: ROUTER });
  const got1: Uint8Array[] = [];
  const got2: Uint8Array[] = [];
  let keep = true;
  let delivered = 0;
  for (const a of [a1, a2]) {
    a.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
    a.addVrf({ name: 'red', vni: 200, gateways: ['10.2.2.1'] });
  }
  const ipam = (address: string, gateway: string) => ({ address, prefixLen: 24, gateway });
  const p1 = a1.addPort({
    name: 'w1',
    vrf: 'blue',
    mac: '02:00:00:00:01:11',
    ipam: ipam('10.1.1.11', '10.1.1.1'),
    deliver: (b, o, l) => {
      delivered++;
      if (keep) got1.push(b.slice(o, o + l));
    },
  });
  const p2 = a2.addPort({
    name: 'w2',
    vrf: 'blue',
    mac: '02:00:00:00:01:12',
    ipam: ipam('10.1.1.12', '10.1.1.1'),
    deliver: (b, o, l) => {
      delivered++;
      if (keep) got2.push(b.slice(o, o + l));
    },
  });
  const tun = (dst: string, label: number) => ({
    tunnel: { dst, vni: 100, label, encaps: ['vxlan', 'mpls-udp'] as ('vxlan' | 'mpls-udp')[] },
  });
  a1.addMac('blue', '02:00:00:00:01:12', tun('192.0.2.2', p2.label), '10.1.1.12');
  a2.addMac('blue', '02:00:00:00:01:11', tun('192.0.2.1', p1.label), '10.1.1.11');
  a1.addRoute('blue', '10.1.1.12/32', tun('192.0.2.2', p2.label));
  a2.addRoute('blue', '10.1.1.11/32', tun('192.0.2.1', p1.label));
  const wire: Uint8Array[] = [];
  a1.fw.send = (b, s, l) => {
    if (keep) wire.push(b.slice(s, s + l));
    a2.fw.fromUnderlay(b, s, l);
  };
  a2.fw.send = (b, s, l) => {
    if (keep) wire.push(b.slice(s, s + l));
    a1.fw.fromUnderlay(b, s, l);
  };
  return {
    a1,
    a2,
    p1,
    p2,
    got1,
    got2,
    wire,
    stopKeeping: () => {
      keep = false;
    },
    delivered: () => delivered,
  };
}

describe('forwarder pipeline (in process)', () => {
  it('bridges a UDP packet over VXLAN and the reply back through the reverse flow', () => {
    const t = pair();
    const data = new TextEncoder().encode('bridged');
    t.a1.fw.fromPort(t.p1.index, udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 5000, 7, data));
    expect(t.got2).toHaveLength(1);
    // The outer packet: IPv4 192.0.2.1 -> 192.0.2.2, UDP 4789, VNI 100, source port from the flow.
    const outer = t.wire[0]!;
    const ip = ipv4.decode(outer).value;
    expect([ip.src, ip.dst, ip.checksumValid]).toEqual(['192.0.2.1', '192.0.2.2', true]);
    const frame = new Uint8Array(14 + outer.length);
    frame[12] = 0x08;
    frame.set(outer, 14);
    const meta = new DecapMeta();
    expect(decapFast(frame, 0, frame.length, meta)).toBe(FastStatus.ok);
    expect(meta.vni).toBe(100);
    expect(meta.srcPort).toBeGreaterThanOrEqual(49152);
    // The delivered frame is the workload's frame unchanged, with a valid UDP checksum.
    const inner = t.got2[0]!;
    const u = udp.decode(inner, 34, { pseudo: { src: '10.1.1.11', dst: '10.1.1.12' } }).value;
    expect(u.checksumValid).toBe(true);
    expect(new TextDecoder().decode(inner.subarray(42))).toBe('bridged');
    // Bridged traffic is never routed: the TTL arrives as sent.
    expect(ipv4.decode(inner, 14).value.ttl).toBe(64);
    // Reply: hits the reverse flow on a2 (set up at receive), then the forward pair's reverse on a1.
    t.a2.fw.fromPort(t.p2.index, udpFrame(M1, M2, '10.1.1.12', '10.1.1.11', 7, 5000, data));
    expect(t.got1).toHaveLength(1);
    expect(t.a1.fw.counters.flowHit).toBe(1);
    expect(t.a2.fw.counters.flowHit).toBe(1);
    expect(t.a1.fw.flows.stats().flows).toBe(2);
  });

  it('routes to the gateway MAC over MPLS over UDP with the remote label, decrementing TTL', () => {
    const t = pair();
    t.a1.vrf('blue').encapL3 = ['mpls-udp'];
    const data = new TextEncoder().encode('routed');
    t.a1.fw.fromPort(t.p1.index, udpFrame(macFromText(ROUTER), M1, '10.1.1.11', '10.1.1.12', 5001, 7, data));
    const outer = t.wire[0]!;
    expect((outer[22]! << 8) | outer[23]!).toBe(6635);
    expect(((outer[28]! << 12) | (outer[29]! << 4) | (outer[30]! >> 4)) >>> 0).toBe(t.p2.label);
    const d = t.got2[0]!;
    // Ethernet rewritten to the workload's MAC from the router MAC; TTL 64 -> 63: the distributed router is
    // one hop, decremented at the ingress agent only.
    expect(d.subarray(0, 12)).toEqual(Uint8Array.from([2, 0, 0, 0, 1, 0x12, 0, 0, 0x5e, 0, 1, 0]));
    const ip = ipv4.decode(d, 14).value;
    expect(ip.ttl).toBe(63);
    expect(ip.checksumValid).toBe(true);
  });

  it('IPv6: bridged over VXLAN, and routed by the IPv6 LPM over MPLS over UDP', () => {
    const t = pair();
    const s6 = parseIPv6('fd00:1::11');
    const d6 = parseIPv6('fd00:2::12');
    t.a1.fw.fromPort(t.p1.index, udp6Frame(M2, M1, s6, d6, 4000, 7, new Uint8Array(10)));
    expect(t.got2).toHaveLength(1);
    expect(t.got2[0]![12]).toBe(0x86);
    t.a1.vrf('blue').encapL3 = ['mpls-udp'];
    t.a1.addRoute('blue', 'fd00:2::/64', {
      tunnel: { dst: '192.0.2.2', label: t.p2.label, encaps: ['mpls-udp'] },
    });
    t.a1.fw.fromPort(t.p1.index, udp6Frame(macFromText(ROUTER), M1, s6, d6, 4001, 7, new Uint8Array(10)));
    expect(t.got2).toHaveLength(2);
    const d = t.got2[1]!;
    expect((d[12]! << 8) | d[13]!).toBe(0x86dd);
    // Hop limit 64 -> 63: decremented once, by the ingress agent.
    const ip = ipv6.decode(d, 14).value;
    expect(ip.hopLimit).toBe(63);
    expect(ip.dst).toBe('fd00:2::12');
    const u = udp.decode(d, 54, { pseudo: { src: 'fd00:1::11', dst: 'fd00:2::12' } }).value;
    expect(u.checksumValid).toBe(true);
  });

  it('drops by reason: unknown VNI and label, no route, runt, and non-tunnel underlay packets', () => {
    const t = pair();
    const c = t.a2.fw.counters;
    t.a1.fw.fromPort(t.p1.index, udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 5000, 7, new Uint8Array(4)));
    const pkt = t.wire[0]!.slice();
    pkt[28 + 4 + 2] = 0x99; // VNI 100 -> other
    t.a2.fw.fromUnderlay(pkt, 0, pkt.length);
    expect(c.drops[DropReason.unknownVni]).toBe(1);
    const short = new Uint8Array(10);
    t.a1.fw.fromPort(t.p1.index, short);
    expect(t.a1.fw.counters.drops[DropReason.runt]).toBe(1);
    t.a1.fw.fromPort(
      t.p1.index,
      udpFrame(macFromText(ROUTER), M1, '10.1.1.11', '10.9.9.9', 1, 2, new Uint8Array(0)),
    );
    expect(t.a1.fw.counters.drops[DropReason.noRoute]).toBe(1);
    const notTunnel = t.wire[0]!.slice();
    notTunnel[22] = 0;
    notTunnel[23] = 53;
    t.a2.fw.fromUnderlay(notTunnel, 0, notTunnel.length);
    expect(c.drops[DropReason.badTunnel]).toBe(1);
  });

  it('never throws on random or mutated frames from ports and from the underlay; drops are counted', () => {
    const t = pair();
    t.a1.fw.fromPort(t.p1.index, udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 5000, 7, new Uint8Array(20)));
    const good = t.wire[0]!.slice();
    const goodFrame = udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 5000, 7, new Uint8Array(20));
    t.stopKeeping();
    const drops = () =>
      t.a1.fw.counters.drops.reduce((a, b) => a + b, 0) + t.a2.fw.counters.drops.reduce((a, b) => a + b, 0);
    const before = drops();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.boolean(),
        (random, edits, fromPort) => {
          const base = fromPort ? goodFrame.slice() : good.slice();
          for (const [at, v] of edits) if (at < base.length) base[at] = v;
          if (fromPort) {
            t.a1.fw.fromPort(t.p1.index, random);
            t.a1.fw.fromPort(t.p1.index, base);
          } else {
            const buf = new Uint8Array(HEADROOM + Math.max(random.length, base.length));
            buf.set(random, HEADROOM);
            t.a2.fw.fromUnderlay(buf, HEADROOM, random.length);
            buf.set(base, HEADROOM);
            t.a2.fw.fromUnderlay(buf, HEADROOM, base.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(drops()).toBeGreaterThan(before);
  });

  it('ECMP: each flow sticks to one member; removing a member moves only its flows', () => {
    const t = pair();
    const members = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    t.a1.addRoute('blue', '10.50.0.0/16', {
      ecmp: members.map((dst) => ({ tunnel: { dst, label: 1000, encaps: ['mpls-udp'] as 'mpls-udp'[] } })),
    });
    const seen = new Map<number, Set<number>>();
    t.a1.fw.send = (b, s) => {
      const dst = ((b[s + 16]! << 24) | (b[s + 17]! << 16) | (b[s + 18]! << 8) | b[s + 19]!) >>> 0;
      const sport = (b[s + 28 + 4 + 20]! << 8) | b[s + 28 + 4 + 21]!; // inner UDP source port
      if (!seen.has(sport)) seen.set(sport, new Set());
      seen.get(sport)!.add(dst);
    };
    const send = (sport: number) =>
      t.a1.fw.fromPort(
        t.p1.index,
        udpFrame(macFromText(ROUTER), M1, '10.1.1.11', '10.50.1.1', sport, 80, new Uint8Array(8)),
      );
    for (let round = 0; round < 3; round++) for (let s = 1000; s < 1060; s++) send(s);
    const byMember = new Map<number, number[]>();
    for (const [sport, dsts] of seen) {
      expect(dsts.size).toBe(1);
      const d = [...dsts][0]!;
      byMember.set(d, [...(byMember.get(d) ?? []), sport]);
    }
    expect(byMember.size).toBe(3);
    // Take the second member out of the group: flows on the others keep their member.
    const before = new Map([...seen].map(([s, d]) => [s, [...d][0]!]));
    const nhId = t.a1.vrf('blue').lpm4.lookup4(0x0a320101);
    const ecmp = t.a1.fw.nexthops.get(nhId);
    expect(ecmp.kind).toBe(NextHopKind.ecmp);
    const second = ecmp.members.find((m) => t.a1.fw.nexthops.get(m).dstText === members[1])!;
    ecmp.group!.remove(second);
    seen.clear();
    for (let s = 1000; s < 1060; s++) send(s);
    const removed = 0xc6336402; // 198.51.100.2
    for (const [sport, dsts] of seen) {
      const now = [...dsts][0]!;
      expect(now).not.toBe(removed);
      if (before.get(sport) !== removed) expect(now).toBe(before.get(sport));
    }
  });

  it('replacing a route removes the flows that used the old next hop', () => {
    const t = pair();
    t.a1.addRoute('blue', '10.60.0.0/16', {
      tunnel: { dst: '198.51.100.9', label: 77, encaps: ['mpls-udp'] },
    });
    t.a1.fw.fromPort(
      t.p1.index,
      udpFrame(macFromText(ROUTER), M1, '10.1.1.11', '10.60.0.1', 9, 9, new Uint8Array(1)),
    );
    expect(t.a1.fw.flows.stats().flows).toBe(2);
    t.a1.addRoute('blue', '10.60.0.0/16', { discard: true });
    expect(t.a1.fw.flows.stats().flows).toBe(0);
    t.a1.fw.fromPort(
      t.p1.index,
      udpFrame(macFromText(ROUTER), M1, '10.1.1.11', '10.60.0.1', 9, 9, new Uint8Array(1)),
    );
    expect(t.a1.fw.counters.drops[DropReason.discard]).toBe(1);
  });
});

const newSpaceUsed = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

describe('allocation', () => {
  // Nothing on this path allocates per packet (encap's flow hash is kept to 30 bits so V8 never boxes it).
  // A per-packet object (a subarray, a closure, a boxed MAC, hash or clock value) would add at least 12-16
  // bytes per packet; the bound of 1 byte leaves room only for measurement noise.
  it('established flows: port -> VXLAN -> underlay -> port allocates nothing per packet', () => {
    const t = pair();
    t.stopKeeping();
    const frames = Array.from({ length: 16 }, (_, i) =>
      udpFrame(M2, M1, '10.1.1.11', '10.1.1.12', 6000 + i, 7, new Uint8Array(64)),
    );
    const run = (n: number) => {
      for (let i = 0; i < n; i++) t.a1.fw.fromPort(t.p1.index, frames[i & 15]!);
    };
    run(20_000); // set up the flows and let the optimizing compiler settle
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) {
      const before = newSpaceUsed();
      const delivered = t.delivered();
      run(50_000);
      const growth = newSpaceUsed() - before;
      expect(t.delivered() - delivered).toBe(50_000);
      if (growth >= 0) samples.push(growth / 50_000); // a negative growth means a scavenge ran: skip it
    }
    expect(samples.length).toBeGreaterThan(0);
    expect(Math.min(...samples)).toBeLessThan(1);
  });
});
