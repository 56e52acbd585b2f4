import { writeFileSync } from 'node:fs';
import { scratchDir } from '@filament/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ValidationError } from '../src/errors.js';

function fails(argv: string[]): ValidationError {
  try {
    loadConfig(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('controller configuration', () => {
  it('defaults to port 8082, the embedded store with an admin token file in its data directory, and auth on', () => {
    const c = loadConfig([]);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 8082 });
    expect(c.store).toEqual({ engine: 'sqlite', data_dir: './filament-data' });
    expect(c.auth).toEqual({ enabled: true, admin_token_file: './filament-data/admin-token' });
  });

  it('takes flags over the config file and reports bad settings by path', () => {
    const dir = scratchDir('filament-cfg-');
    try {
      const f = `${dir.path}/c.json`;
      writeFileSync(
        f,
        JSON.stringify({
          listen: { host: '127.0.0.1', port: 9000 },
          store: { engine: 'etcd', hosts: ['http://10.0.0.1:2379'] },
          asn: 65000,
        }),
      );
      const c = loadConfig(['--config', f, '--port', '9100']);
      expect(c.listen).toEqual({ host: '127.0.0.1', port: 9100 });
      expect(c.store).toEqual({ engine: 'etcd', hosts: ['http://10.0.0.1:2379'] });
      expect(c.asn).toBe(65000);
      writeFileSync(f, JSON.stringify({ listen: { port: 'x' } }));
      expect(fails(['--config', f]).field).toBe('config.listen.port');
      writeFileSync(f, JSON.stringify({ auth: { tokens: [{ name: 'a', role: 'root' }] } }));
      expect(fails(['--config', f]).field).toBe('config.auth.tokens[0].role');
      writeFileSync(f, '{');
      expect(fails(['--config', f]).field).toBe('--config');
    } finally {
      dir.cleanup();
    }
    expect(fails(['--store', 'mysql']).field).toBe('--store');
    expect(fails(['--tls-cert', 'a.pem']).field).toBe('--tls-cert');
    expect(fails(['--port']).field).toBe('--port');
    expect(fails(['--port', '-1']).field).toBe('--port');
    expect(fails(['stray']).field).toBe('argv[0]');
    expect(loadConfig(['--no-auth']).auth.enabled).toBe(false);
    expect(loadConfig(['--durability', 'normal']).store).toMatchObject({ durability: 'normal' });
    expect(fails(['--durability', 'never']).field).toBe('config.store.durability');
  });
});
