// Frames for capture tests: TCP over IPv4 over Ethernet, with the checksums @filament/encap computes.
import { ethernet, ipv4Packet, tcp } from '@filament/encap';

/** A TCP/IPv4/Ethernet frame carrying `payload` from a:ap to b:bp at sequence `seq` (SYN when `syn`). */
export function tcpFrame(
  a: string,
  ap: number,
  b: string,
  bp: number,
  seq: number,
  payload: Uint8Array,
  syn = false,
) {
  const flags = {
    cwr: false,
    ece: false,
    urg: false,
    ack: !syn,
    psh: payload.length > 0,
    rst: false,
    syn,
    fin: false,
  };
  const seg = tcp.encode(
    { srcPort: ap, dstPort: bp, seq, ack: syn ? 0 : 1, flags, window: 65535, urgentPointer: 0, options: [] },
    undefined,
    0,
    { pseudo: { src: a, dst: b }, payload },
  );
  const ip = ipv4Packet(
    {
      dscp: 0,
      ecn: 0,
      identification: 0,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol: 6,
      src: a,
      dst: b,
      options: new Uint8Array(0),
    },
    seg,
  );
  const frame = new Uint8Array(14 + ip.length);
  ethernet.encode({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x0800 }, frame, 0);
  frame.set(ip, 14);
  return frame;
}
