import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Action,
  BUCKET_SIZE,
  COLD_BYTES,
  FieldRangeError,
  FlowBatch,
  FlowFlag,
  FlowIndexError,
  FlowKey,
  FlowMemoryError,
  FlowOptionsError,
  FlowTable,
  hashWords,
  InsertStatus,
  makeSeed,
  PortRangeError,
  reduce,
  SLOT_WORDS,
} from '../src/index.js';

const key = (i: number, proto = 17) =>
  FlowKey.v4(1, proto, 0x0a000000 + i, 0x0b000000 + (i >>> 16), 1000 + (i & 0xffff), 53);

describe('FlowTable basics', () => {
  it('creates a pair that each direction finds, and deletes it together', () => {
    const t = new FlowTable({ capacity: 64, seed: 1 });
    const k = FlowKey.v4(5, 6, '10.0.0.1', '10.0.0.2', 33000, 22);
    const i = t.insertPair(k, {
      action: Action.FORWARD,
      nextHop: 12,
      reverseNextHop: 3,
      vif: 4,
      reverseVif: 9,
      rule: 77,
      now: 1000,
    });
    expect(i).toBeGreaterThanOrEqual(0);
    const r = t.reverse(i);
    expect(t.lookup(k)).toBe(i);
    expect(t.lookupV4(5, 6, 0x0a000001, 0x0a000002, 33000, 22)).toBe(i);
    expect(t.lookupV4(5, 6, 0x0a000002, 0x0a000001, 22, 33000)).toBe(r);
    expect(t.reverse(r)).toBe(i);
    expect([t.nextHop(i), t.nextHop(r), t.vif(i), t.vif(r), t.rule(i), t.firstSeen(r)]).toEqual([
      12, 3, 4, 9, 77, 1000,
    ]);
    expect(t.flags(r) & FlowFlag.REVERSE).toBe(FlowFlag.REVERSE);
    expect(t.flags(i) & FlowFlag.REVERSE).toBe(0);
    expect(t.tunnelSourcePort(i)).toBeGreaterThanOrEqual(49152);
    expect(t.size).toBe(2);
    expect(t.insertPair(k.reverseInto(new FlowKey()), { action: Action.DROP })).toBe(InsertStatus.EXISTS);
    t.hit(i, 1500, 1400);
    t.hit(i, 1600, 60);
    expect([t.packets(i), t.bytes(i), t.lastSeen(i), t.packets(r)]).toEqual([2, 1460, 1600, 0]);
    expect(t.record(i)).toMatchObject({
      key: k.toString(),
      packets: 2,
      bytes: 1460,
      action: Action.FORWARD,
      reverse: r,
    });
    t.deletePair(r);
    expect(t.lookup(k)).toBe(-1);
    expect(t.size).toBe(0);
    expect(t.vifFlows(4) + t.vifFlows(9)).toBe(0);
    expect(() => t.deletePair(i)).toThrow(FlowIndexError);
  });

  it('reads zero statistics from a reused slot whose record was not written at insert', () => {
    // Capacity 4 and no overflow: every pair takes the same two slots, so the second pair inherits the
    // first pair's cold records (counters, rule) and must not show them.
    const t = new FlowTable({ capacity: 4, overflow: 0, seed: 3 });
    const a = t.insertPair(key(1), { action: Action.FORWARD, rule: 9, now: 100 });
    t.hit(a, 150, 1000);
    t.hit(t.reverse(a), 160, 500);
    t.deletePair(a);
    const b = t.insertPair(key(2), { action: Action.FORWARD, now: 0x80000010 });
    const r = t.reverse(b);
    expect([b, r].sort()).toEqual([a, t.reverse(a)].sort());
    for (const i of [b, r]) {
      expect([t.packets(i), t.bytes(i), t.rule(i), t.firstSeen(i)]).toEqual([0, 0, 0, 0x80000010]);
    }
    t.hit(b, 0x80000020, 64);
    expect([t.packets(b), t.bytes(b), t.rule(b), t.firstSeen(b), t.lastSeen(b)]).toEqual([
      1, 64, 0, 0x80000010, 0x80000020,
    ]);
    // A decision with a rule initialises the reverse's record too, keeping its creation time.
    t.resolve(b, { action: Action.DROP, rule: 5 });
    expect([t.packets(r), t.rule(r), t.firstSeen(r)]).toEqual([0, 5, 0x80000010]);
    // Retiring keeps the creation time although it stamps last seen.
    const u = new FlowTable({ capacity: 4, overflow: 0, seed: 3, aging: { idleMs: 10, graceMs: 1000 } });
    const c = u.insertPair(key(3), { action: Action.FORWARD, now: 5 });
    expect(u.sweep(100)).toBe(1);
    expect([u.firstSeen(c), u.lastSeen(c), u.packets(c)]).toEqual([5, 100, 0]);
  });

  it('handles IPv6 and IPv4 flows side by side', () => {
    const t = new FlowTable({ capacity: 64, seed: 2 });
    const k6 = FlowKey.v6(1, 6, '2001:db8::1', '2001:db8::2', 1000, 80);
    const k4 = FlowKey.v4(1, 6, '0.0.0.0', '0.0.0.0', 1000, 80);
    const a = t.insertPair(k6, { action: Action.FORWARD });
    const b = t.insertPair(k4, { action: Action.DROP });
    expect(a).not.toBe(b);
    expect(t.lookup(k6)).toBe(a);
    expect(t.lookup(k4)).toBe(b);
    expect(t.lookup(k6.reverseInto(new FlowKey()))).toBe(t.reverse(a));
    expect(t.readKey(t.reverse(a), new FlowKey()).toString()).toBe(
      'vrf 1 proto 6 [2001:db8::2]:80 -> [2001:db8::1]:1000',
    );
  });

  it('a key that is its own reverse makes one entry', () => {
    const t = new FlowTable({ capacity: 8, seed: 3 });
    const k = FlowKey.v4(1, 17, '10.0.0.1', '10.0.0.1', 7, 7);
    const i = t.insertPair(k, { action: Action.FORWARD });
    expect(t.reverse(i)).toBe(i);
    expect(t.size).toBe(1);
    t.deletePair(i);
    expect(t.size).toBe(0);
  });

  it('ICMP echo keys with the identifier in both ports pair request and reply', () => {
    const t = new FlowTable({ capacity: 8, seed: 3 });
    const req = FlowKey.v4(1, 1, '10.0.0.1', '10.0.0.2', 0x1234, 0x1234);
    const i = t.insertPair(req, { action: Action.FORWARD });
    expect(t.lookup(FlowKey.v4(1, 1, '10.0.0.2', '10.0.0.1', 0x1234, 0x1234))).toBe(t.reverse(i));
  });

  it('refuses a new pair at the flow limit, counts it, and accepts again after a delete', () => {
    const t = new FlowTable({ capacity: 16, maxFlows: 6, seed: 4 });
    const idx = [0, 1, 2].map((i) => t.insertPair(key(i), { action: Action.FORWARD }));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect(t.insertPair(key(3), { action: Action.FORWARD })).toBe(InsertStatus.TABLE_FULL);
    expect(t.stats().droppedTableFull).toBe(1);
    t.deletePair(idx[1]!);
    expect(t.insertPair(key(3), { action: Action.FORWARD })).toBeGreaterThanOrEqual(0);
  });

  it('reports BUCKET_FULL when a bucket and the overflow area are exhausted, and leaves nothing behind', () => {
    const seed = makeSeed(5);
    const bucketOf = (x: FlowKey) => reduce(hashWords(seed, x.words, 0), 2);
    const inZero: FlowKey[] = [];
    let split: FlowKey | undefined;
    for (let i = 0; inZero.length < 4 || !split; i++) {
      const x = key(i);
      const b = [bucketOf(x), bucketOf(x.reverseInto(new FlowKey()))];
      if (b[0] === 0 && b[1] === 0 && inZero.length < 4) inZero.push(x);
      if (b[0] === 1 && b[1] === 0) split = x;
    }
    // Two buckets of 4 and 2 overflow entries: bucket 0 holds 6 entries, 3 pairs.
    const t = new FlowTable({ capacity: 8, overflow: 2, seed: 5 });
    for (const x of inZero.slice(0, 3))
      expect(t.insertPair(x, { action: Action.FORWARD })).toBeGreaterThanOrEqual(0);
    expect(t.stats().overflowUsed).toBe(2);
    expect(t.insertPair(inZero[3]!, { action: Action.FORWARD })).toBe(InsertStatus.BUCKET_FULL);
    // The forward entry of `split` fits in bucket 1, its reverse does not: neither is kept.
    expect(t.insertPair(split, { action: Action.FORWARD })).toBe(InsertStatus.BUCKET_FULL);
    expect(t.stats()).toMatchObject({ flows: 6, overflowUsed: 2, droppedBucketFull: 2 });
    expect(t.lookup(split)).toBe(-1);
    const free = t.memory().hot.filter((_, w) => w % 16 === 0 && w >= 4 * 16 && w < 8 * 16);
    expect([...free]).toEqual([0, 0, 0, 0]);
    // Deleting a pair from the middle of the chain frees room for the next one.
    t.delete(inZero[1]!);
    expect(t.insertPair(split, { action: Action.FORWARD })).toBeGreaterThanOrEqual(0);
    for (const x of [inZero[0]!, inZero[2]!, split]) expect(t.lookup(x)).toBeGreaterThanOrEqual(0);
  });

  it('enforces per-interface flow limits', () => {
    const t = new FlowTable({ capacity: 64, maxFlowsPerVif: 4, seed: 6 });
    expect(t.insertPair(key(0), { action: Action.FORWARD, vif: 2 })).toBeGreaterThanOrEqual(0);
    expect(t.insertPair(key(1), { action: Action.FORWARD, vif: 2 })).toBeGreaterThanOrEqual(0);
    expect(t.insertPair(key(2), { action: Action.FORWARD, vif: 2 })).toBe(InsertStatus.VIF_LIMIT);
    expect(t.insertPair(key(2), { action: Action.FORWARD, vif: 2, reverseVif: 3 })).toBe(
      InsertStatus.VIF_LIMIT,
    );
    expect(t.insertPair(key(2), { action: Action.FORWARD, vif: 3 })).toBeGreaterThanOrEqual(0);
    expect([t.vifFlows(2), t.vifFlows(3), t.stats().droppedVifLimit]).toEqual([4, 2, 2]);
  });

  it('queues at most perFlow packets on HOLD, releases them in order on the decision, and bounds held flows', () => {
    const t = new FlowTable({ capacity: 64, seed: 7, hold: { maxFlows: 2, perFlow: 3 } });
    const i = t.insertPair(key(0), { action: Action.HOLD });
    const p = [1, 2, 3, 4].map((n) => Uint8Array.of(n));
    expect(p.map((x) => t.hold(i, x))).toEqual([true, true, true, false]);
    expect(t.held(i)).toBe(3);
    expect(t.insertPair(key(1), { action: Action.HOLD })).toBeGreaterThanOrEqual(0);
    expect(t.insertPair(key(2), { action: Action.HOLD })).toBe(InsertStatus.HOLD_LIMIT);
    const out: number[] = [];
    expect(t.resolve(i, { action: Action.FORWARD, nextHop: 9 }, (pkt) => out.push(pkt[0]!))).toBe(3);
    expect(out).toEqual([1, 2, 3]);
    expect([t.action(i), t.action(t.reverse(i)), t.nextHop(i), t.held(i)]).toEqual([
      Action.FORWARD,
      Action.FORWARD,
      9,
      0,
    ]);
    expect(t.hold(i, p[0]!)).toBe(false);
    expect(t.insertPair(key(2), { action: Action.HOLD })).toBeGreaterThanOrEqual(0);
    expect(t.stats()).toMatchObject({ heldFlows: 2, droppedHoldLimit: 1, heldPacketsDropped: 2 });
    // Deleting a held flow drops its packets and frees the record.
    const j = t.lookup(key(2));
    t.hold(j, p[0]!);
    t.deletePair(j);
    expect(t.stats()).toMatchObject({ heldFlows: 1, heldPacketsDropped: 3 });
  });

  it('emits created and deleted events with the entry still readable', () => {
    const seen: string[] = [];
    const t: FlowTable = new FlowTable({
      capacity: 16,
      seed: 8,
      onCreate: (i) => seen.push(`+${t.readKey(i, new FlowKey()).toString()}`),
      onDelete: (i, why) => seen.push(`-${t.readKey(i, new FlowKey()).toString()} ${why} ${t.packets(i)}`),
    });
    const i = t.insertPair(FlowKey.v4(1, 17, '1.1.1.1', '2.2.2.2', 10, 20), { action: Action.FORWARD });
    t.hit(i, 0, 100);
    t.deletePair(i);
    expect(seen).toEqual([
      '+vrf 1 proto 17 1.1.1.1:10 -> 2.2.2.2:20',
      '+vrf 1 proto 17 2.2.2.2:20 -> 1.1.1.1:10',
      '-vrf 1 proto 17 1.1.1.1:10 -> 2.2.2.2:20 0 1',
      '-vrf 1 proto 17 2.2.2.2:20 -> 1.1.1.1:10 0 0',
    ]);
  });

  it('rejects bad options, specs and indices with typed errors', () => {
    expect(() => new FlowTable({ capacity: 6 })).toThrow(FlowOptionsError);
    expect(() => new FlowTable({ capacity: 8, overflow: -1 })).toThrow(FlowOptionsError);
    expect(() => new FlowTable({ capacity: 8, maxFlows: 100 })).toThrow(FlowOptionsError);
    expect(() => new FlowTable({ aging: { idleMs: -1 } })).toThrow(FieldRangeError);
    const t = new FlowTable({ capacity: 8, maxVifs: 4 });
    expect(() => t.insertPair(key(0), { action: 9 as Action })).toThrow(FieldRangeError);
    expect(() => t.insertPair(key(0), { action: Action.FORWARD, vif: 4 })).toThrow(FieldRangeError);
    expect(() => t.insertPair(key(0), { action: Action.FORWARD, ecmpMember: 256 })).toThrow(FieldRangeError);
    expect(() => t.insertPair(key(0), { action: Action.FORWARD, nat: key(1, 6) })).toThrow(/protocol/);
    expect(() => t.hit(-1, 0, 0)).toThrow(FlowIndexError);
    expect(() => t.readKey(3, new FlowKey())).toThrow(FlowIndexError);
    expect(() => t.record(1e9)).toThrow(FlowIndexError);
  });

  it('stores 64-byte hot slots and 24-byte cold records', () => {
    const t = new FlowTable({ capacity: 1024, overflow: 256 });
    expect(SLOT_WORDS * 4).toBe(64);
    const m = t.memory();
    expect(m.hot.byteLength).toBe(t.slots * 64);
    expect(m.cold.byteLength).toBe(t.slots * COLD_BYTES);
    expect(COLD_BYTES).toBe(24);
    expect(m.buckets.byteLength).toBe((1024 / BUCKET_SIZE) * 8);
  });
});

describe('hash collisions', () => {
  it('keys with the same full 32-bit hash stay distinct (birthday search for real collisions)', () => {
    const seed = makeSeed(99);
    const byHash = new Map<number, number>();
    const pairs: [number, number][] = [];
    const k = new FlowKey();
    // Keys that differ by small amounts almost never collide (the hash is a sum of keyed products, so small
    // differences would have to cancel exactly), so the search draws both addresses at random: the first
    // collisions come after about 2^16 keys, as birthday odds say.
    const scramble = (v: number) => {
      v = Math.imul(v ^ (v >>> 16), 0x7feb352d);
      v = Math.imul(v ^ (v >>> 15), 0x846ca68b);
      return v ^ (v >>> 16);
    };
    const mk = (x: FlowKey, i: number) => x.setV4(1, 17, scramble(i), scramble(~i), 4000, 53);
    for (let i = 0; pairs.length < 3 && i < 2_000_000; i++) {
      mk(k, i);
      const h = hashWords(seed, k.words, 0);
      const prev = byHash.get(h);
      if (prev !== undefined) pairs.push([prev, i]);
      else byHash.set(h, i);
    }
    expect(pairs.length).toBe(3);
    const t = new FlowTable({ capacity: 64, seed: 99 });
    const ks = pairs.flat().map((i) => mk(new FlowKey(), i));
    expect(hashWords(seed, ks[0]!.words, 0)).toBe(hashWords(seed, ks[1]!.words, 0));
    const idx = ks.map((x) => t.insertPair(x, { action: Action.FORWARD }));
    expect(new Set(idx).size).toBe(6);
    expect(ks.map((x) => t.lookup(x))).toEqual(idx);
    t.delete(ks[0]!);
    expect(t.lookup(ks[0]!)).toBe(-1);
    expect(t.lookup(ks[1]!)).toBe(idx[1]);
  });

  it('keeps every key reachable when all keys land in one bucket and its overflow chain', () => {
    const seed = makeSeed(11);
    const buckets = 16;
    const keys: FlowKey[] = [];
    const k = new FlowKey();
    // Keys whose forward and reverse hashes both pick bucket 0 of 16.
    for (let i = 0; keys.length < 40; i++) {
      k.setV4(2, 6, 0x0a000000 + i, 0x0a0000ff, 1000, 80);
      const r = k.reverseInto(new FlowKey());
      if (
        reduce(hashWords(seed, k.words, 0), buckets) === 0 &&
        reduce(hashWords(seed, r.words, 0), buckets) === 0
      ) {
        keys.push(new FlowKey().copy(k));
      }
    }
    const t = new FlowTable({ capacity: buckets * 4, overflow: 100, seed: 11 });
    const idx = keys.map((x) => t.insertPair(x, { action: Action.FORWARD }));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect(t.stats().overflowUsed).toBe(80 - 4);
    // Delete every third pair, then check every remaining key and reinsert.
    keys.forEach((x, j) => {
      if (j % 3 === 0) t.delete(x);
    });
    expect(keys.map((x) => t.lookup(x) >= 0)).toEqual(keys.map((_, j) => j % 3 !== 0));
    keys.forEach((x, j) => {
      if (j % 3 === 0) expect(t.insertPair(x, { action: Action.DROP })).toBeGreaterThanOrEqual(0);
    });
    for (const x of keys) {
      const i = t.lookup(x);
      expect(t.readKey(i, new FlowKey()).equals(x)).toBe(true);
      expect(t.lookup(t.readKey(t.reverse(i), new FlowKey()))).toBe(t.reverse(i));
    }
    expect(t.size).toBe(80);
  });

  it('structured traffic spreads over buckets and tags like random traffic', () => {
    const size = 65536;
    const pairs = Math.floor((size * 0.9) / 2);
    const scramble = (v: number) => Math.imul(v ^ (v >>> 15), 0x2c1b3c6d) ^ (v >>> 12);
    const shapes: Record<string, (k: FlowKey, i: number) => FlowKey> = {
      random: (k, i) => k.setV4(1, 6, scramble(i), scramble(~i), scramble(i * 3) & 0xffff, 443),
      // One client opening many connections to one server: only the source port moves (the high half of the
      // port word), the case a hash with weak low bits puts in one bucket with one tag.
      'one client, many ports': (k, i) => k.setV4(1, 6, 0x0a000001, 0x0a000002, 1024 + i, 443),
      'a /16 of clients, one port': (k, i) => k.setV4(1, 6, 0x0a000000 + i, 0x0b000001, 40000, 443),
      'both addresses counting': (k, i) => k.setV4(1, 17, 0x0a000000 + i, 0x0b000000 + i, 53, 53),
      'one vrf per flow': (k, i) => k.setV4(i & 0xffff, 17, 0x0a000001, 0x0a000002, 5000, 53),
    };
    const seed = makeSeed(3);
    const overflow: Record<string, number> = {};
    for (const [name, mk] of Object.entries(shapes)) {
      const t = new FlowTable({ capacity: size, seed: 3 });
      const k = new FlowKey();
      let sameBucket = 0;
      let sameTag = 0;
      const byBucket = new Map<number, number[]>();
      for (let i = 0; i < pairs; i++) {
        mk(k, i);
        expect(t.insertPair(k, { action: Action.FORWARD })).toBeGreaterThanOrEqual(0);
        const h = hashWords(seed, k.words, 0);
        const b = h >>> 18; // 2^14 buckets: the top 14 bits
        const tags = byBucket.get(b) ?? [];
        for (const x of tags) {
          sameBucket++;
          if (x === (h & 0x7f)) sameTag++;
        }
        tags.push(h & 0x7f);
        byBucket.set(b, tags);
      }
      overflow[name] = t.stats().overflowUsed;
      // Forward keys alone fill 45% of the main area: about 1.6 per bucket, so ~16,000 same-bucket pairs;
      // 7 random tag bits match one time in 128.
      expect(sameBucket, name).toBeGreaterThan(10_000);
      expect(sameTag / sameBucket, name).toBeLessThan(2 / 128);
    }
    for (const name of Object.keys(shapes))
      expect(overflow[name]!, name).toBeLessThan(overflow.random! * 1.1);
  });

  it("puts a key in the bucket that the exported hashWords picks (the table's field-based hash agrees)", () => {
    const t = new FlowTable({ capacity: 64, overflow: 64, seed: 21 });
    const seed = makeSeed(21);
    for (let i = 0; i < 12; i++) {
      const k = key(i * 7919, i & 1 ? 6 : 17);
      const f = t.insertPair(k, { action: Action.FORWARD });
      for (const [x, index] of [
        [k, f],
        [k.reverseInto(new FlowKey()), t.reverse(f)],
      ] as const) {
        // 16 buckets: the top 4 bits; entries beyond the main area are in its overflow chain.
        if (index < 64) expect(index >>> 2).toBe(hashWords(seed, x.words, 0) >>> 28);
        expect(t.lookupV4(x.vrf, x.proto, x.words[2]!, x.words[6]!, x.sport, x.dport)).toBe(index);
      }
    }
  });

  it('different seeds spread the same keys differently', () => {
    const k = FlowKey.v4(1, 6, '10.0.0.1', '10.0.0.2', 1, 2);
    expect(hashWords(makeSeed(1), k.words, 0)).not.toBe(hashWords(makeSeed(2), k.words, 0));
    expect(hashWords(makeSeed(), k.words, 0)).not.toBe(hashWords(makeSeed(), k.words, 0));
  });
});

describe('shared memory', () => {
  it('a second view attached to the same memory sees the same flows', () => {
    const t = new FlowTable({ capacity: 64, seed: 12, shared: true });
    const i = t.insertPair(key(5), { action: Action.DROP, nextHop: 4 });
    const m = structuredClone(t.memory());
    expect(m.hot.buffer).toBeInstanceOf(SharedArrayBuffer);
    const v = FlowTable.attach(m);
    expect(v.lookup(key(5))).toBe(i);
    expect(v.nextHop(i)).toBe(4);
    v.hit(i, 10, 99);
    expect(t.bytes(i)).toBe(99);
    t.deletePair(i);
    expect(v.lookup(key(5))).toBe(-1);
    expect(v.size).toBe(0);
    expect(() => FlowTable.attach({ ...m, hot: new Int32Array(3) })).toThrow(FlowMemoryError);
  });

  it('a worker thread reads a flow the main thread inserted', async () => {
    const t = new FlowTable({ capacity: 64, seed: 13, shared: true });
    const i = t.insertPair(key(9), { action: Action.FORWARD, nextHop: 321 });
    // The worker reads the shared slot directly (it cannot import TypeScript sources); word 13 is the next hop.
    const w = new Worker(
      'const { parentPort, workerData } = require("node:worker_threads"); parentPort.postMessage(workerData.hot[workerData.i * 16 + 13]);',
      { eval: true, workerData: { hot: t.memory().hot, i } },
    );
    const got = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(got).toBe(321);
  });
});

describe('lookupBatch', () => {
  it('gives the same answers as lookupV4 one by one, hits and misses, in and out of overflow chains', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(400), { minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 3 }),
        (picks, seed) => {
          const t = new FlowTable({ capacity: 256, seed });
          for (let i = 0; i < 200; i++) t.insertPair(key(i), { action: Action.FORWARD });
          const batch = new FlowBatch(64);
          for (const p of picks) {
            // Even picks are forward keys, odd ones the reverse; picks >= 400 (i >= 200) are absent.
            const i = p >> 1;
            if (p & 1) batch.addV4(1, 17, 0x0b000000 + (i >>> 16), 0x0a000000 + i, 53, 1000 + (i & 0xffff));
            else batch.addV4(1, 17, 0x0a000000 + i, 0x0b000000 + (i >>> 16), 1000 + (i & 0xffff), 53);
          }
          const hits = t.lookupBatch(batch);
          let expectHits = 0;
          for (let j = 0; j < batch.count; j++) {
            const q = j * 4;
            const w = batch.tuples;
            const one = t.lookupV4(
              w[q]! >>> 16,
              (w[q]! >>> 8) & 0xff,
              w[q + 2]!,
              w[q + 3]!,
              w[q + 1]! >>> 16,
              w[q + 1]! & 0xffff,
            );
            expect(batch.result[j]).toBe(one);
            if (one >= 0) expectHits++;
          }
          expect(hits).toBe(expectHits);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is bounded and validates what it is given', () => {
    const b = new FlowBatch(2);
    expect(b.addV4(1, 6, 1, 2, 3, 4)).toBe(0);
    expect(b.addV4(1, 6, 1, 2, 3, 4)).toBe(1);
    expect(b.addV4(1, 6, 1, 2, 3, 4)).toBe(-1);
    b.clear();
    expect(() => b.addV4(1, 6, 1, 2, 70000, 4)).toThrow(PortRangeError);
    expect(() => b.addV4(1 << 16, 6, 1, 2, 3, 4)).toThrow(FieldRangeError);
    expect(b.count).toBe(0);
    expect(new FlowTable({ capacity: 8 }).lookupBatch(b)).toBe(0);
  });
});

describe('insertBatch and deletePairs', () => {
  it('give the same results and the same memory as insertPair and deletePair one by one', () => {
    fc.assert(
      fc.property(
        // Tuples from a small space so duplicates, reverse duplicates, self-reverse keys, full buckets,
        // overflow chains and TABLE_FULL all occur.
        fc.array(
          fc.record({ a: fc.nat(5), b: fc.nat(5), sp: fc.constantFrom(53, 80), dp: fc.constantFrom(53, 80) }),
          { minLength: 1, maxLength: 64 },
        ),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(63), { maxLength: 64 }),
        (tuples, seed, dels) => {
          const opts = { capacity: 16, overflow: 8, maxFlows: 22, seed };
          const one = new FlowTable(opts);
          const many = new FlowTable(opts);
          const spec = { action: Action.FORWARD as Action, nextHop: 5, reverseNextHop: 6, rule: 7, now: 9 };
          const batch = new FlowBatch(64);
          const k = new FlowKey();
          const expected: number[] = [];
          for (const { a, b, sp, dp } of tuples) {
            batch.addV4(1, 17, 0x0a000000 + a, 0x0a000000 + b, sp, dp);
            expected.push(one.insertPair(k.setV4(1, 17, 0x0a000000 + a, 0x0a000000 + b, sp, dp), spec));
          }
          const created = many.insertBatch(batch, spec);
          expect([...batch.result.subarray(0, batch.count)]).toEqual(expected);
          expect(created).toBe(expected.filter((r) => r >= 0).length);
          expect(many.stats()).toEqual(one.stats());
          // Delete a subset of the created pairs (each pair once, by either entry).
          const live = expected.filter((r) => r >= 0);
          const picked = [...new Set(dels.filter((d) => d < live.length).map((d) => live[d]!))].map((i, j) =>
            j & 1 ? one.reverse(i) : i,
          );
          for (const i of picked) one.deletePair(i);
          many.deletePairs(Int32Array.from(picked));
          expect(many.stats()).toEqual(one.stats());
          const m1 = one.memory();
          const m2 = many.memory();
          for (const name of ['hot', 'cold', 'buckets', 'next', 'header', 'vifCount'] as const)
            expect(m2[name]).toEqual(m1[name]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('validate what they are given', () => {
    const t = new FlowTable({ capacity: 8, seed: 1 });
    const b = new FlowBatch(2);
    b.addV4(1, 6, 1, 2, 3, 4);
    expect(() => t.insertBatch(b, { action: Action.FORWARD, nat: key(1) })).toThrow(/NAT/);
    expect(() => t.insertBatch(b, { action: 7 as Action })).toThrow(FieldRangeError);
    expect(t.insertBatch(b, { action: Action.DROP })).toBe(1);
    expect(() => t.deletePairs([0], 2)).toThrow(FieldRangeError);
    expect(() => t.deletePairs([1e9])).toThrow(FlowIndexError);
    t.deletePairs([b.result[0]!]);
    expect(t.size).toBe(0);
  });
});
