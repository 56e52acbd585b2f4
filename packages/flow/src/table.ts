// The flow table: a fixed-capacity hash table over typed arrays, shaped like the vrouter's (vr_flow.c,
// vr_htable.c). The main area is split into 4-entry buckets; a key lives in its bucket or, when the bucket is
// full, in a shared overflow area linked from the bucket by a chain. Entries never move, so an index names a
// flow for its whole life (the reverse pointer, the HOLD queue and other threads rely on it). Every flow is
// created with its reverse flow, and the pair is deleted together.
//
// Beside the slots, each bucket has 8 bytes of metadata: one 8-bit tag per slot (hash bits the bucket choice
// does not use: 1..128 live, 0xff retiring, 0 free) and the head of its overflow chain. Each chain link carries the tag
// of the entry it points to. A lookup reads the bucket's tags (a small array that stays in cache) and opens
// only slots whose tag matches: a hit costs one slot (one cache line), a miss usually none.
import { type AgingOptions, AgingPolicy, ageOf } from './aging.js';
import type { FlowBatch } from './batch.js';
import { Action, DeleteReason, FlowFlag, InsertStatus, TcpFlag, TcpState } from './constants.js';
import type { EcmpGroup } from './ecmp.js';
import {
  checkAddress32,
  checkField,
  checkPort,
  FlowError,
  FlowIndexError,
  FlowMemoryError,
  FlowOptionsError,
} from './errors.js';
import { finish, hashWords, makeSeed, reduce, SEED_INIT, SEED_WORDS } from './hash.js';
import { type HoldOptions, HoldQueue } from './hold.js';
import { FlowKey, reverseWords } from './key.js';
import * as L from './layout.js';

export interface FlowTableOptions {
  /** Entries in the main (bucketed) area; a multiple of 4. Default 524,288 as in the vrouter. */
  capacity?: number;
  /** Entries in the overflow area shared by full buckets. Default 20% of `capacity`. */
  overflow?: number;
  /** Most entries (flows, 2 per pair) alive or retiring at once. Default `capacity + overflow`. */
  maxFlows?: number;
  /** Hash seed; omit for a random one (the default, so collisions cannot be aimed). */
  seed?: number;
  /** Interface ids are 0..maxVifs-1. Default 4096. */
  maxVifs?: number;
  /** Most entries per ingress interface; 0 = no limit (default). */
  maxFlowsPerVif?: number;
  aging?: AgingOptions;
  hold?: HoldOptions;
  /** Back the table with SharedArrayBuffers so worker threads can `attach` to it. */
  shared?: boolean;
  /** Called after a pair is created, once per entry (forward first). */
  onCreate?: (index: number) => void;
  /** Called before an entry leaves the table, while its key and counters can still be read. */
  onDelete?: (index: number, reason: DeleteReason) => void;
}

/** What to install for a new flow and its reverse. A caller may reuse one object for every insert. */
export interface FlowSpec {
  action: Action;
  /** Action of the reverse entry; default: the forward action. */
  reverseAction?: Action | undefined;
  nextHop?: number | undefined;
  reverseNextHop?: number | undefined;
  /** ECMP member slot of each direction (see EcmpGroup); default none. */
  ecmpMember?: number | undefined;
  reverseEcmpMember?: number | undefined;
  /** Ingress interface of each direction (counted against `maxFlowsPerVif`); default 0 / the forward one. */
  vif?: number | undefined;
  reverseVif?: number | undefined;
  /** Mirror target 1..65535 (0 = none); sets the MIRROR flag on both entries. */
  mirror?: number | undefined;
  /** Id of the policy rule that decided the flow, for flow logs. */
  rule?: number | undefined;
  /** NAT: the tuple forward packets leave with. The reverse key is this tuple reversed. */
  nat?: FlowKey | undefined;
  /** Creation time on the caller's clock (ms); default 0. */
  now?: number | undefined;
}

/** The decision for a flow on HOLD. */
export interface FlowDecision {
  action: Action;
  reverseAction?: Action | undefined;
  nextHop?: number | undefined;
  reverseNextHop?: number | undefined;
  rule?: number | undefined;
}

/** A plain snapshot of one entry, for export and flow records. */
export interface FlowRecord {
  index: number;
  reverse: number;
  key: string;
  family: 4 | 6;
  vrf: number;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  action: Action;
  flags: number;
  tcpState: number;
  nextHop: number;
  ecmpMember: number;
  vif: number;
  mirror: number;
  rule: number;
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
  /** For NAT entries, the tuple packets leave with. */
  rewrite?: string;
}

export interface FlowTableStats {
  /** Live entries (a pair is 2). */
  flows: number;
  /** Entries removed but not yet free (two-step removal). */
  retiring: number;
  capacity: number;
  overflow: number;
  overflowUsed: number;
  maxFlows: number;
  created: number;
  deleted: number;
  /** New pairs refused: flow limit reached, bucket and overflow full, interface limit, hold limit. */
  droppedTableFull: number;
  droppedBucketFull: number;
  droppedVifLimit: number;
  droppedHoldLimit: number;
  /** Inserts refused because the forward or reverse key existed. */
  exists: number;
  heldFlows: number;
  heldPacketsDropped: number;
  aged: number;
  tcpClosed: number;
  tcpEmbryonic: number;
}

/** The table's typed arrays and sizes: post it to a worker and `FlowTable.attach` it there. */
export interface FlowTableMemory {
  capacity: number;
  overflow: number;
  maxFlows: number;
  maxVifs: number;
  maxFlowsPerVif: number;
  header: Float64Array;
  seed: Int32Array;
  hot: Int32Array;
  /** Statistics, 24 bytes per entry (layout.ts): packets and bytes as float64, then first seen and rule. */
  cold: Float64Array;
  /** Per bucket: the slot tags (4 x 8 bits) and the overflow chain's first link. */
  buckets: Int32Array;
  /** Per overflow entry: the link to the next entry of its chain, or of the free list. */
  next: Int32Array;
  vifCount: Uint32Array;
}

const MAX_CAPACITY = 1 << 25;
/** Chain links hold entry + 1 in 24 bits. */
const MAX_OVERFLOW = (1 << 24) - 2;
const NONE = -1;

export class FlowTable {
  // Fields are `declare`d, i.e. created by their first assignment in the constructor: as class fields they
  // would first be defined as undefined, and V8 would then keep numbers and arrays in a generic form that the
  // per-packet path checks on every read (1 M lookups/s 5.3 -> 6.2 measured).
  //
  // The seed words an IPv4 key hashes with are copied into fields: the per-packet hash then reads no typed
  // array (bounds checks) and no other object (V8 did not inline through a separate hash object); either
  // cost 15-25% of the lookups per second at 1 M flows. `hashV4` below must equal hash.ts's `hashV4`.
  declare private readonly x0: number;
  declare private readonly x1: number;
  declare private readonly x2: number;
  declare private readonly x6: number;
  declare private readonly m0: number;
  declare private readonly m1: number;
  declare private readonly m2: number;
  declare private readonly m6: number;
  declare private readonly init: number;
  declare readonly capacity: number;
  declare readonly overflow: number;
  declare readonly maxFlows: number;
  declare readonly maxVifs: number;
  declare readonly maxFlowsPerVif: number;
  /** Total entries: main plus overflow area. Valid indices are 0..slots-1. */
  declare readonly slots: number;
  declare readonly aging: AgingPolicy;
  declare readonly holdQueue: HoldQueue;

  declare private readonly buckets: number;
  /** 32 - log2(buckets) when the bucket count is a power of two (> 1), else 0: see `bucketOf`. */
  declare private readonly bucketShift: number;
  declare private readonly header: Float64Array;
  declare private readonly seed: Int32Array;
  declare private readonly hot: Int32Array;
  declare private readonly cold: Float64Array;
  /** The same memory as `cold`, as uint32 words. */
  declare private readonly cold32: Uint32Array;
  declare private readonly info: Int32Array;
  declare private readonly next: Int32Array;
  declare private readonly vifCount: Uint32Array;
  declare private readonly onCreate: ((index: number) => void) | undefined;
  declare private readonly onDelete: ((index: number, reason: DeleteReason) => void) | undefined;
  private readonly scratch = new FlowKey();
  /** Forward key of `insertBatch` (IPv4: words 3-5 and 7-9 stay 0). */
  private readonly batchKey = new FlowKey();
  /** Working space of `deletePairs`: the reverse index of each pair of a chunk. */
  private readonly delScratch = new Int32Array(64);

  constructor(options: FlowTableOptions = {}, memory?: FlowTableMemory) {
    // The seed first, so the hash fields are the object's first fields. (Attached memory with a malformed
    // seed is rejected below; the random words taken meanwhile are never used.)
    const seed = memory?.seed?.length === SEED_WORDS ? memory.seed : makeSeed(options.seed);
    this.x0 = seed[0]!;
    this.x1 = seed[1]!;
    this.x2 = seed[2]!;
    this.x6 = seed[6]!;
    this.m0 = seed[L.KEY_WORDS]!;
    this.m1 = seed[L.KEY_WORDS + 1]!;
    this.m2 = seed[L.KEY_WORDS + 2]!;
    this.m6 = seed[L.KEY_WORDS + 6]!;
    this.init = seed[SEED_INIT]!;
    const capacity = memory?.capacity ?? options.capacity ?? 524_288;
    if (
      !Number.isInteger(capacity) ||
      capacity < L.BUCKET_SIZE ||
      capacity > MAX_CAPACITY ||
      capacity % L.BUCKET_SIZE !== 0
    ) {
      throw new FlowOptionsError('capacity', `${capacity} must be a multiple of 4 in 4..${MAX_CAPACITY}`);
    }
    const overflow = memory?.overflow ?? options.overflow ?? Math.floor(capacity / 5);
    if (!Number.isInteger(overflow) || overflow < 0 || overflow > MAX_OVERFLOW) {
      throw new FlowOptionsError('overflow', `${overflow} must be an integer in 0..${MAX_OVERFLOW}`);
    }
    const slots = capacity + overflow;
    const maxFlows = memory?.maxFlows ?? options.maxFlows ?? slots;
    if (!Number.isInteger(maxFlows) || maxFlows < 2 || maxFlows > slots) {
      throw new FlowOptionsError(
        'maxFlows',
        `${maxFlows} must be an integer in 2..${slots} (capacity + overflow)`,
      );
    }
    const maxVifs = memory?.maxVifs ?? options.maxVifs ?? 4096;
    checkField('maxVifs', maxVifs, 1, 65536);
    const maxFlowsPerVif = memory?.maxFlowsPerVif ?? options.maxFlowsPerVif ?? 0;
    checkField('maxFlowsPerVif', maxFlowsPerVif, 0, slots);

    this.capacity = capacity;
    this.overflow = overflow;
    this.slots = slots;
    this.maxFlows = maxFlows;
    this.maxVifs = maxVifs;
    this.maxFlowsPerVif = maxFlowsPerVif;
    this.buckets = capacity / L.BUCKET_SIZE;
    const nb = this.buckets;
    this.bucketShift = nb > 1 && (nb & (nb - 1)) === 0 ? Math.clz32(nb) + 1 : 0;
    this.aging = new AgingPolicy(options.aging);
    this.holdQueue = new HoldQueue(options.hold);
    this.onCreate = options.onCreate;
    this.onDelete = options.onDelete;

    if (memory) {
      const want: [string, ArrayLike<number>, number][] = [
        ['header', memory.header, L.HEADER_WORDS],
        ['seed', memory.seed, SEED_WORDS],
        ['hot', memory.hot, slots * L.SLOT_WORDS],
        ['cold', memory.cold, slots * L.COLD_F64],
        ['buckets', memory.buckets, this.buckets * 2],
        ['next', memory.next, Math.max(overflow, 1)],
        ['vifCount', memory.vifCount, maxVifs],
      ];
      for (const [name, arr, len] of want) {
        if (arr?.length !== len)
          throw new FlowMemoryError(name, `expected ${len} elements, got ${arr?.length}`);
      }
      if (memory.header[L.H_VERSION] !== L.LAYOUT_VERSION)
        throw new FlowMemoryError('header', 'not a flow table layout');
      this.header = memory.header;
      this.seed = memory.seed;
      this.hot = memory.hot;
      this.cold = memory.cold;
      this.cold32 = new Uint32Array(this.cold.buffer, this.cold.byteOffset, slots * L.COLD_F64 * 2);
      this.info = memory.buckets;
      this.next = memory.next;
      this.vifCount = memory.vifCount;
      return;
    }

    const Buf = options.shared ? SharedArrayBuffer : ArrayBuffer;
    const i32 = (n: number) => new Int32Array(new Buf(n * 4));
    const f64 = (n: number) => new Float64Array(new Buf(n * 8));
    this.header = f64(L.HEADER_WORDS);
    this.seed = i32(SEED_WORDS);
    this.seed.set(seed);
    this.hot = i32(slots * L.SLOT_WORDS);
    this.cold = f64(slots * L.COLD_F64);
    this.cold32 = new Uint32Array(this.cold.buffer, 0, slots * L.COLD_F64 * 2);
    this.info = i32(this.buckets * 2);
    // Overflow entries form a free list through `next` (link = entry + 1, 0 ends) until a chain takes them.
    this.next = i32(Math.max(overflow, 1));
    for (let e = 0; e + 1 < overflow; e++) this.next[e] = e + 2;
    this.header[L.H_FREE_HEAD] = overflow > 0 ? 0 : NONE;
    this.vifCount = new Uint32Array(new Buf(maxVifs * 4));
    this.header[L.H_VERSION] = L.LAYOUT_VERSION;
    // Commit the memory now (fresh buffers are lazily mapped zero pages), so no packet pays a page fault.
    this.hot.fill(0);
    this.cold.fill(0);
    this.info.fill(0);
  }

  /** A second view of a table created elsewhere (e.g. with `shared: true` in another thread). */
  static attach(
    memory: FlowTableMemory,
    options: Omit<FlowTableOptions, 'capacity' | 'overflow' | 'maxFlows' | 'seed' | 'shared'> = {},
  ): FlowTable {
    return new FlowTable(options, memory);
  }

  /** The typed arrays behind the table. Structured-clone them to a worker when created with `shared: true`. */
  memory(): FlowTableMemory {
    return {
      capacity: this.capacity,
      overflow: this.overflow,
      maxFlows: this.maxFlows,
      maxVifs: this.maxVifs,
      maxFlowsPerVif: this.maxFlowsPerVif,
      header: this.header,
      seed: this.seed,
      hot: this.hot,
      cold: this.cold,
      buckets: this.info,
      next: this.next,
      vifCount: this.vifCount,
    };
  }

  /** Bytes of every typed array the table owns (the table's whole memory apart from small JS objects). */
  get byteLength(): number {
    const m = this.memory();
    let n = 0;
    for (const v of Object.values(m)) if (ArrayBuffer.isView(v)) n += v.byteLength;
    return n;
  }

  /** Live entries. */
  get size(): number {
    return this.header[L.H_LIVE]!;
  }

  // ---- lookup -------------------------------------------------------------------------------------------

  /**
   * Index of the IPv4 flow, or -1. Addresses are uint32 (or int32) numbers, as read from a packet. This is
   * the per-packet path: it allocates nothing and touches one 64-byte slot when the key is in its bucket.
   */
  lookupV4(vrf: number, proto: number, src: number, dst: number, sport: number, dport: number): number {
    if ((vrf & 0xffff) !== vrf) checkField('vrf', vrf, 0, 0xffff);
    if ((proto & 0xff) !== proto) checkField('proto', proto, 0, 0xff);
    checkPort('sport', sport);
    checkPort('dport', dport);
    checkAddress32('src', src);
    checkAddress32('dst', dst);
    const meta = (vrf << 16) | (proto << 8) | 4;
    const ports = (sport << 16) | dport;
    src |= 0;
    dst |= 0;
    const h = this.hashV4(meta, ports, src, dst);
    const b = this.bucketOf(h);
    // No early load of the bucket's slot lines here (insertPair has one): a lookup is short enough that the
    // core runs several at once, so the slot misses of consecutive lookups already overlap, and an early load
    // made every miss a memory access (measured at 1 M flows: hits 5.0 -> 6.2 M/s, misses 7 -> 19 M/s
    // without it).
    const hot = this.hot;
    // The usual hit, the bucket's first candidate, inline: probeV4 is too large for V8 to inline here, and
    // a call on every lookup costs more than the few lines repeated.
    const tag = (h & 0x7f) + 1;
    const x = this.info[b << 1]! ^ Math.imul(tag, 0x01010101);
    const m = (x - 0x01010101) & ~x & 0x80808080;
    if (m !== 0) {
      const s = (b << 2) + ((31 - Math.clz32(m & -m)) >>> 3);
      const o = s << L.SLOT_SHIFT;
      if (hot[o + 1] === meta && hot[o + 2] === ports && hot[o + 3] === src && hot[o + 7] === dst) return s;
    }
    return this.probeV4(h, b, meta, ports, src, dst);
  }

  /** hash.ts's `hashV4` from the seed fields (the per-packet path). */
  private hashV4(meta: number, ports: number, src: number, dst: number): number {
    return finish(
      (this.init +
        Math.imul(meta ^ this.x0, this.m0) +
        Math.imul(ports ^ this.x1, this.m1) +
        Math.imul(src ^ this.x2, this.m2) +
        Math.imul(dst ^ this.x6, this.m6)) |
        0,
    );
  }

  /** hash.ts's `hashWords`: `hashV4` above for IPv4 keys. */
  private hashKey(w: Int32Array, off: number): number {
    const meta = w[off]!;
    if ((meta & 0xff) === 4) return this.hashV4(meta, w[off + 1]!, w[off + 2]!, w[off + 6]!);
    return hashWords(this.seed, w, off);
  }

  /**
   * The bucket of hash `h`: `reduce(h, buckets)` (multiply-high), which for a power-of-two bucket count is
   * exactly the top bits of `h`, taken with one shift instead of the float multiplies (it is on the
   * critical path from the key to the bucket's tags).
   */
  private bucketOf(h: number): number {
    const sh = this.bucketShift;
    return sh !== 0 ? h >>> sh : reduce(h, this.buckets);
  }

  /** The search of `lookupV4` once the hash and bucket are known (shared with `lookupBatch`). */
  private probeV4(h: number, b: number, meta: number, ports: number, src: number, dst: number): number {
    const hot = this.hot;
    const info = this.info;
    const tag = (h & 0x7f) + 1;
    // Bytes of the bucket's tag word equal to `tag` (SWAR zero-byte test; a false candidate fails the compare).
    const x = info[b << 1]! ^ Math.imul(tag, 0x01010101);
    for (let m = (x - 0x01010101) & ~x & 0x80808080; m !== 0; m &= m - 1) {
      const s = (b << 2) + ((31 - Math.clz32(m & -m)) >>> 3);
      const o = s << L.SLOT_SHIFT;
      if (hot[o + 1] === meta && hot[o + 2] === ports && hot[o + 3] === src && hot[o + 7] === dst) return s;
    }
    const next = this.next;
    for (let link = info[(b << 1) + 1]!; link !== 0; ) {
      const e = (link & 0xffffff) - 1;
      if (link >>> 24 === tag) {
        const s = this.capacity + e;
        const o = s << L.SLOT_SHIFT;
        if (hot[o + 1] === meta && hot[o + 2] === ports && hot[o + 3] === src && hot[o + 7] === dst) return s;
      }
      link = next[e]!;
    }
    return NONE;
  }

  /**
   * Looks up every IPv4 tuple of a batch (a burst of packets) and writes each index, or -1, into
   * `batch.result`; returns the number of hits. Same results as `lookupV4` one by one, but in three passes
   * (hash and read every bucket's tags, then read every candidate slot, then compare) so that the cache
   * misses of the whole burst overlap instead of following one another.
   */
  lookupBatch(batch: FlowBatch): number {
    const n = batch.count;
    const t = batch.tuples;
    const hashes = batch.hashes;
    const bk = batch.buckets;
    const peek = batch.result;
    const info = this.info;
    const hot = this.hot;
    for (let i = 0; i < n; i++) {
      const q = i << 2;
      const h = this.hashV4(t[q]!, t[q + 1]!, t[q + 2]!, t[q + 3]!);
      const b = this.bucketOf(h);
      hashes[i] = h;
      bk[i] = b;
      peek[i] = info[b << 1]!;
    }
    const main = this.capacity;
    for (let i = 0; i < n; i++) {
      const tag = (hashes[i]! & 0x7f) + 1;
      const b = bk[i]!;
      const x = peek[i]! ^ Math.imul(tag, 0x01010101);
      const m = (x - 0x01010101) & ~x & 0x80808080;
      // Touch the first candidate slot (in the bucket, else at the head of the overflow chain) so its line is
      // on its way while the other packets are handled.
      if (m !== 0) {
        peek[i] = hot[((b << 2) + ((31 - Math.clz32(m & -m)) >>> 3)) << L.SLOT_SHIFT]!;
      } else {
        const link = info[(b << 1) + 1]!;
        peek[i] = link >>> 24 === tag ? hot[(main + (link & 0xffffff) - 1) << L.SLOT_SHIFT]! : 0;
      }
    }
    let hits = 0;
    const out = batch.result;
    for (let i = 0; i < n; i++) {
      const q = i << 2;
      const r = this.probeV4(hashes[i]!, bk[i]!, t[q]!, t[q + 1]!, t[q + 2]!, t[q + 3]!);
      out[i] = r;
      if (r !== NONE) hits++;
    }
    return hits;
  }

  /** Index of the flow with this key (IPv4 or IPv6), or -1. */
  lookup(key: FlowKey): number {
    const w = key.words;
    return this.find(w, this.hashKey(w, 0));
  }

  private find(w: Int32Array, h: number): number {
    const info = this.info;
    const b = this.bucketOf(h);
    const tag = (h & 0x7f) + 1;
    const x = info[b << 1]! ^ Math.imul(tag, 0x01010101);
    for (let m = (x - 0x01010101) & ~x & 0x80808080; m !== 0; m &= m - 1) {
      const s = (b << 2) + ((31 - Math.clz32(m & -m)) >>> 3);
      if (this.keyAt(s, w)) return s;
    }
    const next = this.next;
    for (let link = info[(b << 1) + 1]!; link !== 0; link = next[(link & 0xffffff) - 1]!) {
      const s = this.capacity + (link & 0xffffff) - 1;
      if (link >>> 24 === tag && this.keyAt(s, w)) return s;
    }
    return NONE;
  }

  private keyAt(s: number, w: Int32Array): boolean {
    const hot = this.hot;
    const o = (s << L.SLOT_SHIFT) + 1;
    for (let i = 0; i < L.KEY_WORDS; i++) if (hot[o + i] !== w[i]) return false;
    return true;
  }

  // ---- insert / delete ----------------------------------------------------------------------------------

  /**
   * Creates the flow `key` and its reverse flow together. Returns the forward entry's index (the reverse is
   * `reverse(index)`), or a negative InsertStatus when nothing was created. A key whose reverse is itself
   * (same address and port both ways) makes a single entry that is its own reverse.
   */
  insertPair(key: FlowKey, spec: FlowSpec): number {
    const fw = key.words;
    const rev = this.scratch.words;
    let natFlags = 0;
    const nat = spec.nat;
    if (nat !== undefined && !nat.equals(key)) {
      const nw = nat.words;
      if ((nw[0]! & 0xffff) !== (fw[0]! & 0xffff))
        throw new FlowError('nat', 'NAT cannot change the protocol or family');
      if (nw[0]! >>> 16 !== fw[0]! >>> 16) natFlags |= FlowFlag.VRF_TRANSLATE;
      if (nw[1]! >>> 16 !== fw[1]! >>> 16 || !sameWords(nw, fw, 2)) natFlags |= FlowFlag.SNAT;
      if ((nw[1]! & 0xffff) !== (fw[1]! & 0xffff) || !sameWords(nw, fw, 6)) natFlags |= FlowFlag.DNAT;
      reverseWords(nw, 0, rev);
    } else {
      reverseWords(fw, 0, rev);
    }
    const hf = this.hashKey(fw, 0);
    const hr = this.hashKey(rev, 0);
    // Start loading both buckets' slots (lines 0 and 2 of their 4; the adjacent-line prefetcher brings 1
    // and 3) together with their tag words, so the slots the pair takes are in cache, not a
    // read-for-ownership miss each, when they are written. A live slot's meta word has family 4 or 6 in its
    // low byte, so the OR is never -1; the test only keeps the loads from being optimised away. (Measured
    // without these loads: 10-20% fewer pairs/s at 1 M and 4 M entries.)
    const hot = this.hot;
    const of = this.bucketOf(hf) << 6;
    const or = this.bucketOf(hr) << 6;
    if ((hot[of + 1]! | hot[of + 33]! | hot[or + 1]! | hot[or + 33]!) === -1) return NONE;
    return this.place(fw, rev, hf, hr, natFlags, spec);
  }

  /**
   * Inserts a pair for every IPv4 tuple of `batch` (the forward keys; the reverse keys are the tuples
   * reversed), all with the same `spec` (no `nat`: NAT pairs go one by one through `insertPair`). Each
   * result (forward index or a negative InsertStatus) goes into `batch.result`, exactly as `insertPair`
   * would return it called in order; returns the number of pairs created. Works in passes (hash both keys
   * and read their buckets for every tuple, then touch the slots the pairs will take, then insert) so the
   * cache misses of the batch overlap.
   */
  insertBatch(batch: FlowBatch, spec: FlowSpec): number {
    if (spec.nat !== undefined) throw new FlowError('nat', 'insertBatch takes no NAT; use insertPair');
    const n = batch.count;
    const t = batch.tuples;
    const hf = batch.hashes;
    const hr = batch.buckets;
    const peek = batch.result;
    const info = this.info;
    const hot = this.hot;
    for (let i = 0; i < n; i++) {
      const q = i << 2;
      const meta = t[q]!;
      const p = t[q + 1]!;
      const a = this.hashV4(meta, p, t[q + 2]!, t[q + 3]!);
      const b = this.hashV4(meta, (p << 16) | (p >>> 16), t[q + 3]!, t[q + 2]!);
      hf[i] = a;
      hr[i] = b;
      peek[i] = info[this.bucketOf(a) << 1]! ^ info[this.bucketOf(b) << 1]!;
    }
    // Touch the slot each key would take (its bucket's first free one), so the lines are on their way; the
    // cold record too when the insert writes it (a rule to keep).
    const cold32 = this.cold32;
    const coldToo = (spec.rule ?? 0) !== 0;
    for (let i = 0; i < n; i++) {
      let x = 0;
      for (let d = 0; d < 2; d++) {
        const bk = this.bucketOf(d === 0 ? hf[i]! : hr[i]!);
        const tags = info[bk << 1]!;
        const z = (tags - 0x01010101) & ~tags & 0x80808080;
        if (z !== 0) {
          const s = (bk << 2) + ((31 - Math.clz32(z & -z)) >>> 3);
          x ^= hot[s << L.SLOT_SHIFT]!;
          if (coldToo) x ^= cold32[s * (L.COLD_F64 * 2)]!;
        }
      }
      peek[i] = x;
    }
    const fw = this.batchKey.words;
    const rev = this.scratch.words;
    let created = 0;
    for (let i = 0; i < n; i++) {
      const q = i << 2;
      const p = t[q + 1]!;
      fw[0] = t[q]!;
      fw[1] = p;
      fw[2] = t[q + 2]!;
      fw[6] = t[q + 3]!;
      rev[0] = t[q]!;
      rev[1] = (p << 16) | (p >>> 16);
      rev[2] = t[q + 3]!;
      rev[6] = t[q + 2]!;
      const r = this.place(fw, rev, hf[i]!, hr[i]!, 0, spec);
      peek[i] = r;
      if (r >= 0) created++;
    }
    return created;
  }

  /** The rest of `insertPair` once both keys and their hashes are known. */
  private place(
    fw: Int32Array,
    rev: Int32Array,
    hf: number,
    hr: number,
    natFlags: number,
    spec: FlowSpec,
  ): number {
    const action = spec.action;
    if (!inRange(action, 3)) checkField('action', action, 0, 3);
    const reverseAction = spec.reverseAction ?? action;
    if (!inRange(reverseAction, 3)) checkField('reverseAction', reverseAction, 0, 3);
    const nextHop = spec.nextHop ?? 0;
    const reverseNextHop = spec.reverseNextHop ?? 0;
    if (!inRange(nextHop, 0x7fffffff)) checkField('nextHop', nextHop, 0, 0x7fffffff);
    if (!inRange(reverseNextHop, 0x7fffffff)) checkField('reverseNextHop', reverseNextHop, 0, 0x7fffffff);
    const ecmp = spec.ecmpMember ?? L.ECMP_NONE;
    const reverseEcmp = spec.reverseEcmpMember ?? L.ECMP_NONE;
    if (!inRange(ecmp, L.ECMP_NONE)) checkField('ecmpMember', ecmp, 0, L.ECMP_NONE);
    if (!inRange(reverseEcmp, L.ECMP_NONE)) checkField('reverseEcmpMember', reverseEcmp, 0, L.ECMP_NONE);
    const vif = spec.vif ?? 0;
    const reverseVif = spec.reverseVif ?? vif;
    if (!inRange(vif, this.maxVifs - 1)) checkField('vif', vif, 0, this.maxVifs - 1);
    if (!inRange(reverseVif, this.maxVifs - 1)) checkField('reverseVif', reverseVif, 0, this.maxVifs - 1);
    const mirror = spec.mirror ?? 0;
    if (!inRange(mirror, 0xffff)) checkField('mirror', mirror, 0, 0xffff);
    const rule = spec.rule ?? 0;
    if (!inRange(rule, 0xffffffff)) checkField('rule', rule, 0, 0xffffffff);
    const now = spec.now ?? 0;
    if (typeof now !== 'number' || !Number.isFinite(now))
      throw new FlowError('now', `${String(now)} is not a time`);

    const header = this.header;
    if (this.find(fw, hf) !== NONE || this.find(rev, hr) !== NONE) {
      header[L.H_EXISTS]!++;
      return InsertStatus.EXISTS;
    }
    const single = hf === hr && sameKey(fw, rev);
    const need = single ? 1 : 2;
    if (header[L.H_LIVE]! + header[L.H_RETIRING]! + need > this.maxFlows) {
      header[L.H_DROP_FULL]!++;
      return InsertStatus.TABLE_FULL;
    }
    const limit = this.maxFlowsPerVif;
    if (limit > 0) {
      const counts = this.vifCount;
      const over =
        single || reverseVif !== vif
          ? counts[vif]! + 1 > limit || (!single && counts[reverseVif]! + 1 > limit)
          : counts[vif]! + 2 > limit;
      if (over) {
        header[L.H_DROP_VIF]!++;
        return InsertStatus.VIF_LIMIT;
      }
    }
    let record = -1;
    if (action === Action.HOLD || reverseAction === Action.HOLD) {
      record = this.holdQueue.alloc();
      if (record < 0) {
        header[L.H_DROP_HOLD]!++;
        return InsertStatus.HOLD_LIMIT;
      }
    }
    const fi = this.alloc(hf);
    const ri = fi === NONE || single ? fi : this.alloc(hr);
    if (ri === NONE) {
      if (fi !== NONE) this.unclaim(fi, hf);
      if (record >= 0) this.holdQueue.release(record);
      header[L.H_DROP_BUCKET]!++;
      return InsertStatus.BUCKET_FULL;
    }
    const mirrorFlag = mirror !== 0 ? FlowFlag.MIRROR : 0;
    const fa = natFlags !== 0 && action === Action.FORWARD ? Action.NAT : action;
    const ra = natFlags !== 0 && reverseAction === Action.FORWARD ? Action.NAT : reverseAction;
    // The reverse entry undoes the rewrite, so its source/destination roles swap.
    const revNat =
      (natFlags & FlowFlag.VRF_TRANSLATE) |
      (natFlags & FlowFlag.SNAT ? FlowFlag.DNAT : 0) |
      (natFlags & FlowFlag.DNAT ? FlowFlag.SNAT : 0);
    this.write(fi, fw, hf, fa, natFlags | mirrorFlag, ecmp, ri, nextHop, vif, mirror, record, rule, now);
    if (!single) {
      this.write(
        ri,
        rev,
        hr,
        ra,
        revNat | mirrorFlag | FlowFlag.REVERSE,
        reverseEcmp,
        fi,
        reverseNextHop,
        reverseVif,
        mirror,
        record,
        rule,
        now,
      );
    }
    header[L.H_LIVE]! += need;
    header[L.H_CREATED]! += need;
    if (this.onCreate) {
      this.onCreate(fi);
      if (!single) this.onCreate(ri);
    }
    return fi;
  }

  private write(
    s: number,
    w: Int32Array,
    h: number,
    action: number,
    flags: number,
    ecmp: number,
    reverse: number,
    nextHop: number,
    vif: number,
    mirror: number,
    record: number,
    rule: number,
    now: number,
  ): void {
    const hot = this.hot;
    const o = s << L.SLOT_SHIFT;
    // Every word of the slot is written (a freed slot is only marked free), so the line is written once.
    hot[o] = now;
    hot[o + 1] = w[0]!;
    hot[o + 2] = w[1]!;
    hot[o + 3] = w[2]!;
    hot[o + 4] = w[3]!;
    hot[o + 5] = w[4]!;
    hot[o + 6] = w[5]!;
    hot[o + 7] = w[6]!;
    hot[o + 8] = w[7]!;
    hot[o + 9] = w[8]!;
    hot[o + 10] = w[9]!;
    const state = action | (flags << L.FLAGS_SHIFT) | (ecmp << L.ECMP_SHIFT);
    hot[o + L.W_REVERSE] = reverse;
    hot[o + L.W_NEXTHOP] = nextHop;
    hot[o + L.W_VIF_MIRROR] = (vif << 16) | mirror;
    // MPLS over UDP source port from the flow hash, in RFC 7510's 49152..65535 range, fixed per flow.
    hot[o + L.W_AUX] = ((0xc000 | (h & 0x3fff)) << 16) | (record + 1);
    // The cold record (another cache line) waits for the first packet unless there is a rule to keep.
    if (rule !== 0) {
      hot[o + L.W_STATE] = state | L.STATS_BIT;
      this.writeStats(s, now, rule);
    } else {
      hot[o + L.W_STATE] = state;
    }
    this.vifCount[vif]!++;
  }

  private writeStats(s: number, first: number, rule: number): void {
    const c = s * L.COLD_F64;
    const cold = this.cold;
    cold[c + L.C_PACKETS] = 0;
    cold[c + L.C_BYTES] = 0;
    const c32 = c << 1;
    this.cold32[c32 + L.C_FIRST] = first;
    this.cold32[c32 + L.C_RULE] = rule;
  }

  /** Initialises the cold record of entry `s` if its stats bit is clear (see layout.ts); before word 0 changes. */
  private ensureStats(s: number): void {
    const hot = this.hot;
    const o = s << L.SLOT_SHIFT;
    const st = hot[o + L.W_STATE]!;
    if ((st & L.STATS_BIT) !== 0) return;
    this.writeStats(s, hot[o + L.W_LAST]!, 0);
    hot[o + L.W_STATE] = st | L.STATS_BIT;
  }

  /** True when the cold record of entry `index` holds its figures (else they are 0). */
  private hasStats(index: number): boolean {
    return (this.hot[(index << L.SLOT_SHIFT) + L.W_STATE]! & L.STATS_BIT) !== 0;
  }

  /** Claims a free entry for hash `h` (sets its tag): in its bucket, else from the overflow area. */
  private alloc(h: number): number {
    const info = this.info;
    const b = this.bucketOf(h);
    const tag = (h & 0x7f) + 1;
    const tags = info[b << 1]!;
    // Lowest free byte of the tag word (a zero byte), found without a loop.
    const z = (tags - 0x01010101) & ~tags & 0x80808080;
    if (z !== 0) {
      const j = (31 - Math.clz32(z & -z)) >>> 3;
      info[b << 1] = tags | (tag << (j << 3));
      return (b << 2) + j;
    }
    const header = this.header;
    const e = header[L.H_FREE_HEAD]!;
    if (e === NONE) return NONE;
    header[L.H_FREE_HEAD] = this.next[e]! - 1;
    this.next[e] = info[(b << 1) + 1]!;
    info[(b << 1) + 1] = (tag << 24) | (e + 1);
    header[L.H_OVERFLOW_USED]!++;
    return this.capacity + e;
  }

  /** Returns a claimed (tag set, slot not written) entry whose key hashes to `h` to free. */
  private unclaim(s: number, h: number): void {
    if (s < this.capacity) this.setTag(s, h, 0);
    else this.unlink(s, h);
  }

  /** Sets the tag of entry `s`, whose key hashes to `h`, in its bucket or in the chain link that points to it. */
  private setTag(s: number, h: number, tag: number): void {
    const info = this.info;
    if (s < this.capacity) {
      // A main-area entry's bucket is its index / 4: no hash needed.
      const at = (s >>> 2) << 1;
      const shift = (s & 3) << 3;
      info[at] = (info[at]! & ~(0xff << shift)) | (tag << shift);
      return;
    }
    const b = this.bucketOf(h);
    const ptr = s - this.capacity + 1;
    const next = this.next;
    const head = info[(b << 1) + 1]!;
    if ((head & 0xffffff) === ptr) {
      info[(b << 1) + 1] = (tag << 24) | ptr;
      return;
    }
    let e = (head & 0xffffff) - 1;
    while ((next[e]! & 0xffffff) !== ptr) e = (next[e]! & 0xffffff) - 1;
    next[e] = (tag << 24) | ptr;
  }

  /** Takes overflow entry `s` out of its bucket's chain and puts it on the free list. */
  private unlink(s: number, h: number): void {
    const e = s - this.capacity;
    const ptr = e + 1;
    const info = this.info;
    const b = this.bucketOf(h);
    const next = this.next;
    const head = info[(b << 1) + 1]!;
    if ((head & 0xffffff) === ptr) {
      info[(b << 1) + 1] = next[e]!;
    } else {
      let p = (head & 0xffffff) - 1;
      while ((next[p]! & 0xffffff) !== ptr) p = (next[p]! & 0xffffff) - 1;
      next[p] = next[e]!;
    }
    next[e] = this.header[L.H_FREE_HEAD]! + 1;
    this.header[L.H_FREE_HEAD] = e;
    this.header[L.H_OVERFLOW_USED]!--;
  }

  /** Frees an entry that is live or retiring. */
  private free(s: number): void {
    const hot = this.hot;
    const o = s << L.SLOT_SHIFT;
    const retiring = (hot[o + L.W_STATE]! & L.RETIRING_BIT) !== 0;
    // Main-area entries clear their tag by index; only overflow entries need the hash to find their chain.
    if (s < this.capacity) this.setTag(s, 0, 0);
    else this.unlink(s, this.hashKey(hot, o + 1));
    this.vifCount[hot[o + L.W_VIF_MIRROR]! >>> 16]!--;
    // The meta word (never 0 in a used slot) marks the slot free; the rest is overwritten by the next insert.
    // The state word is cleared too, so no retiring bit or stale hold record outlives the entry.
    hot[o + L.W_META] = 0;
    hot[o + L.W_STATE] = 0;
    hot[o + L.W_AUX] = 0;
    this.header[retiring ? L.H_RETIRING : L.H_LIVE]!--;
  }

  private dropHold(s: number): void {
    const o = s << L.SLOT_SHIFT;
    const aux = this.hot[o + L.W_AUX]!;
    const record = (aux & 0xffff) - 1;
    if (record < 0) return;
    this.header[L.H_HOLD_PKT_DROPPED]! += this.holdQueue.release(record);
    this.clearHold(s);
    const r = this.hot[o + L.W_REVERSE]!;
    if (r !== s) this.clearHold(r);
  }

  private clearHold(s: number): void {
    const o = (s << L.SLOT_SHIFT) + L.W_AUX;
    this.hot[o] = this.hot[o]! & ~0xffff;
  }

  /** Deletes the flow at `index` and its reverse flow, now. */
  deletePair(index: number): void {
    this.check(index);
    const r = this.hot[(index << L.SLOT_SHIFT) + L.W_REVERSE]!;
    this.notifyDelete(index, r, DeleteReason.EXPLICIT);
    this.dropHold(index);
    this.free(index);
    if (r !== index) this.free(r);
    this.header[L.H_DELETED]! += r !== index ? 2 : 1;
  }

  /**
   * Deletes the pairs at `indices[0..count-1]` (each given by either of its entries), as `deletePair` on
   * each in order would, but in passes over chunks of 64 (read every entry, then touch every reverse entry
   * and bucket, then delete) so the cache misses of a burst of deletes overlap.
   */
  deletePairs(indices: ArrayLike<number>, count = indices.length): void {
    checkField('count', count, 0, indices.length);
    const hot = this.hot;
    const info = this.info;
    const rv = this.delScratch;
    const slots = this.slots;
    for (let at = 0; at < count; at += 64) {
      const end = Math.min(count, at + 64);
      for (let k = at; k < end; k++) {
        const s = indices[k]!;
        rv[k - at] = s >= 0 && s < slots ? hot[(s << L.SLOT_SHIFT) + L.W_REVERSE]! : 0;
      }
      let x = 0;
      for (let k = at; k < end; k++) {
        const s = indices[k]!;
        const r = rv[k - at]!;
        if (r >= 0 && r < slots) x ^= hot[(r << L.SLOT_SHIFT) + L.W_META]!;
        if (s >= 0 && s < this.capacity) x ^= info[(s >>> 2) << 1]!;
        if (r >= 0 && r < this.capacity) x ^= info[(r >>> 2) << 1]!;
      }
      rv[0] = x;
      for (let k = at; k < end; k++) this.deletePair(indices[k]!);
    }
  }

  /** Deletes the flow with this key (forward or reverse) and its partner; false when absent. */
  delete(key: FlowKey): boolean {
    const i = this.lookup(key);
    if (i === NONE) return false;
    this.deletePair(i);
    return true;
  }

  private notifyDelete(s: number, r: number, reason: DeleteReason): void {
    if (!this.onDelete) return;
    this.onDelete(s, reason);
    if (r !== s) this.onDelete(r, reason);
  }

  /** Two-step removal, step one: lookups stop matching, the entries stay reserved until a later sweep. */
  private retirePair(s: number, r: number, now: number, reason: DeleteReason): void {
    this.notifyDelete(s, r, reason);
    this.dropHold(s);
    const n = r !== s ? 2 : 1;
    this.retire(s, now);
    if (r !== s) this.retire(r, now);
    const header = this.header;
    header[L.H_LIVE]! -= n;
    header[L.H_RETIRING]! += n;
    header[L.H_DELETED]! += n;
    header[
      reason === DeleteReason.AGED
        ? L.H_AGED
        : reason === DeleteReason.TCP_CLOSED
          ? L.H_TCP_CLOSED
          : L.H_EMBRYONIC
    ]!++;
  }

  private retire(s: number, now: number): void {
    const hot = this.hot;
    const o = s << L.SLOT_SHIFT;
    this.setTag(s, s < this.capacity ? 0 : this.hashKey(hot, o + 1), L.TAG_RETIRING);
    this.ensureStats(s);
    hot[o + L.W_STATE] = hot[o + L.W_STATE]! | L.RETIRING_BIT;
    hot[o + L.W_LAST] = now;
  }

  // ---- per packet -----------------------------------------------------------------------------------------

  /** Counts a packet of `bytes` on the flow, stamps last-seen, and tracks TCP flags (wire bits) if given. */
  hit(index: number, now: number, bytes: number, tcpFlags = 0): void {
    if (!(index >= 0 && index < this.slots)) throw new FlowIndexError(index, 'outside the table');
    this.ensureStats(index);
    const c = index * L.COLD_F64;
    this.cold[c + L.C_PACKETS]!++;
    this.cold[c + L.C_BYTES]! += bytes;
    this.hot[(index << L.SLOT_SHIFT) + L.W_LAST] = now;
    if (tcpFlags !== 0) this.trackTcp(index, tcpFlags);
  }

  private trackTcp(s: number, flags: number): void {
    const hot = this.hot;
    const o = (s << L.SLOT_SHIFT) + L.W_STATE;
    const st = hot[o]!;
    let t = (st >>> L.TCP_SHIFT) & L.TCP_MASK;
    if (flags & TcpFlag.RST) t |= TcpState.RST;
    if (flags & TcpFlag.FIN) t |= TcpState.FIN;
    if (flags & TcpFlag.SYN) {
      t |= flags & TcpFlag.ACK ? TcpState.SYN_ACK : TcpState.SYN;
    } else if (flags & TcpFlag.ACK && !(t & TcpState.ESTABLISHED)) {
      const r = hot[(s << L.SLOT_SHIFT) + L.W_REVERSE]!;
      const rt = (hot[(r << L.SLOT_SHIFT) + L.W_STATE]! >>> L.TCP_SHIFT) & L.TCP_MASK;
      if ((t | rt) & TcpState.SYN_ACK) t |= TcpState.ESTABLISHED;
    }
    hot[o] = (st & ~(L.TCP_MASK << L.TCP_SHIFT)) | (t << L.TCP_SHIFT);
  }

  /** Queues a packet of a flow on HOLD; false (and counted) when the flow is not on hold or its queue is full. */
  hold(index: number, packet: Uint8Array): boolean {
    this.check(index);
    const record = (this.hot[(index << L.SLOT_SHIFT) + L.W_AUX]! & 0xffff) - 1;
    if (record >= 0 && this.holdQueue.push(record, packet)) return true;
    this.header[L.H_HOLD_PKT_DROPPED]!++;
    return false;
  }

  /**
   * Installs the decision for a pair (typically on HOLD) and hands each held packet to `onPacket` in arrival
   * order; returns how many were held.
   */
  resolve(index: number, decision: FlowDecision, onPacket?: (packet: Uint8Array) => void): number {
    this.check(index);
    const { action } = decision;
    const reverseAction = decision.reverseAction ?? action;
    if (!inRange(action, 3)) checkField('action', action, 0, 3);
    if (!inRange(reverseAction, 3)) checkField('reverseAction', reverseAction, 0, 3);
    if (decision.nextHop !== undefined) checkField('nextHop', decision.nextHop, 0, 0x7fffffff);
    if (decision.reverseNextHop !== undefined)
      checkField('reverseNextHop', decision.reverseNextHop, 0, 0x7fffffff);
    if (decision.rule !== undefined) checkField('rule', decision.rule, 0, 0xffffffff);
    const r = this.reverse(index);
    this.decide(index, action, decision.nextHop, decision.rule);
    if (r !== index) this.decide(r, reverseAction, decision.reverseNextHop, decision.rule);
    const record = (this.hot[(index << L.SLOT_SHIFT) + L.W_AUX]! & 0xffff) - 1;
    if (record < 0) return 0;
    this.clearHold(index);
    if (r !== index) this.clearHold(r);
    return this.holdQueue.release(record, onPacket);
  }

  private decide(s: number, action: number, nextHop: number | undefined, rule: number | undefined): void {
    const o = s << L.SLOT_SHIFT;
    const st = this.hot[o + L.W_STATE]!;
    const nat = (st >>> L.FLAGS_SHIFT) & (FlowFlag.SNAT | FlowFlag.DNAT | FlowFlag.VRF_TRANSLATE);
    const a = nat !== 0 && action === Action.FORWARD ? Action.NAT : action;
    this.hot[o + L.W_STATE] = (st & ~L.ACTION_MASK) | a;
    if (nextHop !== undefined) this.hot[o + L.W_NEXTHOP] = nextHop;
    if (rule !== undefined) {
      this.ensureStats(s);
      this.cold32[s * (L.COLD_F64 * 2) + L.C_RULE] = rule;
    }
  }

  /**
   * The ECMP member slot of the flow in `group`: the stored one while it is still a member, otherwise one
   * chosen by the flow hash among the current members and stored. -1 when the group is empty.
   */
  ecmp(index: number, group: EcmpGroup): number {
    const hot = this.hot;
    const o = (index << L.SLOT_SHIFT) + L.W_STATE;
    const st = hot[o]!;
    const m = (st >>> L.ECMP_SHIFT) & L.ECMP_MASK;
    if (m !== L.ECMP_NONE && group.isActive(m)) return m;
    const sel = group.select(this.hashKey(hot, (index << L.SLOT_SHIFT) + 1));
    if (sel < 0) return NONE;
    hot[o] = (st & ~(L.ECMP_MASK << L.ECMP_SHIFT)) | (sel << L.ECMP_SHIFT);
    return sel;
  }

  // ---- reading entries ------------------------------------------------------------------------------------

  /** True when `index` is a live flow (not free, not retiring). */
  isLive(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.slots) return false;
    const o = index << L.SLOT_SHIFT;
    return this.hot[o + L.W_META] !== 0 && (this.hot[o + L.W_STATE]! & L.RETIRING_BIT) === 0;
  }

  private check(index: number): void {
    if (!this.isLive(index)) {
      throw new FlowIndexError(
        index,
        index >= 0 && index < this.slots ? 'not a live flow' : 'outside the table',
      );
    }
  }

  action(index: number): Action {
    return (this.hot[(index << L.SLOT_SHIFT) + L.W_STATE]! & L.ACTION_MASK) as Action;
  }
  /** FlowFlag bits. */
  flags(index: number): number {
    return (this.hot[(index << L.SLOT_SHIFT) + L.W_STATE]! >>> L.FLAGS_SHIFT) & L.FLAGS_MASK;
  }
  /** TcpState bits of this direction. */
  tcpState(index: number): number {
    return (this.hot[(index << L.SLOT_SHIFT) + L.W_STATE]! >>> L.TCP_SHIFT) & L.TCP_MASK;
  }
  /** Stored ECMP member slot, or -1. */
  ecmpMember(index: number): number {
    const m = (this.hot[(index << L.SLOT_SHIFT) + L.W_STATE]! >>> L.ECMP_SHIFT) & L.ECMP_MASK;
    return m === L.ECMP_NONE ? NONE : m;
  }
  reverse(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_REVERSE]!;
  }
  nextHop(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_NEXTHOP]!;
  }
  vif(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_VIF_MIRROR]! >>> 16;
  }
  /** Mirror target, 0 for none. */
  mirror(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_VIF_MIRROR]! & 0xffff;
  }
  /** UDP source port for MPLS over UDP / VXLAN, fixed per flow (RFC 7510 section 3). */
  tunnelSourcePort(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_AUX]! >>> 16;
  }
  /** Packets queued on HOLD for this flow. */
  held(index: number): number {
    const record = (this.hot[(index << L.SLOT_SHIFT) + L.W_AUX]! & 0xffff) - 1;
    return record < 0 ? 0 : this.holdQueue.count(record);
  }
  rule(index: number): number {
    return this.hasStats(index) ? this.cold32[index * (L.COLD_F64 * 2) + L.C_RULE]! : 0;
  }
  packets(index: number): number {
    return this.hasStats(index) ? this.cold[index * L.COLD_F64 + L.C_PACKETS]! : 0;
  }
  bytes(index: number): number {
    return this.hasStats(index) ? this.cold[index * L.COLD_F64 + L.C_BYTES]! : 0;
  }
  /** Creation time, the low 32 bits of the caller's clock. */
  firstSeen(index: number): number {
    return this.hasStats(index)
      ? this.cold32[index * (L.COLD_F64 * 2) + L.C_FIRST]!
      : this.hot[(index << L.SLOT_SHIFT) + L.W_LAST]! >>> 0;
  }
  lastSeen(index: number): number {
    return this.hot[(index << L.SLOT_SHIFT) + L.W_LAST]! >>> 0;
  }

  /** Copies the entry's key into `out`. */
  readKey(index: number, out: FlowKey): FlowKey {
    this.check(index);
    const o = (index << L.SLOT_SHIFT) + 1;
    const w = out.words;
    for (let i = 0; i < L.KEY_WORDS; i++) w[i] = this.hot[o + i]!;
    return out;
  }

  /**
   * For a NAT entry, writes the tuple its packets must leave with into `out` and returns true: the reverse
   * entry's key, reversed, so the original and rewritten tuples are each stored once. False for other entries.
   */
  rewriteKey(index: number, out: FlowKey): boolean {
    this.check(index);
    if ((this.flags(index) & (FlowFlag.SNAT | FlowFlag.DNAT | FlowFlag.VRF_TRANSLATE)) === 0) return false;
    const r = this.reverse(index);
    reverseWords(this.hot, (r << L.SLOT_SHIFT) + 1, out.words);
    return true;
  }

  /** A plain snapshot of a live entry. */
  record(index: number): FlowRecord {
    const k = this.readKey(index, new FlowKey());
    const rec: FlowRecord = {
      index,
      reverse: this.reverse(index),
      key: k.toString(),
      family: k.family,
      vrf: k.vrf,
      proto: k.proto,
      src: k.src,
      dst: k.dst,
      sport: k.sport,
      dport: k.dport,
      action: this.action(index),
      flags: this.flags(index),
      tcpState: this.tcpState(index),
      nextHop: this.nextHop(index),
      ecmpMember: this.ecmpMember(index),
      vif: this.vif(index),
      mirror: this.mirror(index),
      rule: this.rule(index),
      packets: this.packets(index),
      bytes: this.bytes(index),
      firstSeen: this.firstSeen(index),
      lastSeen: this.lastSeen(index),
    };
    const rw = new FlowKey();
    if (this.rewriteKey(index, rw)) rec.rewrite = rw.toString();
    return rec;
  }

  /** Calls `fn` with the index of every live entry, in index order. */
  forEach(fn: (index: number) => void): void {
    const hot = this.hot;
    for (let s = 0; s < this.slots; s++) {
      const o = s << L.SLOT_SHIFT;
      if (hot[o + L.W_META] !== 0 && (hot[o + L.W_STATE]! & L.RETIRING_BIT) === 0) fn(s);
    }
  }

  /** Every live entry as a FlowRecord (export for flow logs and analytics). */
  *flows(): IterableIterator<FlowRecord> {
    for (let s = 0; s < this.slots; s++) if (this.isLive(s)) yield this.record(s);
  }

  // ---- aging ----------------------------------------------------------------------------------------------

  /**
   * Incremental sweeper: visits at most `budget` entries from where the last call stopped. A pair idle past
   * its protocol's timeout (both directions idle), a closed TCP pair past `tcpClosedMs`, or an unfinished
   * handshake past `tcpEmbryonicMs` is retired; retired entries are freed once more than `graceMs` passed.
   * Returns the number of pairs retired.
   */
  sweep(now: number, budget = 4096): number {
    checkField('budget', budget, 0, Number.MAX_SAFE_INTEGER);
    const hot = this.hot;
    const policy = this.aging;
    const total = this.slots;
    let cur = this.header[L.H_SWEEP_CURSOR]!;
    let removed = 0;
    for (let k = Math.min(budget, total); k > 0; k--) {
      const s = cur;
      cur = cur + 1 === total ? 0 : cur + 1;
      const o = s << L.SLOT_SHIFT;
      if (hot[o + L.W_META] === 0) continue;
      if ((hot[o + L.W_STATE]! & L.RETIRING_BIT) !== 0) {
        if (ageOf(now, hot[o + L.W_LAST]! >>> 0) > policy.graceMs) this.free(s);
        continue;
      }
      const r = hot[o + L.W_REVERSE]!;
      const idle = Math.min(
        ageOf(now, hot[o + L.W_LAST]! >>> 0),
        ageOf(now, hot[(r << L.SLOT_SHIFT) + L.W_LAST]! >>> 0),
      );
      const proto = (hot[o + L.W_META]! >>> 8) & 0xff;
      let reason = -1;
      if (proto === 6) {
        const ts = (hot[o + L.W_STATE]! >>> L.TCP_SHIFT) & L.TCP_MASK;
        const tr = (hot[(r << L.SLOT_SHIFT) + L.W_STATE]! >>> L.TCP_SHIFT) & L.TCP_MASK;
        const closed = (ts | tr) & TcpState.RST || ts & tr & TcpState.FIN;
        if (closed && idle >= policy.tcpClosedMs) reason = DeleteReason.TCP_CLOSED;
        else if (
          (ts | tr) & (TcpState.SYN | TcpState.SYN_ACK) &&
          !((ts | tr) & TcpState.ESTABLISHED) &&
          idle >= policy.tcpEmbryonicMs
        )
          reason = DeleteReason.TCP_EMBRYONIC;
      }
      if (reason < 0 && idle >= policy.idle[proto]!) reason = DeleteReason.AGED;
      if (reason >= 0) {
        this.retirePair(s, r, now, reason as DeleteReason);
        removed++;
      }
    }
    this.header[L.H_SWEEP_CURSOR] = cur;
    return removed;
  }

  stats(): FlowTableStats {
    const h = this.header;
    return {
      flows: h[L.H_LIVE]!,
      retiring: h[L.H_RETIRING]!,
      capacity: this.capacity,
      overflow: this.overflow,
      overflowUsed: h[L.H_OVERFLOW_USED]!,
      maxFlows: this.maxFlows,
      created: h[L.H_CREATED]!,
      deleted: h[L.H_DELETED]!,
      droppedTableFull: h[L.H_DROP_FULL]!,
      droppedBucketFull: h[L.H_DROP_BUCKET]!,
      droppedVifLimit: h[L.H_DROP_VIF]!,
      droppedHoldLimit: h[L.H_DROP_HOLD]!,
      exists: h[L.H_EXISTS]!,
      heldFlows: this.holdQueue.inUse,
      heldPacketsDropped: h[L.H_HOLD_PKT_DROPPED]!,
      aged: h[L.H_AGED]!,
      tcpClosed: h[L.H_TCP_CLOSED]!,
      tcpEmbryonic: h[L.H_EMBRYONIC]!,
    };
  }

  /** Entries charged to an interface. */
  vifFlows(vif: number): number {
    if (!inRange(vif, this.maxVifs - 1)) checkField('vif', vif, 0, this.maxVifs - 1);
    return this.vifCount[vif]!;
  }
}

/** True for an integer in 0..max (max < 2^32); the throwing check runs only when this fails. */
function inRange(v: number, max: number): boolean {
  return v >>> 0 === v && v <= max;
}

function sameWords(a: Int32Array, b: Int32Array, at: number): boolean {
  return a[at] === b[at] && a[at + 1] === b[at + 1] && a[at + 2] === b[at + 2] && a[at + 3] === b[at + 3];
}

function sameKey(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < L.KEY_WORDS; i++) if (a[i] !== b[i]) return false;
  return true;
}
