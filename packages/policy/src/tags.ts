// Tags and tag types as in Tungsten Fabric (tf-api-client schema/tag.xsd, agent oper/tag.cc): a tag id is
// 0xTTTTVVVV, 16-bit type and 16-bit value; the first 255 type ids are reserved, predefined types are
// label=0 .. neutron_tag=6. Only label, neutron_fwaas and neutron_tag may appear several times on one object.
import { InvalidTagError, TagConflictError, UnknownTagTypeError } from './errors.js';

export const PREDEFINED_TAG_TYPES: Readonly<Record<string, number>> = {
  label: 0,
  application: 1,
  tier: 2,
  deployment: 3,
  site: 4,
  neutron_fwaas: 5,
  neutron_tag: 6,
};

const MULTI_VALUED = new Set(['label', 'neutron_fwaas', 'neutron_tag']);
const FIRST_CUSTOM_TYPE_ID = 256;

/** Where a tag was written, for error messages. */
export interface TagContext {
  objectType: string;
  objectName: string;
  field: string;
}

/** Splits `type=value` (optionally `global:type=value`) into its parts; '=' is mandatory as in TF. */
export function parseTagName(name: string, ctx: TagContext): { type: string; value: string } {
  const bare = name.startsWith('global:') ? name.slice(7) : name;
  const eq = bare.indexOf('=');
  if (eq <= 0 || eq === bare.length - 1)
    throw new InvalidTagError(ctx.objectType, ctx.objectName, ctx.field, name);
  return { type: bare.slice(0, eq), value: bare.slice(eq + 1) };
}

/** Allocates tag-type and tag ids and maps them back to names. One registry per compiler. */
export class TagRegistry {
  private readonly typeIds = new Map<string, number>();
  private readonly typeNames = new Map<number, string>();
  private readonly tagIds = new Map<string, number>();
  private readonly tagNames = new Map<number, string>();
  private readonly nextValue = new Map<number, number>();
  private nextType = FIRST_CUSTOM_TYPE_ID;

  constructor(customTypes: readonly string[] = []) {
    for (const [name, id] of Object.entries(PREDEFINED_TAG_TYPES)) this.addType(name, id);
    for (const t of customTypes) if (!this.typeIds.has(t)) this.addType(t, this.nextType++);
  }

  /** Declares further custom types (a model change may add some); known ones are kept. */
  addTypes(types: readonly string[]): void {
    for (const t of types) if (!this.typeIds.has(t)) this.addType(t, this.nextType++);
  }

  private addType(name: string, id: number): void {
    this.typeIds.set(name, id);
    this.typeNames.set(id, name);
  }

  hasType(type: string): boolean {
    return this.typeIds.has(type);
  }

  typeId(type: string, ctx: TagContext): number {
    const id = this.typeIds.get(type);
    if (id === undefined) throw new UnknownTagTypeError(ctx.objectType, ctx.objectName, ctx.field, type);
    return id;
  }

  /** The id of tag `type=value`, allocating one on first use. */
  id(name: string, ctx: TagContext): number {
    const { type, value } = parseTagName(name, ctx);
    const key = `${type}=${value}`;
    const known = this.tagIds.get(key);
    if (known !== undefined) return known;
    const t = this.typeId(type, ctx);
    const v = this.nextValue.get(t) ?? 1;
    this.nextValue.set(t, v + 1);
    const id = ((t << 16) | v) >>> 0;
    this.tagIds.set(key, id);
    this.tagNames.set(id, key);
    return id;
  }

  /** The id of an already known tag, or undefined (a selector on a tag nobody carries). */
  lookup(name: string): number | undefined {
    const bare = name.startsWith('global:') ? name.slice(7) : name;
    return this.tagIds.get(bare);
  }

  name(id: number): string {
    return this.tagNames.get(id) ?? `0x${id.toString(16).padStart(8, '0')}`;
  }

  typeName(typeId: number): string {
    return this.typeNames.get(typeId) ?? String(typeId);
  }

  isMultiValued(typeId: number): boolean {
    return MULTI_VALUED.has(this.typeName(typeId));
  }

  /** Parses an object's tag list to sorted ids, rejecting two values of one single-valued type. */
  parseList(names: readonly string[] | undefined, ctx: TagContext): number[] {
    if (!names || names.length === 0) return [];
    const ids = names.map((n) => this.id(n, ctx));
    const seen = new Set<number>();
    for (const id of ids) {
      const t = id >>> 16;
      if (this.isMultiValued(t)) continue;
      if (seen.has(t))
        throw new TagConflictError(
          ctx.objectType,
          ctx.objectName,
          ctx.field,
          this.typeName(t),
          'only one value per object',
        );
      seen.add(t);
    }
    return [...new Set(ids)].sort((a, b) => a - b);
  }
}

export const tagType = (id: number): number => id >>> 16;

/**
 * Effective tags of an interface (agent oper/vm_interface_config.cc CopyTag/CopyTagList): levels in precedence
 * order (interface, VM, host, VN, project); the first level carrying a type wins; labels come only from the
 * first level that carries any label. Returns sorted tag ids.
 */
export function effectiveTags(
  levels: readonly (readonly number[])[],
  isMulti: (typeId: number) => boolean,
): number[] {
  const byType = new Map<number, number>();
  const out: number[] = [];
  let labelsTaken = false;
  for (const level of levels) {
    let levelHasLabel = false;
    for (const id of level) {
      const t = id >>> 16;
      if (t === 0) {
        levelHasLabel = true;
        if (!labelsTaken) out.push(id);
      } else if (isMulti(t)) {
        if (!byType.has(t) || byType.get(t) === -1) {
          out.push(id);
          byType.set(t, -1);
        }
      } else if (!byType.has(t)) {
        byType.set(t, id);
        out.push(id);
      }
    }
    if (levelHasLabel) labelsTaken = true;
    // Multi-valued non-label types: like labels, only the first level that has the type contributes.
    for (const [t, v] of byType) if (v === -1) byType.set(t, -2);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** True when sorted `have` contains every id of sorted `need`. */
export function containsAll(have: readonly number[], need: readonly number[]): boolean {
  let i = 0;
  for (const n of need) {
    while (i < have.length && (have[i] as number) < n) i++;
    if (i === have.length || have[i] !== n) return false;
    i++;
  }
  return true;
}
