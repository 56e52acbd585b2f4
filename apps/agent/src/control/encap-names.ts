// Encapsulation names in the three vocabularies that meet in the agent: Tungsten Fabric's
// global-vrouter-config `encapsulation_priorities` (MPLSoGRE, MPLSoUDP, VXLAN), the XMPP next hop's
// `tunnel-encapsulation-list` (gre, udp, vxlan) and the data plane's `Encap` (mpls-gre, mpls-udp, vxlan).

import type { Encap } from '../nexthop.js';

/** TF's default priority (schema default of global-vrouter-config). */
export const DEFAULT_ENCAP_PRIORITY: readonly Encap[] = ['mpls-gre', 'mpls-udp', 'vxlan'];

const FROM_CONFIG: Readonly<Record<string, Encap>> = {
  MPLSoGRE: 'mpls-gre',
  MPLSoUDP: 'mpls-udp',
  VXLAN: 'vxlan',
};

const FROM_XMPP: Readonly<Record<string, Encap>> = {
  gre: 'mpls-gre',
  udp: 'mpls-udp',
  vxlan: 'vxlan',
};

const TO_XMPP: Readonly<Record<Encap, string>> = {
  'mpls-gre': 'gre',
  'mpls-udp': 'udp',
  vxlan: 'vxlan',
};

/** `['MPLSoUDP', 'VXLAN']` -> `['mpls-udp', 'vxlan']`; unknown names are skipped, duplicates kept once. */
export function encapsFromConfig(names: readonly unknown[]): Encap[] {
  const out: Encap[] = [];
  for (const n of names) {
    const e = typeof n === 'string' ? FROM_CONFIG[n] : undefined;
    if (e !== undefined && !out.includes(e)) out.push(e);
  }
  return out;
}

/** An XMPP next hop's tunnel list to data-plane encapsulations (unknown names such as `native` skipped). */
export function encapsFromXmpp(names: readonly string[]): Encap[] {
  const out: Encap[] = [];
  for (const n of names) {
    const e = FROM_XMPP[n.toLowerCase()];
    if (e !== undefined && !out.includes(e)) out.push(e);
  }
  return out;
}

export function encapsToXmpp(encaps: readonly Encap[]): string[] {
  return encaps.map((e) => TO_XMPP[e]);
}
