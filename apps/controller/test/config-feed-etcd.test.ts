import { describeWithTool } from '@filament/testkit';
import { configFeedSuite } from './config-feed-suite.js';

describeWithTool('etcd', 'config feed to agents on the etcd store', () =>
  configFeedSuite('etcd', '127.0.61.2'),
);
