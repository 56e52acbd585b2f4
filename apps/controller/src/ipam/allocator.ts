// Unique allocation on top of the store's claims. A candidate is picked from what the store says is claimed plus
// what this process has in flight (so concurrent requests in one controller pick different values), then
// committed together with its object as a claim; if another controller took it first the store refuses the
// claim and the next candidate is tried. The store's claim check, not this cache, is what prevents duplicates.
import { ConflictError } from '../errors.js';
import type { Store } from '../store/interface.js';

export class Allocator {
  private readonly inflight = new Map<string, Set<string>>();
  /** Recently read claims per pool: saves re-reading a large pool per allocation; a conflict refreshes it. */
  private readonly cache = new Map<string, { keys: Set<string>; at: number }>();
  /** Reads of a pool in progress: concurrent requests that find the cache stale share one read. */
  private readonly reading = new Map<string, Promise<Set<string>>>();
  constructor(
    private readonly store: Store,
    private readonly maxAttempts = 64,
    private readonly cacheMs = 1000,
  ) {}

  private async claims(pool: string, fresh: boolean): Promise<Set<string>> {
    const c = this.cache.get(pool);
    if (!fresh && c && Date.now() - c.at < this.cacheMs) return c.keys;
    // A read that started before this call may miss a claim that made this caller ask for a fresh one.
    const inProgress = fresh ? undefined : this.reading.get(pool);
    if (inProgress) return inProgress;
    const read = this.store.claimed(pool).then((keys) => {
      if (this.reading.get(pool) === read) this.reading.delete(pool);
      this.cache.set(pool, { keys, at: Date.now() });
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
      return keys;
    });
    this.reading.set(pool, read);
    read.catch(() => {
      if (this.reading.get(pool) === read) this.reading.delete(pool);
    });
    return read;
  }

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
    let fresh = false;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const claimed = scan ? await this.claims(pool, fresh) : new Set<string>();
      const key = next((k) => claimed.has(k) || mine.has(k) || lost.has(k));
      if (key === undefined) {
        if (scan && !fresh) {
          fresh = true; // the cached claims may hold values freed since: look again before giving up
          continue;
        }
        throw new ConflictError('exhausted', `no free value left in ${pool}`, { pool });
      }
      mine.add(key);
      try {
        const r = await use(key);
        if (scan) this.cache.get(pool)?.keys.add(key);
        return r;
      } catch (e) {
        if (
          e instanceof ConflictError &&
          e.kind === 'claim' &&
          e.details.pool === pool &&
          e.details.key === key
        ) {
          lost.add(key);
          fresh = true;
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
