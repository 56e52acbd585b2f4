// Framing: the same session bytes cut anywhere (inside the XML declaration, a comment, an attribute, a
// multi-byte UTF-8 character, the C8 80 keepalive) decode to the same events; hostile input only ever
// produces our typed errors, with bounded buffering.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_NODE_JID,
  decodeStanza,
  encodeConfig,
  encodeEndOfRib,
  encodeRoutePublish,
  encodeRouteUpdate,
  encodeStreamHeader,
  encodeSubscribe,
  FRAME_HEADER,
  FRAME_KEEPALIVE,
  FRAME_STANZA,
  FRAME_STREAM_END,
  Framer,
  RestrictedXmlError,
  StanzaTooLargeError,
  type StreamEvent,
  UnexpectedElementError,
  XmlSyntaxError,
  XmppError,
  XmppStreamDecoder,
} from '../src/index.js';
import { inetEntry, inetRoute, VRF } from './fixtures.js';

const enc = new TextEncoder();

/** A whole agent->CN direction: header, keepalives, declaration, comment, subscribe, publish pair with
 *  non-ASCII text, config with a declaration, route update, EoR, stream close. */
function sessionBytes(): Uint8Array {
  const route = { family: 'inet' as const, entry: inetEntry(5, { virtualNetwork: 'vn-ü€𝄞 <&> "q"' }) };
  const text =
    encodeStreamHeader({ from: 'compute-ü', to: CONTROL_NODE_JID, version: '1.0', lang: 'en', xmlns: '' }) +
    '\u0200 \n\t\u0200' +
    '<?xml version="1.0"?>\n<!-- a comment with <iq> and > inside -->\n' +
    encodeSubscribe(
      'subscribe',
      { from: 'compute-ü', to: `${CONTROL_NODE_JID}/bgp-peer`, id: 'subscribe0' },
      VRF,
      { instanceId: 3 },
    ) +
    '\u0200' +
    encodeRoutePublish('associate', { from: 'compute-ü', vrf: VRF, route }) +
    encodeConfig(CONTROL_NODE_JID, 'default-global-system-config:c/config', [
      {
        op: 'update',
        objects: [
          {
            kind: 'node',
            type: 'virtual-router',
            name: 'a>b',
            properties: [{ name: 'p', attrs: { q: '>"' }, children: ['x<y'] }],
          },
        ],
      },
    ]) +
    encodeRouteUpdate(CONTROL_NODE_JID, 'c/bgp-peer', 'inet', VRF, [
      { route: inetRoute(1) },
      { route: inetRoute(2) },
    ]) +
    '<iq type="set" from="a" to="b"><pubsub xmlns="p"><![CDATA[</iq>]]><subscribe node="x&amp;y"/></pubsub></iq>' +
    encodeEndOfRib('compute-ü', `${CONTROL_NODE_JID}/bgp-peer`) +
    '\u0200\u0200</stream:stream>';
  return enc.encode(text);
}

/** Decodes `bytes` fed in pieces cut at `cuts`, merging consecutive keepalive events (their count depends
 *  on how idle runs are split, which is by design). */
function decodeCut(bytes: Uint8Array, cuts: number[]): string[] {
  const d = new XmppStreamDecoder({ keepXml: false });
  const events: StreamEvent[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    events.push(...d.push(bytes.subarray(at, c)));
    at = c;
  }
  events.push(...d.end());
  const out: string[] = [];
  for (const e of events) {
    const s = JSON.stringify(e);
    if (e.type === 'keepalive' && out[out.length - 1] === s) continue;
    out.push(s);
  }
  return out;
}

describe('framer: every split point', () => {
  const bytes = sessionBytes();
  const whole = decodeCut(bytes, []);

  it('decodes the reference session into the expected event sequence', () => {
    const types = whole.map((s) => {
      const e = JSON.parse(s) as StreamEvent;
      return e.type === 'stanza' ? e.stanza.kind : e.type;
    });
    // The newline each encoder writes after a stanza is idle text: TF counts it as a keepalive too.
    expect(types).toEqual([
      'header',
      'keepalive',
      'subscribe',
      'keepalive',
      'publish',
      'keepalive',
      'collection',
      'keepalive',
      'config',
      'keepalive',
      'route-update',
      'keepalive',
      'subscribe',
      'keepalive',
      'end-of-rib',
      'keepalive',
      'stream-end',
    ]);
    expect(whole.join('')).toContain('vn-ü€𝄞 <&> \\"q\\"');
    expect(whole.join('')).toContain('x&y');
  });

  it(`the stream cut in two at each of its byte offsets gives the same events`, () => {
    for (let k = 1; k < bytes.length; k++) expect(decodeCut(bytes, [k])).toEqual(whole);
  });

  it('the stream cut at many random points gives the same events', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          expect(
            decodeCut(
              bytes,
              cuts.sort((a, b) => a - b),
            ),
          ).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one byte at a time', () => {
    expect(
      decodeCut(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(whole);
  });
});

function frames(
  input: string[],
  opts: { maxStanzaSize?: number; requireHeader?: boolean } = {},
): [number, string][] {
  const out: [number, string][] = [];
  const f = new Framer((k, t) => out.push([k, t]), opts);
  for (const chunk of input) f.write(chunk);
  return out;
}

describe('framer: what it delivers', () => {
  it('strips the declaration in front of a stanza and keeps `>` inside attribute values', () => {
    const hdr = '<stream:stream from="a" xmlns:stream="http://etherx.jabber.org/streams">';
    const iq = '<iq to="x>y" id=\'a"b\'><pubsub><x n="/>"/></pubsub></iq>';
    expect(frames([`${hdr}<?xml version="1.0"?>\n${iq}`])).toEqual([
      [FRAME_HEADER, hdr],
      [FRAME_KEEPALIVE, ''],
      [FRAME_STANZA, iq],
    ]);
  });

  it('accepts an XML declaration before the header', () => {
    const r = frames([
      '<?xml version="1.0"?>\n<stream:stream xmlns:stream="http://etherx.jabber.org/streams" >',
    ]);
    expect(r.map((x) => x[0])).toEqual([FRAME_KEEPALIVE, FRAME_HEADER]);
  });

  it('never buffers keepalives: 10 MB of C8 80 and whitespace leave nothing held', () => {
    let n = 0;
    const f = new Framer(
      (k) => {
        if (k === FRAME_KEEPALIVE) n++;
      },
      { requireHeader: false },
    );
    const chunk = '\u0200 \n'.repeat(20_000);
    for (let i = 0; i < 170; i++) {
      f.write(chunk);
      expect(f.buffered).toBe(0);
    }
    expect(n).toBe(170);
  });

  it('a stanza before the header is refused at its first tag', () => {
    expect(() => frames(['<iq type="set">'])).toThrow(UnexpectedElementError);
    expect(() => frames(['<presence/>'])).toThrow(UnexpectedElementError);
  });

  it('text or a stray end tag between stanzas is not well-formed', () => {
    expect(() => frames(['GET / HTTP/1.1\r\n'])).toThrow(XmlSyntaxError);
    expect(() => frames(['</iq>'], { requireHeader: false })).toThrow(XmlSyntaxError);
  });

  it('a DOCTYPE / entity bomb is refused before anything is expanded', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><iq>&lol2;</iq>';
    expect(() => frames([bomb], { requireHeader: false })).toThrow(RestrictedXmlError);
    // Inside a stanza, too.
    expect(() => frames(['<iq><!DOCTYPE x></iq>'], { requireHeader: false })).toThrow(RestrictedXmlError);
    // An undeclared entity reference is refused by the parser.
    expect(() => decodeStanza('<iq type="set"><pubsub><subscribe node="&lol9;"/></pubsub></iq>')).toThrow(
      RestrictedXmlError,
    );
  });

  it('a 100 MB stanza is cut off at the limit; memory stays bounded by limit + one chunk', () => {
    const f = new Framer(() => {}, { maxStanzaSize: 1 << 20, requireHeader: false });
    f.write('<iq type="set"><pubsub>');
    const chunk = `<x>${'a'.repeat(65_530)}</x>`;
    let sent = 0;
    let err: unknown;
    try {
      while (sent < 100 * 1024 * 1024) {
        f.write(chunk);
        sent += chunk.length;
        expect(f.buffered).toBeLessThanOrEqual((1 << 20) + chunk.length);
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StanzaTooLargeError);
    expect((err as StanzaTooLargeError).condition).toBe('policy-violation');
    expect(sent).toBeLessThan(2 << 20);
  });

  it('a single huge chunk is refused without scanning it all', () => {
    const big = `<iq>${'<a>x</a>'.repeat(300_000)}</iq>`;
    expect(() => frames([big], { maxStanzaSize: 100_000, requireHeader: false })).toThrow(
      StanzaTooLargeError,
    );
  });

  it('deep nesting is refused (no recursion bomb)', () => {
    // Scanned tag by tag (the comment disables the fast path): refused by the framer.
    expect(() =>
      frames([`<iq><!-- -->${'<a>'.repeat(100)}${'</a>'.repeat(100)}</iq>`], { requireHeader: false }),
    ).toThrow(XmlSyntaxError);
    // Framed by the fast path: refused by the parser.
    expect(() => decodeStanza(`<iq>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</iq>`)).toThrow(XmlSyntaxError);
  });

  it('the fast path falls back when CDATA, a comment or a nested same-name element could fool it', () => {
    const hdr = '<stream:stream xmlns:stream="http://etherx.jabber.org/streams">';
    for (const iq of [
      '<iq><![CDATA[</iq>]]></iq>',
      '<iq><!-- </iq> --></iq>',
      '<iq><iq></iq></iq>',
      '<iq><?pi </iq> ?></iq>',
      '<iq ><x/></iq >',
    ]) {
      expect(frames([hdr + iq]).filter((f) => f[0] === FRAME_STANZA)).toEqual([[FRAME_STANZA, iq]]);
    }
    // `</iqx>` is not the end of `<iq>`.
    expect(frames([`${hdr}<iq><iqx></iqx></iq>`]).filter((f) => f[0] === FRAME_STANZA)).toEqual([
      [FRAME_STANZA, '<iq><iqx></iqx></iq>'],
    ]);
  });

  it('the fast path and its fallbacks give the same frames for every cut into two and three chunks', () => {
    const hdr = '<stream:stream xmlns:stream="http://etherx.jabber.org/streams">';
    const stanzas = [
      // The root's name in text and attribute values, with and without a tag delimiter after it.
      '<message a="message /message"><x>message/message </x><message-x>message</message-x></message >',
      '<message><![CDATA[</message>]]><y>why? wow!</y></message>',
      '<message><!-- </message> --></message>',
      '<message><message></message></message>',
      '<message><?pi </message> ?></message>',
      '<iq><iq/><iq >x</iq></iq>',
    ];
    const stream = `${hdr}\n${stanzas.join('\n')}\n`;
    const want = frames([stream]);
    expect(want.filter((f) => f[0] === FRAME_STANZA).map((f) => f[1])).toEqual(stanzas);
    for (let i = 1; i < stream.length; i++) {
      expect(frames([stream.slice(0, i), stream.slice(i)])).toEqual(want);
      const j = i + ((i * 7) % (stream.length - i));
      expect(frames([stream.slice(0, i), stream.slice(i, j), stream.slice(j)])).toEqual(want);
    }
  });

  it('random stanza-like input frames the same (or fails the same) however it is cut', () => {
    const hdr = '<stream:stream xmlns:stream="http://etherx.jabber.org/streams">';
    // A run of idle characters cut by a chunk boundary is two keepalives: compare runs, not counts.
    const outcome = (chunks: string[]): unknown => {
      try {
        return frames(chunks).filter(
          (f, i, all) => f[0] !== FRAME_KEEPALIVE || all[i - 1]?.[0] !== FRAME_KEEPALIVE,
        );
      } catch (e) {
        return (e as Error).name;
      }
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '<message>',
            '</message>',
            '<message/>',
            '<iq>',
            '</iq>',
            '<x>',
            '</x>',
            '<!-- ',
            ' -->',
            '<?p ',
            '?>',
            '<![CDATA[',
            ']]>',
            'message',
            '/message',
            ' a="</message>"',
            '!',
            '?',
            '\n',
            'Ȁ',
          ),
          { maxLength: 40 },
        ),
        fc.nat(),
        fc.nat(),
        (parts, a, b) => {
          const s = hdr + parts.join('');
          const i = a % (s.length + 1);
          const j = i + (b % (s.length - i + 1));
          expect(outcome([s.slice(0, i), s.slice(i, j), s.slice(j)])).toEqual(outcome([s]));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('regression: a start tag without a name ends with a typed error (it once looped in the fast path)', () => {
    const hdr = '<stream:stream xmlns:stream="http://etherx.jabber.org/streams">';
    for (const bad of ['<>x</>', '< a="1">x</ >', '<>', '< >']) {
      let err: unknown;
      try {
        frames([hdr + bad, ' </x>']);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(XmppError);
    }
  });

  it('an unclosed stanza at end of stream is reported by the stream decoder', () => {
    const d = new XmppStreamDecoder({ midStream: true });
    d.push(enc.encode('<iq type="set"><pubsub>'));
    const ev = d.end();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ type: 'error', fatal: true });
  });

  it('stream close is its own frame', () => {
    expect(frames(['</stream:stream>'], { requireHeader: false })).toEqual([[FRAME_STREAM_END, '']]);
  });
});

describe('fuzz: random and mutated input only produces typed errors', () => {
  const good = new TextDecoder().decode(sessionBytes());

  function feed(s: string, cuts: number[]): void {
    const d = new XmppStreamDecoder();
    let at = 0;
    for (const c of [...cuts, s.length]) {
      for (const e of d.push(enc.encode(s.slice(at, c)))) {
        if (e.type === 'error') expect(e.error).toBeInstanceOf(XmppError);
      }
      at = c;
    }
    for (const e of d.end()) if (e.type === 'error') expect(e.error).toBeInstanceOf(XmppError);
  }

  it('random strings', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            '<',
            '>',
            '/',
            '?',
            '!',
            '-',
            '[',
            ']',
            '"',
            "'",
            '=',
            '&',
            ';',
            '#',
            'a',
            'iq',
            ' ',
            'Ȁ',
          ),
          maxLength: 200,
        }),
        (s) => {
          feed(`<stream:stream xmlns:stream="http://etherx.jabber.org/streams">${s}`, []);
          try {
            decodeStanza(s);
          } catch (e) {
            expect(e).toBeInstanceOf(XmppError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutated sessions (bytes replaced, deleted, inserted) with random cuts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(good.length - 1),
            fc.constantFrom('', '<', '>', '/', '"', '&', 'x', '<!--', '<!DOCTYPE', ']]>', '\u0200'),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.uniqueArray(fc.nat(good.length), { maxLength: 5 }),
        (muts, cuts) => {
          let s = good;
          for (const [at, ins] of muts) s = s.slice(0, at) + ins + s.slice(at + 1);
          feed(
            s,
            cuts.filter((c) => c < s.length).sort((a, b) => a - b),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
