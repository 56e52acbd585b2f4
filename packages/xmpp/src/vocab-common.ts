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

// Literal fast path. Peers (ours and TF's generated encoder) write entries in XSD order, one element per
// line, no attributes, no entities. For that exact shape a decoder matches a whole item with one sticky
// regex (compiled to native code, it checks every tag literal faster than a character loop) and reads the
// values from its groups. The patterns accept only balanced elements with plain values (no `&`, no
// surrounding whitespace, integers of at most 15 digits, i.e. what the cursor's fast path reads the same
// way), so anything else (attributes, comments, entities, other orders, unknown elements) fails the match
// and goes to the cursor, which applies every rule.

/** XML whitespace between elements. */
export const LIT_WS = '[ \\t\\r\\n]*';
/** A plain text value (group): no markup, no entity, no surrounding whitespace. */
export const LIT_TEXT = '([^<&\\x00-\\x20]*)';
/** A plain non-negative integer (group) that is always a safe integer. */
export const LIT_INT = '(\\d{1,15})';

/** `<name>value</name>` after optional whitespace, `value` one of the LIT_* groups. */
export function litLeaf(name: string, value: string): string {
  return `${LIT_WS}<${name}>${value}</${name}>`;
}

/**
 * A list element `<name />` / `<name/>` / `<name>` + `<child>value</child>`* + `</name>`, capturing the
 * children as one group (undefined for the self-closed forms); `int` picks integer children.
 */
export function litList(name: string, child: string, int: boolean): string {
  const v = int ? '\\d{1,15}' : '[^<&\\x00-\\x20]*';
  return `${LIT_WS}<${name}(?: ?/>|>((?:${LIT_WS}<${child}>${v}</${child}>)*)${LIT_WS}</${name}>)`;
}

/** Values of a list group captured by `litList` (undefined or '' for an empty list). */
export function litTexts(block: string | undefined, child: string, out: string[]): string[] {
  if (block === undefined || block.length === 0) return out;
  const skip = child.length + 2;
  let p = block.indexOf('<', 0);
  while (p !== -1) {
    const from = p + skip;
    const lt = block.indexOf('<', from);
    out.push(block.slice(from, lt));
    p = block.indexOf('<', lt + skip + 1);
  }
  return out;
}

export function litInts(block: string | undefined, child: string, out: number[]): number[] {
  if (block === undefined || block.length === 0) return out;
  const skip = child.length + 2;
  let p = block.indexOf('<', 0);
  while (p !== -1) {
    let q = p + skip;
    let v = 0;
    for (let c = block.charCodeAt(q); c >= 0x30 && c <= 0x39; c = block.charCodeAt(++q))
      v = v * 10 + c - 0x30;
    out.push(v);
    p = block.indexOf('<', q + skip + 1);
  }
  return out;
}

/** Runs the sticky regex `re` at `pos`; the match, or null when none ends by `end` (then `re.lastIndex` is moot). */
export function litExec(re: RegExp, s: string, pos: number, end: number): RegExpExecArray | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m !== null && re.lastIndex <= end ? m : null;
}
