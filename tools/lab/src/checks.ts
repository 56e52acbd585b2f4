// The lab's checks: traffic between workloads on different agents (ping and TCP with a checksum, in each
// network and across them), the flows the policy must deny (refused, and counted as policy drops), which
// encapsulations carried the traffic (the agents' tunnel counters before and after), the routes each agent
// holds, and the flows in their flow tables. Each check says what it expected and what it saw.
import type { AgentClient } from './agent-client.js';
import type { Lab } from './lab.js';
import { type MetricSample, metricValue } from './prometheus.js';
import type { ProvisionedWorkload } from './provision.js';
import { remoteRoutes } from './routes.js';

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  expected: string;
  observed: string;
  /** Encapsulations the sending agent used during the check (from its tunnel counters). */
  encaps?: string[];
}

/** Flow actions as @filament/flow numbers them (DROP 0, HOLD 1, FORWARD 2, NAT 3). */
const FLOW_ACTIONS = ['drop', 'hold', 'forward', 'nat'];
const ENCAP_LABELS: Record<string, string> = { vxlan: 'VXLAN', mpls_udp: 'MPLSoUDP', mpls_gre: 'MPLSoGRE' };

async function counters(agents: AgentClient[]): Promise<Map<string, MetricSample[]>> {
  const m = new Map<string, MetricSample[]>();
  for (const a of agents) m.set(a.name, await a.metrics());
  return m;
}

function delta(
  before: Map<string, MetricSample[]>,
  after: Map<string, MetricSample[]>,
  agent: string,
  name: string,
  labels: Record<string, string>,
): number {
  return (
    metricValue(after.get(agent) ?? [], name, labels) - metricValue(before.get(agent) ?? [], name, labels)
  );
}

function encapsUsed(
  before: Map<string, MetricSample[]>,
  after: Map<string, MetricSample[]>,
  agent: string,
): string[] {
  return Object.keys(ENCAP_LABELS)
    .filter((e) => delta(before, after, agent, 'filament_agent_tunnel_tx_packets_total', { encap: e }) > 0)
    .map((e) => ENCAP_LABELS[e]!);
}

function policyDrops(before: Map<string, MetricSample[]>, after: Map<string, MetricSample[]>): number {
  let n = 0;
  for (const agent of after.keys())
    n += delta(before, after, agent, 'filament_agent_drops_total', { reason: 'policy' });
  return n;
}

export async function runChecks(lab: Lab): Promise<CheckResult[]> {
  const prov = lab.provisioned;
  const driver = lab.driver;
  if (!prov || !driver) throw new Error('the lab is not started');
  const t = lab.topology;
  const w = (name: string): ProvisionedWorkload => prov.workloads.find((x) => x.name === name)!;
  const clients = [...lab.agents.values()].map((a) => a.client);
  const results: CheckResult[] = [];
  const seenEncaps = new Set<string>();
  const progress = lab.progress;
  const bytes = lab.transferBytes;

  const traffic = async (
    id: string,
    title: string,
    expected: string,
    run: () => Promise<{ ok: boolean; observed: string }>,
    sender: string,
    wantPolicyDrop: boolean,
  ) => {
    progress.line(`check: ${title}`);
    const before = await counters(clients);
    let r: { ok: boolean; observed: string };
    try {
      r = await run();
    } catch (e) {
      r = { ok: false, observed: `${(e as Error).name}: ${(e as Error).message}` };
    }
    const after = await counters(clients);
    const encaps = encapsUsed(before, after, sender);
    for (const e of encaps) seenEncaps.add(e);
    const drops = policyDrops(before, after);
    let ok = r.ok;
    let observed = r.observed;
    if (wantPolicyDrop) {
      observed += `; policy drops +${drops}`;
      ok = ok && drops > 0;
    } else if (encaps.length > 0) observed += ` over ${encaps.join('+')}`;
    results.push({ id, title, ok, expected, observed, encaps });
    progress.line(`  ${ok ? 'PASS' : 'FAIL'}: ${observed}`);
  };

  const ping = (from: string, to: string, id: string, expectReach: boolean, why: string) => {
    const a = w(from);
    const b = w(to);
    const count = 3;
    return traffic(
      id,
      `ping ${from} (${a.ip}, ${a.agent}) -> ${to} (${b.ip}, ${b.agent})${why}`,
      expectReach ? `${count}/${count} replies` : '0 replies, dropped by policy',
      async () => {
        const r = await driver.ping(a, b.ip, count);
        const rtt = r.rttMs.length
          ? `, rtt ${Math.min(...r.rttMs).toFixed(2)}-${Math.max(...r.rttMs).toFixed(2)} ms`
          : '';
        const observed = `${r.received}/${r.sent} replies${rtt}`;
        return { ok: expectReach ? r.sent === count && r.received === count : r.received === 0, observed };
      },
      a.agent,
      !expectReach,
    );
  };

  const tcp = (from: string, to: string, port: number, id: string, expectReach: boolean, why: string) => {
    const a = w(from);
    const b = w(to);
    return traffic(
      id,
      `tcp ${from} -> ${to}:${port} (${b.ip}, ${a.agent} -> ${b.agent})${why}`,
      expectReach
        ? lab.mode === 'tap'
          ? `HTTP GET of ${bytes} bytes, sha256 of the file`
          : `${bytes} bytes echoed, same sha256`
        : 'no connection (policy)',
      async () => {
        const r = await driver.tcp(a, b.ip, port, bytes);
        if (!expectReach)
          return {
            ok: !r.ok,
            observed: r.ok ? `connected, ${r.bytes} bytes` : `no connection (${r.error ?? 'refused'})`,
          };
        // `ok` means the bytes that came back hash like the ones sent (the sender compares the sha256).
        return {
          ok: r.ok && r.bytes === bytes,
          observed: r.ok
            ? `${r.bytes} bytes, sha256 ${r.sha256?.slice(0, 12) ?? '?'}… matches`
            : `failed: ${r.error ?? `${r.bytes} bytes, checksum differs`}`,
        };
      },
      a.agent,
      !expectReach,
    );
  };

  const { tcpPort } = t.policy;
  await ping('red-1', 'red-2', 'ping-red', true, ' in vn-red');
  await tcp('red-1', 'red-2', tcpPort, 'tcp-red', true, ' in vn-red');
  await ping('blue-1', 'blue-2', 'ping-blue', true, ' in vn-blue');
  await tcp('blue-2', 'blue-1', tcpPort, 'tcp-blue', true, ' in vn-blue');
  await tcp('red-1', 'blue-2', tcpPort, 'tcp-red-blue-allowed', true, ', allowed by the policy');
  await tcp('red-1', 'blue-2', t.closedPort, 'tcp-red-blue-denied', false, ', not in the policy');
  await ping('red-2', 'blue-1', 'ping-red-blue-denied', false, ', not in the policy');

  results.push({
    id: 'encaps',
    title: 'VXLAN and MPLS over UDP both carried workload traffic',
    ok: seenEncaps.has('VXLAN') && seenEncaps.has('MPLSoUDP'),
    expected: 'VXLAN, MPLSoUDP',
    observed: [...seenEncaps].join(', ') || 'no tunnel traffic',
  });

  // The controller sees every agent's XMPP session up, at the underlay address of its virtual-router.
  let seen: { name: string; address: string; state: string }[] = [];
  let problem = '';
  try {
    seen = await lab.controllerAgents();
  } catch (e) {
    problem = (e as Error).message;
  }
  const up = t.agents.filter((a) =>
    seen.some((s) => s.name === a.name && s.address === a.underlay && s.state === 'established'),
  );
  results.push({
    id: 'controller-agents',
    title: 'the controller has an established XMPP session with each agent',
    ok: up.length === t.agents.length,
    expected: t.agents.map((a) => `${a.name}@${a.underlay}`).join(', '),
    observed: problem || seen.map((s) => `${s.name}@${s.address} ${s.state}`).join(', ') || 'no agents',
  });

  // Routes: every agent holds the other agent's workloads of the networks it hosts, over a tunnel.
  const snaps = await lab.routes();
  for (const a of lab.agents.values()) {
    const missing = await lab.missingRoutes(a.name);
    const remote = remoteRoutes(snaps.get(a.name) ?? new Map());
    const n = [...remote.values()].reduce((s, m) => s + m.size, 0);
    const want = lab.expectedRemoteRoutes().get(a.name)?.length ?? 0;
    results.push({
      id: `routes-${a.name}`,
      title: `${a.name} holds the routes of the other agent's workloads`,
      ok: missing.length === 0,
      expected: `${want} remote routes at least`,
      observed:
        missing.length === 0 ? `${n} remote routes in ${remote.size} VRFs` : `missing: ${missing.join('; ')}`,
    });
  }

  // Flows: the sender's flow table holds the ping between the agents as forwarded and the denied TCP
  // connection as a drop flow (finished TCP connections are removed, so the allowed transfer is not there).
  const red1 = w('red-1');
  const red2 = w('red-2');
  const blue2 = w('blue-2');
  const flows = await lab.agent(red1.agent).client.flows();
  const pinged = flows.find((f) => f.src === red1.ip && f.dst === red2.ip && f.proto === 1);
  const denied = flows.find((f) => f.src === red1.ip && f.dst === blue2.ip && f.dport === t.closedPort);
  const act = (f: Record<string, unknown> | undefined) =>
    f ? (FLOW_ACTIONS[Number(f.action)] ?? String(f.action)) : 'absent';
  results.push({
    id: 'flows',
    title: `${red1.agent} flow table: red-1 -> red-2 icmp forwarded, red-1 -> blue-2:${t.closedPort} dropped`,
    ok: act(pinged) === 'forward' && act(denied) === 'drop',
    expected: 'icmp forward, tcp drop',
    observed: `icmp ${act(pinged)}, tcp :${t.closedPort} ${act(denied)} (${flows.length} entries)`,
  });
  return results;
}
