// ARP, RFC 826 ("An Ethernet Address Resolution Protocol"), packet format section; hardware types
// and operation codes from the IANA "arp-parameters" registry.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |        Hardware type (ar$hrd)  |       Protocol type (ar$pro) |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | HW len (ar$hln)| Proto len (pln)|       Operation (ar$op)     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Sender hardware address (hln octets) ...                     |
//  |  Sender protocol address (pln octets) ...                     |
//  |  Target hardware address (hln octets) ...                     |
//  |  Target protocol address (pln octets) ...                     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Hardware addresses are colon-separated hex of hln octets (MAC text for Ethernet). Protocol addresses
// are dotted decimal for IPv4 (pro 0x0800, pln 4), colon-separated hex otherwise, so any ARP round-trips.
import { formatHexBytes, formatIPv4, hexBytesLength, parseHexBytes, parseIPv4 } from './address.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need } from './errors.js';
import { EtherType } from './ethertype.js';

export const ArpOperation = { Request: 1, Reply: 2, RarpRequest: 3, RarpReply: 4 } as const;
export const ArpHardwareType = { Ethernet: 1, IEEE802: 6 } as const;

export interface ArpPacket {
  hardwareType: number;
  protocolType: number;
  hardwareLength: number;
  protocolLength: number;
  operation: number;
  senderHardware: string;
  senderProtocol: string;
  targetHardware: string;
  targetProtocol: string;
}

const LAYER = 'arp';

function isIPv4(p: { protocolType: number; protocolLength: number }): boolean {
  return p.protocolType === EtherType.IPv4 && p.protocolLength === 4;
}

function writeHw(
  p: ArpPacket,
  field: 'senderHardware' | 'targetHardware',
  buf: Uint8Array,
  at: number,
): void {
  const text = p[field];
  if (hexBytesLength(text) !== p.hardwareLength) {
    throw new InvalidFieldError(
      LAYER,
      field,
      -1,
      text,
      `expected ${p.hardwareLength} octets (hardwareLength)`,
    );
  }
  parseHexBytes(field, text, p.hardwareLength, buf, at);
}

function writeProto(
  p: ArpPacket,
  field: 'senderProtocol' | 'targetProtocol',
  buf: Uint8Array,
  at: number,
): void {
  const text = p[field];
  if (isIPv4(p)) {
    parseIPv4(text, buf, at);
    return;
  }
  if (hexBytesLength(text) !== p.protocolLength) {
    throw new InvalidFieldError(
      LAYER,
      field,
      -1,
      text,
      `expected ${p.protocolLength} octets (protocolLength)`,
    );
  }
  parseHexBytes(field, text, p.protocolLength, buf, at);
}

export const arp: HeaderCodec<ArpPacket> = {
  encodingLength(value: ArpPacket): number {
    return 8 + 2 * (value.hardwareLength + value.protocolLength);
  },

  encode(value: ArpPacket, buf?: Uint8Array, offset = 0): Uint8Array {
    checkRange(LAYER, 'hardwareType', value.hardwareType, 0, 0xffff);
    checkRange(LAYER, 'protocolType', value.protocolType, 0, 0xffff);
    checkRange(LAYER, 'hardwareLength', value.hardwareLength, 0, 255);
    checkRange(LAYER, 'protocolLength', value.protocolLength, 0, 255);
    checkRange(LAYER, 'operation', value.operation, 0, 0xffff);
    const hl = value.hardwareLength;
    const pl = value.protocolLength;
    const len = 8 + 2 * (hl + pl);
    const out = buf ?? new Uint8Array(len);
    need(out, offset, len, LAYER, 'buffer');
    out[offset] = value.hardwareType >> 8;
    out[offset + 1] = value.hardwareType & 0xff;
    out[offset + 2] = value.protocolType >> 8;
    out[offset + 3] = value.protocolType & 0xff;
    out[offset + 4] = hl;
    out[offset + 5] = pl;
    out[offset + 6] = value.operation >> 8;
    out[offset + 7] = value.operation & 0xff;
    let at = offset + 8;
    writeHw(value, 'senderHardware', out, at);
    at += hl;
    writeProto(value, 'senderProtocol', out, at);
    at += pl;
    writeHw(value, 'targetHardware', out, at);
    at += hl;
    writeProto(value, 'targetProtocol', out, at);
    return out;
  },

  decode(buf: Uint8Array, offset = 0): Decoded<ArpPacket> {
    need(buf, offset, 8, LAYER, 'header');
    const hl = buf[offset + 4]!;
    const pl = buf[offset + 5]!;
    const len = 8 + 2 * (hl + pl);
    need(buf, offset + 8, len - 8, LAYER, 'addresses');
    const protocolType = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    const v4 = isIPv4({ protocolType, protocolLength: pl });
    const proto = (at: number): string => (v4 ? formatIPv4(buf, at) : formatHexBytes(buf, at, pl));
    const at = offset + 8;
    return {
      value: {
        hardwareType: (buf[offset]! << 8) | buf[offset + 1]!,
        protocolType,
        hardwareLength: hl,
        protocolLength: pl,
        operation: (buf[offset + 6]! << 8) | buf[offset + 7]!,
        senderHardware: formatHexBytes(buf, at, hl),
        senderProtocol: proto(at + hl),
        targetHardware: formatHexBytes(buf, at + hl + pl, hl),
        targetProtocol: proto(at + 2 * hl + pl),
      },
      length: len,
    };
  },
};

/** An Ethernet/IPv4 ARP packet (hardware type 1, protocol 0x0800, lengths 6 and 4). */
export function arpEthernetIPv4(
  operation: number,
  senderMac: string,
  senderIp: string,
  targetMac: string,
  targetIp: string,
): ArpPacket {
  return {
    hardwareType: ArpHardwareType.Ethernet,
    protocolType: EtherType.IPv4,
    hardwareLength: 6,
    protocolLength: 4,
    operation,
    senderHardware: senderMac,
    senderProtocol: senderIp,
    targetHardware: targetMac,
    targetProtocol: targetIp,
  };
}
