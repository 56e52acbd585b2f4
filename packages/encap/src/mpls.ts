// MPLS label stack, RFC 3032 section 2.1 (TC renamed from EXP by RFC 5462).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                Label                  | TC  |S|       TTL     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Entries repeat until one has S (bottom of stack) set. Nothing in the stack says what follows the bottom
// entry (RFC 3032 section 2.2: the label's owner knows), so the payload kind is a pluggable guess: by default
// the explicit-null labels, then the first nibble (4 IPv4, 6 IPv6); a label map or callback says Ethernet
// for pseudowires without control word, as EVPN over MPLS (RFC 7432) uses.
import type { Decoded, HeaderCodec } from './codec.js';
import { checkRange, InvalidFieldError, need, RangeFieldError, TruncatedError } from './errors.js';

const LAYER = 'mpls';
export const MPLS_LABEL_MAX = 0xfffff;
/** Reserved labels of RFC 3032 section 2.1 (and RFC 7274). */
export const MplsLabel = {
  ipv4ExplicitNull: 0,
  routerAlert: 1,
  ipv6ExplicitNull: 2,
  implicitNull: 3,
  entropyIndicator: 7,
  gal: 13,
} as const;
/** Default bound on the stack depth a decoder walks. */
export const MPLS_DEFAULT_MAX_DEPTH = 16;

export interface MplsLabelEntry {
  /** 20-bit label. */
  label: number;
  /** 3-bit traffic class. */
  tc: number;
  /** S bit. On encode, defaults to true for the last entry only. */
  bottom?: boolean;
  ttl: number;
}

export interface MplsStack {
  labels: MplsLabelEntry[];
}

export interface MplsDecodeOptions {
  /** Entries to walk before giving up (default 16). */
  maxDepth?: number;
}

function encodingLength(value: MplsStack): number {
  return 4 * value.labels.length;
}

function encode(value: MplsStack, buf?: Uint8Array, offset = 0): Uint8Array {
  const len = encodingLength(value);
  if (len === 0) throw new RangeFieldError(LAYER, 'labels', 0, 1, MPLS_DEFAULT_MAX_DEPTH);
  const out = buf ?? new Uint8Array(len);
  checkRange(LAYER, 'offset', offset, 0, out.length - len);
  value.labels.forEach((e, i) => {
    checkRange(LAYER, 'label', e.label, 0, MPLS_LABEL_MAX);
    checkRange(LAYER, 'tc', e.tc, 0, 7);
    checkRange(LAYER, 'ttl', e.ttl, 0, 0xff);
    const s = e.bottom ?? i === value.labels.length - 1;
    const at = offset + 4 * i;
    out[at] = e.label >>> 12;
    out[at + 1] = (e.label >>> 4) & 0xff;
    out[at + 2] = ((e.label & 0xf) << 4) | (e.tc << 1) | (s ? 1 : 0);
    out[at + 3] = e.ttl;
  });
  return out;
}

/** Walks entries to the bottom of stack; `length` is 4 times the depth. */
function decode(buf: Uint8Array, offset = 0, opts: MplsDecodeOptions = {}): Decoded<MplsStack> {
  const maxDepth = opts.maxDepth ?? MPLS_DEFAULT_MAX_DEPTH;
  need(buf, offset, 4, LAYER, 'label');
  const labels: MplsLabelEntry[] = [];
  for (let at = offset; ; at += 4) {
    if (at + 4 > buf.length) throw new TruncatedError(LAYER, 'label', at, 4, Math.max(0, buf.length - at));
    if (labels.length >= maxDepth) {
      throw new InvalidFieldError(
        LAYER,
        'bottom',
        at,
        labels.length,
        `no bottom of stack within ${maxDepth} entries`,
      );
    }
    const b2 = buf[at + 2]!;
    const bottom = (b2 & 1) === 1;
    labels.push({
      label: (buf[at]! << 12) | (buf[at + 1]! << 4) | (b2 >>> 4),
      tc: (b2 >>> 1) & 7,
      bottom,
      ttl: buf[at + 3]!,
    });
    if (bottom) return { value: { labels }, length: at + 4 - offset };
  }
}

/** MPLS label stack codec. */
export const mpls = { encodingLength, encode, decode } satisfies HeaderCodec<MplsStack, MplsDecodeOptions>;

/** What follows the bottom of the stack. */
export type MplsPayloadKind = 'ipv4' | 'ipv6' | 'ethernet' | 'unknown';

/** Says what follows a decoded stack; `offset` is where the payload starts in `buf`. */
export type MplsPayloadGuess = (stack: MplsStack, buf: Uint8Array, offset: number) => MplsPayloadKind;

/** The default guess: IPv4/IPv6 explicit null as the bottom label, else the first nibble (4 or 6). */
export const guessMplsPayloadByNibble: MplsPayloadGuess = (stack, buf, offset) => {
  const bottom = stack.labels[stack.labels.length - 1]?.label;
  if (bottom === MplsLabel.ipv4ExplicitNull) return 'ipv4';
  if (bottom === MplsLabel.ipv6ExplicitNull) return 'ipv6';
  if (offset >= buf.length) return 'unknown';
  const nibble = buf[offset]! >>> 4;
  return nibble === 4 ? 'ipv4' : nibble === 6 ? 'ipv6' : 'unknown';
};

/**
 * Builds a guess that consults a per-label table first (keyed by the bottom label, e.g. the labels a
 * vRouter allocated for EVPN bridging -> 'ethernet') and otherwise falls back (by default to the nibble guess).
 */
export function mplsPayloadGuess(
  byLabel: ReadonlyMap<number, MplsPayloadKind> | Iterable<readonly [number, MplsPayloadKind]>,
  fallback: MplsPayloadGuess = guessMplsPayloadByNibble,
): MplsPayloadGuess {
  const table = byLabel instanceof Map ? (byLabel as ReadonlyMap<number, MplsPayloadKind>) : new Map(byLabel);
  return (stack, buf, offset) => {
    const bottom = stack.labels[stack.labels.length - 1];
    const kind = bottom === undefined ? undefined : table.get(bottom.label);
    return kind ?? fallback(stack, buf, offset);
  };
}
