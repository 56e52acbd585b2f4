// EXTENDED_COMMUNITIES path attribute (type code 16), RFC 4360 section 2: a list of 8-octet communities.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Type high    |  Type low(*)  |                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+          Value                |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Value layouts read here (offsets within the 8 octets):
//   AS2 specific (0x00, 0x40)  2-3 AS, 4-7 local       RT 0x02, RO 0x03, link bandwidth 0x04 (4-7 float32),
//   IPv4 specific (0x01)       2-5 IPv4, 6-7 local      source AS 0x09, VRF route import 0x0b (IPv4 form)
//   AS4 specific (0x02)        2-5 AS, 6-7 local        (RFC 4360 3.1/3.2, RFC 5668, RFC 6514 5)
//   opaque 0x03/0x0c encapsulation: 2-5 reserved, 6-7 tunnel type (RFC 9012 4.1)
//   opaque 0x03/0x0b color: 2-3 flags, 4-7 color (RFC 9012 4.3); 0x03/0x0d default gateway, 2-7 zero
//   EVPN 0x06/0x00 MAC mobility: 2 flags (0x01 sticky), 3 reserved, 4-7 sequence (RFC 7432 7.7)
//   EVPN 0x06/0x01 ESI label: 2 flags (0x01 single-active), 3-4 reserved, 5-7 label (RFC 7432 7.5)
//   EVPN 0x06/0x02 ES-import route target: 2-7 MAC (RFC 7432 7.6)
//   EVPN 0x06/0x03 router's MAC: 2-7 MAC (RFC 9135 8.1)
//   EVPN 0x06/0x05 E-tree: 2 flags (0x01 leaf), 3-4 reserved, 5-7 leaf label (RFC 8317 5.1)
//   EVPN 0x06/0x09 multicast flags: 2-3 flags (0x01 IGMP proxy, 0x02 MLD proxy), 4-7 reserved (RFC 9251)
//   Tungsten Fabric (tf-controller src/bgp/extended-community/types.h, origin-vn/, security_group/):
//     0x80/0x71 origin VN, 0x80/0x04 security group, 0x80/0x84 tag, 0x80/0x85 sub-cluster:
//        2-3 AS, 4-7 value; the 0x82 forms: 2-5 AS, 6-7 value
//     0x03/0xaa load balance: 2 hash fields (0x80 l3 source, 0x40 l3 destination, 0x20 l4 protocol,
//        0x10 l4 source port, 0x08 l4 destination port), 3 reserved, 4 flags (0x80 source bias), 5-7 reserved
//     0xc0/0x00 local sequence number: 2-5 sequence, 6-7 zero
//
// A community is decoded to its typed form only when the typed form re-encodes to the same 8 bytes
// (reserved octets zero, known flag bits only); anything else stays `{ kind: 'raw', bytes }`, so
// `encode(decode(x))` equals `x` for every input.
import { EncodeError, MalformedError, TruncatedError } from '../errors.js';
import { type EvpnLabel, readEvpnLabel } from '../evpn-label.js';
import { formatIpv4, writeIpv4 } from '../nlri/address.js';
import { formatHexBytes, formatMac, TextFormatError, writeHexBytes, writeMac } from '../text.js';
import {
  EvpnSubtype,
  ExtCommunitySubtype,
  ExtCommunityType,
  OpaqueSubtype,
  TfNonTransitiveSubtype,
  TfSubtype,
  tunnelTypeFromName,
  tunnelTypeName,
} from './extended-community-types.js';

/** The administrator forms of the AS/IPv4-specific communities. */
export type AdminForm =
  | { form: 'as2'; asn: number; local: number }
  | { form: 'ipv4'; ip: string; local: number }
  | { form: 'as4'; asn: number; local: number };

/** AS-number forms of the communities that have no IPv4 form (2-octet AS + 4-octet value, or 4 + 2). */
export type AsForm = 'as2' | 'as4';

export type ExtendedCommunity =
  | ({ kind: 'route-target' } & AdminForm)
  /** Route origin, also called site of origin. */
  | ({ kind: 'route-origin' } & AdminForm)
  | { kind: 'source-as'; form: AsForm; asn: number; local: number }
  | { kind: 'vrf-route-import'; ip: string; local: number }
  /** Bandwidth in bytes per second (IEEE float32); `transitive` for type 0x00, else 0x40. */
  | { kind: 'link-bandwidth'; transitive: boolean; asn: number; bandwidth: number }
  | { kind: 'encapsulation'; tunnelType: number }
  | { kind: 'color'; flags: number; color: number }
  | { kind: 'default-gateway' }
  | { kind: 'mac-mobility'; sticky: boolean; sequence: number }
  | { kind: 'esi-label'; singleActive: boolean; label: EvpnLabel }
  | { kind: 'es-import'; mac: string }
  | { kind: 'router-mac'; mac: string }
  | { kind: 'e-tree'; leaf: boolean; label: EvpnLabel }
  | { kind: 'multicast-flags'; flags: number }
  | { kind: 'tf-origin-vn'; form: AsForm; asn: number; vnIndex: number }
  | { kind: 'tf-security-group'; form: AsForm; asn: number; id: number }
  | { kind: 'tf-tag'; form: AsForm; asn: number; tag: number }
  | { kind: 'tf-sub-cluster'; form: AsForm; asn: number; id: number }
  | {
      kind: 'tf-load-balance';
      l3SourceAddress: boolean;
      l3DestinationAddress: boolean;
      l4Protocol: boolean;
      l4SourcePort: boolean;
      l4DestinationPort: boolean;
      sourceBias: boolean;
    }
  | { kind: 'tf-local-sequence-number'; sequence: number }
  /** Anything else, as its 8 octets. */
  | { kind: 'raw'; bytes: Uint8Array };

const LAYER = 'attribute:EXTENDED_COMMUNITIES';

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function zero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

let f32View: DataView | undefined;
function readF32(b: Uint8Array, o: number): number {
  f32View ??= new DataView(new ArrayBuffer(4));
  f32View.setUint32(0, u32(b, o));
  return f32View.getFloat32(0);
}

function adminSpecific(
  kind: 'route-target' | 'route-origin',
  type: number,
  b: Uint8Array,
  o: number,
): ExtendedCommunity {
  if (type === ExtCommunityType.TwoOctetAs)
    return { kind, form: 'as2', asn: u16(b, o + 2), local: u32(b, o + 4) };
  if (type === ExtCommunityType.Ipv4Address)
    return { kind, form: 'ipv4', ip: formatIpv4(b, o + 2), local: u16(b, o + 6) };
  return { kind, form: 'as4', asn: u32(b, o + 2), local: u16(b, o + 6) };
}

function asForm(type: number): AsForm {
  return type === ExtCommunityType.Experimental || type === ExtCommunityType.TwoOctetAs ? 'as2' : 'as4';
}
function asOf(type: number, b: Uint8Array, o: number): number {
  return asForm(type) === 'as2' ? u16(b, o + 2) : u32(b, o + 2);
}
function asValue(type: number, b: Uint8Array, o: number): number {
  return asForm(type) === 'as2' ? u32(b, o + 4) : u16(b, o + 6);
}

/** Decodes the 8-octet community at `o` (the caller has checked the bytes are there). */
export function readExtendedCommunity(b: Uint8Array, o: number): ExtendedCommunity {
  const type = b[o]!;
  const sub = b[o + 1]!;
  switch (type) {
    case ExtCommunityType.TwoOctetAs:
    case ExtCommunityType.Ipv4Address:
    case ExtCommunityType.FourOctetAs:
      if (sub === ExtCommunitySubtype.RouteTarget) return adminSpecific('route-target', type, b, o);
      if (sub === ExtCommunitySubtype.RouteOrigin) return adminSpecific('route-origin', type, b, o);
      if (sub === ExtCommunitySubtype.SourceAs && type !== ExtCommunityType.Ipv4Address) {
        return { kind: 'source-as', form: asForm(type), asn: asOf(type, b, o), local: asValue(type, b, o) };
      }
      if (sub === ExtCommunitySubtype.VrfRouteImport && type === ExtCommunityType.Ipv4Address) {
        return { kind: 'vrf-route-import', ip: formatIpv4(b, o + 2), local: u16(b, o + 6) };
      }
      if (sub === ExtCommunitySubtype.LinkBandwidth && type === ExtCommunityType.TwoOctetAs) {
        return linkBandwidth(true, b, o);
      }
      break;
    case ExtCommunityType.NonTransitiveTwoOctetAs:
      if (sub === ExtCommunitySubtype.LinkBandwidth) return linkBandwidth(false, b, o);
      break;
    case ExtCommunityType.Opaque:
      if (sub === OpaqueSubtype.Encapsulation && zero(b, o + 2, o + 6)) {
        return { kind: 'encapsulation', tunnelType: u16(b, o + 6) };
      }
      if (sub === OpaqueSubtype.Color) return { kind: 'color', flags: u16(b, o + 2), color: u32(b, o + 4) };
      if (sub === OpaqueSubtype.DefaultGateway && zero(b, o + 2, o + 8)) return { kind: 'default-gateway' };
      if (sub === OpaqueSubtype.TfLoadBalance && (b[o + 2]! & 0x07) === 0 && b[o + 3] === 0) {
        if ((b[o + 4]! & 0x7f) === 0 && zero(b, o + 5, o + 8)) {
          const f = b[o + 2]!;
          return {
            kind: 'tf-load-balance',
            l3SourceAddress: (f & 0x80) !== 0,
            l3DestinationAddress: (f & 0x40) !== 0,
            l4Protocol: (f & 0x20) !== 0,
            l4SourcePort: (f & 0x10) !== 0,
            l4DestinationPort: (f & 0x08) !== 0,
            sourceBias: (b[o + 4]! & 0x80) !== 0,
          };
        }
      }
      break;
    case ExtCommunityType.Evpn:
      switch (sub) {
        case EvpnSubtype.MacMobility:
          if ((b[o + 2]! & 0xfe) === 0 && b[o + 3] === 0) {
            return { kind: 'mac-mobility', sticky: (b[o + 2]! & 1) === 1, sequence: u32(b, o + 4) };
          }
          break;
        case EvpnSubtype.EsiLabel:
          if ((b[o + 2]! & 0xfe) === 0 && b[o + 3] === 0 && b[o + 4] === 0) {
            return { kind: 'esi-label', singleActive: (b[o + 2]! & 1) === 1, label: readEvpnLabel(b, o + 5) };
          }
          break;
        case EvpnSubtype.EsImport:
          return { kind: 'es-import', mac: formatMac(b, o + 2) };
        case EvpnSubtype.RouterMac:
          return { kind: 'router-mac', mac: formatMac(b, o + 2) };
        case EvpnSubtype.ETree:
          if ((b[o + 2]! & 0xfe) === 0 && b[o + 3] === 0 && b[o + 4] === 0) {
            return { kind: 'e-tree', leaf: (b[o + 2]! & 1) === 1, label: readEvpnLabel(b, o + 5) };
          }
          break;
        case EvpnSubtype.MulticastFlags:
          if (zero(b, o + 4, o + 8)) return { kind: 'multicast-flags', flags: u16(b, o + 2) };
          break;
      }
      break;
    case ExtCommunityType.Experimental:
    case ExtCommunityType.Experimental4ByteAs: {
      const form = asForm(type);
      const asn = asOf(type, b, o);
      const v = asValue(type, b, o);
      if (sub === TfSubtype.OriginVn) return { kind: 'tf-origin-vn', form, asn, vnIndex: v };
      if (sub === TfSubtype.SecurityGroup) return { kind: 'tf-security-group', form, asn, id: v };
      if (sub === TfSubtype.Tag) return { kind: 'tf-tag', form, asn, tag: v };
      if (sub === TfSubtype.SubCluster) return { kind: 'tf-sub-cluster', form, asn, id: v };
      break;
    }
    case ExtCommunityType.ExperimentalNonTransitive:
      if (sub === TfNonTransitiveSubtype.LocalSequenceNumber && b[o + 6] === 0 && b[o + 7] === 0) {
        return { kind: 'tf-local-sequence-number', sequence: u32(b, o + 2) };
      }
      break;
  }
  return { kind: 'raw', bytes: b.slice(o, o + 8) };
}

function linkBandwidth(transitive: boolean, b: Uint8Array, o: number): ExtendedCommunity {
  const bandwidth = readF32(b, o + 4);
  // NaN payloads do not survive a float round trip: keep those as raw bytes.
  if (Number.isNaN(bandwidth)) return { kind: 'raw', bytes: b.slice(o, o + 8) };
  return { kind: 'link-bandwidth', transitive, asn: u16(b, o + 2), bandwidth };
}

/**
 * Decodes `length` bytes at `offset` as a list of extended communities. A length that is not a multiple
 * of 8 is malformed (RFC 7606 7.14: treat-as-withdraw); bytes past the buffer are a TruncatedError.
 */
export function decodeExtendedCommunities(
  buf: Uint8Array,
  offset: number,
  length: number,
): ExtendedCommunity[] {
  if (offset < 0 || length < 0 || offset + length > buf.length) {
    throw new TruncatedError(
      LAYER,
      'length',
      offset,
      `needs ${length} bytes, ${Math.max(0, buf.length - offset)} available`,
      {
        action: 'treat-as-withdraw',
      },
    );
  }
  if (length % 8 !== 0) {
    throw new MalformedError(LAYER, 'length', offset, `length ${length} is not a multiple of 8`, {
      action: 'treat-as-withdraw',
    });
  }
  const out: ExtendedCommunity[] = new Array(length >> 3);
  for (let i = 0, o = offset; o < offset + length; i++, o += 8) out[i] = readExtendedCommunity(buf, o);
  return out;
}

function fail(field: string, v: unknown, why: string): never {
  throw new EncodeError(LAYER, field, -1, `${String(v)}: ${why}`);
}
function check(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) fail(field, v, `outside 0..${max}`);
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
function put24(b: Uint8Array, o: number, v: number): void {
  check('label', v, 0xffffff);
  b[o] = v >>> 16;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = v & 0xff;
}

function writeAsValue(form: AsForm, asn: number, value: number, b: Uint8Array, o: number): void {
  if (form === 'as2') {
    check('asn', asn, 0xffff);
    check('value', value, 0xffffffff);
    put16(b, o + 2, asn);
    put32(b, o + 4, value);
  } else {
    check('asn', asn, 0xffffffff);
    check('value', value, 0xffff);
    put32(b, o + 2, asn);
    put16(b, o + 6, value);
  }
}

/** Writes one community as 8 bytes at `o` (every octet is written). Throws EncodeError. */
export function writeExtendedCommunity(c: ExtendedCommunity, b: Uint8Array, o: number): void {
  b.fill(0, o, o + 8);
  switch (c.kind) {
    case 'route-target':
    case 'route-origin': {
      const sub =
        c.kind === 'route-target' ? ExtCommunitySubtype.RouteTarget : ExtCommunitySubtype.RouteOrigin;
      b[o + 1] = sub;
      if (c.form === 'ipv4') {
        b[o] = ExtCommunityType.Ipv4Address;
        if (!writeIpv4(c.ip, b, o + 2)) fail('ip', c.ip, 'not an IPv4 address');
        check('local', c.local, 0xffff);
        put16(b, o + 6, c.local);
      } else {
        b[o] = c.form === 'as2' ? ExtCommunityType.TwoOctetAs : ExtCommunityType.FourOctetAs;
        writeAsValue(c.form, c.asn, c.local, b, o);
      }
      return;
    }
    case 'source-as':
      b[o] = c.form === 'as2' ? ExtCommunityType.TwoOctetAs : ExtCommunityType.FourOctetAs;
      b[o + 1] = ExtCommunitySubtype.SourceAs;
      writeAsValue(c.form, c.asn, c.local, b, o);
      return;
    case 'vrf-route-import':
      b[o] = ExtCommunityType.Ipv4Address;
      b[o + 1] = ExtCommunitySubtype.VrfRouteImport;
      if (!writeIpv4(c.ip, b, o + 2)) fail('ip', c.ip, 'not an IPv4 address');
      check('local', c.local, 0xffff);
      put16(b, o + 6, c.local);
      return;
    case 'link-bandwidth': {
      b[o] = c.transitive ? ExtCommunityType.TwoOctetAs : ExtCommunityType.NonTransitiveTwoOctetAs;
      b[o + 1] = ExtCommunitySubtype.LinkBandwidth;
      check('asn', c.asn, 0xffff);
      put16(b, o + 2, c.asn);
      if (typeof c.bandwidth !== 'number' || Number.isNaN(c.bandwidth))
        fail('bandwidth', c.bandwidth, 'not a number');
      new DataView(b.buffer, b.byteOffset, b.byteLength).setFloat32(o + 4, c.bandwidth);
      return;
    }
    case 'encapsulation':
      b[o] = ExtCommunityType.Opaque;
      b[o + 1] = OpaqueSubtype.Encapsulation;
      check('tunnelType', c.tunnelType, 0xffff);
      put16(b, o + 6, c.tunnelType);
      return;
    case 'color':
      b[o] = ExtCommunityType.Opaque;
      b[o + 1] = OpaqueSubtype.Color;
      check('flags', c.flags, 0xffff);
      check('color', c.color, 0xffffffff);
      put16(b, o + 2, c.flags);
      put32(b, o + 4, c.color);
      return;
    case 'default-gateway':
      b[o] = ExtCommunityType.Opaque;
      b[o + 1] = OpaqueSubtype.DefaultGateway;
      return;
    case 'mac-mobility':
      b[o] = ExtCommunityType.Evpn;
      b[o + 1] = EvpnSubtype.MacMobility;
      b[o + 2] = c.sticky ? 1 : 0;
      check('sequence', c.sequence, 0xffffffff);
      put32(b, o + 4, c.sequence);
      return;
    case 'esi-label':
    case 'e-tree':
      b[o] = ExtCommunityType.Evpn;
      b[o + 1] = c.kind === 'esi-label' ? EvpnSubtype.EsiLabel : EvpnSubtype.ETree;
      b[o + 2] = (c.kind === 'esi-label' ? c.singleActive : c.leaf) ? 1 : 0;
      put24(b, o + 5, c.label.raw);
      return;
    case 'es-import':
    case 'router-mac':
      b[o] = ExtCommunityType.Evpn;
      b[o + 1] = c.kind === 'es-import' ? EvpnSubtype.EsImport : EvpnSubtype.RouterMac;
      try {
        writeMac(c.mac, b, o + 2);
      } catch {
        fail('mac', c.mac, 'not a MAC address');
      }
      return;
    case 'multicast-flags':
      b[o] = ExtCommunityType.Evpn;
      b[o + 1] = EvpnSubtype.MulticastFlags;
      check('flags', c.flags, 0xffff);
      put16(b, o + 2, c.flags);
      return;
    case 'tf-origin-vn':
    case 'tf-security-group':
    case 'tf-tag':
    case 'tf-sub-cluster': {
      b[o] = c.form === 'as2' ? ExtCommunityType.Experimental : ExtCommunityType.Experimental4ByteAs;
      const sub =
        c.kind === 'tf-origin-vn'
          ? TfSubtype.OriginVn
          : c.kind === 'tf-security-group'
            ? TfSubtype.SecurityGroup
            : c.kind === 'tf-tag'
              ? TfSubtype.Tag
              : TfSubtype.SubCluster;
      b[o + 1] = sub;
      const v = c.kind === 'tf-origin-vn' ? c.vnIndex : c.kind === 'tf-tag' ? c.tag : c.id;
      writeAsValue(c.form, c.asn, v, b, o);
      return;
    }
    case 'tf-load-balance':
      b[o] = ExtCommunityType.Opaque;
      b[o + 1] = OpaqueSubtype.TfLoadBalance;
      b[o + 2] =
        (c.l3SourceAddress ? 0x80 : 0) |
        (c.l3DestinationAddress ? 0x40 : 0) |
        (c.l4Protocol ? 0x20 : 0) |
        (c.l4SourcePort ? 0x10 : 0) |
        (c.l4DestinationPort ? 0x08 : 0);
      b[o + 4] = c.sourceBias ? 0x80 : 0;
      return;
    case 'tf-local-sequence-number':
      b[o] = ExtCommunityType.ExperimentalNonTransitive;
      b[o + 1] = TfNonTransitiveSubtype.LocalSequenceNumber;
      check('sequence', c.sequence, 0xffffffff);
      put32(b, o + 2, c.sequence);
      return;
    case 'raw':
      if (!(c.bytes instanceof Uint8Array) || c.bytes.length !== 8) fail('bytes', c.bytes, 'needs 8 bytes');
      b.set(c.bytes, o);
      return;
    default:
      fail('kind', (c as { kind: unknown }).kind, 'unknown extended community kind');
  }
}

/** The attribute value: 8 bytes per community, in order. */
export function encodeExtendedCommunities(list: readonly ExtendedCommunity[]): Uint8Array {
  const b = new Uint8Array(list.length * 8);
  for (let i = 0; i < list.length; i++) writeExtendedCommunity(list[i]!, b, i * 8);
  return b;
}

/** Bytes `encodeExtendedCommunities(list)` takes. */
export function extendedCommunitiesEncodingLength(list: readonly ExtendedCommunity[]): number {
  return list.length * 8;
}

// ---- text ----

function asText(form: 'as2' | 'as4', asn: number): string {
  return form === 'as4' && asn <= 0xffff ? `${asn}L` : String(asn);
}

function adminText(c: AdminForm): string {
  return c.form === 'ipv4' ? `${c.ip}:${c.local}` : `${asText(c.form, c.asn)}:${c.local}`;
}

/** Text of an EVPN label field in a community: its raw 24 bits in decimal, as gobgp prints and takes it. */
function labelText(l: EvpnLabel): string {
  return String(l.raw);
}

const lbFields: [keyof Extract<ExtendedCommunity, { kind: 'tf-load-balance' }>, string][] = [
  ['l3SourceAddress', 'l3-source-address'],
  ['l3DestinationAddress', 'l3-destination-address'],
  ['l4Protocol', 'l4-protocol'],
  ['l4SourcePort', 'l4-source-port'],
  ['l4DestinationPort', 'l4-destination-port'],
  ['sourceBias', 'source-bias'],
];

/**
 * Operator text of a community, in the forms gobgp and FRR use where they have one:
 * `target:65000:100`, `target:10.0.0.1:5`, `target:4200000000:7` (`target:65000L:7` for a 4-octet-AS
 * RT whose AS fits 16 bits), `origin:...`, `source-as:65000:0`, `rt-import:10.0.0.1:5`,
 * `link-bandwidth:65000:1250000` (`link-bandwidth-transitive:` for type 0x00), `encap:vxlan`, `color:100`
 * (`color:<flags>:<color>` with flags), `default-gateway`, `mac-mobility:5` / `mac-mobility:5:sticky`,
 * `esi-label:2001` / `esi-label:2001:single-active`, `es-import:aa:bb:cc:dd:ee:ff`,
 * `router-mac:02:00:00:00:00:01`, `etree:leaf:100` / `etree:root:0`, `mcast-flags:1`,
 * Tungsten Fabric `originvn:65000:5`, `secgroup:65000:8000001`, `tag:65000:1`, `subcluster:65000:3`,
 * `load-balance:l3-source-address,...` and `local-sequence-number:7`, and `raw:0102030405060708`.
 * Label fields print their raw 24 bits in decimal (gobgp's convention; `.label` has the MPLS reading).
 */
export function formatExtendedCommunity(c: ExtendedCommunity): string {
  switch (c.kind) {
    case 'route-target':
      return `target:${adminText(c)}`;
    case 'route-origin':
      return `origin:${adminText(c)}`;
    case 'source-as':
      return `source-as:${asText(c.form, c.asn)}:${c.local}`;
    case 'vrf-route-import':
      return `rt-import:${c.ip}:${c.local}`;
    case 'link-bandwidth':
      return `link-bandwidth${c.transitive ? '-transitive' : ''}:${c.asn}:${Object.is(c.bandwidth, -0) ? '-0' : c.bandwidth}`;
    case 'encapsulation':
      return `encap:${tunnelTypeName(c.tunnelType)}`;
    case 'color':
      return c.flags === 0 ? `color:${c.color}` : `color:${c.flags}:${c.color}`;
    case 'default-gateway':
      return 'default-gateway';
    case 'mac-mobility':
      return `mac-mobility:${c.sequence}${c.sticky ? ':sticky' : ''}`;
    case 'esi-label':
      return `esi-label:${labelText(c.label)}${c.singleActive ? ':single-active' : ''}`;
    case 'es-import':
      return `es-import:${c.mac}`;
    case 'router-mac':
      return `router-mac:${c.mac}`;
    case 'e-tree':
      return `etree:${c.leaf ? 'leaf' : 'root'}:${labelText(c.label)}`;
    case 'multicast-flags':
      return `mcast-flags:${c.flags}`;
    case 'tf-origin-vn':
      return `originvn:${asText(c.form, c.asn)}:${c.vnIndex}`;
    case 'tf-security-group':
      return `secgroup:${asText(c.form, c.asn)}:${c.id}`;
    case 'tf-tag':
      return `tag:${asText(c.form, c.asn)}:${c.tag}`;
    case 'tf-sub-cluster':
      return `subcluster:${asText(c.form, c.asn)}:${c.id}`;
    case 'tf-load-balance':
      return `load-balance:${lbFields
        .filter(([k]) => c[k] === true)
        .map(([, n]) => n)
        .join(',')}`;
    case 'tf-local-sequence-number':
      return `local-sequence-number:${c.sequence}`;
    case 'raw':
      return `raw:${formatHexBytes(c.bytes, 0, c.bytes.length, '')}`;
  }
}

function bad(text: string): never {
  throw new TextFormatError('extended-community', text, 'an extended community');
}

function num(s: string | undefined, max: number, text: string): number {
  if (s === undefined || !/^\d{1,10}$/.test(s)) bad(text);
  const v = Number(s);
  if (v > max) bad(text);
  return v;
}

/** `65000`, `65000L` or `4200000000` -> form and AS. Without `L`, an AS above 65535 is the 4-octet form. */
function parseAs(s: string, text: string): { form: AsForm; asn: number } {
  const m = /^(\d{1,10})(L?)$/.exec(s);
  if (!m) bad(text);
  const asn = num(m[1], 0xffffffff, text);
  return { form: m[2] === 'L' || asn > 0xffff ? 'as4' : 'as2', asn };
}

function parseAdmin(rest: string, text: string): AdminForm {
  const colon = rest.lastIndexOf(':');
  if (colon < 0) bad(text);
  const admin = rest.slice(0, colon);
  const localText = rest.slice(colon + 1);
  if (admin.includes('.')) {
    const b = new Uint8Array(4);
    if (!writeIpv4(admin, b, 0)) bad(text);
    return { form: 'ipv4', ip: formatIpv4(b, 0), local: num(localText, 0xffff, text) };
  }
  const { form, asn } = parseAs(admin, text);
  return { form, asn, local: num(localText, form === 'as2' ? 0xffffffff : 0xffff, text) };
}

function parseAsValue(rest: string, text: string): { form: AsForm; asn: number; value: number } {
  const parts = rest.split(':');
  if (parts.length !== 2) bad(text);
  const { form, asn } = parseAs(parts[0]!, text);
  return { form, asn, value: num(parts[1], form === 'as2' ? 0xffffffff : 0xffff, text) };
}

function parseLabel(s: string | undefined, text: string): EvpnLabel {
  const raw = num(s, 0xffffff, text);
  return { raw, label: raw >>> 4, vni: raw };
}

/**
 * Reads the text `formatExtendedCommunity` writes. Also takes the aliases operators use: `rt:` for
 * `target:`, `soo:` and `ro:` for `origin:`, `rtrmac:`, `mobility:`, `local_sequence_number:`,
 * `encap:<number>`. Throws TextFormatError.
 */
export function parseExtendedCommunity(text: string): ExtendedCommunity {
  const t = text.trim();
  const i = t.indexOf(':');
  const head = (i < 0 ? t : t.slice(0, i)).toLowerCase();
  const rest = i < 0 ? '' : t.slice(i + 1);
  switch (head) {
    case 'target':
    case 'rt':
      return { kind: 'route-target', ...parseAdmin(rest, text) };
    case 'origin':
    case 'soo':
    case 'ro':
      return { kind: 'route-origin', ...parseAdmin(rest, text) };
    case 'source-as': {
      const v = parseAsValue(rest, text);
      return { kind: 'source-as', form: v.form, asn: v.asn, local: v.value };
    }
    case 'rt-import': {
      const a = parseAdmin(rest, text);
      if (a.form !== 'ipv4') bad(text);
      return { kind: 'vrf-route-import', ip: a.ip, local: a.local };
    }
    case 'link-bandwidth':
    case 'link-bandwidth-transitive': {
      const parts = rest.split(':');
      const bw = Number(parts[1]);
      if (parts.length !== 2 || parts[1] === '' || Number.isNaN(bw)) bad(text);
      return {
        kind: 'link-bandwidth',
        transitive: head.endsWith('transitive'),
        asn: num(parts[0], 0xffff, text),
        bandwidth: Math.fround(bw),
      };
    }
    case 'encap': {
      const tt = tunnelTypeFromName(rest);
      if (tt === undefined) bad(text);
      return { kind: 'encapsulation', tunnelType: tt };
    }
    case 'color': {
      const parts = rest.split(':');
      if (parts.length === 1) return { kind: 'color', flags: 0, color: num(parts[0], 0xffffffff, text) };
      if (parts.length !== 2) bad(text);
      return { kind: 'color', flags: num(parts[0], 0xffff, text), color: num(parts[1], 0xffffffff, text) };
    }
    case 'default-gateway':
      if (rest !== '') bad(text);
      return { kind: 'default-gateway' };
    case 'mac-mobility':
    case 'mobility': {
      const parts = rest.split(':');
      if (parts.length > 2 || (parts.length === 2 && parts[1] !== 'sticky')) bad(text);
      return { kind: 'mac-mobility', sticky: parts.length === 2, sequence: num(parts[0], 0xffffffff, text) };
    }
    case 'esi-label': {
      const parts = rest.split(':');
      if (
        parts.length > 2 ||
        (parts.length === 2 && parts[1] !== 'single-active' && parts[1] !== 'all-active')
      )
        bad(text);
      return {
        kind: 'esi-label',
        singleActive: parts[1] === 'single-active',
        label: parseLabel(parts[0], text),
      };
    }
    case 'es-import':
    case 'router-mac':
    case 'rtrmac': {
      const b = new Uint8Array(6);
      if (!writeHexBytes(rest, 6, b, 0)) bad(text);
      return { kind: head === 'es-import' ? 'es-import' : 'router-mac', mac: formatMac(b, 0) };
    }
    case 'etree': {
      const parts = rest.split(':');
      if (parts.length !== 2 || (parts[0] !== 'leaf' && parts[0] !== 'root')) bad(text);
      return { kind: 'e-tree', leaf: parts[0] === 'leaf', label: parseLabel(parts[1], text) };
    }
    case 'mcast-flags':
      return { kind: 'multicast-flags', flags: num(rest, 0xffff, text) };
    case 'originvn': {
      const v = parseAsValue(rest, text);
      return { kind: 'tf-origin-vn', form: v.form, asn: v.asn, vnIndex: v.value };
    }
    case 'secgroup': {
      const v = parseAsValue(rest, text);
      return { kind: 'tf-security-group', form: v.form, asn: v.asn, id: v.value };
    }
    case 'tag': {
      const v = parseAsValue(rest, text);
      return { kind: 'tf-tag', form: v.form, asn: v.asn, tag: v.value };
    }
    case 'subcluster': {
      const v = parseAsValue(rest, text);
      return { kind: 'tf-sub-cluster', form: v.form, asn: v.asn, id: v.value };
    }
    case 'load-balance': {
      const names = rest === '' ? [] : rest.split(',');
      const c = {
        kind: 'tf-load-balance' as const,
        l3SourceAddress: false,
        l3DestinationAddress: false,
        l4Protocol: false,
        l4SourcePort: false,
        l4DestinationPort: false,
        sourceBias: false,
      };
      for (const n of names) {
        const f = lbFields.find(([, name]) => name === n);
        if (!f) bad(text);
        (c as Record<string, unknown>)[f[0]] = true;
      }
      return c;
    }
    case 'local-sequence-number':
    case 'local_sequence_number':
      return { kind: 'tf-local-sequence-number', sequence: num(rest, 0xffffffff, text) };
    case 'raw': {
      if (!/^[0-9a-fA-F]{16}$/.test(rest)) bad(text);
      const bytes = new Uint8Array(8);
      for (let k = 0; k < 8; k++) bytes[k] = Number.parseInt(rest.slice(2 * k, 2 * k + 2), 16);
      return { kind: 'raw', bytes };
    }
    default:
      bad(text);
  }
}

/** True for a route target (RFC 4360 4), the communities VRF import/export and RT-constraint match on. */
export function isRouteTarget(
  c: ExtendedCommunity,
): c is Extract<ExtendedCommunity, { kind: 'route-target' }> {
  return c.kind === 'route-target';
}
