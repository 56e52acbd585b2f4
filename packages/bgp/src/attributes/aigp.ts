// RFC 7311 3: Accumulated IGP Metric, AIGP (type 26, optional non-transitive), a list of TLVs whose
// length includes the 3-octet TLV header. TLV type 1 is the AIGP TLV with an 8-octet metric; other TLV
// types are kept as bytes. A malformed AIGP attribute (TLV overrun, AIGP TLV length not 11) is handled as
// treat-as-withdraw: it changes route selection, which RFC 7606 8 pairs with that approach.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |         Length                |               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               |
//  ~                              Value (metric, 8 octets)          ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { EncodeError } from '../errors.js';
import { checkUint, u16, u32, type Writer } from '../wire.js';
import { attrError, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';

export type AigpTlv = { tlvType: 1; metric: bigint } | { tlvType: number; value: Uint8Array };

export interface AigpAttr {
  type: 'AIGP';
  flags?: number;
  tlvs: AigpTlv[];
}

export function decodeAigp(buf: Uint8Array, o: number, len: number): AigpAttr {
  const end = o + len;
  const tlvs: AigpTlv[] = [];
  let p = o;
  while (p < end) {
    if (p + 3 > end)
      throw attrError(
        'AIGP',
        p,
        'TLV header overruns the attribute',
        'treat-as-withdraw',
        OPTIONAL_ATTRIBUTE_ERROR,
      );
    const t = buf[p]!;
    const l = u16(buf, p + 1);
    if (l < 3 || p + l > end) {
      throw attrError(
        'AIGP',
        p + 1,
        `TLV length ${l} invalid or overruns the attribute`,
        'treat-as-withdraw',
        OPTIONAL_ATTRIBUTE_ERROR,
      );
    }
    if (t === 1) {
      if (l !== 11)
        throw attrError(
          'AIGP',
          p + 1,
          `AIGP TLV length ${l}, expected 11`,
          'treat-as-withdraw',
          OPTIONAL_ATTRIBUTE_ERROR,
        );
      tlvs.push({ tlvType: 1, metric: (BigInt(u32(buf, p + 3)) << 32n) | BigInt(u32(buf, p + 7)) });
    } else {
      tlvs.push({ tlvType: t, value: buf.slice(p + 3, p + l) });
    }
    p += l;
  }
  return { type: 'AIGP', tlvs };
}

export function encodeAigp(a: AigpAttr, w: Writer): void {
  for (const t of a.tlvs) {
    checkUint('attribute:AIGP', 'tlvType', t.tlvType, 0xff);
    if ('metric' in t) {
      if (t.metric < 0n || t.metric > 0xffffffffffffffffn)
        throw new EncodeError('attribute:AIGP', 'metric', -1, 'outside 64 bits');
      w.u8(1).u16(11).u64(t.metric);
    } else {
      if (t.value.length + 3 > 0xffff) throw new EncodeError('attribute:AIGP', 'value', -1, 'TLV too long');
      w.u8(t.tlvType)
        .u16(t.value.length + 3)
        .bytes(t.value);
    }
  }
}

/** The metric of the AIGP TLV, if present. */
export function aigpMetric(a: AigpAttr): bigint | undefined {
  for (const t of a.tlvs) if ('metric' in t) return t.metric;
  return undefined;
}
