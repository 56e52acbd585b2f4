// NAT pairs against @filament/encap: packets built with encap's codecs, tuples read with its fast path,
// checksums patched with its RFC 1624 update and checked with its full RFC 1071 sum.
import {
  checksumUpdate16,
  FlowKey as EncapKey,
  flowKeyFast,
  internetChecksum,
  ipv4Packet,
  ipv4PseudoSum,
  tcp,
  tcpFlagsFromByte,
  udp,
} from '@filament/encap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Action, FlowFlag, FlowKey, FlowTable, PacketFormatError, rewriteIpv4 } from '../src/index.js';

const text = (v: number) => `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;

function packet(
  proto: 6 | 17,
  src: number,
  dst: number,
  sport: number,
  dport: number,
  payload: Uint8Array,
  udpSum = true,
) {
  const pseudo = { src: text(src), dst: text(dst) };
  const seg =
    proto === 6
      ? tcp.encode(
          {
            srcPort: sport,
            dstPort: dport,
            seq: 1,
            ack: 0,
            flags: tcpFlagsFromByte(0x18),
            window: 512,
            urgentPointer: 0,
            options: [],
          },
          undefined,
          0,
          { pseudo, payload },
        )
      : udp.encode(
          { srcPort: sport, dstPort: dport },
          undefined,
          0,
          udpSum ? { pseudo, payload } : { payload },
        );
  return ipv4Packet(
    {
      dscp: 0,
      ecn: 0,
      identification: 7,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol: proto,
      src: text(src),
      dst: text(dst),
      options: new Uint8Array(0),
    },
    seg,
  );
}

function checksumsValid(pkt: Uint8Array): boolean {
  const l4len = pkt.length - 20;
  const proto = pkt[9]!;
  if (internetChecksum(pkt, 0, 20) !== 0) return false;
  if (proto === 17 && pkt[26] === 0 && pkt[27] === 0) return true;
  return internetChecksum(pkt, 20, l4len, ipv4PseudoSum(pkt, 12, 16, proto, l4len)) === 0;
}

describe('NAT flows', () => {
  it('source NAT: forward packets are rewritten, return traffic finds the pair and is rewritten back', () => {
    const t = new FlowTable({ capacity: 64, seed: 1 });
    const orig = FlowKey.v4(3, 6, '10.0.0.5', '8.8.8.8', 40000, 53);
    const natted = FlowKey.v4(3, 6, '203.0.113.7', '8.8.8.8', 61000, 53);
    const f = t.insertPair(orig, { action: Action.FORWARD, nat: natted });
    expect(t.action(f)).toBe(Action.NAT);
    expect(t.flags(f) & (FlowFlag.SNAT | FlowFlag.DNAT)).toBe(FlowFlag.SNAT);
    expect(t.flags(t.reverse(f)) & (FlowFlag.SNAT | FlowFlag.DNAT)).toBe(FlowFlag.DNAT);

    const ek = new EncapKey();
    const k = new FlowKey();
    const out = new FlowKey();
    const pkt = packet(6, 0x0a000005, 0x08080808, 40000, 53, Uint8Array.of(1, 2, 3, 4, 5));
    expect(flowKeyFast(pkt, 0, pkt.length, ek)).toBe(0);
    expect(t.lookup(k.setFromTuple(3, ek))).toBe(f);
    expect(t.rewriteKey(f, out)).toBe(true);
    expect(out.equals(natted)).toBe(true);
    expect(rewriteIpv4(pkt, 0, out, checksumUpdate16)).toBe(3);
    expect(checksumsValid(pkt)).toBe(true);
    flowKeyFast(pkt, 0, pkt.length, ek);
    expect(k.setFromTuple(3, ek).equals(natted)).toBe(true);

    const back = packet(6, 0x08080808, 0xcb007107, 53, 61000, Uint8Array.of(9, 9));
    flowKeyFast(back, 0, back.length, ek);
    const r = t.lookup(k.setFromTuple(3, ek));
    expect(r).toBe(t.reverse(f));
    t.rewriteKey(r, out);
    expect(out.toString()).toBe('vrf 3 proto 6 8.8.8.8:53 -> 10.0.0.5:40000');
    rewriteIpv4(back, 0, out, checksumUpdate16);
    expect(checksumsValid(back)).toBe(true);
    expect(t.record(f).rewrite).toBe(natted.toString());
  });

  it('incremental rewrite equals a full recompute for any tuple and target (TCP and UDP)', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const port = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(
        fc.constantFrom(6 as const, 17 as const),
        fc.tuple(u32, u32, port, port),
        fc.tuple(u32, u32, port, port),
        fc.uint8Array({ maxLength: 40 }),
        (proto, [s, d, sp, dp], [s2, d2, sp2, dp2], payload) => {
          const t = new FlowTable({ capacity: 16, seed: 2 });
          const orig = FlowKey.v4(1, proto, s, d, sp, dp);
          const nat = FlowKey.v4(1, proto, s2, d2, sp2, dp2);
          const f = t.insertPair(orig, { action: Action.FORWARD, nat });
          if (f < 0) return; // the NAT tuple reversed is the original (a no-op pair can collide with itself)
          const pkt = packet(proto, s, d, sp, dp, payload);
          const out = new FlowKey();
          if (t.rewriteKey(f, out)) rewriteIpv4(pkt, 0, out, checksumUpdate16);
          expect(checksumsValid(pkt)).toBe(true);
          const ek = new EncapKey();
          flowKeyFast(pkt, 0, pkt.length, ek);
          expect(new FlowKey().setFromTuple(1, ek).equals(nat)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves a zero UDP checksum zero', () => {
    const pkt = packet(17, 0x0a000001, 0x0a000002, 1000, 53, Uint8Array.of(1, 2, 3), false);
    expect(pkt[26]! | pkt[27]!).toBe(0);
    rewriteIpv4(pkt, 0, FlowKey.v4(1, 17, '192.0.2.1', '10.0.0.2', 2000, 53), checksumUpdate16);
    expect(pkt[26]! | pkt[27]!).toBe(0);
    expect(checksumsValid(pkt)).toBe(true);
  });

  it('rewrites the ICMP echo identifier and its checksum', () => {
    const pkt = new Uint8Array(28);
    pkt.set([
      0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 8, 0, 0, 0, 0x12, 0x34, 0, 1,
    ]);
    const ipSum = internetChecksum(pkt, 0, 20);
    pkt[10] = ipSum >> 8;
    pkt[11] = ipSum & 0xff;
    const icmpSum = internetChecksum(pkt, 20, 8);
    pkt[22] = icmpSum >> 8;
    pkt[23] = icmpSum & 0xff;
    rewriteIpv4(pkt, 0, FlowKey.v4(1, 1, '192.0.2.9', '10.0.0.2', 0x4321, 0x4321), checksumUpdate16);
    expect([pkt[24], pkt[25]]).toEqual([0x43, 0x21]);
    expect(internetChecksum(pkt, 0, 20)).toBe(0);
    expect(internetChecksum(pkt, 20, 8)).toBe(0);
  });

  it('floating IP: the rewrite may change the VRF, and the reverse key lives in the new VRF', () => {
    const t = new FlowTable({ capacity: 64, seed: 3 });
    const f = t.insertPair(FlowKey.v4(1, 17, '10.0.0.5', '172.16.0.1', 5000, 53), {
      action: Action.FORWARD,
      nat: FlowKey.v4(9, 17, '198.51.100.5', '172.16.0.1', 5000, 53),
    });
    expect(t.flags(f) & FlowFlag.VRF_TRANSLATE).toBe(FlowFlag.VRF_TRANSLATE);
    expect(t.lookup(FlowKey.v4(9, 17, '172.16.0.1', '198.51.100.5', 53, 5000))).toBe(t.reverse(f));
    expect(t.lookup(FlowKey.v4(1, 17, '172.16.0.1', '10.0.0.5', 53, 5000))).toBe(-1);
  });

  it('rejects packets that do not fit the rewrite with a typed error', () => {
    const to = FlowKey.v4(1, 6, '1.1.1.1', '2.2.2.2', 1, 2);
    const good = packet(6, 1, 2, 3, 4, new Uint8Array(0));
    const cases: [Uint8Array, number, FlowKey, string][] = [
      [new Uint8Array(10), 0, to, 'ipv4'],
      [Uint8Array.of(0x65, ...new Uint8Array(39)), 0, to, 'version'],
      [Uint8Array.of(0x44, ...new Uint8Array(39)), 0, to, 'ihl'],
      [good, 0, FlowKey.v4(1, 17, '1.1.1.1', '2.2.2.2', 1, 2), 'protocol'],
      [good.subarray(0, 30), 0, to, 'l4'],
      [good, 0, FlowKey.v6(1, 6, '::1', '::2', 1, 2), 'family'],
    ];
    for (const [pkt, off, key, field] of cases) {
      expect(() => rewriteIpv4(pkt, off, key, checksumUpdate16)).toThrow(PacketFormatError);
      try {
        rewriteIpv4(pkt, off, key, checksumUpdate16);
      } catch (e) {
        expect((e as PacketFormatError).field).toBe(field);
      }
    }
  });
});

describe('keys from @filament/encap fast-path tuples', () => {
  it('an ICMP echo request and its reply make a pair', () => {
    const echo = (type: number, src: number[], dst: number[]) => {
      const p = new Uint8Array(28);
      p.set([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, ...src, ...dst, type, 0, 0, 0, 0xbe, 0xef, 0, 1]);
      return p;
    };
    const ek = new EncapKey();
    const t = new FlowTable({ capacity: 16, seed: 4 });
    const req = echo(8, [10, 0, 0, 1], [10, 0, 0, 2]);
    expect(flowKeyFast(req, 0, req.length, ek)).toBe(0);
    const f = t.insertPair(new FlowKey().setFromTuple(1, ek), { action: Action.FORWARD });
    const rep = echo(0, [10, 0, 0, 2], [10, 0, 0, 1]);
    expect(flowKeyFast(rep, 0, rep.length, ek)).toBe(0);
    expect(t.lookup(new FlowKey().setFromTuple(1, ek))).toBe(t.reverse(f));
  });

  it('an IPv6 UDP packet and its reply make a pair', () => {
    const v6 = (src: number, dst: number, sport: number, dport: number) => {
      const p = new Uint8Array(48);
      p.set([0x60, 0, 0, 0, 0, 8, 17, 64]);
      p.set([0x20, 0x01, 0x0d, 0xb8], 8);
      p[23] = src;
      p.set([0x20, 0x01, 0x0d, 0xb8], 24);
      p[39] = dst;
      p.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 8, 0, 0], 40);
      return p;
    };
    const ek = new EncapKey();
    const t = new FlowTable({ capacity: 16, seed: 5 });
    const q = v6(1, 2, 5353, 53);
    expect(flowKeyFast(q, 0, q.length, ek)).toBe(0);
    const k = new FlowKey().setFromTuple(7, ek);
    expect(k.toString()).toBe('vrf 7 proto 17 [2001:db8::1]:5353 -> [2001:db8::2]:53');
    const f = t.insertPair(k, { action: Action.FORWARD });
    const a = v6(2, 1, 53, 5353);
    flowKeyFast(a, 0, a.length, ek);
    expect(t.lookup(new FlowKey().setFromTuple(7, ek))).toBe(t.reverse(f));
  });
});
