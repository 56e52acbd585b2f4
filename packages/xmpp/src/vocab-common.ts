// Scalar rules shared by every vocabulary file, as the generateds-based TF decoder applies them
// (PROTOCOL.md section 5, "Encoding rules"): integers like strtoul (surrounding whitespace allowed, empty is 0,
// anything else fails the item), booleans true only for the exact text `true`, unknown elements skipped.
import { EncodeError, VocabularyError } from './errors.js';
import type { XmlCursor } from './xml-cursor.js';
import { escapeText } from './xml-text.js';

/** Parses an xsd:integer leaf the way TF does; throws VocabularyError naming `field`. */
export function parseInteger(text: string, field: string): number {
  let i = 0;
  let j = text.length;
  while (i < j && text.charCodeAt(i) <= 0x20) i++;
  while (j > i && text.charCodeAt(j - 1) <= 0x20) j--;
  if (i === j) return 0;
  let neg = false;
  const c0 = text.charCodeAt(i);
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    i++;
    if (i === j) throw new VocabularyError(field, `not an integer: "${text}"`);
  }
  let v = 0;
  for (; i < j; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw new VocabularyError(field, `not an integer: "${text}"`);
    v = v * 10 + d;
  }
  if (!Number.isSafeInteger(v)) throw new VocabularyError(field, `integer out of range: "${text}"`);
  return neg ? -v : v;
}

export function readInt(c: XmlCursor, field: string): number {
  return c.readDigits() ?? parseInteger(c.readText(), field);
}

export function readBool(c: XmlCursor): boolean {
  return c.readText().trim() === 'true';
}

/** Reads the text of every `<child>` of the current element (a list like `<tag-list><tag>..`). */
export function readTextList(c: XmlCursor, child: string): string[] {
  const out: string[] = [];
  while (c.nextChild()) {
    if (c.name() === child) out.push(c.readText().trim());
    else c.skip();
  }
  return out;
}

export function readIntList(c: XmlCursor, child: string, field: string): number[] {
  const out: number[] = [];
  while (c.nextChild()) {
    if (c.name() === child) out.push(readInt(c, field));
    else c.skip();
  }
  return out;
}

/** `<name>text</name>` on its own line. */
export function leaf(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>\n`;
}

/** An integer leaf; refuses NaN, fractions and unsafe integers rather than printing them. */
export function intLeaf(name: string, v: number): string {
  if (!Number.isSafeInteger(v)) throw new EncodeError(name, `not an integer: ${v}`);
  return `<${name}>${v}</${name}>\n`;
}

/** A list element with one `<child>` per value; empty lists print `<name />` as generateds does. */
export function textList(name: string, child: string, values: readonly (string | number)[]): string {
  if (values.length === 0) return `<${name} />\n`;
  let out = `<${name}>\n`;
  for (const v of values) {
    if (typeof v === 'number' && !Number.isSafeInteger(v))
      throw new EncodeError(child, `not an integer: ${v}`);
    out += `<${child}>${typeof v === 'number' ? v : escapeText(v)}</${child}>\n`;
  }
  return `${out}</${name}>\n`;
}

/**
 * Schema-order fast path of a list: `<name />`, or `<name>` + `<child>..</child>`* (then the general loop
 * finishes the list). Returns false, consuming nothing, when the next element is not `name`.
 */
export function fastTextList(c: XmlCursor, name: string, child: string, out: string[]): boolean {
  const o = c.open(name);
  if (o !== 2) return o === 1;
  for (let t = c.leafText(child); t !== undefined; t = c.leafText(child)) out.push(t);
  if (c.leave()) return true;
  while (c.nextChild()) {
    if (c.name() === child) out.push(c.readText().trim());
    else c.skip();
  }
  return true;
}

export function fastIntList(c: XmlCursor, name: string, child: string, out: number[]): boolean {
  const o = c.open(name);
  if (o !== 2) return o === 1;
  for (let v = c.leafInt(child); v !== undefined; v = c.leafInt(child)) out.push(v);
  if (c.leave()) return true;
  while (c.nextChild()) {
    if (c.name() === child) out.push(readInt(c, child));
    else c.skip();
  }
  return true;
}
