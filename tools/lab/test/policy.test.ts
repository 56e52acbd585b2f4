// Issue 9, test 3 through the whole system: flows the compiled ACL allows pass and are counted as flows,
// flows it denies are refused and counted as policy drops; then a change of the network policy through the
// REST API (the allowed port moves from 8080 to 9090) changes reachability for new connections without
// restarting anything, and is measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, metricValue, Progress, setPolicyPort } from '../src/index.js';
import { testLabOptions } from './support.js';

const lab = new Lab(
  testLabOptions(3, { workloads: 'in-process' }),
  new Progress(process.env.LAB_VERBOSE ? process.stderr : null),
);

beforeAll(async () => {
  await lab.start();
}, 240_000);

afterAll(async () => {
  await lab.stop();
});

const w = (name: string) => lab.provisioned!.workloads.find((x) => x.name === name)!;

async function policyDrops(): Promise<number> {
  let n = 0;
  for (const a of lab.agents.values())
    n += metricValue(await a.client.metrics(), 'filament_agent_drops_total', { reason: 'policy' });
  return n;
}

describe('policy', () => {
  it('allowed flows pass and are counted as flows; denied ones are dropped, counted, and held as drop flows', async () => {
    const d = lab.driver!;
    const red1 = w('red-1');
    const blue2 = w('blue-2');
    const c1 = lab.agent(red1.agent).client;
    const { tcpPort } = lab.topology.policy;
    const closed = lab.topology.closedPort;
    const created = async () => metricValue(await c1.metrics(), 'filament_agent_flows_created_total');
    const drops0 = await policyDrops();
    const flows0 = await created();
    expect((await d.tcp(red1, blue2.ip, tcpPort, 800)).ok).toBe(true);
    expect(await created()).toBeGreaterThan(flows0);
    expect(await policyDrops()).toBe(drops0);
    expect((await d.tcp(red1, blue2.ip, closed, 800)).ok).toBe(false);
    const drops1 = await policyDrops();
    expect(drops1).toBeGreaterThan(drops0);
    expect((await d.ping(red1, blue2.ip, 1)).received).toBe(0);
    expect(await policyDrops()).toBeGreaterThan(drops1);
    // Inside one network the policy does not apply (implicit allow).
    expect((await d.tcp(red1, w('red-2').ip, closed, 800)).ok).toBe(true);
    const flows = await c1.flows();
    const denied = flows.filter((f) => f.src === red1.ip && f.dst === blue2.ip && f.dport === closed);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((f) => f.action === 0)).toBe(true); // DROP
  });

  it('a policy change through the API changes reachability without restarts', async () => {
    const d = lab.driver!;
    const red1 = w('red-1');
    const blue2 = w('blue-2');
    const { tcpPort } = lab.topology.policy;
    const closed = lab.topology.closedPort;
    const starts = lab.processes().map((p) => p.starts);
    expect((await d.tcp(red1, blue2.ip, closed, 200)).ok).toBe(false);
    // New connections to the newly allowed port, one started every 100 ms from the moment of the change:
    // the first that gets through says how long the change took to reach the data plane.
    const t0 = Date.now();
    await setPolicyPort(lab.api, lab.topology, lab.provisioned!.policyUuid, closed);
    const attempts: Promise<{ at: number; ok: boolean }>[] = [];
    for (let i = 0; i < 30; i++) {
      const at = Date.now() - t0;
      attempts.push(d.tcp(red1, blue2.ip, closed, 200).then((r) => ({ at, ok: r.ok })));
      await new Promise((r) => setTimeout(r, 100));
    }
    const results = await Promise.all(attempts);
    const first = results.findIndex((r) => r.ok);
    expect(first, JSON.stringify(results)).toBeGreaterThanOrEqual(0);
    // Once through, every later connection gets through too.
    expect(results.slice(first).every((r) => r.ok)).toBe(true);
    console.log(`policy change: the first connection allowed started ${results[first]!.at} ms after the PUT`);
    expect((await d.tcp(red1, blue2.ip, tcpPort, 200)).ok).toBe(false);
    // Nothing was restarted.
    expect(lab.processes().map((p) => p.starts)).toEqual(starts);
    await setPolicyPort(lab.api, lab.topology, lab.provisioned!.policyUuid, tcpPort);
    await lab.waitUntil(
      `tcp ${tcpPort} allowed again`,
      async () => ((await d.tcp(red1, blue2.ip, tcpPort, 200)).ok ? null : 'denied'),
      20_000,
    );
  }, 120_000);

  it('an encapsulation priority change through the API moves routed traffic from MPLS over UDP to VXLAN', async () => {
    const d = lab.driver!;
    const red1 = w('red-1');
    const blue2 = w('blue-2');
    const { tcpPort } = lab.topology.policy;
    const c1 = lab.agent(red1.agent).client;
    const tx = async (encap: string) =>
      metricValue(await c1.metrics(), 'filament_agent_tunnel_tx_packets_total', { encap });
    const gvc = await lab.api.fqNameToId('global-vrouter-config', [
      'default-global-system-config',
      'default-global-vrouter-config',
    ]);
    expect(gvc, 'the controller bootstraps default-global-vrouter-config').toBeDefined();
    const setPriority = (encapsulation: string[]) =>
      lab.api.update('global-vrouter-config', gvc!, { encapsulation_priorities: { encapsulation } });
    // A routed connection red-1 -> blue-2 (another agent): which tunnel did it leave compute-1 in?
    const carriedBy = async (): Promise<string> => {
      const [v0, m0] = [await tx('vxlan'), await tx('mpls_udp')];
      if (!(await d.tcp(red1, blue2.ip, tcpPort, 500)).ok) return 'no connection';
      const [v, m] = [(await tx('vxlan')) - v0, (await tx('mpls_udp')) - m0];
      return v > 0 && m === 0 ? 'vxlan' : m > 0 && v === 0 ? 'mpls_udp' : `vxlan ${v}, mpls_udp ${m}`;
    };
    const carriedOver = (encap: string) =>
      lab.waitUntil(
        `routed traffic over ${encap}`,
        async () => {
          const by = await carriedBy();
          return by === encap ? null : by;
        },
        20_000,
      );
    await carriedOver('mpls_udp'); // the default priority (waits rather than trusting one attempt)
    const starts = lab.processes().map((p) => p.starts);
    try {
      await setPriority(['VXLAN', 'MPLSoUDP', 'MPLSoGRE']);
      await carriedOver('vxlan');
    } finally {
      await setPriority(['MPLSoUDP', 'MPLSoGRE', 'VXLAN']);
    }
    await carriedOver('mpls_udp');
    expect(lab.processes().map((p) => p.starts)).toEqual(starts);
  }, 120_000);

  // Tags and a firewall policy: application=lab workloads, tier=web may reach tier=db on TCP 8080 only.
  const project = ['default-domain', 'lab'];
  const tags = new Map<string, { uuid: string }>();
  async function firewallSetup(): Promise<void> {
    const api = lab.api;
    for (const [type, value] of [
      ['application', 'lab'],
      ['tier', 'web'],
      ['tier', 'db'],
    ] as const)
      tags.set(
        `${type}=${value}`,
        await api.ensure('tag', { fq_name: [`${type}=${value}`], tag_type_name: type, tag_value: value }),
      );
    const rule = await api.ensure('firewall-rule', {
      fq_name: [...project, 'web-to-db'],
      parent_type: 'project',
      action_list: { simple_action: 'pass' },
      service: { protocol: 'tcp', dst_ports: { start_port: 8080, end_port: 8080 } },
      endpoint_1: { tags: ['tier=web'] },
      endpoint_2: { tags: ['tier=db'] },
      direction: '>',
    });
    const fwp = await api.ensure('firewall-policy', {
      fq_name: [...project, 'lab-firewall'],
      parent_type: 'project',
      firewall_rule_refs: [{ uuid: rule.uuid, attr: { sequence: '1.0' } }],
    });
    await api.ensure('application-policy-set', {
      fq_name: [...project, 'lab-aps'],
      parent_type: 'project',
      firewall_policy_refs: [{ uuid: fwp.uuid, attr: { sequence: '1.0' } }],
      tag_refs: [{ uuid: tags.get('application=lab')!.uuid }],
    });
  }
  const tagVmi = (vmi: string, tag: string, op: 'ADD' | 'DELETE') =>
    lab.api.refUpdate('virtual-machine-interface', vmi, 'tag', tags.get(tag)!.uuid, op);

  it('a tag change through the API changes reachability without restarts', async () => {
    await firewallSetup();
    const d = lab.driver!;
    const red1 = w('red-1');
    // A second vn-red workload on compute-1, so both ends of the rule are interfaces compute-1 holds.
    const red3 =
      lab.provisioned!.workloads.find((x) => x.name === 'red-3') ??
      (await lab.addWorkload('red-3', 'vn-red', 'compute-1'));
    const { tcpPort } = lab.topology.policy;
    const closed = lab.topology.closedPort;
    await lab.waitUntil(
      'red-1 -> red-3',
      async () => ((await d.tcp(red1, red3.ip, closed, 200)).ok ? null : 'no connection'),
      20_000,
    );
    const starts = lab.processes().map((p) => p.starts);
    // red-1 (web) -> red-3 (db): only 8080 passes the firewall now; inside vn-red 9090 passed before.
    for (const [vmi, tag] of [
      [red1.vmiUuid, 'application=lab'],
      [red1.vmiUuid, 'tier=web'],
      [red3.vmiUuid, 'application=lab'],
      [red3.vmiUuid, 'tier=db'],
    ] as const)
      await tagVmi(vmi, tag, 'ADD');
    await lab.waitUntil(
      `the firewall on the tagged workloads: ${closed} denied`,
      async () => ((await d.tcp(red1, red3.ip, closed, 200)).ok ? `${closed} still allowed` : null),
      20_000,
    );
    expect((await d.tcp(red1, red3.ip, tcpPort, 200)).ok).toBe(true);
    // Retag red-3 from tier=db to tier=web: web -> web has no rule, so new connections on 8080 stop.
    // One connection is started every 100 ms from the first API call.
    const t0 = Date.now();
    await tagVmi(red3.vmiUuid, 'tier=db', 'DELETE');
    await tagVmi(red3.vmiUuid, 'tier=web', 'ADD');
    const attempts: Promise<{ at: number; ok: boolean }>[] = [];
    for (let i = 0; i < 30; i++) {
      const at = Date.now() - t0;
      attempts.push(d.tcp(red1, red3.ip, tcpPort, 200).then((r) => ({ at, ok: r.ok })));
      await new Promise((r) => setTimeout(r, 100));
    }
    const results = await Promise.all(attempts);
    const first = results.findIndex((r) => !r.ok);
    expect(first, JSON.stringify(results)).toBeGreaterThanOrEqual(0);
    expect(results.slice(first).every((r) => !r.ok)).toBe(true);
    console.log(
      `tag change: the first connection denied started ${results[first]!.at} ms after the first API call`,
    );
    expect(lab.processes().map((p) => p.starts)).toEqual(starts);
    // Untagged again, the firewall no longer applies.
    for (const tag of ['application=lab', 'tier=web']) {
      await tagVmi(red1.vmiUuid, tag, 'DELETE');
      await tagVmi(red3.vmiUuid, tag, 'DELETE');
    }
    await lab.waitUntil(
      'no firewall once the tags are gone',
      async () => ((await d.tcp(red1, red3.ip, closed, 200)).ok ? null : 'still denied'),
      20_000,
    );
  }, 180_000);

  // Traffic between two networks on ONE agent: the controller leaks blue-1's route into vn-red with
  // compute-1 itself as next hop (its label); compute-1 installs it as blue-1's interface next hop.
  it('red-1 -> blue-1 on 8080 (allowed by the policy, both on compute-1) gets through; other ports do not', async () => {
    const d = lab.driver!;
    // The previous test's tag removals reach compute-1's ACLs asynchronously: wait for them to settle.
    await lab.waitUntil(
      'red-1 -> blue-1 on the allowed port',
      async () => {
        const r = await d.tcp(w('red-1'), w('blue-1').ip, lab.topology.policy.tcpPort, 200);
        return r.ok && r.error === undefined ? null : (r.error ?? 'refused');
      },
      20_000,
    );
    expect((await d.tcp(w('red-1'), w('blue-1').ip, lab.topology.closedPort, 200)).ok).toBe(false);
  });

  // A firewall rule whose far end is a workload on ANOTHER agent. compute-2 publishes red-2's routes with its
  // tag ids (TF tag_id, type << 16 | value); compute-1 turns those ids into names only with the tag objects in
  // its config. The rule names tier=db as text in endpoint_2 (no tag_refs), so the controller's config walk
  // (apps/controller src/control/config/walk.ts) resolves the tags a rule names and sends them (and
  // tier=web to compute-2 for the ingress side).
  it('tier=web -> tier=db on 8080 across agents is allowed by the firewall rule', async () => {
    await firewallSetup();
    const d = lab.driver!;
    const red1 = w('red-1');
    const red2 = w('red-2');
    const added: [string, string][] = [
      [red1.vmiUuid, 'application=lab'],
      [red1.vmiUuid, 'tier=web'],
      [red2.vmiUuid, 'application=lab'],
      [red2.vmiUuid, 'tier=db'],
    ];
    for (const [vmi, tag] of added) await tagVmi(vmi, tag, 'ADD');
    try {
      // The firewall is active (9090 inside vn-red, which only the network policy would allow, is denied) ...
      await lab.waitUntil(
        'the firewall on the tagged workloads',
        async () => ((await d.tcp(red1, red2.ip, 9090, 200)).ok ? '9090 still allowed' : null),
        20_000,
      );
      // ... and the rule's port must get through.
      await lab.waitUntil(
        'tier=web -> tier=db on 8080 across agents',
        async () => ((await d.tcp(red1, red2.ip, 8080, 200)).ok ? null : '8080 denied'),
        10_000,
      );
    } finally {
      for (const [vmi, tag] of added) await tagVmi(vmi, tag, 'DELETE');
    }
  }, 180_000);
});
