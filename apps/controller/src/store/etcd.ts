// Shared store engine on etcd v3, for controllers that share state across hosts. Each commit is one etcd
// transaction: the engine reads what the ops depend on, then commits its writes guarded by compares on the
// mod revision of every key it read (0 for a key that must be absent), and retries from the reads when another
// writer got in between. Key layout under the prefix:
//
//   o/<uuid>                     the object (JSON; its etcd version is the object version)
//   f/<type>/<fq_name JSON>      fq_name -> uuid (uniqueness)
//   t/<type>/<uuid>              type index (lists, pagination by uuid)
//   c/<parent>/<type>/<uuid>     children index
//   r/<target>/<source>          back-ref index, value {type, attr}
//   g/<uuid>                     guard, touched whenever a child or back-ref to <uuid> is added, so that a delete
//                                that checked "no children, no back-refs" fails if one appears concurrently
//   k/<pool>/<key>               unique claims, value = owner uuid
import { Etcd3, type IKeyValue, type IOptions, Range } from 'etcd3';
import { ConflictError, NotFoundError, StoreUnavailableError, VersionMismatchError } from '../errors.js';
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

export interface EtcdStoreOptions {
  hosts: string | string[];
  /** Key prefix shared by every controller of one deployment (default '/filament/config/'). */
  prefix?: string;
  /** Extra etcd3 client options (TLS credentials, auth). */
  client?: Partial<IOptions>;
  /** Attempts before a contended commit gives up (default 50). */
  maxAttempts?: number;
}

type Effect = { put: string } | { del: true };

function serialize(o: NewObject): string {
  const { type, uuid, fqName, parentType, parentUuid, owner, refs, claims, body } = o;
  return JSON.stringify({ type, uuid, fqName, parentType, parentUuid, owner, refs, claims, body });
}

function toObject(kv: IKeyValue): StoredObject {
  const o = JSON.parse(kv.value.toString()) as NewObject;
  return { ...o, version: Number(kv.version), revision: Number(kv.mod_revision) };
}

class Plan {
  readonly compares = new Map<string, string>(); // key -> expected mod revision
  readonly effects = new Map<string, Effect>();
  readonly created = new Map<string, NewObject>();
  readonly deleted = new Set<string>();
  readonly versions: Record<string, number> = {};
}

export class EtcdStore implements Store {
  readonly engine = 'etcd';
  readonly client: Etcd3;
  private readonly p: string;
  private readonly maxAttempts: number;

  constructor(opts: EtcdStoreOptions) {
    this.client = new Etcd3({ ...opts.client, hosts: opts.hosts });
    this.p = opts.prefix ?? '/filament/config/';
    this.maxAttempts = opts.maxAttempts ?? 50;
  }

  private k(...parts: string[]): string {
    return this.p + parts.join('/');
  }

  private async read(key: string): Promise<IKeyValue | undefined> {
    try {
      const r = await this.client.get(key).exec();
      return r.kvs[0];
    } catch (e) {
      throw new StoreUnavailableError(`etcd read failed: ${(e as Error).message}`);
    }
  }

  private async readPrefix(
    prefix: string,
    after?: string,
    limit?: number,
  ): Promise<{ kvs: IKeyValue[]; more: boolean }> {
    const whole = Range.prefix(prefix);
    const b = this.client.getAll();
    if (after !== undefined) b.inRange(new Range(`${prefix}${after}\0`, whole.end));
    else b.prefix(prefix);
    if (limit !== undefined) b.limit(limit);
    try {
      const r = await b.exec();
      return { kvs: r.kvs, more: r.more };
    } catch (e) {
      throw new StoreUnavailableError(`etcd read failed: ${(e as Error).message}`);
    }
  }

  async get(uuid: string): Promise<StoredObject | undefined> {
    const kv = await this.read(this.k('o', uuid));
    return kv ? toObject(kv) : undefined;
  }

  async getMany(uuids: string[]): Promise<StoredObject[]> {
    const all = await Promise.all(uuids.map((u) => this.get(u)));
    return all.filter((o): o is StoredObject => o !== undefined);
  }

  async fqNameToUuid(type: string, fqName: string[]): Promise<string | undefined> {
    return (await this.read(this.k('f', type, fqKey(fqName))))?.value.toString();
  }

  private tail(kv: IKeyValue): string {
    const key = kv.key.toString();
    return key.slice(key.lastIndexOf('/') + 1);
  }

  async list(q: ListQuery): Promise<ListResult> {
    if (q.refTo === undefined && q.uuids === undefined) {
      const prefix =
        q.parentUuid !== undefined ? this.k('c', q.parentUuid, q.type, '') : this.k('t', q.type, '');
      const { kvs, more } = await this.readPrefix(prefix, q.after, q.limit);
      const objects = await this.getMany(kvs.map((kv) => this.tail(kv)));
      const res: ListResult = { objects };
      if (more && objects.length > 0) res.next = objects[objects.length - 1]!.uuid;
      return res;
    }
    let candidates: StoredObject[];
    if (q.refTo !== undefined) {
      const refs = await this.backRefs(q.refTo);
      candidates = await this.getMany(refs.filter((r) => r.type === q.type).map((r) => r.uuid));
    } else {
      candidates = await this.getMany(q.uuids!);
    }
    let objs = candidates
      .filter((o) => o.type === q.type && (q.parentUuid === undefined || o.parentUuid === q.parentUuid))
      .filter((o) => q.uuids === undefined || q.uuids.includes(o.uuid))
      .sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    if (q.after !== undefined) objs = objs.filter((o) => o.uuid > q.after!);
    const res: ListResult = { objects: objs };
    if (q.limit !== undefined && objs.length > q.limit) {
      res.objects = objs.slice(0, q.limit);
      res.next = res.objects[res.objects.length - 1]!.uuid;
    }
    return res;
  }

  async count(q: Omit<ListQuery, 'after' | 'limit'>): Promise<number> {
    if (q.refTo === undefined && q.uuids === undefined) {
      const prefix =
        q.parentUuid !== undefined ? this.k('c', q.parentUuid, q.type, '') : this.k('t', q.type, '');
      return this.client.getAll().prefix(prefix).count();
    }
    return (await this.list(q)).objects.length;
  }

  async children(parentUuid: string, type?: string): Promise<{ type: string; uuid: string }[]> {
    const prefix = type === undefined ? this.k('c', parentUuid, '') : this.k('c', parentUuid, type, '');
    const { kvs } = await this.readPrefix(prefix);
    return kvs.map((kv) => {
      const parts = kv.key
        .toString()
        .slice(this.k('c', parentUuid, '').length)
        .split('/');
      return { type: parts[0]!, uuid: parts[1]! };
    });
  }

  async backRefs(uuid: string): Promise<BackRef[]> {
    const { kvs } = await this.readPrefix(this.k('r', uuid, ''));
    return kvs.map((kv) => {
      const v = JSON.parse(kv.value.toString()) as { type: string; attr?: unknown };
      const b: BackRef = { type: v.type, uuid: this.tail(kv) };
      if (v.attr !== undefined) b.attr = v.attr;
      return b;
    });
  }

  private claimKey(pool: string, key: string): string {
    return this.k('k', encodeURIComponent(pool), encodeURIComponent(key));
  }

  async claimed(pool: string): Promise<Set<string>> {
    const { kvs } = await this.readPrefix(this.k('k', encodeURIComponent(pool), ''));
    return new Set(kvs.map((kv) => decodeURIComponent(this.tail(kv))));
  }

  async revision(): Promise<number> {
    try {
      const r = await this.client.get(this.k('rev')).exec();
      return Number(r.header.revision);
    } catch (e) {
      throw new StoreUnavailableError(`etcd read failed: ${(e as Error).message}`);
    }
  }

  /** Reads `key` into the plan: the commit only succeeds if it is unchanged. */
  private async observe(plan: Plan, key: string): Promise<IKeyValue | undefined> {
    const kv = await this.read(key);
    if (!plan.compares.has(key)) plan.compares.set(key, kv ? kv.mod_revision : '0');
    return kv;
  }

  private async currentObject(
    plan: Plan,
    uuid: string,
  ): Promise<{ obj: NewObject; version: number } | undefined> {
    const local = plan.created.get(uuid);
    if (local) return { obj: local, version: plan.versions[uuid] ?? 1 };
    if (plan.deleted.has(uuid)) return undefined;
    const kv = await this.observe(plan, this.k('o', uuid));
    if (!kv) return undefined;
    return { obj: JSON.parse(kv.value.toString()) as NewObject, version: Number(kv.version) };
  }

  private async checkLinks(plan: Plan, o: NewObject, oldClaims: Set<string>): Promise<void> {
    for (const r of o.refs) {
      if (r.uuid === o.uuid) continue;
      const t = await this.currentObject(plan, r.uuid);
      if (!t || t.obj.type !== r.type) {
        throw new ConflictError(
          'missing-ref',
          t
            ? `ref ${r.uuid} is a ${t.obj.type}, not a ${r.type}`
            : `${o.type} ${o.uuid} refers to missing ${r.type} ${r.uuid}`,
          { ref_type: r.type, ref_uuid: r.uuid },
        );
      }
      if (!plan.created.has(r.uuid)) plan.effects.set(this.k('g', r.uuid), { put: o.uuid });
      plan.effects.set(this.k('r', r.uuid, o.uuid), { put: JSON.stringify({ type: o.type, attr: r.attr }) });
    }
    for (const c of o.claims) {
      const key = this.claimKey(c.pool, c.key);
      if (oldClaims.has(key)) continue;
      const e = plan.effects.get(key);
      const kv = e ? undefined : await this.observe(plan, key);
      if ((e && 'put' in e) || kv) {
        const owner = e && 'put' in e ? e.put : kv!.value.toString();
        throw new ConflictError('claim', `${c.key} is already allocated in ${c.pool}`, {
          pool: c.pool,
          key: c.key,
          owner,
        });
      }
      plan.effects.set(key, { put: o.uuid });
    }
  }

  private unlink(plan: Plan, o: NewObject, keepRefs: Set<string>, keepClaims: Set<string>): void {
    for (const r of o.refs)
      if (!keepRefs.has(r.uuid)) plan.effects.set(this.k('r', r.uuid, o.uuid), { del: true });
    for (const c of o.claims) {
      const key = this.claimKey(c.pool, c.key);
      if (!keepClaims.has(key)) plan.effects.set(key, { del: true });
    }
  }

  private async plan(ops: WriteOp[]): Promise<Plan> {
    const plan = new Plan();
    for (const w of ops) {
      if (w.op === 'create') {
        const o = w.object;
        if ((await this.currentObject(plan, o.uuid)) !== undefined) {
          throw new ConflictError('exists', `uuid ${o.uuid} already exists`);
        }
        const fk = this.k('f', o.type, fqKey(o.fqName));
        const fe = plan.effects.get(fk);
        const fkv = fe ? undefined : await this.observe(plan, fk);
        if ((fe && 'put' in fe) || fkv) {
          throw new ConflictError('exists', `${o.type} ${o.fqName.join(':')} already exists`, {
            type: o.type,
            fq_name: o.fqName,
            uuid: fe && 'put' in fe ? fe.put : fkv!.value.toString(),
          });
        }
        if (o.parentUuid !== undefined) {
          const parent = await this.currentObject(plan, o.parentUuid);
          if (!parent || parent.obj.type !== o.parentType) {
            throw new ConflictError(
              'missing-parent',
              `parent ${o.parentType} ${o.parentUuid} does not exist`,
            );
          }
          if (!plan.created.has(o.parentUuid)) plan.effects.set(this.k('g', o.parentUuid), { put: o.uuid });
          plan.effects.set(this.k('c', o.parentUuid, o.type, o.uuid), { put: '' });
        }
        plan.created.set(o.uuid, o);
        plan.versions[o.uuid] = 1;
        await this.checkLinks(plan, o, new Set());
        plan.effects.set(fk, { put: o.uuid });
        plan.effects.set(this.k('t', o.type, o.uuid), { put: '' });
        plan.effects.set(this.k('o', o.uuid), { put: serialize(o) });
      } else if (w.op === 'update') {
        const cur = await this.currentObject(plan, w.object.uuid);
        if (!cur) throw new NotFoundError(`no object ${w.object.uuid}`, { uuid: w.object.uuid });
        if (w.expectVersion !== undefined && w.expectVersion !== cur.version) {
          throw new VersionMismatchError(w.object.uuid, w.expectVersion, cur.version);
        }
        const old = cur.obj;
        const fixed: NewObject = { ...w.object, type: old.type, fqName: old.fqName };
        if (old.parentType !== undefined) fixed.parentType = old.parentType;
        if (old.parentUuid !== undefined) fixed.parentUuid = old.parentUuid;
        const oldClaims = new Set(old.claims.map((c) => this.claimKey(c.pool, c.key)));
        const newClaims = new Set(fixed.claims.map((c) => this.claimKey(c.pool, c.key)));
        this.unlink(plan, old, new Set(fixed.refs.map((r) => r.uuid)), newClaims);
        await this.checkLinks(plan, fixed, oldClaims);
        if (plan.created.has(fixed.uuid)) plan.created.set(fixed.uuid, fixed);
        plan.versions[fixed.uuid] = cur.version + 1;
        plan.effects.set(this.k('o', fixed.uuid), { put: serialize(fixed) });
      } else {
        const cur = await this.currentObject(plan, w.uuid);
        if (!cur) throw new NotFoundError(`no object ${w.uuid}`, { uuid: w.uuid });
        if (w.expectVersion !== undefined && w.expectVersion !== cur.version) {
          throw new VersionMismatchError(w.uuid, w.expectVersion, cur.version);
        }
        const old = cur.obj;
        await this.observe(plan, this.k('g', w.uuid));
        const kids = await this.readPrefix(this.k('c', w.uuid, ''));
        const liveKids = kids.kvs
          .map((kv) =>
            kv.key
              .toString()
              .slice(this.k('c', w.uuid, '').length)
              .split('/'),
          )
          .filter((p) => !plan.deleted.has(p[1]!));
        for (const [k, e] of plan.effects) {
          if (k.startsWith(this.k('c', w.uuid, '')) && 'put' in e)
            liveKids.push(k.slice(this.k('c', w.uuid, '').length).split('/'));
        }
        if (liveKids.length > 0) {
          const [ct, cu] = liveKids[0]!;
          throw new ConflictError('children', `${old.type} ${w.uuid} still has children (${ct} ${cu})`, {
            child_type: ct,
            child_uuid: cu,
          });
        }
        const brs = (await this.backRefs(w.uuid)).filter(
          (b) => b.uuid !== w.uuid && !plan.deleted.has(b.uuid),
        );
        for (const [k, e] of plan.effects) {
          const pre = this.k('r', w.uuid, '');
          if (k.startsWith(pre) && 'put' in e && k.slice(pre.length) !== w.uuid) {
            brs.push({ type: (JSON.parse(e.put) as { type: string }).type, uuid: k.slice(pre.length) });
          }
        }
        if (brs.length > 0) {
          const b = brs[0]!;
          throw new ConflictError(
            'back-refs',
            `${old.type} ${w.uuid} is referred to by ${b.type} ${b.uuid}`,
            {
              ref_type: b.type,
              ref_uuid: b.uuid,
            },
          );
        }
        this.unlink(plan, old, new Set(), new Set());
        plan.effects.set(this.k('o', w.uuid), { del: true });
        plan.effects.set(this.k('f', old.type, fqKey(old.fqName)), { del: true });
        plan.effects.set(this.k('t', old.type, w.uuid), { del: true });
        plan.effects.set(this.k('g', w.uuid), { del: true });
        if (old.parentUuid !== undefined)
          plan.effects.set(this.k('c', old.parentUuid, old.type, w.uuid), { del: true });
        plan.created.delete(w.uuid);
        plan.deleted.add(w.uuid);
        delete plan.versions[w.uuid];
      }
    }
    return plan;
  }

  async commit(ops: WriteOp[]): Promise<CommitResult> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const plan = await this.plan(ops);
      const txOps = [...plan.effects].map(([key, e]) =>
        'put' in e ? this.client.put(key).value(e.put) : this.client.delete().key(key),
      );
      const cmps = [...plan.compares];
      let res: Awaited<ReturnType<ReturnType<Etcd3['if']>['commit']>>;
      try {
        if (cmps.length === 0) {
          res = await this.client
            .if(this.k('rev'), 'Version', '>', -1)
            .then(...txOps)
            .commit();
        } else {
          const [k0, m0] = cmps[0]!;
          const b = this.client.if(k0, 'Mod', '==', m0);
          for (const [k, m] of cmps.slice(1)) b.and(k, 'Mod', '==', m);
          res = await b.then(...txOps).commit();
        }
      } catch (e) {
        throw new StoreUnavailableError(`etcd commit failed: ${(e as Error).message}`);
      }
      if (res.succeeded) return { revision: Number(res.header.revision), versions: plan.versions };
      await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2) * Math.random()));
    }
    throw new ConflictError('exists', `commit still contended after ${this.maxAttempts} attempts`);
  }

  async watch(
    fromRevision: number,
    onChange: (c: Change) => void,
    onError?: (e: Error) => void,
  ): Promise<Watcher> {
    const w = await this.client
      .watch()
      .prefix(this.k('o', ''))
      .startRevision(String(fromRevision + 1))
      .withPreviousKV()
      .create();
    const safe = (c: Change) => {
      try {
        onChange(c);
      } catch (e) {
        onError?.(e as Error);
      }
    };
    w.on('put', (kv) => {
      const object = toObject(kv);
      safe({ revision: object.revision, kind: 'put', type: object.type, uuid: object.uuid, object });
    });
    w.on('delete', (kv, prev) => {
      if (!prev) return;
      const object = { ...toObject(prev), revision: Number(kv.mod_revision) };
      safe({ revision: object.revision, kind: 'delete', type: object.type, uuid: object.uuid, object });
    });
    w.on('error', (e) => onError?.(e));
    return { close: () => w.cancel() };
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
