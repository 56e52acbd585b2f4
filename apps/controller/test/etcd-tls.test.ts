// The controller reaches etcd over TLS with a client certificate (etcd started with client-cert-auth).
import { describeWithTool, scratchDir } from '@filament/testkit';
import { expect, it } from 'vitest';
import { type Harness, startController } from './support/api.js';
import { startEtcd, type TestEtcd } from './support/etcd.js';
import { makePki } from './support/pki.js';

describeWithTool(['etcd', 'openssl'], 'etcd over TLS', () => {
  it('stores objects through a client-certificate TLS connection', async () => {
    const dir = scratchDir('filament-etcd-pki-');
    let etcd: TestEtcd | undefined;
    let h: Harness | undefined;
    try {
      makePki(dir.path);
      etcd = await startEtcd({
        ca: `${dir.path}/ca.pem`,
        cert: `${dir.path}/server.pem`,
        key: `${dir.path}/server.key`,
      });
      h = await startController('etcd', {
        store: {
          engine: 'etcd',
          hosts: [etcd.url],
          prefix: '/tls/',
          tls: {
            ca_file: `${dir.path}/ca.pem`,
            cert_file: `${dir.path}/client.pem`,
            key_file: `${dir.path}/client.key`,
          },
        },
      });
      const r = await h.call('POST', '/network-policys', {
        'network-policy': { fq_name: ['default-domain', 'default-project', 'over-tls'] },
      });
      expect(r.status).toBe(200);
      const id = r.body['network-policy'].uuid;
      expect((await h.call('GET', `/network-policy/${id}`)).body['network-policy'].fq_name).toEqual([
        'default-domain',
        'default-project',
        'over-tls',
      ]);
      expect(h.c.store.engine).toBe('etcd');
    } finally {
      await h?.close();
      await etcd?.stop();
      dir.cleanup();
    }
  }, 60_000);
});
