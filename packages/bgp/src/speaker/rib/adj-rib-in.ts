// RFC 4271 3.2: the Adj-RIB-In of one peer, per AFI/SAFI: the routes the peer advertised, as received
// (`Path.rxAttrs`) and as accepted by import policy (`Path.attrs`, undefined when rejected), so policy can
// be re-run without asking the peer again. With add-path (RFC 7911) one destination may hold several
// paths, told apart by path identifier. The number of routes is bounded (RFC 4486 maximum prefixes).
import { IPV4_UNICAST_KEY, type Path, type RouteKey } from './path.js';
import { PrefixMap } from './prefix-map.js';

/** The key of a path within an Adj-RIB-In: the route key, or key and path id with add-path. */
export function adjKey(key: RouteKey, pathId: number, addPath: boolean): RouteKey {
  return addPath ? `${key}#${pathId}` : key;
}

export class AdjRibIn {
  private readonly tables = new Map<number, Map<RouteKey, Path>>();
  private count = 0;
  /** Paths marked stale and not yet replaced or removed: End-of-RIB skips the sweep when there are none. */
  private staleCount = 0;

  /** Routes held across families. */
  get size(): number {
    return this.count;
  }

  table(family: number): Map<RouteKey, Path> {
    let t = this.tables.get(family);
    if (!t) {
      t = family === IPV4_UNICAST_KEY ? new PrefixMap<Path>() : new Map<RouteKey, Path>();
      this.tables.set(family, t);
    }
    return t;
  }

  families(): number[] {
    return [...this.tables.keys()];
  }

  get(family: number, k: RouteKey): Path | undefined {
    return this.tables.get(family)?.get(k);
  }

  /** Stores a path; returns the one it replaces. */
  set(family: number, k: RouteKey, p: Path): Path | undefined {
    const t = this.table(family);
    const old = t.get(k);
    this.put(t, k, p, old);
    return old;
  }

  /**
   * Stores a path over `old`, the path `table(family).get(k)` returned just before (saves the second
   * lookup on the ingest path).
   */
  put(t: Map<RouteKey, Path>, k: RouteKey, p: Path, old: Path | undefined): void {
    t.set(k, p);
    if (!old) this.count++;
    else if (old.stale) this.staleCount--;
  }

  delete(family: number, k: RouteKey): Path | undefined {
    const t = this.tables.get(family);
    const old = t?.get(k);
    if (old) {
      t!.delete(k);
      this.count--;
      if (old.stale) this.staleCount--;
    }
    return old;
  }

  /** Marks every path of a family stale (graceful restart, enhanced route refresh). */
  markStale(family: number): number {
    let n = 0;
    for (const p of this.tables.get(family)?.values() ?? []) {
      if (!p.stale) this.staleCount++;
      p.stale = true;
      n++;
    }
    return n;
  }

  /** Removes and returns the stale paths of a family (with their keys). */
  sweepStale(family: number): [RouteKey, Path][] {
    const t = this.tables.get(family);
    const out: [RouteKey, Path][] = [];
    if (!t || this.staleCount === 0) return out;
    for (const [k, p] of t) if (p.stale) out.push([k, p]);
    for (const [k] of out) t.delete(k);
    this.count -= out.length;
    this.staleCount -= out.length;
    return out;
  }

  /** Removes and returns everything of a family. */
  clearFamily(family: number): [RouteKey, Path][] {
    const t = this.tables.get(family);
    if (!t) return [];
    const out = [...t];
    this.count -= out.length;
    for (const [, p] of out) if (p.stale) this.staleCount--;
    this.tables.delete(family);
    return out;
  }
}
