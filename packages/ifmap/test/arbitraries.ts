// fast-check generators of TF REST objects for every vocabulary type, with the target objects of their refs
// (so that a round trip can restore the refs' uuids). Values follow the vocabulary's shapes; 'any' fields
// and id_perms.uuid (owned by the codec) are left out.
import fc from 'fast-check';
import { nodeFromTfObject, type Shape, TF_VOCABULARY, type TfObject } from '../src/index.js';

/** Text XML can carry, with characters that need escaping and non-ASCII; never blank at either end. */
export const xmlText = fc
  .string({
    unit: fc.constantFrom('a', 'Z', '0', ':', '/', '.', '-', '&', '<', '>', '"', "'", 'é', '€', '𝄞', ' '),
    minLength: 1,
    maxLength: 12,
  })
  .map((s) => s.trim())
  .filter((s) => s !== '');

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_.=-]{0,8}$/);

export function shapedValue(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  if (shape === 'string') return xmlText;
  if (shape === 'integer') return fc.integer({ min: -1_000_000_000, max: 4_294_967_295 });
  if (shape === 'boolean') return fc.boolean();
  if (shape === 'any') return fc.constant(undefined);
  if ('list' in shape)
    return fc.array(shapedValue(shape.list, depth + 1), { minLength: 1, maxLength: depth > 2 ? 1 : 3 });
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(shape.fields)) {
    if (s === 'any') continue;
    fields[k] = shapedValue(s, depth + 1);
  }
  return fc.record(fields, { requiredKeys: [] });
}

/** The parent chain of a type: the first non-root parent, recursively. */
export function parentChain(type: string): string[] {
  const out: string[] = [];
  let t = type;
  for (let i = 0; i < 8; i++) {
    const p = TF_VOCABULARY.get(t)?.parents.find((x) => x !== 'config-root');
    if (p === undefined || TF_VOCABULARY.get(t)?.parents.includes('config-root')) break;
    out.unshift(p);
    t = p;
  }
  return out;
}

const fqOf = (type: string, prefix: string): fc.Arbitrary<string[]> =>
  type === 'virtual-machine'
    ? fc.uuid({ version: 4 }).map((u) => [u])
    : fc
        .array(segment, { minLength: parentChain(type).length + 1, maxLength: parentChain(type).length + 1 })
        .map((a) => [...a.slice(0, -1), `${prefix}${a.at(-1)}`]);

export interface Generated {
  type: string;
  obj: TfObject;
  /** The objects its refs point at (fq_name and uuid only). */
  targets: { type: string; obj: TfObject }[];
}

/** One object of `type` with random properties and refs. */
export function tfObject(type: string): fc.Arbitrary<Generated> {
  const voc = TF_VOCABULARY.get(type)!;
  const props: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(voc.props)) {
    if (s === 'any') continue;
    if (k === 'id_perms' && typeof s === 'object' && 'fields' in s) {
      const { uuid: _uuid, ...rest } = s.fields;
      props[k] = shapedValue({ fields: rest });
    } else props[k] = shapedValue(s);
  }
  const refs: Record<string, fc.Arbitrary<{ to: string[]; uuid: string; attr: unknown }[]>> = {};
  for (const [to, attrShape] of Object.entries(voc.refs)) {
    const ref = fc.record({
      to: fqOf(to, 't-'),
      uuid: fc.uuid({ version: 4 }),
      attr: attrShape === null ? fc.constant(null) : shapedValue(attrShape),
    });
    refs[`${to.replaceAll('-', '_')}_refs`] = fc.uniqueArray(ref, {
      minLength: 1,
      maxLength: 2,
      selector: (r) => r.to.join(':'),
    });
  }
  return fc
    .record({
      fq: fqOf(type, 'o-'),
      uuid: fc.uuid({ version: 4 }),
      props: fc.record(props, { requiredKeys: [] }),
      refs: fc.record(refs, { requiredKeys: [] }),
    })
    .map(({ fq, uuid, props: p, refs: r }) => {
      const chain = parentChain(type);
      const obj: TfObject = { fq_name: type === 'virtual-machine' ? [uuid] : fq, uuid, ...p, ...r };
      if (chain.length > 0) obj.parent_type = chain.at(-1);
      const targets: Generated['targets'] = [];
      for (const [field, list] of Object.entries(r)) {
        const to = field.slice(0, -5).replaceAll('_', '-');
        for (const ref of list ?? []) {
          if (to === 'virtual-machine') ref.to = [ref.uuid];
          targets.push({ type: to, obj: { fq_name: ref.to, uuid: ref.uuid } });
        }
      }
      return { type, obj, targets };
    });
}

/** What a round trip gives back for `obj`: the same, less what has no XML form (an id_perms left empty). */
export function expectedAfterRoundTrip(obj: TfObject): TfObject {
  const out = structuredClone(obj);
  const perms = out.id_perms as Record<string, unknown> | undefined;
  if (perms !== undefined && Object.keys(perms).length === 0) delete out.id_perms;
  return out;
}

/** Every IF-MAP item of a generated object and its targets, nodes first. */
export function itemsOf(g: Generated) {
  const own = nodeFromTfObject(g.type, g.obj);
  const targets = g.targets.map((t) => nodeFromTfObject(t.type, t.obj).node);
  return { own, targets, objects: [own.node, ...own.attributeNodes, ...targets, ...own.links] };
}
