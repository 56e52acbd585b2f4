// The end of a lab run: the checks as a table (or JSON), the routes and flows each agent holds, and where
// to look next (API, introspect and metrics URLs, logs, the admin token file).
import type { CheckResult } from './checks.js';
import type { Lab } from './lab.js';

export interface LabSummary {
  ok: boolean;
  workloads: { mode: string; reason: string };
  hosts: { mode: string; reason: string };
  checks: CheckResult[];
  endpoints: {
    api: string;
    apiMetrics: string;
    controllerIntrospect: string;
    adminTokenFile: string;
    agents: { name: string; underlay: string; portApi: string; introspect: string; metrics: string }[];
    logs: string;
  };
  workloadAddresses: { name: string; network: string; agent: string; ip: string; mac: string }[];
  agents: {
    name: string;
    routes: { vrf: string; prefix: string; nextHop: string }[];
    flows: {
      src: string;
      dst: string;
      proto: number;
      sport: number;
      dport: number;
      action: string;
      packets: number;
    }[];
  }[];
}

const FLOW_ACTIONS = ['drop', 'hold', 'forward', 'nat'];

export async function summarize(lab: Lab, checks: CheckResult[]): Promise<LabSummary> {
  const agents: LabSummary['agents'] = [];
  const snapshots = await lab.routes().catch(() => new Map<string, Map<string, Map<string, string>>>());
  for (const a of lab.agents.values()) {
    let routes: LabSummary['agents'][number]['routes'] = [];
    let flows: LabSummary['agents'][number]['flows'] = [];
    try {
      const snap = snapshots.get(a.name) ?? new Map<string, Map<string, string>>();
      routes = [...snap].flatMap(([vrf, m]) => [...m].map(([prefix, nextHop]) => ({ vrf, prefix, nextHop })));
      flows = (await a.client.flows()).map((f) => ({
        src: String(f.src),
        dst: String(f.dst),
        proto: Number(f.proto),
        sport: Number(f.sport),
        dport: Number(f.dport),
        action: FLOW_ACTIONS[Number(f.action)] ?? String(f.action),
        packets: Number(f.packets),
      }));
    } catch {
      // An agent that died is already a failed check; the summary still prints.
    }
    agents.push({ name: a.name, routes, flows });
  }
  return {
    ok: checks.length > 0 && checks.every((c) => c.ok),
    workloads: { mode: lab.mode, reason: lab.modeReason },
    hosts: { mode: lab.hostMode, reason: lab.hostModeReason },
    checks,
    endpoints: {
      api: lab.apiUrl,
      apiMetrics: `${lab.apiUrl}/metrics`,
      controllerIntrospect: lab.controllerIntrospectUrl,
      adminTokenFile: lab.tokenFile,
      agents: [...lab.agents.values()].map((a) => ({
        name: a.name,
        underlay: a.underlay,
        portApi: a.client.portApiUrl,
        introspect: a.client.introspectUrl,
        metrics: `${a.client.introspectUrl}/metrics`,
      })),
      logs: `${lab.opts.stateDir}/logs`,
    },
    workloadAddresses: (lab.provisioned?.workloads ?? []).map((w) => ({
      name: w.name,
      network: w.network,
      agent: w.agent,
      ip: w.ip,
      mac: w.mac,
    })),
    agents,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderSummary(s: LabSummary): string {
  const out: string[] = [];
  out.push(
    '',
    `Filament lab: ${s.workloads.mode} workloads (${s.workloads.reason})`,
    `agents: ${s.hosts.mode} (${s.hosts.reason})`,
    '',
  );
  out.push(
    table(
      ['workload', 'network', 'agent', 'address', 'mac'],
      s.workloadAddresses.map((w) => [w.name, w.network, w.agent, w.ip, w.mac]),
    ),
  );
  for (const a of s.agents) {
    out.push('', `routes on ${a.name}:`);
    out.push(
      table(
        ['vrf', 'prefix', 'next hop'],
        a.routes.map((r) => [r.vrf, r.prefix, r.nextHop]),
      ),
    );
    out.push('', `flows on ${a.name} (${a.flows.length}):`);
    out.push(
      table(
        ['proto', 'source', 'destination', 'action', 'packets'],
        a.flows.map((f) => [
          f.proto === 6 ? 'tcp' : f.proto === 1 ? 'icmp' : f.proto === 17 ? 'udp' : String(f.proto),
          `${f.src}:${f.sport}`,
          `${f.dst}:${f.dport}`,
          f.action,
          String(f.packets),
        ]),
      ),
    );
  }
  out.push('', 'checks:');
  out.push(
    table(
      ['', 'check', 'expected', 'observed'],
      s.checks.map((c) => [c.ok ? 'PASS' : 'FAIL', c.title, c.expected, c.observed]),
    ),
  );
  const passed = s.checks.filter((c) => c.ok).length;
  out.push('', `${passed}/${s.checks.length} checks passed${s.ok ? '' : ' — see the logs'}`, '');
  out.push(`config API    ${s.endpoints.api}   (token: ${s.endpoints.adminTokenFile}, header X-Auth-Token)`);
  out.push(`API metrics   ${s.endpoints.apiMetrics}`);
  out.push(
    `control       ${s.endpoints.controllerIntrospect}/introspect/agents  /introspect/instances  /routes  /metrics (same token)`,
  );
  for (const a of s.endpoints.agents) {
    out.push(`${a.name.padEnd(13)} introspect ${a.introspect}  metrics ${a.metrics}  port API ${a.portApi}`);
  }
  out.push(`logs          ${s.endpoints.logs}`, '');
  return out.join('\n');
}
