// Gateway export rate: interface routes put into the controller's RouteDb (as the agent server does for agents'
// publications) until gobgpd, peered with the controller's BGP speaker over loopback TCP, has accepted every
// resulting BGP route (VPNv4 + EVPN type 2 per interface, EVPN type 3 per compute node). Also the withdrawal of
// all of them.
//
//   pnpm --filter @filament/controller bench:gateway            (10,000 interfaces on 10 compute nodes)
//   BENCH_GATEWAY_ROUTES=2000 ... for a shorter run
//   BENCH_GATEWAY_EVPN=0 ... interface routes as inet only (VPNv4 + EVPN 3): gobgpd takes EVPN far slower
//
// Baseline in the same run, against the same gobgpd: a plain @filament/bgp speaker (a second neighbor of gobgpd)
// announcing the very same BGP routes, built beforehand, so it is the speaker-to-speaker path without RouteDb
// and without conversion. Both are timed from the first route handed over until gobgpd's accepted count (its
// `gobgp neighbor <addr> -j`, polled every 100 ms: each poll runs the Go CLI, which costs CPU the daemons need) reaches the total; the CPU time this process used meanwhile is
// reported too, as the machine is shared.
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { promisify } from 'node:util';
import { BgpSpeaker, type LocalRoute } from '@filament/bgp';
import { run, scratchDir, startDaemon } from '@filament/testkit';
import { itemId } from '@filament/xmpp';
import { controlDefaults } from '../src/config.js';
import { type ExportedRoute, exportRoutes, imetRoute } from '../src/control/gateway/index.js';
import { interfaceRoutes } from '../test/support/agents.js';
import { startController, vnBody } from '../test/support/api.js';
import { bgpRouterBody, gobgpdToml } from '../test/support/gateway.js';

const N = Number(process.env.BENCH_GATEWAY_ROUTES ?? 10_000);
const EVPN = process.env.BENCH_GATEWAY_EVPN !== '0';
const NODES = 10;
const US = '127.0.78.1';
const GO = '127.0.78.2';
const BASE = '127.0.78.3';
const BGP_PORT = 32779;
const GO_PORT = 32780;
const GO_API = 32781;
const BASE_PORT = 32782;
const XMPP_PORT = 32784;
const ASN = 64512;
const POLL_MS = 100;
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const gobgp = (...a: string[]) =>
  run('gobgp', ['-u', GO, '-p', String(GO_API), ...a], { timeoutMs: 30_000, allowFail: true }).stdout;

/** gobgpd's accepted routes from a neighbor, all families (async: a blocking spawn would stall our speaker). */
async function accepted(neighbor: string): Promise<number> {
  const { stdout } = await execFileAsync('gobgp', [
    '-u',
    GO,
    '-p',
    String(GO_API),
    'neighbor',
    neighbor,
    '-j',
  ]);
  const n = JSON.parse(stdout) as { afi_safis?: { state?: { accepted?: number } }[] };
  let total = 0;
  for (const f of n.afi_safis ?? []) total += f.state?.accepted ?? 0;
  return total;
}

async function until(
  what: string,
  f: () => boolean | Promise<boolean>,
  ms: number,
  every = 20,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(every);
  }
}

async function timed(what: string, neighbor: string, target: number, start: () => void) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  start();
  const handed = performance.now() - t0;
  await until(what, async () => (await accepted(neighbor)) === target, 600_000, POLL_MS);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { ms, handedMs: handed, cpuMs: (c.user + c.system) / 1000 };
}

const dir = scratchDir('bench-gateway-');
const toml = gobgpdToml({
  address: GO,
  port: GO_PORT,
  apiPort: GO_API,
  asn: ASN,
  routerId: '10.78.0.2',
  neighbor: { address: US, asn: ASN, port: BGP_PORT },
  families: ['l3vpn-ipv4-unicast', 'l2vpn-evpn'],
});
// a second passive neighbor for the baseline speaker
const baseNeighbor = toml
  .slice(toml.indexOf('[[neighbors]]'))
  .replaceAll(`"${US}"`, `"${BASE}"`)
  .replace(`remote-port = ${BGP_PORT}`, `remote-port = ${BASE_PORT}`);
const file = `${dir.path}/gobgpd.toml`;
await import('node:fs').then((fs) => fs.writeFileSync(file, `${toml}\n${baseNeighbor}`));
const go = startDaemon('gobgpd', [
  '-f',
  file,
  '--api-hosts',
  `${GO}:${GO_API}`,
  '--pprof-disable',
  '-l',
  'warn',
]);
let h: Awaited<ReturnType<typeof startController>> | undefined;
let base: BgpSpeaker | undefined;
try {
  await until('gobgpd API', () => gobgp('global').includes('AS'), 30_000, 100);
  h = await startController('sqlite', {
    asn: ASN,
    log_level: 'warn',
    control: controlDefaults({
      xmpp: { host: US, port: XMPP_PORT },
      introspect: { host: US, port: 0, public: true },
    }),
    bgp: { enabled: true, host: US, port: BGP_PORT, router_id: '10.78.0.1' },
  });
  const r = await h.call(
    'POST',
    '/bgp-routers',
    bgpRouterBody('bench-gobgpd', {
      address: GO,
      port: GO_PORT,
      autonomous_system: ASN,
      router_type: 'router',
      address_families: { family: ['inet-vpn', 'e-vpn'] },
    }),
  );
  if (r.status !== 200) throw new Error(`bgp-router: ${r.status} ${JSON.stringify(r.body)}`);
  const vnr = await h.call(
    'POST',
    '/virtual-networks',
    vnBody('bench-vn', [{ ip_prefix: '10.128.0.0', ip_prefix_len: 9 }]),
  );
  const vnObj = (await h.call('GET', `/virtual-network/${vnr.body['virtual-network'].uuid}`)).body[
    'virtual-network'
  ];
  const vni = vnObj.virtual_network_properties.vxlan_network_identifier as number;
  const vrf = 'default-domain:default-project:bench-vn:bench-vn';
  const db = h.c.control!.db;
  await until('instance', () => db.instance(vrf)?.configured === true, 10_000, 50);
  await until('gobgpd Established', () => /Establ/.test(gobgp('neighbor')), 60_000, 50);

  // the routes, built before timing: what the agent server would put into RouteDb
  const routes = Array.from({ length: N }, (_, i) => {
    const node = `10.78.1.${1 + (i % NODES)}`;
    const ip = `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const mac = `02:00:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    const source = `agent:bench-cn${1 + (i % NODES)}`;
    return {
      source,
      node,
      ip,
      ...interfaceRoutes(node, { vrf, ip, mac, label: 16 + (i % 1000), vni, encapsulations: ['udp', 'gre'] }),
    };
  });
  const target = (EVPN ? 2 : 1) * N + NODES;

  const gw = await timed('gateway export', US, target, () => {
    for (const x of routes) {
      db.addPath(vrf, 'inet', itemId(x.inet), {
        source: x.source,
        entry: x.inet.entry as never,
      });
      if (EVPN)
        db.addPath(vrf, 'enet', itemId(x.enet), {
          source: x.source,
          entry: x.enet.entry as never,
        });
    }
  });
  const gwOut = await timed('gateway withdraw', US, 0, () => {
    for (let n = 1; n <= NODES; n++) db.removeSource(`agent:bench-cn${n}`);
  });

  // baseline: the same BGP routes from a plain speaker, conversion done beforehand
  const inst = h.c.gateways!.exportParams(vrf)!;
  const bgpRoutes: ExportedRoute[] = [];
  for (const x of routes) {
    exportRoutes(inst, 'inet', [{ source: x.source, entry: x.inet.entry as never }], bgpRoutes);
    if (EVPN) exportRoutes(inst, 'enet', [{ source: x.source, entry: x.enet.entry as never }], bgpRoutes);
  }
  for (let n = 1; n <= NODES; n++) bgpRoutes.push(imetRoute(inst, `10.78.1.${n}`)!);
  base = new BgpSpeaker({
    asn: ASN,
    routerId: '10.78.0.3',
    listen: [{ host: BASE, port: BASE_PORT }],
    gracefulRestart: false,
    peers: [
      { address: GO, port: GO_PORT, asn: ASN, localAddress: BASE, families: ['ipv4-mpls-vpn', 'l2vpn-evpn'] },
    ],
  });
  await base.start();
  await until('baseline Established', () => base!.peers()[0]?.state === 'Established', 60_000, 50);
  const sp = await timed('speaker announce', BASE, target, () => {
    for (const x of bgpRoutes) base!.announce(x as LocalRoute);
  });
  const spOut = await timed('speaker withdraw', BASE, 0, () => {
    for (const x of bgpRoutes) base!.withdraw(x as LocalRoute);
  });

  const rate = (ms: number) => Math.round((target / ms) * 1000);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(
    `\nGateway export to gobgpd 3.10, ${N} interfaces (${target} BGP routes: VPNv4${EVPN ? ' + EVPN 2' : ''} each, EVPN 3 per node), ${cpus().length} cores, load ${load}`,
  );
  const row = (name: string, x: { ms: number; handedMs: number; cpuMs: number }) =>
    console.log(
      `  ${name.padEnd(58)} ${String(rate(x.ms)).padStart(8)} routes/s  ${(x.ms / 1000).toFixed(2)} s (handed over in ${x.handedMs.toFixed(0)} ms, CPU ${x.cpuMs.toFixed(0)} ms)`,
    );
  row('RouteDb -> gateway -> speaker -> gobgpd (announce)', gw);
  row('baseline: speaker -> gobgpd, routes pre-built (announce)', sp);
  row('RouteDb -> gateway -> speaker -> gobgpd (withdraw)', gwOut);
  row('baseline: speaker -> gobgpd (withdraw)', spOut);
} finally {
  await base?.stop();
  await h?.close();
  await go.stop();
  dir.cleanup();
}
