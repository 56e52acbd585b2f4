// The distributed default gateway: every agent owns each VN subnet's gateway address with its own router
// MAC (the ARP proxy answers it), routes between subnets (forwarder.ts, L3 path), and answers ICMP echo
// (RFC 792) sent to the gateway address. The reply is written over the request in place: Ethernet and IP
// addresses swapped, type 8 -> 0 with the checksum updated incrementally (RFC 1624).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Type 8/0    |     Code 0    |          Checksum             |
//   +---------------+---------------+-------------------------------+
//   |           Identifier          |        Sequence Number        |
//   +-------------------------------+-------------------------------+

import { checksumUpdate16 } from '@filament/encap';
import type { Forwarder } from './forwarder.js';
import { macAt, putMac } from './mac-table.js';
import { DropReason } from './metrics.js';
import type { Port } from './ports.js';

/** Handles an IPv4 packet addressed to the gateway: ICMP echo is answered, the rest dropped. */
export function answerGateway(fw: Forwarder, port: Port, buf: Uint8Array, off: number, len: number): void {
  const ip = off + 14;
  const ihl = (buf[ip]! & 0x0f) << 2;
  const icmp = ip + ihl;
  if (buf[ip + 9] !== 1 || icmp + 8 > off + len || buf[icmp] !== 8 || buf[icmp + 1] !== 0) {
    fw.counters.drop(DropReason.gatewayProtocol);
    return;
  }
  const src = macAt(buf, off + 6);
  putMac(buf, off, src);
  putMac(buf, off + 6, fw.routerMac);
  for (let i = 0; i < 4; i++) {
    const t = buf[ip + 12 + i]!;
    buf[ip + 12 + i] = buf[ip + 16 + i]!;
    buf[ip + 16 + i] = t;
  }
  // Swapping the addresses leaves the IP header checksum as it was; only TTL changes there.
  const ttl = buf[ip + 8]!;
  const proto = buf[ip + 9]!;
  const s = checksumUpdate16((buf[ip + 10]! << 8) | buf[ip + 11]!, (ttl << 8) | proto, (64 << 8) | proto);
  buf[ip + 8] = 64;
  buf[ip + 10] = s >>> 8;
  buf[ip + 11] = s & 0xff;
  buf[icmp] = 0;
  const cs = checksumUpdate16((buf[icmp + 2]! << 8) | buf[icmp + 3]!, 0x0800, 0x0000);
  buf[icmp + 2] = cs >>> 8;
  buf[icmp + 3] = cs & 0xff;
  fw.counters.gatewayIcmp++;
  fw.deliver(port, buf, off, len);
}
