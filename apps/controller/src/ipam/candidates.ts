// Candidate pickers for the allocator: addresses from subnet ranges, MACs, integer ids.
import { formatAddr } from './address.js';
import type { SubnetPlan } from './subnets.js';

/**
 * First free address in the plans' ranges (skipping reserved ones). Subnets are tried in order; within one, the
 * scan goes upwards (addr_from_start) or downwards, starting just past its cursor (the last address this
 * controller handed out there, so allocation does not rescan the used part every time) and wrapping around.
 * Bounded scan.
 */
export function nextAddress(
  plans: SubnetPlan[],
  taken: (key: string) => boolean,
  cursors: ReadonlyMap<string, bigint> = new Map(),
  limit = 1_000_000,
): { address: string; subnet: SubnetPlan } | undefined {
  let steps = 0;
  for (const p of plans) {
    const cursor = cursors.get(p.uuid);
    const up = p.fromStart;
    const ranges = up ? p.ranges : [...p.ranges].reverse();
    // pass 0: past the cursor in the scan direction; pass 1: from the beginning up to the cursor.
    for (const pass of cursor === undefined ? [1] : [0, 1]) {
      for (const [lo, hi] of ranges) {
        let from = up ? lo : hi;
        let to = up ? hi : lo;
        if (cursor !== undefined) {
          if (pass === 0) {
            if (up ? hi <= cursor : lo >= cursor) continue;
            if (up ? from <= cursor : from >= cursor) from = up ? cursor + 1n : cursor - 1n;
          } else if (up ? to > cursor : to < cursor) to = cursor;
        }
        for (let v = from; up ? v <= to : v >= to; v += up ? 1n : -1n) {
          if (++steps > limit) return undefined;
          if (p.reserved.has(v)) continue;
          const address = formatAddr({ family: p.prefix.family, value: v });
          if (!taken(address)) return { address, subnet: p };
        }
      }
    }
  }
  return undefined;
}
