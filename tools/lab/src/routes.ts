// An agent's routes as comparable text, from its introspect `/routes`: per VRF, prefix -> a description of
// the next hop (local port, or tunnel destination with label, VNI and encapsulations; ECMP members). The
// fault checks compare snapshots before and after a restart: no route missing, none extra or stale.
import type { AgentClient } from './agent-client.js';

/** VRF name -> prefix -> next hop description. */
export type RouteSnapshot = Map<string, Map<string, string>>;

export function describeNextHop(nh: Record<string, unknown> | undefined): string {
  if (!nh) return 'none';
  const kind = String(nh.kind ?? '?');
  if (kind === 'tunnel') {
    const parts = [`tunnel ${String(nh.dst)}`];
    if (nh.label !== undefined) parts.push(`label ${String(nh.label)}`);
    if (nh.vni !== undefined) parts.push(`vni ${String(nh.vni)}`);
    if (Array.isArray(nh.encaps)) parts.push(`[${nh.encaps.join(',')}]`);
    return parts.join(' ');
  }
  if (kind === 'interface') return `port ${String(nh.port)}`;
  if (Array.isArray(nh.members)) return `${kind} ${nh.members.length} members`;
  return kind;
}

export async function routeSnapshot(client: AgentClient): Promise<RouteSnapshot> {
  const snap: RouteSnapshot = new Map();
  for (const v of await client.routes()) {
    const m = new Map<string, string>();
    for (const r of v.routes) m.set(r.prefix, describeNextHop(r.nextHop));
    snap.set(v.vrf, m);
  }
  return snap;
}

/** Routes that point over the fabric (tunnels and ECMP), i.e. what the controller distributed. */
export function remoteRoutes(snap: RouteSnapshot): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [vrf, routes] of snap) {
    const m = new Map<string, string>();
    for (const [p, nh] of routes) if (nh.startsWith('tunnel') || nh.startsWith('ecmp')) m.set(p, nh);
    if (m.size > 0) out.set(vrf, m);
  }
  return out;
}

/** Lines that differ between two snapshots ('- vrf prefix nh' gone, '+ vrf prefix nh' new or changed). */
export function diffSnapshots(before: RouteSnapshot, after: RouteSnapshot): string[] {
  const lines: string[] = [];
  const vrfs = new Set([...before.keys(), ...after.keys()]);
  for (const vrf of [...vrfs].sort()) {
    const b = before.get(vrf) ?? new Map<string, string>();
    const a = after.get(vrf) ?? new Map<string, string>();
    for (const [p, nh] of b) if (a.get(p) !== nh) lines.push(`- ${vrf} ${p} ${nh}`);
    for (const [p, nh] of a) if (b.get(p) !== nh) lines.push(`+ ${vrf} ${p} ${nh}`);
  }
  return lines;
}
