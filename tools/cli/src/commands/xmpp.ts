// `filament xmpp decode`: stanzas of the Tungsten Fabric controller<->agent XMPP dialect as typed JSON.
import { readFile } from 'node:fs/promises';
import { type StreamEvent, XmppStreamDecoder } from '@filament/xmpp';
import { type Command, type Io, jsonLine, parseArgs, UsageError } from '../command.js';

const help = `Usage: filament xmpp decode [FILE] [options]

Decodes XMPP stanzas of the Tungsten Fabric controller<->agent dialect (FILE, or standard input when FILE is
absent or -) and prints one JSON object per line, tagged by "kind": subscribe, unsubscribe, publish,
collection, route-update, route-retract, end-of-rib, config, features, starttls, proceed, stream-error,
stream-header, stream-end. Input may hold one stanza, several (a publish + collection pair), or a whole
captured TCP stream of one direction (stream header, keepalives, stanzas).

Options:
  --keepalives    also print {"kind":"keepalive"} for idle text and C8 80 keepalives
  --pretty        indent the JSON
  --max-size N    largest stanza in characters (default 1048576)
  --help          this text

Exit status: 0 when everything decoded, 1 when a stanza failed (its error is printed as
{"kind":"error", name, code, condition, message}).

Example:
  filament xmpp decode agent-publish-inet4-add.xml
  cat stream.bin | filament xmpp decode --keepalives
`;

async function readInput(file: string | undefined, io: Io): Promise<Buffer> {
  if (file !== undefined && file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

function eventJson(e: StreamEvent): Record<string, unknown> {
  switch (e.type) {
    case 'header':
      return { kind: 'stream-header', ...e.header };
    case 'stanza':
      return { ...e.stanza };
    case 'keepalive':
      return { kind: 'keepalive' };
    case 'stream-end':
      return { kind: 'stream-end' };
    case 'error': {
      const err = e.error;
      return {
        kind: 'error',
        name: err.name,
        code: err.code,
        condition: err.condition ?? null,
        message: err.message,
      };
    }
  }
}

export const xmppDecodeCommand: Command = {
  path: ['xmpp', 'decode'],
  summary: 'decode Tungsten Fabric controller<->agent XMPP stanzas or a captured stream as typed JSON',
  help,
  async run(args, io) {
    const { flags, values, positionals } = parseArgs(args, ['keepalives', 'pretty'], ['max-size']);
    if (positionals.length > 1) throw new UsageError('expects at most one FILE');
    const maxStanzaSize = values.has('max-size') ? Number(values.get('max-size')) : undefined;
    if (maxStanzaSize !== undefined && !(Number.isInteger(maxStanzaSize) && maxStanzaSize > 0)) {
      throw new UsageError('--max-size takes a positive integer');
    }
    const input = await readInput(positionals[0], io);
    // A file may start anywhere in a session: without a header, with a declaration, mid-stream.
    const decoder = new XmppStreamDecoder({
      midStream: true,
      keepXml: false,
      ...(maxStanzaSize ? { maxStanzaSize } : {}),
    });
    const events = [...decoder.push(input), ...decoder.end()];
    let failed = false;
    for (const e of events) {
      if (e.type === 'keepalive' && !flags.has('keepalives')) continue;
      if (e.type === 'error') failed = true;
      const v = eventJson(e);
      io.stdout.write(flags.has('pretty') ? `${JSON.stringify(v, null, 2)}\n` : jsonLine(v));
    }
    return failed ? 1 : 0;
  },
};
