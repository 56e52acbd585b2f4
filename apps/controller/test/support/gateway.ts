// gobgpd as the gateway of the controller's BGP speaker in tests: a config written into a scratch directory, the
// daemon in its own process group, and the `gobgp` CLI against its gRPC API. Every wait is bounded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, run, startDaemon, waitFor } from '@filament/testkit';

export interface Gobgpd {
  daemon: Daemon;
  cli(...args: string[]): string;
  json<T>(...args: string[]): T;
  stop(): Promise<void>;
}

export interface GobgpdOptions {
  address: string;
  port: number;
  apiPort: number;
  asn: number;
  routerId: string;
  /** Our speaker: address and AS (gobgpd waits for our connection: passive). */
  neighbor: { address: string; asn: number; port: number };
  families: string[];
}

export function gobgpdToml(o: GobgpdOptions): string {
  return `
[global.config]
  as = ${o.asn}
  router-id = "${o.routerId}"
  port = ${o.port}
  local-address-list = ["${o.address}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${o.neighbor.address}"
    peer-as = ${o.neighbor.asn}
  [neighbors.transport.config]
    local-address = "${o.address}"
    remote-port = ${o.neighbor.port}
    passive-mode = true
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
${o.families
  .map(
    (f) => `  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "${f}"`,
  )
  .join('\n')}
`;
}

export async function startGobgpd(dir: string, o: GobgpdOptions): Promise<Gobgpd> {
  const file = join(dir, `gobgpd-${o.address}.toml`);
  writeFileSync(file, gobgpdToml(o));
  const daemon = startDaemon('gobgpd', [
    '-f',
    file,
    '--api-hosts',
    `${o.address}:${o.apiPort}`,
    '--pprof-disable',
    '-p',
    '-l',
    'info',
  ]);
  const cli = (...args: string[]) =>
    run('gobgp', ['-u', o.address, '-p', String(o.apiPort), ...args], { timeoutMs: 20_000 }).stdout;
  const g: Gobgpd = {
    daemon,
    cli,
    json: <T>(...args: string[]) => JSON.parse(cli(...args, '-j')) as T,
    stop: () => daemon.stop(),
  };
  try {
    await waitFor('gobgpd API', () => cli('global').includes('AS'), 45_000);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return g;
}

/** gobgpd's session state for a neighbor (6 = Established), undefined when it has no such neighbor. */
export function sessionState(g: Gobgpd, neighbor: string): number | undefined {
  try {
    const n = g.json<{ state?: { session_state?: number | string } }>('neighbor', neighbor);
    const s = n.state?.session_state;
    return typeof s === 'number' ? s : s === undefined ? 1 : Number.isNaN(Number(s)) ? 0 : Number(s);
  } catch {
    return undefined;
  }
}

/** Where bgp-router objects live, as in TF: the ip-fabric network's default routing instance. */
export const BGP_ROUTER_PARENT = ['default-domain', 'default-project', 'ip-fabric', '__default__'];

/** The REST body creating bgp-router `name` with these `bgp_router_parameters`. */
export function bgpRouterBody(name: string, params: Record<string, unknown>): Record<string, unknown> {
  return {
    'bgp-router': {
      fq_name: [...BGP_ROUTER_PARENT, name],
      parent_type: 'routing-instance',
      bgp_router_parameters: params,
    },
  };
}
