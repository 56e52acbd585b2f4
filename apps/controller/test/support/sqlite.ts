// better-sqlite3 is a native addon compiled at install time; where it could not be built, tests that need it are
// skipped with that named, like the external-tool gates of @filament/testkit.
import Database from 'better-sqlite3';
import { describe, it } from 'vitest';

let available: boolean | undefined;

export function hasSqlite(): boolean {
  if (available === undefined) {
    try {
      new Database(':memory:').close();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

const SKIP = '[skipped: needs better-sqlite3 (native addon), not built]';

export function describeWithSqlite(name: string, fn: () => void): void {
  if (hasSqlite()) describe(name, fn);
  else describe.skip(`${name} ${SKIP}`, fn);
}

export function itWithSqlite(name: string, fn: () => unknown, timeout?: number): void {
  if (hasSqlite()) it(name, fn, timeout);
  else it.skip(`${name} ${SKIP}`, fn);
}
