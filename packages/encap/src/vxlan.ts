// VXLAN header, RFC 7348 section 5 (UDP destination port 4789).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |R|R|R|R|I|R|R|R|            Reserved                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                VXLAN Network Identifier (VNI) |   Reserved    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The I flag must be 1 for a valid VNI; the other bits are sent as zero and ignored on receipt, so they
// are kept (not rejected) for byte-exact round trips. An inner Ethernet frame follows.
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, need } from './errors.js';

const LAYER = 'vxlan';
export const VXLAN_HEADER_LENGTH = 8;
export const VXLAN_UDP_PORT = 4789;
/** The I flag: the VNI is valid. */
export const VXLAN_FLAG_I = 0x08;
export const VXLAN_VNI_MAX = 0xffffff;

export interface Vxlan {
  /** The flags byte; defaults to I set (0x08). */
  flags?: number;
  /** 24-bit VXLAN network identifier. */
  vni: number;
  /** The 24 reserved bits after the flags, kept. */
  reserved0?: number;
  /** The 8 reserved bits after the VNI, kept. */
  reserved1?: number;
}

function encodingLength(_value: Vxlan): number {
  return VXLAN_HEADER_LENGTH;
}

function encode(value: Vxlan, buf?: Uint8Array, offset = 0): Uint8Array {
  const flags = value.flags ?? VXLAN_FLAG_I;
  const r0 = value.reserved0 ?? 0;
  const r1 = value.reserved1 ?? 0;
  checkRange(LAYER, 'flags', flags, 0, 0xff);
  checkRange(LAYER, 'vni', value.vni, 0, VXLAN_VNI_MAX);
  checkRange(LAYER, 'reserved0', r0, 0, 0xffffff);
  checkRange(LAYER, 'reserved1', r1, 0, 0xff);
  const out = buf ?? new Uint8Array(VXLAN_HEADER_LENGTH);
  checkRange(LAYER, 'offset', offset, 0, out.length - VXLAN_HEADER_LENGTH);
  out[offset] = flags;
  out[offset + 1] = r0 >>> 16;
  out[offset + 2] = (r0 >>> 8) & 0xff;
  out[offset + 3] = r0 & 0xff;
  out[offset + 4] = value.vni >>> 16;
  out[offset + 5] = (value.vni >>> 8) & 0xff;
  out[offset + 6] = value.vni & 0xff;
  out[offset + 7] = r1;
  return out;
}

function decode(buf: Uint8Array, offset = 0): Decoded<Vxlan> {
  need(buf, offset, VXLAN_HEADER_LENGTH, LAYER, 'header');
  return {
    value: {
      flags: buf[offset]!,
      vni: (buf[offset + 4]! << 16) | (buf[offset + 5]! << 8) | buf[offset + 6]!,
      reserved0: (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!,
      reserved1: buf[offset + 7]!,
    },
    length: VXLAN_HEADER_LENGTH,
  };
}

/** VXLAN header codec. */
export const vxlan = { encodingLength, encode, decode } satisfies HeaderCodec<Vxlan>;
