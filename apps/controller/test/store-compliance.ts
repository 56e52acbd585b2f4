// The store contract, run by every engine (sqlite.test.ts, etcd.test.ts): CRUD, fq_name uniqueness, referential
// integrity, optimistic concurrency, unique claims, pagination, atomic multi-op commits and watch.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, VersionMismatchError } from '../src/errors.js';
import type { Change, NewObject, Store } from '../src/store/interface.js';

export interface StoreFactory {
  open(): Promise<Store>;
  cleanup?(): Promise<void>;
}

function obj(type: string, fqName: string[], extra: Partial<NewObject> = {}): NewObject {
  return { type, uuid: randomUUID(), fqName, refs: [], claims: [], body: { name: fqName.at(-1) }, ...extra };
}

async function rejects<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as T;
  }
  throw new Error(`expected ${cls.name}`);
}

export function storeCompliance(factory: () => StoreFactory): void {
  let store: Store;
  let f: StoreFactory;
  let domain: NewObject;
  let project: NewObject;

  beforeAll(async () => {
    f = factory();
    store = await f.open();
    domain = obj('domain', [`d-${randomUUID()}`]);
    project = obj('project', [domain.fqName[0]!, 'p'], { parentType: 'domain', parentUuid: domain.uuid });
    await store.commit([
      { op: 'create', object: domain },
      { op: 'create', object: project },
    ]);
  });
  afterAll(async () => {
    await store?.close();
    await f?.cleanup?.();
  });

  const vn = (name: string, extra: Partial<NewObject> = {}) =>
    obj('virtual-network', [...project.fqName, name], {
      parentType: 'project',
      parentUuid: project.uuid,
      ...extra,
    });

  describe('create, get, fq_name', () => {
    it('stores an object at version 1 and finds it by uuid and fq_name', async () => {
      const o = vn('a', { body: { name: 'a', is_shared: false } });
      const r = await store.commit([{ op: 'create', object: o }]);
      expect(r.versions[o.uuid]).toBe(1);
      const got = await store.get(o.uuid);
      expect(got).toMatchObject({ type: 'virtual-network', uuid: o.uuid, fqName: o.fqName, version: 1 });
      expect(got!.body).toEqual({ name: 'a', is_shared: false });
      expect(got!.revision).toBe(r.revision);
      expect(await store.fqNameToUuid('virtual-network', o.fqName)).toBe(o.uuid);
      expect(await store.fqNameToUuid('virtual-network', [...project.fqName, 'nope'])).toBeUndefined();
      expect(await store.get(randomUUID())).toBeUndefined();
    });

    it('refuses a duplicate fq_name or uuid with a conflict', async () => {
      const o = vn('dup');
      await store.commit([{ op: 'create', object: o }]);
      const e = await rejects(store.commit([{ op: 'create', object: vn('dup') }]), ConflictError);
      expect(e.kind).toBe('exists');
      expect(e.details).toMatchObject({ type: 'virtual-network', fq_name: o.fqName, uuid: o.uuid });
      const e2 = await rejects(
        store.commit([{ op: 'create', object: { ...vn('other'), uuid: o.uuid } }]),
        ConflictError,
      );
      expect(e2.kind).toBe('exists');
    });

    it('lets exactly one of many concurrent creates of one fq_name win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.commit([{ op: 'create', object: vn('race') }])),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect((r.reason as ConflictError).kind).toBe('exists');
    });

    it('refuses a missing parent and a dangling or mistyped ref', async () => {
      const orphan = obj('virtual-network', ['x', 'y', 'z'], {
        parentType: 'project',
        parentUuid: randomUUID(),
      });
      expect((await rejects(store.commit([{ op: 'create', object: orphan }]), ConflictError)).kind).toBe(
        'missing-parent',
      );
      const dangling = vn('dangling', { refs: [{ type: 'network-ipam', uuid: randomUUID() }] });
      expect((await rejects(store.commit([{ op: 'create', object: dangling }]), ConflictError)).kind).toBe(
        'missing-ref',
      );
      const mistyped = vn('mistyped', { refs: [{ type: 'network-ipam', uuid: project.uuid }] });
      expect((await rejects(store.commit([{ op: 'create', object: mistyped }]), ConflictError)).kind).toBe(
        'missing-ref',
      );
    });
  });

  describe('update and optimistic concurrency', () => {
    it('bumps the version, checks the expected version and keeps fq_name and parent', async () => {
      const o = vn('upd');
      await store.commit([{ op: 'create', object: o }]);
      const r = await store.commit([
        { op: 'update', object: { ...o, body: { name: 'upd', x: 1 } }, expectVersion: 1 },
      ]);
      expect(r.versions[o.uuid]).toBe(2);
      const e = await rejects(
        store.commit([{ op: 'update', object: { ...o, body: {} }, expectVersion: 1 }]),
        VersionMismatchError,
      );
      expect(e.expected).toBe(1);
      expect(e.actual).toBe(2);
      await store.commit([{ op: 'update', object: { ...o, fqName: ['hijack'], body: { y: 2 } } }]);
      const got = await store.get(o.uuid);
      expect(got).toMatchObject({ version: 3, fqName: o.fqName, parentUuid: project.uuid, body: { y: 2 } });
      await rejects(store.commit([{ op: 'update', object: vn('ghost') }]), NotFoundError);
    });

    it('lets one of several concurrent updates at the same version win', async () => {
      const o = vn('cas');
      await store.commit([{ op: 'create', object: o }]);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.commit([{ op: 'update', object: { ...o, body: { i } }, expectVersion: 1 }]),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.get(o.uuid))!.version).toBe(2);
    });
  });

  describe('referential integrity on delete', () => {
    it('refuses to delete an object with children or back-refs, then deletes it once they are gone', async () => {
      const ipam = obj('network-ipam', [...project.fqName, `ipam-${randomUUID()}`], {
        parentType: 'project',
        parentUuid: project.uuid,
      });
      await store.commit([{ op: 'create', object: ipam }]);
      const net = vn('refs', {
        refs: [{ type: 'network-ipam', uuid: ipam.uuid, attr: { ipam_subnets: [] } }],
      });
      await store.commit([{ op: 'create', object: net }]);
      expect(await store.backRefs(ipam.uuid)).toEqual([
        { type: 'virtual-network', uuid: net.uuid, attr: { ipam_subnets: [] } },
      ]);
      const e = await rejects(store.commit([{ op: 'delete', uuid: ipam.uuid }]), ConflictError);
      expect(e.kind).toBe('back-refs');
      expect(e.details).toMatchObject({ ref_type: 'virtual-network', ref_uuid: net.uuid });
      const ep = await rejects(store.commit([{ op: 'delete', uuid: project.uuid }]), ConflictError);
      expect(ep.kind).toBe('children');
      await store.commit([{ op: 'update', object: { ...net, refs: [] } }]);
      expect(await store.backRefs(ipam.uuid)).toEqual([]);
      await store.commit([{ op: 'delete', uuid: ipam.uuid, expectVersion: 1 }]);
      expect(await store.get(ipam.uuid)).toBeUndefined();
      expect(await store.fqNameToUuid('network-ipam', ipam.fqName)).toBeUndefined();
      await rejects(store.commit([{ op: 'delete', uuid: ipam.uuid }]), NotFoundError);
    });

    it('never leaves a dangling ref when a delete races with a new reference', async () => {
      for (let i = 0; i < 8; i++) {
        const target = obj('network-ipam', [...project.fqName, `race-${randomUUID()}`], {
          parentType: 'project',
          parentUuid: project.uuid,
        });
        await store.commit([{ op: 'create', object: target }]);
        const ref = vn(`r-${randomUUID()}`, { refs: [{ type: 'network-ipam', uuid: target.uuid }] });
        const [d, c] = await Promise.allSettled([
          store.commit([{ op: 'delete', uuid: target.uuid }]),
          store.commit([{ op: 'create', object: ref }]),
        ]);
        expect(d.status === 'fulfilled' ? 1 : 0).toBe(c.status === 'fulfilled' ? 0 : 1);
        if (c.status === 'fulfilled') {
          expect(await store.get(target.uuid)).toBeDefined();
          await store.commit([{ op: 'delete', uuid: ref.uuid }]);
        }
      }
    });

    it('applies a multi-op commit atomically', async () => {
      const a = vn('atomic-a');
      const e = await rejects(
        store.commit([
          { op: 'create', object: a },
          { op: 'create', object: vn('atomic-b', { refs: [{ type: 'network-ipam', uuid: randomUUID() }] }) },
        ]),
        ConflictError,
      );
      expect(e.kind).toBe('missing-ref');
      expect(await store.get(a.uuid)).toBeUndefined();
      const parent = vn('atomic-parent');
      const child = obj('routing-instance', [...parent.fqName, 'ri'], {
        parentType: 'virtual-network',
        parentUuid: parent.uuid,
      });
      await store.commit([
        { op: 'create', object: parent },
        { op: 'create', object: child },
      ]);
      expect(await store.children(parent.uuid)).toEqual([{ type: 'routing-instance', uuid: child.uuid }]);
      await store.commit([
        { op: 'delete', uuid: child.uuid },
        { op: 'delete', uuid: parent.uuid },
      ]);
      expect(await store.get(parent.uuid)).toBeUndefined();
    });
  });

  describe('claims', () => {
    it('allocates a key once, also under concurrency, and frees it with its owner', async () => {
      const pool = `ip:${randomUUID()}`;
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          store.commit([
            {
              op: 'create',
              object: obj('instance-ip', [`iip-${randomUUID()}-${i}`], {
                claims: [{ pool, key: '10.0.0.5' }],
              }),
            },
          ]),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect((r.reason as ConflictError).kind).toBe('claim');
      expect(await store.claimed(pool)).toEqual(new Set(['10.0.0.5']));
      const owner = (await store.list({ type: 'instance-ip' })).objects.find(
        (o) => o.claims[0]?.pool === pool,
      )!;
      await store.commit([{ op: 'update', object: { ...owner, claims: [{ pool, key: '10.0.0.6' }] } }]);
      expect(await store.claimed(pool)).toEqual(new Set(['10.0.0.6']));
      await store.commit([
        { op: 'update', object: { ...owner, claims: [{ pool, key: '10.0.0.6' }], body: { t: 1 } } },
      ]);
      expect(await store.claimed(pool)).toEqual(new Set(['10.0.0.6']));
      await store.commit([{ op: 'delete', uuid: owner.uuid }]);
      expect(await store.claimed(pool)).toEqual(new Set());
    });
  });

  describe('list', () => {
    it('lists by type and parent in uuid order with pagination, by ref and by uuids, and counts', async () => {
      const p2 = obj('project', [domain.fqName[0]!, `list-${randomUUID()}`], {
        parentType: 'domain',
        parentUuid: domain.uuid,
      });
      await store.commit([{ op: 'create', object: p2 }]);
      const ipam = obj('network-ipam', [...p2.fqName, 'ipam'], {
        parentType: 'project',
        parentUuid: p2.uuid,
      });
      await store.commit([{ op: 'create', object: ipam }]);
      const made: NewObject[] = [];
      for (let i = 0; i < 25; i++) {
        const o = obj('virtual-network', [...p2.fqName, `n${i}`], {
          parentType: 'project',
          parentUuid: p2.uuid,
          refs: i % 5 === 0 ? [{ type: 'network-ipam', uuid: ipam.uuid }] : [],
        });
        made.push(o);
      }
      await Promise.all(made.map((o) => store.commit([{ op: 'create', object: o }])));
      const want = made.map((o) => o.uuid).sort();
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await store.list({
          type: 'virtual-network',
          parentUuid: p2.uuid,
          limit: 7,
          ...(after ? { after } : {}),
        });
        seen.push(...r.objects.map((o) => o.uuid));
        if (!r.next) break;
        after = r.next;
      }
      expect(seen).toEqual(want);
      expect(await store.count({ type: 'virtual-network', parentUuid: p2.uuid })).toBe(25);
      const all = await store.list({ type: 'virtual-network' });
      expect(all.next).toBeUndefined();
      expect(all.objects.map((o) => o.uuid)).toEqual([...all.objects.map((o) => o.uuid)].sort());
      const byRef = await store.list({ type: 'virtual-network', refTo: ipam.uuid });
      expect(byRef.objects.map((o) => o.uuid)).toEqual(
        made
          .filter((_, i) => i % 5 === 0)
          .map((o) => o.uuid)
          .sort(),
      );
      const some = [made[3]!.uuid, made[7]!.uuid, randomUUID()];
      expect((await store.list({ type: 'virtual-network', uuids: some })).objects.map((o) => o.uuid)).toEqual(
        some.slice(0, 2).sort(),
      );
      expect((await store.children(p2.uuid, 'virtual-network')).length).toBe(25);
      expect((await store.children(p2.uuid)).length).toBe(26);
    });
  });

  describe('watch', () => {
    it('replays changes after a revision in order, then follows live ones, deletes included', async () => {
      const start = await store.revision();
      const a = vn('w-a');
      await store.commit([{ op: 'create', object: a }]);
      const seen: Change[] = [];
      const w = await store.watch(start, (c) => seen.push(c));
      try {
        await store.commit([{ op: 'update', object: { ...a, body: { v: 2 } } }]);
        await store.commit([{ op: 'delete', uuid: a.uuid }]);
        const deadline = Date.now() + 10_000;
        while (seen.filter((c) => c.uuid === a.uuid).length < 3 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        const mine = seen.filter((c) => c.uuid === a.uuid);
        expect(mine.map((c) => c.kind)).toEqual(['put', 'put', 'delete']);
        expect(mine.map((c) => c.object.version)).toEqual([1, 2, 2]);
        expect(mine[1]!.object.body).toEqual({ v: 2 });
        expect(mine[2]!.type).toBe('virtual-network');
        const revs = seen.map((c) => c.revision);
        expect(revs).toEqual([...revs].sort((x, y) => x - y));
        expect(revs[0]!).toBeGreaterThan(start);
      } finally {
        await w.close();
      }
    });
  });
}
