import { ipamSuite } from './ipam-suite.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('IPAM on the sqlite store', () => ipamSuite('sqlite'));
