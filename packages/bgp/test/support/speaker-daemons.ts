// Daemons for the speaker's interop tests (gobgpd 3.10, FRR 8.4 bgpd -Z, BIRD 2.0.12, ExaBGP 4.2), each
// from a config written into a scratch directory, on loopback addresses 127.0.3.x and ports 13179+, in
// its own process group (stop() ends it). Every wait is bounded.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Daemon, run, startDaemon, waitFor } from '@filament/testkit';
import type { BgpSpeaker, PeerConfig, PeerStatus } from '../../src/index.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function established(s: BgpSpeaker, peer: string, ms = 30_000): Promise<PeerStatus> {
  return waitFor(
    `${peer} Established`,
    () => {
      const st = s.peers().find((p) => p.address === peer);
      return st?.state === 'Established' ? st : undefined;
    },
    ms,
    50,
  );
}

export interface Gobgpd {
  daemon: Daemon;
  cli(...args: string[]): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export async function startGobgpd(
  dir: string,
  toml: string,
  apiHost: string,
  apiPort: number,
): Promise<Gobgpd> {
  const file = join(dir, 'gobgpd.toml');
  writeFileSync(file, toml);
  const start = () =>
    startDaemon('gobgpd', [
      '-f',
      file,
      '--api-hosts',
      `${apiHost}:${apiPort}`,
      '--pprof-disable',
      '-p',
      '-l',
      'info',
    ]);
  const cli = (...args: string[]) =>
    run('gobgp', ['-u', apiHost, '-p', String(apiPort), ...args], { timeoutMs: 20_000 }).stdout;
  const g: Gobgpd = {
    daemon: start(),
    cli,
    stop: () => g.daemon.stop(),
    async kill() {
      // SIGKILL: no NOTIFICATION, the TCP connection just closes (graceful restart case)
      try {
        process.kill(-g.daemon.child.pid!, 'SIGKILL');
      } catch {}
      await g.daemon.stop(100);
    },
    async restart() {
      g.daemon = start();
      await waitFor('gobgpd API', () => cli('global').includes('AS'), 45_000);
    },
  };
  await waitFor('gobgpd API', () => cli('global').includes('AS'), 45_000);
  return g;
}

export interface Frr {
  daemon: Daemon;
  vtysh(...commands: string[]): string;
  stop(): Promise<void>;
}

export async function startFrr(dir: string, conf: string, address: string, port: number): Promise<Frr> {
  const d = join(dir, 'frr');
  mkdirSync(d, { recursive: true });
  chmodSync(dir, 0o755);
  const file = join(d, 'bgpd.conf');
  writeFileSync(file, conf);
  run('chown', ['-R', 'frr:frr', d], { allowFail: true });
  const daemon = startDaemon('/usr/lib/frr/bgpd', [
    '-Z',
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
  ]);
  const vtysh = (...commands: string[]) =>
    run('vtysh', ['--vty_socket', d, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 20_000 }).stdout;
  await waitFor('FRR bgpd', () => vtysh('show bgp summary').length > 0, 45_000);
  return { daemon, vtysh, stop: () => daemon.stop() };
}

/**
 * The start of an FRR config: logging, `router bgp ASN` with the router id, no default policies or IPv4
 * activation, and one neighbor per loopback peer (own port, sourced from FRR's address, connect retry 1 s).
 * The caller appends its address families.
 */
export function frrRouterBgp(o: {
  hostname: string;
  asn: number;
  routerId: string;
  source: string;
  peers: readonly (readonly [address: string, asn: number, port: number])[];
}): string {
  const neighbors = o.peers
    .map(
      ([addr, asn, port]) => ` neighbor ${addr} remote-as ${asn}
 neighbor ${addr} port ${port}
 neighbor ${addr} update-source ${o.source}
 neighbor ${addr} disable-connected-check
 neighbor ${addr} timers connect 1`,
    )
    .join('\n');
  return `frr defaults traditional
hostname ${o.hostname}
log stdout informational
!
router bgp ${o.asn}
 bgp router-id ${o.routerId}
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
${neighbors}
`;
}

export interface Bird {
  daemon: Daemon;
  birdc(...args: string[]): string;
  stop(): Promise<void>;
}

export async function startBird(dir: string, conf: string): Promise<Bird> {
  const d = join(dir, 'bird');
  mkdirSync(d, { recursive: true });
  const file = join(d, 'bird.conf');
  writeFileSync(file, conf);
  run('bird', ['-p', '-c', file]);
  const ctl = join(d, 'bird.ctl');
  const daemon = startDaemon('bird', ['-f', '-c', file, '-s', ctl, '-P', join(d, 'bird.pid')]);
  const birdc = (...args: string[]) => run('birdc', ['-s', ctl, ...args], { timeoutMs: 20_000 }).stdout;
  await waitFor('BIRD', () => birdc('show', 'status').includes('Daemon is up'), 45_000);
  return { daemon, birdc, stop: () => daemon.stop() };
}

export interface ExaBgp {
  daemon: Daemon;
  /** Commands for ExaBGP's API go into this file, read by the API process (one command a line). */
  command(line: string): void;
  /** JSON messages ExaBGP received from us, as parsed by ExaBGP. */
  received(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * ExaBGP with an API process that appends every JSON line ExaBGP writes (what it received) to a file, and
 * forwards lines appended to a command file to ExaBGP (announce / withdraw).
 */
export async function startExaBgp(dir: string, conf: (api: string) => string): Promise<ExaBgp> {
  const d = join(dir, 'exabgp');
  mkdirSync(d, { recursive: true });
  const recvFile = join(d, 'received.jsonl');
  const cmdFile = join(d, 'commands.txt');
  writeFileSync(recvFile, '');
  writeFileSync(cmdFile, '');
  const api = join(d, 'api.py');
  writeFileSync(
    api,
    [
      'import sys, threading, time',
      `RECV = ${JSON.stringify(recvFile)}`,
      `CMDS = ${JSON.stringify(cmdFile)}`,
      'def reader():',
      '    with open(RECV, "a") as out:',
      '        for line in sys.stdin:',
      '            out.write(line); out.flush()',
      'threading.Thread(target=reader, daemon=True).start()',
      'pos = 0',
      'while True:',
      '    with open(CMDS) as f:',
      '        f.seek(pos); data = f.read(); pos = f.tell()',
      '    for line in data.splitlines():',
      '        if line.strip():',
      '            sys.stdout.write(line + "\\n"); sys.stdout.flush()',
      '    time.sleep(0.2)',
    ].join('\n'),
  );
  const file = join(d, 'exabgp.conf');
  writeFileSync(file, conf(`/usr/bin/python3 ${api}`));
  const daemon = startDaemon('exabgp', [file], {
    env: {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.log.destination': join(d, 'exabgp.log'),
      'exabgp.api.ack': 'false',
    },
  });
  const { appendFileSync, readFileSync } = await import('node:fs');
  return {
    daemon,
    command: (line) => appendFileSync(cmdFile, `${line}\n`),
    received: () =>
      readFileSync(recvFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return []; // a line still being written
          }
        }),
    stop: () => daemon.stop(),
  };
}

export type { PeerConfig };
