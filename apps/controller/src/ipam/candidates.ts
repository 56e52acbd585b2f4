// Candidate pickers for the allocator: addresses from subnet ranges, MACs, integer ids.
import { formatAddr } from './address.js';
import type { SubnetPlan } from './subnets.js';

/** Lowest free address in the plans' ranges (skipping reserved ones); bounded scan. */
export function nextAddress(
  plans: SubnetPlan[],
  taken: (key: string) => boolean,
  limit = 1_000_000,
): { address: string; subnet: SubnetPlan } | undefined {
  let steps = 0;
  for (const p of plans) {
    for (const [start, end] of p.ranges) {
      for (let v = start; v <= end; v++) {
        if (++steps > limit) return undefined;
        if (p.reserved.has(v)) continue;
        const address = formatAddr({ family: p.prefix.family, value: v });
        if (!taken(address)) return { address, subnet: p };
      }
    }
  }
  return undefined;
}
