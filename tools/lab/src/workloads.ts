// How the lab drives traffic from a workload: the in-process workloads through their agent's port API
// (ping and TCP run inside the agent, no root needed), or, in namespace mode, the kernel's own stack in a
// network namespace behind a TAP device (see namespaces.ts). Both answer the same two questions.
import type { AgentClient, PingResult, TcpResult } from './agent-client.js';
import type { ProvisionedWorkload } from './provision.js';

export type WorkloadMode = 'in-process' | 'tap';

export interface WorkloadDriver {
  readonly mode: WorkloadMode;
  ping(from: ProvisionedWorkload, to: string, count: number): Promise<PingResult>;
  /** Sends `bytes` bytes to `to`:`port` over TCP; `ok` false when the connection could not be made. */
  tcp(from: ProvisionedWorkload, to: string, port: number, bytes: number): Promise<TcpResult>;
}

export class InProcessDriver implements WorkloadDriver {
  readonly mode = 'in-process' as const;
  private readonly agents: ReadonlyMap<string, AgentClient>;

  constructor(agents: ReadonlyMap<string, AgentClient>) {
    this.agents = agents;
  }

  ping(from: ProvisionedWorkload, to: string, count: number): Promise<PingResult> {
    return this.agents.get(from.agent)!.ping(from.vmiUuid, to, count);
  }

  tcp(from: ProvisionedWorkload, to: string, port: number, bytes: number): Promise<TcpResult> {
    return this.agents.get(from.agent)!.tcp(from.vmiUuid, to, port, bytes);
  }
}
