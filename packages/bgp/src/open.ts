// RFC 4271 4.2: OPEN message (type 1), with optional parameters (RFC 5492: type 2 carries capabilities) and
// the extended optional parameters length of RFC 9072. Structural errors throw with OPEN Message Error;
// `validateOpen` applies the RFC 4271 6.2 checks that need local configuration.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+
//  |    Version    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     My Autonomous System      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Hold Time           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         BGP Identifier                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Opt Parm Len  |  Optional Parameters: Type (1) | Length (1) | Value ...
//  +-+-+-+-+-+-+-+-+
//
//  RFC 9072 form: Opt Parm Len = 255, then Non-Ext OP Type = 255, Extended Opt. Parm. Length (2),
//  and each parameter is Type (1) | Length (2) | Value.
import { type Capability, decodeCapabilities, rolesMatch, writeCapability } from './capabilities/index.js';
import { EncodeError, MalformedError, type NotificationSpec } from './errors.js';
import { finishMessage, startMessage } from './header.js';
import { MessageType } from './message-types.js';
import { OpenErrorSubcode } from './notification-codes.js';
import { openNotification, u16Data } from './notify.js';
import { checkUint, ipv4Text, u16, type Writer, writeIpv4 } from './wire.js';

/** RFC 6793 AS_TRANS: what a 4-octet AS puts in 2-octet fields. */
export const AS_TRANS = 23456;
/** Optional parameter type of capabilities (RFC 5492 4). */
export const CAPABILITIES_PARAMETER = 2;

export type OptionalParameter =
  | { kind: 'capabilities'; capabilities: Capability[] }
  | { kind: 'unknown'; paramType: number; value: Uint8Array };

export interface OpenMessage {
  type: 'open';
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the AS needs 4 octets; see `peerAs`). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier as dotted quad. */
  bgpId: string;
  /** Optional parameters in wire order (one capabilities parameter may hold several capabilities). */
  parameters: OptionalParameter[];
  /** True when the RFC 9072 extended length form is used (always when the parameters exceed 255 bytes). */
  extendedParameters?: boolean;
}

function openError(field: string, offset: number, message: string): MalformedError {
  return new MalformedError('open', field, offset, message, {
    notification: openNotification(OpenErrorSubcode.UNSPECIFIC),
  });
}

/** Decodes the body (after the header) of an OPEN spanning `offset..end`. */
export function decodeOpenBody(buf: Uint8Array, offset: number, end: number): OpenMessage {
  const version = buf[offset]!;
  const myAs = u16(buf, offset + 1);
  const holdTime = u16(buf, offset + 3);
  const bgpId = ipv4Text(buf, offset + 5);
  let optLen = buf[offset + 9]!;
  let p = offset + 10;
  let extended = false;
  if (optLen === 255 && p < end && buf[p] === 255) {
    // RFC 9072 2: Non-Ext OP Type 255 announces the extended form.
    if (p + 3 > end) throw openError('extendedOptParamLength', p, 'extended length overruns the message');
    optLen = u16(buf, p + 1);
    p += 3;
    extended = true;
  }
  if (p + optLen !== end) {
    throw openError(
      'optParamLength',
      offset + 9,
      `optional parameters length ${optLen} does not match the message`,
    );
  }
  const parameters: OptionalParameter[] = [];
  const hdr = extended ? 3 : 2;
  while (p < end) {
    if (p + hdr > end) throw openError('optionalParameter', p, 'parameter header overruns the message');
    const paramType = buf[p]!;
    const len = extended ? u16(buf, p + 1) : buf[p + 1]!;
    p += hdr;
    if (p + len > end)
      throw openError('optionalParameter', p - hdr, `parameter length ${len} overruns the message`);
    if (paramType === CAPABILITIES_PARAMETER) {
      parameters.push({ kind: 'capabilities', capabilities: decodeCapabilities(buf, p, p + len) });
    } else {
      parameters.push({ kind: 'unknown', paramType, value: buf.slice(p, p + len) });
    }
    p += len;
  }
  const m: OpenMessage = { type: 'open', version, myAs, holdTime, bgpId, parameters };
  if (extended) m.extendedParameters = true;
  return m;
}

/** Writes the parameters; false when a parameter does not fit the 1-octet length of the classic form. */
function writeParameters(w: Writer, parameters: readonly OptionalParameter[], extended: boolean): boolean {
  for (const prm of parameters) {
    w.u8(prm.kind === 'capabilities' ? CAPABILITIES_PARAMETER : prm.paramType);
    const at = w.skip(extended ? 2 : 1);
    const start = w.pos;
    if (prm.kind === 'capabilities') for (const c of prm.capabilities) writeCapability(c, w);
    else w.bytes(prm.value);
    const len = w.pos - start;
    if (extended) {
      if (len > 0xffff)
        throw new EncodeError('open', 'optionalParameter', -1, 'parameter longer than 65535 bytes');
      w.patchU16(at, len);
    } else if (len > 255) {
      return false;
    } else {
      w.patchU8(at, len);
    }
  }
  return true;
}

/** The bytes of an OPEN message (header included). Uses the RFC 9072 form when asked or when needed. */
export function encodeOpen(m: OpenMessage): Uint8Array {
  checkUint('open', 'version', m.version, 0xff);
  checkUint('open', 'myAs', m.myAs, 0xffff);
  checkUint('open', 'holdTime', m.holdTime, 0xffff);
  for (const prm of m.parameters)
    if (prm.kind === 'unknown') checkUint('open', 'paramType', prm.paramType, 0xff);
  const w = startMessage(MessageType.OPEN, 64);
  w.u8(m.version).u16(m.myAs).u16(m.holdTime);
  writeIpv4(w, m.bgpId, 'open', 'bgpId');
  const lenAt = w.skip(1);
  const start = w.pos;
  let extended = m.extendedParameters === true;
  if (!extended) {
    const fits = writeParameters(w, m.parameters, false);
    if (!fits || w.pos - start > 255) {
      w.pos = start;
      extended = true;
    }
  }
  if (extended) {
    w.patchU8(lenAt, 255);
    w.u8(255);
    const extAt = w.skip(2);
    const s2 = w.pos;
    writeParameters(w, m.parameters, true);
    w.patchU16(extAt, w.pos - s2);
  } else {
    w.patchU8(lenAt, w.pos - start);
  }
  return finishMessage(w);
}

/** All capabilities of an OPEN, across its parameters, in wire order. */
export function openCapabilities(m: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of m.parameters) if (p.kind === 'capabilities') out.push(...p.capabilities);
  return out;
}

/** The sender's AS: the 4-octet AS capability's value when present (RFC 6793 4.1), else My AS. */
export function peerAs(m: OpenMessage): number {
  for (const c of openCapabilities(m)) if (c.type === 'four-octet-as') return c.asn;
  return m.myAs;
}

export interface OpenInit {
  asn: number;
  holdTime?: number;
  bgpId: string;
  capabilities?: Capability[];
  /** Put every capability in its own optional parameter (as GoBGP does) instead of one parameter. */
  parameterPerCapability?: boolean;
}

/**
 * An OPEN for `asn` (AS_TRANS in My AS when it needs 4 octets) with the given capabilities; the 4-octet AS
 * capability is added when missing. Version 4, hold time 90 by default.
 */
export function makeOpen(init: OpenInit): OpenMessage {
  checkUint('open', 'asn', init.asn, 0xffffffff);
  const caps = [...(init.capabilities ?? [])];
  if (!caps.some((c) => c.type === 'four-octet-as')) caps.push({ type: 'four-octet-as', asn: init.asn });
  const parameters: OptionalParameter[] = init.parameterPerCapability
    ? caps.map((c) => ({ kind: 'capabilities', capabilities: [c] }))
    : [{ kind: 'capabilities', capabilities: caps }];
  return {
    type: 'open',
    version: 4,
    myAs: init.asn > 0xffff ? AS_TRANS : init.asn,
    holdTime: init.holdTime ?? 90,
    bgpId: init.bgpId,
    parameters,
  };
}

export interface OpenExpectations {
  /** The AS configured for the peer (compared with `peerAs`). */
  peerAs?: number;
  /** Our role (RFC 9234); a remote role that does not pair with it gives Role Mismatch. */
  localRole?: number;
  /** Refuse peers that send no role (RFC 9234 strict mode). */
  strictRole?: boolean;
  /** Our BGP Identifier and AS: an internal peer (same AS) with our identifier is refused (RFC 6286 2.2). */
  localBgpId?: string;
  localAs?: number;
}

/**
 * RFC 4271 6.2 checks of a received OPEN: the NOTIFICATION to send, or undefined when it is acceptable.
 * Unsupported version (data: the version we support, 4), bad peer AS, bad BGP identifier (zero, or ours
 * from an internal peer, RFC 6286 2.2),
 * unsupported optional parameter, unacceptable hold time (1 or 2 seconds), role mismatch (RFC 9234 4.2).
 */
export function validateOpen(m: OpenMessage, expect: OpenExpectations = {}): NotificationSpec | undefined {
  if (m.version !== 4) return openNotification(OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER, u16Data(4));
  if (expect.peerAs !== undefined && peerAs(m) !== expect.peerAs)
    return openNotification(OpenErrorSubcode.BAD_PEER_AS);
  const id = m.bgpId.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  const internal = expect.localAs !== undefined && peerAs(m) === expect.localAs;
  if (id === 0 || (internal && m.bgpId === expect.localBgpId)) {
    return openNotification(OpenErrorSubcode.BAD_BGP_IDENTIFIER);
  }
  if (m.parameters.some((p) => p.kind === 'unknown'))
    return openNotification(OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER);
  if (m.holdTime === 1 || m.holdTime === 2) return openNotification(OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME);
  if (expect.localRole !== undefined) {
    const roles = openCapabilities(m).filter((c) => c.type === 'role');
    const distinct = new Set(roles.map((r) => r.role));
    if (distinct.size > 1) return openNotification(OpenErrorSubcode.ROLE_MISMATCH);
    const remote = roles[0];
    if (remote ? !rolesMatch(expect.localRole, remote.role) : expect.strictRole) {
      return openNotification(OpenErrorSubcode.ROLE_MISMATCH);
    }
  }
  return undefined;
}
