// The per-packet side: a compiled ACL becomes a matcher (typed arrays and bitsets), and `evaluate` decides a
// five-tuple with it. Protocol+direction, destination port and source port each select a bitset of
// candidate entries (precomputed over elementary port intervals); their AND, walked lowest bit first, keeps
// first-match order, and only those candidates test the shared address sets. Nothing is allocated per decision.
import type { AddressSet } from './address-set.js';
import { parseAddressInto } from './address-set.js';
import type { AclEntry, CompiledAcl, Gate } from './compile.js';
import { InputFormatError } from './errors.js';

/** A reusable five-tuple. Addresses are four 32-bit words (IPv4 in word 0). */
export class FiveTuple {
  family: 4 | 6 = 4;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  protocol = 6;
  srcPort = 0;
  dstPort = 0;
  /** `egress`: the interface's workload sent it; `ingress`: it is delivered to the workload. */
  direction: 'ingress' | 'egress' = 'egress';

  /** Convenience setter from text (parses, so not for the hot path). */
  static of(t: {
    src: string;
    dst: string;
    protocol: number;
    dstPort?: number;
    srcPort?: number;
    direction: 'ingress' | 'egress';
  }): FiveTuple {
    return new FiveTuple().set(t);
  }

  set(t: {
    src: string;
    dst: string;
    protocol: number;
    dstPort?: number;
    srcPort?: number;
    direction: 'ingress' | 'egress';
  }): this {
    const ctx = { objectType: 'five-tuple', objectName: `${t.src}->${t.dst}`, field: 'src' };
    const f1 = parseAddressInto(t.src, this.src, ctx);
    const f2 = parseAddressInto(t.dst, this.dst, { ...ctx, field: 'dst' });
    if (f1 !== f2)
      throw new InputFormatError(
        'five-tuple',
        ctx.objectName,
        'dst',
        'source and destination are of different families',
      );
    this.family = f1;
    this.protocol = t.protocol;
    this.dstPort = t.dstPort ?? 0;
    this.srcPort = t.srcPort ?? 0;
    this.direction = t.direction;
    return this;
  }
}

export type DecisionReason = 'rule' | 'implicit-allow' | 'implicit-deny' | 'default-gateway';

/** The outcome of one evaluation. `evaluate` fills and returns a reused instance unless given one. */
export class Decision {
  action: 'pass' | 'deny' = 'deny';
  /** The gate that decided: for deny the gate that dropped, for pass the last gate with a matching rule. */
  gate: Gate | null = null;
  ruleId: string | null = null;
  reason: DecisionReason = 'implicit-deny';
  log = false;
  serviceChain: readonly string[] = [];
  /** The matching entry, for tracing. */
  entry: AclEntry | null = null;

  toJSON(): {
    action: string;
    gate: Gate | null;
    rule: string | null;
    reason: DecisionReason;
    serviceChain?: readonly string[];
  } {
    const o: {
      action: string;
      gate: Gate | null;
      rule: string | null;
      reason: DecisionReason;
      serviceChain?: readonly string[];
    } = {
      action: this.action,
      gate: this.gate,
      rule: this.ruleId,
      reason: this.reason,
    };
    if (this.serviceChain.length > 0) o.serviceChain = this.serviceChain;
    return o;
  }
}

const INGRESS = 1;

/** One gate's entries as arrays plus the bitset indexes. */
class GateMatcher {
  readonly gate: Gate;
  readonly entries: readonly AclEntry[];
  private readonly words: number;
  private readonly remote: AddressSet[];
  private readonly local: (AddressSet | null)[];
  /** Protocols named by some entry; slot k+1 is protos[k]. Few per ACL, so a scan beats a 256-slot table. */
  private readonly protos: Int16Array;
  /** Bitsets per (protocol slot, direction). */
  private readonly protoBits: Uint32Array;
  private readonly dpPoints: Int32Array;
  private readonly dpBits: Uint32Array;
  private readonly spPoints: Int32Array;
  private readonly spBits: Uint32Array;

  constructor(gate: Gate, entries: readonly AclEntry[], resolve: (id: string) => AddressSet) {
    this.gate = gate;
    this.entries = entries;
    const n = entries.length;
    const words = Math.max(1, Math.ceil(n / 32));
    this.words = words;
    this.remote = entries.map((e) => resolve(e.remote));
    this.local = entries.map((e) => (e.local === null ? null : resolve(e.local)));
    for (const s of this.remote) s.build();
    // Slot 0 is every protocol no entry names; it only holds "any protocol" entries.
    this.protos = Int16Array.from(new Set(entries.map((e) => e.protocol).filter((p) => p >= 0)));
    const slots = this.protos.length + 1;
    this.protoBits = new Uint32Array(slots * 2 * words);
    entries.forEach((e, idx) => {
      const dir = e.direction === 'ingress' ? INGRESS : 0;
      for (let s = 0; s < slots; s++) {
        if (e.protocol >= 0 && s !== this.slot(e.protocol)) continue;
        const at = (s * 2 + dir) * words + (idx >>> 5);
        this.protoBits[at] = ((this.protoBits[at] as number) | (1 << (idx & 31))) >>> 0;
      }
    });
    [this.dpPoints, this.dpBits] = GateMatcher.intervals(
      entries.map((e) => e.dstPorts),
      words,
    );
    [this.spPoints, this.spBits] = GateMatcher.intervals(
      entries.map((e) => e.srcPorts),
      words,
    );
  }

  /** Elementary intervals of the ranges' boundaries, each with the bitset of ranges covering it. */
  private static intervals(
    ranges: readonly (readonly [number, number])[],
    words: number,
  ): [Int32Array, Uint32Array] {
    const pts = new Set<number>([0]);
    for (const [lo, hi] of ranges) {
      pts.add(lo);
      if (hi < 65535) pts.add(hi + 1);
    }
    const points = Int32Array.from([...pts].sort((a, b) => a - b));
    const bits = new Uint32Array(points.length * words);
    ranges.forEach(([lo, hi], idx) => {
      for (let k = 0; k < points.length; k++) {
        const p = points[k] as number;
        if (p >= lo && p <= hi) {
          const at = k * words + (idx >>> 5);
          bits[at] = ((bits[at] as number) | (1 << (idx & 31))) >>> 0;
        }
      }
    });
    return [points, bits];
  }

  private static find(points: Int32Array, port: number): number {
    let lo = 0;
    let hi = points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((points[mid] as number) <= port) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private slot(protocol: number): number {
    const p = this.protos;
    for (let k = 0; k < p.length; k++) if (p[k] === protocol) return k + 1;
    return 0;
  }

  /** Index of the first matching entry, or -1. */
  match(t: FiveTuple): number {
    const dir = t.direction === 'ingress' ? INGRESS : 0;
    const w = this.words;
    const slot = this.slot(t.protocol);
    const pb = (slot * 2 + dir) * w;
    const db = GateMatcher.find(this.dpPoints, t.dstPort) * w;
    const sb = GateMatcher.find(this.spPoints, t.srcPort) * w;
    const remoteAddr = dir === INGRESS ? t.src : t.dst;
    const localAddr = dir === INGRESS ? t.dst : t.src;
    const fam = t.family;
    for (let k = 0; k < w; k++) {
      let m =
        (this.protoBits[pb + k] as number) &
        (this.dpBits[db + k] as number) &
        (this.spBits[sb + k] as number);
      while (m !== 0) {
        const low = m & -m;
        const idx = (k << 5) + (31 - Math.clz32(low));
        const loc = this.local[idx] as AddressSet | null;
        if (
          (this.remote[idx] as AddressSet).has(fam, remoteAddr) &&
          (loc === null || loc.has(fam, localAddr))
        )
          return idx;
        m ^= low;
      }
    }
    return -1;
  }

  /** Bytes held by the index arrays (address sets are shared and counted separately). */
  bytes(): number {
    return (
      this.protoBits.byteLength +
      this.dpBits.byteLength +
      this.spBits.byteLength +
      this.dpPoints.byteLength +
      this.spPoints.byteLength +
      this.protos.byteLength +
      16 * this.entries.length
    );
  }
}

/** A compiled ACL ready for evaluation. Build with `compileMatcher` (or `PolicyCompiler.matcher`). */
export class AclMatcher {
  readonly acl: CompiledAcl;
  /** Gates in evaluation order; null = gate has no list. */
  readonly gates: readonly (GateMatcher | null)[];
  readonly gateway: AddressSet | null;

  constructor(acl: CompiledAcl, resolve: (id: string) => AddressSet) {
    this.acl = acl;
    this.gates = [
      acl.networkPolicy && new GateMatcher('network-policy', acl.networkPolicy, resolve),
      acl.securityGroup && new GateMatcher('security-group', acl.securityGroup, resolve),
      acl.firewall && new GateMatcher('firewall', acl.firewall, resolve),
    ];
    this.gateway = acl.gateway === null ? null : resolve(acl.gateway);
  }

  bytes(): number {
    let b = 64;
    for (const g of this.gates) if (g) b += g.bytes();
    return b;
  }
}

/** Builds a matcher for a compiled ACL, resolving set ids with `resolve`. */
export function compileMatcher(acl: CompiledAcl, resolve: (id: string) => AddressSet): AclMatcher {
  return new AclMatcher(acl, resolve);
}

const shared = new Decision();

/**
 * Decides a five-tuple at one interface: ICMP and DNS to or from the VN gateway pass; then each gate in order
 * (network policy, security group, firewall): no list passes, first matching entry decides, no match denies.
 * Returns `out` (a shared Decision by default: copy what you keep).
 */
export function evaluate(m: AclMatcher, t: FiveTuple, out: Decision = shared): Decision {
  out.action = 'pass';
  out.gate = null;
  out.ruleId = null;
  out.reason = 'implicit-allow';
  out.log = false;
  out.serviceChain = EMPTY;
  out.entry = null;
  if (m.gateway !== null) {
    const remote = t.direction === 'ingress' ? t.src : t.dst;
    const p = t.protocol;
    if (
      (p === 1 || p === 58 || (p === 17 && (t.dstPort === 53 || t.srcPort === 53))) &&
      m.gateway.has(t.family, remote)
    ) {
      out.reason = 'default-gateway';
      return out;
    }
  }
  const gates = m.gates;
  for (let g = 0; g < gates.length; g++) {
    const gm = gates[g];
    if (!gm) continue;
    const idx = gm.match(t);
    if (idx < 0) {
      out.action = 'deny';
      out.gate = gm.gate;
      out.ruleId = null;
      out.reason = 'implicit-deny';
      out.entry = null;
      return out;
    }
    const e = gm.entries[idx] as AclEntry;
    out.gate = gm.gate;
    out.ruleId = e.ruleId;
    out.reason = 'rule';
    out.entry = e;
    if (e.log) out.log = true;
    if (e.serviceChain.length > 0) out.serviceChain = e.serviceChain;
    if (e.action === 'deny') {
      out.action = 'deny';
      return out;
    }
  }
  return out;
}

const EMPTY: readonly string[] = [];
