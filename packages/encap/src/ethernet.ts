// Ethernet II frame header (IEEE 802.3 clause 3.2 with the DIX EtherType interpretation, RFC 894).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                  Destination MAC address                      |
//  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                               |                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//  |                     Source MAC address                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          EtherType            |  payload ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The preamble and FCS are not part of what captures and this codec carry. A VLAN TPID in EtherType
// (0x8100, 0x88a8) means a tag follows: see vlan.ts.
import { formatMac, parseMac } from './address.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, need } from './errors.js';

export interface EthernetHeader {
  /** Destination MAC, `02:00:00:00:00:01` text. */
  dst: string;
  /** Source MAC. */
  src: string;
  /** EtherType of the payload (or a TPID when a VLAN tag follows; below 0x0600 an 802.3 length). */
  etherType: number;
}

const LAYER = 'ethernet';
/** Field offsets within the header. */
export const ETHERNET = { dst: 0, src: 6, etherType: 12, length: 14 } as const;

export const ethernet: HeaderCodec<EthernetHeader> = {
  encodingLength(): number {
    return ETHERNET.length;
  },

  encode(value: EthernetHeader, buf = new Uint8Array(ETHERNET.length), offset = 0): Uint8Array {
    checkRange(LAYER, 'etherType', value.etherType, 0, 0xffff);
    need(buf, offset, ETHERNET.length, LAYER, 'buffer');
    parseMac(value.dst, buf, offset + ETHERNET.dst);
    parseMac(value.src, buf, offset + ETHERNET.src);
    buf[offset + ETHERNET.etherType] = value.etherType >> 8;
    buf[offset + ETHERNET.etherType + 1] = value.etherType & 0xff;
    return buf;
  },

  decode(buf: Uint8Array, offset = 0): Decoded<EthernetHeader> {
    need(buf, offset, ETHERNET.length, LAYER, 'header');
    return {
      value: {
        dst: formatMac(buf, offset + ETHERNET.dst),
        src: formatMac(buf, offset + ETHERNET.src),
        etherType: (buf[offset + ETHERNET.etherType]! << 8) | buf[offset + ETHERNET.etherType + 1]!,
      },
      length: ETHERNET.length,
    };
  },
};
