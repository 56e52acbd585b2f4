#!/usr/bin/env node
// The `filament` command: finds the subcommand by its words, handles --help, usage errors and exit codes.
import { type Command, type Io, UsageError } from './command.js';
import { commands } from './commands/index.js';

const VERSION = '0.1.0';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  filament ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `filament ${VERSION}: Filament's command line (packet, BGP, XMPP and policy tools)\n\nUsage: filament <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'filament <command> --help' for a command's options.\n`;
}

/** Picks the command whose words are the longest prefix of argv. */
function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best && { command: best, rest: argv.slice(best.path.length) };
}

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(overview());
    return 0;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const found = find(argv);
  if (!found) {
    // A group word alone (`filament bgp`) lists that group's commands.
    const group = commands.filter((c) => c.path[0] === argv[0]);
    if (group.length > 0 && argv.length === 1) {
      io.stdout.write(`${group.map((c) => `  filament ${c.path.join(' ')}  ${c.summary}`).join('\n')}\n`);
      return 0;
    }
    io.stderr.write(`filament: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`filament ${command.path.join(' ')}: ${err.message}\n\n${command.help}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr.write(`filament ${command.path.join(' ')}: ${e.name}: ${e.message}\n`);
    return 1;
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain || process.argv[1]?.endsWith('/filament')) {
  // EPIPE (e.g. `filament pcap x | head`) is a normal end for a CLI, not a crash.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
