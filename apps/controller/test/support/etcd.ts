// Starts a private etcd for a test: loopback client and peer ports, a scratch data directory, torn down after.
import { canConnect, freePort, scratchDir, startDaemon, waitFor } from '@filament/testkit';

export interface TestEtcd {
  url: string;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<TestEtcd> {
  const dir = scratchDir('filament-etcd-');
  const client = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${client}`;
  const d = startDaemon('etcd', [
    '--name',
    'test',
    '--data-dir',
    dir.path,
    '--listen-client-urls',
    url,
    '--advertise-client-urls',
    url,
    '--listen-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-cluster',
    `test=http://127.0.0.1:${peer}`,
    '--log-level',
    'error',
  ]);
  try {
    await waitFor(`etcd on ${url}`, () => canConnect('127.0.0.1', client), 20_000, 100);
  } catch (e) {
    await d.stop();
    dir.cleanup();
    throw new Error(`${(e as Error).message}\n${d.output()}`);
  }
  return {
    url,
    async stop() {
      await d.stop();
      dir.cleanup();
    },
  };
}
