// Shared fast-check generators for the transport, tunnel and DHCP headers: values that encode, and whose
// decode gives the same value back (canonical forms: explicit length/checksum, options already aligned).
import fc from 'fast-check';
import type {
  DhcpClasslessRoute,
  DhcpOption,
  Dhcpv4,
  Gre,
  MplsLabelEntry,
  MplsStack,
  Tcp,
  TcpFlags,
  TcpOption,
  Udp,
  Vxlan,
} from '../../src/index.js';

export const port = fc.integer({ min: 0, max: 0xffff });
export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const ipv4Text = fc.tuple(u8, u8, u8, u8).map((b) => b.join('.'));
export const ipv6Text = fc.ipV6();

/** A pseudo-header context of either family. */
export const pseudoHeader = fc.oneof(
  fc.record({ src: ipv4Text, dst: ipv4Text }),
  fc.record({ src: ipv6Text, dst: ipv6Text }),
);

/** UDP as decode reports it without a pseudo-header: explicit length and checksum. */
export const udpValue: fc.Arbitrary<Udp> = fc.record({
  srcPort: port,
  dstPort: port,
  length: fc.integer({ min: 8, max: 0xffff }),
  checksum: u16,
  checksumValid: fc.constant(undefined),
});

export const tcpFlags: fc.Arbitrary<TcpFlags> = fc.record({
  cwr: fc.boolean(),
  ece: fc.boolean(),
  urg: fc.boolean(),
  ack: fc.boolean(),
  psh: fc.boolean(),
  rst: fc.boolean(),
  syn: fc.boolean(),
  fin: fc.boolean(),
});

const knownTcpKinds = new Set([0, 1, 2, 3, 4, 5, 8]);

export const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant<TcpOption>({ kind: 'nop' }),
  u16.map<TcpOption>((mss) => ({ kind: 'mss', mss })),
  u8.map<TcpOption>((shift) => ({ kind: 'windowScale', shift })),
  fc.constant<TcpOption>({ kind: 'sackPermitted' }),
  fc
    .array(fc.record({ left: u32, right: u32 }), { minLength: 1, maxLength: 4 })
    .map<TcpOption>((blocks) => ({ kind: 'sack', blocks })),
  fc
    .record({ value: u32, echo: u32 })
    .map<TcpOption>(({ value, echo }) => ({ kind: 'timestamps', value, echo })),
  fc
    .record({
      type: fc.integer({ min: 2, max: 255 }).filter((t) => !knownTcpKinds.has(t)),
      data: fc.uint8Array({ maxLength: 8 }),
    })
    .map<TcpOption>(({ type, data }) => ({ kind: 'unknown', type, data })),
);

function tcpOptLen(o: TcpOption): number {
  switch (o.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'mss':
      return 4;
    case 'windowScale':
      return 3;
    case 'sackPermitted':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamps':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
  }
}

/**
 * Options that fit in 40 bytes and are aligned as decode would see them: when the list is not a multiple
 * of 4, an EOL and zero padding (or a random padding when `anyPadding`) close it.
 */
export const tcpOptions: fc.Arbitrary<{ options: TcpOption[]; padding?: Uint8Array }> = fc
  .tuple(fc.array(tcpOption, { maxLength: 8 }), fc.boolean(), fc.uint8Array({ minLength: 3, maxLength: 3 }))
  .map(([opts, eol, padBytes]) => {
    const options: TcpOption[] = [];
    let len = 0;
    for (const o of opts) {
      if (len + tcpOptLen(o) > 39) break;
      options.push(o);
      len += tcpOptLen(o);
    }
    if (len % 4 !== 0 || (eol && len < 40)) {
      options.push({ kind: 'eol' });
      len++;
      const pad = (4 - (len % 4)) % 4;
      if (pad > 0) return { options, padding: padBytes.slice(0, pad) };
    }
    return { options };
  });

export const tcpValue: fc.Arbitrary<Tcp> = fc
  .record({
    srcPort: port,
    dstPort: port,
    seq: u32,
    ack: u32,
    reserved: fc.integer({ min: 0, max: 15 }),
    flags: tcpFlags,
    window: u16,
    checksum: u16,
    urgentPointer: u16,
    opts: tcpOptions,
  })
  .map(({ opts, ...rest }) => {
    let optLen = opts.padding?.length ?? 0;
    for (const o of opts.options) optLen += tcpOptLen(o);
    const v: Tcp = { ...rest, dataOffset: 5 + optLen / 4, checksumValid: undefined, options: opts.options };
    if (opts.padding) v.padding = opts.padding;
    return v;
  });

export const greValue: fc.Arbitrary<Gre> = fc
  .record({
    c: fc.boolean(),
    checksum: u16,
    reserved1: u16,
    key: fc.option(u32, { nil: undefined }),
    sequence: fc.option(u32, { nil: undefined }),
    reserved0: fc.integer({ min: 0, max: 0x7f }),
    protocolType: u16,
  })
  .map(({ c, checksum, reserved1, key, sequence, reserved0, protocolType }) => {
    const v: Gre = { checksumPresent: c, reserved0, version: 0, protocolType, checksumValid: undefined };
    if (c) {
      v.checksum = checksum;
      v.reserved1 = reserved1;
    }
    if (key !== undefined) v.key = key;
    if (sequence !== undefined) v.sequence = sequence;
    return v;
  });

export const mplsEntry: fc.Arbitrary<MplsLabelEntry> = fc.record({
  label: fc.integer({ min: 0, max: 0xfffff }),
  tc: fc.integer({ min: 0, max: 7 }),
  ttl: u8,
});

/** Stacks of 1-6 entries with S set on the last only, as decode reports them. */
export const mplsStack: fc.Arbitrary<MplsStack> = fc
  .array(mplsEntry, { minLength: 1, maxLength: 6 })
  .map((labels) => ({ labels: labels.map((e, i) => ({ ...e, bottom: i === labels.length - 1 })) }));

export const vxlanValue: fc.Arbitrary<Vxlan> = fc.record({
  flags: u8,
  vni: fc.integer({ min: 0, max: 0xffffff }),
  reserved0: fc.integer({ min: 0, max: 0xffffff }),
  reserved1: u8,
});

const latin1Text = (min: number, max: number) =>
  fc
    .array(fc.integer({ min: 0x20, max: 0xff }), { minLength: min, maxLength: max })
    .map((a) => String.fromCharCode(...a));

export const classlessRoute: fc.Arbitrary<DhcpClasslessRoute> = fc
  .record({ width: fc.integer({ min: 0, max: 32 }), dest: fc.tuple(u8, u8, u8, u8), router: ipv4Text })
  .map(({ width, dest, router }) => {
    // Only the significant octets travel, so the others are zero in the canonical text.
    const octets = (width + 7) >>> 3;
    const d = dest.map((b, i) => (i < octets ? b : 0));
    return { destination: `${d.join('.')}/${width}`, router };
  });

export const dhcpOption: fc.Arbitrary<DhcpOption> = fc.oneof(
  fc.constant<DhcpOption>({ kind: 'pad' }),
  fc.integer({ min: 1, max: 8 }).map<DhcpOption>((value) => ({ kind: 'messageType', value })),
  ipv4Text.map<DhcpOption>((value) => ({ kind: 'subnetMask', value })),
  fc.array(ipv4Text, { minLength: 1, maxLength: 4 }).map<DhcpOption>((value) => ({ kind: 'router', value })),
  fc
    .array(ipv4Text, { minLength: 1, maxLength: 4 })
    .map<DhcpOption>((value) => ({ kind: 'dnsServers', value })),
  latin1Text(1, 40).map<DhcpOption>((value) => ({ kind: 'domainName', value })),
  latin1Text(1, 40).map<DhcpOption>((value) => ({ kind: 'hostname', value })),
  u32.map<DhcpOption>((value) => ({ kind: 'leaseTime', value })),
  u32.map<DhcpOption>((value) => ({ kind: 'renewalTime', value })),
  u32.map<DhcpOption>((value) => ({ kind: 'rebindingTime', value })),
  ipv4Text.map<DhcpOption>((value) => ({ kind: 'serverId', value })),
  ipv4Text.map<DhcpOption>((value) => ({ kind: 'requestedIp', value })),
  ipv4Text.map<DhcpOption>((value) => ({ kind: 'broadcastAddress', value })),
  fc
    .array(u8, { minLength: 1, maxLength: 20 })
    .map<DhcpOption>((value) => ({ kind: 'parameterRequestList', value })),
  fc
    .record({ type: u8, id: fc.uint8Array({ minLength: 1, maxLength: 20 }) })
    .map<DhcpOption>((value) => ({ kind: 'clientId', value })),
  u16.map<DhcpOption>((value) => ({ kind: 'mtu', value })),
  fc.integer({ min: 1, max: 3 }).map<DhcpOption>((value) => ({ kind: 'overload', value })),
  fc
    .array(classlessRoute, { minLength: 1, maxLength: 5 })
    .map<DhcpOption>((value) => ({ kind: 'classlessStaticRoutes', value })),
  fc
    .record({
      code: fc.constantFrom(2, 4, 7, 42, 60, 66, 67, 81, 82, 119, 224, 252),
      data: fc.uint8Array({ maxLength: 16 }),
    })
    .map<DhcpOption>(({ code, data }) => ({ kind: 'unknown', code, data })),
);

const macText = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
// Fixed-width text fields decode with trailing NULs trimmed, so generated text never ends in NUL.
const fieldText = (max: number) => latin1Text(0, max);

export const dhcpValue: fc.Arbitrary<Dhcpv4> = fc
  .record({
    op: fc.integer({ min: 1, max: 2 }),
    hops: u8,
    xid: u32,
    secs: u16,
    broadcast: fc.boolean(),
    flags: fc.integer({ min: 0, max: 0x7fff }),
    ciaddr: ipv4Text,
    yiaddr: ipv4Text,
    siaddr: ipv4Text,
    giaddr: ipv4Text,
    chaddr: macText,
    sname: fieldText(64),
    file: fieldText(128),
    options: fc.array(dhcpOption, { maxLength: 12 }),
    end: fc.boolean(),
    trailer: fc.uint8Array({ maxLength: 60 }),
  })
  .map(({ end, trailer, chaddr, ...r }) => {
    // A chaddr whose last bytes are zero decodes shorter than hlen says only if hlen covers it: hlen is 6.
    const v: Dhcpv4 = {
      ...r,
      htype: 1,
      hlen: 6,
      chaddr,
      options: end ? [...r.options, { kind: 'end' }] : r.options,
    };
    if (end && trailer.length > 0) v.trailer = trailer;
    return v;
  });

/** Flips, truncates or extends encoded bytes: the mutations the fuzz tests throw at every decoder. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), u8), { maxLength: 6 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
      fc.boolean(),
    )
    .map(([bytes, flips, cut, extra, grow]) => {
      const b = Uint8Array.from(bytes);
      for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v;
      const kept = b.subarray(0, b.length === 0 ? 0 : cut % (b.length + 1));
      if (!grow) return kept;
      const out = new Uint8Array(kept.length + extra.length);
      out.set(kept);
      out.set(extra, kept.length);
      return out;
    });
}
