// Unique allocation on top of the store's claims. A candidate is picked from what the store says is claimed plus
// what this process has in flight (so concurrent requests in one controller pick different values), then
// committed together with its object as a claim; if another controller took it first the store refuses the
// claim and the next candidate is tried. The store's claim check, not this cache, is what prevents duplicates.
import { ConflictError } from '../errors.js';
import type { Store } from '../store/interface.js';

export class Allocator {
  private readonly inflight = new Map<string, Set<string>>();
  constructor(
    private readonly store: Store,
    private readonly maxAttempts = 64,
  ) {}

  /**
   * Picks values with `next(taken)` (undefined = exhausted) and runs `use(value)`, which must commit a claim on
   * `pool`/value; retries with another value when the claim conflicts.
   */
  async allocate<T>(
    pool: string,
    next: (taken: (key: string) => boolean) => string | undefined,
    use: (key: string) => Promise<T>,
    /** false: candidates are random enough that reading the pool's claims first is not worth it. */
    scan = true,
  ): Promise<T> {
    let mine = this.inflight.get(pool);
    if (!mine) {
      mine = new Set();
      this.inflight.set(pool, mine);
    }
    const lost = new Set<string>();
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const claimed = scan ? await this.store.claimed(pool) : new Set<string>();
      const key = next((k) => claimed.has(k) || mine.has(k) || lost.has(k));
      if (key === undefined) throw new ConflictError('exhausted', `no free value left in ${pool}`, { pool });
      mine.add(key);
      try {
        return await use(key);
      } catch (e) {
        if (
          e instanceof ConflictError &&
          e.kind === 'claim' &&
          e.details.pool === pool &&
          e.details.key === key
        ) {
          lost.add(key);
          continue;
        }
        throw e;
      } finally {
        mine.delete(key);
        if (mine.size === 0 && this.inflight.get(pool) === mine) this.inflight.delete(pool);
      }
    }
    throw new ConflictError('exhausted', `could not allocate in ${pool} after ${this.maxAttempts} attempts`, {
      pool,
    });
  }
}

/** The lowest integer in [min, max] not taken. */
export function nextInt(
  min: number,
  max: number,
  taken: (k: string) => boolean,
  limit = 1_000_000,
): string | undefined {
  for (let i = min, n = 0; i <= max && n < limit; i++, n++) if (!taken(String(i))) return String(i);
  return undefined;
}
