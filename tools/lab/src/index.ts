export {
  AgentClient,
  type PingResult,
  type PortRequest,
  type RouteView,
  type TcpResult,
} from './agent-client.js';
export { agentBin, controllerBin, resolveBin } from './bins.js';
export { type CheckResult, runChecks } from './checks.js';
export { LAB_HELP, type LabIo, parseLabArgs, runLab } from './cli.js';
export { ControllerApi, type TfObject } from './controller-api.js';
export * from './errors.js';
export { type AgentHandle, DEFAULT_LAB_OPTIONS, Lab, type LabOptions } from './lab.js';
export { ManagedProcess, type ProcessSpec, type ReadinessCheck } from './process.js';
export { Progress } from './progress.js';
export { type MetricSample, metricValue, parsePrometheus } from './prometheus.js';
export {
  type Provisioned,
  type ProvisionedWorkload,
  provision,
  provisionWorkload,
  setPolicyPort,
} from './provision.js';
export { diffSnapshots, type RouteSnapshot, remoteRoutes, routeSnapshot } from './routes.js';
export { type LabSummary, renderSummary, summarize } from './summary.js';
export { labTopology, stableUuid, type Topology, vrfName } from './topology.js';
export { InProcessDriver, type WorkloadDriver, type WorkloadMode } from './workloads.js';
