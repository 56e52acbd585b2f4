// ARP proxy (RFC 826 packet format, section "Packet format"): the agent answers a workload's ARP request
// itself when it knows the answer, so requests are not flooded across the fabric:
//   - the target is the distributed gateway (or any address the VRF routes elsewhere): the router MAC;
//   - the target is bound to a MAC in the VRF (a local port or a remote workload's MAC/IP route): that MAC;
//   - otherwise the request is flooded to the VN (bum.ts), and the owner answers.
// The reply is written over the request in the same buffer and delivered back to the port.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------------------------------+-------------------------------+
//   |        hardware type 1        |     protocol type 0x0800      |
//   +---------------+---------------+-------------------------------+
//   |  hw len 6     | proto len 4   |          operation            |
//   +---------------+---------------+-------------------------------+
//   | sender hardware address (6) | sender protocol address (4)     |
//   | target hardware address (6) | target protocol address (4)     |
//   +---------------------------------------------------------------+

import { flood } from './bum.js';
import type { Forwarder } from './forwarder.js';
import { isGroupMac, macAt, putMac } from './mac-table.js';
import { DropReason } from './metrics.js';
import { NextHopKind } from './nexthop.js';
import type { Port } from './ports.js';
import type { Vrf } from './vrf.js';

const ARP_LEN = 28;
const SHA = 8;
const SPA = 14;
const THA = 18;
const TPA = 24;

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Handles an ARP frame from `port` at `buf[off, off+len)`. */
export function handleArp(
  fw: Forwarder,
  port: Port,
  vrf: Vrf,
  buf: Uint8Array,
  off: number,
  len: number,
): void {
  const c = fw.counters;
  const a = off + 14;
  if (len < 14 + ARP_LEN) {
    c.drop(DropReason.badArp);
    return;
  }
  const htype = (buf[a]! << 8) | buf[a + 1]!;
  const ptype = (buf[a + 2]! << 8) | buf[a + 3]!;
  const op = (buf[a + 6]! << 8) | buf[a + 7]!;
  if (htype !== 1 || ptype !== 0x0800 || buf[a + 4] !== 6 || buf[a + 5] !== 4 || (op !== 1 && op !== 2)) {
    c.drop(DropReason.badArp);
    return;
  }
  if (op === 2) {
    // A reply to a flooded request: bridge it to its destination.
    if (isGroupMac(buf, off)) {
      flood(fw, vrf, port.index, buf, off, len, false);
      return;
    }
    const nh = vrf.macs.lookup(macAt(buf, off));
    if (nh < 0) {
      c.drop(DropReason.noMac);
      return;
    }
    fw.forward(vrf, buf, off, len, nh, false, -1, false);
    return;
  }
  const sip = u32(buf, a + SPA);
  const tip = u32(buf, a + TPA);
  if (sip === tip) return; // gratuitous ARP: the agent already knows its ports; nothing to answer
  let answer = -1;
  if (tip === port.gateway4 || vrf.gateways.has(tip)) answer = fw.routerMac;
  else {
    const bound = vrf.macs.macOf(tip);
    if (bound >= 0) answer = bound;
    else {
      // Known by a route: off-link, or a host route to another agent (no MAC known: answer for the router).
      const nh = fw.nexthops.at(vrf.lpm4.lookup4(tip));
      if (
        nh !== undefined &&
        (!sameSubnet(port, tip) || nh.kind === NextHopKind.tunnel || nh.kind === NextHopKind.ecmp)
      )
        answer = fw.routerMac;
    }
  }
  if (answer < 0) {
    c.arpFlooded++;
    flood(fw, vrf, port.index, buf, off, len, false);
    return;
  }
  // Turn the request into the reply in place.
  const senderMac = macAt(buf, a + SHA);
  putMac(buf, off, senderMac);
  putMac(buf, off + 6, answer);
  buf[a + 7] = 2;
  buf.copyWithin(a + THA, a + SHA, a + SHA + 10); // target := old sender (MAC and IP)
  putMac(buf, a + SHA, answer);
  buf[a + SPA] = tip >>> 24;
  buf[a + SPA + 1] = (tip >>> 16) & 0xff;
  buf[a + SPA + 2] = (tip >>> 8) & 0xff;
  buf[a + SPA + 3] = tip & 0xff;
  c.arpProxied++;
  fw.deliver(port, buf, off, 14 + ARP_LEN);
}

function sameSubnet(port: Port, ip: number): boolean {
  const len = port.ipam.prefixLen;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return (ip & mask) >>> 0 === (port.ip4 & mask) >>> 0;
}
