// Neighbor Discovery proxy (RFC 4861 section 4.3 Neighbor Solicitation, 4.4 Neighbor Advertisement): the
// IPv6 counterpart of the ARP proxy. The agent answers a workload's solicitation itself when its VRF
// routes the target:
//   - a host route to another agent (tunnel or ECMP next hop): the router MAC, so the traffic is routed
//     (as the ARP proxy does for IPv4 host routes to other agents);
//   - another local port: that port's MAC.
// Anything else (duplicate address detection, unknown targets, the port's own address) is left to the
// caller, which floods it. The advertisement is written over the solicitation in the same buffer.
//
//   Neighbor Solicitation (type 135) / Advertisement (type 136), after a 40-byte IPv6 header:
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +---------------+---------------+-------------------------------+
//   |     Type      |     Code      |          Checksum             |
//   +-+-+-+---------+---------------+-------------------------------+
//   |R|S|O|                     Reserved                            |   (NA; reserved in NS)
//   +-+-+-+---------------------------------------------------------+
//   |                       Target Address (16)                     |
//   +---------------------------------------------------------------+
//   | Option type 1 (NS: source) / 2 (NA: target) link-layer, len 1 |  MAC (6)
//   +---------------------------------------------------------------+

import { internetChecksum, ipv6PseudoSum } from '@filament/encap';
import type { Forwarder } from './forwarder.js';
import { macAt, putMac } from './mac-table.js';
import { NextHopKind } from './nexthop.js';
import type { Port } from './ports.js';
import type { Vrf } from './vrf.js';

const IP6 = 14;
const ICMP6 = IP6 + 40;
const NS = 135;
const NA = 136;
/** ICMPv6 NA (24) + the target link-layer address option (8). */
const NA_LEN = 32;
const NA_ROUTER = 0x80;
const NA_SOLICITED = 0x40;

/**
 * Answers the Neighbor Solicitation in `buf[off, off + len)` from `port` when the VRF knows the target.
 * Returns true when it answered (the frame became the advertisement, delivered to the port).
 */
export function answerSolicitation(
  fw: Forwarder,
  port: Port,
  vrf: Vrf,
  buf: Uint8Array,
  off: number,
  len: number,
): boolean {
  const ip = off + IP6;
  const icmp = off + ICMP6;
  // No extension headers, hop limit 255 (RFC 4861 7.1.1), code 0, the fixed part present.
  if (len < ICMP6 + 24 || buf[ip + 6] !== 58 || buf[ip + 7] !== 255) return false;
  if (buf[icmp] !== NS || buf[icmp + 1] !== 0) return false;
  // Duplicate address detection comes from the unspecified address: only the owner may answer.
  let unspecified = true;
  for (let i = 0; i < 16 && unspecified; i++) if (buf[ip + 8 + i] !== 0) unspecified = false;
  if (unspecified) return false;
  const target = icmp + 8;
  const nhId = vrf.lpm6.lookup(buf, target);
  const nh = nhId >= 0 ? fw.nexthops.at(nhId) : undefined;
  if (nh === undefined) return false;
  let answer: number;
  let flags = NA_SOLICITED;
  if (nh.kind === NextHopKind.tunnel || nh.kind === NextHopKind.ecmp) {
    answer = fw.routerMac;
    flags |= NA_ROUTER;
  } else if (nh.kind === NextHopKind.interface && nh.port !== port.index && nh.vrf < 0) {
    const other = fw.ports[nh.port];
    if (other === undefined || other.vrf !== vrf.id) return false;
    answer = other.mac;
  } else return false;
  // Ethernet: back to the soliciting workload.
  putMac(buf, off, macAt(buf, off + 6));
  putMac(buf, off + 6, answer);
  // IPv6: from the target to the solicitation's source, hop limit 255.
  buf.copyWithin(ip + 24, ip + 8, ip + 24);
  buf.copyWithin(ip + 8, target, target + 16);
  buf[ip + 4] = 0;
  buf[ip + 5] = NA_LEN;
  buf[ip + 7] = 255;
  // ICMPv6 NA: flags, the target (already in place), its link-layer address option.
  buf[icmp] = NA;
  buf[icmp + 1] = 0;
  buf[icmp + 2] = 0;
  buf[icmp + 3] = 0;
  buf[icmp + 4] = flags;
  buf[icmp + 5] = 0;
  buf[icmp + 6] = 0;
  buf[icmp + 7] = 0;
  buf[icmp + 24] = 2;
  buf[icmp + 25] = 1;
  putMac(buf, icmp + 26, answer);
  const sum = internetChecksum(buf, icmp, NA_LEN, ipv6PseudoSum(buf, ip + 8, ip + 24, 58, NA_LEN));
  buf[icmp + 2] = sum >>> 8;
  buf[icmp + 3] = sum & 0xff;
  fw.counters.ndProxied++;
  fw.deliver(port, buf, off, ICMP6 + NA_LEN);
  return true;
}
