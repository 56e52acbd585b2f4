// Real BGP speakers for interop tests (software none of us wrote: gobgpd 3.10, FRR 8.4 bgpd, BIRD 2.0.12,
// ExaBGP 4.2) and a tshark capture, each started from a config generated here into a scratch directory,
// on loopback addresses and non-privileged ports, in its own process group so that stop() ends it.
// Every wait is bounded. Facts learned running them (see ../shared/ref/bgp-peers/RUN.md): FRR treats
// 127/8 next hops as martian and needs `no bgp ebgp-requires-policy`; bgpd -Z runs without zebra; FRR
// drops privileges to user frr, so its directory is handed to that user.
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Daemon, run, startDaemon, waitFor } from '@filament/testkit';

/** `cmd args` as run inside network namespace `netns` (`ip netns exec`), or as is. */
function inNetns(netns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
}

export interface Netns {
  name: string;
  /** Runs a command inside the namespace to completion (throws on failure). */
  run(cmd: string, args: string[]): string;
  /** Ends every process still in the namespace (ours: the test made it) and deletes it with its links. */
  remove(): void;
}

/** A fresh network namespace with its loopback up (needs root). */
export function createNetns(name: string): Netns {
  run('ip', ['netns', 'add', name]);
  const ns: Netns = {
    name,
    run: (cmd, args) => run(...inNetns(name, cmd, args), { timeoutMs: 20_000 }).stdout,
    remove() {
      const pids = run('ip', ['netns', 'pids', name], { allowFail: true })
        .stdout.split(/\s+/)
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
      run('ip', ['netns', 'del', name], { allowFail: true });
    },
  };
  ns.run('ip', ['link', 'set', 'lo', 'up']);
  return ns;
}

export interface Capture {
  file: string;
  /** Waits a moment for the last segments, then stops tshark (which flushes the file). */
  stop(): Promise<void>;
}

/** Starts `tshark -i lo` writing a pcap of TCP on `ports`; resolves once tshark says it is capturing. */
export async function startCapture(
  dir: string,
  name: string,
  ports: readonly number[],
  netns?: string,
): Promise<Capture> {
  const file = join(dir, `${name}.pcap`);
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  const d = startDaemon(
    ...inNetns(netns, 'tshark', ['-n', '-i', 'lo', '-f', filter, '-w', file, '-F', 'pcap']),
  );
  await waitFor('tshark to start capturing', () => /Capturing on/.test(d.output()), 20_000, 100);
  return {
    file,
    async stop() {
      await new Promise((r) => setTimeout(r, 1000));
      await d.stop(5000);
    },
  };
}

export interface GobgpNeighbor {
  address: string;
  as: number;
  port: number;
  families: readonly string[];
  localAddress: string;
  /** gobgpd does not connect to this neighbor; it waits for the neighbor's connection. */
  passive?: boolean;
}

export interface GobgpdConfig {
  as: number;
  routerId: string;
  address: string;
  port: number;
  neighbors: readonly GobgpNeighbor[];
}

export function gobgpdToml(c: GobgpdConfig): string {
  const lines = [
    '[global.config]',
    `  as = ${c.as}`,
    `  router-id = "${c.routerId}"`,
    `  port = ${c.port}`,
    `  local-address-list = ["${c.address}"]`,
  ];
  for (const n of c.neighbors) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.as}`,
      '  [neighbors.transport.config]',
      `    local-address = "${n.localAddress}"`,
      `    remote-port = ${n.port}`,
      ...(n.passive ? ['    passive-mode = true'] : []),
      '  [neighbors.timers.config]',
      '    connect-retry = 1',
      '    hold-time = 90',
      '    keepalive-interval = 30',
    );
    for (const f of n.families) {
      lines.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}"`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface Gobgpd {
  daemon: Daemon;
  /** Runs the `gobgp` CLI against this daemon; returns stdout. */
  cli(args: string[]): string;
  /** The session state gobgpd reports for `neighbor` (`established`, `active`, ...). */
  state(neighbor: string): string;
  stop(): Promise<void>;
}

/** Starts gobgpd with `config`; gRPC on 127.0.0.1:`apiPort`. Resolves when its API answers. */
export async function startGobgpd(
  dir: string,
  name: string,
  config: GobgpdConfig,
  apiPort: number,
  netns?: string,
): Promise<Gobgpd> {
  const file = join(dir, `${name}.toml`);
  writeFileSync(file, gobgpdToml(config));
  const daemon = startDaemon(
    ...inNetns(netns, 'gobgpd', [
      '-f',
      file,
      '--api-hosts',
      `127.0.0.1:${apiPort}`,
      '--pprof-disable',
      '-l',
      'info',
    ]),
  );
  const cli = (args: string[]) =>
    run(...inNetns(netns, 'gobgp', ['-u', '127.0.0.1', '-p', String(apiPort), ...args]), {
      timeoutMs: 20_000,
    }).stdout;
  await waitFor(`gobgpd ${name} API`, () => cli(['global']).includes('AS'), 20_000);
  return {
    daemon,
    cli,
    state(neighbor) {
      const j = JSON.parse(cli(['neighbor', neighbor, '-j'])) as {
        state?: { session_state?: number | string };
      };
      const s = j.state?.session_state;
      const names = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];
      return typeof s === 'number' ? (names[s] ?? String(s)) : String(s ?? '').toLowerCase();
    },
    stop: () => daemon.stop(),
  };
}

export interface Frr {
  daemon: Daemon;
  /** Runs vtysh commands (`-c` each) against this bgpd; returns stdout. */
  vtysh(...commands: string[]): string;
  stop(): Promise<void>;
}

/** Makes `dir/<name>` a directory the frr user may write (bgpd drops privileges to it). */
function frrDir(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  chmodSync(dir, 0o755);
  if (userInfo().uid === 0) {
    const ids = run('id', ['frr'], { allowFail: true }).stdout;
    const uid = /uid=(\d+)/.exec(ids)?.[1];
    const gid = /gid=(\d+)/.exec(ids)?.[1];
    if (uid && gid) chownSync(d, Number(uid), Number(gid));
  }
  return d;
}

/**
 * Starts FRR bgpd in the foreground, listening on address:port: without zebra (-Z) by default, or talking
 * to the zebra started by `startFrrZebra` in the same directory (`zebra: true`), optionally in `netns`.
 */
export async function startFrrBgpd(
  dir: string,
  name: string,
  conf: string,
  address: string,
  port: number,
  opts: { zebra?: boolean; netns?: string } = {},
): Promise<Frr> {
  const d = frrDir(dir, name);
  const file = join(d, 'bgpd.conf');
  writeFileSync(file, conf);
  if (userInfo().uid === 0) run('chown', ['-R', 'frr:frr', d], { allowFail: true });
  const args = [
    ...(opts.zebra ? ['-z', join(d, 'zserv.api')] : ['-Z']),
    '-f',
    file,
    '-i',
    join(d, 'bgpd.pid'),
    '--vty_socket',
    d,
    '-A',
    '127.0.0.1',
    '-P',
    '0',
    '-p',
    String(port),
    '-l',
    address,
  ];
  const daemon = startDaemon(...inNetns(opts.netns, '/usr/lib/frr/bgpd', args));
  const vtysh = (...commands: string[]) =>
    run('vtysh', ['--vty_socket', d, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 20_000 }).stdout;
  await waitFor(`FRR bgpd ${name}`, () => vtysh('show bgp summary').length > 0, 20_000);
  return { daemon, vtysh, stop: () => daemon.stop() };
}

/** Starts FRR zebra in the foreground for the bgpd of the same `dir`/`name` (EVPN needs its kernel view). */
export async function startFrrZebra(dir: string, name: string, netns?: string): Promise<Daemon> {
  const d = frrDir(dir, name);
  const conf = join(d, 'zebra.conf');
  writeFileSync(conf, 'hostname filament-zebra\n');
  if (userInfo().uid === 0) run('chown', ['-R', 'frr:frr', d], { allowFail: true });
  const daemon = startDaemon(
    ...inNetns(netns, '/usr/lib/frr/zebra', [
      '-f',
      conf,
      '-i',
      join(d, 'zebra.pid'),
      '-z',
      join(d, 'zserv.api'),
      '--vty_socket',
      d,
      '-A',
      '127.0.0.1',
      '-P',
      '0',
    ]),
  );
  await waitFor(
    `FRR zebra ${name}`,
    () => run('vtysh', ['--vty_socket', d, '-c', 'show version'], { allowFail: true }).status === 0,
    20_000,
  );
  return daemon;
}

export interface Bird {
  daemon: Daemon;
  birdc(...args: string[]): string;
  stop(): Promise<void>;
}

/** Starts BIRD 2 in the foreground with `conf`; resolves when birdc answers. */
export async function startBird(dir: string, name: string, conf: string): Promise<Bird> {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const file = join(d, 'bird.conf');
  writeFileSync(file, conf);
  run('bird', ['-p', '-c', file]);
  const ctl = join(d, 'bird.ctl');
  const daemon = startDaemon('bird', ['-f', '-c', file, '-s', ctl, '-P', join(d, 'bird.pid')]);
  const birdc = (...args: string[]) => run('birdc', ['-s', ctl, ...args], { timeoutMs: 20_000 }).stdout;
  await waitFor(`BIRD ${name}`, () => birdc('show', 'status').includes('Daemon is up'), 20_000);
  return { daemon, birdc, stop: () => daemon.stop() };
}

export interface ExaBgp {
  daemon: Daemon;
  /** Path of the JSON lines the API process received (OPEN, UPDATE, ... as ExaBGP parsed them). */
  received: string;
  stop(): Promise<void>;
}

/**
 * Starts ExaBGP 4.2 with `conf`, in which `$RECV` stands for a receiver API process (it appends what
 * ExaBGP parsed, as JSON lines, to `received.jsonl` in its directory).
 */
export async function startExabgp(dir: string, name: string, conf: string): Promise<ExaBgp> {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const received = join(d, 'received.jsonl');
  const recv = join(d, 'recv.py');
  writeFileSync(
    recv,
    [
      'import sys',
      `with open(${JSON.stringify(received)}, 'a') as out:`,
      '    for line in sys.stdin:',
      '        out.write(line)',
      '        out.flush()',
      '',
    ].join('\n'),
  );
  writeFileSync(received, '');
  const file = join(d, 'exabgp.conf');
  writeFileSync(file, conf.replaceAll('$RECV', `/usr/bin/python3 ${recv}`));
  const env = {
    ...process.env,
    'exabgp.daemon.user': userInfo().username,
    'exabgp.daemon.pid': join(d, 'exabgp.pid'),
    'exabgp.log.destination': join(d, 'exabgp.log'),
    'exabgp.api.cli': 'false',
  };
  run('exabgp', ['--validate', file], { env, timeoutMs: 60_000 });
  const daemon = startDaemon('exabgp', [file], { env });
  return { daemon, received, stop: () => daemon.stop() };
}
