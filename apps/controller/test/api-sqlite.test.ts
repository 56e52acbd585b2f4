import { apiSuite } from './api-suite.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('config API on the sqlite store', () => apiSuite('sqlite'));
