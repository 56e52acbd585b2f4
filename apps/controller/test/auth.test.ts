// Tokens and roles: cloud-admin sees and changes everything; a member sees global objects, shared networks and
// its projects, and changes only its projects. Plus the TLS option.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { itWithTool, run, scratchDir } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startController, vnBody } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';

describeWithSqlite('authentication and project scoping', () => {
  let h: Harness;
  let red: string;
  let blue: string;
  beforeAll(async () => {
    h = await startController('sqlite', {
      auth: {
        enabled: true,
        tokens: [
          { token: ALICE, name: 'alice', role: 'member', projects: ['default-domain:red'] },
          {
            sha256: createHash('sha256').update(BOB).digest('hex'),
            name: 'bob',
            role: 'member',
            projects: ['default-domain:blue'],
          },
        ],
      },
    });
    // The harness adds the admin token file to the configured tokens.
    red = (await h.call('POST', '/projects', { project: { fq_name: ['default-domain', 'red'] } })).body
      .project.uuid;
    blue = (await h.call('POST', '/projects', { project: { fq_name: ['default-domain', 'blue'] } })).body
      .project.uuid;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses missing, malformed and unknown tokens with 401', async () => {
    expect((await h.call('GET', '/virtual-networks', undefined, null)).status).toBe(401);
    expect((await h.call('GET', '/virtual-networks', undefined, 'wrong-token-xxxxxxxxxxxx')).status).toBe(
      401,
    );
    const basic = await fetch(`${h.url}/virtual-networks`, { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
    const bearer = await fetch(`${h.url}/projects`, { headers: { authorization: `Bearer ${ALICE}` } });
    expect(bearer.status).toBe(200);
  });

  it('lets a member create and change objects only in its own projects', async () => {
    const mine = await h.call(
      'POST',
      '/virtual-networks',
      { 'virtual-network': { fq_name: ['default-domain', 'red', 'r1'] } },
      ALICE,
    );
    expect(mine.status).toBe(200);
    expect(mine.body['virtual-network'].perms2.owner).toBe(red.replaceAll('-', ''));
    const theirs = await h.call(
      'POST',
      '/virtual-networks',
      { 'virtual-network': { fq_name: ['default-domain', 'blue', 'b1'] } },
      ALICE,
    );
    expect(theirs.status).toBe(404);
    const b1 = await h.call(
      'POST',
      '/virtual-networks',
      { 'virtual-network': { fq_name: ['default-domain', 'blue', 'b1'] } },
      BOB,
    );
    expect(b1.status).toBe(200);
    const id = b1.body['virtual-network'].uuid;
    expect((await h.call('GET', `/virtual-network/${id}`, undefined, ALICE)).status).toBe(404);
    expect(
      (await h.call('PUT', `/virtual-network/${id}`, { 'virtual-network': { display_name: 'x' } }, ALICE))
        .status,
    ).toBe(404);
    expect((await h.call('DELETE', `/virtual-network/${id}`, undefined, ALICE)).status).toBe(404);
    expect(
      (
        await h.call(
          'POST',
          '/fqname-to-id',
          { type: 'virtual-network', fq_name: ['default-domain', 'blue', 'b1'] },
          ALICE,
        )
      ).status,
    ).toBe(404);
    const list = await h.call('GET', '/virtual-networks', undefined, ALICE);
    const names = list.body['virtual-networks'].map((v: { fq_name: string[] }) => v.fq_name.join(':'));
    expect(names).toContain('default-domain:red:r1');
    expect(names).not.toContain('default-domain:blue:b1');
    expect(
      (await h.call('GET', '/virtual-networks', undefined, h.admin)).body['virtual-networks'].map(
        (v: { uuid: string }) => v.uuid,
      ),
    ).toContain(id);
    expect((await h.call('GET', `/project/${blue}`, undefined, ALICE)).status).toBe(404);
  });

  it('lets members read but not change global objects and shared networks', async () => {
    const shared = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('public', [{ ip_prefix: '198.51.100.0', ip_prefix_len: 24 }], { is_shared: true }),
    );
    const id = shared.body['virtual-network'].uuid;
    expect((await h.call('GET', `/virtual-network/${id}`, undefined, BOB)).status).toBe(200);
    const put = await h.call(
      'PUT',
      `/virtual-network/${id}`,
      { 'virtual-network': { display_name: 'mine' } },
      BOB,
    );
    expect(put.status).toBe(403);
    expect((await h.call('POST', '/domains', { domain: { fq_name: ['evil'] } }, BOB)).status).toBe(404);
    const gsc = (await h.call('GET', '/global-system-configs', undefined, BOB)).body['global-system-configs'];
    expect(gsc).toHaveLength(1);
    expect(
      (
        await h.call(
          'PUT',
          `/global-system-config/${gsc[0].uuid}`,
          { 'global-system-config': { autonomous_system: 1 } },
          BOB,
        )
      ).status,
    ).toBe(403);
    // A member may attach its own port to a shared network; the instance-ip belongs to its project.
    const vmi = await h.call(
      'POST',
      '/virtual-machine-interfaces',
      {
        'virtual-machine-interface': {
          fq_name: ['default-domain', 'blue', 'p1'],
          virtual_network_refs: [{ uuid: id }],
        },
      },
      BOB,
    );
    expect(vmi.status).toBe(200);
    const ip = await h.call(
      'POST',
      '/instance-ips',
      {
        'instance-ip': {
          virtual_network_refs: [{ uuid: id }],
          virtual_machine_interface_refs: [{ uuid: vmi.body['virtual-machine-interface'].uuid }],
        },
      },
      BOB,
    );
    expect(ip.status, JSON.stringify(ip.body)).toBe(200);
    expect(ip.body['instance-ip'].perms2.owner).toBe(blue.replaceAll('-', ''));
    expect(
      (await h.call('GET', `/instance-ip/${ip.body['instance-ip'].uuid}`, undefined, ALICE)).status,
    ).toBe(404);
  });
});

describeWithSqlite('TLS', () => {
  itWithTool('openssl', 'serves the API over HTTPS with the configured certificate', async () => {
    const dir = scratchDir('filament-tls-');
    try {
      run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        `${dir.path}/key.pem`,
        '-out',
        `${dir.path}/cert.pem`,
      ]);
      const h = await startController('sqlite', {
        tls: { cert_file: `${dir.path}/cert.pem`, key_file: `${dir.path}/key.pem` },
      });
      try {
        const ca = readFileSync(`${dir.path}/cert.pem`);
        const body = await new Promise<string>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: h.c.port,
              path: '/projects',
              ca,
              headers: { 'x-auth-token': h.admin },
            },
            (res) => {
              let s = '';
              res.on('data', (d) => {
                s += d;
              });
              res.on('end', () => resolve(s));
            },
          );
          req.on('error', reject);
          req.end();
        });
        expect(JSON.parse(body).projects[0].href).toMatch(/^https:\/\/127\.0\.0\.1:/);
        await expect(fetch(`http://127.0.0.1:${h.c.port}/projects`)).rejects.toThrow();
      } finally {
        await h.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
