import { describeWithTool } from '@filament/testkit';
import { EtcdStore } from '../src/store/etcd.js';
import { storeCompliance } from './store-compliance.js';
import { startEtcd, type TestEtcd } from './support/etcd.js';

describeWithTool('etcd', 'store compliance: etcd', () => {
  storeCompliance(() => {
    let etcd: TestEtcd | undefined;
    return {
      open: async () => {
        etcd = await startEtcd();
        return new EtcdStore({ hosts: etcd.url, prefix: '/compliance/' });
      },
      cleanup: async () => {
        await etcd?.stop();
      },
    };
  });
});
