// Control-side benchmarks: how fast routes from a control node reach the data plane.
//
//   pnpm --filter @filament/agent bench:control
//
//   install   RemoteRoutes.update of route items (inet /32, one tunnel next hop) into a VRF, then their
//             retracts; baseline: the same routes through Agent.addRoute/deleteRoute directly (the data
//             plane's own cost, no per-control-node bookkeeping)
//   withdraw  1,024 routes with a live flow through each (the flow table at its default size): withdrawn
//             by the control side (XMPP retracts of 256 ids, one flow-table pass per message, Agent.batch);
//             baseline: Agent.deleteRoute one by one (one flow-table pass per freed next hop)
//   xmpp      10,000 routes sent by an XmppServer over loopback TCP, until the agent has them all installed;
//             baseline: the same stream received and decoded by a bare XmppClient (no installation)
import { runBench } from '@filament/testkit';
import { type Route, type UnicastEntry, XmppClient, XmppServer } from '@filament/xmpp';
import { Agent, macFromText, RemoteRoutes } from '../src/index.js';
import { udpFrame } from '../test/frames.js';

const N = 1024;

function entry(prefix: string, address: string, label: number): UnicastEntry {
  return {
    nlri: { af: 1, safi: 1, address: prefix },
    nextHops: [
      {
        af: 1,
        address,
        mac: '00:00:5e:00:01:00',
        label,
        vni: 1001,
        tunnelEncapsulations: ['udp', 'vxlan'],
        virtualNetwork: 'default-domain:admin:blue',
        tags: [],
        localSequenceNumber: 0,
      },
    ],
    version: 1,
    virtualNetwork: 'default-domain:admin:blue',
    mobility: { seqno: 0, sticky: false },
    sequenceNumber: 0,
    securityGroups: [],
    communityTags: [],
    localPreference: 200,
    med: 0,
    loadBalance: { fields: [], decision: 'field-hash' },
    subProtocol: 'interface',
  };
}

const prefix = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
const items = Array.from({ length: N }, (_, i) => ({
  id: prefix(i),
  route: { family: 'inet', entry: entry(prefix(i), `192.0.2.${1 + (i % 8)}`, 16 + i) } as Route,
}));
const batches: (typeof items)[] = [];
for (let i = 0; i < N; i += 32) batches.push(items.slice(i, i + 32));
const ids = items.map((x) => x.id);

const VRF = 'default-domain:admin:blue:blue';
const a1 = new Agent({ name: 'bench-1', underlay: '192.0.2.100' });
a1.addVrf({ name: VRF, vni: 1001 });
const rr = new RemoteRoutes({
  agent: a1,
  isLocalPrefix: () => false,
  isLocalMac: () => false,
  log: () => {},
});
const a2 = new Agent({ name: 'bench-2', underlay: '192.0.2.100' });
a2.addVrf({ name: VRF, vni: 1001 });

await runBench('routes from a control node into the data plane (inet /32, add then retract)', [
  {
    name: `agent control: RemoteRoutes update + retract (${N} routes, 32 per message)`,
    items: 2 * N,
    fn: () => {
      for (const b of batches) rr.update(0, 'inet', VRF, b);
      for (let i = 0; i < N; i += 256) rr.retract(0, 'inet', VRF, ids.slice(i, i + 256));
    },
  },
  {
    name: `baseline: Agent.addRoute + deleteRoute (${N} routes)`,
    items: 2 * N,
    fn: () => {
      for (let i = 0; i < N; i++) {
        const h = (items[i]!.route.entry as UnicastEntry).nextHops[0]!;
        a2.addRoute(VRF, ids[i]!, {
          tunnel: { dst: h.address, label: h.label, vni: 1001, encaps: ['mpls-udp', 'vxlan'] },
        });
      }
      for (let i = 0; i < N; i++) a2.deleteRoute(VRF, ids[i]!);
    },
  },
]);

// Withdrawal with live flows: one shot per run (the state changes), best of 3.
function withFlows(viaControl: boolean): number {
  const a = new Agent({ name: 'bench-w', underlay: '192.0.2.100' });
  a.addVrf({ name: VRF, vni: 1001, gateways: ['10.1.1.1'] });
  const p = a.addPort({
    name: 'w1',
    vrf: VRF,
    mac: '02:00:00:00:01:11',
    ipam: { address: '10.1.1.11', prefixLen: 24, gateway: '10.1.1.1' },
    deliver: () => {},
  });
  const r = new RemoteRoutes({
    agent: a,
    isLocalPrefix: () => false,
    isLocalMac: () => false,
    log: () => {},
  });
  if (viaControl) for (const b of batches) r.update(0, 'inet', VRF, b);
  else
    for (let i = 0; i < N; i++)
      a.addRoute(VRF, ids[i]!, {
        tunnel: { dst: `192.0.2.${1 + (i % 8)}`, label: 16 + i, encaps: ['mpls-udp'] },
      });
  const router = macFromText('00:00:5e:00:01:00');
  const src = macFromText('02:00:00:00:01:11');
  const payload = new Uint8Array(64);
  for (let i = 0; i < N; i++)
    a.fw.fromPort(
      p.index,
      udpFrame(router, src, '10.1.1.11', ids[i]!.slice(0, -3), 5000 + (i % 60000), 7, payload),
    );
  if (a.fw.flows.stats().flows < N) throw new Error(`only ${a.fw.flows.stats().flows} flows`);
  const t0 = performance.now();
  if (viaControl) for (let i = 0; i < N; i += 256) r.retract(0, 'inet', VRF, ids.slice(i, i + 256));
  else for (let i = 0; i < N; i++) a.deleteRoute(VRF, ids[i]!);
  const ms = performance.now() - t0;
  if (a.fw.flows.stats().flows !== 0) throw new Error('flows left behind');
  return ms;
}
const wControl: number[] = [];
const wDirect: number[] = [];
for (let i = 0; i < 3; i++) {
  wControl.push(withFlows(true));
  wDirect.push(withFlows(false));
}
console.log(`\nwithdraw ${N} routes, each with a live flow pair, best of 3`);
console.log(
  `  agent control: 4 XMPP retract messages (Agent.batch)  ${Math.min(...wControl)
    .toFixed(1)
    .padStart(8)} ms`,
);
console.log(
  `  baseline: Agent.deleteRoute one by one             ${Math.min(...wDirect)
    .toFixed(1)
    .padStart(8)} ms`,
);

// Over XMPP: one shot of 10,000 routes, timed until the last one is installed.
const TOTAL = 10_000;
const big = Array.from({ length: TOTAL }, (_, i) => ({
  id: prefix(i),
  route: { family: 'inet', entry: entry(prefix(i), `192.0.2.${1 + (i % 8)}`, 16 + (i % 100_000)) } as Route,
}));

async function overXmpp(install: boolean): Promise<number> {
  const server = new XmppServer({ hostname: 'bench' });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new XmppClient({
    name: 'bench-agent',
    servers: [{ host: '127.0.0.1', port }],
    configSubscribe: false,
  });
  const agent = new Agent({ name: 'bench-agent', underlay: '192.0.2.100' });
  agent.addVrf({ name: VRF, vni: 1001 });
  const routes = new RemoteRoutes({
    agent,
    isLocalPrefix: () => false,
    isLocalMac: () => false,
    log: () => {},
  });
  let got = 0;
  const done = new Promise<void>((resolve) => {
    client.on('route-update', (s, msg) => {
      if (install) routes.update(s, msg.family, msg.vrf, msg.items);
      got += msg.items.length;
      if (got === TOTAL) resolve();
    });
  });
  const ready = new Promise<void>((resolve) =>
    server.on('session', (s) => s.on('subscribe', () => resolve())),
  );
  client.subscribe(VRF);
  client.start();
  await ready;
  const session = [...server.sessions.values()][0]!;
  const t0 = performance.now();
  session.sendRoutes('inet', VRF, big);
  await done;
  const ms = performance.now() - t0;
  if (install && agent.vrf(VRF).lpm4.size !== TOTAL) throw new Error('not all routes installed');
  await client.stop();
  await server.close();
  return ms;
}

const runs = 3;
const withInstall: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  bare.push(await overXmpp(false));
  withInstall.push(await overXmpp(true));
}
const best = (xs: number[]) => Math.min(...xs);
console.log(`\n${TOTAL} routes over XMPP (loopback TCP), best of ${runs}`);
console.log(
  `  agent control: received and installed ${best(withInstall).toFixed(0).padStart(8)} ms  ${((TOTAL / best(withInstall)) * 1000).toFixed(0)} routes/s`,
);
console.log(
  `  baseline: bare XmppClient, decoded only   ${best(bare).toFixed(0).padStart(8)} ms  ${((TOTAL / best(bare)) * 1000).toFixed(0)} routes/s`,
);
