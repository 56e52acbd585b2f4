// Seeded flow hash. The vrouter uses Jenkins' hash with a random seed; here each key word is XORed with its
// own secret word and multiplied by its own secret odd multiplier, the products are summed with a secret
// initial value (a keyed multiply-shift family, as in Dietzfelbinger's universal hashing: the top bits, which
// pick the bucket, depend on every key bit) and the Murmur3 finalizer mixes the sum so the low bits (the
// bucket tag, the MPLS-over-UDP source port) depend on every key bit too. With per-table random secrets an
// attacker cannot compute colliding tuples offline, so they cannot aim traffic at one bucket. (Not a
// cryptographic MAC: do not expose hashes.)
//
// Why a sum of products: an IPv4 key costs 4 independent multiplies plus the finalizer's 2, with no chain
// between the words. The per-packet lookup is bound by how many lookups the core keeps in flight while their
// slots come from memory, which is set by the instructions per lookup; the previous rotate-and-multiply rounds
// (a chain of 3 rounds plus the finalizer) cost 25% of the lookups per second at 1 M flows.
import { getRandomValues } from 'node:crypto';
import { KEY_WORDS } from './layout.js';

/** Secret words of one table: 10 XOR keys, 10 odd multipliers, an initial value. */
export const SEED_WORDS = KEY_WORDS * 2 + 1;
/** Index of the initial value in the seed words. */
export const SEED_INIT = KEY_WORDS * 2;

/** Expands a 32-bit seed into the table's secret words (splitmix32), or draws them at random. */
export function makeSeed(seed?: number): Int32Array {
  const out = new Int32Array(SEED_WORDS);
  if (seed === undefined) {
    getRandomValues(out);
  } else {
    let s = seed | 0;
    for (let i = 0; i < SEED_WORDS; i++) {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      out[i] = z ^ (z >>> 16);
    }
  }
  for (let i = KEY_WORDS; i < KEY_WORDS * 2; i++) out[i] = out[i]! | 1;
  return out;
}

/** The Murmur3 32-bit finalizer: full avalanche, 2 multiplies. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of an IPv4 key given as its four significant words (meta, ports, source, destination). */
export function hashV4(s: Int32Array, meta: number, ports: number, src: number, dst: number): number {
  return finish(
    (s[SEED_INIT]! +
      Math.imul(meta ^ s[0]!, s[KEY_WORDS]!) +
      Math.imul(ports ^ s[1]!, s[KEY_WORDS + 1]!) +
      Math.imul(src ^ s[2]!, s[KEY_WORDS + 2]!) +
      Math.imul(dst ^ s[6]!, s[KEY_WORDS + 6]!)) |
      0,
  );
}

/**
 * Hash of a key laid out as 10 words (meta, ports, source x4, destination x4) at `off` in `w`. The zero
 * words of an IPv4 key are left out, so this equals `hashV4` for them.
 */
export function hashWords(s: Int32Array, w: Int32Array, off: number): number {
  const meta = w[off]!;
  if ((meta & 0xff) === 4) return hashV4(s, meta, w[off + 1]!, w[off + 2]!, w[off + 6]!);
  let h = s[SEED_INIT]!;
  for (let i = 0; i < KEY_WORDS; i++) h = (h + Math.imul(w[off + i]! ^ s[i]!, s[KEY_WORDS + i]!)) | 0;
  return finish(h);
}

/** Maps a 32-bit hash onto 0..n-1 by multiply-high (Lemire), so n need not be a power of two. */
export function reduce(h: number, n: number): number {
  // Multiplying by 2^-32 (exact in float64) instead of dividing keeps a slow division off the lookup path.
  return ((h >>> 0) * n * 2.3283064365386963e-10) >>> 0;
}
