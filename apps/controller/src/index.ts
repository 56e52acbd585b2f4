// Public surface of the controller for tools, tests and a future control plane that drives itself from the
// store's watch.
export { createApiServer } from './api/server.js';
export { ConfigService } from './api/service.js';
export { TokenAuth, type TokenEntry } from './auth/tokens.js';
export { type ControlConfig, type ControllerConfig, controlDefaults, loadConfig } from './config.js';
export {
  type AgentConfigFeed,
  AgentServer,
  type AgentServerOptions,
  type AgentView,
  invalidRouteReason,
} from './control/agent-server.js';
export { IntrospectServer, instancesView, routesView } from './control/introspect.js';
export { ConfigInstances } from './control/routing/config-instances.js';
export { ControlPlane, type ControlPlaneOptions } from './control/routing/control-plane.js';
export { EmbeddedRoutes } from './control/routing/embedded-routes.js';
export * from './control/routing/entries.js';
export * from './control/routing/errors.js';
export { mergedRoute } from './control/routing/merge.js';
export * from './control/routing/route-db.js';
export { itemXml, RouteMessageWriter, retractXml } from './control/routing/route-messages.js';
export { type VirtualRouterInfo, VirtualRouters } from './control/routing/virtual-routers.js';
export { Controller } from './controller.js';
export * from './errors.js';
export { Ipam } from './ipam/hooks.js';
export { RESOURCES, type ResourceDef } from './schema/resources.js';
export { EtcdStore, type EtcdStoreOptions } from './store/etcd.js';
export * from './store/interface.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite.js';
