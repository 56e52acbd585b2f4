// The schema language: one value describes a field's type and constraints; the same value validates request
// bodies (with the precise field path and reason on failure) and renders as JSON Schema for the OpenAPI document.
import { isIP } from 'node:net';
import { ValidationError } from '../errors.js';

export type Format = 'ip' | 'ipv4' | 'ipv6' | 'mac' | 'uuid' | 'route-target';

export type Spec =
  | {
      t: 'string';
      enum?: readonly string[];
      format?: Format;
      maxLength?: number;
      desc?: string;
      readonly?: boolean;
    }
  | { t: 'integer'; min?: number; max?: number; desc?: string; readonly?: boolean }
  | { t: 'boolean'; desc?: string }
  | { t: 'object'; fields: Record<string, Spec>; required?: readonly string[]; desc?: string; name?: string }
  | { t: 'array'; items: Spec; maxItems?: number; desc?: string }
  /** Free-form JSON object (fields Filament does not interpret, kept as given). */
  | { t: 'any'; desc?: string };

type Opts<S> = Omit<S, 't'>;
type StrSpec = Extract<Spec, { t: 'string' }>;
type IntSpec = Extract<Spec, { t: 'integer' }>;
type ObjSpec = Extract<Spec, { t: 'object' }>;

export const str = (o: Opts<StrSpec> = {}): Spec => ({ t: 'string', maxLength: 1024, ...o });
export const int = (o: Opts<IntSpec> = {}): Spec => ({ t: 'integer', ...o });
export const bool = (desc?: string): Spec => (desc ? { t: 'boolean', desc } : { t: 'boolean' });
export const arr = (items: Spec, maxItems = 4096): Spec => ({ t: 'array', items, maxItems });
export const any = (desc?: string): Spec => (desc ? { t: 'any', desc } : { t: 'any' });
export const oneOf = (values: readonly string[], desc?: string): Spec =>
  desc ? { t: 'string', enum: values, desc } : { t: 'string', enum: values };
export function obj(name: string, fields: Record<string, Spec>, required?: readonly string[]): ObjSpec {
  const s: ObjSpec = { t: 'object', name, fields };
  if (required) s.required = required;
  return s;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RT = /^target:(\d{1,10}(\.\d{1,3}){0,3}):(\d{1,10})$/;

export function checkFormat(format: Format, v: string): string | undefined {
  switch (format) {
    case 'ip':
      return isIP(v) ? undefined : 'not an IPv4 or IPv6 address';
    case 'ipv4':
      return isIP(v) === 4 ? undefined : 'not an IPv4 address';
    case 'ipv6':
      return isIP(v) === 6 ? undefined : 'not an IPv6 address';
    case 'mac':
      return MAC.test(v) ? undefined : 'not a MAC address (xx:xx:xx:xx:xx:xx)';
    case 'uuid':
      return UUID.test(v) ? undefined : 'not a UUID';
    case 'route-target':
      return RT.test(v) ? undefined : "not a route target ('target:<asn or ip>:<number>')";
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Throws ValidationError naming the dotted path of the first field that does not satisfy `spec`. */
export function validate(spec: Spec, v: unknown, path: string): void {
  switch (spec.t) {
    case 'string': {
      if (typeof v !== 'string') throw new ValidationError(path, `expected a string, got ${kind(v)}`);
      if (spec.maxLength !== undefined && v.length > spec.maxLength) {
        throw new ValidationError(path, `longer than ${spec.maxLength} characters`);
      }
      if (spec.enum && !spec.enum.includes(v)) {
        throw new ValidationError(path, `must be one of ${spec.enum.map((e) => `'${e}'`).join(', ')}`);
      }
      if (spec.format) {
        const why = checkFormat(spec.format, v);
        if (why) throw new ValidationError(path, `'${v.slice(0, 64)}' is ${why}`);
      }
      return;
    }
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw new ValidationError(path, `expected an integer, got ${kind(v)}`);
      if (spec.min !== undefined && v < spec.min) throw new ValidationError(path, `must be >= ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) throw new ValidationError(path, `must be <= ${spec.max}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw new ValidationError(path, `expected a boolean, got ${kind(v)}`);
      return;
    case 'any':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new ValidationError(path, `expected an object, got ${kind(v)}`);
      }
      return;
    case 'array': {
      if (!Array.isArray(v)) throw new ValidationError(path, `expected an array, got ${kind(v)}`);
      if (spec.maxItems !== undefined && v.length > spec.maxItems) {
        throw new ValidationError(path, `more than ${spec.maxItems} items`);
      }
      for (const [i, item] of v.entries()) validate(spec.items, item, `${path}[${i}]`);
      return;
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new ValidationError(path, `expected an object, got ${kind(v)}`);
      }
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const f = spec.fields[k];
        if (!f)
          throw new ValidationError(`${path}.${k}`, `unknown field${spec.name ? ` of ${spec.name}` : ''}`);
        if (o[k] === null) continue;
        validate(f, o[k], `${path}.${k}`);
      }
      for (const r of spec.required ?? []) {
        if (o[r] === undefined || o[r] === null) throw new ValidationError(`${path}.${r}`, 'is required');
      }
      return;
    }
  }
}

export type JsonSchema = Record<string, unknown>;

/** JSON Schema (OpenAPI 3.1 dialect) for a spec; named object types go to `defs` and are referenced. */
export function toJsonSchema(spec: Spec, defs: Record<string, JsonSchema>): JsonSchema {
  const d = spec.desc ? { description: spec.desc } : {};
  switch (spec.t) {
    case 'string': {
      const s: JsonSchema = { type: 'string', ...d };
      if (spec.enum) s.enum = [...spec.enum];
      if (spec.maxLength !== undefined) s.maxLength = spec.maxLength;
      if (spec.format) s.format = spec.format;
      if (spec.readonly) s.readOnly = true;
      return s;
    }
    case 'integer': {
      const s: JsonSchema = { type: 'integer', ...d };
      if (spec.min !== undefined) s.minimum = spec.min;
      if (spec.max !== undefined) s.maximum = spec.max;
      if (spec.readonly) s.readOnly = true;
      return s;
    }
    case 'boolean':
      return { type: 'boolean', ...d };
    case 'any':
      return { type: 'object', additionalProperties: true, ...d };
    case 'array': {
      const s: JsonSchema = { type: 'array', items: toJsonSchema(spec.items, defs), ...d };
      if (spec.maxItems !== undefined) s.maxItems = spec.maxItems;
      return s;
    }
    case 'object': {
      const build = (): JsonSchema => {
        const props: Record<string, JsonSchema> = {};
        for (const [k, f] of Object.entries(spec.fields)) props[k] = toJsonSchema(f, defs);
        const s: JsonSchema = { type: 'object', properties: props, additionalProperties: false, ...d };
        if (spec.required?.length) s.required = [...spec.required];
        return s;
      };
      if (!spec.name) return build();
      if (!defs[spec.name]) {
        defs[spec.name] = {};
        defs[spec.name] = build();
      }
      return { $ref: `#/components/schemas/${spec.name}` };
    }
  }
}
