// The messages between the underlay benchmark (bench/underlay.ts) and its child processes (child.ts).
import type { UdpPeer } from './udp.js';

/** What every role reports when asked: a counter and the process's CPU time, both since it started. */
export interface Snapshot {
  /** Packets the role handled (sent, received, forwarded or delivered, per role). */
  packets: number;
  /** Second counter where a role has one (an agent's underlay transmit count; a forwarder's receive count). */
  other: number;
  drops: number;
  /** Datagrams the kernel dropped at the role's receiving sockets (receive queue full). */
  socketDrops: number;
  /** Role-specific counters: an agent's tunnel packets by encapsulation and flow hits/misses; a sink's bad frames. */
  detail: Record<string, number>;
  cpuUs: number;
  wallUs: number;
}

export type RoleConfig =
  /**
   * Counts datagrams; with `expect` (frames as the agents should deliver them, one per UDP source port), a
   * datagram that is none of them is counted bad.
   */
  | { role: 'sink'; bind: string; expect?: number[][] }
  | { role: 'echo'; bind: string }
  | { role: 'blast'; bind: string; frames: number[][] }
  | { role: 'forward'; bind: string; to: UdpPeer }
  /**
   * A bare two-way forwarder: datagrams on its workload side go out of its network side to `network` (else
   * to whoever last sent to the network side) and back, to `workload` (else whoever last sent there).
   */
  | { role: 'relay'; bind: string; workload?: UdpPeer; network?: UdpPeer }
  | { role: 'ping'; bind: string; frame: number[]; count: number; warmup: number }
  | {
      role: 'agent';
      name: string;
      underlay: string;
      vxlanPort: number;
      mplsPort: number;
      /** Receive buffer of the agent's VXLAN and MPLS sockets (the underlay's default when absent). */
      receiveBufferBytes?: number;
      /** The local port's workload: MAC, IPv4 address, and the UDP socket frames are delivered to. */
      mac: string;
      ip: string;
      workload: UdpPeer;
    };

/** Sent to an agent once the other agent is up: where its workload lives. */
export interface RemotePort {
  underlay: string;
  mac: string;
  ip: string;
  label: number;
}

export type ParentMessage =
  | { op: 'start'; config: RoleConfig }
  | { op: 'remote'; remote: RemotePort }
  | { op: 'snap'; id: number }
  /** Starts a blaster or a ping client toward `to`. */
  | { op: 'go'; to: UdpPeer }
  | { op: 'stop' };

export type ChildMessage =
  | { op: 'ready'; address: UdpPeer; label?: number; network?: UdpPeer }
  | { op: 'snap'; id: number; snap: Snapshot }
  | { op: 'done'; rttNs?: number[] }
  | { op: 'error'; message: string };
