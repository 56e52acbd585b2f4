// RFC 4724 3: Graceful Restart capability (code 64); RFC 8538 3 adds the N (notification) bit.
//
//  0                   1
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |R|N|   |    Restart Time (s)   |   R restart state, N graceful notification (RFC 8538)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      AFI      |     SAFI      |   repeated per family
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |F|  Reserved   |                   F forwarding state preserved
//  +-+-+-+-+-+-+-+-+
import { checkUint, u16, type Writer } from '../wire.js';
import { capabilityError, expectMultiple } from './error.js';

export interface GracefulRestartFamily {
  afi: number;
  safi: number;
  forwardingPreserved: boolean;
}

export interface GracefulRestartCapability {
  type: 'graceful-restart';
  restartState: boolean;
  notification: boolean;
  restartTime: number;
  families: GracefulRestartFamily[];
}

export function decodeGracefulRestart(buf: Uint8Array, o: number, len: number): GracefulRestartCapability {
  if (len < 2) throw capabilityError('graceful-restart', o, `length ${len} < 2`);
  expectMultiple('graceful-restart', o, len - 2, 4);
  const head = u16(buf, o);
  const families: GracefulRestartFamily[] = [];
  for (let p = o + 2; p < o + len; p += 4) {
    families.push({ afi: u16(buf, p), safi: buf[p + 2]!, forwardingPreserved: (buf[p + 3]! & 0x80) !== 0 });
  }
  return {
    type: 'graceful-restart',
    restartState: (head & 0x8000) !== 0,
    notification: (head & 0x4000) !== 0,
    restartTime: head & 0x0fff,
    families,
  };
}

export function encodeGracefulRestart(c: GracefulRestartCapability, w: Writer): void {
  checkUint('capability:graceful-restart', 'restartTime', c.restartTime, 0x0fff);
  w.u16((c.restartState ? 0x8000 : 0) | (c.notification ? 0x4000 : 0) | c.restartTime);
  for (const f of c.families) {
    checkUint('capability:graceful-restart', 'afi', f.afi, 0xffff);
    checkUint('capability:graceful-restart', 'safi', f.safi, 0xff);
    w.u16(f.afi)
      .u8(f.safi)
      .u8(f.forwardingPreserved ? 0x80 : 0);
  }
}
