// Counters of the data plane and their Prometheus text exposition (format 0.0.4). Per-packet counting is a
// Float64Array increment; the text is built only when scraped.

/** Why a packet was dropped. Every drop in the forwarder names one. */
export const DropReason = {
  runt: 0,
  unknownPort: 1,
  unknownEtherType: 2,
  vlanTagged: 3,
  badArp: 4,
  badIp: 5,
  noRoute: 6,
  noMac: 7,
  discard: 8,
  policy: 9,
  flowTableFull: 10,
  ttlExpired: 11,
  badTunnel: 12,
  unknownVni: 13,
  unknownLabel: 14,
  noEncap: 15,
  headroom: 16,
  gatewayProtocol: 17,
  badDhcp: 18,
  ipv6Unsupported: 19,
  loop: 20,
  portDown: 21,
  sendError: 22,
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];
export const DROP_REASON_NAMES: readonly string[] = Object.entries(DropReason)
  .sort((a, b) => a[1] - b[1])
  .map(([k]) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** Global data-plane counters (per-port ones live on the port). */
export class Counters {
  readonly drops = new Float64Array(DROP_REASON_NAMES.length);
  /** Tunnel packets sent/received by encapsulation: index EncapCode (1 vxlan, 2 mpls-udp). */
  readonly tunnelTx = new Float64Array(4);
  readonly tunnelRx = new Float64Array(4);
  flowMiss = 0;
  flowHit = 0;
  flowsCreated = 0;
  /** Packets rewritten by a NAT flow (floating IPs). */
  natPackets = 0;
  arpProxied = 0;
  arpFlooded = 0;
  /** IPv6 Neighbor Solicitations answered by the ND proxy. */
  ndProxied = 0;
  dhcpReplies = 0;
  gatewayIcmp = 0;
  bumReplicated = 0;

  drop(reason: DropReason): void {
    this.drops[reason]!++;
  }

  dropsByName(): Record<string, number> {
    const o: Record<string, number> = {};
    for (let i = 0; i < this.drops.length; i++)
      if (this.drops[i]! > 0) o[DROP_REASON_NAMES[i]!] = this.drops[i]!;
    return o;
  }
}

/** One metric family for `prometheusText`. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels?: Record<string, string | number>; value: number }[];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Renders families in the Prometheus text format. */
export function prometheusText(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
            .join(',')}}`
        : '';
      out.push(`${f.name}${labels} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return `${out.join('\n')}\n`;
}
