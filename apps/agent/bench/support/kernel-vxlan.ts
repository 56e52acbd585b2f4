// The kernel's own VXLAN forwarding as a limit for the underlay benchmark (root only): two network
// namespaces joined by a veth pair, a kernel VXLAN device (VNI 100, port 4789) over it in each, and a UDP
// blast (mmsg.c, sendmmsg, two senders) from one overlay address to the other. The rate is the receiving VXLAN device's
// rx_packets counter over the window; everything is torn down afterwards.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Mmsg } from './mmsg.js';

const run = promisify(execFile);
const NS = ['fl-ub8-a', 'fl-ub8-b'] as const;
const VETH = ['fl-ub8a', 'fl-ub8b'] as const;
const UNDER = ['192.168.188.1', '192.168.188.2'] as const;
const OVER = ['10.188.0.1', '10.188.0.2'] as const;

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

async function nsRun(ns: string, cmd: string[]): Promise<string> {
  const r = await run('ip', ['netns', 'exec', ns, ...cmd]);
  return r.stdout;
}

export async function teardown(): Promise<void> {
  for (const ns of NS) await ip('netns', 'del', ns).catch(() => {});
}

async function setup(): Promise<void> {
  await teardown();
  for (const ns of NS) await ip('netns', 'add', ns);
  await ip('link', 'add', VETH[0], 'netns', NS[0], 'type', 'veth', 'peer', 'name', VETH[1], 'netns', NS[1]);
  for (let i = 0; i < 2; i++) {
    const ns = NS[i]!;
    const e = (...a: string[]) => nsRun(ns, ['ip', ...a]);
    await e('link', 'set', 'lo', 'up');
    await e('addr', 'add', `${UNDER[i]}/24`, 'dev', VETH[i]!);
    await e('link', 'set', VETH[i]!, 'up');
    await e(
      'link',
      'add',
      'vx0',
      'type',
      'vxlan',
      'id',
      '100',
      'local',
      UNDER[i]!,
      'remote',
      UNDER[1 - i]!,
      'dstport',
      '4789',
      'dev',
      VETH[i]!,
    );
    await e('addr', 'add', `${OVER[i]}/24`, 'dev', 'vx0');
    await e('link', 'set', 'vx0', 'up');
    // Checksums left to offload over veth arrive unfilled (issue #9, "Learned on a machine like ours").
    await nsRun(ns, ['ethtool', '-K', 'vx0', 'tx', 'off']).catch(() => {});
  }
}

function rxPackets(ns: string): Promise<number> {
  return nsRun(ns, ['cat', '/sys/class/net/vx0/statistics/rx_packets']).then((s) => Number(s.trim()));
}

export interface KernelVxlanResult {
  perSec: number;
  senderPerSec: number;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** UDP datagrams of `bytes` through kernel VXLAN, one namespace to the other; decapsulated packets/s. */
export async function kernelVxlanRate(
  mmsg: Mmsg,
  bytes: number,
  seconds: number,
): Promise<KernelVxlanResult> {
  await setup();
  try {
    let perSec = 0;
    const r = await mmsg.pair({
      address: OVER[1],
      port: 30_188,
      bytes,
      seconds,
      batch: 64,
      // Two senders, so the generator is less likely than the kernel path to be the limit.
      senders: 2,
      sendPrefix: ['ip', 'netns', 'exec', NS[0]],
      recvPrefix: ['ip', 'netns', 'exec', NS[1]],
      during: async () => {
        await new Promise((r) => setTimeout(r, 500));
        const a = await rxPackets(NS[1]);
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, (seconds - 1) * 1000));
        const b = await rxPackets(NS[1]);
        perSec = ((b - a) / (performance.now() - t0)) * 1000;
      },
    });
    const senderPerSec = r.send.reduce((a, s) => a + (s.packets / s.wallUs) * 1e6, 0);
    return { perSec, senderPerSec };
  } finally {
    await teardown();
  }
}
