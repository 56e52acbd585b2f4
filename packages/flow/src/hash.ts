// Seeded flow hash. The vrouter uses Jenkins' hash with a random seed; here every key word is XORed with its
// own secret word and multiplied by its own secret odd multiplier, the products are folded together with
// rotations, and the Murmur3 finalizer mixes the result. With per-table random secrets an attacker cannot compute colliding
// tuples offline, so they cannot aim traffic at one bucket. (Not a cryptographic MAC: do not expose hashes.)
import { getRandomValues } from 'node:crypto';
import { KEY_WORDS } from './layout.js';

/** Secret words of one table: 10 XOR keys, 10 odd multipliers, an initial value. */
export const SEED_WORDS = KEY_WORDS * 2 + 1;

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
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// Each key word is XORed with its secret word and multiplied by its secret odd multiplier (a keyed bijection
// of the word, one multiply), its high half is folded into the low half, and it is mixed into the state with
// a rotation and a multiply by 5 (a shift and an add), as in a Murmur3 round; the state goes through the
// finalizer once. An IPv4 key costs 4 keyed multiplies plus the finalizer's 2 (the previous Murmur3 rounds
// took 3 full multiplies per word), no allocation, no BigInt.

/** One key word into the state. */
function mix(h: number, w: number, x: number, m: number): number {
  let k = Math.imul(w ^ x, m);
  k ^= k >>> 16;
  h ^= k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** Hash of an IPv4 key given as its four significant words (meta, ports, source, destination). */
export function hashV4(s: Int32Array, meta: number, ports: number, src: number, dst: number): number {
  let h = mix(s[20]!, meta, s[0]!, s[10]!);
  h = mix(h, ports, s[1]!, s[11]!);
  h = mix(h, src, s[2]!, s[12]!);
  let k = Math.imul(dst ^ s[6]!, s[16]!);
  k ^= k >>> 16;
  return finish(h ^ k);
}

/**
 * Hash of a key laid out as 10 words (meta, ports, source x4, destination x4) at `off` in `w`. IPv4 keys
 * hash only their significant words, so this equals `hashV4` for them.
 */
export function hashWords(s: Int32Array, w: Int32Array, off: number): number {
  const meta = w[off]!;
  if ((meta & 0xff) === 4) return hashV4(s, meta, w[off + 1]!, w[off + 2]!, w[off + 6]!);
  let h = s[20]!;
  for (let i = 0; i < KEY_WORDS; i++) h = mix(h, w[off + i]!, s[i]!, s[KEY_WORDS + i]!);
  return finish(h);
}

/** Maps a 32-bit hash onto 0..n-1 by multiply-high (Lemire), so n need not be a power of two. */
export function reduce(h: number, n: number): number {
  // Multiplying by 2^-32 (exact in float64) instead of dividing keeps a slow division off the lookup path.
  return ((h >>> 0) * n * 2.3283064365386963e-10) >>> 0;
}
