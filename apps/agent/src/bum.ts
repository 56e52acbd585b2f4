// BUM (broadcast, unknown unicast, multicast) handling by ingress replication: a frame that has no single
// destination is copied to every other local port of the VN and, when it came from a local port, to every
// remote agent of the VN in VXLAN with the VN's VNI (RFC 7348 section 4.2 head-end replication; the list
// is the VRF's BUM composite next hop, which the controller fills from the agents hosting the VN). A frame
// from the fabric is delivered locally only (split horizon), so nothing loops.

import type { Forwarder } from './forwarder.js';
import { NextHopKind } from './nexthop.js';
import { HEADROOM } from './ring.js';
import type { Vrf } from './vrf.js';

/** Replicates `buf[off, off+len)` in `vrf`, except to local port `fromVif`. */
export function flood(
  fw: Forwarder,
  vrf: Vrf,
  fromVif: number,
  buf: Uint8Array,
  off: number,
  len: number,
  fromFabric: boolean,
): void {
  for (const vif of vrf.ports) {
    if (vif === fromVif) continue;
    const port = fw.ports[vif];
    if (port !== undefined) fw.deliver(port, buf, off, len);
  }
  if (fromFabric || vrf.bum < 0) return;
  const bum = fw.nexthops.at(vrf.bum);
  if (bum === undefined) return;
  for (const id of bum.members) {
    const nh = fw.nexthops.at(id);
    if (nh === undefined || nh.kind !== NextHopKind.tunnel) continue;
    // Each replica gets its own buffer: encapsulation writes into the headroom.
    const copy = fw.ring.next();
    if (len > copy.length - HEADROOM) return;
    copy.set(buf.subarray(off, off + len), HEADROOM);
    fw.counters.bumReplicated++;
    fw.encapSend(vrf, copy, HEADROOM, len, nh, false, -1);
  }
}
