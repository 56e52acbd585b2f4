// RFC 9494 3: Long-Lived Graceful Restart capability (code 71), one 7-byte tuple per family.
//
//  +--------------------------------------------------+
//  | Address Family Identifier (16 bits)              |
//  | Subsequent Address Family Identifier (8 bits)    |
//  | Flags for Address Family (8 bits)  F = 0x80      |
//  | Long-lived Stale Time (24 bits, seconds)         |
//  +--------------------------------------------------+
import { checkUint, u16, u24, type Writer } from '../wire.js';
import { expectMultiple } from './error.js';

export interface LlgrFamily {
  afi: number;
  safi: number;
  forwardingPreserved: boolean;
  staleTime: number;
}

export interface LongLivedGracefulRestartCapability {
  type: 'long-lived-graceful-restart';
  families: LlgrFamily[];
}

export function decodeLongLivedGracefulRestart(
  buf: Uint8Array,
  o: number,
  len: number,
): LongLivedGracefulRestartCapability {
  expectMultiple('long-lived-graceful-restart', o, len, 7);
  const families: LlgrFamily[] = [];
  for (let p = o; p < o + len; p += 7) {
    families.push({
      afi: u16(buf, p),
      safi: buf[p + 2]!,
      forwardingPreserved: (buf[p + 3]! & 0x80) !== 0,
      staleTime: u24(buf, p + 4),
    });
  }
  return { type: 'long-lived-graceful-restart', families };
}

export function encodeLongLivedGracefulRestart(c: LongLivedGracefulRestartCapability, w: Writer): void {
  for (const f of c.families) {
    checkUint('capability:llgr', 'afi', f.afi, 0xffff);
    checkUint('capability:llgr', 'safi', f.safi, 0xff);
    checkUint('capability:llgr', 'staleTime', f.staleTime, 0xffffff);
    w.u16(f.afi)
      .u8(f.safi)
      .u8(f.forwardingPreserved ? 0x80 : 0)
      .u24(f.staleTime);
  }
}
