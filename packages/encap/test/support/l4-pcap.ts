// Minimal frame builders and a classic pcap writer for the L4/tunnel/DHCP tests, so they do not depend on the
// L2/L3 codecs or the library's pcap writer: Ethernet II, IPv4 (header checksum computed) and IPv6 by hand.
import { writeFileSync } from 'node:fs';
import { internetChecksum, parseIPv4, parseIPv6 } from '../../src/index.js';

export function macBytes(text: string): number[] {
  return text.split(':').map((h) => Number.parseInt(h, 16));
}

export function ethernet(dst: string, src: string, etherType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + payload.length);
  out.set(macBytes(dst), 0);
  out.set(macBytes(src), 6);
  out[12] = etherType >>> 8;
  out[13] = etherType & 0xff;
  out.set(payload, 14);
  return out;
}

export function ipv4(
  src: string,
  dst: string,
  protocol: number,
  payload: Uint8Array,
  id = 1,
  ttl = 64,
): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const total = out.length;
  out.set([0x45, 0, total >>> 8, total & 0xff, id >>> 8, id & 0xff, 0x40, 0, ttl, protocol, 0, 0], 0);
  out.set(parseIPv4(src), 12);
  out.set(parseIPv4(dst), 16);
  const c = internetChecksum(out, 0, 20);
  out[10] = c >>> 8;
  out[11] = c & 0xff;
  out.set(payload, 20);
  return out;
}

export function ipv6(
  src: string,
  dst: string,
  nextHeader: number,
  payload: Uint8Array,
  hopLimit = 64,
): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  out.set([0x60, 0, 0, 0, payload.length >>> 8, payload.length & 0xff, nextHeader, hopLimit], 0);
  out.set(parseIPv6(src), 8);
  out.set(parseIPv6(dst), 24);
  out.set(payload, 40);
  return out;
}

/** Concatenates byte arrays. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes a classic little-endian pcap (microsecond timestamps); linktype 1 is Ethernet, 101 raw IP. */
export function writePcap(path: string, frames: Uint8Array[], linktype = 1): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(linktype, 20);
  const records = frames.map((f, i) => {
    const r = Buffer.alloc(16 + f.length);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    r.set(f, 16);
    return r;
  });
  writeFileSync(path, Buffer.concat([header, ...records]));
}
