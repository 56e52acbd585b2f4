// What the lab builds: one project, two virtual networks, two agents (compute nodes) and four workloads
// spread over both, and a network policy that lets vn-red reach vn-blue on one TCP port only. Plain data,
// so the provisioning, the checks and the summary all read the same description.
import { createHash } from 'node:crypto';

export interface AgentSpec {
  /** The agent's name = its virtual-router's name. */
  name: string;
  /** Underlay address (a loopback address, or a veth address in namespace mode). */
  underlay: string;
}

export interface NetworkSpec {
  name: string;
  subnet: string;
  prefixLen: number;
  vni: number;
}

export interface WorkloadSpec {
  name: string;
  network: string;
  agent: string;
}

export interface Topology {
  domain: string;
  project: string;
  ipam: string;
  agents: AgentSpec[];
  networks: NetworkSpec[];
  workloads: WorkloadSpec[];
  policy: { name: string; from: string; to: string; tcpPort: number };
  /** A TCP port every workload listens on that the policy does not open between the networks. */
  closedPort: number;
}

export function labTopology(underlays: [string, string]): Topology {
  return {
    domain: 'default-domain',
    project: 'lab',
    ipam: 'lab-ipam',
    agents: [
      { name: 'compute-1', underlay: underlays[0] },
      { name: 'compute-2', underlay: underlays[1] },
    ],
    networks: [
      { name: 'vn-red', subnet: '10.10.1.0', prefixLen: 24, vni: 10101 },
      { name: 'vn-blue', subnet: '10.10.2.0', prefixLen: 24, vni: 10102 },
    ],
    workloads: [
      { name: 'red-1', network: 'vn-red', agent: 'compute-1' },
      { name: 'red-2', network: 'vn-red', agent: 'compute-2' },
      { name: 'blue-1', network: 'vn-blue', agent: 'compute-1' },
      { name: 'blue-2', network: 'vn-blue', agent: 'compute-2' },
    ],
    policy: { name: 'red-to-blue-8080', from: 'vn-red', to: 'vn-blue', tcpPort: 8080 },
    closedPort: 9090,
  };
}

/** The fq_name of a project-level object. */
export const projectFq = (t: Topology, name: string): string[] => [t.domain, t.project, name];

/** The routing instance (VRF) name of a network: `<domain>:<project>:<vn>:<vn>` (contract B). */
export const vrfName = (t: Topology, network: string): string =>
  [t.domain, t.project, network, network].join(':');

/**
 * A stable uuid for a workload's virtual-machine (its fq_name is its uuid, as in Tungsten Fabric), so a
 * second run on the same state directory finds the objects of the first one.
 */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(`filament-lab:${seed}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5 (name-based, SHA-1)
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
