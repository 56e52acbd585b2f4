// A client of one agent: its port API (contract D, like Tungsten Fabric's vrouter-port-control REST: add and
// delete ports, and for in-process workloads ping and TCP driven from the workload) and its introspect
// endpoint (interfaces, VRFs, routes, flows, Prometheus metrics).
import { AgentRequestError } from './errors.js';
import { httpRequest, parseJson } from './http.js';
import { type MetricSample, parsePrometheus } from './prometheus.js';

/** The body of `POST /port` (TF's port-control fields plus Filament's workload extension). */
export interface PortRequest {
  id: string;
  'instance-id': string;
  'display-name': string;
  'ip-address': string;
  'ip6-address'?: string;
  'vn-id': string;
  'vm-project-id': string;
  'mac-address': string;
  'system-name': string;
  type: 0;
  'rx-vlan-id': -1;
  'tx-vlan-id': -1;
  workload: { kind: 'tap' } | { kind: 'in-process' };
  /** TCP ports the in-process workload's sink/echo listens on. */
  listen?: number[];
}

export interface PingResult {
  sent: number;
  received: number;
  rttMs: number[];
}

export interface TcpResult {
  ok: boolean;
  bytes: number;
  sha256?: string;
  error?: string;
}

export interface RouteView {
  vrf: string;
  routes: { prefix: string; nextHop?: Record<string, unknown> }[];
  macs?: { mac: string; nextHop?: Record<string, unknown> }[];
}

export class AgentClient {
  readonly name: string;
  readonly portApiUrl: string;
  readonly introspectUrl: string;

  constructor(name: string, portApi: string, introspect: string) {
    this.name = name;
    this.portApiUrl = `http://${portApi}`;
    this.introspectUrl = `http://${introspect}`;
  }

  private async call(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<unknown> {
    const url = `${base}${path}`;
    const a = await httpRequest(method, url, {
      ...(body !== undefined ? { body } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    if (a.status >= 400) throw new AgentRequestError(this.name, method, url, a.status, a.text);
    return parseJson(a.text);
  }

  // ---------------------------------------------------------------- port API

  async addPort(port: PortRequest): Promise<unknown> {
    return this.call(this.portApiUrl, 'POST', '/port', port);
  }

  async deletePort(vmiUuid: string): Promise<void> {
    await this.call(this.portApiUrl, 'DELETE', `/port/${vmiUuid}`);
  }

  async listPorts(): Promise<unknown[]> {
    const r = await this.call(this.portApiUrl, 'GET', '/ports');
    return Array.isArray(r) ? r : ((r as { ports?: unknown[] }).ports ?? []);
  }

  /** Pings `to` from the in-process workload of port `vmiUuid`. */
  async ping(vmiUuid: string, to: string, count: number): Promise<PingResult> {
    return (await this.call(
      this.portApiUrl,
      'POST',
      `/port/${vmiUuid}/ping`,
      { to, count },
      10_000 + count * 2000,
    )) as PingResult;
  }

  /** Sends `bytes` over TCP from the in-process workload of `vmiUuid` to `to`:`port`. */
  async tcp(vmiUuid: string, to: string, port: number, bytes: number): Promise<TcpResult> {
    return (await this.call(
      this.portApiUrl,
      'POST',
      `/port/${vmiUuid}/tcp`,
      { to, port, bytes },
      30_000,
    )) as TcpResult;
  }

  // ---------------------------------------------------------------- introspect

  async routes(vrf?: string): Promise<RouteView[]> {
    return (await this.call(
      this.introspectUrl,
      'GET',
      `/routes${vrf ? `?vrf=${encodeURIComponent(vrf)}` : ''}`,
    )) as RouteView[];
  }

  async flows(): Promise<Record<string, unknown>[]> {
    return (await this.call(this.introspectUrl, 'GET', '/flows')) as Record<string, unknown>[];
  }

  async interfaces(): Promise<Record<string, unknown>[]> {
    return (await this.call(this.introspectUrl, 'GET', '/interfaces')) as Record<string, unknown>[];
  }

  async vrfs(): Promise<Record<string, unknown>[]> {
    return (await this.call(this.introspectUrl, 'GET', '/vrfs')) as Record<string, unknown>[];
  }

  /** Any introspect view by path (e.g. '/' or '/controllers'), parsed as JSON. */
  async view(path: string): Promise<unknown> {
    return this.call(this.introspectUrl, 'GET', path);
  }

  async metrics(): Promise<MetricSample[]> {
    const url = `${this.introspectUrl}/metrics`;
    const a = await httpRequest('GET', url);
    if (a.status >= 400) throw new AgentRequestError(this.name, 'GET', url, a.status, a.text);
    return parsePrometheus(a.text);
  }
}
