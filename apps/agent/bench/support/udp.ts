// UDP sockets for the underlay benchmark's processes. Every socket resolves its destination with a
// synchronous lookup: the default (dns.lookup) answers even an IP literal on the next tick, which would
// put a closure and a tick on every datagram and make a blast loop queue everything until it yields.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

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

function procKey(peer: UdpPeer): string {
  // /proc/net/udp writes the address as the 32-bit word in host order, in hex, then the port.
  const [a, b, c, d] = peer.address.split('.').map(Number) as [number, number, number, number];
  const word = endianness() === 'LE' ? [d, c, b, a] : [a, b, c, d];
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  return `${word.map((x) => hex(x, 2)).join('')}:${hex(peer.port, 4)}`;
}

/** Datagrams the kernel dropped for the sockets bound at `peers` (receive queue full), from /proc/net/udp. */
export function socketDrops(peers: readonly UdpPeer[]): number {
  let text: string;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return 0;
  }
  const keys = new Set(peers.map(procKey));
  let drops = 0;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length > 12 && keys.has(cols[1]!)) drops += Number(cols[cols.length - 1]);
  }
  return drops;
}
