#!/usr/bin/env node
// filament-controller: the config API on port 8082 over the embedded SQLite store (default) or etcd.
import pino from 'pino';
import { loadConfig, USAGE, wantsHelp } from './config.js';
import { Controller } from './controller.js';
import { ControllerError } from './errors.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig(argv);
  } catch (e) {
    process.stderr.write(
      `filament-controller: ${e instanceof ControllerError ? e.message : String(e)}\n${USAGE}\n`,
    );
    process.exit(2);
  }
  const log = pino({ level: cfg.log_level, base: { service: 'filament-controller' } });
  const c = await Controller.start(cfg, log);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'stopping');
    c.close().then(
      () => process.exit(0),
      (e) => {
        log.error({ err: e }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`filament-controller: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
