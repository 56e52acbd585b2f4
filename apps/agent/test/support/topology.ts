// The config objects of a control test's topology in one call: the global config, a virtual-router per
// agent, the virtual networks and the workloads, in the order the tests push them (objects the workloads
// refer to before them, objects that refer to the workloads after them).

import {
  baseConfig,
  network,
  type TfObject,
  virtualRouter,
  type WorkloadConfig,
  workloadConfig,
} from '../control-sim.js';

export interface NetworkSpec {
  n: number;
  name: string;
  subnet: string;
  vni: number;
}

export interface TopologySpec {
  /** Encapsulation priorities (default MPLSoUDP, VXLAN). */
  encapsulations?: string[];
  /** One virtual-router per agent: name and underlay address. */
  routers: [name: string, underlay: string][];
  networks: NetworkSpec[];
  /** Objects the workloads refer to (policies, floating-IP pools), pushed before the workloads. */
  before?: [string, TfObject][];
  workloads: WorkloadConfig[];
  /** Objects that refer to the workloads (floating IPs), pushed after them. */
  after?: [string, TfObject][];
}

export function topologyObjects(t: TopologySpec): [string, TfObject][] {
  return [
    ...baseConfig(t.encapsulations),
    ...t.routers.map(([name, underlay]) => virtualRouter(name, underlay)),
    ...t.networks.map((v) => network(v.n, v.name, v.subnet, v.vni)),
    ...(t.before ?? []),
    ...t.workloads.flatMap((w) => workloadConfig(w)),
    ...(t.after ?? []),
  ];
}
