// RFC 6120 section 4.2 stream headers, 4.3.2 stream features, 5.4.2 STARTTLS, 4.9 stream errors, in the form
// the TF dialect requires (PROTOCOL.md sections 0 and 1):
//
//   <stream:stream from=".." to=".." [id=".."] version="1.0" xml:lang="en" xmlns=".."
//                  xmlns:stream="http://etherx.jabber.org/streams" >
//
// The attribute order is fixed and `xmlns:stream` must be last: TF finds the end of the header with the
// regex `http://etherx.jabber.org/streams["'][\s\t\r\n]*>`. No XML declaration is sent; one is accepted.
import { NS_STREAM, NS_STREAM_ERRORS, NS_TLS } from './constants.js';
import { StreamHeaderError, type XmppError } from './errors.js';
import { TOKEN_START, XmlCursor } from './xml-cursor.js';
import { escapeAttr, escapeText } from './xml-text.js';

export interface StreamHeader {
  from: string;
  to: string;
  /** Stream id; the TF control node always sends `++123`, the agent none. */
  id?: string;
  version: string;
  lang: string;
  /** Default namespace: the agent's subcluster name (`""` by default), `jabber:client` from the CN. */
  xmlns: string;
}

/** Writes a stream header in TF's attribute order, ending `" >` as pugixml-printed headers do. */
export function encodeStreamHeader(h: StreamHeader): string {
  const id = h.id === undefined ? '' : ` id="${escapeAttr(h.id)}"`;
  return (
    `<stream:stream from="${escapeAttr(h.from)}" to="${escapeAttr(h.to)}"${id} version="${escapeAttr(h.version)}" ` +
    `xml:lang="${escapeAttr(h.lang)}" xmlns="${escapeAttr(h.xmlns)}" xmlns:stream="${NS_STREAM}" >`
  );
}

/** Reads a header start tag as the framer delivers it (`<stream:stream ...>`). */
export function decodeStreamHeader(tag: string): StreamHeader {
  const c = new XmlCursor(`${tag.slice(0, -1)}/>`);
  if (c.next() !== TOKEN_START || c.name() !== 'stream:stream')
    throw new StreamHeaderError('not a stream header');
  const ns = c.attr('xmlns:stream');
  if (ns !== NS_STREAM) {
    throw new StreamHeaderError(
      `xmlns:stream is ${ns === undefined ? 'missing' : `"${ns}"`}`,
      'invalid-namespace',
    );
  }
  const version = c.attr('version') ?? '';
  // RFC 6120 4.7.5: a major version other than 1 is unsupported; TF always sends 1.0.
  if (version !== '' && !version.startsWith('1.')) {
    throw new StreamHeaderError(`unsupported version ${version}`, 'unsupported-version');
  }
  const h: StreamHeader = {
    from: c.attr('from') ?? '',
    to: c.attr('to') ?? '',
    version,
    lang: c.attr('xml:lang') ?? '',
    xmlns: c.attr('xmlns') ?? '',
  };
  const id = c.attr('id');
  if (id !== undefined) h.id = id;
  return h;
}

/** The CN's features when TLS is on: exactly the STARTTLS feature, marked required. */
export function encodeStartTlsFeatures(): string {
  return `<?xml version="1.0"?>\n<stream:features>\n<starttls xmlns="${NS_TLS}">\n<required />\n</starttls>\n</stream:features>\n`;
}

/** TF's framer looks for `/>`: starttls and proceed must be self-closing. */
export function encodeStartTls(): string {
  return `<?xml version="1.0"?>\n<starttls xmlns="${NS_TLS}" />`;
}

export function encodeProceed(): string {
  return `<?xml version="1.0"?>\n<proceed xmlns="${NS_TLS}" />`;
}

export const STREAM_CLOSE = '</stream:stream>';

/** RFC 6120 4.9.2 stream error followed by the stream close. */
export function encodeStreamError(err: XmppError): string {
  const cond = err.condition ?? 'undefined-condition';
  return (
    `<stream:error><${cond} xmlns="${NS_STREAM_ERRORS}" />` +
    `<text xmlns="${NS_STREAM_ERRORS}">${escapeText(err.message)}</text></stream:error>${STREAM_CLOSE}`
  );
}
