// Embedded store engine: SQLite through better-sqlite3 in a data directory, WAL journal. A commit acknowledged to
// a client is on disk and survives kill -9 and power loss: it is acknowledged only after an fdatasync of the WAL
// file that started after the commit was written. That fsync runs on libuv's thread pool, not in SQLite
// (synchronous=NORMAL, which syncs only at checkpoints), so the event loop keeps parsing and validating requests
// while the disk works. Writes are group-committed: the commits queued while one fsync runs are written as one
// SQLite transaction (each in its own savepoint, so one failing op fails only its own commit) and share the next
// fsync; every commit still gets its own revision. Watchers and `revision()` see a commit once it is durable.
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompactedError,
  ConflictError,
  ControllerError,
  NotFoundError,
  VersionMismatchError,
} from '../errors.js';
import { Checkpointer } from './checkpointer.js';
import {
  type BackRef,
  type Change,
  type CommitResult,
  fqKey,
  type ListQuery,
  type ListResult,
  type NewObject,
  type Store,
  type StoredObject,
  type Watcher,
  type WriteOp,
} from './interface.js';

export interface SqliteStoreOptions {
  /** Directory for the database files (created if missing); ':memory:' for a throwaway store. */
  dataDir: string;
  /** Revisions of change history kept for watch (default 200,000). */
  historyLimit?: number;
  /** Most commits grouped into one transaction and one fsync (default 512). */
  maxBatch?: number;
  /**
   * 'full' (default): every commit is fsynced before it is acknowledged, surviving power loss as well as kill -9.
   * 'normal': no fsync per commit, acknowledged commits survive the process being killed but the last ones
   * may be lost on power failure.
   */
  durability?: 'full' | 'normal';
  /** WAL frames (pages) after which writes pause until a checkpoint lets the WAL start over (default 16,384). */
  walRestartFrames?: number;
}

/** fq_name lookups kept in memory. */
const FQ_CACHE_SIZE = 100_000;

interface Row {
  uuid: string;
  data: string;
  version: number;
  revision: number;
}

interface Pending {
  ops: WriteOp[];
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; result: CommitResult; changes: Change[] } | { ok: false; error: unknown };

/** A transaction written to the WAL, waiting for the fsync that makes it durable. */
interface Written {
  batch: Pending[];
  outcomes: Outcome[];
  /** Revision after the transaction. */
  rev: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  uuid TEXT PRIMARY KEY, type TEXT NOT NULL, fq TEXT NOT NULL, parent TEXT, version INTEGER NOT NULL,
  revision INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS objects_fq ON objects(type, fq);
CREATE INDEX IF NOT EXISTS objects_type ON objects(type, uuid);
CREATE INDEX IF NOT EXISTS objects_parent ON objects(parent, type, uuid);
CREATE TABLE IF NOT EXISTS refs (src TEXT NOT NULL, dst TEXT NOT NULL, src_type TEXT NOT NULL, attr TEXT,
  PRIMARY KEY (src, dst)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_dst ON refs(dst, src_type, src);
CREATE TABLE IF NOT EXISTS claims (pool TEXT NOT NULL, key TEXT NOT NULL, owner TEXT NOT NULL,
  PRIMARY KEY (pool, key)) WITHOUT ROWID;
DROP INDEX IF EXISTS claims_owner;
CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL, kind TEXT NOT NULL,
  uuid TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_rev ON changes(rev);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (k, v) VALUES ('revision', 0), ('compacted', 0);
`;

function toObject(r: Row): StoredObject {
  const o = JSON.parse(r.data) as NewObject;
  return { ...o, version: r.version, revision: r.revision };
}

function serialize(o: NewObject): string {
  const { type, uuid, fqName, parentType, parentUuid, owner, refs, claims, body } = o;
  return JSON.stringify({ type, uuid, fqName, parentType, parentUuid, owner, refs, claims, body });
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly db: Database.Database;
  private readonly historyLimit: number;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** Commits and transactions so far (for metrics and tuning). */
  readonly stats = { commits: 0, transactions: 0 };
  private scheduled = false;
  private closed = false;
  private readonly listeners = new Set<(c: Change) => void>();
  /** Revision of the last transaction written (durable or not). */
  private rev: number;
  /** Revision of the last durable, acknowledged transaction: what watchers and `revision()` see. */
  private durableRev: number;
  /** The WAL file, fsynced before acknowledging (undefined: durability 'normal' or an in-memory store). */
  private walFd: number | undefined;
  private readonly walPath: string | undefined;
  /** Transactions written and waiting for the next fsync. */
  private written: Written[] = [];
  private syncing = false;
  /** Set when an fsync failed: what was written may or may not be on disk, so no further commit is accepted. */
  private failed: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly st;
  private readonly txn;
  /**
   * fq_name -> uuid of objects looked up (parents, ref targets, the default project: several per request).
   * This process is the data directory's only writer, so the deletes it commits are all there is to forget.
   */
  private readonly fqCache = new Map<string, string>();
  private checkpointer: Checkpointer | undefined;
  /** Writes wait while the checkpointer catches up with a WAL that grew past walRestartFrames. */
  private walCatchingUp = false;
  private readonly walRestartFrames: number;

  constructor(opts: SqliteStoreOptions) {
    this.historyLimit = opts.historyLimit ?? 200_000;
    this.maxBatch = opts.maxBatch ?? 512;
    this.walRestartFrames = opts.walRestartFrames ?? 16_384; // 64 MB
    let file = ':memory:';
    if (opts.dataDir !== ':memory:') {
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      file = join(opts.dataDir, 'config.sqlite');
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: no fsync per transaction (we do it off the event loop), fsyncs at checkpoints.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('busy_timeout = 5000');
    // B-tree pages of the indexes touched by each create stay in memory (default 2 MB)
    this.db.pragma('cache_size = -32768');
    // After a checkpoint the WAL restarts from its beginning; keep the file from staying large after a burst.
    this.db.pragma('journal_size_limit = 67108864');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.st = {
      get: db.prepare<[string], Row>('SELECT uuid, data, version, revision FROM objects WHERE uuid = ?'),
      byFq: db.prepare<[string, string], { uuid: string }>(
        'SELECT uuid FROM objects WHERE type = ? AND fq = ?',
      ),
      insert: db.prepare(
        'INSERT INTO objects (uuid, type, fq, parent, version, revision, data) VALUES (?, ?, ?, ?, 1, ?, ?)',
      ),
      update: db.prepare('UPDATE objects SET version = version + 1, revision = ?, data = ? WHERE uuid = ?'),
      del: db.prepare('DELETE FROM objects WHERE uuid = ?'),
      exists: db.prepare<[string], { type: string }>('SELECT type FROM objects WHERE uuid = ?'),
      childCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM objects WHERE parent = ?'),
      firstChild: db.prepare<[string], { uuid: string; type: string }>(
        'SELECT uuid, type FROM objects WHERE parent = ? LIMIT 1',
      ),
      children: db.prepare<[string], { uuid: string; type: string }>(
        'SELECT uuid, type FROM objects WHERE parent = ? ORDER BY type, uuid',
      ),
      childrenOfType: db.prepare<[string, string], { uuid: string; type: string }>(
        'SELECT uuid, type FROM objects WHERE parent = ? AND type = ? ORDER BY uuid',
      ),
      insertRef: db.prepare('INSERT OR REPLACE INTO refs (src, dst, src_type, attr) VALUES (?, ?, ?, ?)'),
      delRefs: db.prepare('DELETE FROM refs WHERE src = ?'),
      firstBackRef: db.prepare<[string], { src: string; src_type: string }>(
        'SELECT src, src_type FROM refs WHERE dst = ? LIMIT 1',
      ),
      backRefs: db.prepare<[string], { src: string; src_type: string; attr: string | null }>(
        'SELECT src, src_type, attr FROM refs WHERE dst = ? ORDER BY src_type, src',
      ),
      claimOwner: db.prepare<[string, string], { owner: string }>(
        'SELECT owner FROM claims WHERE pool = ? AND key = ?',
      ),
      insertClaim: db.prepare('INSERT INTO claims (pool, key, owner) VALUES (?, ?, ?)'),
      // by key, from the owner's own list: an index on owner would cost a random b-tree page per claimed create
      delClaim: db.prepare('DELETE FROM claims WHERE pool = ? AND key = ? AND owner = ?'),
      claimed: db.prepare<[string], { key: string }>('SELECT key FROM claims WHERE pool = ?'),
      change: db.prepare('INSERT INTO changes (rev, kind, uuid, version, data) VALUES (?, ?, ?, ?, ?)'),
      changesAfter: db.prepare<
        [number, number],
        { rev: number; kind: string; uuid: string; version: number; data: string }
      >('SELECT rev, kind, uuid, version, data FROM changes WHERE rev > ? AND rev <= ? ORDER BY id'),
      setRev: db.prepare("UPDATE meta SET v = ? WHERE k = 'revision'"),
      getMeta: db.prepare<[string], { v: number }>('SELECT v FROM meta WHERE k = ?'),
      compact: db.prepare('DELETE FROM changes WHERE rev <= ?'),
      setCompacted: db.prepare("UPDATE meta SET v = ? WHERE k = 'compacted'"),
      // SQLITE_CHECKPOINT_NOOP: reports the WAL's size (frames) without checkpointing
      walState: db.prepare('PRAGMA wal_checkpoint(NOOP)'),
    };
    this.rev = this.st.getMeta.get('revision')!.v;
    this.durableRev = this.rev;
    if (file !== ':memory:' && opts.durability !== 'normal') this.walPath = `${file}-wal`;
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(file, () => {
        // back to SQLite's checkpoints inside commits: slower, but the WAL stays bounded
        this.db.pragma('wal_autocheckpoint = 1000');
        this.checkpointer = undefined;
      });
    }
    const one = db.transaction((ops: WriteOp[], rev: number) => {
      const versions: Record<string, number> = {};
      const changes = this.apply(ops, rev, versions);
      return { versions, changes };
    });
    this.txn = {
      one,
      batch: db.transaction((batch: Pending[], outcomes: Outcome[]) => this.writeBatch(batch, outcomes, one)),
    };
  }

  async get(uuid: string): Promise<StoredObject | undefined> {
    const r = this.st.get.get(uuid);
    return r ? toObject(r) : undefined;
  }

  async getMany(uuids: string[]): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (const u of uuids) {
      const r = this.st.get.get(u);
      if (r) out.push(toObject(r));
    }
    return out;
  }

  async fqNameToUuid(type: string, fqName: string[]): Promise<string | undefined> {
    const fq = fqKey(fqName);
    const key = `${type}\n${fq}`;
    const hit = this.fqCache.get(key);
    if (hit !== undefined) return hit;
    const uuid = this.st.byFq.get(type, fq)?.uuid;
    if (uuid !== undefined) {
      if (this.fqCache.size >= FQ_CACHE_SIZE) this.fqCache.delete(this.fqCache.keys().next().value!);
      this.fqCache.set(key, uuid);
    }
    return uuid;
  }

  private where(q: Omit<ListQuery, 'after' | 'limit'>, after?: string): { sql: string; args: unknown[] } {
    const cond = ['o.type = ?'];
    const args: unknown[] = [q.type];
    let from = 'objects o';
    if (q.parentUuid !== undefined) {
      cond.push('o.parent = ?');
      args.push(q.parentUuid);
    }
    if (q.refTo !== undefined) {
      from += ' JOIN refs r ON r.src = o.uuid';
      cond.push('r.dst = ?');
      args.push(q.refTo);
    }
    if (q.uuids !== undefined) {
      cond.push(`o.uuid IN (SELECT value FROM json_each(?))`);
      args.push(JSON.stringify(q.uuids));
    }
    if (after !== undefined) {
      cond.push('o.uuid > ?');
      args.push(after);
    }
    return { sql: `FROM ${from} WHERE ${cond.join(' AND ')}`, args };
  }

  async list(q: ListQuery): Promise<ListResult> {
    const { sql, args } = this.where(q, q.after);
    const limit = q.limit ?? -1;
    const rows = this.db
      .prepare<unknown[], Row>(
        `SELECT o.uuid, o.data, o.version, o.revision ${sql} ORDER BY o.uuid LIMIT ${limit >= 0 ? limit + 1 : -1}`,
      )
      .all(...args);
    const more = limit >= 0 && rows.length > limit;
    const objects = (more ? rows.slice(0, limit) : rows).map(toObject);
    const res: ListResult = { objects };
    if (more) res.next = objects[objects.length - 1]!.uuid;
    return res;
  }

  async count(q: Omit<ListQuery, 'after' | 'limit'>): Promise<number> {
    const { sql, args } = this.where(q);
    return this.db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n ${sql}`).get(...args)!.n;
  }

  async children(parentUuid: string, type?: string): Promise<{ type: string; uuid: string }[]> {
    return type === undefined
      ? this.st.children.all(parentUuid)
      : this.st.childrenOfType.all(parentUuid, type);
  }

  async backRefs(uuid: string): Promise<BackRef[]> {
    return this.st.backRefs.all(uuid).map((r) => {
      const b: BackRef = { type: r.src_type, uuid: r.src };
      if (r.attr !== null) b.attr = JSON.parse(r.attr);
      return b;
    });
  }

  async claimed(pool: string): Promise<Set<string>> {
    return new Set(this.st.claimed.all(pool).map((r) => r.key));
  }

  async revision(): Promise<number> {
    return this.durableRev;
  }

  commit(ops: WriteOp[]): Promise<CommitResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      // While an fsync runs, commits wait for it to end and then share one transaction and the next fsync.
      if (!this.scheduled && !this.syncing) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private checkRefs(o: NewObject, selfUuid: string): void {
    for (const r of o.refs) {
      const t = r.uuid === selfUuid ? o.type : this.st.exists.get(r.uuid)?.type;
      if (t === undefined) {
        throw new ConflictError('missing-ref', `${o.type} ${o.uuid} refers to missing ${r.type} ${r.uuid}`, {
          ref_type: r.type,
          ref_uuid: r.uuid,
        });
      }
      if (t !== r.type) {
        throw new ConflictError('missing-ref', `ref ${r.uuid} is a ${t}, not a ${r.type}`, {
          ref_type: r.type,
          ref_uuid: r.uuid,
        });
      }
    }
  }

  private writeLinks(o: NewObject): void {
    const seen = new Set<string>();
    for (const r of o.refs) {
      if (seen.has(r.uuid)) continue;
      seen.add(r.uuid);
      this.st.insertRef.run(o.uuid, r.uuid, o.type, r.attr === undefined ? null : JSON.stringify(r.attr));
    }
    for (const c of o.claims) {
      // The primary key refuses a taken value; looking it up first would cost a b-tree search per claim.
      try {
        this.st.insertClaim.run(c.pool, c.key, o.uuid);
      } catch (e) {
        const owner = this.st.claimOwner.get(c.pool, c.key)?.owner;
        if (owner === undefined) throw e;
        throw new ConflictError('claim', `${c.key} is already allocated in ${c.pool}`, {
          pool: c.pool,
          key: c.key,
          owner,
        });
      }
    }
  }

  private deleteClaims(o: StoredObject): void {
    for (const c of o.claims) this.st.delClaim.run(c.pool, c.key, o.uuid);
  }

  /** Applies one commit's ops inside the current transaction; returns the changes it made. */
  private apply(ops: WriteOp[], rev: number, versions: Record<string, number>): Change[] {
    const changes: Change[] = [];
    for (const w of ops) {
      if (w.op === 'create') {
        const o = w.object;
        const fq = fqKey(o.fqName);
        if (o.parentUuid !== undefined && this.st.exists.get(o.parentUuid)?.type !== o.parentType) {
          throw new ConflictError('missing-parent', `parent ${o.parentType} ${o.parentUuid} does not exist`);
        }
        this.checkRefs(o, o.uuid);
        const data = serialize(o);
        // The primary key and the fq_name index refuse duplicates: looking both up first would cost two
        // b-tree searches per create; the error path finds out which one it was.
        try {
          this.st.insert.run(o.uuid, o.type, fq, o.parentUuid ?? null, rev, data);
        } catch (e) {
          if (this.st.exists.get(o.uuid)) throw new ConflictError('exists', `uuid ${o.uuid} already exists`);
          const other = this.st.byFq.get(o.type, fq);
          if (!other) throw e;
          throw new ConflictError('exists', `${o.type} ${o.fqName.join(':')} already exists`, {
            type: o.type,
            fq_name: o.fqName,
            uuid: other.uuid,
          });
        }
        this.writeLinks(o);
        this.st.change.run(rev, 'put', o.uuid, 1, data);
        versions[o.uuid] = 1;
        changes.push({
          revision: rev,
          kind: 'put',
          type: o.type,
          uuid: o.uuid,
          object: { ...o, version: 1, revision: rev },
        });
      } else if (w.op === 'update') {
        const o = w.object;
        const cur = this.st.get.get(o.uuid);
        if (!cur) throw new NotFoundError(`no object ${o.uuid}`, { uuid: o.uuid });
        if (w.expectVersion !== undefined && w.expectVersion !== cur.version) {
          throw new VersionMismatchError(o.uuid, w.expectVersion, cur.version);
        }
        const old = toObject(cur);
        const fixed: NewObject = { ...o, type: old.type, fqName: old.fqName };
        if (old.parentType !== undefined) fixed.parentType = old.parentType;
        if (old.parentUuid !== undefined) fixed.parentUuid = old.parentUuid;
        this.checkRefs(fixed, fixed.uuid);
        this.st.delRefs.run(o.uuid);
        this.deleteClaims(old);
        this.writeLinks(fixed);
        const data = serialize(fixed);
        this.st.update.run(rev, data, o.uuid);
        this.st.change.run(rev, 'put', o.uuid, cur.version + 1, data);
        versions[o.uuid] = cur.version + 1;
        changes.push({
          revision: rev,
          kind: 'put',
          type: fixed.type,
          uuid: o.uuid,
          object: { ...fixed, version: cur.version + 1, revision: rev },
        });
      } else {
        const cur = this.st.get.get(w.uuid);
        if (!cur) throw new NotFoundError(`no object ${w.uuid}`, { uuid: w.uuid });
        if (w.expectVersion !== undefined && w.expectVersion !== cur.version) {
          throw new VersionMismatchError(w.uuid, w.expectVersion, cur.version);
        }
        const old = toObject(cur);
        const child = this.st.firstChild.get(w.uuid);
        if (child) {
          throw new ConflictError(
            'children',
            `${old.type} ${w.uuid} still has children (${child.type} ${child.uuid})`,
            {
              child_type: child.type,
              child_uuid: child.uuid,
            },
          );
        }
        const br = this.st.firstBackRef.get(w.uuid);
        if (br && br.src !== w.uuid) {
          throw new ConflictError(
            'back-refs',
            `${old.type} ${w.uuid} is referred to by ${br.src_type} ${br.src}`,
            {
              ref_type: br.src_type,
              ref_uuid: br.src,
            },
          );
        }
        this.st.delRefs.run(w.uuid);
        this.deleteClaims(old);
        this.st.del.run(w.uuid);
        this.st.change.run(rev, 'delete', w.uuid, cur.version, cur.data);
        changes.push({
          revision: rev,
          kind: 'delete',
          type: old.type,
          uuid: w.uuid,
          object: { ...old, revision: rev },
        });
      }
    }
    return changes;
  }

  /** Runs each queued commit in its own savepoint of the current transaction; returns the last revision. */
  private writeBatch(
    batch: Pending[],
    outcomes: Outcome[],
    one: (ops: WriteOp[], rev: number) => { versions: Record<string, number>; changes: Change[] },
  ): number {
    const startRev = this.rev;
    let rev = startRev;
    for (const p of batch) {
      try {
        const r = one(p.ops, rev + 1); // nested: a savepoint
        rev += 1;
        outcomes.push({ ok: true, result: { revision: rev, versions: r.versions }, changes: r.changes });
      } catch (e) {
        if (!(e instanceof ControllerError)) throw e;
        outcomes.push({ ok: false, error: e });
      }
    }
    if (rev !== startRev) this.st.setRev.run(rev);
    if (rev - this.historyLimit > 0 && Math.floor(rev / 1024) > Math.floor(startRev / 1024)) {
      this.st.compact.run(rev - this.historyLimit);
      this.st.setCompacted.run(rev - this.historyLimit);
    }
    return rev;
  }

  /** Writes the queued commits (up to maxBatch) as one transaction, then makes them durable. */
  private flush(): void {
    this.scheduled = false;
    if (this.syncing || this.walCatchingUp) return; // the fsync's or catch-up's end flushes what queued meanwhile
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    let rev: number;
    try {
      rev = this.txn.batch(batch, outcomes);
    } catch (e) {
      for (const p of batch) p.reject(e);
      this.flushMore();
      return;
    }
    this.rev = rev;
    for (const o of outcomes) {
      if (!o.ok) continue;
      for (const c of o.changes)
        if (c.kind === 'delete') this.fqCache.delete(`${c.type}\n${fqKey(c.object.fqName)}`);
    }
    this.stats.commits += batch.length;
    this.stats.transactions += 1;
    this.written.push({ batch, outcomes, rev });
    this.checkpointed();
    if (this.walPath === undefined) {
      this.settle();
      this.flushMore();
    } else this.sync();
  }

  /** Tells the checkpointer of new WAL frames; lets it catch up (holding writes) when the WAL is large. */
  private checkpointed(): void {
    const cp = this.checkpointer;
    if (!cp) return;
    cp.written();
    const wal = this.st.walState.get() as { log: number } | undefined;
    if (wal === undefined || wal.log < this.walRestartFrames) return;
    this.walCatchingUp = true;
    cp.catchUp(() => {
      this.walCatchingUp = false;
      this.flushMore();
      if (!this.syncing) this.wakeIdle();
    });
  }

  private flushMore(): void {
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** fdatasync of the WAL on the thread pool; acknowledges what was written before it started. */
  private sync(): void {
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(this.walPath!, 'r');
      } catch (e) {
        this.fail(e as Error);
        return;
      }
    }
    this.syncing = true;
    const upTo = this.written.length;
    fdatasync(this.walFd, (err) => {
      this.syncing = false;
      if (err) {
        this.fail(err);
        return;
      }
      this.settle(upTo);
      if (this.queue.length > 0) this.flush();
      else if (this.written.length > 0) this.sync();
      else this.wakeIdle();
    });
  }

  /** Acknowledges the first `n` written transactions and tells watchers, in revision order. */
  private settle(n = this.written.length): void {
    const done = this.written.splice(0, n);
    for (const w of done) {
      this.durableRev = w.rev;
      w.batch.forEach((p, i) => {
        const o = w.outcomes[i]!;
        if (o.ok) p.resolve(o.result);
        else p.reject(o.error);
      });
      for (const o of w.outcomes) {
        if (!o.ok) continue;
        for (const c of o.changes) for (const l of this.listeners) l(c);
      }
    }
  }

  /** An fsync failed: nothing written since the last good one can be called durable; refuse what follows too. */
  private fail(e: Error): void {
    this.failed = e;
    this.syncing = false;
    for (const w of this.written.splice(0)) for (const p of w.batch) p.reject(e);
    for (const p of this.queue.splice(0)) p.reject(e);
    this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  async watch(
    fromRevision: number,
    onChange: (c: Change) => void,
    onError?: (e: Error) => void,
  ): Promise<Watcher> {
    const compacted = this.st.getMeta.get('compacted')!.v;
    if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);
    const safe = (c: Change) => {
      try {
        onChange(c);
      } catch (e) {
        onError?.(e as Error);
      }
    };
    // Replay and subscribe in one synchronous step: no commit can become durable in between. Changes written
    // but not yet durable are not replayed: the listener gets them when their fsync ends.
    for (const r of this.st.changesAfter.iterate(fromRevision, this.durableRev)) {
      const o = JSON.parse(r.data) as NewObject;
      safe({
        revision: r.rev,
        kind: r.kind as 'put' | 'delete',
        type: o.type,
        uuid: r.uuid,
        object: { ...o, version: r.version, revision: r.rev },
      });
    }
    this.listeners.add(safe);
    return {
      close: async () => {
        this.listeners.delete(safe);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Queued commits are still written and acknowledged once durable.
    while (this.syncing || this.walCatchingUp || this.queue.length > 0 || this.written.length > 0) {
      if (!this.syncing && !this.walCatchingUp && !this.failed) this.flush();
      if (this.failed) break;
      if (this.syncing || this.walCatchingUp) await new Promise<void>((r) => this.idleWaiters.push(r));
    }
    this.listeners.clear();
    await this.checkpointer?.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.db.close();
  }
}
