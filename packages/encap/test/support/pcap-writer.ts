// A minimal classic pcap writer (libpcap format, microsecond timestamps, LINKTYPE_ETHERNET = 1) for the
// layer-2/3 tshark tests, until they switch to the library's own pcap writer.
import { writeFileSync } from 'node:fs';

/** Writes `frames` (Ethernet frames) to `path` as a pcap file, one second apart. */
export function writePcap(path: string, frames: Uint8Array[]): void {
  let size = 24;
  for (const f of frames) size += 16 + f.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true); // magic, little-endian file
  dv.setUint16(4, 2, true); // version 2.4
  dv.setUint16(6, 4, true);
  dv.setInt32(8, 0, true); // thiszone
  dv.setUint32(12, 0, true); // sigfigs
  dv.setUint32(16, 65535, true); // snaplen
  dv.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  let at = 24;
  frames.forEach((f, i) => {
    dv.setUint32(at, 1_700_000_000 + i, true);
    dv.setUint32(at + 4, 0, true);
    dv.setUint32(at + 8, f.length, true); // captured length
    dv.setUint32(at + 12, f.length, true); // original length
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  writeFileSync(path, out);
}
