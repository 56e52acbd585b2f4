// Tunnel encapsulation into headroom: the inner packet already sits in `buf` at `innerOffset`, and the outer
// headers are written in front of it, innermost first (as gopacket's prepend serialization), so the payload
// is never copied. One call writes, from the inside out:
//
//   VXLAN (RFC 7348 section 5)            MPLS over UDP (RFC 7510 section 3)   MPLS over GRE (RFC 4023 section 4)
//   [Ethernet [802.1Q]]                   [Ethernet [802.1Q]]                  [Ethernet [802.1Q]]
//   IPv4 | IPv6                           IPv4 | IPv6                          IPv4 | IPv6  (protocol 47)
//   UDP  src = entropy, dst = 4789        UDP  src = entropy, dst = 6635       GRE  0x8847 [key]
//   VXLAN flags I, VNI                    MPLS label stack (S on the last)     MPLS label stack
//   inner Ethernet frame                  inner IP packet or Ethernet frame    inner IP packet or Ethernet frame
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |R|R|R|R|I|R|R|R|            Reserved                           |  VXLAN
//   |                VXLAN Network Identifier (VNI) |   Reserved    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                Label                  | TC  |S|       TTL     |  MPLS label stack entry
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |C| |K|S| Reserved0       | Ver |         Protocol Type         |  GRE (RFC 2784/2890)
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Checksums: the outer IPv4 header checksum is always computed. The UDP checksum is zero over IPv4, which
// RFC 7348 section 5 and RFC 7510 section 3 allow. Over IPv6 it is computed: RFC 6935/6936 permit a zero
// UDP checksum for tunnels only under conditions (every receiver configured to accept it, and RFC 7510
// section 3 leaves it to be enabled per tunnel), and a receiver that is not so configured drops the packet.
// Computing it is the choice that every IPv6 receiver accepts; it costs one pass over the payload, which it
// reads but does not move.
//
// The UDP source port carries entropy from the inner flow (entropy.ts), in 49152-65535 per RFC 7510
// section 3; over IPv6 the flow label carries the same hash (RFC 6438), which also serves MPLS over GRE,
// where there is no UDP port.

import { formatIPv4, formatIPv6, formatMac, ipv4ToUint32, parseIPv6, parseMac } from './address.js';
import { put16, put32 } from './bytes.js';
import { ipv6PseudoSum, onesSum } from './checksum.js';
import { entropyPort, innerFlowHash } from './entropy.js';
import { checkRange, InvalidFieldError, RangeFieldError } from './errors.js';
import { decapFast, decapFastIp, MPLS_UDP_PORT, VXLAN_PORT } from './fastpath.js';
import {
  ETH_DST,
  ETH_IPV4,
  ETH_IPV6,
  ETH_MPLS,
  ETH_SRC,
  ETH_TYPE,
  ETH_VLAN,
  GRE_FLAGS,
  GRE_K,
  GRE_MIN_LEN,
  GRE_PROTOCOL,
  IP_GRE,
  IP_UDP,
  IP4_CHECKSUM,
  IP4_DST,
  IP4_FLAGS_FRAG,
  IP4_ID,
  IP4_MIN_LEN,
  IP4_PROTOCOL,
  IP4_SRC,
  IP4_TOS,
  IP4_TOTAL_LENGTH,
  IP4_TTL,
  IP6_DST,
  IP6_HOP_LIMIT,
  IP6_NEXT_HEADER,
  IP6_PAYLOAD_LENGTH,
  IP6_SRC,
  MPLS_ENTRY_LEN,
  MPLS_S,
  UDP_CHECKSUM,
  UDP_DST_PORT,
  UDP_LEN,
  UDP_LENGTH,
  UDP_SRC_PORT,
  VLAN_LEN,
  VLAN_TCI,
  VXLAN_FLAG_I,
  VXLAN_FLAGS,
  VXLAN_LEN,
  VXLAN_VNI,
} from './offsets.js';
import { DecapMeta, fastPathError, MAX_LABELS, TunnelKind } from './view.js';

/** Outer-header settings for the headroom encapsulators. Allocate once per tunnel/next hop and reuse. */
export class TunnelParams {
  /** 4 or 6. */
  ipVersion: 4 | 6 = 4;
  /** Outer IPv4 addresses as unsigned 32-bit numbers. */
  src4 = 0;
  dst4 = 0;
  /** Outer IPv6 addresses. */
  readonly src6 = new Uint8Array(16);
  readonly dst6 = new Uint8Array(16);
  /** IPv4 TTL / IPv6 hop limit. */
  ttl = 64;
  /** IPv4 TOS / IPv6 traffic class (DSCP and ECN). */
  tos = 0;
  /** IPv6 flow label; -1 takes it from the inner flow's hash. */
  flowLabel = -1;
  /** IPv4 identification (the caller may step it per packet). */
  ipId = 0;
  /** IPv4 DF bit: RFC 7348 section 4.3 forbids fragmenting VXLAN packets, so the default is set. */
  dontFragment = true;
  /** UDP source port; 0 takes it from the inner flow's hash. */
  srcPort = 0;
  /** Seed of the entropy hash. */
  seed = 0;
  /** Write an outer Ethernet header (with `srcMac`, `dstMac`, optional VLAN). */
  ethernet = false;
  readonly srcMac = new Uint8Array(6);
  readonly dstMac = new Uint8Array(6);
  /** 802.1Q VLAN id of the outer frame, or -1 for none. */
  vlan = -1;
  /** 802.1Q priority code point. */
  vlanPcp = 0;
  /** VXLAN network identifier (24 bits). */
  vni = 0;
  /** MPLS label stack, top first: labelCount entries of labels/labelTc/labelTtl. */
  labelCount = 0;
  readonly labels = new Uint32Array(MAX_LABELS);
  readonly labelTc = new Uint8Array(MAX_LABELS);
  readonly labelTtl = new Uint8Array(MAX_LABELS).fill(64);
  /** For MPLS: the inner packet is an Ethernet frame (EVPN) rather than IP; used for the entropy hash. */
  innerEthernet = false;
  /** GRE key (RFC 2890), or -1 for none. */
  greKey = -1;
}

/** Optional output of the encapsulators: where the packet now starts, its length and the source port used. */
export class EncapInfo {
  start = 0;
  length = 0;
  srcPort = 0;
  hash = 0;
}

const T_VXLAN = 1;
const T_MPLS_UDP = 2;
const T_MPLS_GRE = 3;

/** Bytes of outer headers `encapVxlan` writes for these params (the headroom it needs). */
export function vxlanOverhead(p: TunnelParams): number {
  return l2Len(p) + (p.ipVersion === 6 ? 40 : 20) + 16;
}

/** Bytes of outer headers `encapMplsUdp` writes. */
export function mplsUdpOverhead(p: TunnelParams): number {
  return l2Len(p) + (p.ipVersion === 6 ? 40 : 20) + 8 + 4 * p.labelCount;
}

/** Bytes of outer headers `encapMplsGre` writes. */
export function mplsGreOverhead(p: TunnelParams): number {
  return l2Len(p) + (p.ipVersion === 6 ? 40 : 20) + (p.greKey >= 0 ? 8 : 4) + 4 * p.labelCount;
}

/**
 * Writes Ethernet?/IP/UDP/VXLAN in front of the inner Ethernet frame at `buf[innerOffset, +innerLength)`.
 * Returns the new start offset; the packet is `buf[start, innerOffset + innerLength)`.
 * Throws RangeFieldError when the headroom or a field value does not fit.
 */
export function encapVxlan(
  buf: Uint8Array,
  innerOffset: number,
  innerLength: number,
  p: TunnelParams,
  out?: EncapInfo,
): number {
  return encap(T_VXLAN, buf, innerOffset, innerLength, p, out);
}

/** Writes Ethernet?/IP/UDP 6635/MPLS label stack in front of the inner packet (RFC 7510). */
export function encapMplsUdp(
  buf: Uint8Array,
  innerOffset: number,
  innerLength: number,
  p: TunnelParams,
  out?: EncapInfo,
): number {
  return encap(T_MPLS_UDP, buf, innerOffset, innerLength, p, out);
}

/** Writes Ethernet?/IP/GRE 0x8847/MPLS label stack in front of the inner packet (RFC 4023). */
export function encapMplsGre(
  buf: Uint8Array,
  innerOffset: number,
  innerLength: number,
  p: TunnelParams,
  out?: EncapInfo,
): number {
  return encap(T_MPLS_GRE, buf, innerOffset, innerLength, p, out);
}

function l2Len(p: TunnelParams): number {
  return p.ethernet ? (p.vlan >= 0 ? 18 : 14) : 0;
}

function encap(
  kind: number,
  buf: Uint8Array,
  innerOffset: number,
  innerLength: number,
  p: TunnelParams,
  out?: EncapInfo,
): number {
  if (innerOffset < 0 || innerLength < 0 || innerOffset + innerLength > buf.length) {
    throw new RangeFieldError('tunnel', 'innerLength', innerOffset + innerLength, 0, buf.length);
  }
  const v6 = p.ipVersion === 6;
  const ipLen = v6 ? 40 : 20;
  const l2 = l2Len(p);
  let tun: number;
  if (kind === T_VXLAN) tun = 16;
  else {
    if (p.labelCount < 1 || p.labelCount > MAX_LABELS)
      throw new RangeFieldError('mpls', 'labelCount', p.labelCount, 1, MAX_LABELS);
    tun = 4 * p.labelCount + (kind === T_MPLS_UDP ? 8 : p.greKey >= 0 ? 8 : 4);
  }
  const start = innerOffset - l2 - ipLen - tun;
  if (start < 0) throw new RangeFieldError('tunnel', 'headroom', innerOffset, l2 + ipLen + tun, buf.length);
  const ipPayload = tun + innerLength;
  if (ipPayload + (v6 ? 0 : 20) > 0xffff)
    throw new RangeFieldError('tunnel', 'innerLength', innerLength, 0, 0xffff - tun - 20);

  const hash = innerFlowHash(buf, innerOffset, innerLength, kind === T_VXLAN || p.innerEthernet, p.seed);
  let q = innerOffset;
  // Tunnel header(s), inside out.
  if (kind === T_VXLAN) {
    checkRange('vxlan', 'vni', p.vni, 0, 0xffffff);
    q -= VXLAN_LEN;
    put32(buf, q + VXLAN_FLAGS, VXLAN_FLAG_I << 24); // I flag: the VNI is valid; reserved bits zero
    put32(buf, q + VXLAN_VNI, p.vni << 8);
  } else {
    for (let i = p.labelCount - 1; i >= 0; i--) {
      const label = p.labels[i]!;
      const tc = p.labelTc[i]!;
      if (label > 0xfffff) throw new RangeFieldError('mpls', 'label', label, 0, 0xfffff);
      if (tc > 7) throw new RangeFieldError('mpls', 'tc', tc, 0, 7);
      q -= MPLS_ENTRY_LEN;
      const bottom = i === p.labelCount - 1 ? MPLS_S : 0;
      put32(buf, q, ((label << 12) | (tc << 9) | bottom | p.labelTtl[i]!) >>> 0);
    }
  }
  let srcPort = 0;
  const l4 = kind === T_MPLS_GRE ? q - (p.greKey >= 0 ? GRE_MIN_LEN + 4 : GRE_MIN_LEN) : q - UDP_LEN;
  if (kind === T_MPLS_GRE) {
    const hasKey = p.greKey >= 0;
    if (hasKey && p.greKey > 0xffffffff) throw new RangeFieldError('gre', 'key', p.greKey, 0, 0xffffffff);
    put16(buf, l4 + GRE_FLAGS, hasKey ? GRE_K : 0); // version 0, no checksum or sequence
    put16(buf, l4 + GRE_PROTOCOL, ETH_MPLS);
    if (hasKey) put32(buf, l4 + GRE_MIN_LEN, p.greKey);
  } else {
    srcPort = p.srcPort !== 0 ? p.srcPort : entropyPort(hash);
    if (srcPort > 0xffff) throw new RangeFieldError('udp', 'srcPort', srcPort, 0, 0xffff);
    put16(buf, l4 + UDP_SRC_PORT, srcPort);
    put16(buf, l4 + UDP_DST_PORT, kind === T_VXLAN ? VXLAN_PORT : MPLS_UDP_PORT);
    put16(buf, l4 + UDP_LENGTH, ipPayload);
    put16(buf, l4 + UDP_CHECKSUM, 0);
  }
  const proto = kind === T_MPLS_GRE ? IP_GRE : IP_UDP;
  const ip = l4 - ipLen;
  if (v6) {
    const fl = p.flowLabel >= 0 ? p.flowLabel : hash & 0xfffff;
    if (fl > 0xfffff) throw new RangeFieldError('ipv6', 'flowLabel', fl, 0, 0xfffff);
    put32(buf, ip, ((6 << 28) | ((p.tos & 0xff) << 20) | fl) >>> 0); // version, traffic class, flow label
    put16(buf, ip + IP6_PAYLOAD_LENGTH, ipPayload);
    buf[ip + IP6_NEXT_HEADER] = proto;
    buf[ip + IP6_HOP_LIMIT] = p.ttl;
    buf.set(p.src6, ip + IP6_SRC);
    buf.set(p.dst6, ip + IP6_DST);
    if (proto === IP_UDP) {
      // UDP checksum over the pseudo-header, header and payload; 0 is sent as 0xffff (RFC 768).
      const sum = ipv6PseudoSum(buf, ip + IP6_SRC, ip + IP6_DST, IP_UDP, ipPayload);
      const c = ~onesSum(buf, l4, ipPayload, sum) & 0xffff;
      put16(buf, l4 + UDP_CHECKSUM, c === 0 ? 0xffff : c);
    }
  } else {
    buf[ip] = 0x45; // version 4, IHL 5: no options
    buf[ip + IP4_TOS] = p.tos;
    put16(buf, ip + IP4_TOTAL_LENGTH, IP4_MIN_LEN + ipPayload);
    put16(buf, ip + IP4_ID, p.ipId & 0xffff);
    put16(buf, ip + IP4_FLAGS_FRAG, p.dontFragment ? 0x4000 : 0);
    buf[ip + IP4_TTL] = p.ttl;
    buf[ip + IP4_PROTOCOL] = proto;
    put16(buf, ip + IP4_CHECKSUM, 0);
    put32(buf, ip + IP4_SRC, p.src4);
    put32(buf, ip + IP4_DST, p.dst4);
    // RFC 1071 sum of the ten header words.
    let s = 0;
    for (let i = ip; i < ip + IP4_MIN_LEN; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
    s = (s & 0xffff) + (s >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    put16(buf, ip + IP4_CHECKSUM, ~s & 0xffff);
  }
  if (l2 > 0) {
    const e = ip - l2;
    buf.set(p.dstMac, e + ETH_DST);
    buf.set(p.srcMac, e + ETH_SRC);
    let t = e + ETH_TYPE;
    if (p.vlan >= 0) {
      if (p.vlan > 0xfff) throw new RangeFieldError('vlan', 'vid', p.vlan, 0, 0xfff);
      // The TPID takes the EtherType's place; the tag (TCI, EtherType) follows it.
      put16(buf, t, ETH_VLAN);
      put16(buf, t + 2 + VLAN_TCI, ((p.vlanPcp & 7) << 13) | p.vlan);
      t += VLAN_LEN;
    }
    put16(buf, t, v6 ? ETH_IPV6 : ETH_IPV4);
  }
  if (out) {
    out.start = start;
    out.length = innerOffset + innerLength - start;
    out.srcPort = srcPort;
    out.hash = hash;
  }
  return start;
}

// ---- Value-level API: plain objects and text addresses in, bytes out, and back. ----

/** One MPLS label stack entry for the value API: a bare label, or label with traffic class and TTL. */
export type LabelSpec = number | { label: number; tc?: number; ttl?: number };

/** Outer headers shared by every tunnel kind. Addresses are text; the IP version follows `src`. */
export interface TunnelOuterSpec {
  /** Outer source and destination IPv4 or IPv6 address. */
  src: string;
  dst: string;
  ttl?: number;
  /** IPv4 TOS / IPv6 traffic class. */
  tos?: number;
  /** IPv6 flow label; from the inner flow's hash when omitted. */
  flowLabel?: number;
  /** IPv4 identification. */
  id?: number;
  /** IPv4 DF bit (default true). */
  dontFragment?: boolean;
  /** UDP source port; entropy from the inner flow when omitted. */
  srcPort?: number;
  /** Entropy hash seed. */
  seed?: number;
  /** Outer Ethernet header, when the result should be a whole frame. */
  ethernet?: { src: string; dst: string; vlan?: number; pcp?: number };
}

/** What `encapsulate` builds. */
export type TunnelSpec =
  | ({ type: 'vxlan'; vni: number } & TunnelOuterSpec)
  | ({ type: 'mpls-udp'; labels: LabelSpec[]; innerEthernet?: boolean } & TunnelOuterSpec)
  | ({ type: 'mpls-gre'; labels: LabelSpec[]; key?: number; innerEthernet?: boolean } & TunnelOuterSpec);

/** Fills a reusable TunnelParams from a value-level spec (parses the text addresses once). */
export function tunnelParams(spec: TunnelSpec, p: TunnelParams = new TunnelParams()): TunnelParams {
  const v6 = spec.src.includes(':');
  if (v6 !== spec.dst.includes(':'))
    throw new InvalidFieldError('tunnel', 'dst', 0, spec.dst, 'src and dst differ in IP version');
  p.ipVersion = v6 ? 6 : 4;
  if (v6) {
    parseIPv6(spec.src, p.src6);
    parseIPv6(spec.dst, p.dst6);
  } else {
    p.src4 = ipv4ToUint32(spec.src);
    p.dst4 = ipv4ToUint32(spec.dst);
  }
  const ttl = spec.ttl ?? 64;
  const tos = spec.tos ?? 0;
  const id = spec.id ?? 0;
  const srcPort = spec.srcPort ?? 0;
  checkRange('ip', 'ttl', ttl, 0, 255);
  checkRange('ip', 'tos', tos, 0, 255);
  checkRange('ipv4', 'id', id, 0, 0xffff);
  checkRange('udp', 'srcPort', srcPort, 0, 0xffff);
  if (spec.flowLabel !== undefined) checkRange('ipv6', 'flowLabel', spec.flowLabel, 0, 0xfffff);
  p.ttl = ttl;
  p.tos = tos;
  p.ipId = id;
  p.srcPort = srcPort;
  p.flowLabel = spec.flowLabel ?? -1;
  p.dontFragment = spec.dontFragment ?? true;
  p.seed = spec.seed ?? 0;
  p.ethernet = spec.ethernet !== undefined;
  p.vlan = -1;
  if (spec.ethernet) {
    const { vlan = -1, pcp = 0 } = spec.ethernet;
    if (vlan !== -1) checkRange('vlan', 'vid', vlan, 0, 0xfff);
    checkRange('vlan', 'pcp', pcp, 0, 7);
    parseMac(spec.ethernet.src, p.srcMac);
    parseMac(spec.ethernet.dst, p.dstMac);
    p.vlan = vlan;
    p.vlanPcp = pcp;
  }
  p.greKey = -1;
  p.innerEthernet = false;
  if (spec.type === 'vxlan') {
    checkRange('vxlan', 'vni', spec.vni, 0, 0xffffff);
    p.vni = spec.vni;
    return p;
  }
  p.innerEthernet = spec.innerEthernet ?? false;
  if (spec.type === 'mpls-gre' && spec.key !== undefined) {
    checkRange('gre', 'key', spec.key, 0, 0xffffffff);
    p.greKey = spec.key;
  }
  const n = spec.labels.length;
  if (n < 1 || n > MAX_LABELS) throw new RangeFieldError('mpls', 'labelCount', n, 1, MAX_LABELS);
  for (let i = 0; i < n; i++) {
    const l = spec.labels[i]!;
    const { label, tc = 0, ttl: lttl = 64 } = typeof l === 'number' ? { label: l } : l;
    checkRange('mpls', 'label', label, 0, 0xfffff);
    checkRange('mpls', 'tc', tc, 0, 7);
    checkRange('mpls', 'ttl', lttl, 0, 255);
    p.labels[i] = label;
    p.labelTc[i] = tc;
    p.labelTtl[i] = lttl;
  }
  p.labelCount = n;
  return p;
}

/** Builds a tunnelled packet around `inner` (an Ethernet frame for VXLAN; IP or Ethernet for MPLS). */
export function encapsulate(spec: TunnelSpec, inner: Uint8Array): Uint8Array {
  const p = tunnelParams(spec);
  const head =
    spec.type === 'vxlan'
      ? vxlanOverhead(p)
      : spec.type === 'mpls-udp'
        ? mplsUdpOverhead(p)
        : mplsGreOverhead(p);
  const buf = new Uint8Array(head + inner.length);
  buf.set(inner, head);
  const f = spec.type === 'vxlan' ? encapVxlan : spec.type === 'mpls-udp' ? encapMplsUdp : encapMplsGre;
  const start = f(buf, head, inner.length, p);
  return buf.subarray(start);
}

/** A decoded MPLS label stack entry (RFC 3032 section 2.1). */
export interface LabelStackEntry {
  label: number;
  tc: number;
  bottomOfStack: boolean;
  ttl: number;
}

/** What `decapsulate` found. `inner` is a view into the input (no copy). */
export interface Decapsulated {
  type: 'vxlan' | 'mpls-udp' | 'mpls-gre' | 'gre';
  outer: {
    ethernet?: { src: string; dst: string; vlan?: number };
    ipVersion: 4 | 6;
    src: string;
    dst: string;
    ttl: number;
    srcPort?: number;
    dstPort?: number;
  };
  vni?: number;
  labels?: LabelStackEntry[];
  greKey?: number;
  greProtocol?: number;
  innerType: 'ethernet' | 'ipv4' | 'ipv6' | 'unknown';
  innerOffset: number;
  inner: Uint8Array;
}

const TUNNEL_NAMES = ['none', 'vxlan', 'mpls-udp', 'mpls-gre', 'gre'] as const;
const INNER_NAMES: Record<number, Decapsulated['innerType']> = {
  0: 'unknown',
  1: 'ethernet',
  4: 'ipv4',
  6: 'ipv6',
};

/**
 * Decapsulates a VXLAN, MPLS-over-UDP, MPLS-over-GRE or GRE packet. `ethernet: false` when `bytes` starts
 * at the outer IP header. Throws the typed error for the first bad field.
 */
export function decapsulate(bytes: Uint8Array, opts: { ethernet?: boolean } = {}): Decapsulated {
  const m = new DecapMeta();
  const eth = opts.ethernet ?? true;
  const st = eth ? decapFast(bytes, 0, bytes.length, m) : decapFastIp(bytes, 0, bytes.length, m);
  if (st !== 0) throw fastPathError(st, m.errorOffset, bytes.length);
  const ip = m.outerL3Offset;
  const v6 = m.outerIpVersion === 6;
  const outer: Decapsulated['outer'] = {
    ipVersion: v6 ? 6 : 4,
    src: v6 ? formatIPv6(bytes, ip + 8) : formatIPv4(bytes, ip + 12),
    dst: v6 ? formatIPv6(bytes, ip + 24) : formatIPv4(bytes, ip + 16),
    ttl: m.outerTtl,
  };
  if (eth) {
    outer.ethernet = { src: formatMac(bytes, 6), dst: formatMac(bytes, 0) };
    if (m.outerVlan >= 0) outer.ethernet.vlan = m.outerVlan;
  }
  const type = TUNNEL_NAMES[m.tunnel] as Decapsulated['type'];
  const r: Decapsulated = {
    type,
    outer,
    innerType: INNER_NAMES[m.innerKind] ?? 'unknown',
    innerOffset: m.innerOffset,
    inner: bytes.subarray(m.innerOffset, m.innerOffset + m.innerLength),
  };
  if (m.tunnel === TunnelKind.vxlan || m.tunnel === TunnelKind.mplsUdp) {
    outer.srcPort = m.srcPort;
    outer.dstPort = m.dstPort;
  }
  if (m.tunnel === TunnelKind.vxlan) r.vni = m.vni;
  if (m.tunnel === TunnelKind.mplsGre || m.tunnel === TunnelKind.gre) {
    r.greProtocol = m.greProtocol;
    if (m.greKey >= 0) r.greKey = m.greKey;
  }
  if (m.labelCount > 0) {
    r.labels = [];
    for (let i = 0; i < m.labelCount; i++) {
      const e = m.labelEntries[i]!;
      r.labels.push({ label: e >>> 12, tc: (e >>> 9) & 7, bottomOfStack: (e & 0x100) !== 0, ttl: e & 0xff });
    }
  }
  return r;
}
