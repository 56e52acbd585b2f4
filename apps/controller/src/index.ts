// Public surface of the controller for tools, tests and a future control plane that drives itself from the
// store's watch.
export * from './errors.js';
export { EtcdStore, type EtcdStoreOptions } from './store/etcd.js';
export * from './store/interface.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite.js';
