// The dissector: walks a frame through the layers with the value codecs and returns each layer with its
// byte offset and length, then the undecoded rest as hex, like a capture viewer's packet tree.
//
//   link (Ethernet 1 | raw IP 101/228/229 | Linux SLL 113 | BSD loopback 0)
//     -> 802.1Q/802.1ad tags -> ARP | IPv4 | IPv6 (+ extension headers) | MPLS
//     IPv4/IPv6 -> ICMP | ICMPv6 | TCP | UDP | GRE | IPv4/IPv6 in IP | MPLS in IP
//     UDP 4789 -> VXLAN -> Ethernet ...     UDP 6635 -> MPLS -> IPv4/IPv6/Ethernet (pluggable guess)
//     UDP 67/68 -> DHCPv4                   GRE -> MPLS (0x8847) | IPv4 | IPv6 | Ethernet (0x6558)
//     TCP/UDP ports -> application decoders registered by other packages (BGP on 179, XMPP on 5269, ...)
//
// Which decoder follows which is data in a DissectorRegistry (EtherTypes, IP protocols, UDP/TCP ports, GRE
// protocols, link types -> decoder names), so other packages plug their decoders in without touching this
// file; `createDissectorRegistry()` returns a fresh copy of the built-ins, so there is no global state.
//
// Every step is bounded: a layer must consume at least one byte and the walk stops after `maxLayers`, so
// a crafted frame cannot make it loop. In lax mode (the default) a truncated or malformed layer ends the
// walk with an `error` layer instead of throwing; values are JSON-friendly (bytes as hex strings).

import { parseIPv6 } from './address.js';
import { arp } from './arp.js';
import { fold16, HEX_CODES, u16 } from './bytes.js';
import { onesSum } from './checksum.js';
import { dhcpv4 } from './dhcpv4.js';
import { EncapError, InvalidFieldError, TruncatedError } from './errors.js';
import { ethernet } from './ethernet.js';
import { gre } from './gre.js';
import { icmpv4 } from './icmpv4.js';
import { icmpv6 } from './icmpv6.js';
import { ipv4 } from './ipv4.js';
import { ipv6, ipv6ChecksumDestination } from './ipv6.js';
import { guessMplsPayloadByNibble, type MplsPayloadGuess, mpls } from './mpls.js';
import { type TcpDecodeOptions, tcp } from './tcp.js';
import { type UdpDecodeOptions, udp } from './udp.js';
import { vlan } from './vlan.js';
import { vxlan } from './vxlan.js';

/** One entry of a dissection: a decoded header, the undecoded payload, or the error that ended the walk. */
export interface DissectedLayer {
  /** Decoder name (`ethernet`, `vlan`, `ipv4`, ..., an application name) or `payload`, `trailer`, `error`. */
  name: string;
  /** Byte offset in the frame. */
  offset: number;
  /** Bytes of this header (for `payload`/`trailer`: of the rest). */
  length: number;
  /** The decoded header: the codec's value object, bytes as hex strings. */
  value?: unknown;
  /** For `payload` and `trailer`: the bytes as hex. */
  hex?: string;
  /** For `error`: what went wrong and where. */
  error?: { name: string; layer: string; field: string; offset: number; message: string };
}

/** What a layer decoder sees besides the bytes. */
export interface DissectContext {
  /** The registry in use (for next-layer lookups). */
  readonly registry: DissectorRegistry;
  readonly options: Readonly<DissectOptions>;
  /** Where the enclosing payload ends (an IP packet's total length, a UDP datagram's length). */
  end: number;
  /**
   * Set by IPv4/IPv6 for the transport layer: where the addresses are and the upper-layer length. The walk
   * reuses one record for every IP layer of a frame: read it in the layer that follows, do not keep it.
   */
  ip?:
    | {
        version: 4 | 6;
        src: number;
        dst: number;
        /** One's-complement sum of the destination the checksum uses when it is not the header's (RFC 8200 8.1). */
        dstSum?: number | undefined;
        payloadLength: number;
        fragment: boolean;
        truncated: boolean;
      }
    | undefined;
  /** The layers decoded so far. */
  readonly layers: readonly DissectedLayer[];
}

/** What a layer decoder returns. */
export interface LayerStep {
  /** The layer's name when it differs from the decoder's (a raw-IP decoder reports `ipv4` or `ipv6`). */
  name?: string | undefined;
  value: unknown;
  /** Header bytes consumed (at least 1). */
  length: number;
  /** Decoder name of what follows, or undefined to stop (the rest becomes `payload`). */
  next?: string | undefined;
  /** A new, smaller end for what follows (e.g. the IP total length cutting off Ethernet padding). */
  end?: number | undefined;
}

/**
 * A layer decoder: decode the header at `offset` in `buf` (which ends at `ctx.end`: the buffer passed is
 * cut there, offsets stay absolute) and say what follows. Throw EncapError subclasses on bad input.
 */
export type LayerDecoder = (buf: Uint8Array, offset: number, ctx: DissectContext) => LayerStep;

/** Options of `dissect`. */
export interface DissectOptions {
  /** pcap link type of the frame (default 1, Ethernet). */
  linktype?: number;
  /** Report a bad layer as a final `error` entry instead of throwing (default true). */
  lax?: boolean;
  /** Says what follows an MPLS stack (default: explicit null labels, then the first nibble). */
  mplsPayload?: MplsPayloadGuess;
  /** Extra UDP port -> decoder name mappings for this call (e.g. `{ 8472: 'vxlan' }` for Linux VXLAN). */
  udpPorts?: Readonly<Record<number, string>>;
  /** Extra TCP port -> decoder name mappings for this call. */
  tcpPorts?: Readonly<Record<number, string>>;
  /** Decoders and bindings to use (default: the built-ins). */
  registry?: DissectorRegistry;
  /** Stop after this many layers (default 32). */
  maxLayers?: number;
}

/** Decoders and the numbers that select them. Make one with `createDissectorRegistry()`. */
export class DissectorRegistry {
  readonly decoders = new Map<string, LayerDecoder>();
  readonly linkTypes = new Map<number, string>();
  readonly etherTypes = new Map<number, string>();
  readonly ipProtocols = new Map<number, string>();
  readonly udpPorts = new Map<number, string>();
  readonly tcpPorts = new Map<number, string>();
  readonly greProtocols = new Map<number, string>();

  /** Adds or replaces a decoder. */
  register(name: string, decoder: LayerDecoder): this {
    this.decoders.set(name, decoder);
    return this;
  }
  linkType(type: number, name: string): this {
    this.linkTypes.set(type, name);
    return this;
  }
  etherType(type: number, name: string): this {
    this.etherTypes.set(type, name);
    return this;
  }
  ipProtocol(protocol: number, name: string): this {
    this.ipProtocols.set(protocol, name);
    return this;
  }
  udpPort(port: number, name: string): this {
    this.udpPorts.set(port, name);
    return this;
  }
  tcpPort(port: number, name: string): this {
    this.tcpPorts.set(port, name);
    return this;
  }
  greProtocol(protocol: number, name: string): this {
    this.greProtocols.set(protocol, name);
    return this;
  }
  /** An independent copy, to extend without changing this one. */
  clone(): DissectorRegistry {
    const r = new DissectorRegistry();
    for (const k of [
      'decoders',
      'linkTypes',
      'etherTypes',
      'ipProtocols',
      'udpPorts',
      'tcpPorts',
      'greProtocols',
    ] as const) {
      for (const [a, b] of this[k] as Map<unknown, unknown>) (r[k] as Map<unknown, unknown>).set(a, b);
    }
    return r;
  }
}

// Node's Buffer formats hex natively, several times faster than any loop here; elsewhere (browsers) the
// fallback builds the string from char codes in one call per chunk.
// A frame that is already a Buffer (read from a file or socket: capture readers hand out its subarrays,
// which stay Buffers) formats in place; a plain Uint8Array gets a Buffer view over the same memory.
interface HexFormattable {
  toString(encoding: 'hex', start?: number, end?: number): string;
}
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(a: ArrayBufferLike, offset: number, length: number): HexFormattable;
      isBuffer(b: unknown): boolean;
      prototype?: { hexSlice?: unknown };
    };
  }
).Buffer;
// Node's native formatter behind `Buffer#toString('hex')` takes any Uint8Array as `this`: called directly it
// skips the Buffer wrapper and argument checks, measured about twice as fast on a 64-byte payload.
const hexSlice =
  typeof NodeBuffer?.prototype?.hexSlice === 'function'
    ? (NodeBuffer.prototype.hexSlice as (this: Uint8Array, start: number, end: number) => string)
    : undefined;
const HEX_CHUNK = 4096; // bytes per String.fromCharCode call, well below engines' argument limits

/** Bytes as lower-case hex without separators. */
export function toHex(buf: Uint8Array, offset = 0, end = buf.length): string {
  if (end <= offset) return '';
  if (hexSlice !== undefined && offset >= 0 && end <= buf.length) return hexSlice.call(buf, offset, end);
  if (NodeBuffer) {
    if (NodeBuffer.isBuffer(buf)) return (buf as unknown as HexFormattable).toString('hex', offset, end);
    return NodeBuffer.from(buf.buffer, buf.byteOffset + offset, end - offset).toString('hex');
  }
  return toHexPortable(buf, offset, end);
}

/** `toHex` without Node's Buffer (browsers, other runtimes): char codes, one call per chunk. */
export function toHexPortable(buf: Uint8Array, offset = 0, end = buf.length): string {
  let s = '';
  for (let at = offset; at < end; at += HEX_CHUNK) {
    const stop = Math.min(end, at + HEX_CHUNK);
    const codes = new Array<number>(2 * (stop - at));
    for (let i = at, j = 0; i < stop; i++, j += 2) {
      const b = buf[i]! << 1;
      codes[j] = HEX_CODES[b]!;
      codes[j + 1] = HEX_CODES[b + 1]!;
    }
    s += String.fromCharCode(...codes);
  }
  return s;
}

/**
 * Makes a codec value JSON-friendly in place: Uint8Array -> hex string, bigint -> decimal string.
 * (Properties that are undefined are left: JSON drops them, and deleting would slow the object down.)
 */
export function jsonFriendly(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : v;
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && (typeof x === 'object' || typeof x === 'bigint')) v[i] = jsonFriendly(x);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x !== null && (typeof x === 'object' || typeof x === 'bigint')) o[k] = jsonFriendly(x);
  }
  return o;
}

/** What a built-in decoder leaves for the walk besides the value: one object per walk, reused. */
interface StepOut {
  name: string | undefined;
  length: number;
  next: string | undefined;
  end: number | undefined;
}

/**
 * A built-in decoder: a LayerDecoder that returns its (JSON-friendly) value and writes the rest of its step
 * into `out`, so the walk allocates no step object per layer. The registry holds each wrapped as a plain
 * LayerDecoder (`layerDecoder`), and `dissect` calls the built-in directly when it finds one.
 */
type BuiltInDecoder = (buf: Uint8Array, offset: number, ctx: DissectContext, out: StepOut) => unknown;

function newStepOut(): StepOut {
  return { name: undefined, length: 0, next: undefined, end: undefined };
}

/** Fills `out` and returns the value: the last line of every built-in decoder. */
function done(out: StepOut, value: unknown, length: number, next: string | undefined, end?: number): unknown {
  out.name = undefined;
  out.length = length;
  out.next = next;
  out.end = end;
  return value;
}

/** Where a registry entry made by `layerDecoder` keeps its built-in (a property: one load, no hash lookup). */
const INNER = Symbol('built-in decoder');
type Wrapped = LayerDecoder & { [INNER]?: BuiltInDecoder };

/** A built-in as a LayerDecoder (a fresh step object per call), for the registry and direct callers. */
function layerDecoder(builtIn: BuiltInDecoder): LayerDecoder {
  const d: Wrapped = (buf, offset, ctx) => {
    const out = newStepOut();
    const value = builtIn(buf, offset, ctx, out);
    return { name: out.name, value, length: out.length, next: out.next, end: out.end };
  };
  d[INNER] = builtIn;
  return d;
}

function byEtherType(ctx: DissectContext, type: number): string | undefined {
  return ctx.registry.etherTypes.get(type);
}

// ---- built-in decoders ----

const ethernetStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const { value, length } = ethernet.decode(buf, offset);
  return done(out, value, length, byEtherType(ctx, value.etherType));
};

const vlanStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const { value, length } = vlan.decode(buf, offset);
  return done(out, value, length, byEtherType(ctx, value.etherType));
};

const arpStep: BuiltInDecoder = (buf, offset, _ctx, out) => {
  const { value, length } = arp.decode(buf, offset);
  return done(out, value, length, undefined);
};

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD type, address, protocol. */
const sllStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  if (offset + 16 > buf.length) throw new TruncatedError('sll', 'header', offset, 16, buf.length - offset);
  const addrLen = u16(buf, offset + 4);
  if (addrLen > 8)
    throw new InvalidFieldError('sll', 'addressLength', offset + 4, addrLen, 'more than 8 bytes');
  const protocol = u16(buf, offset + 14);
  const value = {
    packetType: u16(buf, offset),
    arphrdType: u16(buf, offset + 2),
    address: toHex(buf, offset + 6, offset + 6 + addrLen),
    protocol,
  };
  return done(out, value, 16, byEtherType(ctx, protocol));
};

/** BSD loopback (LINKTYPE_NULL): a 4-byte address family in the writer's byte order. */
const nullStep: BuiltInDecoder = (buf, offset, _ctx, out) => {
  if (offset + 4 > buf.length) throw new TruncatedError('null', 'family', offset, 4, buf.length - offset);
  const le = buf[offset]! | (buf[offset + 1]! << 8);
  const be = (buf[offset + 2]! << 8) | buf[offset + 3]!;
  const family = le !== 0 ? le : be;
  // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
  const next = family === 2 ? 'ipv4' : family === 24 || family === 28 || family === 30 ? 'ipv6' : undefined;
  return done(out, { family }, 4, next);
};

/** Raw IP: IPv4 or IPv6 by the version nibble. */
const rawIpStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  if (offset >= buf.length) throw new TruncatedError('ip', 'version', offset, 1, 0);
  const v = buf[offset]! >> 4;
  if (v !== 4 && v !== 6) throw new InvalidFieldError('ip', 'version', offset, v, 'neither 4 nor 6');
  const value = (v === 4 ? ipv4Step : ipv6Step)(buf, offset, ctx, out);
  out.name = v === 4 ? 'ipv4' : 'ipv6';
  return value;
};

type IpInfo = NonNullable<DissectContext['ip']>;

/** The context `dissect` makes: the public fields and a slot for the walk's one reused IP record. */
interface WalkContext extends DissectContext {
  /** null: empty slot of a walk; absent: a caller's own context (each IP layer then gets a new record). */
  spareIp?: IpInfo | null;
}

/** The IP record to fill: the walk's reused one, or a new one for a context made elsewhere. */
function ipRecord(ctx: DissectContext): IpInfo {
  const w = ctx as WalkContext;
  const spare = w.spareIp;
  if (spare) return spare;
  const ip: IpInfo = {
    version: 4,
    src: 0,
    dst: 0,
    dstSum: undefined,
    payloadLength: 0,
    fragment: false,
    truncated: false,
  };
  if (spare === null) w.spareIp = ip;
  return ip;
}

// Shared, never mutated: no options object per packet.
// Option bytes as views: the dissector turns them into hex at once and keeps no reference.
const LAX = { allowTruncated: true, view: true } as const;
const STRICT = { allowTruncated: false, view: true } as const;

const ipv4Step: BuiltInDecoder = (buf, offset, ctx, out) => {
  const lax = ctx.options.lax !== false;
  const { value, length } = ipv4.decode(buf, offset, lax ? LAX : STRICT);
  const declared = offset + value.totalLength;
  const end = Math.min(declared, buf.length);
  const fragment = value.moreFragments || value.fragmentOffset !== 0;
  const ip = ipRecord(ctx);
  ip.version = 4;
  ip.src = offset + 12;
  ip.dst = offset + 16;
  ip.dstSum = undefined;
  ip.payloadLength = value.totalLength - length;
  ip.fragment = fragment;
  ip.truncated = declared > buf.length;
  ctx.ip = ip;
  // Only the first fragment carries the next header.
  const next = value.fragmentOffset !== 0 ? undefined : ctx.registry.ipProtocols.get(value.protocol);
  // JSON-friendly in place (what `jsonFriendly` would do): the only bytes are the options.
  (value as { options: unknown }).options = toHex(value.options);
  if (value.optionList.length > 0) jsonFriendly(value.optionList);
  return done(out, value, length, next, end);
};

const ipv6Step: BuiltInDecoder = (buf, offset, ctx, out) => {
  const lax = ctx.options.lax !== false;
  const { value, length } = ipv6.decode(buf, offset, lax ? LAX : STRICT);
  const declared = offset + 40 + value.payloadLength;
  const end = value.payloadLength === 0 ? buf.length : Math.min(declared, buf.length);
  let fragment = false;
  let later = false;
  for (const e of value.extensions) {
    if (e.type === 44) {
      fragment = true;
      if (e.fragmentOffset !== 0) later = true;
    }
  }
  // A Routing header still to be processed moves the checksum's destination to the final one.
  let dstSum: number | undefined;
  for (const e of value.extensions) {
    if (e.type === 43 && e.segmentsLeft !== 0) {
      const final = ipv6ChecksumDestination(value);
      if (final !== value.dst) dstSum = onesSum(parseIPv6(final), 0, 16);
    }
  }
  const ip = ipRecord(ctx);
  ip.version = 6;
  ip.src = offset + 8;
  ip.dst = offset + 24;
  ip.dstSum = dstSum;
  ip.payloadLength = end - offset - length;
  ip.fragment = fragment;
  ip.truncated = declared > buf.length;
  ctx.ip = ip;
  const next = later ? undefined : ctx.registry.ipProtocols.get(value.protocol);
  return done(out, jsonFriendly(value), length, next, end);
};

/** One's-complement pseudo-header sum for the transport layer, when checking a checksum makes sense. */
function pseudoSum(
  buf: Uint8Array,
  ctx: DissectContext,
  protocol: number,
  length: number,
): number | undefined {
  const ip = ctx.ip;
  if (!ip || ip.fragment || ip.truncated) return undefined;
  const n = ip.version === 4 ? 4 : 16;
  const dst = ip.dstSum ?? onesSum(buf, ip.dst, n);
  const sum = onesSum(buf, ip.src, n) + dst;
  return fold16(sum + protocol + (length >>> 16) + (length & 0xffff));
}

// Decode options filled in just before each synchronous codec call, which reads and never keeps them:
// no options objects per packet.
const UDP_PSEUDO = { sum: 0, ipv6: false };
const UDP_CHECKED: UdpDecodeOptions = { lax: true, pseudo: UDP_PSEUDO };
const UDP_UNCHECKED: UdpDecodeOptions = { lax: true };
const TCP_PSEUDO = { sum: 0 };
const TCP_CHECKED: TcpDecodeOptions = { pseudo: TCP_PSEUDO, segmentLength: 0 };
const TCP_UNCHECKED: TcpDecodeOptions = {};

const udpStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const lax = ctx.options.lax !== false;
  const ulen = offset + 6 <= buf.length ? (buf[offset + 4]! << 8) | buf[offset + 5]! : 0;
  const sum = pseudoSum(buf, ctx, 17, ulen);
  let opts = UDP_UNCHECKED;
  if (sum !== undefined) {
    UDP_PSEUDO.sum = sum;
    UDP_PSEUDO.ipv6 = ctx.ip?.version === 6;
    opts = UDP_CHECKED;
  }
  opts.lax = lax;
  const { value, length } = udp.decode(buf, offset, opts);
  const extra = ctx.options.udpPorts;
  const reg = ctx.registry.udpPorts;
  const next =
    extra?.[value.dstPort] ?? reg.get(value.dstPort) ?? extra?.[value.srcPort] ?? reg.get(value.srcPort);
  ctx.ip = undefined;
  return done(out, value, length, next, Math.min(buf.length, offset + (value.length ?? buf.length - offset)));
};

const tcpStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const ip = ctx.ip;
  const segment = ip ? ip.payloadLength : buf.length - offset;
  const sum = pseudoSum(buf, ctx, 6, segment);
  const full = offset + segment <= buf.length;
  let opts = TCP_UNCHECKED;
  if (sum !== undefined && full) {
    TCP_PSEUDO.sum = sum;
    TCP_CHECKED.segmentLength = segment;
    opts = TCP_CHECKED;
  }
  const { value, length } = tcp.decode(buf, offset, opts);
  const extra = ctx.options.tcpPorts;
  const reg = ctx.registry.tcpPorts;
  const next =
    extra?.[value.dstPort] ?? reg.get(value.dstPort) ?? extra?.[value.srcPort] ?? reg.get(value.srcPort);
  ctx.ip = undefined;
  // JSON-friendly in place: only options (unknown kinds) and padding hold bytes.
  if (value.options.length > 0) jsonFriendly(value.options);
  if (value.padding) (value as { padding: unknown }).padding = toHex(value.padding);
  return done(out, value, length, next);
};

const icmpv4Step: BuiltInDecoder = (buf, offset, ctx, out) => {
  const ip = ctx.ip;
  ctx.ip = undefined;
  const { value, length } = icmpv4.decode(
    buf,
    offset,
    ip && !ip.truncated ? { length: ip.payloadLength } : {},
  );
  return done(out, jsonFriendly(value), length, undefined);
};

const icmpv6Step: BuiltInDecoder = (buf, offset, ctx, out) => {
  const ip = ctx.ip;
  ctx.ip = undefined;
  const { value, length } =
    !ip || ip.truncated
      ? icmpv6.decode(buf, offset)
      : icmpv6.decode(buf, offset, {
          length: ip.payloadLength,
          pseudoHeader: {
            addressSum: fold16(onesSum(buf, ip.src, 16) + (ip.dstSum ?? onesSum(buf, ip.dst, 16))),
          },
        });
  return done(out, jsonFriendly(value), length, undefined);
};

const greStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const ip = ctx.ip;
  ctx.ip = undefined;
  const { value, length } = gre.decode(
    buf,
    offset,
    ip && !ip.truncated ? { packetLength: ip.payloadLength } : {},
  );
  return done(out, value, length, ctx.registry.greProtocols.get(value.protocolType));
};

const vxlanStep: BuiltInDecoder = (buf, offset, _ctx, out) => {
  const { value, length } = vxlan.decode(buf, offset);
  return done(out, value, length, 'ethernet');
};

const mplsStep: BuiltInDecoder = (buf, offset, ctx, out) => {
  const { value, length } = mpls.decode(buf, offset);
  const kind = (ctx.options.mplsPayload ?? guessMplsPayloadByNibble)(value, buf, offset + length);
  return done(out, value, length, kind === 'unknown' ? undefined : kind);
};

// The message is the UDP payload: `buf` ends where the datagram does (the walk cut it at the UDP length,
// itself within the IP packet), and saying so explicitly keeps link-layer padding after the datagram out of
// the message's `trailer` even for a caller that hands this decoder an uncut buffer with its own ctx.end.
const dhcpv4Step: BuiltInDecoder = (buf, offset, ctx, out) => {
  const end = Math.min(buf.length, ctx.end);
  const { value, length } = dhcpv4.decode(buf, offset, { length: Math.max(0, end - offset) });
  return done(out, jsonFriendly(value), length, undefined);
};

// The registry's entries for the built-ins (each value JSON-friendly already: no walk in `dissect`).
const decodeEthernet = layerDecoder(ethernetStep);
const decodeVlan = layerDecoder(vlanStep);
const decodeArp = layerDecoder(arpStep);
const decodeSll = layerDecoder(sllStep);
const decodeNull = layerDecoder(nullStep);
const decodeRawIp = layerDecoder(rawIpStep);
const decodeIpv4 = layerDecoder(ipv4Step);
const decodeIpv6 = layerDecoder(ipv6Step);
const decodeIcmpv4 = layerDecoder(icmpv4Step);
const decodeIcmpv6 = layerDecoder(icmpv6Step);
const decodeUdp = layerDecoder(udpStep);
const decodeTcp = layerDecoder(tcpStep);
const decodeGre = layerDecoder(greStep);
const decodeVxlan = layerDecoder(vxlanStep);
const decodeMpls = layerDecoder(mplsStep);
const decodeDhcpv4 = layerDecoder(dhcpv4Step);

/** A registry with every decoder this package has and the standard numbers bound to them. */
export function createDissectorRegistry(): DissectorRegistry {
  return new DissectorRegistry()
    .register('ethernet', decodeEthernet)
    .register('vlan', decodeVlan)
    .register('arp', decodeArp)
    .register('sll', decodeSll)
    .register('null', decodeNull)
    .register('ip', decodeRawIp)
    .register('ipv4', decodeIpv4)
    .register('ipv6', decodeIpv6)
    .register('icmpv4', decodeIcmpv4)
    .register('icmpv6', decodeIcmpv6)
    .register('udp', decodeUdp)
    .register('tcp', decodeTcp)
    .register('gre', decodeGre)
    .register('vxlan', decodeVxlan)
    .register('mpls', decodeMpls)
    .register('dhcpv4', decodeDhcpv4)
    .linkType(0, 'null')
    .linkType(1, 'ethernet')
    .linkType(101, 'ip')
    .linkType(113, 'sll')
    .linkType(228, 'ipv4')
    .linkType(229, 'ipv6')
    .etherType(0x0800, 'ipv4')
    .etherType(0x86dd, 'ipv6')
    .etherType(0x0806, 'arp')
    .etherType(0x8100, 'vlan')
    .etherType(0x88a8, 'vlan')
    .etherType(0x9100, 'vlan')
    .etherType(0x8847, 'mpls')
    .etherType(0x8848, 'mpls')
    .ipProtocol(1, 'icmpv4')
    .ipProtocol(4, 'ipv4')
    .ipProtocol(6, 'tcp')
    .ipProtocol(17, 'udp')
    .ipProtocol(41, 'ipv6')
    .ipProtocol(47, 'gre')
    .ipProtocol(58, 'icmpv6')
    .ipProtocol(137, 'mpls')
    .udpPort(4789, 'vxlan')
    .udpPort(6635, 'mpls')
    .udpPort(67, 'dhcpv4')
    .udpPort(68, 'dhcpv4')
    .greProtocol(0x8847, 'mpls')
    .greProtocol(0x8848, 'mpls')
    .greProtocol(0x0800, 'ipv4')
    .greProtocol(0x86dd, 'ipv6')
    .greProtocol(0x6558, 'ethernet');
}

const BUILT_IN = createDissectorRegistry();

/**
 * `BUILT_IN.decoders.get(name)` without the hash lookup (the default registry is private and never changes):
 * the names the built-ins return are literals, so each case is a pointer compare.
 */
function builtInDecoder(name: string): LayerDecoder | undefined {
  switch (name) {
    case 'ethernet':
      return decodeEthernet;
    case 'ipv4':
      return decodeIpv4;
    case 'udp':
      return decodeUdp;
    case 'tcp':
      return decodeTcp;
    case 'vxlan':
      return decodeVxlan;
    case 'ipv6':
      return decodeIpv6;
    case 'vlan':
      return decodeVlan;
    case 'mpls':
      return decodeMpls;
    case 'gre':
      return decodeGre;
    case 'arp':
      return decodeArp;
    case 'icmpv4':
      return decodeIcmpv4;
    case 'icmpv6':
      return decodeIcmpv6;
    case 'dhcpv4':
      return decodeDhcpv4;
    case 'ip':
      return decodeRawIp;
    case 'sll':
      return decodeSll;
    case 'null':
      return decodeNull;
    default:
      return BUILT_IN.decoders.get(name);
  }
}
/** The default options: shared (never written), so a call without options allocates none. */
const NO_OPTIONS: DissectOptions = Object.freeze({});

/**
 * Dissects one frame. Returns its layers in order, then `payload` (undecoded rest of the innermost layer)
 * and `trailer` (bytes after the outermost IP packet, such as Ethernet padding) when there are any.
 * In lax mode (default) a bad layer ends the list with an `error` entry; with `lax: false` it throws.
 */
export function dissect(frame: Uint8Array, opts: DissectOptions = NO_OPTIONS): DissectedLayer[] {
  const registry = opts.registry ?? BUILT_IN;
  const lax = opts.lax !== false;
  const max = opts.maxLayers ?? 32;
  const layers: DissectedLayer[] = [];
  const ctx: WalkContext = {
    registry,
    options: opts,
    end: frame.length,
    ip: undefined,
    layers,
    spareIp: null,
  };
  const linktype = opts.linktype ?? 1;
  let name: string | undefined = registry.linkTypes.get(linktype);
  let offset = 0;
  let firstEnd = -1; // end of the outermost IP packet, for the trailer
  let view = frame; // the frame cut at the current layer's end, so codecs see that end
  const out = newStepOut();
  const builtIns = registry === BUILT_IN;
  while (name !== undefined && offset < ctx.end) {
    const decoder = builtIns ? builtInDecoder(name) : registry.decoders.get(name);
    if (!decoder) break;
    if (layers.length >= max) {
      const e = new InvalidFieldError('dissect', 'layers', offset, layers.length, `more than ${max} layers`);
      if (!lax) throw e;
      layers.push(errorLayer(e, offset));
      return layers;
    }
    if (view.length !== ctx.end) view = frame.subarray(0, ctx.end);
    // A built-in fills the walk's reused `out`; any other decoder returns a LayerStep, copied into it.
    const builtIn = (decoder as Wrapped)[INNER];
    let value: unknown;
    try {
      if (builtIn !== undefined) value = builtIn(view, offset, ctx, out);
      else {
        const step = decoder(view, offset, ctx);
        value = step.value;
        out.name = step.name;
        out.length = step.length;
        out.next = step.next;
        out.end = step.end;
      }
    } catch (e) {
      if (!(e instanceof EncapError) || !lax) throw e;
      layers.push(errorLayer(e, offset));
      return layers;
    }
    const length = out.length;
    if (!(length > 0) || offset + length > ctx.end) {
      const e = new InvalidFieldError(
        name,
        'length',
        offset,
        length,
        'a layer must take 1 or more bytes of its packet',
      );
      if (!lax) throw e;
      layers.push(errorLayer(e, offset));
      return layers;
    }
    layers.push({ name: out.name ?? name, offset, length, value: builtIn ? value : jsonFriendly(value) });
    offset += length;
    const end = out.end;
    if (end !== undefined && end < ctx.end) {
      if (firstEnd < 0) firstEnd = ctx.end;
      ctx.end = Math.max(offset, end);
    }
    name = out.next;
  }
  if (offset < ctx.end)
    layers.push({ name: 'payload', offset, length: ctx.end - offset, hex: toHex(frame, offset, ctx.end) });
  if (firstEnd > 0) {
    // Bytes after the outermost packet that shortened the frame.
    const outerEnd = outermostEnd(layers, frame.length);
    if (outerEnd < frame.length) {
      layers.push({
        name: 'trailer',
        offset: outerEnd,
        length: frame.length - outerEnd,
        hex: toHex(frame, outerEnd, frame.length),
      });
    }
  }
  return layers;
}

/** The end of the first IP packet in the list (where the link layer's padding starts). */
function outermostEnd(layers: DissectedLayer[], frameLength: number): number {
  for (const l of layers) {
    if (l.name === 'ipv4')
      return l.offset + Math.min((l.value as { totalLength: number }).totalLength, frameLength - l.offset);
    if (l.name === 'ipv6') {
      const plen = (l.value as { payloadLength: number }).payloadLength;
      return plen === 0 ? frameLength : l.offset + Math.min(40 + plen, frameLength - l.offset);
    }
  }
  return frameLength;
}

function errorLayer(e: EncapError, offset: number): DissectedLayer {
  return {
    name: 'error',
    offset: e.offset >= 0 ? e.offset : offset,
    length: 0,
    error: { name: e.name, layer: e.layer, field: e.field, offset: e.offset, message: e.message },
  };
}
