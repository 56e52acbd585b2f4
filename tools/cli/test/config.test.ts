// `filament config ...` and `filament routes` against a real filament-controller process (config API, XMPP for
// agents and introspect on 127.0.62.1), reached only over HTTP; a real XmppClient plays an agent that publishes
// a route so that `filament routes` has something to show.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canConnect, type Daemon, scratchDir, startDaemon, waitFor } from '@filament/testkit';
import { type Route, XmppClient } from '@filament/xmpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/built-cli.js';
import { cli, jsonLines } from './support/cli.js';

const HOST = '127.0.62.1';
const API_PORT = 38082;
const XMPP_PORT = 38269;
const INTROSPECT_PORT = 38083;
const API = `http://${HOST}:${API_PORT}`;
const INTROSPECT = `http://${HOST}:${INTROSPECT_PORT}`;
const PROJECT = ['default-domain', 'default-project'];
const VN = [...PROJECT, 'cli-vn'];
const RI = [...VN, 'cli-vn'].join(':');

describe('filament config and filament routes against a running controller', () => {
  let dir: { path: string; cleanup: () => void };
  let ctl: Daemon;
  let token: string;
  let agent: XmppClient | undefined;
  const api = () => ['--api', API, '--token', token];

  beforeAll(async () => {
    // The token comes from --token in these tests, except where FILAMENT_TOKEN is the point.
    delete process.env.FILAMENT_TOKEN;
    dir = scratchDir('filament-cli-config-');
    ctl = startDaemon(
      process.execPath,
      [
        '--conditions=@filament/source',
        '--import',
        'tsx',
        'src/main.ts',
        ...['--host', HOST, '--port', String(API_PORT), '--data-dir', join(dir.path, 'data')],
        ...['--xmpp-host', HOST, '--xmpp-port', String(XMPP_PORT)],
        ...['--introspect-host', HOST, '--introspect-port', String(INTROSPECT_PORT), '--log-level', 'warn'],
      ],
      { cwd: join(repoRoot, 'apps', 'controller') },
    );
    try {
      await waitFor('controller API', () => canConnect(HOST, API_PORT), 60_000, 200);
      await waitFor('controller introspect', () => canConnect(HOST, INTROSPECT_PORT), 20_000, 200);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${ctl.output()}`);
    }
    token = readFileSync(join(dir.path, 'data', 'admin-token'), 'utf8').trim();
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await ctl?.stop();
    dir?.cleanup();
  });

  let vnUuid = '';

  it('creates from stdin and from a file, lists and shows by fq_name and uuid', async () => {
    const vn = {
      fq_name: VN,
      parent_type: 'project',
      network_ipam_refs: [
        {
          to: [...PROJECT, 'default-network-ipam'],
          attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.62.0.0', ip_prefix_len: 24 } }] },
        },
      ],
    };
    const created = await cli(
      ['config', 'create', 'virtual-network', '--json', '-', ...api()],
      JSON.stringify(vn),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const m = /^created virtual-network default-domain:default-project:cli-vn ([0-9a-f-]{36})\n$/.exec(
      created.stdout,
    );
    expect(m, created.stdout).not.toBeNull();
    vnUuid = m![1]!;

    // The API's wrapped form, from a file, with --output json.
    const file = join(dir.path, 'vm.json');
    writeFileSync(file, JSON.stringify({ 'virtual-machine': { fq_name: ['cli-vm'] } }));
    const vm = await cli([
      'config',
      'create',
      'virtual-machine',
      '--json',
      file,
      '--output',
      'json',
      ...api(),
    ]);
    expect(vm.code).toBe(0);
    expect(jsonLines(vm.stdout)[0]).toMatchObject({ fq_name: ['cli-vm'], uuid: expect.any(String) });

    const list = await cli(['config', 'list', 'virtual-network', ...api()]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^UUID\s+FQ_NAME\s+PARENT$/);
    expect(
      lines.some((l) => l.startsWith(vnUuid) && l.includes('default-domain:default-project:cli-vn')),
    ).toBe(true);

    const listJson = await cli(['config', 'list', 'virtual-network', '--json', ...api()]);
    const all = JSON.parse(listJson.stdout) as { uuid: string; virtual_network_properties?: unknown }[];
    expect(all.find((o) => o.uuid === vnUuid)?.virtual_network_properties).toMatchObject({
      vxlan_network_identifier: expect.any(Number),
    });
    const children = await cli([
      'config',
      'list',
      'routing-instance',
      '--parent',
      VN.join(':'),
      '--json',
      ...api(),
    ]);
    expect((JSON.parse(children.stdout) as { fq_name: string[] }[]).map((o) => o.fq_name.join(':'))).toEqual([
      RI,
    ]);

    const byName = await cli(['config', 'show', 'virtual-network', VN.join(':'), ...api()]);
    expect(byName.code).toBe(0);
    const shown = JSON.parse(byName.stdout) as { uuid: string; routing_instances: { to: string[] }[] };
    expect(shown.uuid).toBe(vnUuid);
    expect(shown.routing_instances.map((r) => r.to.join(':'))).toEqual([RI]);
    const byUuid = await cli(['config', 'show', 'virtual-network', vnUuid, '--json', ...api()]);
    expect(jsonLines(byUuid.stdout)[0]).toMatchObject({ uuid: vnUuid, fq_name: VN });
  });

  it('takes the token from FILAMENT_TOKEN, and reports refusals with the API error', async () => {
    const noToken = await cli(['config', 'list', 'virtual-network', '--api', API]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/HTTP 401/);

    process.env.FILAMENT_TOKEN = token;
    try {
      const withEnv = await cli(['config', 'list', 'virtual-network', '--api', API]);
      expect(withEnv.code).toBe(0);
      expect(withEnv.stdout).toContain('cli-vn');
    } finally {
      delete process.env.FILAMENT_TOKEN;
    }

    const missing = await cli(['config', 'show', 'virtual-network', 'default-domain:nope:nothing', ...api()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
    const badJson = await cli(['config', 'create', 'virtual-network', '--json', '-', ...api()], '{not json');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('is not JSON');
    const invalid = await cli(
      ['config', 'create', 'virtual-network', '--json', '-', ...api()],
      JSON.stringify({ fq_name: VN, parent_type: 'project', router_external: 'yes' }),
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/HTTP 400.*router_external/);
    const unreachable = await cli([
      'config',
      'list',
      'virtual-network',
      '--api',
      'http://127.0.62.1:1',
      '--token',
      'x',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach');
    expect((await cli(['config', 'list', ...api()])).code).toBe(2);
    const help = await cli(['config', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: filament config create TYPE --json FILE|-');
  });

  it('shows the routes an agent published, per instance', async () => {
    await cli(
      ['config', 'create', 'virtual-router', '--json', '-', ...api()],
      JSON.stringify({
        fq_name: ['default-global-system-config', 'cli-agent'],
        parent_type: 'global-system-config',
        virtual_router_ip_address: '192.0.2.62',
      }),
    );
    agent = new XmppClient({
      name: 'cli-agent',
      servers: [{ host: HOST, port: XMPP_PORT }],
      retryBaseMs: 100,
    });
    agent.start();
    await waitFor('agent session', () => agent!.establishedServers.length > 0, 20_000, 100);
    agent.subscribe(RI);
    const route: Route = {
      family: 'inet',
      entry: {
        nlri: { af: 1, safi: 1, address: '10.62.0.5/32' },
        nextHops: [
          {
            af: 1,
            address: '192.0.2.62',
            mac: '',
            label: 25,
            vni: 0,
            tunnelEncapsulations: ['gre', 'udp'],
            virtualNetwork: VN.join(':'),
            tags: [],
            localSequenceNumber: 0,
          },
        ],
        version: 1,
        virtualNetwork: VN.join(':'),
        mobility: { seqno: 0, sticky: false },
        sequenceNumber: 0,
        securityGroups: [],
        communityTags: [],
        localPreference: 200,
        med: 0,
        loadBalance: { fields: [], decision: 'field-hash' },
        subProtocol: 'interface',
      },
    };
    agent.publish(RI, route);
    const opts = ['--introspect', INTROSPECT, '--token', token];
    const row = await waitFor(
      'the route in filament routes',
      async () => {
        const r = await cli(['routes', RI, ...opts]);
        return r.code === 0 && r.stdout.split('\n').find((l) => l.includes('10.62.0.5/32'));
      },
      20_000,
      200,
    );
    expect(row.split(/\s+/)).toEqual([
      RI,
      'inet',
      '10.62.0.5/32',
      'agent:cli-agent',
      '192.0.2.62',
      '25',
      '0',
      'gre,udp',
    ]);

    const json = await cli(['routes', RI, '--json', ...opts]);
    const view = jsonLines(json.stdout)[0] as { instances: { name: string; routes: { key: string }[] }[] };
    expect(view.instances.map((i) => i.name)).toEqual([RI]);
    expect(view.instances[0]!.routes.map((r) => r.key)).toContain('10.62.0.5/32');
    const everything = await cli(['routes', ...opts]);
    expect(everything.stdout.split('\n')[0]).toMatch(
      /^INSTANCE\s+FAMILY\s+PREFIX\s+SOURCE\s+NEXT HOP\s+LABEL\s+VNI\s+ENCAP$/,
    );
    const unknown = await cli(['routes', 'default-domain:x:y:y', ...opts]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/HTTP 404/);
  }, 60_000);

  it('deletes by uuid and by fq_name; a delete the API refuses says why', async () => {
    const refused = await cli(['config', 'delete', 'project', PROJECT.join(':'), ...api()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 409/);
    const vm = await cli(['config', 'delete', 'virtual-machine', 'cli-vm', '--json', ...api()]);
    expect(vm.code).toBe(0);
    expect(jsonLines(vm.stdout)[0]).toMatchObject({ type: 'virtual-machine', deleted: expect.any(String) });
    const gone = await cli(['config', 'show', 'virtual-machine', 'cli-vm', ...api()]);
    expect(gone.code).toBe(1);
    await agent?.stop();
    agent = undefined;
    const vr = await cli([
      'config',
      'delete',
      'virtual-router',
      'default-global-system-config:cli-agent',
      ...api(),
    ]);
    expect(vr.code, vr.stderr).toBe(0);
  });
});
