// The VNI table (RFC 7348): a VXLAN network identifier is global per VN, and maps to the VRF of that VN on
// this host. The receive path reads it once per VXLAN packet.

import { DuplicateObjectError, FieldRangeError } from './errors.js';

export class VniTable {
  private readonly map = new Map<number, number>();

  set(vni: number, vrf: number): void {
    if (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff)
      throw new FieldRangeError('vni-table', 'vni', vni, 1, 0xffffff);
    const old = this.map.get(vni);
    if (old !== undefined && old !== vrf) throw new DuplicateObjectError('vni-table', 'vni', vni);
    this.map.set(vni, vrf);
  }

  delete(vni: number): void {
    this.map.delete(vni);
  }

  /** The VRF id for `vni`, or -1. */
  lookup(vni: number): number {
    return this.map.get(vni) ?? -1;
  }

  entries(): IterableIterator<[number, number]> {
    return this.map.entries();
  }
}
