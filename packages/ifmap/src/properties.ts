// JSON values <-> IF-MAP property elements. Encoding follows the value: an array becomes repeated elements
// of the field's name, an object child elements, a scalar its text (booleans 'true'/'false'); null and empty
// arrays send nothing, as TF's generated encoder does. Decoding follows the field's Shape (shape.ts).
import type { XmlElement } from '@filament/xmpp';
import { PropertyShapeError, PropertyValueError, TfObjectError } from './errors.js';
import { elementName, jsonName } from './names.js';
import { isList, isObject, type Shape } from './shape.js';

const INTEGER = /^-?[0-9]{1,16}$/;

/** Where an error is reported: the object's identity. */
export interface Where {
  type: string;
  name: string;
}

/** Appends the elements of one JSON field to `out`. */
export function encodeField(
  field: string,
  value: unknown,
  out: XmlElement[],
  where: Where,
  path = field,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (Array.isArray(value[i])) {
        throw new TfObjectError(
          where.type,
          where.name,
          `${path}[${i}]`,
          'a list inside a list has no XML form',
        );
      }
      encodeField(field, value[i], out, where, `${path}[${i}]`);
    }
    return;
  }
  out.push(encodeElement(elementName(field), value, where, path));
}

function encodeElement(name: string, value: unknown, where: Where, path: string): XmlElement {
  switch (typeof value) {
    case 'string':
      return { name, attrs: {}, children: value === '' ? [] : [value] };
    case 'number':
      if (!Number.isFinite(value))
        throw new TfObjectError(where.type, where.name, path, 'not a finite number');
      return { name, attrs: {}, children: [String(value)] };
    case 'boolean':
      return { name, attrs: {}, children: [value ? 'true' : 'false'] };
    case 'object': {
      const children: XmlElement[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        encodeField(k, v, children, where, `${path}.${k}`);
      }
      return { name, attrs: {}, children };
    }
    default:
      throw new TfObjectError(where.type, where.name, path, `a ${typeof value} has no XML form`);
  }
}

function textOf(el: XmlElement, where: Where, path: string): string {
  let out = '';
  for (const ch of el.children) {
    if (typeof ch !== 'string')
      throw new PropertyShapeError(where.type, where.name, path, 'text, not elements');
    out += ch;
  }
  return out;
}

/** Decodes one element by its shape. */
export function decodeElement(el: XmlElement, shape: Shape | undefined, where: Where, path: string): unknown {
  if (shape === 'string') return textOf(el, where, path);
  if (shape === 'integer') {
    const t = textOf(el, where, path).trim();
    const n = INTEGER.test(t) ? Number(t) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new PropertyValueError(where.type, where.name, path, 'an integer', t);
    return n;
  }
  if (shape === 'boolean') {
    const t = textOf(el, where, path).trim();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw new PropertyValueError(where.type, where.name, path, 'a boolean', t);
  }
  if (isObject(shape)) return decodeFields(el.children, shape.fields, where, path);
  if (isList(shape)) throw new PropertyShapeError(where.type, where.name, path, 'one element of a list item');
  // No known shape: structure decides.
  const hasElements = el.children.some((c) => typeof c !== 'string');
  if (!hasElements) return textOf(el, where, path);
  return decodeFields(el.children, undefined, where, path);
}

/** Decodes sibling elements into an object, grouping repeated names into lists. */
export function decodeFields(
  children: readonly (XmlElement | string)[],
  fields: Readonly<Record<string, Shape>> | undefined,
  where: Where,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const ch of children) {
    if (typeof ch === 'string') {
      throw new PropertyShapeError(where.type, where.name, path || '(properties)', 'elements, not text');
    }
    const key = jsonName(ch.name);
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw new PropertyShapeError(where.type, where.name, `${path}.${key}`, 'a field name');
    }
    const shape = fields === undefined ? undefined : Object.hasOwn(fields, key) ? fields[key] : undefined;
    const sub = path === '' ? key : `${path}.${key}`;
    if (isList(shape)) {
      const arr = (out[key] as unknown[] | undefined) ?? [];
      out[key] = arr;
      arr.push(decodeElement(ch, shape.list, where, `${sub}[${arr.length}]`));
      continue;
    }
    if (seen.has(key)) {
      if (shape !== undefined && shape !== 'any') {
        throw new PropertyShapeError(where.type, where.name, sub, 'one element (the field is not a list)');
      }
      // Unknown field seen twice: a list (a decoded unknown field is never itself an array).
      const prev = out[key];
      const arr = Array.isArray(prev) ? prev : [prev];
      arr.push(decodeElement(ch, shape, where, sub));
      out[key] = arr;
      continue;
    }
    seen.add(key);
    out[key] = decodeElement(ch, shape, where, sub);
  }
  return out;
}
