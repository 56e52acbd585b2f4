import { configFeedSuite } from './config-feed-suite.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('config feed to agents on the sqlite store', () =>
  configFeedSuite('sqlite', '127.0.61.1'),
);
