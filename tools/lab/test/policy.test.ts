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
  it('allowed flows pass and show in the flow table; denied ones are dropped and counted', async () => {
    const d = lab.driver!;
    const red1 = w('red-1');
    const blue2 = w('blue-2');
    const { tcpPort } = lab.topology.policy;
    const closed = lab.topology.closedPort;
    const drops0 = await policyDrops();
    expect((await d.tcp(red1, blue2.ip, tcpPort, 800)).ok).toBe(true);
    expect(await policyDrops()).toBe(drops0);
    expect((await d.tcp(red1, blue2.ip, closed, 800)).ok).toBe(false);
    const drops1 = await policyDrops();
    expect(drops1).toBeGreaterThan(drops0);
    expect((await d.ping(red1, blue2.ip, 1)).received).toBe(0);
    expect(await policyDrops()).toBeGreaterThan(drops1);
    // Inside one network the policy does not apply (implicit allow).
    expect((await d.tcp(red1, w('red-2').ip, closed, 800)).ok).toBe(true);
    const flows = await lab.agent(red1.agent).client.flows();
    const allowed = flows.filter((f) => f.src === red1.ip && f.dst === blue2.ip && f.dport === tcpPort);
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((f) => f.action === 2)).toBe(true); // FORWARD
  });

  it('a policy change through the API changes reachability without restarts', async () => {
    const d = lab.driver!;
    const red1 = w('red-1');
    const blue2 = w('blue-2');
    const { tcpPort } = lab.topology.policy;
    const closed = lab.topology.closedPort;
    const starts = lab.processes().map((p) => p.starts);
    const t0 = Date.now();
    await setPolicyPort(lab.api, lab.topology, lab.provisioned!.policyUuid, closed);
    await lab.waitUntil(
      `tcp ${closed} allowed and ${tcpPort} denied after the policy change`,
      async () => {
        const open = await d.tcp(red1, blue2.ip, closed, 500);
        if (!open.ok) return `${closed} still denied`;
        const shut = await d.tcp(red1, blue2.ip, tcpPort, 500);
        return shut.ok ? `${tcpPort} still allowed` : null;
      },
      20_000,
    );
    const ms = Date.now() - t0;
    console.log(`policy change -> reachability changed in ${ms} ms`);
    expect(lab.processes().map((p) => p.starts)).toEqual(starts);
    await setPolicyPort(lab.api, lab.topology, lab.provisioned!.policyUuid, tcpPort);
    await lab.waitUntil(
      `tcp ${tcpPort} allowed again`,
      async () => ((await d.tcp(red1, blue2.ip, tcpPort, 500)).ok ? null : 'denied'),
      20_000,
    );
  }, 120_000);
});
