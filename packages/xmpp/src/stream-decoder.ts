// Decodes one direction of a captured or live TCP stream into typed events, without a socket: feed it the
// TCP payload bytes in order (e.g. from `filament pcap` after reassembly). Bytes are decoded as UTF-8 with a
// StringDecoder, so a multi-byte character (the C8 80 keepalive) split across segments is kept whole.
// A framing error ends the stream (the bytes after it cannot be framed reliably); a stanza that frames but
// does not decode is reported and decoding goes on.
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_MAX_STANZA_SIZE } from './constants.js';
import { XmppError } from './errors.js';
import { FRAME_HEADER, FRAME_KEEPALIVE, FRAME_STANZA, FRAME_STREAM_END, Framer } from './framer.js';
import { decodeStanza, type Stanza } from './stanza.js';
import { decodeStreamHeader, type StreamHeader } from './stream-header.js';

export type StreamEvent =
  | { type: 'header'; header: StreamHeader }
  | { type: 'stanza'; stanza: Stanza; xml: string }
  | { type: 'keepalive' }
  | { type: 'stream-end' }
  | { type: 'error'; error: XmppError; xml?: string; fatal: boolean };

export interface StreamDecoderOptions {
  maxStanzaSize?: number;
  /** Accept stanzas without a preceding header (a capture that starts mid-session). Default false. */
  midStream?: boolean;
  /** Keep the stanza text in `stanza` events (default true). */
  keepXml?: boolean;
}

export class XmppStreamDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private readonly framer: Framer;
  private readonly keepXml: boolean;
  private out: StreamEvent[] = [];
  private failed = false;

  constructor(opts: StreamDecoderOptions = {}) {
    this.keepXml = opts.keepXml ?? true;
    this.framer = new Framer((kind, text) => this.frame(kind, text), {
      maxStanzaSize: opts.maxStanzaSize ?? DEFAULT_MAX_STANZA_SIZE,
      requireHeader: !(opts.midStream ?? false),
    });
  }

  private frame(kind: number, text: string): void {
    if (kind === FRAME_KEEPALIVE) this.out.push({ type: 'keepalive' });
    else if (kind === FRAME_STREAM_END) this.out.push({ type: 'stream-end' });
    else if (kind === FRAME_HEADER) {
      try {
        this.out.push({ type: 'header', header: decodeStreamHeader(text) });
      } catch (err) {
        this.out.push({ type: 'error', error: asXmppError(err), xml: text, fatal: false });
      }
    } else if (kind === FRAME_STANZA) {
      try {
        const stanza = decodeStanza(text);
        this.out.push(
          this.keepXml ? { type: 'stanza', stanza, xml: text } : { type: 'stanza', stanza, xml: '' },
        );
      } catch (err) {
        this.out.push({ type: 'error', error: asXmppError(err), xml: text, fatal: false });
      }
    }
  }

  /** True once a framing error stopped the stream. */
  get stopped(): boolean {
    return this.failed;
  }

  /** Feeds bytes; returns the events they completed. */
  push(bytes: Uint8Array): StreamEvent[] {
    if (this.failed) return [];
    try {
      this.framer.write(this.decoder.write(bytes as Buffer));
    } catch (err) {
      this.failed = true;
      this.out.push({ type: 'error', error: asXmppError(err), fatal: true });
    }
    const events = this.out;
    this.out = [];
    return events;
  }

  /** Ends the stream; reports an unfinished stanza as an error. */
  end(): StreamEvent[] {
    const events = this.push(new Uint8Array(0));
    if (!this.failed && this.framer.buffered > 0) {
      events.push({
        type: 'error',
        error: new XmppError(
          `stream ended inside a stanza (${this.framer.buffered} characters pending)`,
          'bad-format',
        ),
        fatal: true,
      });
    }
    return events;
  }
}

function asXmppError(err: unknown): XmppError {
  return err instanceof XmppError ? err : new XmppError(String(err), 'undefined-condition');
}
