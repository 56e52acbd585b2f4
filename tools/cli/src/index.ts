export { type Command, type Io, jsonLine, parseArgs, UsageError } from './command.js';
export { commands } from './commands/index.js';
export { main } from './main.js';
