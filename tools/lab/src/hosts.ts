// Host namespaces (root): each agent runs in a network namespace of its own, a "compute node" whose only
// link is a veth into a bridge in the lab's namespace — the fabric's underlay. The bridge carries an address
// too, the controller's XMPP side, so agents reach the control node over the underlay as real hosts would,
// and the agents' VXLAN and MPLS over UDP cross real links (MTU 9000, as data-center underlays use). Names
// end in the lab's pid, so a crashed run's leftovers are recognised and removed on the next start.
import { spawnSync } from 'node:child_process';
import { HostCommandError } from './errors.js';
import { run, sweepStaleNamespaces } from './namespaces.js';
import type { AgentSpec } from './topology.js';

const UNDERLAY_MTU = '9000';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes the bridges and veths of labs that are gone (`flbr<pid>`, `flv<n><pid>`). */
export function sweepStaleLinks(): void {
  const r = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  for (const m of (r.stdout ?? '').matchAll(/^\d+: (fl(?:br|v\d)(\d+))[@:]/gm)) {
    if (!pidAlive(Number(m[2]))) spawnSync('ip', ['link', 'del', m[1]!]);
  }
}

export class HostNamespaces {
  readonly bridge = `flbr${process.pid}`;
  /** The bridge's address: the controller's side of the underlay (x.y.z.254/24 of the agents' subnet). */
  readonly bridgeAddress: string;
  private readonly agents: AgentSpec[];
  private readonly made: { namespaces: string[]; links: string[] } = { namespaces: [], links: [] };

  constructor(agents: AgentSpec[]) {
    this.agents = agents;
    const prefix = agents[0]!.underlay.split('.').slice(0, 3).join('.');
    for (const a of agents) {
      if (
        a.underlay.split('.').slice(0, 3).join('.') !== prefix ||
        a.underlay.endsWith('.254') ||
        a.underlay.startsWith('127.')
      )
        throw new HostCommandError(
          'host namespaces',
          null,
          `the agents' underlay addresses must share one /24, not be loopback and not end in .254 (${agents.map((x) => x.underlay).join(', ')})`,
        );
    }
    this.bridgeAddress = `${prefix}.254`;
  }

  /** The namespace agent `name` runs in. */
  nsOf(name: string): string {
    return `flab-host-${name}-${process.pid}`;
  }

  /** The command line that runs `argv` inside agent `name`'s namespace. */
  wrap(name: string, argv: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.nsOf(name), ...argv] };
  }

  async create(): Promise<void> {
    sweepStaleNamespaces();
    sweepStaleLinks();
    await run(['ip', 'link', 'add', this.bridge, 'type', 'bridge']);
    this.made.links.push(this.bridge);
    await run(['ip', 'link', 'set', this.bridge, 'mtu', UNDERLAY_MTU]);
    await run(['ip', 'addr', 'add', `${this.bridgeAddress}/24`, 'dev', this.bridge]);
    await run(['ip', 'link', 'set', this.bridge, 'up']);
    for (const [i, a] of this.agents.entries()) {
      const ns = this.nsOf(a.name);
      const outer = `flv${i + 1}${process.pid}`;
      const inner = `flp${i + 1}${process.pid}`;
      await run(['ip', 'netns', 'add', ns]);
      this.made.namespaces.push(ns);
      await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      await run([
        'ip',
        'link',
        'add',
        outer,
        'mtu',
        UNDERLAY_MTU,
        'type',
        'veth',
        'peer',
        'name',
        inner,
        'mtu',
        UNDERLAY_MTU,
      ]);
      this.made.links.push(outer);
      await run(['ip', 'link', 'set', outer, 'master', this.bridge]);
      await run(['ip', 'link', 'set', outer, 'up']);
      await run(['ip', 'link', 'set', inner, 'netns', ns]);
      await run(['ip', '-n', ns, 'link', 'set', inner, 'name', 'ul0']);
      await run(['ip', '-n', ns, 'addr', 'add', `${a.underlay}/24`, 'dev', 'ul0']);
      await run(['ip', '-n', ns, 'link', 'set', 'ul0', 'up']);
    }
  }

  /** Deletes the namespaces (their veth ends go with them) and the bridge. */
  async close(): Promise<void> {
    for (const ns of this.made.namespaces.splice(0))
      await run(['ip', 'netns', 'del', ns], { allowFail: true });
    for (const l of this.made.links.splice(0)) await run(['ip', 'link', 'del', l], { allowFail: true });
  }

  closeNow(): void {
    for (const ns of this.made.namespaces.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
    for (const l of this.made.links.splice(0)) spawnSync('ip', ['link', 'del', l]);
  }
}
