// RFC 4271 3.2: the Loc-RIB, one table per AFI/SAFI. Each destination keeps every eligible candidate as a
// list ordered by the decision process (best first, `Path.next` links), so a change re-sorts one list and
// reports whether the best path changed; ECMP sets are the head and the candidates equal to it.
import type { Decision } from './decision.js';
import { IPV4_UNICAST_KEY, type Path, type RouteKey } from './path.js';
import { PrefixMap } from './prefix-map.js';

export interface BestChange {
  previous: Path | undefined;
  best: Path | undefined;
}

export class LocRib {
  private readonly tables = new Map<number, Map<RouteKey, Path>>();

  constructor(readonly decision: Decision) {}

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

  /** The best path to a destination. */
  best(family: number, key: RouteKey): Path | undefined {
    return this.tables.get(family)?.get(key);
  }

  /** Every candidate, best first. */
  candidates(family: number, key: RouteKey): Path[] {
    const out: Path[] = [];
    for (let p = this.tables.get(family)?.get(key); p; p = p.next) out.push(p);
    return out;
  }

  /** The ECMP set: the best path and every candidate equal to it through the IGP cost. */
  multipath(family: number, key: RouteKey): Path[] {
    const head = this.tables.get(family)?.get(key);
    if (!head) return [];
    const out = [head];
    for (let p = head.next; p; p = p.next) if (this.decision.multipathEqual(head, p)) out.push(p);
    return out;
  }

  /** Number of destinations of a family. */
  size(family: number): number {
    return this.tables.get(family)?.size ?? 0;
  }

  /**
   * Replaces `old` (a path from the same source for the same destination, or undefined) by `path`
   * (undefined to only remove). Paths whose `attrs` is undefined are not candidates. Returns the previous
   * and new best path, or undefined when the best path did not change.
   */
  replace(
    family: number,
    key: RouteKey,
    old: Path | undefined,
    path: Path | undefined,
  ): BestChange | undefined {
    if (!this.swap(family, key, old, path)) return undefined;
    return { previous: this.lastChange.previous, best: this.lastChange.best };
  }

  /** What the last `swap` that changed a best path changed; overwritten by the next one. */
  readonly lastChange: BestChange = { previous: undefined, best: undefined };

  /**
   * `replace` without an object per call (the ingest path): returns whether the best path changed, and
   * the change is then in `lastChange` until the next call.
   */
  swap(family: number, key: RouteKey, old: Path | undefined, path: Path | undefined): boolean {
    const t = this.table(family);
    const head = t.get(key);
    let list = head;
    if (old && head) {
      if (head === old) list = old.next;
      else {
        for (let p = head; p.next; p = p.next) {
          if (p.next === old) {
            p.next = old.next;
            break;
          }
        }
      }
      old.next = undefined;
    }
    if (path && path.attrs !== undefined) {
      const d = this.decision;
      if (!list || d.compare(path, list) < 0) {
        path.next = list;
        list = path;
      } else {
        let p = list;
        while (p.next && d.compare(p.next, path) <= 0) p = p.next;
        path.next = p.next;
        p.next = path;
      }
    }
    if (list) {
      if (list !== head) t.set(key, list);
    } else if (head) t.delete(key);
    if (list === head) return false;
    this.lastChange.previous = head;
    this.lastChange.best = list;
    return true;
  }

  /** Re-sorts one destination (after attributes changed in place, e.g. a policy re-run). */
  resort(family: number, key: RouteKey): BestChange | undefined {
    const t = this.tables.get(family);
    const head = t?.get(key);
    if (!t || !head) return undefined;
    const paths: Path[] = [];
    for (let p: Path | undefined = head; p; p = p.next) paths.push(p);
    const sorted = paths.filter((p) => p.attrs !== undefined).sort((a, b) => this.decision.compare(a, b));
    for (let i = 0; i < paths.length; i++) paths[i]!.next = undefined;
    for (let i = 0; i < sorted.length - 1; i++) sorted[i]!.next = sorted[i + 1];
    const best = sorted[0];
    if (best) t.set(key, best);
    else t.delete(key);
    return best === head ? undefined : { previous: head, best };
  }

  /** Every destination's best path of a family. */
  *bests(family: number): Generator<Path> {
    const t = this.tables.get(family);
    if (t) yield* t.values();
  }
}
