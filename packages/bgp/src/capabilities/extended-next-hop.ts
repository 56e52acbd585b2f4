// RFC 8950 3: Extended Next Hop Encoding capability (code 5), one 6-byte tuple per NLRI family that may
// carry a next hop of another address family (typically IPv4 NLRI with an IPv6 next hop).
//
//  +-----------------------------------------------------+
//  | NLRI AFI - 1 (2 octets)                             |
//  | NLRI SAFI - 1 (2 octets)                            |
//  | Nexthop AFI - 1 (2 octets)                          |
//  +-----------------------------------------------------+
import { checkUint, u16, type Writer } from '../wire.js';
import { expectMultiple } from './error.js';

export interface ExtendedNextHopEntry {
  afi: number;
  safi: number;
  nextHopAfi: number;
}

export interface ExtendedNextHopCapability {
  type: 'extended-next-hop';
  entries: ExtendedNextHopEntry[];
}

export function decodeExtendedNextHop(buf: Uint8Array, o: number, len: number): ExtendedNextHopCapability {
  expectMultiple('extended-next-hop', o, len, 6);
  const entries: ExtendedNextHopEntry[] = [];
  for (let p = o; p < o + len; p += 6) {
    entries.push({ afi: u16(buf, p), safi: u16(buf, p + 2), nextHopAfi: u16(buf, p + 4) });
  }
  return { type: 'extended-next-hop', entries };
}

export function encodeExtendedNextHop(c: ExtendedNextHopCapability, w: Writer): void {
  for (const e of c.entries) {
    checkUint('capability:extended-next-hop', 'afi', e.afi, 0xffff);
    checkUint('capability:extended-next-hop', 'safi', e.safi, 0xffff);
    checkUint('capability:extended-next-hop', 'nextHopAfi', e.nextHopAfi, 0xffff);
    w.u16(e.afi).u16(e.safi).u16(e.nextHopAfi);
  }
}
