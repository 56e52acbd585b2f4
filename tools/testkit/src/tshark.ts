// tshark is the reference dissector: packets we write are read back by it, field by field.
import { run } from './tools.js';

/** One packet of `tshark -T json`: the `_source.layers` object, keyed by protocol. */
export type TsharkPacket = Record<string, unknown>;

/** Dissects a capture file with tshark and returns each packet's layers. `args` adds options such as `-d`. */
export function tsharkJson(file: string, args: string[] = []): TsharkPacket[] {
  const r = run('tshark', ['-n', '-r', file, '-T', 'json', '--no-duplicate-keys', ...args]);
  const packets = JSON.parse(r.stdout || '[]') as { _source: { layers: TsharkPacket } }[];
  return packets.map((p) => p._source.layers);
}

/** Reads selected fields (`-T fields`) one row per packet, fields split by tab. */
export function tsharkFields(file: string, fields: string[], args: string[] = []): string[][] {
  const r = run('tshark', [
    '-n',
    '-r',
    file,
    '-T',
    'fields',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    ...args,
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}
