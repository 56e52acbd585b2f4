// Bad input from the network: random and mutated frames (Neighbor Solicitations, ICMPv6 echo, TCP) sent
// from a port through the forwarder's ND proxy, and delivered to an in-process workload, never throw; every
// Neighbor Advertisement the proxy writes carries a valid ICMPv6 checksum.
import { internetChecksum, ipv6PseudoSum, parseIPv6 } from '@filament/encap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Agent, macFromText, putMac, Workload } from '../src/index.js';

const ROUTER = '00:00:5e:00:01:00';
const W_MAC = '02:00:00:00:77:01';
const ME = 'fd00:77::11';
const REMOTE = 'fd00:77::12';

/** A Neighbor Solicitation from the workload for `target`, to its solicited-node group. */
function solicitation(target: string): Uint8Array {
  const f = new Uint8Array(14 + 40 + 32);
  const t = parseIPv6(target);
  putMac(f, 0, 0x3333ff000000 + ((t[13]! << 16) | (t[14]! << 8) | t[15]!));
  putMac(f, 6, macFromText(W_MAC));
  f[12] = 0x86;
  f[13] = 0xdd;
  f[14] = 0x60;
  f[19] = 32;
  f[20] = 58;
  f[21] = 255;
  f.set(parseIPv6(ME), 22);
  f.set([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, t[13]!, t[14]!, t[15]!], 38);
  f[54] = 135;
  f.set(t, 62);
  f[78] = 1;
  f[79] = 1;
  putMac(f, 80, macFromText(W_MAC));
  const sum = internetChecksum(f, 54, 32, ipv6PseudoSum(f, 22, 38, 58, 32));
  f[56] = sum >>> 8;
  f[57] = sum & 0xff;
  return f;
}

function setup() {
  const agent = new Agent({ name: 'nd-fuzz', underlay: '192.0.2.77', routerMac: ROUTER });
  agent.addVrf({ name: 'blue', vni: 77, gateways: ['10.7.7.1'] });
  const delivered: Uint8Array[] = [];
  const port = agent.addPort({
    name: 'w1',
    vrf: 'blue',
    mac: W_MAC,
    ipam: { address: '10.7.7.11', prefixLen: 24, gateway: '10.7.7.1', address6: ME },
    deliver: (b, o, l) => delivered.push(b.slice(o, o + l)),
  });
  agent.addRoute('blue', `${REMOTE}/128`, {
    tunnel: { dst: '192.0.2.78', label: 99, encaps: ['mpls-udp'] },
  });
  return { agent, port, delivered };
}

const mutated = (base: Uint8Array) =>
  fc
    .array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })
    .chain((edits) =>
      fc.integer({ min: 14, max: base.length }).map((len) => {
        const f = base.slice(0, len);
        for (const [at, v] of edits) if (at < len) f[at] = v;
        return f;
      }),
    );

describe('ND proxy and the IPv6 workload under bad input', () => {
  it('answers a solicitation for a routed host with the router MAC and a valid checksum', () => {
    const { agent, port, delivered } = setup();
    agent.fw.fromPort(port.index, solicitation(REMOTE));
    expect(delivered).toHaveLength(1);
    const na = delivered[0]!;
    expect(na[54]).toBe(136);
    expect(internetChecksum(na, 54, 32, ipv6PseudoSum(na, 22, 38, 58, 32))).toBe(0);
    expect(na.subarray(80, 86)).toEqual(Uint8Array.from([0, 0, 0x5e, 0, 1, 0]));
    expect(agent.fw.counters.ndProxied).toBe(1);
  });

  it('random and mutated frames through the forwarder never throw; every advertisement checks', () => {
    const { agent, port, delivered } = setup();
    const base = solicitation(REMOTE);
    fc.assert(
      fc.property(fc.oneof(mutated(base), fc.uint8Array({ minLength: 0, maxLength: 120 })), (f) => {
        delivered.length = 0;
        agent.fw.fromPort(port.index, f);
        for (const d of delivered)
          if (d.length >= 86 && d[12] === 0x86 && d[13] === 0xdd && d[54] === 136)
            expect(internetChecksum(d, 54, 32, ipv6PseudoSum(d, 22, 38, 58, 32))).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('random and mutated frames to the workload are handled without an exception', async () => {
    const w = new Workload({ name: 'w', mac: W_MAC, address: '10.7.7.11', address6: ME, timeoutMs: 100 });
    w.attach(() => {});
    const echo = solicitation(ME);
    echo[54] = 128; // an echo request to the workload, from the remote host
    echo.set(parseIPv6(REMOTE), 22);
    echo.set(parseIPv6(ME), 38);
    const frames = fc.sample(
      fc.oneof(mutated(solicitation(ME)), mutated(echo), fc.uint8Array({ minLength: 0, maxLength: 120 })),
      3000,
    );
    // Edge cases: a solicitation cut inside the target; an IPv6 header with no payload.
    frames.push(solicitation(ME).slice(0, 70), solicitation(ME).slice(0, 54));
    for (const f of frames) w.deliver(f, 0, f.length);
    await new Promise((r) => setTimeout(r, 50));
    expect(w.counts.badFrames).toBe(0);
    expect(w.counts.echoAnswered).toBeGreaterThan(0);
  });
});
