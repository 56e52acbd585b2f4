// A plain, JSON-friendly element tree for the parts of the dialect that have no fixed schema here: IF-MAP
// config properties (vnc_cfg.xsd), unknown stanzas, stream errors. Hot paths never build it.
import { TOKEN_END, TOKEN_EOF, TOKEN_START, TOKEN_TEXT, type XmlCursor } from './xml-cursor.js';
import { escapeAttr, escapeText } from './xml-text.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Child elements and non-whitespace text, in document order. */
  children: (XmlElement | string)[];
}

/** After a START token: reads the element into a tree, consuming its end tag. Whitespace-only text is dropped. */
export function readElement(c: XmlCursor): XmlElement {
  const root: XmlElement = { name: c.name(), attrs: c.attrs(), children: [] };
  const stack: XmlElement[] = [root];
  for (;;) {
    const t = c.next();
    const top = stack[stack.length - 1]!;
    if (t === TOKEN_START) {
      const el: XmlElement = { name: c.name(), attrs: c.attrs(), children: [] };
      top.children.push(el);
      stack.push(el);
    } else if (t === TOKEN_TEXT) {
      if (c.text.trim() !== '') top.children.push(c.text);
    } else if (t === TOKEN_END) {
      stack.pop();
      if (stack.length === 0) return root;
    } else if (t === TOKEN_EOF) {
      return root;
    }
  }
}

/** Concatenated direct text of an element. */
export function elementText(el: XmlElement): string {
  let out = '';
  for (const ch of el.children) if (typeof ch === 'string') out += ch;
  return out;
}

/** First direct child element of that name. */
export function childElement(el: XmlElement, name: string): XmlElement | undefined {
  for (const ch of el.children) if (typeof ch !== 'string' && ch.name === name) return ch;
  return undefined;
}

/** Serializes a tree; childless elements self-close (never used for iq/message, see `writeStanzaOpen`). */
export function writeElement(el: XmlElement): string {
  let out = `<${el.name}`;
  for (const [k, v] of Object.entries(el.attrs)) out += ` ${k}="${escapeAttr(v)}"`;
  if (el.children.length === 0) return `${out} />`;
  out += '>';
  for (const ch of el.children) out += typeof ch === 'string' ? escapeText(ch) : writeElement(ch);
  return `${out}</${el.name}>`;
}
