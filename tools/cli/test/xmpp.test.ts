import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines as lines } from './support/cli.js';

// The Tungsten Fabric example messages, read at run time from the shared reference folder.
const ref = fileURLToPath(new URL('../../../../shared/ref/tf-xmpp/examples/', import.meta.url));
const d = existsSync(ref) ? describe : describe.skip;

d(`filament xmpp decode${existsSync(ref) ? '' : ` [skipped: ${ref} not found]`}`, () => {
  it('decodes a publish + collection pair into typed JSON', async () => {
    const r = await cli(['xmpp', 'decode', `${ref}agent-publish-inet4-add.xml`]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((l) => l.kind)).toEqual(['publish', 'collection']);
    expect(out[0]).toMatchObject({
      node: '1/1/default-domain:admin:vn1:vn1/10.1.1.3/32',
      route: {
        family: 'inet',
        entry: { nlri: { af: 1, safi: 1, address: '10.1.1.3/32' }, localPreference: 200 },
      },
    });
    expect(out[1]).toMatchObject({ associate: ['1/1/default-domain:admin:vn1:vn1/10.1.1.3/32'] });
  });

  it('reads standard input, a stream with header and keepalives', async () => {
    const stream =
      readFileSync(`${ref}agent-stream-open.txt`, 'utf8') +
      readFileSync(`${ref}keepalive.bin`, 'latin1').replace(/[\s\S]*/, '\u0200') +
      readFileSync(`${ref}agent-vrf-subscribe.xml`, 'utf8') +
      readFileSync(`${ref}stream-close.txt`, 'utf8');
    const r = await cli(['xmpp', 'decode', '--keepalives'], stream);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => l.kind)).toEqual([
      'stream-header',
      'keepalive',
      'subscribe',
      'keepalive',
      'stream-end',
    ]);
    expect(lines(r.stdout)[2]).toMatchObject({ node: 'default-domain:admin:vn1:vn1', instanceId: 3 });
  });

  it('prints a typed error and exits 1 for a bad stanza', async () => {
    const r = await cli(
      ['xmpp', 'decode', '-'],
      '<iq type="set"><pubsub><publish node="1/1/v/1.2.3.4/32"><item><entry><med>x</med></entry></item></publish></pubsub></iq>',
    );
    expect(r.code).toBe(1);
    expect(lines(r.stdout)[0]).toMatchObject({
      kind: 'error',
      name: 'VocabularyError',
      condition: 'bad-format',
    });
  });

  it('rejects a DOCTYPE with restricted-xml', async () => {
    const r = await cli(['xmpp', 'decode'], '<!DOCTYPE x [<!ENTITY a "b">]><iq>&a;</iq>');
    expect(r.code).toBe(1);
    expect(lines(r.stdout)[0]).toMatchObject({
      kind: 'error',
      name: 'RestrictedXmlError',
      condition: 'restricted-xml',
    });
  });

  it('--help documents the command', async () => {
    const r = await cli(['xmpp', 'decode', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: filament xmpp decode');
  });
});
