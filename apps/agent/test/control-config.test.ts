// The filament-agent flags and config file (contract F): defaults, a JSON file under the flags, host:port
// forms, and a typed error naming the field for each mistake.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigError, parseAgentArgs, parseHostPort } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'filament-control-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['--name', 'compute-1', '--underlay', '10.0.0.11', '--controller', '10.0.0.1'];

describe('filament-agent configuration', () => {
  it('defaults: XMPP 5269, port API 127.0.0.1:9091, introspect 127.0.0.1:8085, text logs', () => {
    const r = parseAgentArgs(base);
    if (r.help) throw new Error('help');
    expect(r.config).toMatchObject({
      name: 'compute-1',
      underlay: '10.0.0.11',
      controllers: [{ host: '10.0.0.1', port: 5269 }],
      portApi: { host: '127.0.0.1', port: 9091 },
      introspect: { host: '127.0.0.1', port: 8085 },
      jsonLogs: false,
      logLevel: 'info',
      routerMac: '00:00:5e:00:01:00',
      staleSweepMs: 5000,
    });
    expect(r.config.stateDir).toContain('compute-1');
  });

  it('two controllers, --flag=value forms, IPv6 host in brackets', () => {
    const r = parseAgentArgs([
      ...base,
      '--controller=[::1]:15269',
      '--port-api=127.0.0.2:19091',
      '--json-logs',
      '--log-level',
      'debug',
    ]);
    if (r.help) throw new Error('help');
    expect(r.config.controllers).toEqual([
      { host: '10.0.0.1', port: 5269 },
      { host: '::1', port: 15269 },
    ]);
    expect(r.config.portApi).toEqual({ host: '127.0.0.2', port: 19091 });
    expect(r.config.jsonLogs).toBe(true);
    expect(r.config.logLevel).toBe('debug');
  });

  it('a JSON file gives the settings; flags override it', () => {
    const file = join(dir, 'agent.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'from-file',
        underlay: '10.0.0.12',
        controllers: ['10.0.0.1:5270', { host: '10.0.0.2', port: 5271 }],
        introspect: '127.0.0.1:18085',
        stateDir: '/var/lib/filament/x',
        retryBaseMs: 250,
      }),
    );
    const r = parseAgentArgs(['--config', file, '--name', 'from-flag']);
    if (r.help) throw new Error('help');
    expect(r.config).toMatchObject({
      name: 'from-flag',
      underlay: '10.0.0.12',
      controllers: [
        { host: '10.0.0.1', port: 5270 },
        { host: '10.0.0.2', port: 5271 },
      ],
      introspect: { host: '127.0.0.1', port: 18085 },
      stateDir: '/var/lib/filament/x',
      retryBaseMs: 250,
    });
  });

  it('--help wins over everything else', () => {
    expect(parseAgentArgs(['--bogus', '--help'])).toEqual({ help: true });
  });

  it('each mistake is an AgentConfigError naming its field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"name": ');
    const cases: [string[], string][] = [
      [['--underlay', '10.0.0.1', '--controller', 'c'], 'name'],
      [['--name', 'x', '--controller', 'c'], 'underlay'],
      [['--name', 'x', '--underlay', '10.0.0.1.5', '--controller', 'c'], 'underlay'],
      [['--name', 'x', '--underlay', '10.0.0.1'], 'controller'],
      [[...base, '--controller', 'b', '--controller', 'c'], 'controller'],
      [[...base, '--port-api', '127.0.0.1'], 'port-api'],
      [[...base, '--introspect', '127.0.0.1:99999'], 'introspect'],
      [[...base, '--log-level', 'loud'], 'log-level'],
      [[...base, '--router-mac', '00:11'], 'router-mac'],
      [[...base, '--retry-ms', '-1'], 'retry-ms'],
      [[...base, '--name'], '--name'],
      [[...base, '--wat'], '--wat'],
      [['--config', bad], 'config'],
      [['--config', join(dir, 'missing.json')], 'config'],
    ];
    for (const [argv, field] of cases) {
      let err: unknown;
      try {
        parseAgentArgs(argv);
      } catch (e) {
        err = e;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(AgentConfigError);
      expect((err as AgentConfigError).field, argv.join(' ')).toBe(field);
    }
    expect(() => parseHostPort('', 'x', 1)).toThrow(AgentConfigError);
  });
});
