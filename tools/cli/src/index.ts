export { main } from './main.js';
export { type Command, type Io, UsageError, parseArgs, jsonLine } from './command.js';
export { commands } from './commands/index.js';
