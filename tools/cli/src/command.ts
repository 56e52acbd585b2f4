// The contract every `filament` subcommand follows. A package adds its commands as one file in
// src/commands/ and one line in src/commands/index.ts; main.ts does the rest (help, errors, exit codes).

/** Where a command reads and writes; tests pass in-memory streams. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface Command {
  /** Words after `filament`, e.g. `['bgp', 'decode']`. */
  path: string[];
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text: usage line, options, an example. */
  help: string;
  /** Runs with the arguments after the command words; resolves to the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

/** A usage mistake: main prints the message and the command's help, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Splits `--flag`, `--key value` / `--key=value` and positionals; `booleans` lists flags that take no value. */
export function parseArgs(
  args: string[],
  booleans: readonly string[],
  valued: readonly string[] = [],
): { flags: Set<string>; values: Map<string, string>; positionals: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (booleans.includes(key) && eq === -1) flags.add(key);
      else if (valued.includes(key)) {
        const v = eq === -1 ? args[++i] : a.slice(eq + 1);
        if (v === undefined) throw new UsageError(`--${key} needs a value`);
        values.set(key, v);
      } else throw new UsageError(`unknown option ${a}`);
    } else positionals.push(a);
  }
  return { flags, values, positionals };
}

/** Writes one JSON value as a line; bigint and Uint8Array become decimal and hex strings. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer)}\n`;
}

export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  return v;
}
