// UDP sockets for the underlay benchmark's processes. Every socket resolves its destination with a
// synchronous lookup: the default (dns.lookup) answers even an IP literal on the next tick, which would
// put a closure and a tick on every datagram and make a blast loop queue everything until it yields.
import { createSocket, type Socket } from 'node:dgram';

const literal = (
  address: string,
  _family: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void => callback(null, address, 4);

/** A bound UDP socket (port 0 = any) with a large receive buffer. */
export function bindUdp(address: string, port = 0): Promise<Socket> {
  const sock = createSocket({ type: 'udp4', lookup: literal as never, recvBufferSize: 4 << 20 });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}

export function closeUdp(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** Where a socket sends to. */
export interface UdpPeer {
  address: string;
  port: number;
}
