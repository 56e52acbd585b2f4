// A small pcap writer for tests: each payload in one TCP segment (Ethernet / IPv4 / TCP) between two
// fixed endpoints, with consecutive sequence numbers so dissectors see one clean stream. Checksums are
// left zero (tshark does not verify them by default).
import { writeFileSync } from 'node:fs';

export interface TcpStream {
  srcPort?: number;
  dstPort?: number;
}

export function pcapOfTcpPayloads(payloads: readonly Uint8Array[], opts: TcpStream = {}): Uint8Array {
  const srcPort = opts.srcPort ?? 40000;
  const dstPort = opts.dstPort ?? 179;
  const parts: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 262144, true);
  gh.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  parts.push(new Uint8Array(gh.buffer));
  let seq = 1;
  payloads.forEach((p, i) => {
    const frame = new Uint8Array(14 + 20 + 20 + p.length);
    const dv = new DataView(frame.buffer);
    frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
    dv.setUint16(12, 0x0800);
    const ip = 14;
    frame[ip] = 0x45;
    dv.setUint16(ip + 2, 40 + p.length);
    dv.setUint16(ip + 4, i + 1);
    frame[ip + 8] = 64;
    frame[ip + 9] = 6;
    frame.set([127, 0, 0, 1], ip + 12);
    frame.set([127, 0, 0, 2], ip + 16);
    const tcp = ip + 20;
    dv.setUint16(tcp, srcPort);
    dv.setUint16(tcp + 2, dstPort);
    dv.setUint32(tcp + 4, seq);
    dv.setUint32(tcp + 8, 1);
    frame[tcp + 12] = 5 << 4;
    frame[tcp + 13] = 0x18; // PSH, ACK
    dv.setUint16(tcp + 14, 65535);
    frame.set(p, tcp + 20);
    seq += p.length;
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, 1_700_000_000 + i, true);
    rh.setUint32(8, frame.length, true);
    rh.setUint32(12, frame.length, true);
    parts.push(new Uint8Array(rh.buffer), frame);
  });
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

export function writePcap(file: string, payloads: readonly Uint8Array[], opts: TcpStream = {}): void {
  writeFileSync(file, pcapOfTcpPayloads(payloads, opts));
}
