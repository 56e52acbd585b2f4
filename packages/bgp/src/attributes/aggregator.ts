// RFC 4271 5.1.7: AGGREGATOR (type 7, optional transitive): the aggregating speaker's AS (2 octets, or 4
// between 4-octet speakers, RFC 6793 4.1) and BGP identifier. RFC 6793 3: AS4_AGGREGATOR (type 18) always
// carries a 4-octet AS. RFC 7606 7.7 / RFC 6793 6: a wrong length is handled as attribute discard, and
// so is AS 0 (RFC 7607 2).
//
//  +-------+-------+(-------+-------+)-------+-------+-------+-------+
//  |   AS number (2 or 4 octets)   |      IPv4 address (4 octets)   |
//  +-------+-------+(-------+-------+)-------+-------+-------+-------+
import { checkUint, ipv4Text, u16, u32, type Writer, writeIpv4 } from '../wire.js';
import { attrError, LENGTH_ERROR } from './error.js';

export interface AggregatorAttr {
  type: 'AGGREGATOR';
  flags?: number;
  asn: number;
  address: string;
}

export interface As4AggregatorAttr {
  type: 'AS4_AGGREGATOR';
  flags?: number;
  asn: number;
  address: string;
}

export function decodeAggregator(
  buf: Uint8Array,
  o: number,
  len: number,
  fourOctet: boolean,
): AggregatorAttr {
  const want = fourOctet ? 8 : 6;
  if (len !== want)
    throw attrError('AGGREGATOR', o, `length ${len}, expected ${want}`, 'attribute-discard', LENGTH_ERROR);
  const asn = fourOctet ? u32(buf, o) : u16(buf, o);
  if (asn === 0) throw attrError('AGGREGATOR', o, 'AS number 0 (RFC 7607 2)', 'attribute-discard', 9);
  return { type: 'AGGREGATOR', asn, address: ipv4Text(buf, o + (fourOctet ? 4 : 2)) };
}

export function encodeAggregator(a: AggregatorAttr, w: Writer, fourOctet: boolean): void {
  checkUint('attribute:AGGREGATOR', 'asn', a.asn, fourOctet ? 0xffffffff : 0xffff);
  if (fourOctet) w.u32(a.asn);
  else w.u16(a.asn);
  writeIpv4(w, a.address, 'attribute:AGGREGATOR', 'address');
}

export function decodeAs4Aggregator(buf: Uint8Array, o: number, len: number): As4AggregatorAttr {
  if (len !== 8)
    throw attrError('AS4_AGGREGATOR', o, `length ${len}, expected 8`, 'attribute-discard', LENGTH_ERROR);
  const asn = u32(buf, o);
  if (asn === 0) throw attrError('AS4_AGGREGATOR', o, 'AS number 0 (RFC 7607 2)', 'attribute-discard', 9);
  return { type: 'AS4_AGGREGATOR', asn, address: ipv4Text(buf, o + 4) };
}

export function encodeAs4Aggregator(a: As4AggregatorAttr, w: Writer): void {
  checkUint('attribute:AS4_AGGREGATOR', 'asn', a.asn, 0xffffffff);
  w.u32(a.asn);
  writeIpv4(w, a.address, 'attribute:AS4_AGGREGATOR', 'address');
}
