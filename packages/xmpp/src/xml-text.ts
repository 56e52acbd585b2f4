// Escaping for what we write (ltx's escapers, the same rules xmpp.js uses) and a strict unescaper for what
// we read: only the five predefined entities and character references are expanded (XML 1.0 section 4.6);
// any other reference is refused, since the stream carries no DTD that could declare it (RFC 6120 11.1).
import { escapeXML, escapeXMLText } from 'ltx';
import { RestrictedXmlError, XmlSyntaxError } from './errors.js';

const ATTR_SPECIAL = /["&'<>]/;
const TEXT_SPECIAL = /[&<>]/;

/** Escapes an attribute value (double-quoted on output). */
export function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? escapeXML(s) : s;
}

/** Escapes element text. */
export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? escapeXMLText(s) : s;
}

/**
 * A copy of `s` that does not keep alive the string it was cut from. Strings the decoder returns are slices
 * of the received data, and V8 keeps a slice of 13 or more characters as a view into its parent: a short
 * name kept long-term (a subscription's node) would pin the whole read buffer it came in. JSON.parse builds
 * a new string character by character (exactly, lone surrogates included); the obvious tricks do not copy
 * (V8 answers a slice of `' ' + s` with a slice of `s`).
 */
export function ownString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function legalChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Expands references in `s`; `offset` is where `s` starts in the document, for error positions. */
export function unescapeXml(s: string, offset: number): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12)
      throw new XmlSyntaxError('unterminated entity reference', offset + amp);
    out += s.slice(last, amp);
    const ref = s.slice(amp + 1, semi);
    if (ref === 'amp') out += '&';
    else if (ref === 'lt') out += '<';
    else if (ref === 'gt') out += '>';
    else if (ref === 'quot') out += '"';
    else if (ref === 'apos') out += "'";
    else if (ref.charCodeAt(0) === 0x23 /* # */) {
      const hex = ref.charCodeAt(1) === 0x78; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        throw new XmlSyntaxError(`bad character reference &${ref};`, offset + amp);
      }
      const cp = Number.parseInt(digits, hex ? 16 : 10);
      if (!legalChar(cp)) throw new XmlSyntaxError(`illegal character reference &${ref};`, offset + amp);
      out += String.fromCodePoint(cp);
    } else {
      throw new RestrictedXmlError(`reference to undeclared entity &${ref};`, offset + amp);
    }
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}
