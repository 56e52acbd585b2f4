// draft-walton-bgp-hostname-capability 3: FQDN capability (code 73), as sent by FRR and GoBGP.
//
//  +--------------------------------+
//  | Hostname Length (1 octet)      |
//  | Hostname (variable, UTF-8)     |
//  | Domain Name Length (1 octet)   |
//  | Domain Name (variable, UTF-8)  |
//  +--------------------------------+
import { EncodeError } from '../errors.js';
import type { Writer } from '../wire.js';
import { capabilityError } from './error.js';

export interface FqdnCapability {
  type: 'fqdn';
  hostname: string;
  domain: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

export function decodeFqdn(buf: Uint8Array, o: number, len: number): FqdnCapability {
  const end = o + len;
  if (len < 1) throw capabilityError('fqdn', o, 'empty value');
  const hl = buf[o]!;
  if (o + 1 + hl + 1 > end) throw capabilityError('fqdn', o, `hostname length ${hl} overruns the capability`);
  const hostname = utf8.decode(buf.subarray(o + 1, o + 1 + hl));
  const dp = o + 1 + hl;
  const dl = buf[dp]!;
  if (dp + 1 + dl !== end)
    throw capabilityError('fqdn', dp, `domain length ${dl} does not end the capability`);
  return { type: 'fqdn', hostname, domain: utf8.decode(buf.subarray(dp + 1, end)) };
}

export function encodeFqdn(c: FqdnCapability, w: Writer): void {
  const h = enc.encode(c.hostname);
  const d = enc.encode(c.domain);
  if (h.length > 255 || d.length > 255)
    throw new EncodeError('capability:fqdn', 'hostname', -1, 'longer than 255 bytes');
  w.u8(h.length).bytes(h).u8(d.length).bytes(d);
}
