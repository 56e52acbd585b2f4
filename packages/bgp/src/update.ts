// RFC 4271 4.3: UPDATE message (type 2), with the error handling of RFC 7606: decoding reports problems
// instead of throwing for attribute errors (flags, lengths, values, duplicates, missing well-known
// mandatory attributes, MP_REACH/MP_UNREACH errors, NLRI syntax), each with its approach and NOTIFICATION.
// It throws only when the message cannot be split into its three parts (RFC 4271 6.3: Withdrawn Routes
// Length or Total Path Attribute Length overrunning the message: Malformed Attribute List, session reset).
//
//  +-----------------------------------------------------+
//  |   Withdrawn Routes Length (2 octets)                |
//  +-----------------------------------------------------+
//  |   Withdrawn Routes (variable)                       |
//  +-----------------------------------------------------+
//  |   Total Path Attribute Length (2 octets)            |
//  +-----------------------------------------------------+
//  |   Path Attributes (variable)                        |
//  +-----------------------------------------------------+
//  |   Network Layer Reachability Information (variable) |
//  +-----------------------------------------------------+
import { Afi, type Family, Safi } from './afi-safi.js';
import { AttrCode, AttrFlag, attrInfo, attrName } from './attribute-codes.js';
import { decodeAttributeValue, type PathAttribute, writeAttribute } from './attributes/index.js';
import { hasAddPath, maxMessageLength, type SessionContext } from './context.js';
import { BgpError, type ErrorAction, MalformedError, TruncatedError } from './errors.js';
import { decodeHeader, finishMessage, HEADER_LENGTH, startMessage } from './header.js';
import { MessageType } from './message-types.js';
import { decodeNlri, encodeNlriInto, type Nlri } from './nlri/index.js';
import { UpdateErrorSubcode } from './notification-codes.js';
import { updateNotification } from './notify.js';
import { strongestAction, subcodeCarriesAttribute, type UpdateProblem } from './rfc7606.js';
import type { Writer } from './wire.js';
import { u16 } from './wire.js';

export interface UpdateMessage {
  type: 'update';
  /** IPv4 unicast prefixes of the Withdrawn Routes field. */
  withdrawn: Nlri[];
  /** Path attributes in wire order (malformed, discarded and duplicate ones left out; see problems). */
  attributes: PathAttribute[];
  /** IPv4 unicast prefixes of the NLRI field. */
  nlri: Nlri[];
}

export interface DecodedUpdate {
  message: UpdateMessage;
  /** RFC 7606 problems found, in the order met. Empty for a well-formed UPDATE. */
  problems: UpdateProblem[];
  /** The strongest approach among the problems, undefined when there are none. */
  action: ErrorAction | undefined;
}

const IPV4_UNICAST: Family = { afi: Afi.IPv4, safi: Safi.Unicast };
const MANDATORY = [AttrCode.ORIGIN, AttrCode.AS_PATH] as const;

/** Decodes the body (after the header) of an UPDATE spanning `offset..end`. */
export function decodeUpdateBody(
  buf: Uint8Array,
  offset: number,
  end: number,
  ctx: SessionContext,
): DecodedUpdate {
  const problems: UpdateProblem[] = [];
  const listError = (field: string, at: number, why: string): MalformedError =>
    new MalformedError('update', field, at, why, {
      notification: updateNotification(UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST),
    });
  if (offset + 2 > end) throw listError('withdrawnRoutesLength', offset, 'missing');
  const wrLen = u16(buf, offset);
  const wrStart = offset + 2;
  const wrEnd = wrStart + wrLen;
  if (wrEnd + 2 > end)
    throw listError('withdrawnRoutesLength', offset, `length ${wrLen} overruns the message`);
  const taLen = u16(buf, wrEnd);
  const attrStart = wrEnd + 2;
  const attrEnd = attrStart + taLen;
  if (attrEnd > end)
    throw listError('totalPathAttributeLength', wrEnd, `length ${taLen} overruns the message`);

  const v4AddPath = hasAddPath(ctx, Afi.IPv4, Safi.Unicast);
  const nlriField = (field: string, s: number, e: number): Nlri[] => {
    try {
      return decodeNlri(IPV4_UNICAST, buf, s, e, { addPath: v4AddPath });
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      problems.push({
        attribute: field,
        offset: err.offset,
        action: 'session-reset',
        reason: err.message,
        notification: updateNotification(UpdateErrorSubcode.INVALID_NETWORK_FIELD),
      });
      return [];
    }
  };
  const withdrawn = nlriField('WITHDRAWN_ROUTES', wrStart, wrEnd);

  const attributes: PathAttribute[] = [];
  const seen = new Set<number>();
  let hasMpReach = false;
  let p = attrStart;
  while (p < attrEnd) {
    const at = p;
    const flags = buf[p]!;
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    const hdr = ext ? 4 : 3;
    if (p + hdr > attrEnd) {
      // RFC 7606 4: too few octets left for an attribute header
      problems.push({
        attribute: 'PATH_ATTRIBUTES',
        offset: p,
        action: 'treat-as-withdraw',
        reason: `${attrEnd - p} octets left, too few for an attribute header`,
        notification: updateNotification(UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST),
      });
      break;
    }
    const code = buf[p + 1]!;
    const name = attrName(code);
    const len = ext ? u16(buf, p + 2) : buf[p + 2]!;
    const v = p + hdr;
    const isMp = code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI;
    if (v + len > attrEnd) {
      // RFC 7606 4: the attribute overruns the Total Path Attribute Length. The MP attributes' NLRI cannot be
      // located then, so only a session reset is safe for them.
      problems.push({
        attribute: name,
        typeCode: code,
        offset: p,
        action: isMp ? 'session-reset' : 'treat-as-withdraw',
        reason: `length ${len} overruns the path attributes`,
        notification: updateNotification(UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR, buf.slice(p, attrEnd)),
      });
      break;
    }
    const raw = buf.subarray(p, v + len);
    p = v + len;
    if (seen.has(code)) {
      // RFC 7606 3 (g): a repeated MP attribute is Malformed Attribute List; other repeats are discarded
      problems.push({
        attribute: name,
        typeCode: code,
        offset: at,
        action: isMp ? 'session-reset' : 'attribute-discard',
        reason: 'attribute appears more than once',
        notification: updateNotification(UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST),
      });
      continue;
    }
    seen.add(code);
    const info = attrInfo.get(code);
    if (!info && !(flags & AttrFlag.OPTIONAL)) {
      problems.push({
        attribute: name,
        typeCode: code,
        offset: at,
        action: 'session-reset',
        reason: 'unrecognized well-known attribute',
        notification: updateNotification(UpdateErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, raw.slice()),
      });
      continue;
    }
    if (info) {
      const ot = flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE);
      const partialOnWellKnown = !(info.flags & AttrFlag.OPTIONAL) && (flags & AttrFlag.PARTIAL) !== 0;
      if (ot !== info.flags || partialOnWellKnown) {
        // RFC 7606 3 (c): Optional/Transitive bits in conflict with the attribute: treat-as-withdraw
        problems.push({
          attribute: name,
          typeCode: code,
          offset: at,
          action: 'treat-as-withdraw',
          reason: `flags 0x${flags.toString(16)} conflict with the attribute's 0x${info.flags.toString(16)}`,
          notification: updateNotification(UpdateErrorSubcode.ATTRIBUTE_FLAGS_ERROR, raw.slice()),
        });
      }
    }
    try {
      const a = decodeAttributeValue(code, flags, buf, v, len, ctx);
      if (a.type === 'MP_REACH_NLRI') hasMpReach = true;
      attributes.push(a);
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      if (code === AttrCode.MP_REACH_NLRI) hasMpReach = true;
      const subcode = err.notification?.subcode ?? UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST;
      const problem: UpdateProblem = {
        attribute: name,
        typeCode: code,
        offset: err.offset,
        action: err.action,
        reason: err.message,
        notification: updateNotification(
          subcode,
          subcodeCarriesAttribute(subcode) ? raw.slice() : new Uint8Array(0),
        ),
      };
      if (err.action === 'afi-safi-disable' && len >= 3)
        problem.family = { afi: u16(buf, v), safi: buf[v + 2]! };
      problems.push(problem);
    }
  }

  const nlri = nlriField('NLRI', attrEnd, end);
  if (nlri.length > 0 || hasMpReach) {
    // RFC 7606 3 (d): a missing well-known mandatory attribute is treat-as-withdraw; NEXT_HOP is mandatory
    // only with NLRI in the NLRI field (RFC 4760 3)
    const need: number[] = [...MANDATORY];
    if (nlri.length > 0) need.push(AttrCode.NEXT_HOP);
    for (const code of need) {
      if (seen.has(code)) continue;
      problems.push({
        attribute: attrName(code),
        typeCode: code,
        offset: attrStart,
        action: 'treat-as-withdraw',
        reason: 'missing well-known mandatory attribute',
        notification: updateNotification(
          UpdateErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
          new Uint8Array([code]),
        ),
      });
    }
  }
  return {
    message: { type: 'update', withdrawn, attributes, nlri },
    problems,
    action: strongestAction(problems),
  };
}

/** The bytes of an UPDATE message (header included) for the direction described by `ctx`. */
export function encodeUpdate(m: UpdateMessage, ctx: SessionContext): Uint8Array {
  const addPath = hasAddPath(ctx, Afi.IPv4, Safi.Unicast);
  const w = startMessage(MessageType.UPDATE, maxMessageLength(ctx) === 4096 ? 4096 : 1024);
  const wrAt = w.skip(2);
  writeNlri(w, m.withdrawn, addPath);
  w.patchU16(wrAt, w.pos - wrAt - 2);
  const taAt = w.skip(2);
  const start = w.pos;
  for (const a of m.attributes) writeAttribute(a, w, ctx);
  w.patchU16(taAt, w.pos - start);
  writeNlri(w, m.nlri, addPath);
  return finishMessage(w, maxMessageLength(ctx));
}

/**
 * Writes one IPv4 prefix NLRI given as canonical text (`a.b.c.d/len`, no leading zeros) at `o`; returns
 * the offset after it, or -1 for any other text, which is then left to `encodeNlriInto` (same bytes for
 * canonical text, its own errors otherwise). This keeps text parsing off the per-prefix allocation path.
 */
function fastIpv4Prefix(n: Nlri, addPath: boolean, buf: Uint8Array, o: number): number {
  if (n.type !== 'prefix') return -1;
  const t = n.prefix;
  const end = t.length;
  let i = 0;
  let addr = 0;
  for (let part = 0; part < 4; part++) {
    let v = 0;
    let digits = 0;
    while (i < end) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (digits === 1 && v === 0) return -1;
      v = v * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || v > 255) return -1;
    addr = addr * 256 + v;
    if (t.charCodeAt(i) !== (part < 3 ? 46 : 47)) return -1;
    i++;
  }
  let len = 0;
  let d = 0;
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57 || (d === 1 && len === 0)) return -1;
    len = len * 10 + (c - 48);
    d++;
    i++;
  }
  if (d === 0 || d > 2 || len > 32) return -1;
  let p = o;
  if (addPath) {
    const id = n.pathId ?? 0;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) return -1;
    buf[p] = id >>> 24;
    buf[p + 1] = (id >>> 16) & 0xff;
    buf[p + 2] = (id >>> 8) & 0xff;
    buf[p + 3] = id & 0xff;
    p += 4;
  }
  buf[p++] = len;
  if (len > 0) buf[p++] = Math.floor(addr / 0x1000000);
  if (len > 8) buf[p++] = Math.floor(addr / 0x10000) & 0xff;
  if (len > 16) buf[p++] = Math.floor(addr / 0x100) & 0xff;
  if (len > 24) buf[p++] = addr & 0xff;
  return p;
}

/** Writes IPv4 unicast NLRI straight into the writer's buffer. */
function writeNlri(w: Writer, nlri: readonly Nlri[], addPath: boolean): void {
  if (nlri.length === 0) return;
  // an IPv4 prefix takes at most 4 + 1 + 4 bytes
  const buf = w.reserve(nlri.length * 9);
  let o = w.pos;
  for (let i = 0; i < nlri.length; i++) {
    const n = nlri[i]!;
    const next = fastIpv4Prefix(n, addPath, buf, o);
    o = next >= 0 ? next : encodeNlriInto(IPV4_UNICAST, [n], { addPath }, buf, o);
  }
  w.pos = o;
}

/** The End-of-RIB marker of a family (RFC 4724 2): an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH. */
export function endOfRib(family: Family): UpdateMessage {
  if (family.afi === Afi.IPv4 && family.safi === Safi.Unicast)
    return { type: 'update', withdrawn: [], attributes: [], nlri: [] };
  return {
    type: 'update',
    withdrawn: [],
    attributes: [{ type: 'MP_UNREACH_NLRI', afi: family.afi, safi: family.safi, withdrawn: [] }],
    nlri: [],
  };
}

/** The family whose End-of-RIB this UPDATE is, or undefined. */
export function endOfRibFamily(m: UpdateMessage): Family | undefined {
  if (m.withdrawn.length > 0 || m.nlri.length > 0) return undefined;
  if (m.attributes.length === 0) return IPV4_UNICAST;
  const a = m.attributes[0];
  if (m.attributes.length === 1 && a?.type === 'MP_UNREACH_NLRI' && a.withdrawn.length === 0)
    return { afi: a.afi, safi: a.safi };
  return undefined;
}

/**
 * RFC 7606 2 treat-as-withdraw: the UPDATE's reachable NLRI (NLRI field and MP_REACH_NLRI) as withdrawals,
 * with no other attributes.
 */
export function treatAsWithdraw(m: UpdateMessage): UpdateMessage {
  const attributes: PathAttribute[] = [];
  for (const a of m.attributes) {
    if (a.type === 'MP_REACH_NLRI' && a.nlri.length > 0) {
      attributes.push({ type: 'MP_UNREACH_NLRI', afi: a.afi, safi: a.safi, withdrawn: a.nlri });
    } else if (a.type === 'MP_UNREACH_NLRI') {
      attributes.push(a);
    }
  }
  return { type: 'update', withdrawn: [...m.withdrawn, ...m.nlri], attributes, nlri: [] };
}

/** The first attribute of a type, typed. */
export function findAttribute<T extends PathAttribute['type']>(
  m: UpdateMessage,
  type: T,
): Extract<PathAttribute, { type: T }> | undefined {
  return m.attributes.find((a) => a.type === type) as Extract<PathAttribute, { type: T }> | undefined;
}

/** Decodes a whole UPDATE message (header included) at `offset`; see `decodeUpdateBody` for the problems. */
export function decodeUpdate(
  buf: Uint8Array,
  offset: number,
  ctx: SessionContext,
): DecodedUpdate & { length: number } {
  const { length, type } = decodeHeader(buf, offset, maxMessageLength(ctx));
  if (type !== MessageType.UPDATE) {
    throw new MalformedError('update', 'type', offset + 18, `message type ${type} is not UPDATE`);
  }
  if (offset + length > buf.length) {
    throw new TruncatedError(
      'header',
      'length',
      offset + 16,
      `message of ${length} bytes, ${buf.length - offset} present`,
    );
  }
  return { ...decodeUpdateBody(buf, offset + HEADER_LENGTH, offset + length, ctx), length };
}
