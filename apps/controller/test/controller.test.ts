import { createServer } from 'node:net';
import { scratchDir } from '@filament/testkit';
import pino from 'pino';
import { expect, it } from 'vitest';
import { Controller } from '../src/controller.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('controller lifecycle', () => {
  it('fails to start with the listen error when the port is taken, releasing its store', async () => {
    const dir = scratchDir('filament-ctl-');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cfg = {
        listen: { host: '127.0.0.1', port },
        store: { engine: 'sqlite' as const, data_dir: `${dir.path}/data` },
        auth: { enabled: true, admin_token_file: `${dir.path}/token` },
        asn: 64512,
        log_level: 'silent',
      };
      await expect(Controller.start(cfg, pino({ level: 'silent' }))).rejects.toThrow(/EADDRINUSE/);
      // The store was closed: the same data directory opens again, with the bootstrap objects kept.
      blocker.close();
      const c = await Controller.start(
        { ...cfg, listen: { host: '127.0.0.1', port: 0 } },
        pino({ level: 'silent' }),
      );
      try {
        expect(await c.store.fqNameToUuid('project', ['default-domain', 'default-project'])).toBeDefined();
      } finally {
        await c.close();
      }
    } finally {
      blocker.close();
      dir.cleanup();
    }
  });
});
