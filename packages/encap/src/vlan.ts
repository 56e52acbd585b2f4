// IEEE 802.1Q VLAN tag and IEEE 802.1ad provider bridging (QinQ).
//
// A tag sits where the EtherType would be: a TPID (0x8100 C-TAG, 0x88a8 S-TAG) then the TCI, then the
// EtherType of what follows (another TPID when tags are stacked).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     TPID (0x8100 / 0x88a8)    | PCP |D|         VID           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     EtherType of the payload  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// `vlan` is the 4 bytes after the TPID (TCI + next EtherType), as tshark's `vlan` layer and gopacket's
// Dot1Q; the TPID belongs to the header before it. `taggedEthernet` is the whole Ethernet header with
// its stack of tags: it walks every TPID it meets, so QinQ decodes to two tags and the final EtherType.
import { formatMac, parseMac } from './address.js';
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need } from './errors.js';
import { ETHERNET } from './ethernet.js';
import { EtherType, isVlanTpid } from './ethertype.js';

/** One 802.1Q tag: the TCI fields and the EtherType that follows it. */
export interface VlanTag {
  /** Priority code point, 0..7 (IEEE 802.1p class of service). */
  pcp: number;
  /** Drop eligible indicator (was CFI). */
  dei: boolean;
  /** VLAN identifier, 0..4095 (0: priority tag only; 4095 reserved). */
  vid: number;
  /** EtherType after this tag. */
  etherType: number;
}

const LAYER = 'vlan';

function writeTci(buf: Uint8Array, at: number, pcp: number, dei: boolean, vid: number): void {
  checkRange(LAYER, 'pcp', pcp, 0, 7);
  checkRange(LAYER, 'vid', vid, 0, 4095);
  const tci = (pcp << 13) | (dei ? 0x1000 : 0) | vid;
  buf[at] = tci >> 8;
  buf[at + 1] = tci & 0xff;
}

export const vlan: HeaderCodec<VlanTag> = {
  encodingLength(): number {
    return 4;
  },

  encode(value: VlanTag, buf = new Uint8Array(4), offset = 0): Uint8Array {
    checkRange(LAYER, 'etherType', value.etherType, 0, 0xffff);
    need(buf, offset, 4, LAYER, 'buffer');
    writeTci(buf, offset, value.pcp, value.dei, value.vid);
    buf[offset + 2] = value.etherType >> 8;
    buf[offset + 3] = value.etherType & 0xff;
    return buf;
  },

  decode(buf: Uint8Array, offset = 0): Decoded<VlanTag> {
    need(buf, offset, 4, LAYER, 'tci');
    const tci = (buf[offset]! << 8) | buf[offset + 1]!;
    return {
      value: {
        pcp: tci >> 13,
        dei: (tci & 0x1000) !== 0,
        vid: tci & 0x0fff,
        etherType: (buf[offset + 2]! << 8) | buf[offset + 3]!,
      },
      length: 4,
    };
  },
};

/** A tag within an Ethernet header: its TPID and TCI fields. */
export interface StackedVlanTag {
  /** 0x88a8 (S-TAG) outermost in QinQ, 0x8100 (C-TAG) innermost; 0x9100 also accepted. */
  tpid: number;
  pcp: number;
  dei: boolean;
  vid: number;
}

/** An Ethernet header with its VLAN tags, outermost first, and the EtherType after the last tag. */
export interface TaggedEthernetHeader {
  dst: string;
  src: string;
  tags: StackedVlanTag[];
  /** EtherType of the payload after all tags (never a TPID: a TPID would be another tag). */
  etherType: number;
}

/** The Ethernet header together with its 802.1Q / 802.1ad tag stack. */
export const taggedEthernet: HeaderCodec<TaggedEthernetHeader> = {
  encodingLength(value: TaggedEthernetHeader): number {
    return ETHERNET.length + 4 * value.tags.length;
  },

  encode(value: TaggedEthernetHeader, buf?: Uint8Array, offset = 0): Uint8Array {
    const len = ETHERNET.length + 4 * value.tags.length;
    const out = buf ?? new Uint8Array(len);
    checkRange(LAYER, 'etherType', value.etherType, 0, 0xffff);
    // A TPID as the final type would decode as one more tag, so encode and decode would disagree.
    if (isVlanTpid(value.etherType)) {
      throw new InvalidFieldError(
        LAYER,
        'etherType',
        -1,
        value.etherType,
        'a TPID cannot be the payload type',
      );
    }
    need(out, offset, len, LAYER, 'buffer');
    parseMac(value.dst, out, offset + ETHERNET.dst);
    parseMac(value.src, out, offset + ETHERNET.src);
    let at = offset + ETHERNET.etherType;
    for (const [i, t] of value.tags.entries()) {
      if (!isVlanTpid(t.tpid))
        throw new InvalidFieldError(LAYER, `tags[${i}].tpid`, -1, t.tpid, 'not a VLAN TPID');
      out[at] = t.tpid >> 8;
      out[at + 1] = t.tpid & 0xff;
      writeTci(out, at + 2, t.pcp, t.dei, t.vid);
      at += 4;
    }
    out[at] = value.etherType >> 8;
    out[at + 1] = value.etherType & 0xff;
    return out;
  },

  decode(buf: Uint8Array, offset = 0): Decoded<TaggedEthernetHeader> {
    need(buf, offset, ETHERNET.length, 'ethernet', 'header');
    const tags: StackedVlanTag[] = [];
    let at = offset + ETHERNET.etherType;
    let type = (buf[at]! << 8) | buf[at + 1]!;
    // Each tag consumes 4 bytes of a finite buffer, so the walk ends.
    while (isVlanTpid(type)) {
      need(buf, at + 2, 4, LAYER, 'tci');
      const tci = (buf[at + 2]! << 8) | buf[at + 3]!;
      tags.push({ tpid: type, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff });
      at += 4;
      type = (buf[at]! << 8) | buf[at + 1]!;
    }
    return {
      value: {
        dst: formatMac(buf, offset + ETHERNET.dst),
        src: formatMac(buf, offset + ETHERNET.src),
        tags,
        etherType: type,
      },
      length: at + 2 - offset,
    };
  },
};

/** The common QinQ shape: an S-TAG (0x88a8) outside a C-TAG (0x8100). */
export function qinqTags(
  outer: Omit<StackedVlanTag, 'tpid'>,
  inner: Omit<StackedVlanTag, 'tpid'>,
): StackedVlanTag[] {
  return [
    { tpid: EtherType.QinQ, ...outer },
    { tpid: EtherType.VLAN, ...inner },
  ];
}
