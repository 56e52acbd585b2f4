// TAP devices against the real kernel: a device created through the helper, moved into a namespace, where
// the kernel's own stack (ping) talks to an in-process workload on the Node side of the device. Also the
// failure cases: bad names, a name already taken, frames over the bound, a helper killed, cleanup.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Workload } from '../src/index.js';
import {
  openTap,
  type TapDevice,
  TapHelperDiedError,
  TapNameError,
  TapOpenError,
  tapSupported,
} from '../src/tap/index.js';
import { ip, NetnsLab, netnsSupported } from './netns.js';

const support = tapSupported();
const ns = netnsSupported();
const why = !support.ok ? support.why : !ns.ok ? ns.why : '';
const suite = why ? describe.skip : describe;

function linkExists(name: string, netns?: string): boolean {
  try {
    ip(...(netns ? ['-n', netns] : []), 'link', 'show', name);
    return true;
  } catch {
    return false;
  }
}

describe('tapSupported', () => {
  it('answers ok or says why not', () => {
    const s = tapSupported();
    if (s.ok) expect(s).toEqual({ ok: true });
    else expect(s.why).toMatch(/\w+/);
  });

  it('without python3 it says why, and openTap throws TapUnsupportedError (the fallback path)', () => {
    // A fresh process: the answer is cached per process.
    const script = [
      `import { openTap, tapSupported } from ${JSON.stringify(fileURLToPath(new URL('../src/tap/index.ts', import.meta.url)))};`,
      'console.log(JSON.stringify(tapSupported()));',
      "await openTap('x', () => {}).catch((e) => console.log(e.name));",
    ].join('\n');
    const r = spawnSync(
      fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)),
      ['--conditions=@filament/source', '--input-type=module', '-e', script],
      { env: { ...process.env, FILAMENT_PYTHON: '/nonexistent/python3' }, encoding: 'utf8', timeout: 60_000 },
    );
    const [support, err] = r.stdout.trim().split('\n');
    expect(JSON.parse(support!)).toMatchObject({ ok: false });
    expect(JSON.parse(support!).why).toMatch(/python3|Linux|tun|CAP_NET_ADMIN/);
    expect(err).toBe('TapUnsupportedError');
  });
});

suite(`TAP devices${why ? ` [skipped: ${why}]` : ''}`, () => {
  it('refuses names the kernel would refuse', async () => {
    for (const bad of ['', 'x'.repeat(16), 'a b', 'tap/0'])
      await expect(openTap(bad, () => {})).rejects.toBeInstanceOf(TapNameError);
  });

  it('a workload behind a TAP in a namespace answers the kernel ping; frames over the bound are dropped', async () => {
    const lab = new NetnsLab();
    const name = NetnsLab.linkName('ftp');
    const w = new Workload({ name: 'w', mac: '02:00:00:77:00:02', address: '10.77.0.2', prefixLen: 24 });
    const dev: TapDevice = await openTap(name, (frame) => w.deliver(frame, 0, frame.length), {
      maxFrame: 600,
    });
    try {
      w.attach((frame) => dev.send(frame, 0, frame.length));
      expect(dev.name).toBe(name);
      expect(linkExists(name)).toBe(true);
      const netns = lab.addNamespace('tap');
      lab.moveTo(name, netns);
      // Down after the move: the kernel refuses writes (EIO), counted, never thrown.
      const before = dev.counters.txErrors;
      dev.send(new Uint8Array(60), 0, 60);
      expect(dev.counters.txErrors).toBe(before + 1);
      lab.configure(netns, name, { mac: '02:00:00:77:00:01', addresses: ['10.77.0.1/24'] });
      const r = await lab.exec(netns, ['ping', '-c', '3', '-i', '0.2', '-W', '3', '10.77.0.2']);
      expect(r.stdout).toMatch(/3 packets transmitted, 3 received/);
      expect(w.counts.echoAnswered).toBe(3);
      expect(w.counts.arpAnswered).toBeGreaterThanOrEqual(1);
      expect(dev.counters.rxFrames).toBeGreaterThanOrEqual(4);
      expect(dev.counters.txFrames).toBeGreaterThanOrEqual(4);
      // 800-byte echo requests exceed maxFrame 600: dropped on receipt, so no reply.
      const dropped = dev.counters.rxDropped;
      const big = await lab.exec(
        netns,
        ['ping', '-c', '2', '-i', '0.2', '-W', '1', '-s', '800', '10.77.0.2'],
        {
          allowFail: true,
        },
      );
      expect(big.stdout).toMatch(/2 packets transmitted, 0 received/);
      expect(dev.counters.rxDropped).toBe(dropped + 2);
    } finally {
      await dev.close();
      await lab.cleanup();
    }
    expect(linkExists(name)).toBe(false);
  });

  it('a second open of a name in use fails with EBUSY; close deletes the device', async () => {
    const name = NetnsLab.linkName('ftq');
    const dev = await openTap(name, () => {});
    try {
      const err = await openTap(name, () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TapOpenError);
      expect((err as TapOpenError).errno).toBe(16);
      expect(ip('-j', 'link', 'show', name)).toMatch(/"UP"/);
    } finally {
      await dev.close();
    }
    expect(linkExists(name)).toBe(false);
    await dev.close(); // idempotent
    dev.send(new Uint8Array(60), 0, 60);
    expect(dev.counters.txErrors).toBe(1);
  });

  it('a helper that dies is reported; the device stays until close', async () => {
    const name = NetnsLab.linkName('ftr');
    let reported: TapHelperDiedError | undefined;
    const died = new Promise<void>((resolve) => {
      void openTap(name, () => {}, {
        onError: (e) => {
          reported = e;
          resolve();
        },
      }).then((dev) => {
        opened = dev;
        process.kill(dev.helperPid!, 'SIGKILL');
      });
    });
    let opened: TapDevice | undefined;
    await died;
    expect(reported).toBeInstanceOf(TapHelperDiedError);
    expect(reported?.signal).toBe('SIGKILL');
    expect(opened?.alive).toBe(false);
    expect(opened?.failure).toBe(reported);
    expect(linkExists(name)).toBe(true);
    await opened?.close();
    expect(linkExists(name)).toBe(false);
  });
});
