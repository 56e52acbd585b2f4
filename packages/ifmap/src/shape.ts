// The shape of a property as vnc_cfg.xsd types it, reduced to what the XML form loses: which elements repeat
// (lists), and which texts are integers or booleans. Encoding needs no shape (arrays become repeated
// elements, objects child elements, scalars text); decoding uses it to restore the JSON types. A field with
// no known shape ('any', or a name the vocabulary does not list) is decoded by structure: repeated elements
// become a list, elements with children an object, text a string.

export type Shape = 'string' | 'integer' | 'boolean' | 'any' | ListShape | ObjectShape;

export interface ListShape {
  readonly list: Shape;
}

export interface ObjectShape {
  readonly fields: Readonly<Record<string, Shape>>;
}

export const list = (item: Shape): ListShape => ({ list: item });
export const obj = (fields: Record<string, Shape>): ObjectShape => ({ fields });

export function isList(s: Shape | undefined): s is ListShape {
  return typeof s === 'object' && 'list' in s;
}

export function isObject(s: Shape | undefined): s is ObjectShape {
  return typeof s === 'object' && 'fields' in s;
}

/** One IF-MAP identifier type: its properties, the types it refers to (with the link attribute's shape, or
 *  null when the reference carries none) and its parent types ('config-root' for top-level objects). */
export interface TypeVocabulary {
  readonly props: Readonly<Record<string, Shape>>;
  readonly refs: Readonly<Record<string, Shape | null>>;
  readonly parents: readonly string[];
}

export type Vocabulary = ReadonlyMap<string, TypeVocabulary>;
