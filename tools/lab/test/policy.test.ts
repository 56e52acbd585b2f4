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
});
