// Candidate pickers for the allocator: addresses from subnet ranges, MACs, integer ids.
import { formatAddr } from './address.js';
import type { SubnetPlan } from './subnets.js';

/**
 * First free address in the plans' ranges (skipping reserved ones). Subnets are tried in order; within one, the
 * scan starts just after its cursor (the last address this controller handed out there, so allocation does not
 * rescan the used part every time) and wraps around to the subnet's lowest address. Bounded scan.
 */
export function nextAddress(
  plans: SubnetPlan[],
  taken: (key: string) => boolean,
  cursors: ReadonlyMap<string, bigint> = new Map(),
  limit = 1_000_000,
): { address: string; subnet: SubnetPlan } | undefined {
  let steps = 0;
  for (const p of plans) {
    const after = cursors.get(p.uuid);
    for (const pass of after === undefined ? [1] : [0, 1]) {
      for (const [start, end] of p.ranges) {
        let v = start;
        let stop = end;
        if (pass === 0) {
          if (end <= after!) continue;
          if (v <= after!) v = after! + 1n;
        } else if (after !== undefined && stop > after) stop = after;
        for (; v <= stop; v++) {
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
