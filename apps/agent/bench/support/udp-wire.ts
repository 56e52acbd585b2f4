// A port's "wire" for the underlay benchmark: the agent's port sends the frames it delivers as UDP
// datagrams to the workload's socket, and datagrams from the workload enter the port (fromPort). So an
// agent process does per packet what a bare forwarder does (one receive, one send) plus the data plane's
// work, and the two rates compare directly.
import type { Socket } from 'node:dgram';
import type { Agent, Port } from '../../src/index.js';
import { bindUdp, closeUdp, type UdpPeer } from './udp.js';

export class UdpWire {
  sendErrors = 0;
  private constructor(
    private readonly sock: Socket,
    private readonly peer: UdpPeer,
  ) {}

  static async open(address: string, peer: UdpPeer): Promise<UdpWire> {
    return new UdpWire(await bindUdp(address), peer);
  }

  get address(): UdpPeer {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  /** The port's deliver function: one datagram per frame to the workload. */
  readonly deliver = (buf: Uint8Array, off: number, len: number): void => {
    this.sock.send(buf, off, len, this.peer.port, this.peer.address);
  };

  /** Frames from the workload enter `port` of `agent`. */
  attach(agent: Agent, port: Port): void {
    const fw = agent.fw;
    const index = port.index;
    this.sock.on('message', (msg) => fw.fromPort(index, msg, 0, msg.length));
  }

  close(): Promise<void> {
    return closeUdp(this.sock);
  }
}
