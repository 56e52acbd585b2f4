// `filament bgp decode`: BGP messages (RFC 4271 4) from hex text or a raw file, decoded with @filament/bgp
// and printed as JSON lines. UPDATE problems (RFC 7606) are printed with the message; messages that cannot be
// decoded print a typed error line with the NOTIFICATION a speaker would send and the RFC 7606 action.
import { readFileSync } from 'node:fs';
import {
  Afi,
  BgpError,
  decodeMessage,
  type Family,
  familyName,
  notificationCodeName,
  notificationSubcodeName,
  Safi,
  type SessionContext,
  sessionContext,
} from '@filament/bgp';
import { type Command, jsonLine, parseArgs, UsageError } from '../command.js';
import { prettyTree } from '../pretty.js';

const help = `Usage: filament bgp decode [HEX] [options]

Decodes BGP messages (header included: 16-octet marker, length, type) and prints one JSON object per
message: {"length", "message": {type, ...fields}, "problems"?, "action"?}. "problems" lists RFC 7606
findings of an UPDATE (attribute, action, reason, the NOTIFICATION to send). A message that cannot be
decoded prints {"error": {name, code, layer, field, offset, message, action, notification}} and the exit
code is 1 once every message has been read.

Input, one of:
  HEX                      one message as hex (spaces, colons and a 0x prefix are ignored)
  (none)                   one hex message per line on standard input
  --file F                 a raw binary file of concatenated messages

Options:
  --as2                    the session uses 2-octet AS numbers (no 4-octet AS capability, RFC 6793)
  --add-path FAMILY        NLRI of FAMILY carry RFC 7911 path identifiers; repeatable or comma-separated.
                           FAMILY: ipv4-unicast, ipv6-unicast, ipv4-labeled-unicast, ipv4-mpls-vpn (vpnv4),
                           ipv6-mpls-vpn (vpnv6), l2vpn-evpn (evpn), ipv4-rtc (rtc), or AFI/SAFI
  --extended-message       messages may be up to 65535 bytes (RFC 8654)
  --pretty                 an indented tree per message instead of JSON lines
  --help                   this text

Example:
  filament bgp decode ffffffffffffffffffffffffffffffff001304
  filament bgp decode --file updates.bin --add-path ipv4-unicast --pretty
`;

const known: Family[] = [
  { afi: Afi.IPv4, safi: Safi.Unicast },
  { afi: Afi.IPv6, safi: Safi.Unicast },
  { afi: Afi.IPv4, safi: Safi.Multicast },
  { afi: Afi.IPv6, safi: Safi.Multicast },
  { afi: Afi.IPv4, safi: Safi.Labeled },
  { afi: Afi.IPv6, safi: Safi.Labeled },
  { afi: Afi.IPv4, safi: Safi.MplsVpn },
  { afi: Afi.IPv6, safi: Safi.MplsVpn },
  { afi: Afi.IPv4, safi: Safi.RouteTargetConstraint },
  { afi: Afi.L2VPN, safi: Safi.Evpn },
];
const aliases = new Map<string, Family>([
  ['vpnv4', { afi: Afi.IPv4, safi: Safi.MplsVpn }],
  ['vpnv6', { afi: Afi.IPv6, safi: Safi.MplsVpn }],
  ['l3vpn-ipv4-unicast', { afi: Afi.IPv4, safi: Safi.MplsVpn }],
  ['l3vpn-ipv6-unicast', { afi: Afi.IPv6, safi: Safi.MplsVpn }],
  ['evpn', { afi: Afi.L2VPN, safi: Safi.Evpn }],
  ['rtc', { afi: Afi.IPv4, safi: Safi.RouteTargetConstraint }],
]);

/** A family from its name (`ipv4-unicast`, `vpnv4`, ...) or `AFI/SAFI`. */
export function parseFamily(text: string): Family {
  const t = text.trim().toLowerCase();
  const m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) {
    const afi = Number(m[1]);
    const safi = Number(m[2]);
    if (afi > 0xffff || safi > 0xff) throw new UsageError(`family out of range: ${text}`);
    return { afi, safi };
  }
  const f = aliases.get(t) ?? known.find((k) => familyName(k) === t);
  if (!f) throw new UsageError(`unknown family '${text}'`);
  return f;
}

/** The values of every `--NAME v` / `--NAME=v` in `args` (comma lists split), and the other arguments. */
function takeRepeated(args: string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      values.push(...v.split(','));
    } else if (a.startsWith(`--${name}=`)) values.push(...a.slice(name.length + 3).split(','));
    else rest.push(a);
  }
  return { values: values.filter((v) => v.length > 0), rest };
}

/** Hex text to bytes; spaces, colons, newlines and a leading 0x are ignored. */
export function parseHex(text: string): Uint8Array {
  const t = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (t.length % 2 !== 0 || /[^0-9a-f]/i.test(t)) throw new UsageError(`not hex: ${text.slice(0, 40)}`);
  return Uint8Array.from(Buffer.from(t, 'hex'));
}

/** The JSON of a decoding error: what failed, where, and what a speaker does about it. */
export function bgpErrorJson(e: BgpError): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: e.name,
    code: e.code,
    layer: e.layer,
    field: e.field,
    offset: e.offset,
    message: e.message,
    action: e.action,
  };
  if (e.notification) {
    out.notification = {
      code: e.notification.code,
      subcode: e.notification.subcode,
      codeName: notificationCodeName(e.notification.code),
      subcodeName: notificationSubcodeName(e.notification.code, e.notification.subcode),
      data: e.notification.data,
    };
  }
  return out;
}

/** One message's output object. */
export function decodeOne(
  bytes: Uint8Array,
  ctx: SessionContext,
): { ok: boolean; value: Record<string, unknown> } {
  try {
    const d = decodeMessage(bytes, 0, ctx);
    const value: Record<string, unknown> = { length: d.length, message: d.message };
    if (d.problems.length > 0) {
      value.problems = d.problems.map((p) => ({
        ...p,
        notification: {
          ...p.notification,
          codeName: notificationCodeName(p.notification.code),
          subcodeName: notificationSubcodeName(p.notification.code, p.notification.subcode),
        },
      }));
      value.action = d.action;
    }
    if (d.length !== bytes.length) value.trailing = bytes.length - d.length;
    return { ok: true, value };
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    return { ok: false, value: { error: bgpErrorJson(e) } };
  }
}

/** Cuts a raw file into messages by their length fields; a short or bad tail becomes one last chunk. */
function* cutMessages(buf: Uint8Array): Generator<Uint8Array> {
  let o = 0;
  while (o < buf.length) {
    const len = o + 18 <= buf.length ? (buf[o + 16]! << 8) | buf[o + 17]! : 0;
    if (len < 19 || o + len > buf.length) {
      yield buf.subarray(o);
      return;
    }
    yield buf.subarray(o, o + len);
    o += len;
  }
}

async function* stdinLines(stdin: NodeJS.ReadableStream): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) yield l;
  }
  if (pending.length > 0) yield pending;
}

export const bgpDecodeCommand: Command = {
  path: ['bgp', 'decode'],
  summary: 'decode BGP messages from hex or a raw file (JSON, RFC 7606 problems, typed errors)',
  help,
  async run(argv, io) {
    const { values: addPathNames, rest } = takeRepeated(argv, 'add-path');
    const { flags, values, positionals } = parseArgs(rest, ['as2', 'pretty', 'extended-message'], ['file']);
    if (positionals.length > 1) throw new UsageError('expects at most one HEX argument');
    if (positionals.length === 1 && values.has('file')) throw new UsageError('give HEX or --file, not both');
    const ctx = sessionContext({
      fourOctetAs: !flags.has('as2'),
      extendedMessage: flags.has('extended-message'),
      addPath: addPathNames.map(parseFamily),
    });
    const pretty = flags.has('pretty');
    let failed = false;
    const emit = (bytes: Uint8Array) => {
      const r = decodeOne(bytes, ctx);
      if (!r.ok) failed = true;
      io.stdout.write(pretty ? `${prettyTree(r.value)}\n\n` : jsonLine(r.value));
    };
    if (positionals.length === 1) emit(parseHex(positionals[0]!));
    else if (values.has('file')) {
      for (const m of cutMessages(new Uint8Array(readFileSync(values.get('file')!)))) emit(m);
    } else {
      for await (const line of stdinLines(io.stdin)) {
        if (line.trim().length === 0 || line.trimStart().startsWith('#')) continue;
        emit(parseHex(line));
      }
    }
    return failed ? 1 : 0;
  },
};

export const bgpCommands: Command[] = [bgpDecodeCommand];
