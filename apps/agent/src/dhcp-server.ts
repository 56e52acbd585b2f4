// DHCP server per port (RFC 2131 section 4.3): the agent answers DISCOVER with OFFER and REQUEST with ACK
// (NAK when the client asks for another address), from the port's IPAM data: address, subnet mask, router
// (the distributed gateway), DNS servers, interface MTU (RFC 2132 section 5.1), lease time. The server
// identifier is the gateway address, as the vRouter agent does. Messages are decoded and encoded with
// @filament/encap's dhcpv4 codec; DHCP is a control exchange, so this path may allocate.
//
//   Ethernet / IPv4 / UDP 67 / BOOTP fixed header (236) / magic cookie / options
//   reply: Ethernet src router MAC, dst client MAC; IPv4 src gateway, dst yiaddr (or broadcast when
//   the client set the B flag); UDP 67 -> 68.

import {
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DhcpMessageType,
  type DhcpOption,
  type Dhcpv4,
  dhcpv4,
  internetChecksum,
  ipv4PseudoSum,
} from '@filament/encap';
import type { Forwarder } from './forwarder.js';
import { putMac } from './mac-table.js';
import { DropReason } from './metrics.js';
import type { Port } from './ports.js';
import { HEADROOM } from './ring.js';
import type { Vrf } from './vrf.js';

function maskText(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 0xff}.${(m >>> 8) & 0xff}.${m & 0xff}`;
}

/** Builds the reply to a client message, or null when there is nothing to say (RELEASE, INFORM...). */
export function dhcpReply(port: Port, req: Dhcpv4): Dhcpv4 | null {
  let type = 0;
  let requested = '';
  for (const o of req.options) {
    if (o.kind === 'messageType') type = o.value;
    else if (o.kind === 'requestedIp') requested = o.value;
  }
  const ipam = port.ipam;
  let replyType: number;
  if (type === DhcpMessageType.discover) replyType = DhcpMessageType.offer;
  else if (type === DhcpMessageType.request) {
    const asked = requested !== '' ? requested : req.ciaddr;
    replyType = asked === ipam.address || asked === '0.0.0.0' ? DhcpMessageType.ack : DhcpMessageType.nak;
  } else return null;
  const options: DhcpOption[] = [
    { kind: 'messageType', value: replyType },
    { kind: 'serverId', value: ipam.gateway },
  ];
  if (replyType !== DhcpMessageType.nak) {
    const lease = ipam.leaseSeconds ?? 86400;
    options.push(
      { kind: 'leaseTime', value: lease },
      { kind: 'renewalTime', value: Math.floor(lease / 2) },
      { kind: 'rebindingTime', value: Math.floor((lease * 7) / 8) },
      { kind: 'subnetMask', value: maskText(ipam.prefixLen) },
      { kind: 'router', value: [ipam.gateway] },
    );
    if (ipam.dns && ipam.dns.length > 0) options.push({ kind: 'dnsServers', value: ipam.dns });
    if (ipam.mtu !== undefined) options.push({ kind: 'mtu', value: ipam.mtu });
    if (ipam.domainName !== undefined) options.push({ kind: 'domainName', value: ipam.domainName });
    if (ipam.hostname !== undefined) options.push({ kind: 'hostname', value: ipam.hostname });
  }
  options.push({ kind: 'end' });
  return {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: req.xid,
    secs: 0,
    broadcast: req.broadcast,
    ciaddr: req.ciaddr,
    yiaddr: replyType === DhcpMessageType.nak ? '0.0.0.0' : ipam.address,
    siaddr: '0.0.0.0',
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: '',
    file: '',
    options,
  };
}

/** Handles an IPv4/UDP packet to port 67 from `port`. */
export function handleDhcp(
  fw: Forwarder,
  port: Port,
  _vrf: Vrf,
  buf: Uint8Array,
  off: number,
  len: number,
): void {
  const ip = off + 14;
  const ihl = (buf[ip]! & 0x0f) << 2;
  const udp = ip + ihl;
  const ulen = (buf[udp + 4]! << 8) | buf[udp + 5]!;
  if (ulen < 8 || udp + ulen > off + len) {
    fw.counters.drop(DropReason.badDhcp);
    return;
  }
  let req: Dhcpv4;
  try {
    req = dhcpv4.decode(buf, udp + 8, { length: ulen - 8 }).value;
  } catch {
    fw.counters.drop(DropReason.badDhcp);
    return;
  }
  if (req.op !== 1 || req.htype !== 1) {
    fw.counters.drop(DropReason.badDhcp);
    return;
  }
  const reply = dhcpReply(port, req);
  if (reply === null) return;
  const msg = dhcpv4.encode(reply);
  const out = fw.ring.next();
  const o = HEADROOM;
  const total = 14 + 20 + 8 + msg.length;
  if (o + total > out.length) {
    fw.counters.drop(DropReason.badDhcp);
    return;
  }
  const yi = reply.yiaddr.split('.').map(Number);
  const dstIp = reply.broadcast || reply.yiaddr === '0.0.0.0' ? [255, 255, 255, 255] : yi;
  const srcIp = port.ipam.gateway.split('.').map(Number);
  putMac(out, o, port.mac);
  putMac(out, o + 6, fw.routerMac);
  out[o + 12] = 0x08;
  out[o + 13] = 0x00;
  const p = o + 14;
  out.fill(0, p, p + 28);
  out[p] = 0x45;
  out[p + 2] = (20 + 8 + msg.length) >>> 8;
  out[p + 3] = (20 + 8 + msg.length) & 0xff;
  out[p + 8] = 64;
  out[p + 9] = 17;
  out.set(srcIp, p + 12);
  out.set(dstIp, p + 16);
  const ipSum = internetChecksum(out, p, 20);
  out[p + 10] = ipSum >>> 8;
  out[p + 11] = ipSum & 0xff;
  const u = p + 20;
  out[u] = DHCP_SERVER_PORT >>> 8;
  out[u + 1] = DHCP_SERVER_PORT & 0xff;
  out[u + 2] = DHCP_CLIENT_PORT >>> 8;
  out[u + 3] = DHCP_CLIENT_PORT & 0xff;
  out[u + 4] = (8 + msg.length) >>> 8;
  out[u + 5] = (8 + msg.length) & 0xff;
  out.set(msg, u + 8);
  const us = internetChecksum(out, u, 8 + msg.length, ipv4PseudoSum(out, p + 12, p + 16, 17, 8 + msg.length));
  const usum = us === 0 ? 0xffff : us;
  out[u + 6] = usum >>> 8;
  out[u + 7] = usum & 0xff;
  fw.counters.dhcpReplies++;
  fw.deliver(port, out, o, total);
}
