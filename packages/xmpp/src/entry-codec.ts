// One codec for the route entries of every family, driven by a field table per element type (the XSD
// sequence of xmpp_unicast/enet/multicast/mvpn.xsd). From one table come the encoder (XSD order, every scalar
// present, as TF's generateds encoder writes), the order-independent decoder (children by name, unknown
// names skipped, TF's scalar rules from vocab-common.ts) and the literal fast path (vocab-common.ts): sticky
// regexes that read the schema-order form in a few native matches and give way to the decoder at the first
// difference, consuming nothing. Encoder, reader, defaults and the builder of literal matches are compiled
// once per table into functions with constant property names (from the table, never from input).
//
//   Schema := <el> Field* </el>
//   Field  := int | text | bool | opt-bool | texts | ints | opt-texts | mobility
//           | group (a nested Schema, e.g. nlri) | list (a container of Schema elements, e.g. next-hops)
import { EncodeError, VocabularyError } from './errors.js';
import {
  LIT_INT,
  LIT_TEXT,
  LIT_WS,
  litExec,
  litInts,
  litLeaf,
  litList,
  litTexts,
  parseInteger,
  readBool,
  readInt,
  readIntList,
  readTextList,
  textList,
} from './vocab-common.js';
import type { XmlCursor } from './xml-cursor.js';
import { escapeText } from './xml-text.js';

export type Field =
  /** Scalars, always written; `def` is the value when the element is missing (else 0, '' or false). */
  | { kind: 'int' | 'text' | 'bool'; el: string; key: string; def?: number | string }
  /** A boolean written only when the value has it (OpenSDN `is-new-tags-list`). */
  | { kind: 'opt-bool'; el: string; key: string }
  /** `<el><child>v</child>*</el>`, always written (`<el />` when empty). */
  | { kind: 'texts' | 'ints'; el: string; key: string; child: string }
  /** A text list written only when the value has it (OpenSDN `peers`). */
  | { kind: 'opt-texts'; el: string; key: string; child: string }
  /** `<mobility seqno=".." sticky=".." />`, the one attribute type of the schemas. */
  | { kind: 'mobility'; el: 'mobility'; key: string }
  /** One nested element. */
  | { kind: 'group'; el: string; key: string; of: Schema<object> }
  /** A container of `of.el` elements (`<el />` when empty). */
  | { kind: 'list'; el: string; key: string; of: Schema<object> };

export interface Schema<T> {
  /** The encoder compiled from the fields. */
  encode(value: T): string;
  /** The literal fast path compiled from the fields, null when they have a list inside a group. */
  readonly literal: Literal | null;
  /** The element name (`entry`, `nlri`, `next-hop`...). */
  readonly el: string;
  readonly fields: readonly Field[];
  /** A value with every field at its default (optional fields absent), filled in by the decoder. */
  readonly make: () => T;
  /** The order-independent reader, after the element's START (compiled from the fields). */
  read(c: XmlCursor): T;
  /** Prefix of VocabularyError field names (`next-hop/`); '' for the entry. */
  readonly path: string;
}

export interface Mobility {
  seqno: number;
  sticky: boolean;
}

export function schema<T extends object>(el: string, fields: Field[], path = `${el}/`): Schema<T> {
  const s = {
    el,
    fields,
    make: null as unknown as () => T,
    read: null as unknown as (c: XmlCursor) => T,
    path,
    literal: null as Literal | null,
    encode: null as unknown as (value: T) => string,
  };
  if (new Set(fields.map((f) => f.el)).size !== fields.length)
    throw new Error(`schema <${el}>: repeated element`);
  s.make = new Function(`return ${makeExpr(s)};`) as () => T;
  s.read = compileRead(s) as (c: XmlCursor) => T;
  s.literal = compileLiteral(s);
  s.encode = compileEncode(s) as (value: T) => string;
  return s;
}

export function encodeMobility(m: Mobility): string {
  if (!Number.isSafeInteger(m.seqno))
    throw new VocabularyError('mobility/seqno', `not an integer: ${m.seqno}`);
  return `<mobility seqno="${m.seqno}" sticky="${m.sticky ? 'true' : 'false'}" />\n`;
}

export function readMobility(c: XmlCursor): Mobility {
  const seqno = parseInteger(c.attr('seqno') ?? '', 'mobility/seqno');
  const sticky = c.attr('sticky') === 'true';
  c.skip();
  return { seqno, sticky };
}

// ---- encoding

/** Writes `<el>` + fields in schema order + `</el>`. */
export function encodeElement<T extends object>(s: Schema<T>, value: T): string {
  return s.encode(value);
}

// The encoder of a schema: one expression compiled from the field table (element names and keys are the
// table's constants, never input), the same concatenation a hand-written encoder would do. A loop over the
// fields reading `v[f.key]` costs a megamorphic keyed load per field and made encoding slower than decoding.

interface EncodeHelpers {
  int: (el: string, v: number) => number;
  esc: (s: string) => string;
  list: (el: string, child: string, values: readonly (string | number)[]) => string;
  mobility: (m: Mobility) => string;
  items: (el: string, encode: (v: object) => string, list: readonly object[]) => string;
}

const ENCODE_HELPERS: EncodeHelpers = {
  int: (el, v) => {
    if (!Number.isSafeInteger(v)) throw new EncodeError(el, `not an integer: ${v}`);
    return v;
  },
  esc: escapeText,
  list: textList,
  mobility: encodeMobility,
  items: (el, encode, list) => {
    if (list.length === 0) return `<${el} />\n`;
    let out = `<${el}>\n`;
    for (const item of list) out += encode(item);
    return `${out}</${el}>\n`;
  },
};

function compileEncode(s: Schema<object>): (v: object) => string {
  const fns: ((v: object) => string)[] = [];
  const body = encodeExpr(s, 'v', fns);
  const make = new Function('H', 'F', `return function encode(v) {\nreturn ${body};\n};`) as (
    h: EncodeHelpers,
    fns: ((v: object) => string)[],
  ) => (v: object) => string;
  return make(ENCODE_HELPERS, fns);
}

function encodeExpr(s: Schema<object>, acc: string, fns: ((v: object) => string)[]): string {
  const q = (t: string): string => JSON.stringify(t);
  const parts: string[] = [q(`<${s.el}>\n`)];
  for (const f of s.fields) {
    if (!IDENT.test(f.key)) throw new Error(`schema <${s.el}>: bad key ${f.key}`);
    const x = `${acc}.${f.key}`;
    const open = q(`<${f.el}>`);
    const close = q(`</${f.el}>\n`);
    switch (f.kind) {
      case 'int':
        parts.push(open, `H.int(${q(f.el)}, ${x})`, close);
        break;
      case 'text':
        parts.push(open, `H.esc(${x})`, close);
        break;
      case 'bool':
        parts.push(open, `(${x} ? 'true' : 'false')`, close);
        break;
      case 'opt-bool':
        parts.push(`(${x} === undefined ? '' : ${open} + (${x} ? 'true' : 'false') + ${close})`);
        break;
      case 'texts':
      case 'ints':
        parts.push(`H.list(${q(f.el)}, ${q(f.child)}, ${x})`);
        break;
      case 'opt-texts':
        parts.push(`(${x} === undefined ? '' : H.list(${q(f.el)}, ${q(f.child)}, ${x}))`);
        break;
      case 'mobility':
        parts.push(`H.mobility(${x})`);
        break;
      case 'group':
        parts.push(`(${encodeExpr(f.of, x, fns)})`);
        break;
      case 'list':
        fns.push(f.of.encode);
        parts.push(`H.items(${q(f.el)}, F[${fns.length - 1}], ${x})`);
        break;
    }
  }
  parts.push(q(`</${s.el}>\n`));
  return parts.join(' + ');
}

// ---- order-independent decoding

/** After the START of `s.el`: reads the element, consuming its end tag (literal fast path first). */
export function readElementOf<T extends object>(c: XmlCursor, s: Schema<T>): T {
  const lit = s.literal;
  if (lit !== null) {
    const v = readLiteral(c, lit);
    if (v !== undefined) return v as T;
  }
  return readGeneral(c, s);
}

function readGeneral<T extends object>(c: XmlCursor, s: Schema<T>): T {
  return s.read(c);
}

// The order-independent reader and the defaults of a schema, compiled from the field table like the
// encoder: a switch on the element name and stores to constant keys.

interface ReadHelpers {
  int: typeof readInt;
  bool: typeof readBool;
  texts: typeof readTextList;
  ints: typeof readIntList;
  mobility: typeof readMobility;
  items: (c: XmlCursor, el: string, read: (c: XmlCursor) => object) => object[];
}

const READ_HELPERS: ReadHelpers = {
  int: readInt,
  bool: readBool,
  texts: readTextList,
  ints: readIntList,
  mobility: readMobility,
  items: (c, el, read) => {
    const out: object[] = [];
    while (c.nextChild()) {
      if (c.name() === el) out.push(read(c));
      else c.skip();
    }
    return out;
  },
};

function makeExpr(s: Schema<object>): string {
  const props: string[] = [];
  for (const f of s.fields) {
    if (!IDENT.test(f.key)) throw new Error(`schema <${s.el}>: bad key ${f.key}`);
    switch (f.kind) {
      case 'int':
        props.push(`${f.key}: ${JSON.stringify(f.def ?? 0)}`);
        break;
      case 'text':
        props.push(`${f.key}: ${JSON.stringify(f.def ?? '')}`);
        break;
      case 'bool':
        props.push(`${f.key}: false`);
        break;
      case 'texts':
      case 'ints':
      case 'list':
        props.push(`${f.key}: []`);
        break;
      case 'mobility':
        props.push(`${f.key}: { seqno: 0, sticky: false }`);
        break;
      case 'group':
        props.push(`${f.key}: ${makeExpr(f.of)}`);
        break;
      // Optional fields stay absent.
    }
  }
  return `{ ${props.join(', ')} }`;
}

function compileRead(s: Schema<object>): (c: XmlCursor) => object {
  const q = (t: string): string => JSON.stringify(t);
  const subs: ((c: XmlCursor) => object)[] = [];
  const cases: string[] = [];
  for (const f of s.fields) {
    const set = `v.${f.key} = `;
    let read: string;
    switch (f.kind) {
      case 'int':
        read = `H.int(c, ${q(s.path + f.el)})`;
        break;
      case 'text':
        read = 'c.readText().trim()';
        break;
      case 'bool':
      case 'opt-bool':
        read = 'H.bool(c)';
        break;
      case 'texts':
      case 'opt-texts':
        read = `H.texts(c, ${q(f.child)})`;
        break;
      case 'ints':
        read = `H.ints(c, ${q(f.child)}, ${q(s.path + f.child)})`;
        break;
      case 'mobility':
        read = 'H.mobility(c)';
        break;
      case 'group':
        subs.push(f.of.read);
        read = `R[${subs.length - 1}](c)`;
        break;
      case 'list':
        subs.push(f.of.read);
        read = `H.items(c, ${q(f.of.el)}, R[${subs.length - 1}])`;
        break;
    }
    cases.push(`case ${q(f.el)}: ${set}${read}; break;`);
  }
  const body = `const v = ${makeExpr(s)};
while (c.nextChild()) {
  switch (c.name()) {
    ${cases.join('\n    ')}
    default: c.skip();
  }
}
return v;`;
  // The helpers are bound by closure, so the reader is called directly, without a wrapper.
  const make = new Function('H', 'R', `return function read(c) {\n${body}\n};`) as (
    h: ReadHelpers,
    r: ((c: XmlCursor) => object)[],
  ) => (c: XmlCursor) => object;
  return make(READ_HELPERS, subs);
}

// ---- literal fast path

/**
 * A schema compiled to sticky regexes. `parts` alternates: a segment (fields up to and including the
 * opening of a list, or up to the end tag), then the list's items, then the next segment. A segment after
 * a list comes in two forms, after `<list>` (starts with `</list>`) and after `<list />`.
 */
interface Literal {
  readonly segments: readonly { readonly afterList: RegExp; readonly afterEmpty: RegExp }[];
  /** Item regex of the list that ends segment i (segments.length - 1 of them). */
  readonly items: readonly RegExp[];
  readonly build: Build;
  /** Element levels below the element itself, for the cursor's depth bound. */
  readonly nesting: number;
}

function nesting(s: Schema<object>): number {
  let n = 1;
  for (const f of s.fields) {
    if (f.kind === 'group') n = Math.max(n, 1 + nesting(f.of));
    else if (f.kind === 'list') n = Math.max(n, 2 + nesting(f.of));
    else if (f.kind === 'texts' || f.kind === 'ints' || f.kind === 'opt-texts') n = Math.max(n, 2);
  }
  return n;
}

/** The pattern of one field; lists are split out by the caller. */
function fieldPattern(f: Field): string {
  switch (f.kind) {
    case 'int':
      return litLeaf(f.el, LIT_INT);
    case 'text':
    case 'bool':
      // `<el />` is the empty text too.
      return `${LIT_WS}<${f.el}(?:>${LIT_TEXT}</${f.el}>| ?/>)`;
    case 'opt-bool':
      return `(?:${litLeaf(f.el, LIT_TEXT)})?`;
    case 'texts':
    case 'ints':
      return litList(f.el, f.child, f.kind === 'ints');
    case 'opt-texts':
      // Group 1 is defined when the element is there, group 2 holds its children.
      return `(?:${litList(f.el, f.child, false).replace(`<${f.el}(?:`, `<${f.el}(`)})?`;
    case 'mobility':
      return `${LIT_WS}<mobility seqno="${LIT_INT}" sticky="(true|false)" ?/>`;
    case 'group':
      return `${LIT_WS}<${f.el}>${f.of.fields.map(flatPattern).join('')}${LIT_WS}</${f.el}>`;
    case 'list':
      return '';
  }
}

/** A pattern for a field of an element without lists inside (next hops, nlri): lists are not allowed. */
function flatPattern(f: Field): string {
  if (f.kind === 'list') throw new Error(`literal: list <${f.el}> nested in a group`);
  return fieldPattern(f);
}

function compileLiteral(s: Schema<object>): Literal | null {
  const parts: { close: string; body: string }[] = [];
  const items: RegExp[] = [];
  let close = '';
  let body = '';
  try {
    for (const f of s.fields) {
      if (f.kind !== 'list') {
        body += fieldPattern(f);
        continue;
      }
      // The segment ends with the list's start tag; group `( ?/)` tells the self-closed form.
      parts.push({ close, body: `${body}${LIT_WS}<${f.el}(?:( ?/)>|>)` });
      items.push(new RegExp(fieldPattern({ kind: 'group', el: f.of.el, key: '', of: f.of }), 'y'));
      close = `${LIT_WS}</${f.el}>`;
      body = '';
    }
  } catch {
    return null;
  }
  parts.push({ close, body: `${body}${LIT_WS}</${s.el}>` });
  const segments = parts.map((p) => {
    const afterEmpty = new RegExp(p.body, 'y');
    return { afterList: p.close === '' ? afterEmpty : new RegExp(p.close + p.body, 'y'), afterEmpty };
  });
  return { segments, items, build: compileBuild(s), nesting: nesting(s) };
}

/** Runs the literal after the element's START; undefined (nothing consumed) when it does not match. */
function readLiteral(c: XmlCursor, lit: Literal): object | undefined {
  const from = c.literalFrom(lit.nesting);
  if (from < 0) return undefined;
  const src = c.source;
  const end = c.limit;
  const matches: RegExpExecArray[] = [];
  const lists: RegExpExecArray[][] = [];
  let p = from;
  let empty = false;
  for (let i = 0; i < lit.segments.length; i++) {
    if (i > 0) {
      const out: RegExpExecArray[] = [];
      if (!empty) {
        const re = lit.items[i - 1]!;
        for (let m = litExec(re, src, p, end); m !== null; m = litExec(re, src, p, end)) {
          p = re.lastIndex;
          out.push(m);
        }
      }
      lists.push(out);
    }
    const seg = lit.segments[i]!;
    const re = empty ? seg.afterEmpty : seg.afterList;
    const m = litExec(re, src, p, end);
    if (m === null) return undefined;
    p = re.lastIndex;
    matches.push(m);
    empty = m[m.length - 1] !== undefined;
  }
  c.leaveAt(p);
  return lit.build(matches, lists, litTexts, litInts);
}

// The builder of a literal match: a function compiled once per schema from its field table (keys and
// element names are the table's constants, never input), so that every value is an object literal of one
// shape. A generic loop storing `v[f.key]` costs a megamorphic keyed store per field: half the decode time.

type Build = (
  matches: RegExpExecArray[],
  lists: RegExpExecArray[][],
  texts: typeof litTexts,
  ints: typeof litInts,
) => object;

const IDENT = /^[A-Za-z_$][\w$]*$/;

function compileBuild(s: Schema<object>): Build {
  const lines: string[] = [];
  const st = { seg: 0, g: 1, n: 0 };
  const root = emitObject(s, 'M[0]', st, lines, 'M', 'L');
  lines.push(`return ${root};`);
  return new Function('M', 'L', 'T', 'I', lines.join('\n')) as Build;
}

/** Emits the statements that build a value of `s` from match `m`; returns the variable holding it. */
function emitObject(
  s: Schema<object>,
  m0: string,
  st: { seg: number; g: number; n: number },
  lines: string[],
  M: string,
  L: string,
): string {
  const name = `o${st.n++}`;
  const props: string[] = [];
  const post: string[] = [];
  let m = m0;
  for (const f of s.fields) {
    if (!IDENT.test(f.key)) throw new Error(`literal: bad key ${f.key}`);
    const k = f.key;
    const g = st.g;
    switch (f.kind) {
      case 'int':
        props.push(`${k}: +${m}[${st.g++}]`);
        break;
      case 'text':
        props.push(`${k}: ${m}[${st.g++}] ?? ''`);
        break;
      case 'bool':
        props.push(`${k}: ${m}[${st.g++}] === 'true'`);
        break;
      case 'opt-bool':
        st.g++;
        post.push(`if (${m}[${g}] !== undefined) ${name}.${k} = ${m}[${g}] === 'true';`);
        break;
      case 'texts':
        props.push(`${k}: T(${m}[${st.g++}], ${JSON.stringify(f.child)}, [])`);
        break;
      case 'ints':
        props.push(`${k}: I(${m}[${st.g++}], ${JSON.stringify(f.child)}, [])`);
        break;
      case 'opt-texts':
        st.g += 2;
        post.push(
          `if (${m}[${g}] !== undefined) ${name}.${k} = T(${m}[${g + 1}], ${JSON.stringify(f.child)}, []);`,
        );
        break;
      case 'mobility':
        st.g += 2;
        props.push(`${k}: { seqno: +${m}[${g}], sticky: ${m}[${g + 1}] === 'true' }`);
        break;
      case 'group':
        props.push(`${k}: ${emitObject(f.of, m, st, lines, M, L)}`);
        break;
      case 'list': {
        // The items were matched one by one: build each from its own match (groups from 1).
        const out = `a${st.n++}`;
        const item = { seg: 0, g: 1, n: st.n };
        const inner: string[] = [];
        const v = emitObject(f.of, 'im', item, inner, M, L);
        st.n = item.n;
        lines.push(
          `const ${out} = [];`,
          `for (const im of ${L}[${st.seg}]) {`,
          ...inner,
          `${out}.push(${v});`,
          '}',
        );
        props.push(`${k}: ${out}`);
        st.seg++;
        st.g = 1;
        m = `${M}[${st.seg}]`;
        break;
      }
    }
  }
  lines.push(`const ${name} = { ${props.join(', ')} };`, ...post);
  return name;
}
