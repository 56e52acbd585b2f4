import { describeWithTool } from '@filament/testkit';
import { ipamSuite } from './ipam-suite.js';

describeWithTool('etcd', 'IPAM on the etcd store', () => ipamSuite('etcd'));
