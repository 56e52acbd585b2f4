// Selectors name address sets by their definition, so entries that mean the same remote share one set.
// `andTags` is the intersection with a tag expression (from the endpoint's tags or from match-tags); a set with
// tags holds only fabric interfaces, because untagged external addresses can never satisfy a tag.

export type SelectorKind = 'any' | 'tags' | 'ag' | 'vn' | 'sg' | 'cidr' | 'gw';

export interface Selector {
  kind: SelectorKind;
  /** Address group, VN or SG name, or canonical prefix; '' for any/tags. */
  ref: string;
  /** Sorted tag ids every member interface must carry. */
  andTags: readonly number[];
  /** Restrict to one address family (security-group ethertype); 0 = both. */
  family: 0 | 4 | 6;
}

/** The set id: readable, stable, and equal for equal definitions. */
export function selectorId(s: Selector, tagName: (id: number) => string): string {
  // Names sorted by text, not id: ids depend on allocation order, set ids must not.
  const tags = s.andTags.length > 0 ? `tags(${s.andTags.map(tagName).sort().join(',')})` : '';
  let id: string;
  if (s.kind === 'tags') id = tags || 'tags()';
  else if (s.kind === 'any') id = tags || 'any';
  else id = tags ? `${s.kind}(${s.ref})&${tags}` : `${s.kind}(${s.ref})`;
  return s.family === 0 ? id : `${id}/v${s.family}`;
}
