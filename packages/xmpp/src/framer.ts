// Splits the character stream of one direction into stream headers, stanzas, keepalives and the stream end
// (RFC 6120 4.2-4.4 for the stream; PROTOCOL.md section 2 for the dialect's framing). Unlike the TF receiver,
// which searches `</iq>` with a regex, this is a real XML scanner: it tracks element depth and skips quoted
// attribute values, comments, CDATA and processing instructions, so any `<`/`>` inside them cannot cut a
// stanza short. It resumes where it stopped, so a stanza split at any character costs O(size) in total.
//
//   stream := idle* header ( idle* | decl | comment | stanza )* [ '</stream:stream>' ]
//   idle   := ' ' | '\t' | '\r' | '\n' | U+0200 (bytes C8 80, the TF keepalive) | U+FFFD (a lone C8 or 80)
//
// Idle characters between stanzas are dropped at once (never buffered); what is buffered is at most the
// stanza under construction, bounded by `maxStanzaSize`. A DOCTYPE anywhere is refused.
import { DEFAULT_MAX_STANZA_SIZE } from './constants.js';
import { RestrictedXmlError, StanzaTooLargeError, UnexpectedElementError, XmlSyntaxError } from './errors.js';
import { MAX_DEPTH } from './xml-cursor.js';

export const FRAME_HEADER = 1;
export const FRAME_STANZA = 2;
export const FRAME_KEEPALIVE = 3;
export const FRAME_STREAM_END = 4;

/**
 * Receives frames. `text` is the header's start tag, or the whole stanza from its `<` to its end tag's `>`
 * (any XML declaration before it removed); empty for keepalives and the stream end.
 */
export type FrameHandler = (kind: number, text: string) => void;

export interface FramerOptions {
  /** Largest stanza or header, in characters (UTF-16 code units). */
  maxStanzaSize?: number;
  /** Refuse any element before a `<stream:stream>` header (default true). */
  requireHeader?: boolean;
}

function isIdle(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x200 || c === 0xfffd;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class Framer {
  private buf = '';
  /** Where scanning resumes in `buf`. */
  private scan = 0;
  /** Start of the stanza under construction in `buf`, valid while depth > 0. */
  private stanzaStart = 0;
  private depth = 0;
  /** Names of the open elements of the stanza under construction (slow path). */
  private readonly names: string[] = [];
  /** Fast path: the stanza's end tag prefix (`</iq`) is searched directly; '' when scanning tag by tag. */
  private closeTag = '';
  /** Fast path: where the name search resumes, where the root's content starts, and how far the content is
   * known to hold no `<!` or `<?`. */
  private fastFrom = 0;
  private bodyStart = 0;
  private markFrom = 0;
  /** Fast path, valid during one write(): the next `!` / `?` at or after a position already searched
   * (-1: none up to the end of the text; -2: not searched yet), so that no search repeats. */
  private nextBang = -2;
  private nextQuest = -2;
  /** Inside an incomplete construct: where its terminator search resumes, and the open quote in a tag. */
  private resume = 0;
  private quote = 0;
  private headerSeen = false;
  private stopped = false;
  private readonly max: number;
  private readonly requireHeader: boolean;
  private readonly onFrame: FrameHandler;

  constructor(onFrame: FrameHandler, opts: FramerOptions = {}) {
    this.onFrame = onFrame;
    this.max = opts.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE;
    this.requireHeader = opts.requireHeader ?? true;
  }

  /** Characters held for the stanza under construction (what the size limit bounds). */
  get buffered(): number {
    return this.buf.length;
  }

  /** True once a stream header has been seen since the last reset. */
  get hasHeader(): boolean {
    return this.headerSeen;
  }

  /** Forgets everything: a new stream starts (after STARTTLS, or a new connection). */
  reset(): void {
    this.buf = '';
    this.scan = 0;
    this.depth = 0;
    this.resume = 0;
    this.quote = 0;
    this.headerSeen = false;
    this.stopped = false;
  }

  /** Makes the current write() return after the frame being delivered, dropping the rest (STARTTLS). */
  stop(): void {
    this.stopped = true;
  }

  /** Feeds decoded characters; calls the handler for every complete frame. Throws XmppError subclasses. */
  write(chunk: string): void {
    if (this.stopped) return;
    const s = this.buf.length === 0 ? chunk : this.buf + chunk;
    const len = s.length;
    this.nextBang = -2;
    this.nextQuest = -2;
    let p = this.scan;
    // Everything before `consumed` is delivered or dropped.
    let consumed = this.depth > 0 ? this.stanzaStart : p;
    for (;;) {
      if (this.depth === 0) {
        // Between stanzas `consumed === p`, so advancing p over idle characters drops them.
        while (p < len && isIdle(s.charCodeAt(p))) p++;
        if (p > consumed) {
          consumed = p;
          this.onFrame(FRAME_KEEPALIVE, '');
          if (this.stopped) return;
        }
        if (p >= len) break;
        if (s.charCodeAt(p) !== 0x3c) throw new XmlSyntaxError('text between stanzas', p);
      } else if (this.closeTag !== '') {
        // Fast path (TF frames this way, with a regex): find the root's end tag with one native search.
        const r = this.fastEnd(s, len);
        if (r === -1) {
          p = len;
          break;
        }
        if (r >= 0) {
          p = r;
          this.depth = 0;
          this.closeTag = '';
          if (p - this.stanzaStart > this.max) throw new StanzaTooLargeError(this.max, p - this.stanzaStart);
          const text = s.slice(this.stanzaStart, p);
          consumed = p;
          this.onFrame(FRAME_STANZA, text);
          if (this.stopped) return;
          continue;
        }
        // Something inside could hide or nest the end tag: scan this stanza tag by tag instead.
        this.closeTag = '';
        p = this.bodyStart;
        continue;
      } else {
        const lt = s.indexOf('<', p);
        if (lt === -1) {
          p = len;
          break;
        }
        p = lt;
        if (p - this.stanzaStart > this.max) throw new StanzaTooLargeError(this.max, p - this.stanzaStart);
      }
      // At a '<'. Need the next character to classify, or wait.
      if (p + 1 >= len) break;
      const c1 = s.charCodeAt(p + 1);
      if (c1 === 0x2f) {
        const gt = s.indexOf('>', p + 2);
        if (gt === -1) break;
        let q = p + 2;
        while (q < gt && !isWs(s.charCodeAt(q))) q++;
        if (this.depth === 0) {
          const name = s.slice(p + 2, q);
          if (name !== 'stream:stream') throw new XmlSyntaxError(`end tag </${name}> between stanzas`, p);
          p = gt + 1;
          consumed = p;
          this.onFrame(FRAME_STREAM_END, '');
          if (this.stopped) return;
          continue;
        }
        // Check the end tag against its start tag now, so a mismatch fails at once rather than leaving
        // a stanza that can never complete.
        const open = this.names[this.depth - 1]!;
        if (q - (p + 2) !== open.length || !s.startsWith(open, p + 2)) {
          throw new XmlSyntaxError(`end tag </${s.slice(p + 2, q)}> does not match <${open}>`, p);
        }
        p = gt + 1;
        if (--this.depth === 0) {
          const text = s.slice(this.stanzaStart, p);
          consumed = p;
          this.onFrame(FRAME_STANZA, text);
          if (this.stopped) return;
        }
        continue;
      }
      if (c1 === 0x21 || c1 === 0x3f) {
        // Comment, CDATA, PI or declaration: find the terminator, resuming an earlier search.
        let term: string;
        let from: number;
        if (c1 === 0x3f) {
          term = '?>';
          from = p + 2;
        } else if (s.startsWith('<!--', p)) {
          term = '-->';
          from = p + 4;
        } else if (s.startsWith('<![CDATA[', p) && this.depth > 0) {
          term = ']]>';
          from = p + 9;
        } else if (len - p < 9 && ('<!--'.startsWith(s.slice(p)) || '<![CDATA['.startsWith(s.slice(p)))) {
          break;
        } else {
          throw new RestrictedXmlError('DOCTYPE or markup declaration', p);
        }
        const close = s.indexOf(term, Math.max(from, this.resume));
        if (close === -1) {
          this.resume = Math.max(from, len - term.length + 1);
          break;
        }
        this.resume = 0;
        p = close + term.length;
        if (this.depth === 0) consumed = p;
        continue;
      }
      // Start tag: find its '>' outside quoted attribute values.
      let q = this.resume > p ? this.resume : p + 1;
      let quote = this.resume > p ? this.quote : 0;
      while (q < len) {
        const c = s.charCodeAt(q);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === 0x22 || c === 0x27) {
          quote = c;
        } else if (c === 0x3e) {
          break;
        } else if (c === 0x3c) {
          throw new XmlSyntaxError("'<' inside a tag", q);
        }
        q++;
      }
      if (q >= len) {
        this.resume = q;
        this.quote = quote;
        break;
      }
      this.resume = 0;
      this.quote = 0;
      const selfClosing = s.charCodeAt(q - 1) === 0x2f;
      if (this.depth === 0) {
        let n = p + 1;
        while (n < q && !isWs(s.charCodeAt(n)) && s.charCodeAt(n) !== 0x2f) n++;
        const name = s.slice(p + 1, n);
        if (name === 'stream:stream' && !selfClosing) {
          const tag = s.slice(p, q + 1);
          p = q + 1;
          consumed = p;
          this.headerSeen = true;
          this.onFrame(FRAME_HEADER, tag);
          if (this.stopped) return;
          continue;
        }
        // A stream error may come instead of the header (a peer refusing us right after TLS).
        if (this.requireHeader && !this.headerSeen && name !== 'stream:error') {
          throw new UnexpectedElementError(name, 'awaiting-header');
        }
        if (selfClosing) {
          const text = s.slice(p, q + 1);
          p = q + 1;
          consumed = p;
          this.onFrame(FRAME_STANZA, text);
          if (this.stopped) return;
          continue;
        }
        this.stanzaStart = p;
        this.names[0] = name;
        this.depth = 1;
        this.closeTag = `</${name}`;
        this.bodyStart = q + 1;
        this.fastFrom = q + 1;
        this.markFrom = q + 1;
      } else if (!selfClosing) {
        if (this.depth >= MAX_DEPTH) throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH}`, p);
        let n = p + 1;
        while (n < q && !isWs(s.charCodeAt(n)) && s.charCodeAt(n) !== 0x2f) n++;
        this.names[this.depth++] = s.slice(p + 1, n);
      }
      p = q + 1;
    }
    const held = len - consumed;
    if (held > this.max) throw new StanzaTooLargeError(this.max, held);
    this.buf = held === 0 ? '' : s.slice(consumed);
    this.scan = p - consumed;
    if (this.depth > 0) {
      this.stanzaStart -= consumed;
      this.bodyStart -= consumed;
      this.fastFrom -= consumed;
      this.markFrom -= consumed;
    }
    if (this.resume > 0) this.resume -= consumed;
  }

  /**
   * Fast path: returns the index after the stanza's end tag, -1 when it has not arrived yet, or -2 when the
   * stanza holds something that makes a plain search unsafe (a comment, CDATA, PI or DOCTYPE, or a nested
   * element with the root's name). Those fall back to the tag-by-tag scan.
   *
   * One compiled search finds the root's name followed by a delimiter (a literal of several characters,
   * which the regex engine skips through), and the characters before it tell `</name` (the end) from `<name`
   * (nested: fall back) from text. `<!` and `<?` are found by their rare second character. This reads each
   * character about once, instead of stopping at every `<` of the stanza.
   */
  private fastEnd(s: string, len: number): number {
    const name = this.names[0]!;
    // An empty name (`<>`, `< a>`) is not an element: the tag-by-tag scan refuses it.
    if (name.length === 0) return -2;
    const re = namePattern(name);
    re.lastIndex = this.fastFrom;
    let e = -1;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      const i = m.index;
      const before = s.charCodeAt(i - 1);
      if (before === 0x3c) return -2;
      if (before === 0x2f && s.charCodeAt(i - 2) === 0x3c) {
        e = i - 2;
        break;
      }
    }
    const to = e === -1 ? len : e;
    if (this.markupBefore(s, to)) return -2;
    if (e === -1) {
      // The name may be cut at the end of the text (then the delimiter is missing): search it again.
      this.fastFrom = Math.max(this.bodyStart, len - name.length);
      this.markFrom = len;
      return -1;
    }
    const after = e + this.closeTag.length;
    const gt = s.indexOf('>', after);
    if (gt === -1) {
      this.fastFrom = e + 2;
      this.markFrom = e;
      return -1;
    }
    for (let i = after; i < gt; i++) if (!isWs(s.charCodeAt(i))) return -2;
    return gt + 1;
  }

  /** True when `<!` or `<?` starts in [markFrom, to). */
  private markupBefore(s: string, to: number): boolean {
    const from = this.markFrom;
    let b = this.nextBang;
    if (b !== -1 && b < from) b = s.indexOf('!', from);
    while (b !== -1 && b < to && s.charCodeAt(b - 1) !== 0x3c) b = s.indexOf('!', b + 1);
    this.nextBang = b;
    if (b !== -1 && b < to) return true;
    let q = this.nextQuest;
    if (q !== -1 && q < from) q = s.indexOf('?', from);
    while (q !== -1 && q < to && s.charCodeAt(q - 1) !== 0x3c) q = s.indexOf('?', q + 1);
    this.nextQuest = q;
    return q !== -1 && q < to;
  }
}

const patterns = new Map<string, RegExp>();

/** The element name followed by a delimiter of a tag (whitespace, `>` or `/`). */
function namePattern(name: string): RegExp {
  let re = patterns.get(name);
  if (re === undefined) {
    const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    re = new RegExp(`${n}(?=[\\s>/])`, 'g');
    if (patterns.size < 64) patterns.set(name, re);
  }
  return re;
}
