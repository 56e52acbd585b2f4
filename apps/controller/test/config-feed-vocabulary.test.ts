// The agent decodes pushed config with @filament/ifmap's vocabulary; it must type every field the controller
// serves the same way (a list stays a list, an integer an integer), or a round trip through XML changes it.
import { COMMON_PROPS, type Shape, TF_VOCABULARY } from '@filament/ifmap';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../src/schema/resources.js';
import type { Spec } from '../src/schema/spec.js';

/** Where `spec` and `shape` disagree (dotted paths); a free-form 'any' in the schema accepts every shape. */
function mismatches(spec: Spec, shape: Shape | undefined, path: string): string[] {
  if (spec.t === 'any') return [];
  if (shape === undefined) return [`${path}: missing`];
  if (spec.t === 'array') {
    if (typeof shape !== 'object' || !('list' in shape)) return [`${path}: not a list`];
    return mismatches(spec.items, shape.list, `${path}[]`);
  }
  if (spec.t === 'object') {
    if (typeof shape !== 'object' || !('fields' in shape)) return [`${path}: not an object`];
    return Object.entries(spec.fields).flatMap(([k, s]) => mismatches(s, shape.fields[k], `${path}.${k}`));
  }
  return spec.t === shape ? [] : [`${path}: ${spec.t} vs ${JSON.stringify(shape)}`];
}

describe('@filament/ifmap vocabulary vs the controller schema', () => {
  it('types every property, reference attribute and parent of every resource alike', () => {
    const problems: string[] = [];
    for (const def of RESOURCES.values()) {
      const voc = TF_VOCABULARY.get(def.type);
      if (voc === undefined) {
        problems.push(`${def.type}: not in the vocabulary`);
        continue;
      }
      for (const [k, s] of Object.entries(def.props))
        problems.push(...mismatches(s, voc.props[k], `${def.type}.${k}`));
      for (const k of Object.keys(COMMON_PROPS))
        if (!(k in voc.props)) problems.push(`${def.type}.${k}: missing`);
      for (const [to, r] of Object.entries(def.refs)) {
        if (!(to in voc.refs)) problems.push(`${def.type} -> ${to}: ref missing`);
        else if (r.attr === undefined) {
          if (voc.refs[to] !== null) problems.push(`${def.type} -> ${to}: has no attribute`);
        } else problems.push(...mismatches(r.attr, voc.refs[to] ?? undefined, `${def.type} -> ${to} attr`));
      }
      expect(voc.parents, def.type).toEqual(def.parents);
    }
    expect(problems).toEqual([]);
  });
});
