// A pull tokenizer over one complete stanza (XML 1.0 subset, no namespace processing, as the TF receivers
// parse with pugixml). It allocates no tree: vocabulary decoders walk the tokens and build their typed values
// directly, which is what makes route decoding several times faster than building an ltx Element tree.
// Comments, processing instructions and the XML declaration are skipped; CDATA is text; a DOCTYPE is refused.
import { RestrictedXmlError, XmlSyntaxError } from './errors.js';
import { unescapeXml } from './xml-text.js';

export const TOKEN_EOF = 0;
export const TOKEN_START = 1;
export const TOKEN_END = 2;
export const TOKEN_TEXT = 3;

/** Elements nested deeper than this are refused (recursion and stack bound on hostile input). */
export const MAX_DEPTH = 64;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

/** ASCII name characters (XML 1.0 NameChar restricted to ASCII); every non-ASCII character is accepted. */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  NAME_CHAR[c] = isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e ? 1 : 0;
}

function isNameChar(c: number): boolean {
  return c >= 128 || NAME_CHAR[c] === 1;
}

/** True when `s` holds only XML whitespace. */
export function isWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return false;
  return true;
}

/** True when `name` occurs in `s` at `pos` (a char loop: cheaper than startsWith for short names). */
function matchAt(s: string, pos: number, name: string): boolean {
  const n = name.length;
  if (pos + n > s.length) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(pos + i) !== name.charCodeAt(i)) return false;
  return true;
}

export class XmlCursor {
  private current = '';
  /** Unescaped text of the last TEXT token. */
  text = '';
  /** Current element depth (1 inside the root). */
  depth = 0;
  private s = '';
  private pos = 0;
  private end = 0;
  private pendingEnd = false;
  private readonly stack: string[] = [];
  private readonly attrNames: string[] = [];
  private readonly attrValues: string[] = [];
  private attrCount = 0;
  private readonly names = new Map<number, string[]>();

  constructor(s?: string, start = 0, end?: number) {
    if (s !== undefined) this.reset(s, start, end);
  }

  /** Points the cursor at a new document; lets hot paths reuse one cursor. */
  reset(s: string, start = 0, end = s.length): this {
    this.s = s;
    this.pos = start;
    this.end = end;
    this.depth = 0;
    this.pendingEnd = false;
    this.attrCount = 0;
    this.current = '';
    this.text = '';
    return this;
  }

  /** Name of the element of the last START or END token (a method, so type narrowing never sticks to it). */
  name(): string {
    return this.current;
  }

  /** Character offset of the next token. */
  get offset(): number {
    return this.pos;
  }

  /** Value of an attribute of the last START element, or undefined. */
  attr(name: string): string | undefined {
    for (let i = 0; i < this.attrCount; i++) if (this.attrNames[i] === name) return this.attrValues[i];
    return undefined;
  }

  /** Name of the first attribute of the last START element (TF reads retract ids that way). */
  firstAttrName(): string | undefined {
    return this.attrCount > 0 ? this.attrNames[0] : undefined;
  }

  /** All attributes of the last START element, in document order. */
  attrs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.attrCount; i++) out[this.attrNames[i]!] = this.attrValues[i]!;
    return out;
  }

  /**
   * Reads the element name starting at `from`. Names repeat, so candidates seen before (keyed by their
   * first two characters) are compared in place first: no scan with a character-class test, no new string.
   */
  private readName(from: number, end: number): string {
    const s = this.s;
    const key = ((s.charCodeAt(from) & 127) << 7) | (s.charCodeAt(from + 1) & 127);
    let list = this.names.get(key);
    if (list !== undefined) {
      for (let k = 0; k < list.length; k++) {
        const cand = list[k]!;
        const n = cand.length;
        const after = from + n;
        // The key matched the first two characters; check the delimiter (length) first, then the rest.
        if (after >= end || isNameChar(s.charCodeAt(after))) continue;
        let i = 2;
        while (i < n && s.charCodeAt(from + i) === cand.charCodeAt(i)) i++;
        if (i >= n) return cand;
      }
    }
    let q = from + 1;
    while (q < end && isNameChar(s.charCodeAt(q))) q++;
    const name = s.slice(from, q);
    if (list === undefined) {
      list = [];
      if (this.names.size < 1024) this.names.set(key, list);
    }
    // A few candidates per key bound the cache on hostile input.
    if (list.length < 4) list.push(name);
    return name;
  }

  /** Advances to the next token and returns its type (TOKEN_*). */
  next(): number {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      this.depth--;
      return TOKEN_END;
    }
    const s = this.s;
    const end = this.end;
    for (;;) {
      const p = this.pos;
      if (p >= end) {
        if (this.depth > 0) throw new XmlSyntaxError(`unclosed element <${this.stack[this.depth - 1]}>`, p);
        return TOKEN_EOF;
      }
      if (s.charCodeAt(p) !== 0x3c) {
        let lt = s.indexOf('<', p);
        if (lt === -1 || lt > end) lt = end;
        const raw = s.slice(p, lt);
        this.pos = lt;
        if (this.depth === 0) {
          if (!isWhitespace(raw)) throw new XmlSyntaxError('text outside the root element', p);
          continue;
        }
        this.text = unescapeXml(raw, p);
        return TOKEN_TEXT;
      }
      const c1 = s.charCodeAt(p + 1);
      if (c1 === 0x2f) return this.endTag(p);
      if (c1 === 0x21) {
        if (s.startsWith('<!--', p)) {
          const close = s.indexOf('-->', p + 4);
          if (close === -1 || close + 3 > end) throw new XmlSyntaxError('unterminated comment', p);
          this.pos = close + 3;
          continue;
        }
        if (s.startsWith('<![CDATA[', p)) {
          const close = s.indexOf(']]>', p + 9);
          if (close === -1 || close + 3 > end) throw new XmlSyntaxError('unterminated CDATA section', p);
          if (this.depth === 0) throw new XmlSyntaxError('CDATA outside the root element', p);
          this.text = s.slice(p + 9, close);
          this.pos = close + 3;
          return TOKEN_TEXT;
        }
        throw new RestrictedXmlError('DOCTYPE or markup declaration', p);
      }
      if (c1 === 0x3f) {
        const close = s.indexOf('?>', p + 2);
        if (close === -1 || close + 2 > end)
          throw new XmlSyntaxError('unterminated processing instruction', p);
        this.pos = close + 2;
        continue;
      }
      return this.startTag(p);
    }
  }

  private endTag(p: number): number {
    const s = this.s;
    if (this.depth > 0) {
      // Fast path: the expected name followed by '>'.
      const open = this.stack[this.depth - 1]!;
      const gt = p + 2 + open.length;
      if (s.charCodeAt(gt) === 0x3e && gt < this.end && matchAt(s, p + 2, open)) {
        this.depth--;
        this.current = open;
        this.pos = gt + 1;
        return TOKEN_END;
      }
    }
    const gt = s.indexOf('>', p + 2);
    if (gt === -1 || gt >= this.end) throw new XmlSyntaxError('unterminated end tag', p);
    let q = p + 2;
    while (q < gt && !isWs(s.charCodeAt(q))) q++;
    const name = s.slice(p + 2, q);
    for (let i = q; i < gt; i++) if (!isWs(s.charCodeAt(i))) throw new XmlSyntaxError('junk in end tag', i);
    if (this.depth === 0) throw new XmlSyntaxError(`end tag </${name}> without a start tag`, p);
    const open = this.stack[this.depth - 1];
    if (name !== open) throw new XmlSyntaxError(`end tag </${name}> does not match <${open}>`, p);
    this.depth--;
    this.current = name;
    this.pos = gt + 1;
    return TOKEN_END;
  }

  private startTag(p: number): number {
    const s = this.s;
    const end = this.end;
    let q = p + 1;
    if (!isNameStart(s.charCodeAt(q))) throw new XmlSyntaxError('bad element name', q);
    const name = this.readName(p + 1, end);
    q = p + 1 + name.length;
    this.attrCount = 0;
    let selfClosing = false;
    for (;;) {
      const before = q;
      while (q < end && isWs(s.charCodeAt(q))) q++;
      if (q >= end) throw new XmlSyntaxError(`unterminated start tag <${name}>`, p);
      const c = s.charCodeAt(q);
      if (c === 0x3e) {
        q++;
        break;
      }
      if (c === 0x2f) {
        if (s.charCodeAt(q + 1) !== 0x3e) throw new XmlSyntaxError(`bad start tag <${name}>`, q);
        selfClosing = true;
        q += 2;
        break;
      }
      if (q === before || !isNameStart(c)) throw new XmlSyntaxError(`bad attribute in <${name}>`, q);
      const an = q;
      while (q < end && isNameChar(s.charCodeAt(q))) q++;
      const attrName = s.slice(an, q);
      while (q < end && isWs(s.charCodeAt(q))) q++;
      if (s.charCodeAt(q) !== 0x3d) throw new XmlSyntaxError(`attribute ${attrName} without a value`, q);
      q++;
      while (q < end && isWs(s.charCodeAt(q))) q++;
      const quote = s.charCodeAt(q);
      if (quote !== 0x22 && quote !== 0x27) throw new XmlSyntaxError(`unquoted attribute ${attrName}`, q);
      const close = s.indexOf(quote === 0x22 ? '"' : "'", q + 1);
      if (close === -1 || close >= end) throw new XmlSyntaxError(`unterminated attribute ${attrName}`, q);
      const raw = s.slice(q + 1, close);
      if (raw.indexOf('<') !== -1) throw new XmlSyntaxError(`'<' in attribute ${attrName}`, q);
      for (let i = 0; i < this.attrCount; i++) {
        if (this.attrNames[i] === attrName) throw new XmlSyntaxError(`duplicate attribute ${attrName}`, an);
      }
      this.attrNames[this.attrCount] = attrName;
      this.attrValues[this.attrCount] = unescapeXml(raw, q + 1);
      this.attrCount++;
      q = close + 1;
    }
    if (this.depth >= MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH}`, p);
    this.stack[this.depth++] = name;
    this.current = name;
    this.pos = q;
    this.pendingEnd = selfClosing;
    return TOKEN_START;
  }

  /**
   * Inside an element: advances to its next child element and returns true, or consumes the element's end
   * tag and returns false. Text between children is skipped.
   */
  nextChild(): boolean {
    for (;;) {
      if (!this.pendingEnd) {
        // Text between children is ignored: skip it without materializing a token.
        const p = this.pos;
        if (p < this.end && this.s.charCodeAt(p) !== 0x3c) {
          const lt = this.s.indexOf('<', p);
          this.pos = lt === -1 || lt > this.end ? this.end : lt;
        }
      }
      const t = this.next();
      if (t === TOKEN_START) return true;
      if (t === TOKEN_END || t === TOKEN_EOF) return false;
    }
  }

  /** After a START: returns the element's text content and consumes its end tag (child elements skipped). */
  readText(): string {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      this.depth--;
      return '';
    }
    const s = this.s;
    const p = this.pos;
    const lt = s.indexOf('<', p);
    // Fast path: `text</name>` with nothing else inside.
    if (lt !== -1 && lt < this.end && s.charCodeAt(lt + 1) === 0x2f) {
      const name = this.stack[this.depth - 1]!;
      const after = lt + 2 + name.length;
      if (s.charCodeAt(after) === 0x3e && matchAt(s, lt + 2, name)) {
        const raw = s.slice(p, lt);
        const text = raw.indexOf('&') === -1 ? raw : unescapeXml(raw, p);
        this.pos = after + 1;
        this.depth--;
        this.current = name;
        return text;
      }
    }
    let text = '';
    const depth = this.depth;
    for (;;) {
      const t = this.next();
      if (t === TOKEN_TEXT) {
        if (this.depth === depth) text += this.text;
      } else if (t === TOKEN_END) {
        if (this.depth < depth) return text;
      } else if (t === TOKEN_EOF) {
        return text;
      }
    }
  }

  /**
   * After a START: the element's text as a non-negative decimal integer, parsed in place when it is plain
   * digits directly followed by the end tag (the common case); otherwise undefined with nothing consumed,
   * and the caller falls back to readText() and the full integer rules.
   */
  readDigits(): number | undefined {
    if (this.pendingEnd) return undefined;
    const s = this.s;
    let q = this.pos;
    let v = 0;
    let c = s.charCodeAt(q);
    if (c < 0x30 || c > 0x39) return undefined;
    do {
      v = v * 10 + (c - 0x30);
      c = s.charCodeAt(++q);
    } while (c >= 0x30 && c <= 0x39);
    if (c !== 0x3c || s.charCodeAt(q + 1) !== 0x2f || v > Number.MAX_SAFE_INTEGER) return undefined;
    const name = this.stack[this.depth - 1]!;
    const gt = q + 2 + name.length;
    if (gt >= this.end || s.charCodeAt(gt) !== 0x3e || !matchAt(s, q + 2, name)) return undefined;
    this.pos = gt + 1;
    this.depth--;
    this.current = name;
    return v;
  }

  // Literal fast path support: decoders match the schema-order form of whole elements with sticky regexes
  // over `source` (vocab-common.ts, entry-codec.ts), then commit with enterAt / leaveAt / leave.

  private wsEnd(): number {
    const s = this.s;
    let p = this.pos;
    while (p < this.end) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) p++;
      else break;
    }
    return p;
  }

  /** The current element's end tag `</name>` next (after whitespace): consumes it. */
  leave(): boolean {
    if (this.pendingEnd || this.depth === 0) return false;
    const s = this.s;
    const p = this.wsEnd();
    const name = this.stack[this.depth - 1]!;
    const gt = p + 2 + name.length;
    if (
      gt >= this.end ||
      s.charCodeAt(p) !== 0x3c ||
      s.charCodeAt(p + 1) !== 0x2f ||
      s.charCodeAt(gt) !== 0x3e
    ) {
      return false;
    }
    if (!matchAt(s, p + 2, name)) return false;
    this.depth--;
    this.current = name;
    this.pos = gt + 1;
    return true;
  }

  /**
   * Literal fast path over whole elements (see `litExec` in vocab-common.ts): where the next token starts,
   * or -1 at a pending end or when `nesting` more levels would exceed MAX_DEPTH. A decoder matches complete,
   * balanced elements from there in `source` (never past `limit`) and commits with enterAt / leaveAt.
   */
  literalFrom(nesting: number): number {
    return this.pendingEnd || this.depth + nesting > MAX_DEPTH ? -1 : this.pos;
  }

  /** The document (literal fast path). */
  get source(): string {
    return this.s;
  }

  /** Where the document ends in `source` (literal fast path). */
  get limit(): number {
    return this.end;
  }

  /** Commits a literal match that ends with the start tag of `name`: continues at `pos`, inside it. */
  enterAt(pos: number, name: string): void {
    this.stack[this.depth++] = name;
    this.current = name;
    this.attrCount = 0;
    this.pos = pos;
  }

  /** Commits a literal match of the rest of the current element, its end tag included: continues at `pos`. */
  leaveAt(pos: number): void {
    this.pos = pos;
    this.current = this.stack[--this.depth]!;
  }

  /** After a START: consumes the element with everything inside it. */
  skip(): void {
    const depth = this.depth;
    while (this.depth >= depth) {
      if (this.next() === TOKEN_EOF) return;
    }
  }
}
