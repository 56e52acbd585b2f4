// RFC 7911 4: ADD-PATH capability (code 69), one 4-byte tuple per family.
//
//  +------------------------------------------------+
//  | Address Family Identifier (2 octets)           |
//  | Subsequent Address Family Identifier (1 octet) |
//  | Send/Receive (1 octet)  1 receive, 2 send, 3 both
//  +------------------------------------------------+

import { checkUint, u16, type Writer } from '../wire.js';
import { capabilityError, expectMultiple } from './error.js';

export type AddPathMode = 'receive' | 'send' | 'both';

export interface AddPathFamily {
  afi: number;
  safi: number;
  mode: AddPathMode;
}

export interface AddPathCapability {
  type: 'add-path';
  families: AddPathFamily[];
}

const modes: readonly AddPathMode[] = ['receive', 'send', 'both'];

export function decodeAddPath(buf: Uint8Array, o: number, len: number): AddPathCapability {
  expectMultiple('add-path', o, len, 4);
  const families: AddPathFamily[] = [];
  for (let p = o; p < o + len; p += 4) {
    const m = buf[p + 3]!;
    const mode = modes[m - 1];
    if (!mode) throw capabilityError('add-path', p + 3, `send/receive value ${m} is not 1, 2 or 3`);
    families.push({ afi: u16(buf, p), safi: buf[p + 2]!, mode });
  }
  return { type: 'add-path', families };
}

export function encodeAddPath(c: AddPathCapability, w: Writer): void {
  for (const f of c.families) {
    checkUint('capability:add-path', 'afi', f.afi, 0xffff);
    checkUint('capability:add-path', 'safi', f.safi, 0xff);
    w.u16(f.afi)
      .u8(f.safi)
      .u8(modes.indexOf(f.mode) + 1);
  }
}
