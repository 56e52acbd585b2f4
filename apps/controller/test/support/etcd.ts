// Starts a private etcd for a test: loopback client and peer ports, a scratch data directory, torn down after.
import { canConnect, freePort, scratchDir, startDaemon, waitFor } from '@filament/testkit';

export interface TestEtcd {
  url: string;
  stop(): Promise<void>;
}

/** With `tls`, clients must use https and present a certificate signed by `tls.ca` (client-cert-auth). */
export async function startEtcd(tls?: { ca: string; cert: string; key: string }): Promise<TestEtcd> {
  const dir = scratchDir('filament-etcd-');
  const client = await freePort();
  const peer = await freePort();
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${client}`;
  const tlsArgs = tls
    ? ['--cert-file', tls.cert, '--key-file', tls.key, '--client-cert-auth', '--trusted-ca-file', tls.ca]
    : [];
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
    ...tlsArgs,
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
