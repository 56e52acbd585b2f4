// fast-check generators for the layer-2/3 value objects, shared by the header tests, the dissector and
// anyone who needs valid random headers. Every value they produce encodes, and decodes back equal.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type {
  ArpPacket,
  EthernetHeader,
  ICMPv4Message,
  ICMPv6Message,
  IPv4Header,
  IPv6Extension,
  IPv6Header,
  IPv6Option,
  NdOption,
  StackedVlanTag,
  TaggedEthernetHeader,
  VlanTag,
} from '../../src/index.js';
import {
  extensionLength,
  formatHexBytes,
  formatIPv4,
  formatIPv6,
  formatMac,
  InvalidFieldError,
  isIPv6ExtensionHeader,
  padIPv6Options,
  TruncatedError,
} from '../../src/index.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

export const arbMac: fc.Arbitrary<string> = bytes(6).map((b) => formatMac(b));
export const arbIPv4Address: fc.Arbitrary<string> = bytes(4).map((b) => formatIPv4(b));
/** Biased towards zero runs so that `::` compression and its tie rules get exercised. */
export const arbIPv6Address: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), u16), { minLength: 8, maxLength: 8 })
  .map((g) => {
    const b = new Uint8Array(16);
    g.forEach((w, i) => {
      b[2 * i] = w >> 8;
      b[2 * i + 1] = w & 0xff;
    });
    return formatIPv6(b);
  });
/** A payload EtherType that is not a VLAN TPID. */
export const arbEtherType: fc.Arbitrary<number> = u16.filter(
  (t) => t !== 0x8100 && t !== 0x88a8 && t !== 0x9100,
);

export const arbEthernet: fc.Arbitrary<EthernetHeader> = fc.record({
  dst: arbMac,
  src: arbMac,
  etherType: u16,
});

export const arbVlanTag: fc.Arbitrary<VlanTag> = fc.record({
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
  etherType: u16,
});

const arbStackedTag: fc.Arbitrary<StackedVlanTag> = fc.record({
  tpid: fc.constantFrom(0x8100, 0x88a8, 0x9100),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});

export const arbTaggedEthernet: fc.Arbitrary<TaggedEthernetHeader> = fc.record({
  dst: arbMac,
  src: arbMac,
  tags: fc.array(arbStackedTag, { maxLength: 3 }),
  etherType: arbEtherType,
});

export const arbArp: fc.Arbitrary<ArpPacket> = fc.oneof(
  fc.record({
    hardwareType: fc.constant(1),
    protocolType: fc.constant(0x0800),
    hardwareLength: fc.constant(6),
    protocolLength: fc.constant(4),
    operation: fc.constantFrom(1, 2),
    senderHardware: arbMac,
    senderProtocol: arbIPv4Address,
    targetHardware: arbMac,
    targetProtocol: arbIPv4Address,
  }),
  // Generic hardware/protocol types and lengths.
  fc
    .record({
      hardwareType: u16,
      protocolType: u16,
      hl: fc.integer({ min: 0, max: 20 }),
      pl: fc.integer({ min: 0, max: 20 }),
      operation: u16,
    })
    .chain(({ hardwareType, protocolType, hl, pl, operation }) =>
      fc.record({
        hardwareType: fc.constant(hardwareType),
        protocolType: fc.constant(protocolType),
        hardwareLength: fc.constant(hl),
        protocolLength: fc.constant(pl),
        operation: fc.constant(operation),
        senderHardware: bytes(hl).map((b) => formatHexBytes(b, 0, hl)),
        senderProtocol: bytes(pl).map((b) =>
          protocolType === 0x0800 && pl === 4 ? formatIPv4(b) : formatHexBytes(b, 0, pl),
        ),
        targetHardware: bytes(hl).map((b) => formatHexBytes(b, 0, hl)),
        targetProtocol: bytes(pl).map((b) =>
          protocolType === 0x0800 && pl === 4 ? formatIPv4(b) : formatHexBytes(b, 0, pl),
        ),
      }),
    ),
);

/** Well-formed IPv4 option bytes: TLVs (and NOPs), padded with zeros (EOL) to a multiple of 4, at most 40. */
export const arbIPv4Options: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.constant({ type: 1, data: new Uint8Array(0) }),
      fc.record({ type: fc.integer({ min: 2, max: 255 }), data: fc.uint8Array({ maxLength: 8 }) }),
    ),
    {
      maxLength: 4,
    },
  )
  .map((opts) => {
    const out: number[] = [];
    for (const o of opts) {
      if (o.type === 1) out.push(1);
      else out.push(o.type, 2 + o.data.length, ...o.data);
    }
    while (out.length % 4 !== 0) out.push(0);
    return Uint8Array.from(out.slice(0, 40));
  })
  .filter((b) => b.length % 4 === 0);

export const arbIPv4: fc.Arbitrary<IPv4Header> = fc
  .record({
    dscp: fc.integer({ min: 0, max: 63 }),
    ecn: fc.integer({ min: 0, max: 3 }),
    payload: fc.integer({ min: 0, max: 1400 }),
    identification: u16,
    dontFragment: fc.boolean(),
    moreFragments: fc.boolean(),
    fragmentOffset: fc.integer({ min: 0, max: 0x1fff }),
    ttl: u8,
    protocol: u8,
    src: arbIPv4Address,
    dst: arbIPv4Address,
    options: arbIPv4Options,
  })
  .map(({ payload, ...h }) => ({ ...h, totalLength: 20 + h.options.length + payload }));

const arbTlvOption: fc.Arbitrary<IPv6Option> = fc.oneof(
  fc.constant({ type: 0, data: new Uint8Array(0) }),
  fc.record({ type: fc.integer({ min: 1, max: 255 }), data: fc.uint8Array({ maxLength: 12 }) }),
);
const arbOptions = fc.array(arbTlvOption, { maxLength: 4 }).map(padIPv6Options);

export const arbIPv6Extension: fc.Arbitrary<IPv6Extension> = fc.oneof(
  arbOptions.map((options) => ({ type: 0 as const, options })),
  arbOptions.map((options) => ({ type: 60 as const, options })),
  fc.record({
    type: fc.constant(43 as const),
    routingType: u8,
    segmentsLeft: u8,
    data: fc.integer({ min: 0, max: 3 }).chain((n) => bytes(4 + 8 * n)),
  }),
  fc.record({
    type: fc.constant(44 as const),
    fragmentOffset: fc.constant(0),
    moreFragments: fc.boolean(),
    identification: u32,
  }),
  fc.record({
    type: fc.constantFrom(135 as const, 139 as const, 140 as const),
    data: fc.integer({ min: 0, max: 2 }).chain((n) => bytes(6 + 8 * n)),
  }),
  fc.record({
    type: fc.constant(51 as const),
    data: fc.integer({ min: 0, max: 4 }).chain((n) => bytes(6 + 4 * n)),
  }),
);

export const arbIPv6: fc.Arbitrary<IPv6Header> = fc
  .record({
    trafficClass: u8,
    flowLabel: fc.integer({ min: 0, max: 0xfffff }),
    payload: fc.integer({ min: 0, max: 1400 }),
    hopLimit: u8,
    src: arbIPv6Address,
    dst: arbIPv6Address,
    extensions: fc.array(arbIPv6Extension, { maxLength: 4 }),
    protocol: u8.filter((p) => !isIPv6ExtensionHeader(p)),
    lastFragmentOffset: fc.integer({ min: 0, max: 0x1fff }),
  })
  .map(({ payload, lastFragmentOffset, ...h }) => {
    // A non-first fragment may only stand last (the decoder stops after it).
    const exts = h.extensions.map((e, i) =>
      e.type === 44 && i === h.extensions.length - 1 ? { ...e, fragmentOffset: lastFragmentOffset } : e,
    );
    let extLen = 0;
    for (const e of exts) extLen += extensionLength(e);
    return { ...h, extensions: exts, payloadLength: Math.min(0xffff, extLen + payload) };
  });

export const arbICMPv4: fc.Arbitrary<ICMPv4Message> = fc.oneof(
  fc.record({
    kind: fc.constant('echo' as const),
    type: fc.constantFrom(0, 8),
    code: u8,
    identifier: u16,
    sequence: u16,
    data: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    type: u8.filter((t) => t !== 0 && t !== 8),
    code: u8,
    rest: bytes(4),
    data: fc.uint8Array({ maxLength: 64 }),
  }),
);

export const arbNdOption: fc.Arbitrary<NdOption> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 2 as const), linkLayerAddress: arbMac }),
  fc
    .record({
      type: u8,
      data: fc.integer({ min: 1, max: 3 }).chain((n) => bytes(8 * n - 2)),
    })
    .filter((o) => !((o.type === 1 || o.type === 2) && o.data.length === 6)),
);
const arbNdOptions = fc.array(arbNdOption, { maxLength: 3 });

export const arbICMPv6: fc.Arbitrary<ICMPv6Message> = fc.oneof(
  fc.record({
    kind: fc.constant('echo' as const),
    type: fc.constantFrom(128, 129),
    code: u8,
    identifier: u16,
    sequence: u16,
    data: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('routerSolicitation' as const),
    type: fc.constant(133),
    code: u8,
    options: arbNdOptions,
  }),
  fc.record({
    kind: fc.constant('routerAdvertisement' as const),
    type: fc.constant(134),
    code: u8,
    curHopLimit: u8,
    managed: fc.boolean(),
    other: fc.boolean(),
    extraFlags: fc.integer({ min: 0, max: 63 }),
    routerLifetime: u16,
    reachableTime: u32,
    retransTimer: u32,
    options: arbNdOptions,
  }),
  fc.record({
    kind: fc.constant('neighborSolicitation' as const),
    type: fc.constant(135),
    code: u8,
    target: arbIPv6Address,
    options: arbNdOptions,
  }),
  fc.record({
    kind: fc.constant('neighborAdvertisement' as const),
    type: fc.constant(136),
    code: u8,
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    target: arbIPv6Address,
    options: arbNdOptions,
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    type: u8.filter((t) => ![128, 129, 133, 134, 135, 136].includes(t)),
    code: u8,
    body: fc.uint8Array({ maxLength: 64 }),
  }),
);

/** Random bytes, and valid encodings with a few bytes overwritten or cut short, for fuzzing decoders. */
export function arbMutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    fc
      .record({
        b: valid,
        edits: fc.array(fc.record({ at: fc.nat(), v: u8 }), { maxLength: 4 }),
        cut: fc.nat(),
      })
      .map(({ b, edits, cut }) => {
        const out = b.slice();
        for (const e of edits) if (out.length > 0) out[e.at % out.length] = e.v;
        return cut % 3 === 0 ? out.subarray(0, cut % (out.length + 1)) : out;
      }),
  );
}

/** What the fuzzer needs of a decoder: its layer names, decode at an offset, and encode for round trips. */
export interface FuzzTarget<T> {
  /** Layer names its errors may carry. */
  layers: string[];
  /** `end` is where the input ends (for messages whose length comes from the layer below). */
  decode(buf: Uint8Array, offset: number, end: number): { value: T; length: number };
  encode(value: T): Uint8Array;
}

function describeBytes(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/**
 * Decodes `bytes` behind `prefix` and checks the decoder contract on arbitrary input:
 * - it returns, or throws a TruncatedError/InvalidFieldError naming one of the target's layers, a field and
 *   an offset inside the buffer;
 * - what it returns lies inside the buffer, and does not change when junk follows the buffer (so nothing past
 *   the end was read);
 * - the value re-encodes and decodes back to an equal value.
 * Throws a plain Error describing the input otherwise, so fast-check reports and shrinks it.
 */
export function checkDecoderOn<T>(
  t: FuzzTarget<T>,
  bytes: Uint8Array,
  prefix: Uint8Array,
  junk: Uint8Array,
): void {
  const buf = new Uint8Array(prefix.length + bytes.length);
  buf.set(prefix);
  buf.set(bytes, prefix.length);
  const at = prefix.length;
  let got: { value: T; length: number };
  try {
    got = t.decode(buf, at, buf.length);
  } catch (e) {
    if (!(e instanceof TruncatedError || e instanceof InvalidFieldError)) {
      throw new Error(`untyped error ${String(e)} for ${describeBytes(bytes)}`);
    }
    if (!t.layers.includes(e.layer))
      throw new Error(`error names layer ${e.layer} for ${describeBytes(bytes)}`);
    if (e.field.length === 0) throw new Error(`error without a field for ${describeBytes(bytes)}`);
    if (e.offset < at || e.offset > buf.length)
      throw new Error(`error offset ${e.offset} outside ${at}..${buf.length}`);
    return;
  }
  if (got.length < 0 || at + got.length > buf.length)
    throw new Error(`length ${got.length} past the buffer for ${describeBytes(bytes)}`);
  const longer = new Uint8Array(buf.length + junk.length);
  longer.set(buf);
  longer.set(junk, buf.length);
  const again = t.decode(longer, at, buf.length);
  if (!isDeepStrictEqual(again, got))
    throw new Error(`result changed when bytes followed the buffer: ${describeBytes(bytes)}`);
  const enc = t.encode(got.value);
  const round = t.decode(enc, 0, enc.length);
  if (!isDeepStrictEqual(round.value, got.value))
    throw new Error(`re-encoding changed the value for ${describeBytes(bytes)}`);
}

/** fast-check property over random bytes and mutated valid encodings for `checkDecoderOn`. */
export function decoderFuzzProperty<T>(t: FuzzTarget<T>, valid: fc.Arbitrary<Uint8Array>) {
  return fc.property(
    arbMutated(valid),
    fc.uint8Array({ maxLength: 5 }),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((j) => j.map((x) => x | 1)),
    (bytes, prefix, junk) => checkDecoderOn(t, bytes, prefix, junk),
  );
}
