import { describeWithTool } from '@filament/testkit';
import { apiSuite } from './api-suite.js';

describeWithTool('etcd', 'config API on the etcd store', () => apiSuite('etcd'));
