// MRT record decoding and encoding (RFC 6396 section 2-4, RFC 8050 add-path subtypes).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           Timestamp                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             Type              |            Subtype            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                             Length                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      Message... (variable)                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The _ET types put a 4-byte microsecond field first in the message, counted in Length.
import { Afi } from '../afi-safi.js';
import { MrtError } from '../errors.js';
import { formatIp, formatIpv4, formatIpv6, parseIp } from '../nlri/address.js';
import {
  type Bgp4mpMessage,
  type Bgp4mpStateChange,
  Bgp4mpSubtype,
  type MrtHeader,
  type MrtRecord,
  MrtType,
  type PeerEntry,
  type PeerIndexTable,
  type RibEntry,
  type RibRecord,
  type TableDumpRecord,
  TableDumpV2Subtype,
} from './types.js';

/** MRT common header length. */
export const MRT_HEADER_LENGTH = 12;

/** A cursor over one record's body; every read checks bounds and names the field. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly layer: string,
  ) {
    this.pos = start;
  }
  need(n: number, field: string): void {
    if (this.pos + n > this.end) {
      throw new MrtError(
        this.layer,
        field,
        this.pos,
        `truncated: needs ${n} bytes, ${this.end - this.pos} left`,
      );
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  ip(afi: number, field: string): string {
    const len = afiAddressLength(afi, this.layer, field, this.pos);
    this.need(len, field);
    const v = len === 4 ? formatIpv4(this.buf, this.pos) : formatIpv6(this.buf, this.pos);
    this.pos += len;
    return v;
  }
  /** A prefix as in RIB_IPV4/IPV6 records: length byte then the minimum number of bytes. */
  prefix(afi: number, field: string): string {
    const bits = this.u8(`${field}.length`);
    const max = afi === Afi.IPv4 ? 32 : 128;
    if (bits > max)
      throw new MrtError(this.layer, `${field}.length`, this.pos - 1, `prefix length ${bits} > ${max}`);
    const n = (bits + 7) >> 3;
    const full = new Uint8Array(max / 8);
    full.set(this.bytes(n, field));
    return `${formatIp(full)}/${bits}`;
  }
}

function afiAddressLength(afi: number, layer: string, field: string, offset: number): 4 | 16 {
  if (afi === Afi.IPv4) return 4;
  if (afi === Afi.IPv6) return 16;
  throw new MrtError(layer, field, offset, `unsupported address family ${afi}`);
}

export interface DecodedRecord {
  record: MrtRecord;
  /** Bytes the record took, header included. */
  length: number;
}

/**
 * Decodes one MRT record at `offset`. Returns undefined when the buffer does not yet hold a whole record
 * (the streaming reader then waits for more bytes); throws MrtError on a malformed record.
 */
export function decodeMrtRecord(buf: Uint8Array, offset = 0): DecodedRecord | undefined {
  if (buf.length - offset < MRT_HEADER_LENGTH) return undefined;
  const h = new Reader(buf, offset, offset + MRT_HEADER_LENGTH, 'mrt');
  const timestamp = h.u32('timestamp');
  const type = h.u16('type');
  const subtype = h.u16('subtype');
  const length = h.u32('length');
  const end = offset + MRT_HEADER_LENGTH + length;
  if (end > buf.length) return undefined;
  const r = new Reader(buf, offset + MRT_HEADER_LENGTH, end, 'mrt');
  let microseconds = 0;
  if (type === MrtType.Bgp4mpEt) microseconds = r.u32('microseconds');
  const header: MrtHeader = { timestamp, microseconds, type, subtype };
  let record: MrtRecord;
  if (type === MrtType.Bgp4mp || type === MrtType.Bgp4mpEt) record = decodeBgp4mp(header, r);
  else if (type === MrtType.TableDumpV2) record = decodeTableDumpV2(header, r);
  else if (type === MrtType.TableDump) record = decodeTableDump(header, r);
  else record = { ...header, kind: 'unknown', body: r.bytes(end - r.pos, 'body') };
  return { record, length: MRT_HEADER_LENGTH + length };
}

const as4Subtypes = new Set<number>([
  Bgp4mpSubtype.MessageAs4,
  Bgp4mpSubtype.StateChangeAs4,
  Bgp4mpSubtype.MessageAs4Local,
  Bgp4mpSubtype.MessageAs4AddPath,
  Bgp4mpSubtype.MessageAs4LocalAddPath,
]);
const addPathSubtypes = new Set<number>([
  Bgp4mpSubtype.MessageAddPath,
  Bgp4mpSubtype.MessageAs4AddPath,
  Bgp4mpSubtype.MessageLocalAddPath,
  Bgp4mpSubtype.MessageAs4LocalAddPath,
]);
const localSubtypes = new Set<number>([
  Bgp4mpSubtype.MessageLocal,
  Bgp4mpSubtype.MessageAs4Local,
  Bgp4mpSubtype.MessageLocalAddPath,
  Bgp4mpSubtype.MessageAs4LocalAddPath,
]);

function decodeBgp4mp(header: MrtHeader, r: Reader): MrtRecord {
  const st = header.subtype;
  const isState = st === Bgp4mpSubtype.StateChange || st === Bgp4mpSubtype.StateChangeAs4;
  if (!isState && !as4Subtypes.has(st) && !addPathSubtypes.has(st) && !localSubtypes.has(st) && st !== 1) {
    return { ...header, kind: 'unknown', body: r.bytes(r.end - r.pos, 'body') };
  }
  const as4 = as4Subtypes.has(st);
  const peerAs = as4 ? r.u32('peerAs') : r.u16('peerAs');
  const localAs = as4 ? r.u32('localAs') : r.u16('localAs');
  const interfaceIndex = r.u16('interfaceIndex');
  const afi = r.u16('afi');
  const peerAddress = r.ip(afi, 'peerAddress');
  const localAddress = r.ip(afi, 'localAddress');
  if (isState) {
    const oldState = r.u16('oldState');
    const newState = r.u16('newState');
    const rec: Bgp4mpStateChange = {
      ...header,
      kind: 'bgp4mp-state-change',
      peerAs,
      localAs,
      interfaceIndex,
      afi,
      peerAddress,
      localAddress,
      as4,
      oldState,
      newState,
    };
    return rec;
  }
  const rec: Bgp4mpMessage = {
    ...header,
    kind: 'bgp4mp-message',
    peerAs,
    localAs,
    interfaceIndex,
    afi,
    peerAddress,
    localAddress,
    as4,
    addPath: addPathSubtypes.has(st),
    local: localSubtypes.has(st),
    message: r.bytes(r.end - r.pos, 'message'),
  };
  return rec;
}

function decodeTableDumpV2(header: MrtHeader, r: Reader): MrtRecord {
  const st = header.subtype;
  if (st === TableDumpV2Subtype.PeerIndexTable) {
    const collectorId = formatIpv4(r.bytes(4, 'collectorId'), 0);
    const nameLen = r.u16('viewNameLength');
    const viewName = new TextDecoder().decode(r.bytes(nameLen, 'viewName'));
    const count = r.u16('peerCount');
    const peers: PeerEntry[] = [];
    for (let i = 0; i < count; i++) {
      const t = r.u8('peerType');
      const bgpId = formatIpv4(r.bytes(4, 'peerBgpId'), 0);
      const address = r.ip(t & 1 ? Afi.IPv6 : Afi.IPv4, 'peerAddress');
      const as4 = (t & 2) !== 0;
      const as = as4 ? r.u32('peerAs') : r.u16('peerAs');
      peers.push({ bgpId, address, as, as4 });
    }
    const rec: PeerIndexTable = { ...header, kind: 'peer-index-table', collectorId, viewName, peers };
    return rec;
  }
  const afiSafi = ribFamily(st);
  if (!afiSafi) return { ...header, kind: 'unknown', body: r.bytes(r.end - r.pos, 'body') };
  const addPath = st >= TableDumpV2Subtype.RibIpv4UnicastAddPath;
  const sequence = r.u32('sequence');
  let afi = afiSafi.afi;
  let safi = afiSafi.safi;
  let prefix: string | undefined;
  let nlri: Uint8Array | undefined;
  if (afi === 0) {
    // RIB_GENERIC: AFI, SAFI and one NLRI in its MP_REACH_NLRI form. Its length depends on the family;
    // for the prefix families it is a length byte plus the bytes that length implies.
    afi = r.u16('afi');
    safi = r.u8('safi');
    const start = r.pos;
    const bits = r.u8('nlri.length');
    r.bytes((bits + 7) >> 3, 'nlri');
    nlri = r.buf.subarray(start, r.pos);
  } else {
    prefix = r.prefix(afi, 'prefix');
  }
  const count = r.u16('entryCount');
  const entries: RibEntry[] = [];
  for (let i = 0; i < count; i++) {
    const peerIndex = r.u16('peerIndex');
    const originatedTime = r.u32('originatedTime');
    const entry: RibEntry = { peerIndex, originatedTime, attributes: new Uint8Array(0) };
    if (addPath) entry.pathId = r.u32('pathId');
    const attrLen = r.u16('attributeLength');
    entry.attributes = r.bytes(attrLen, 'attributes');
    entries.push(entry);
  }
  const rec: RibRecord = { ...header, kind: 'rib', sequence, afi, safi, addPath, entries };
  if (prefix !== undefined) rec.prefix = prefix;
  if (nlri !== undefined) rec.nlri = nlri;
  return rec;
}

function ribFamily(subtype: number): { afi: number; safi: number } | undefined {
  switch (subtype) {
    case TableDumpV2Subtype.RibIpv4Unicast:
    case TableDumpV2Subtype.RibIpv4UnicastAddPath:
      return { afi: Afi.IPv4, safi: 1 };
    case TableDumpV2Subtype.RibIpv4Multicast:
    case TableDumpV2Subtype.RibIpv4MulticastAddPath:
      return { afi: Afi.IPv4, safi: 2 };
    case TableDumpV2Subtype.RibIpv6Unicast:
    case TableDumpV2Subtype.RibIpv6UnicastAddPath:
      return { afi: Afi.IPv6, safi: 1 };
    case TableDumpV2Subtype.RibIpv6Multicast:
    case TableDumpV2Subtype.RibIpv6MulticastAddPath:
      return { afi: Afi.IPv6, safi: 2 };
    case TableDumpV2Subtype.RibGeneric:
    case TableDumpV2Subtype.RibGenericAddPath:
      return { afi: 0, safi: 0 };
    default:
      return undefined;
  }
}

function decodeTableDump(header: MrtHeader, r: Reader): TableDumpRecord {
  const afi = header.subtype;
  const viewNumber = r.u16('viewNumber');
  const sequence = r.u16('sequence');
  const addrLen = afiAddressLength(afi, 'mrt', 'subtype', r.pos);
  const addr = r.ip(afi, 'prefix');
  const bits = r.u8('prefixLength');
  if (bits > addrLen * 8)
    throw new MrtError('mrt', 'prefixLength', r.pos - 1, `prefix length ${bits} too long`);
  const status = r.u8('status');
  const originatedTime = r.u32('originatedTime');
  const peerAddress = r.ip(afi, 'peerAddress');
  const peerAs = r.u16('peerAs');
  const attrLen = r.u16('attributeLength');
  const attributes = r.bytes(attrLen, 'attributes');
  return {
    ...header,
    kind: 'table-dump',
    viewNumber,
    sequence,
    afi,
    prefix: `${addr}/${bits}`,
    status,
    originatedTime,
    peerAddress,
    peerAs,
    attributes,
  };
}

// ---------------------------------------------------------------- encoding

function bgp4mpMessageSubtype(as4: boolean, local: boolean, addPath: boolean): number {
  if (addPath) return Bgp4mpSubtype.MessageAddPath + (as4 ? 1 : 0) + (local ? 2 : 0);
  if (local) return as4 ? Bgp4mpSubtype.MessageAs4Local : Bgp4mpSubtype.MessageLocal;
  return as4 ? Bgp4mpSubtype.MessageAs4 : Bgp4mpSubtype.Message;
}

function ribSubtype(generic: boolean, afi: number, safi: number, addPath: boolean): number {
  if (generic) return addPath ? TableDumpV2Subtype.RibGenericAddPath : TableDumpV2Subtype.RibGeneric;
  const multicast = safi === 2;
  const base =
    afi === Afi.IPv4
      ? multicast
        ? TableDumpV2Subtype.RibIpv4Multicast
        : TableDumpV2Subtype.RibIpv4Unicast
      : multicast
        ? TableDumpV2Subtype.RibIpv6Multicast
        : TableDumpV2Subtype.RibIpv6Unicast;
  // The add-path subtypes (8-11) follow the plain ones (2-5) in the same order (RFC 8050 4).
  return addPath ? base + 6 : base;
}

class Writer {
  private chunks: number[] = [];
  u8(v: number): this {
    this.chunks.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.chunks.push(x);
    return this;
  }
  get length(): number {
    return this.chunks.length;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function ipBytes(text: string, afi: number): Uint8Array {
  const b = parseIp(text);
  if (b.length !== (afi === Afi.IPv4 ? 4 : 16))
    throw new MrtError('mrt', 'address', -1, `${text} does not match AFI ${afi}`);
  return b;
}

function prefixBytes(w: Writer, prefix: string, afi: number): void {
  const slash = prefix.lastIndexOf('/');
  const bits = Number(prefix.slice(slash + 1));
  const addr = ipBytes(prefix.slice(0, slash), afi);
  w.u8(bits).bytes(addr.subarray(0, (bits + 7) >> 3));
}

/** Encodes one record, header included. The record's `type`/`subtype` are recomputed from its fields. */
export function encodeMrtRecord(record: MrtRecord): Uint8Array {
  const w = new Writer();
  let type = record.type;
  let subtype = record.subtype;
  switch (record.kind) {
    case 'bgp4mp-message':
    case 'bgp4mp-state-change': {
      if (record.kind === 'bgp4mp-message') {
        const m = record;
        subtype = bgp4mpMessageSubtype(m.as4, m.local, m.addPath);
      } else subtype = record.as4 ? Bgp4mpSubtype.StateChangeAs4 : Bgp4mpSubtype.StateChange;
      // Keep the _ET type when the record came from one or carries microseconds.
      type = record.microseconds || type === MrtType.Bgp4mpEt ? MrtType.Bgp4mpEt : MrtType.Bgp4mp;
      if (type === MrtType.Bgp4mpEt) w.u32(record.microseconds);
      if (record.as4) w.u32(record.peerAs).u32(record.localAs);
      else w.u16(record.peerAs).u16(record.localAs);
      w.u16(record.interfaceIndex).u16(record.afi);
      w.bytes(ipBytes(record.peerAddress, record.afi)).bytes(ipBytes(record.localAddress, record.afi));
      if (record.kind === 'bgp4mp-message') w.bytes(record.message);
      else w.u16(record.oldState).u16(record.newState);
      break;
    }
    case 'peer-index-table': {
      type = MrtType.TableDumpV2;
      subtype = TableDumpV2Subtype.PeerIndexTable;
      const name = new TextEncoder().encode(record.viewName);
      w.bytes(ipBytes(record.collectorId, Afi.IPv4)).u16(name.length).bytes(name).u16(record.peers.length);
      for (const p of record.peers) {
        const v6 = p.address.includes(':');
        w.u8((v6 ? 1 : 0) | (p.as4 ? 2 : 0)).bytes(ipBytes(p.bgpId, Afi.IPv4));
        w.bytes(ipBytes(p.address, v6 ? Afi.IPv6 : Afi.IPv4));
        if (p.as4) w.u32(p.as);
        else w.u16(p.as);
      }
      break;
    }
    case 'rib': {
      type = MrtType.TableDumpV2;
      const generic = record.prefix === undefined;
      subtype = ribSubtype(generic, record.afi, record.safi, record.addPath);
      w.u32(record.sequence);
      if (generic)
        w.u16(record.afi)
          .u8(record.safi)
          .bytes(record.nlri ?? new Uint8Array([0]));
      else prefixBytes(w, record.prefix!, record.afi);
      w.u16(record.entries.length);
      for (const e of record.entries) {
        w.u16(e.peerIndex).u32(e.originatedTime);
        if (record.addPath) w.u32(e.pathId ?? 0);
        w.u16(e.attributes.length).bytes(e.attributes);
      }
      break;
    }
    case 'table-dump': {
      type = MrtType.TableDump;
      subtype = record.afi;
      const slash = record.prefix.lastIndexOf('/');
      w.u16(record.viewNumber)
        .u16(record.sequence)
        .bytes(ipBytes(record.prefix.slice(0, slash), record.afi));
      w.u8(Number(record.prefix.slice(slash + 1)))
        .u8(record.status)
        .u32(record.originatedTime);
      w.bytes(ipBytes(record.peerAddress, record.afi)).u16(record.peerAs);
      w.u16(record.attributes.length).bytes(record.attributes);
      break;
    }
    case 'unknown':
      w.bytes(record.body);
      break;
  }
  const body = w.toBytes();
  const out = new Uint8Array(MRT_HEADER_LENGTH + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, record.timestamp);
  dv.setUint16(4, type);
  dv.setUint16(6, subtype);
  dv.setUint32(8, body.length);
  out.set(body, MRT_HEADER_LENGTH);
  return out;
}
