// Agents over STARTTLS with mutual certificates (control.xmpp.tls with a CA), certificates made at test time
// by the openssl CLI: an agent with a certificate signed by the CA gets routes; one with a certificate from
// elsewhere is refused.
import { readFileSync } from 'node:fs';
import { describeWithTool, scratchDir } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlDefaults } from '../src/config.js';
import { createNetwork, createVirtualRouter, SimAgent } from './support/agents.js';
import { type Harness, startController } from './support/api.js';
import { makePki } from './support/pki.js';

describeWithTool('openssl', 'control plane: agents over STARTTLS with mutual certificates', () => {
  const pki = scratchDir('filament-ctl-tls-');
  let h: Harness;
  const agents: SimAgent[] = [];
  beforeAll(async () => {
    makePki(pki.path);
    const control = controlDefaults();
    control.xmpp = {
      ...control.xmpp,
      host: '127.0.0.1',
      port: 0,
      hostname: 'control-tls-test',
      tls: {
        cert_file: `${pki.path}/server.pem`,
        key_file: `${pki.path}/server.key`,
        ca_file: `${pki.path}/ca.pem`,
      },
    };
    control.introspect.port = 0;
    h = await startController('sqlite', { control });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await h?.close();
    pki.cleanup();
  });

  it('serves an agent with a certificate from the CA and refuses one without', async () => {
    await createVirtualRouter(h, 'tls-a', '192.0.2.71');
    await createVirtualRouter(h, 'tls-b', '192.0.2.72');
    const vn = await createNetwork(h, 'secure', '10.71.0.0');
    const read = (f: string) => readFileSync(`${pki.path}/${f}`);
    const good = new SimAgent({
      name: 'tls-a',
      port: h.c.xmppPort!,
      underlay: '192.0.2.71',
      tls: { cert: read('client.pem'), key: read('client.key'), ca: read('ca.pem') },
    });
    const bad = new SimAgent({
      name: 'tls-b',
      port: h.c.xmppPort!,
      underlay: '192.0.2.72',
      // Trusts the controller, but its own certificate is not from the CA.
      tls: { cert: read('rogue.pem'), key: read('rogue.key'), ca: read('ca.pem') },
    });
    agents.push(good.start(), bad);
    good.subscribe(vn.vrf);
    const r = good.publishInterface({ vrf: vn.vrf, ip: '10.71.0.3', mac: '02:00:00:71:00:03', label: 80 });
    await good.waitFor('own route over TLS', () => good.route(vn.vrf, 'inet', r.inet));
    expect(good.nextHops(vn.vrf, 'inet', r.inet)).toEqual(['192.0.2.71']);
    bad.start();
    await bad.waitFor('refused', () => bad.downs.length > 0);
    expect(bad.established).toBe(0);
  });
});
