// What an agent receives for one key: a single path as it is, several (ECMP) merged into one entry carrying
// every next hop, as TF's control node does.
import type { Route } from '@filament/xmpp';
import { routeOf } from './entries.js';
import type { RouteFamily, RoutePath } from './route-db.js';

/** The route an agent receives for a key: one path as is; several merged into one entry with every next hop. */
export function mergedRoute(family: RouteFamily, paths: readonly RoutePath[]): Route {
  if (paths.length === 1) return routeOf(family, paths[0]!.entry);
  const first = paths[0]!.entry;
  const nextHops: (typeof first.nextHops)[number][] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const nh of p.entry.nextHops) {
      const id = `${nh.address}/${nh.label}`;
      if (seen.has(id)) continue;
      seen.add(id);
      nextHops.push(nh);
    }
  }
  return routeOf(family, { ...first, nextHops } as typeof first);
}
