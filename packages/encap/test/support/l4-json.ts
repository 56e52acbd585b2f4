// Reading `tshark -T json` output: every field name with all its values in document order, however deep
// tshark nested it and whether it merged duplicates into arrays.
export type Fields = Map<string, string[]>;

export function flatten(node: unknown, out: Fields = new Map(), key = ''): Fields {
  if (Array.isArray(node)) for (const v of node) flatten(v, out, key);
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) flatten(v, out, k);
  else if (key !== '') {
    const list = out.get(key) ?? [];
    list.push(String(node));
    out.set(key, list);
  }
  return out;
}

/** All values of a field (empty when absent). */
export function all(f: Fields, name: string): string[] {
  return f.get(name) ?? [];
}

/** The `i`-th value of a field (first by default). */
export function one(f: Fields, name: string, i = 0): string | undefined {
  return f.get(name)?.[i];
}

export const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
export const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
export const colonHex = (b: Iterable<number>) =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
