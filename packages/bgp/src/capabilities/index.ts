// RFC 5492 4: the Capabilities optional parameter (parameter type 2) holds a list of TLVs.
//
//  +------------------------------+
//  | Capability Code (1 octet)    |
//  | Capability Length (1 octet)  |
//  | Capability Value (variable)  |
//  +------------------------------+
import { EncodeError } from '../errors.js';
import { Writer } from '../wire.js';
import { type AddPathCapability, decodeAddPath, encodeAddPath } from './add-path.js';
import { CapabilityCode } from './codes.js';
import { decodeEnhancedRouteRefresh, type EnhancedRouteRefreshCapability } from './enhanced-route-refresh.js';
import { capabilityError } from './error.js';
import { decodeExtendedMessage, type ExtendedMessageCapability } from './extended-message.js';
import {
  decodeExtendedNextHop,
  type ExtendedNextHopCapability,
  encodeExtendedNextHop,
} from './extended-next-hop.js';
import { decodeFourOctetAs, encodeFourOctetAs, type FourOctetAsCapability } from './four-octet-as.js';
import { decodeFqdn, encodeFqdn, type FqdnCapability } from './fqdn.js';
import {
  decodeGracefulRestart,
  encodeGracefulRestart,
  type GracefulRestartCapability,
} from './graceful-restart.js';
import {
  decodeLongLivedGracefulRestart,
  encodeLongLivedGracefulRestart,
  type LongLivedGracefulRestartCapability,
} from './long-lived-graceful-restart.js';
import { decodeMultiprotocol, encodeMultiprotocol, type MultiprotocolCapability } from './multiprotocol.js';
import { decodeRole, encodeRole, type RoleCapability } from './role.js';
import { decodeRouteRefreshCap, type RouteRefreshCapability } from './route-refresh.js';
import { decodeUnknownCapability, encodeUnknownCapability, type UnknownCapability } from './unknown.js';

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | EnhancedRouteRefreshCapability
  | FourOctetAsCapability
  | GracefulRestartCapability
  | LongLivedGracefulRestartCapability
  | AddPathCapability
  | ExtendedMessageCapability
  | ExtendedNextHopCapability
  | FqdnCapability
  | RoleCapability
  | UnknownCapability;

export type {
  AddPathCapability,
  EnhancedRouteRefreshCapability,
  ExtendedMessageCapability,
  ExtendedNextHopCapability,
  FourOctetAsCapability,
  FqdnCapability,
  GracefulRestartCapability,
  LongLivedGracefulRestartCapability,
  MultiprotocolCapability,
  RoleCapability,
  RouteRefreshCapability,
  UnknownCapability,
};

type Decoder = (buf: Uint8Array, o: number, len: number) => Capability;

const decoders = new Map<number, Decoder>([
  [CapabilityCode.MULTIPROTOCOL, decodeMultiprotocol],
  [CapabilityCode.ROUTE_REFRESH, decodeRouteRefreshCap],
  [CapabilityCode.EXTENDED_NEXT_HOP, decodeExtendedNextHop],
  [CapabilityCode.EXTENDED_MESSAGE, decodeExtendedMessage],
  [CapabilityCode.ROLE, decodeRole],
  [CapabilityCode.GRACEFUL_RESTART, decodeGracefulRestart],
  [CapabilityCode.FOUR_OCTET_AS, decodeFourOctetAs],
  [CapabilityCode.ADD_PATH, decodeAddPath],
  [CapabilityCode.ENHANCED_ROUTE_REFRESH, decodeEnhancedRouteRefresh],
  [CapabilityCode.LONG_LIVED_GRACEFUL_RESTART, decodeLongLivedGracefulRestart],
  [CapabilityCode.FQDN, decodeFqdn],
]);

const codes: Record<Exclude<Capability['type'], 'unknown'>, number> = {
  multiprotocol: CapabilityCode.MULTIPROTOCOL,
  'route-refresh': CapabilityCode.ROUTE_REFRESH,
  'extended-next-hop': CapabilityCode.EXTENDED_NEXT_HOP,
  'extended-message': CapabilityCode.EXTENDED_MESSAGE,
  role: CapabilityCode.ROLE,
  'graceful-restart': CapabilityCode.GRACEFUL_RESTART,
  'four-octet-as': CapabilityCode.FOUR_OCTET_AS,
  'add-path': CapabilityCode.ADD_PATH,
  'enhanced-route-refresh': CapabilityCode.ENHANCED_ROUTE_REFRESH,
  'long-lived-graceful-restart': CapabilityCode.LONG_LIVED_GRACEFUL_RESTART,
  fqdn: CapabilityCode.FQDN,
};

/** The capability code of a value. */
export function capabilityCode(c: Capability): number {
  return c.type === 'unknown' ? c.code : codes[c.type];
}

/** Decodes one capability TLV at `offset` (not past `end`); returns it and the bytes it took. */
export function decodeCapability(
  buf: Uint8Array,
  offset: number,
  end: number,
): { value: Capability; length: number } {
  if (offset + 2 > end) throw capabilityError('header', offset, 'capability header overruns its parameter');
  const code = buf[offset]!;
  const len = buf[offset + 1]!;
  if (offset + 2 + len > end)
    throw capabilityError('header', offset, `capability length ${len} overruns its parameter`);
  const dec = decoders.get(code);
  const value = dec ? dec(buf, offset + 2, len) : decodeUnknownCapability(buf, offset + 2, len, code);
  return { value, length: 2 + len };
}

/** Decodes the capability TLVs filling `offset..end`. */
export function decodeCapabilities(buf: Uint8Array, offset: number, end: number): Capability[] {
  const out: Capability[] = [];
  let p = offset;
  while (p < end) {
    const { value, length } = decodeCapability(buf, p, end);
    out.push(value);
    p += length;
  }
  return out;
}

function encodeValue(c: Capability, w: Writer): void {
  switch (c.type) {
    case 'multiprotocol':
      encodeMultiprotocol(c, w);
      return;
    case 'four-octet-as':
      encodeFourOctetAs(c, w);
      return;
    case 'graceful-restart':
      encodeGracefulRestart(c, w);
      return;
    case 'long-lived-graceful-restart':
      encodeLongLivedGracefulRestart(c, w);
      return;
    case 'add-path':
      encodeAddPath(c, w);
      return;
    case 'extended-next-hop':
      encodeExtendedNextHop(c, w);
      return;
    case 'fqdn':
      encodeFqdn(c, w);
      return;
    case 'role':
      encodeRole(c, w);
      return;
    case 'unknown':
      encodeUnknownCapability(c, w);
      return;
    case 'route-refresh':
    case 'enhanced-route-refresh':
    case 'extended-message':
      return;
  }
}

/** Appends one capability TLV to `w`. */
export function writeCapability(c: Capability, w: Writer): void {
  w.u8(capabilityCode(c));
  const at = w.skip(1);
  const start = w.pos;
  encodeValue(c, w);
  const len = w.pos - start;
  if (len > 255) throw new EncodeError('capability', c.type, -1, `value of ${len} bytes exceeds 255`);
  w.patchU8(at, len);
}

/** One capability TLV as bytes. */
export function encodeCapability(c: Capability): Uint8Array {
  const w = new Writer(32);
  writeCapability(c, w);
  return w.finish();
}

export type { AddPathFamily, AddPathMode } from './add-path.js';
export { CapabilityCode, capabilityName } from './codes.js';
export type { ExtendedNextHopEntry } from './extended-next-hop.js';
export type { GracefulRestartFamily } from './graceful-restart.js';
export type { LlgrFamily } from './long-lived-graceful-restart.js';
export { BgpRole, roleName, rolesMatch } from './role.js';
