#!/usr/bin/env node
// filament-agent: the vRouter agent process (contract F). Flags: see AGENT_USAGE in config.ts.
// Logs with pino (text lines unless --json-logs); SIGINT/SIGTERM stop it cleanly.

import { pino } from 'pino';
import { AGENT_USAGE, parseAgentArgs } from './config.js';
import { startAgent } from './control/agent-process.js';
import { AgentError } from './errors.js';

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseAgentArgs>;
  try {
    parsed = parseAgentArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof AgentError)) throw e;
    process.stderr.write(`filament-agent: ${e.message}\n\n${AGENT_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const cfg = parsed.config;
  const logger = pino(
    { name: `agent:${cfg.name}`, level: cfg.logLevel },
    cfg.jsonLogs ? pino.destination(1) : textDestination(),
  );
  let running: Awaited<ReturnType<typeof startAgent>>;
  try {
    running = await startAgent(cfg, { logger });
  } catch (e) {
    // A token, certificate or key file that cannot be read: say which, no stack.
    if (!(e instanceof AgentError)) throw e;
    process.stderr.write(`filament-agent: ${e.message}\n`);
    return 1;
  }
  const scheme = (s: { certFile?: string } | undefined): string =>
    s?.certFile !== undefined ? 'https' : 'http';
  logger.info(
    {
      underlay: cfg.underlay,
      controllers: cfg.controllers.map((c) => `${c.host}:${c.port}`),
      portApi: `${scheme(cfg.portApiSecurity)}://${cfg.portApi.host}:${running.portApi.port}`,
      introspect: `${scheme(cfg.introspectSecurity)}://${cfg.introspect.host}:${running.introspect.port}`,
      portApiToken: cfg.portApiSecurity?.tokenFile !== undefined,
      introspectToken: cfg.introspectSecurity?.tokenFile !== undefined,
      xmppTls: cfg.xmppTls !== undefined,
      stateDir: cfg.stateDir,
    },
    'agent started',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.stop();
  return 0;
}

/** Plain text lines for people: `time level msg key=value...` (pino's JSON otherwise). */
function textDestination(): { write(s: string): void } {
  return {
    write(line: string) {
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        const { time, level, msg, name, pid: _pid, hostname: _h, ...rest } = o;
        const lv =
          ({ 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR' } as Record<number, string>)[level as number] ??
          level;
        const kv = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        process.stdout.write(
          `${new Date(time as number).toISOString()} ${lv} ${name} ${msg}${kv ? ` ${kv}` : ''}\n`,
        );
      } catch {
        process.stdout.write(line);
      }
    },
  };
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`filament-agent: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
