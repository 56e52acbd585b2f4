// Bad input never crashes the controller nor yields a 5xx: random JSON values, random objects built from real
// field names, random paths and query strings all get a 2xx or a 4xx with a typed error body.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RESOURCES } from '../src/schema/resources.js';
import { type Harness, startController } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

const types = [...RESOURCES.keys()];
const fieldNames = [
  ...new Set(
    [...RESOURCES.values()].flatMap((d) => [
      ...Object.keys(d.props),
      ...Object.keys(d.refs).map((t) => `${t.replaceAll('-', '_')}_refs`),
    ]),
  ),
];
const meta = ['fq_name', 'parent_type', 'parent_uuid', 'uuid', 'name', 'display_name', 'id_perms', 'perms2'];

const anyJson = fc.jsonValue({ maxDepth: 4 });
const fieldObject = fc.dictionary(fc.constantFrom(...fieldNames, ...meta), anyJson, { maxKeys: 6 });

describeWithSqlite('API fuzzing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startController('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  const check = (r: { status: number; body: { error?: { code?: string } } }) => {
    expect(r.status).toBeLessThan(500);
    if (r.status >= 400) expect(typeof r.body.error?.code).toBe('string');
  };

  it('answers random bodies on create, update and the helper endpoints with 2xx or 4xx', async () => {
    const vn = await h.call('POST', '/virtual-networks', {
      'virtual-network': { fq_name: ['default-domain', 'default-project', 'fuzz'] },
    });
    const id = vn.body['virtual-network'].uuid;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...types),
        fc.oneof(anyJson, fieldObject),
        fc.integer({ min: 0, max: 4 }),
        async (type, inner, mode) => {
          const def = RESOURCES.get(type)!;
          let r: Awaited<ReturnType<Harness['call']>>;
          if (mode === 0) r = await h.call('POST', `/${def.plural}`, { [type]: inner });
          else if (mode === 1) r = await h.call('POST', `/${def.plural}`, inner);
          else if (mode === 2)
            r = await h.call('PUT', `/virtual-network/${id}`, { 'virtual-network': inner });
          else if (mode === 3) r = await h.call('POST', '/ref-update', inner);
          else r = await h.call('POST', '/fqname-to-id', inner);
          check(r);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers random paths and query strings with 2xx or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...types.map((t) => `/${RESOURCES.get(t)!.plural}`),
          '/virtual-network/',
          '/',
          '/fqname-to-id',
          '/x',
        ),
        fc.string({ maxLength: 40 }),
        fc.dictionary(
          fc.constantFrom(
            'page_limit',
            'page_marker',
            'filters',
            'fields',
            'detail',
            'count',
            'parent_id',
            'obj_uuids',
            'back_ref_id',
            'parent_fq_name_str',
          ),
          fc.string({ maxLength: 20 }),
          { maxKeys: 4 },
        ),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        async (base, tail, query, method) => {
          const qs = new URLSearchParams(query).toString();
          const path = `${base}${encodeURIComponent(tail)}${qs ? `?${qs}` : ''}`;
          check(await h.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}));
        },
      ),
      { numRuns: 300 },
    );
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });
});
