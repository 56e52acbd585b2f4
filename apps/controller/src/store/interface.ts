// The config store contract. Two engines implement it (store/sqlite.ts, embedded; store/etcd.ts, shared across
// controllers) and both run the same compliance suite (test/store-compliance.ts).
//
// The store knows the graph, not the schema: an object has a type, a uuid, an fq_name, an optional parent,
// outgoing references and an opaque JSON body. Every commit is one atomic transaction that the engine checks for
// referential integrity (parent and ref targets exist; no delete while children or back-refs remain), fq_name
// uniqueness, optimistic concurrency (expected version) and unique claims (an address, a MAC, a VNI taken once in a
// named pool). Each committed transaction gets a revision; watch replays changes after a revision and then
// follows live ones, which is how a control plane (or another controller on the same etcd) learns of changes.

export interface Ref {
  /** Target object type, e.g. 'network-ipam'. */
  type: string;
  uuid: string;
  /** Link attribute (e.g. VnSubnetsType), opaque to the store. */
  attr?: unknown;
}

/** A unique value in a pool: pool 'ip:<vn uuid>' key '10.0.0.5'. Claims are owned by one object. */
export interface Claim {
  pool: string;
  key: string;
}

export interface StoredObject {
  type: string;
  uuid: string;
  fqName: string[];
  parentType?: string;
  parentUuid?: string;
  /** Project uuid that owns the object (for member scoping), if any. */
  owner?: string;
  refs: Ref[];
  claims: Claim[];
  body: Record<string, unknown>;
  /** 1 on create, +1 per update. */
  version: number;
  /** Store revision of the last change. */
  revision: number;
}

export type NewObject = Omit<StoredObject, 'version' | 'revision'>;

export type WriteOp =
  | { op: 'create'; object: NewObject }
  /** Replaces the object's refs, claims, owner and body; type, uuid, fq_name and parent never change. */
  | { op: 'update'; object: NewObject; expectVersion?: number }
  | { op: 'delete'; uuid: string; expectVersion?: number };

export interface CommitResult {
  revision: number;
  /** New version per written uuid (absent for deletes). */
  versions: Record<string, number>;
}

export interface ListQuery {
  type: string;
  parentUuid?: string;
  /** Only objects with a ref to this uuid. */
  refTo?: string;
  /** Only these uuids. */
  uuids?: string[];
  /** Exclusive lower bound on uuid (pagination marker). */
  after?: string;
  limit?: number;
}

export interface ListResult {
  objects: StoredObject[];
  /** Set when more objects may follow: pass it as `after`. */
  next?: string;
}

export interface BackRef {
  type: string;
  uuid: string;
  attr?: unknown;
}

export interface Change {
  revision: number;
  kind: 'put' | 'delete';
  type: string;
  uuid: string;
  /** The object after a put; before a delete. */
  object: StoredObject;
}

export interface Watcher {
  close(): Promise<void>;
}

export interface Store {
  readonly engine: string;
  get(uuid: string): Promise<StoredObject | undefined>;
  getMany(uuids: string[]): Promise<StoredObject[]>;
  fqNameToUuid(type: string, fqName: string[]): Promise<string | undefined>;
  list(q: ListQuery): Promise<ListResult>;
  count(q: Omit<ListQuery, 'after' | 'limit'>): Promise<number>;
  /** Direct children of `parentUuid`, optionally of one type. */
  children(parentUuid: string, type?: string): Promise<{ type: string; uuid: string }[]>;
  /** Objects whose refs point at `uuid`. */
  backRefs(uuid: string): Promise<BackRef[]>;
  /** Keys already claimed in a pool. */
  claimed(pool: string): Promise<Set<string>>;
  commit(ops: WriteOp[]): Promise<CommitResult>;
  revision(): Promise<number>;
  /** Calls `onChange` for every change with revision > fromRevision, in order, then for live changes. */
  watch(fromRevision: number, onChange: (c: Change) => void, onError?: (e: Error) => void): Promise<Watcher>;
  close(): Promise<void>;
}

export function fqKey(fqName: string[]): string {
  return JSON.stringify(fqName);
}
