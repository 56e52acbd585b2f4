// RFC 9012 2: TUNNEL_ENCAPSULATION (type 23, optional transitive): a list of Tunnel TLVs, each holding
// sub-TLVs whose length field is 1 octet for types 0-127 and 2 octets for types 128-255 (RFC 9012 2).
// Sub-TLVs decoded: Encapsulation (1, kept as bytes; `vxlanEncapsulation` reads the VXLAN form of 3.2.1),
// Protocol Type (2), Color (4), Tunnel Egress Endpoint (6), DS Field (7), UDP Destination Port (8); any
// other or non-canonical sub-TLV is kept as bytes. A malformed attribute (a TLV or sub-TLV overrunning its
// container) is treat-as-withdraw (RFC 7606 8 guidance: it steers forwarding).
//
//  Tunnel TLV:                          Sub-TLV:
//  +-------------------------------+    +-----------+------------------+----------------+
//  | Tunnel Type (2) | Length (2)  |    | Type (1)  | Length (1 or 2)  | Value          |
//  +-------------------------------+    +-----------+------------------+----------------+
//  | Sub-TLVs (Length octets)      |
//  +-------------------------------+
//
//  Tunnel Egress Endpoint value:  Reserved (4) | AFI (2) | Address (0, 4 or 16)
//  Color value (an extended community, RFC 9012 4.3): 0x03 0x0b | Reserved (2) | Color (4)
import { EncodeError } from '../errors.js';
import { checkUint, ipBytes, ipText, u16, u24, u32, type Writer } from '../wire.js';
import { attrError, OPTIONAL_ATTRIBUTE_ERROR } from './error.js';

// Tunnel types are the IANA registry shared with the Encapsulation extended community: `TunnelType`.

export type TunnelSubTlv =
  | { kind: 'encapsulation'; value: Uint8Array }
  | { kind: 'protocol-type'; protocol: number }
  | { kind: 'color'; color: number }
  | { kind: 'egress-endpoint'; address: string | null }
  | { kind: 'ds-field'; dscp: number }
  | { kind: 'udp-port'; port: number }
  | { kind: 'raw'; subType: number; value: Uint8Array };

export interface TunnelTlv {
  tunnelType: number;
  subTlvs: TunnelSubTlv[];
}

export interface TunnelEncapsulationAttr {
  type: 'TUNNEL_ENCAPSULATION';
  flags?: number;
  tunnels: TunnelTlv[];
}

function parseSubTlv(t: number, v: Uint8Array): TunnelSubTlv {
  switch (t) {
    case 1:
      return { kind: 'encapsulation', value: v };
    case 2:
      if (v.length === 2) return { kind: 'protocol-type', protocol: u16(v, 0) };
      break;
    case 4:
      if (v.length === 8 && v[0] === 0x03 && v[1] === 0x0b && v[2] === 0 && v[3] === 0) {
        return { kind: 'color', color: u32(v, 4) };
      }
      break;
    case 6: {
      if (v.length >= 6 && u32(v, 0) === 0) {
        const afi = u16(v, 4);
        if (afi === 0 && v.length === 6) return { kind: 'egress-endpoint', address: null };
        if (afi === 1 && v.length === 10) return { kind: 'egress-endpoint', address: ipText(v, 6, 4) };
        if (afi === 2 && v.length === 22) return { kind: 'egress-endpoint', address: ipText(v, 6, 16) };
      }
      break;
    }
    case 7:
      if (v.length === 1) return { kind: 'ds-field', dscp: v[0]! };
      break;
    case 8:
      if (v.length === 2) return { kind: 'udp-port', port: u16(v, 0) };
      break;
  }
  return { kind: 'raw', subType: t, value: v };
}

export function decodeTunnelEncapsulation(buf: Uint8Array, o: number, len: number): TunnelEncapsulationAttr {
  const end = o + len;
  const tunnels: TunnelTlv[] = [];
  const bad = (p: number, m: string) =>
    attrError('TUNNEL_ENCAPSULATION', p, m, 'treat-as-withdraw', OPTIONAL_ATTRIBUTE_ERROR);
  let p = o;
  while (p < end) {
    if (p + 4 > end) throw bad(p, 'tunnel TLV header overruns the attribute');
    const tunnelType = u16(buf, p);
    const tl = u16(buf, p + 2);
    p += 4;
    const tEnd = p + tl;
    if (tEnd > end) throw bad(p - 2, `tunnel TLV length ${tl} overruns the attribute`);
    const subTlvs: TunnelSubTlv[] = [];
    while (p < tEnd) {
      const st = buf[p]!;
      const hdr = st >= 128 ? 3 : 2;
      if (p + hdr > tEnd) throw bad(p, 'sub-TLV header overruns the tunnel TLV');
      const sl = st >= 128 ? u16(buf, p + 1) : buf[p + 1]!;
      p += hdr;
      if (p + sl > tEnd) throw bad(p - hdr, `sub-TLV length ${sl} overruns the tunnel TLV`);
      subTlvs.push(parseSubTlv(st, buf.slice(p, p + sl)));
      p += sl;
    }
    tunnels.push({ tunnelType, subTlvs });
  }
  return { type: 'TUNNEL_ENCAPSULATION', tunnels };
}

function subTlvBytes(s: TunnelSubTlv): { t: number; v: Uint8Array } {
  const field = 'subTlv';
  switch (s.kind) {
    case 'encapsulation':
      return { t: 1, v: s.value };
    case 'protocol-type':
      checkUint('attribute:TUNNEL_ENCAPSULATION', field, s.protocol, 0xffff);
      return { t: 2, v: new Uint8Array([s.protocol >>> 8, s.protocol & 0xff]) };
    case 'color': {
      checkUint('attribute:TUNNEL_ENCAPSULATION', field, s.color, 0xffffffff);
      const c = s.color;
      return {
        t: 4,
        v: new Uint8Array([0x03, 0x0b, 0, 0, c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]),
      };
    }
    case 'egress-endpoint': {
      if (s.address === null) return { t: 6, v: new Uint8Array(6) };
      const a = ipBytes(s.address, 'attribute:TUNNEL_ENCAPSULATION', 'egressEndpoint');
      const v = new Uint8Array(6 + a.length);
      v[5] = a.length === 4 ? 1 : 2;
      v.set(a, 6);
      return { t: 6, v };
    }
    case 'ds-field':
      checkUint('attribute:TUNNEL_ENCAPSULATION', field, s.dscp, 0xff);
      return { t: 7, v: new Uint8Array([s.dscp]) };
    case 'udp-port':
      checkUint('attribute:TUNNEL_ENCAPSULATION', field, s.port, 0xffff);
      return { t: 8, v: new Uint8Array([s.port >>> 8, s.port & 0xff]) };
    case 'raw':
      checkUint('attribute:TUNNEL_ENCAPSULATION', field, s.subType, 0xff);
      return { t: s.subType, v: s.value };
  }
}

export function encodeTunnelEncapsulation(a: TunnelEncapsulationAttr, w: Writer): void {
  for (const tun of a.tunnels) {
    checkUint('attribute:TUNNEL_ENCAPSULATION', 'tunnelType', tun.tunnelType, 0xffff);
    w.u16(tun.tunnelType);
    const at = w.skip(2);
    const start = w.pos;
    for (const s of tun.subTlvs) {
      const { t, v } = subTlvBytes(s);
      if (t >= 128) {
        if (v.length > 0xffff)
          throw new EncodeError('attribute:TUNNEL_ENCAPSULATION', 'subTlv', -1, 'too long');
        w.u8(t).u16(v.length);
      } else {
        if (v.length > 255)
          throw new EncodeError(
            'attribute:TUNNEL_ENCAPSULATION',
            'subTlv',
            -1,
            `sub-TLV ${t} over 255 bytes`,
          );
        w.u8(t).u8(v.length);
      }
      w.bytes(v);
    }
    const len = w.pos - start;
    if (len > 0xffff)
      throw new EncodeError('attribute:TUNNEL_ENCAPSULATION', 'tunnel', -1, 'tunnel TLV too long');
    w.patchU16(at, len);
  }
}

/** RFC 9012 3.2.1 VXLAN Encapsulation sub-TLV value: V/M flags, VNI (when V), MAC (when M). */
export function vxlanEncapsulation(value: Uint8Array): { vni?: number; mac?: string } | undefined {
  if (value.length !== 12) return undefined;
  const out: { vni?: number; mac?: string } = {};
  if (value[0]! & 0x80) out.vni = u24(value, 1);
  if (value[0]! & 0x40) {
    out.mac = Array.from(value.subarray(4, 10), (b) => b.toString(16).padStart(2, '0')).join(':');
  }
  return out;
}
