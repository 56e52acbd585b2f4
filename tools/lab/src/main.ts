#!/usr/bin/env node
// filament-lab: the lab as its own command (the same as `filament lab`).
import { LAB_HELP, runLab } from './cli.js';
import { LabError, LabUsageError } from './errors.js';

runLab(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof LabUsageError) {
      process.stderr.write(`filament-lab: ${e.message}\n\n${LAB_HELP}`);
      process.exitCode = 2;
      return;
    }
    // Our own errors say what to do; anything else is a bug, with its stack.
    const text = e instanceof LabError ? `${e.name}: ${e.message}` : ((e as Error).stack ?? String(e));
    process.stderr.write(`filament-lab: ${text}\n`);
    process.exitCode = 1;
  },
);
