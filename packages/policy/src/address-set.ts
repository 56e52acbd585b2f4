// Address sets: the remote side of every compiled ACL entry. A set is named by its definition (a selector,
// see compile.ts) and shared by every entry and every interface that uses it, so a tag change updates one
// set instead of thousands of entries (the Cilium ipcache idea). Membership is a multiset of prefixes;
// lookups run on sorted, merged ranges built lazily after a change, by binary search without allocating.
import { Address6 } from 'ip-address';
import { InvalidPrefixError } from './errors.js';

/** A parsed prefix: family, length and inclusive range as four 32-bit words (IPv4 uses word 0 only). */
export interface Prefix {
  family: 4 | 6;
  len: number;
  lo: Uint32Array;
  hi: Uint32Array;
  /** Canonical text, `10.0.0.0/24` or `2001:db8::/64`. */
  text: string;
}

/** Where a prefix was written, for error messages. */
export interface PrefixContext {
  objectType: string;
  objectName: string;
  field: string;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 address to an unsigned 32-bit number, or undefined. */
export function parseIPv4(s: string): number | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function v6Words(s: string): Uint32Array | undefined {
  if (!s.includes(':') || !Address6.isValid(s)) return undefined;
  const big = new Address6(s).bigInt();
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = Number((big >> BigInt(96 - 32 * i)) & 0xffffffffn);
  return w;
}

function wordsToBig(w: Uint32Array): bigint {
  let b = 0n;
  for (let i = 0; i < 4; i++) b = (b << 32n) | BigInt(w[i] as number);
  return b;
}

function bigToWords(b: bigint, out = new Uint32Array(4)): Uint32Array {
  for (let i = 0; i < 4; i++) out[i] = Number((b >> BigInt(96 - 32 * i)) & 0xffffffffn);
  return out;
}

function formatIPv6(w: Uint32Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 4; i++) {
    const x = w[i] as number;
    groups.push((x >>> 16).toString(16), (x & 0xffff).toString(16));
  }
  return new Address6(groups.join(':')).correctForm();
}

/**
 * Parses an address or prefix (`10.1.1.5`, `10.1.0.0/16`, `2001:db8::/32`); host bits are cleared, as TF
 * does for subnets. Throws InvalidPrefixError naming the object and field.
 */
export function parsePrefix(s: string, ctx: PrefixContext): Prefix {
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const lenText = slash === -1 ? undefined : s.slice(slash + 1);
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText))
    throw new InvalidPrefixError(ctx.objectType, ctx.objectName, ctx.field, s, 'bad prefix length');
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    const len = lenText === undefined ? 32 : Number(lenText);
    if (len > 32)
      throw new InvalidPrefixError(ctx.objectType, ctx.objectName, ctx.field, s, 'prefix length above 32');
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const lo = (v4 & mask) >>> 0;
    const hi = (lo | (~mask >>> 0)) >>> 0;
    return {
      family: 4,
      len,
      lo: Uint32Array.of(lo, 0, 0, 0),
      hi: Uint32Array.of(hi, 0, 0, 0),
      text: `${formatIPv4(lo)}/${len}`,
    };
  }
  const w = v6Words(addr);
  if (w === undefined) throw new InvalidPrefixError(ctx.objectType, ctx.objectName, ctx.field, s);
  const len = lenText === undefined ? 128 : Number(lenText);
  if (len > 128)
    throw new InvalidPrefixError(ctx.objectType, ctx.objectName, ctx.field, s, 'prefix length above 128');
  const host = (1n << BigInt(128 - len)) - 1n;
  const loBig = wordsToBig(w) & ~host & ((1n << 128n) - 1n);
  const lo = bigToWords(loBig);
  const hi = bigToWords(loBig | host);
  return { family: 6, len, lo, hi, text: `${formatIPv6(lo)}/${len}` };
}

/** The first host address of a subnet (TF's default gateway), or undefined for /31, /32, /127, /128. */
export function firstHost(p: Prefix): Prefix | undefined {
  if (p.len >= (p.family === 4 ? 31 : 127)) return undefined;
  const lo = Uint32Array.from(p.lo);
  const last = p.family === 4 ? 0 : 3;
  lo[last] = ((lo[last] as number) + 1) >>> 0;
  const text = p.family === 4 ? `${formatIPv4(lo[0] as number)}/32` : `${formatIPv6(lo)}/128`;
  return { family: p.family, len: p.family === 4 ? 32 : 128, lo, hi: Uint32Array.from(lo), text };
}

/** Parses a single address into `out` (4 words); returns its family. */
export function parseAddressInto(s: string, out: Uint32Array, ctx: PrefixContext): 4 | 6 {
  const p = parsePrefix(s, ctx);
  if ((p.family === 4 && p.len !== 32) || (p.family === 6 && p.len !== 128))
    throw new InvalidPrefixError(
      ctx.objectType,
      ctx.objectName,
      ctx.field,
      s,
      'an address, not a prefix, is needed',
    );
  out.set(p.lo);
  return p.family;
}

/** True when prefix `p` contains address words `w` of family `f`. */
export function prefixContains(p: Prefix, f: 4 | 6, w: Uint32Array): boolean {
  if (p.family !== f) return false;
  if (f === 4) return (w[0] as number) >= (p.lo[0] as number) && (w[0] as number) <= (p.hi[0] as number);
  return cmp6(w, 0, p.lo, 0) >= 0 && cmp6(w, 0, p.hi, 0) <= 0;
}

function cmp6(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let i = 0; i < 4; i++) {
    const x = a[ai + i] as number;
    const y = b[bi + i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Decomposes the inclusive range lo..hi of a `bits`-wide space into the fewest CIDR blocks. */
function rangeToCidrs(
  lo: bigint,
  hi: bigint,
  bits: number,
  fmt: (v: bigint, len: number) => string,
): string[] {
  const out: string[] = [];
  while (lo <= hi) {
    let size = 0;
    while (size < bits) {
      const block = 1n << BigInt(size + 1);
      if (lo % block !== 0n || lo + block - 1n > hi) break;
      size++;
    }
    out.push(fmt(lo, bits - size));
    lo += 1n << BigInt(size);
  }
  return out;
}

/**
 * `cidr` minus every `except` prefix, as CIDR blocks (Kubernetes ipBlock.except). Excepts of the other
 * family or outside `cidr` are ignored, as Kubernetes does.
 */
export function subtractPrefixes(cidr: string, except: readonly string[], ctx: PrefixContext): string[] {
  const base = parsePrefix(cidr, ctx);
  const bits = base.family === 4 ? 32 : 128;
  const toBig = (w: Uint32Array) => (base.family === 4 ? BigInt(w[0] as number) : wordsToBig(w));
  const fmt = (v: bigint, len: number) =>
    base.family === 4 ? `${formatIPv4(Number(v))}/${len}` : `${formatIPv6(bigToWords(v))}/${len}`;
  let ranges: [bigint, bigint][] = [[toBig(base.lo), toBig(base.hi)]];
  for (const e of except) {
    const p = parsePrefix(e, { ...ctx, field: `${ctx.field}.except` });
    if (p.family !== base.family) continue;
    const elo = toBig(p.lo);
    const ehi = toBig(p.hi);
    const next: [bigint, bigint][] = [];
    for (const [lo, hi] of ranges) {
      if (ehi < lo || elo > hi) next.push([lo, hi]);
      else {
        if (elo > lo) next.push([lo, elo - 1n]);
        if (ehi < hi) next.push([ehi + 1n, hi]);
      }
    }
    ranges = next;
  }
  return ranges.flatMap(([lo, hi]) => rangeToCidrs(lo, hi, bits, fmt));
}

/**
 * A named, shared set of prefixes. `add`/`remove` count references so that two interfaces with one address,
 * or an interface inside a static prefix, stay correct; `changes` collects the transitions since the last drain.
 */
export class AddressSet {
  readonly id: string;
  private readonly counts = new Map<string, number>();
  private readonly parsed = new Map<string, Prefix>();
  private v4 = new Uint32Array(0);
  private v6 = new Uint32Array(0);
  private dirty = true;
  /** Prefixes that appeared (+1) or disappeared (-1) since the last `drainChanges`. */
  private readonly pending = new Map<string, number>();

  constructor(id: string) {
    this.id = id;
  }

  add(p: Prefix): void {
    const n = this.counts.get(p.text) ?? 0;
    this.counts.set(p.text, n + 1);
    if (n === 0) {
      this.parsed.set(p.text, p);
      this.dirty = true;
      this.note(p.text, 1);
    }
  }

  remove(p: Prefix): void {
    const n = this.counts.get(p.text) ?? 0;
    if (n <= 1) {
      if (n === 1) {
        this.counts.delete(p.text);
        this.parsed.delete(p.text);
        this.dirty = true;
        this.note(p.text, -1);
      }
    } else this.counts.set(p.text, n - 1);
  }

  private note(text: string, d: number): void {
    const v = (this.pending.get(text) ?? 0) + d;
    if (v === 0) this.pending.delete(text);
    else this.pending.set(text, v);
  }

  /** Prefixes added and removed since the last call. */
  drainChanges(): { added: string[]; removed: string[] } {
    const added: string[] = [];
    const removed: string[] = [];
    for (const [t, d] of this.pending) (d > 0 ? added : removed).push(t);
    this.pending.clear();
    return { added: added.sort(), removed: removed.sort() };
  }

  /** Removes every member (noted as removals, so a refill reports only the net change). */
  clear(): void {
    for (const t of this.counts.keys()) this.note(t, -1);
    this.counts.clear();
    this.parsed.clear();
    this.dirty = true;
  }

  get size(): number {
    return this.counts.size;
  }

  /** Sorted canonical prefixes. */
  prefixes(): string[] {
    return [...this.counts.keys()].sort();
  }

  /** Builds the merged range tables; called lazily by `has`, or eagerly to keep first lookups cheap. */
  build(): void {
    if (!this.dirty) return;
    const r4: [number, number][] = [];
    const r6: Uint32Array[] = [];
    for (const p of this.parsed.values()) {
      if (p.family === 4) r4.push([p.lo[0] as number, p.hi[0] as number]);
      else {
        const r = new Uint32Array(8);
        r.set(p.lo, 0);
        r.set(p.hi, 4);
        r6.push(r);
      }
    }
    r4.sort((a, b) => a[0] - b[0]);
    const m4: number[] = [];
    for (const [lo, hi] of r4) {
      const last = m4.length - 1;
      if (last > 0 && lo <= (m4[last] as number) + 1) m4[last] = Math.max(m4[last] as number, hi);
      else m4.push(lo, hi);
    }
    this.v4 = Uint32Array.from(m4);
    r6.sort((a, b) => cmp6(a, 0, b, 0));
    const m6: Uint32Array[] = [];
    for (const r of r6) {
      const last = m6[m6.length - 1];
      if (last && cmp6(r, 0, last, 4) <= 0) {
        if (cmp6(r, 4, last, 4) > 0) last.set(r.subarray(4, 8), 4);
      } else m6.push(r);
    }
    this.v6 = new Uint32Array(m6.length * 8);
    m6.forEach((r, i) => {
      this.v6.set(r, i * 8);
    });
    this.dirty = false;
  }

  /** Membership of an IPv4 address (unsigned 32-bit). Allocation-free once built. */
  has4(a: number): boolean {
    if (this.dirty) this.build();
    const r = this.v4;
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = r[mid * 2] as number;
      if (a < s) hi = mid - 1;
      else if (a > (r[mid * 2 + 1] as number)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Membership of an IPv6 address given as four 32-bit words. */
  has6(w: Uint32Array): boolean {
    if (this.dirty) this.build();
    const r = this.v6;
    let lo = 0;
    let hi = r.length / 8 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmp6(w, 0, r, mid * 8) < 0) hi = mid - 1;
      else if (cmp6(w, 0, r, mid * 8 + 4) > 0) lo = mid + 1;
      else return true;
    }
    return false;
  }

  has(family: 4 | 6, w: Uint32Array): boolean {
    return family === 4 ? this.has4(w[0] as number) : this.has6(w);
  }

  /** Approximate bytes held by the lookup tables. */
  tableBytes(): number {
    return this.v4.byteLength + this.v6.byteLength;
  }
}
