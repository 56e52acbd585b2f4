// Public surface of the controller for tools, tests and a future control plane that drives itself from the
// store's watch.
export { createApiServer } from './api/server.js';
export { ConfigService } from './api/service.js';
export { TokenAuth, type TokenEntry } from './auth/tokens.js';
export { type ControllerConfig, loadConfig } from './config.js';
export { Controller } from './controller.js';
export * from './errors.js';
export { Ipam } from './ipam/hooks.js';
export { RESOURCES, type ResourceDef } from './schema/resources.js';
export { EtcdStore, type EtcdStoreOptions } from './store/etcd.js';
export * from './store/interface.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite.js';
