// Issue 9, test 4 through the whole system: kill -9 the controller while traffic flows — the agents keep
// forwarding on the state they hold (headless) — then restart it: the agents resync and end up with the
// same routes, none missing, none duplicated or stale. Then restart an agent: its workloads' routes are
// withdrawn from the other agent, and come back when it is up again with its ports.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  diffSnapshots,
  Lab,
  Progress,
  type RouteSnapshot,
  remoteRoutes,
  routeSnapshot,
} from '../src/index.js';
import { testLabOptions } from './support.js';

const lab = new Lab(
  testLabOptions(2, { workloads: 'in-process', gracefulRestartSeconds: 3 }),
  new Progress(process.env.LAB_VERBOSE ? process.stderr : null),
);

beforeAll(async () => {
  await lab.start();
}, 240_000);

afterAll(async () => {
  await lab.stop();
});

const w = (name: string) => lab.provisioned!.workloads.find((x) => x.name === name)!;

/** Every agent's fabric routes (tunnels, ECMP), the part the controller distributes. */
async function fabricRoutes(): Promise<Map<string, RouteSnapshot>> {
  const out = new Map<string, RouteSnapshot>();
  for (const [name, snap] of await lab.routes()) out.set(name, remoteRoutes(snap));
  return out;
}

function diffAll(a: Map<string, RouteSnapshot>, b: Map<string, RouteSnapshot>): string[] {
  return [...a.keys()].flatMap((agent) =>
    diffSnapshots(a.get(agent)!, b.get(agent) ?? new Map()).map((l) => `${agent}: ${l}`),
  );
}

/** Per agent: XMPP sessions established so far with its first controller, and whether End-of-RIB came. */
async function xmppUps(): Promise<Map<string, { ups: number; endOfRib: boolean }>> {
  const out = new Map<string, { ups: number; endOfRib: boolean }>();
  for (const a of lab.agents.values()) {
    const x = (await a.client.view('/xmpp')) as { controllers: { ups: number; endOfRib: boolean }[] };
    out.set(a.name, { ups: x.controllers[0]!.ups, endOfRib: x.controllers[0]!.endOfRib });
  }
  return out;
}

/** The agents' XMPP views and the controller's agent list, for failure messages. */
async function controlState(): Promise<string> {
  const parts: string[] = [];
  for (const a of lab.agents.values())
    parts.push(`${a.name}: ${JSON.stringify(await a.client.view('/xmpp'))}`);
  const token = readFileSync(lab.tokenFile, 'utf8').trim();
  const r = await fetch(`${lab.controllerIntrospectUrl}/introspect/agents`, {
    headers: { 'x-auth-token': token },
  });
  parts.push(`controller: ${await r.text()}`);
  return parts.join('\n');
}

describe('faults', () => {
  it('kill -9 of the controller: traffic keeps flowing headless; after its restart the routes are the same', async () => {
    const driver = lab.driver!;
    const red1 = w('red-1');
    const red2 = w('red-2');
    const blue2 = w('blue-2');
    // Flows exist before the fault.
    expect((await driver.ping(red1, red2.ip, 2)).received).toBe(2);
    expect((await driver.tcp(red1, blue2.ip, lab.topology.policy.tcpPort, 1000)).ok).toBe(true);
    const before = await fabricRoutes();
    expect([...before.values()].every((s) => s.size > 0)).toBe(true);

    // Traffic runs while the controller dies.
    let stopTraffic = false;
    let pings = 0;
    let answered = 0;
    const traffic = (async () => {
      for (let i = 0; i < 10_000 && !stopTraffic; i++) {
        const r = await driver.ping(red1, red2.ip, 1);
        pings += r.sent;
        answered += r.received;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await lab.controller.kill9();
    const atKill = { pings, answered };
    await new Promise((r) => setTimeout(r, 1500));
    // Headless: the agents kept their routes and forwarded every ping sent during the outage.
    expect(diffAll(before, await fabricRoutes())).toEqual([]);
    expect((await driver.tcp(red1, blue2.ip, lab.topology.policy.tcpPort, 1000)).ok).toBe(true);
    stopTraffic = true;
    await traffic;
    expect(pings - atKill.pings).toBeGreaterThan(0);
    expect(answered - atKill.answered).toBe(pings - atKill.pings);

    const ups = await xmppUps();
    // Watch the routes while the controller comes back: report (not fail on) a route that dips out.
    let watching = true;
    const dips = new Set<string>();
    const watch = (async () => {
      for (let i = 0; i < 1000 && watching; i++) {
        for (const line of diffAll(before, await fabricRoutes().catch(() => before))) dips.add(line);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await lab.restartController();
    // Resync: every agent reconnects and gets End-of-RIB, the routes converge to exactly those of before
    // (bounded wait), and stay there.
    await lab.waitUntil(
      'every agent reconnected to the restarted controller, End-of-RIB received',
      async () => {
        const now = await xmppUps();
        const late = [...now].filter(([a, x]) => !(x.ups > ups.get(a)!.ups && x.endOfRib)).map(([a]) => a);
        return late.length === 0 ? null : `waiting for ${late.join(', ')}`;
      },
      30_000,
    );
    await lab.waitUntil(
      'the same routes after the controller restart',
      async () => {
        const d = diffAll(before, await fabricRoutes());
        return d.length === 0 ? null : d.join('\n');
      },
      30_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    watching = false;
    await watch;
    if (dips.size > 0) console.log(`routes that dipped during the resync:\n${[...dips].join('\n')}`);
    expect(diffAll(before, await fabricRoutes()), await controlState()).toEqual([]);
    expect((await driver.ping(red1, red2.ip, 2)).received).toBe(2);
  }, 120_000);

  it('restart of an agent: its routes are withdrawn from the other agent, then come back', async () => {
    const red2 = w('red-2');
    const blue2 = w('blue-2');
    const c1 = lab.agent('compute-1');
    const c2 = lab.agent('compute-2');
    const has = async (prefix: string) => {
      const snap = remoteRoutes(await routeSnapshot(c1.client));
      return [...snap.values()].some((m) => m.has(prefix));
    };
    expect(await has(`${red2.ip}/32`)).toBe(true);
    await c2.process.stop();
    await lab.waitUntil(
      "compute-2's routes withdrawn from compute-1",
      async () => ((await has(`${red2.ip}/32`)) || (await has(`${blue2.ip}/32`)) ? 'still there' : null),
      60_000,
    );
    expect(c1.process.running).toBe(true);
    await c2.process.start();
    await lab.attachPorts('compute-2');
    await lab.waitForRoutes(30_000);
    expect(await has(`${red2.ip}/32`)).toBe(true);
    expect((await lab.driver!.ping(w('red-1'), red2.ip, 2)).received).toBe(2);
    expect((await lab.driver!.tcp(w('red-1'), blue2.ip, lab.topology.policy.tcpPort, 1000)).ok).toBe(true);
  }, 120_000);
});
