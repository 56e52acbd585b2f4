// NAT rewrite of an IPv4 packet in place. A NAT pair stores the original tuple (forward key) and the
// rewritten one (reverse key, reversed), so return traffic finds its flow and `FlowTable.rewriteKey` gives
// the tuple to write. Checksums are patched incrementally (RFC 1624) by the function the caller passes,
// e.g. `checksumUpdate16` from @filament/encap, so this package carries no checksum code of its own.
//
//  IPv4 (RFC 791 3.1)                     TCP (RFC 9293 3.1) / UDP (RFC 768)
//   0      4      8             16     31   0               16              31
//  +------+------+--------------+--------+  +---------------+---------------+
//  |ver|ihl| tos |     total length      |  |  source port  |   dest port   |
//  |  identification |flags| frag offset |  +---------------+---------------+
//  |  ttl  | proto |  header checksum    |  TCP: checksum at byte 16; UDP: at byte 6 (0 = none)
//  |          source address             |  ICMP echo (RFC 792): checksum at 2, identifier at 4
//  |        destination address          |
import { PacketFormatError } from './errors.js';
import type { FlowKey } from './key.js';

/** RFC 1624 eqn. 3 update of a checksum after one 16-bit word changed (encap's `checksumUpdate16`). */
export type ChecksumUpdate16 = (checksum: number, oldWord: number, newWord: number) => number;

/**
 * Rewrites the IPv4 packet at `l3` to carry the addresses and ports of `to` (as `rewriteKey` gives them),
 * patching the IPv4 header checksum and the TCP/UDP checksum (pseudo-header included) or, for ICMP echo,
 * the identifier and ICMP checksum. Returns the number of 16-bit words changed.
 */
export function rewriteIpv4(packet: Uint8Array, l3: number, to: FlowKey, update: ChecksumUpdate16): number {
  if (to.family !== 4) throw new PacketFormatError('family', l3, 'the rewrite tuple is not IPv4');
  if (l3 < 0 || l3 + 20 > packet.length)
    throw new PacketFormatError('ipv4', l3, 'shorter than an IPv4 header');
  if (packet[l3]! >> 4 !== 4) throw new PacketFormatError('version', l3, 'not IPv4');
  const ihl = (packet[l3]! & 0x0f) * 4;
  if (ihl < 20 || l3 + ihl > packet.length)
    throw new PacketFormatError('ihl', l3, `bad header length ${ihl}`);
  const proto = packet[l3 + 9]!;
  if (proto !== to.proto)
    throw new PacketFormatError('protocol', l3 + 9, `packet is ${proto}, flow is ${to.proto}`);
  const l4 = l3 + ihl;
  const w = to.words;
  let changed = 0;
  // Address words change both the IP header checksum and (through the pseudo-header) the L4 checksum.
  let l4csumAt = -1;
  let l4words = 0;
  if (proto === 6) {
    l4csumAt = l4 + 16;
    l4words = 2;
  } else if (proto === 17) {
    l4csumAt = l4 + 6;
    l4words = 2;
  } else if (proto === 1) {
    l4csumAt = l4 + 2;
    l4words = 0;
  }
  if (l4csumAt >= 0 && l4csumAt + 2 > packet.length)
    throw new PacketFormatError('l4', l4, 'truncated transport header');
  const udpNoChecksum = proto === 17 && get16(packet, l4csumAt) === 0;
  const fixL4 = l4csumAt >= 0 && proto !== 1 && !udpNoChecksum;
  const patch = (at: number, word: number, pseudo: boolean, l4field: boolean): void => {
    const old = get16(packet, at);
    if (old === word) return;
    set16(packet, at, word);
    changed++;
    if (!l4field) set16(packet, l3 + 10, update(get16(packet, l3 + 10), old, word));
    if ((pseudo && fixL4) || (l4field && !udpNoChecksum))
      set16(packet, l4csumAt, update(get16(packet, l4csumAt), old, word));
  };
  const src = w[2]! >>> 0;
  const dst = w[6]! >>> 0;
  patch(l3 + 12, src >>> 16, true, false);
  patch(l3 + 14, src & 0xffff, true, false);
  patch(l3 + 16, dst >>> 16, true, false);
  patch(l3 + 18, dst & 0xffff, true, false);
  if (l4words === 2) {
    patch(l4, to.sport, false, true);
    patch(l4 + 2, to.dport, false, true);
  } else if (proto === 1) {
    if (l4 + 6 > packet.length) throw new PacketFormatError('icmp', l4, 'truncated ICMP echo header');
    patch(l4 + 4, to.sport, false, true);
  }
  return changed;
}

function get16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function set16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}
