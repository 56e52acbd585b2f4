// Tunnel encapsulations between the agents' XMPP names (`udp`, `gre`, `vxlan`, ...) and the BGP encapsulation
// extended community (RFC 9012 section 4.1, IANA "BGP Tunnel Encapsulation Attribute Tunnel Types"; the values TF
// writes): MPLS-in-GRE 11 (TF also accepts the legacy GRE 2), VXLAN 8, MPLS-in-UDP 13, MPLS 10.
import type { ExtendedCommunity } from '@filament/bgp';

export const TunnelType = { GRE: 2, VXLAN: 8, MPLS: 10, MPLS_IN_GRE: 11, MPLS_IN_UDP: 13 } as const;

/** What TF's control node writes for each agent encapsulation name. */
const TYPE_OF_NAME: Readonly<Record<string, number>> = {
  gre: TunnelType.GRE,
  udp: TunnelType.MPLS_IN_UDP,
  vxlan: TunnelType.VXLAN,
  mpls: TunnelType.MPLS,
};

const NAME_OF_TYPE: Readonly<Record<number, string>> = {
  [TunnelType.GRE]: 'gre',
  [TunnelType.MPLS_IN_GRE]: 'gre',
  [TunnelType.MPLS_IN_UDP]: 'udp',
  [TunnelType.VXLAN]: 'vxlan',
  [TunnelType.MPLS]: 'mpls',
};

// One shared community object per tunnel type: routes reference them, nobody mutates them.
const COMMUNITY: Readonly<Record<number, ExtendedCommunity>> = Object.fromEntries(
  Object.values(TunnelType).map((t) => [t, Object.freeze({ kind: 'encapsulation', tunnelType: t })]),
);

/** Encapsulation communities for an agent's tunnel list, in its order, unknown names (`native`) left out. */
export function encapsulationCommunities(names: readonly string[]): ExtendedCommunity[] {
  const out: ExtendedCommunity[] = [];
  for (const n of names) {
    const t = TYPE_OF_NAME[n];
    if (t === undefined) continue;
    const c = COMMUNITY[t]!;
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * Agent tunnel names from a route's communities. With none, TF's rule for labelled routes applies: `gre`
 * (PROTOCOL.md section 5, "if label != 0 and the list is empty, gre").
 */
export function encapsulationNames(communities: readonly ExtendedCommunity[]): string[] {
  const out: string[] = [];
  for (const c of communities) {
    if (c.kind !== 'encapsulation') continue;
    const n = NAME_OF_TYPE[c.tunnelType];
    if (n !== undefined && !out.includes(n)) out.push(n);
  }
  return out.length > 0 ? out : ['gre'];
}

/** VXLAN carries a VNI in the label field (RFC 8365 5.1.3); MPLS encapsulations a label. */
export function isVxlanOnly(names: readonly string[]): boolean {
  return names.length > 0 && names.every((n) => n === 'vxlan');
}
