// The config API's behaviour, run on both store engines (api-sqlite.test.ts, api-etcd.test.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../src/schema/resources.js';
import { type Engine, type Harness, IPAM, PROJECT, startController, vnBody } from './support/api.js';

export function apiSuite(engine: Engine): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startController(engine);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('Tungsten Fabric shapes', () => {
    it('bootstraps the default objects and lists them', async () => {
      const r = await h.call('GET', '/projects');
      expect(r.status).toBe(200);
      expect(r.body.projects.map((p: { fq_name: string[] }) => p.fq_name)).toContainEqual(PROJECT);
      const ipam = await h.call('POST', '/fqname-to-id', { type: 'network-ipam', fq_name: IPAM });
      expect(ipam.status).toBe(200);
      const back = await h.call('POST', '/id-to-fqname', { uuid: ipam.body.uuid });
      expect(back.body).toEqual({ type: 'network-ipam', fq_name: IPAM });
      const root = await h.call('GET', '/');
      expect(root.body.links.map((l: { link: { name: string } }) => l.link.name)).toContain(
        'virtual-network',
      );
    });

    it('creates, reads, updates and deletes a network with TF field names, refs, children and back-refs', async () => {
      const c = await h.call(
        'POST',
        '/virtual-networks',
        vnBody('crud', [{ ip_prefix: '10.10.0.0', ip_prefix_len: 24 }], { is_shared: false }),
      );
      expect(c.status).toBe(200);
      const vn = c.body['virtual-network'];
      expect(vn).toMatchObject({
        fq_name: [...PROJECT, 'crud'],
        name: 'crud',
        parent_type: 'project',
        is_shared: false,
      });
      expect(vn.href).toBe(`${h.url}/virtual-network/${vn.uuid}`);
      expect(vn.virtual_network_network_id).toBeGreaterThan(0);
      const g = await h.call('GET', `/virtual-network/${vn.uuid}`);
      expect(g.status).toBe(200);
      expect(g.headers.get('etag')).toBe('"1"');
      const got = g.body['virtual-network'];
      expect(got.network_ipam_refs[0].to).toEqual(IPAM);
      expect(got.network_ipam_refs[0].attr.ipam_subnets[0]).toMatchObject({
        default_gateway: '10.10.0.1',
        dns_server_address: '10.10.0.2',
      });
      expect(got.routing_instances[0].to).toEqual([...PROJECT, 'crud', 'crud']);
      const ipamGet = await h.call('GET', `/network-ipam/${got.network_ipam_refs[0].uuid}`);
      expect(
        ipamGet.body['network-ipam'].virtual_network_back_refs.map((b: { uuid: string }) => b.uuid),
      ).toContain(vn.uuid);
      const u = await h.call('PUT', `/virtual-network/${vn.uuid}`, {
        'virtual-network': { display_name: 'renamed', flood_unknown_unicast: true },
      });
      expect(u.status).toBe(200);
      expect(u.body).toEqual({
        'virtual-network': { uuid: vn.uuid, href: `${h.url}/virtual-network/${vn.uuid}` },
      });
      const g2 = await h.call('GET', `/virtual-network/${vn.uuid}?fields=display_name,flood_unknown_unicast`);
      expect(g2.body['virtual-network']).toMatchObject({
        display_name: 'renamed',
        flood_unknown_unicast: true,
        uuid: vn.uuid,
      });
      expect(g2.body['virtual-network'].network_ipam_refs).toBeUndefined();
      expect(g2.headers.get('etag')).toBe('"2"');
      const d = await h.call('DELETE', `/virtual-network/${vn.uuid}`);
      expect(d.status).toBe(200);
      expect((await h.call('GET', `/virtual-network/${vn.uuid}`)).status).toBe(404);
      expect(
        (await h.call('POST', '/fqname-to-id', { type: 'virtual-network', fq_name: [...PROJECT, 'crud'] }))
          .status,
      ).toBe(404);
    });

    it('accepts parent_uuid + name and a ref by uuid, and refuses a mismatched fq_name', async () => {
      const proj = (await h.call('POST', '/fqname-to-id', { type: 'project', fq_name: PROJECT })).body.uuid;
      const r = await h.call('POST', '/network-policys', {
        'network-policy': {
          parent_uuid: proj,
          name: 'np1',
          network_policy_entries: {
            policy_rule: [{ protocol: 'any', direction: '<>', action_list: { simple_action: 'pass' } }],
          },
        },
      });
      expect(r.status).toBe(200);
      expect(r.body['network-policy'].fq_name).toEqual([...PROJECT, 'np1']);
      const bad = await h.call('POST', '/network-policys', {
        'network-policy': { parent_uuid: proj, fq_name: ['x', 'y', 'np2'] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('network-policy.fq_name');
      const vn = await h.call(
        'POST',
        '/virtual-networks',
        vnBody('withpol', [], {
          network_policy_refs: [
            { uuid: r.body['network-policy'].uuid, attr: { sequence: { major: 0, minor: 0 } } },
          ],
        }),
      );
      expect(vn.status).toBe(200);
      expect(vn.body['virtual-network'].network_policy_refs[0].to).toEqual([...PROJECT, 'np1']);
    });
  });

  describe('validation errors name the field and the reason', () => {
    const cases: [string, unknown, number, string | undefined][] = [
      ['wrong wrapper', { network: {} }, 400, 'body'],
      [
        'unknown field',
        { 'virtual-network': { fq_name: [...PROJECT, 'v1'], colour: 'blue' } },
        400,
        'virtual-network.colour',
      ],
      [
        'bad enum',
        {
          'virtual-network': {
            fq_name: [...PROJECT, 'v2'],
            virtual_network_properties: { forwarding_mode: 'l9' },
          },
        },
        400,
        'virtual-network.virtual_network_properties.forwarding_mode',
      ],
      [
        'out of range',
        {
          'virtual-network': {
            fq_name: [...PROJECT, 'v3'],
            virtual_network_properties: { vxlan_network_identifier: 16777216 },
          },
        },
        400,
        'virtual-network.virtual_network_properties.vxlan_network_identifier',
      ],
      [
        'wrong type',
        { 'virtual-network': { fq_name: [...PROJECT, 'v4'], is_shared: 'yes' } },
        400,
        'virtual-network.is_shared',
      ],
      [
        'bad route target',
        {
          'virtual-network': {
            fq_name: [...PROJECT, 'v5'],
            route_target_list: { route_target: ['64512:1'] },
          },
        },
        400,
        'virtual-network.route_target_list.route_target[0]',
      ],
      [
        'server-set field',
        { 'virtual-network': { fq_name: [...PROJECT, 'v6'], virtual_network_network_id: 7 } },
        400,
        'virtual-network.virtual_network_network_id',
      ],
      [
        'read-only back-refs',
        { 'virtual-network': { fq_name: [...PROJECT, 'v7'], instance_ip_back_refs: [] } },
        400,
        'virtual-network.instance_ip_back_refs',
      ],
      [
        'bad subnet host bits',
        vnBody('v8', [{ ip_prefix: '10.0.0.1', ip_prefix_len: 24 }]),
        400,
        'network_ipam_refs.attr.ipam_subnets[0].subnet.ip_prefix',
      ],
      [
        'gateway outside',
        vnBody('v9', [{ ip_prefix: '10.0.0.0', ip_prefix_len: 24, default_gateway: '10.0.1.1' }]),
        400,
        'network_ipam_refs.attr.ipam_subnets[0].default_gateway',
      ],
      [
        'overlapping subnets',
        vnBody('v10', [
          { ip_prefix: '10.0.0.0', ip_prefix_len: 16 },
          { ip_prefix: '10.0.3.0', ip_prefix_len: 24 },
        ]),
        400,
        'network_ipam_refs.attr.ipam_subnets[1].subnet',
      ],
      [
        'missing parent',
        { 'virtual-network': { fq_name: ['default-domain', 'nope', 'v11'] } },
        404,
        undefined,
      ],
      [
        'missing ref',
        {
          'virtual-network': {
            fq_name: [...PROJECT, 'v12'],
            network_ipam_refs: [{ to: [...PROJECT, 'none'] }],
          },
        },
        404,
        'virtual-network.network_ipam_refs[0]',
      ],
      [
        'ref without target',
        { 'virtual-network': { fq_name: [...PROJECT, 'v13'], network_ipam_refs: [{ attr: {} }] } },
        400,
        'virtual-network.network_ipam_refs[0]',
      ],
    ];
    for (const [name, body, status, field] of cases) {
      it(name, async () => {
        const r = await h.call('POST', '/virtual-networks', body);
        expect(r.status).toBe(status);
        if (field) expect(r.body.error.field).toBe(field);
        expect(typeof r.body.error.message).toBe('string');
      });
    }

    it('answers bad JSON, wrong media type, oversized bodies, bad methods and unknown routes with 4xx', async () => {
      expect((await h.call('POST', '/virtual-networks', '{"virtual-network":')).status).toBe(400);
      const mt = await fetch(`${h.url}/virtual-networks`, {
        method: 'POST',
        headers: { 'x-auth-token': h.admin, 'content-type': 'text/plain' },
        body: '{}',
      });
      expect(mt.status).toBe(415);
      const big = await h.call(
        'POST',
        '/virtual-networks',
        JSON.stringify({ 'virtual-network': { display_name: 'x'.repeat(5 * 1024 * 1024) } }),
      );
      expect(big.status).toBe(413);
      expect((await h.call('PATCH', '/virtual-networks', {})).status).toBe(405);
      expect((await h.call('GET', '/no-such-things')).status).toBe(404);
      expect((await h.call('GET', '/virtual-network/not-a-uuid')).status).toBe(404);
      expect((await h.call('GET', '/virtual-networks?page_limit=0')).status).toBe(400);
      expect((await h.call('GET', '/virtual-networks?bogus=1')).body.error.field).toBe('query.bogus');
      expect((await h.call('POST', '/fqname-to-id', { type: 'nope', fq_name: [] })).body.error.field).toBe(
        'type',
      );
      expect((await h.call('GET', '/healthz')).status).toBe(200);
    });
  });

  describe('referential integrity and optimistic concurrency', () => {
    it('answers 409 when deleting an object that others refer to or that has children', async () => {
      const ipam = await h.call('POST', '/network-ipams', {
        'network-ipam': { fq_name: [...PROJECT, 'ri-ipam'] },
      });
      const vn = await h.call('POST', '/virtual-networks', {
        'virtual-network': {
          fq_name: [...PROJECT, 'ri-vn'],
          network_ipam_refs: [{ uuid: ipam.body['network-ipam'].uuid }],
        },
      });
      expect(vn.status).toBe(200);
      const d = await h.call('DELETE', `/network-ipam/${ipam.body['network-ipam'].uuid}`);
      expect(d.status).toBe(409);
      expect(d.body.error).toMatchObject({
        kind: 'back-refs',
        ref_type: 'virtual-network',
        ref_uuid: vn.body['virtual-network'].uuid,
      });
      const pool = await h.call('POST', '/floating-ip-pools', {
        'floating-ip-pool': { fq_name: [...PROJECT, 'ri-vn', 'fip-pool'] },
      });
      expect(pool.status).toBe(200);
      const dv = await h.call('DELETE', `/virtual-network/${vn.body['virtual-network'].uuid}`);
      expect(dv.status).toBe(409);
      expect(dv.body.error.kind).toBe('children');
      await h.call('DELETE', `/floating-ip-pool/${pool.body['floating-ip-pool'].uuid}`);
      expect((await h.call('DELETE', `/virtual-network/${vn.body['virtual-network'].uuid}`)).status).toBe(
        200,
      );
      expect((await h.call('DELETE', `/network-ipam/${ipam.body['network-ipam'].uuid}`)).status).toBe(200);
    });

    it('applies If-Match on update and delete (412 on a stale version)', async () => {
      const sg = await h.call('POST', '/security-groups', {
        'security-group': { fq_name: [...PROJECT, 'occ'] },
      });
      const id = sg.body['security-group'].uuid;
      const v1 = (await h.call('GET', `/security-group/${id}`)).headers.get('etag')!;
      expect(
        (
          await h.call(
            'PUT',
            `/security-group/${id}`,
            { 'security-group': { display_name: 'a' } },
            undefined,
            { 'if-match': v1 },
          )
        ).status,
      ).toBe(200);
      const stale = await h.call(
        'PUT',
        `/security-group/${id}`,
        { 'security-group': { display_name: 'b' } },
        undefined,
        { 'if-match': v1 },
      );
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({ expected: 1, actual: 2 });
      expect(
        (await h.call('DELETE', `/security-group/${id}`, undefined, undefined, { 'if-match': '"1"' })).status,
      ).toBe(412);
      expect(
        (
          await h.call('PUT', `/security-group/${id}`, { 'security-group': {} }, undefined, {
            'if-match': 'abc',
          })
        ).status,
      ).toBe(400);
      expect(
        (await h.call('DELETE', `/security-group/${id}`, undefined, undefined, { 'if-match': '"2"' })).status,
      ).toBe(200);
    });

    it('ref-update adds and deletes one reference, by uuid or fq_name, with its attr', async () => {
      const fr = await h.call('POST', '/firewall-rules', {
        'firewall-rule': {
          fq_name: ['default-policy-management', 'fr1'],
          parent_type: 'policy-management',
          direction: '<>',
          action_list: { simple_action: 'pass' },
          service: { protocol: 'tcp', dst_ports: { start_port: 80, end_port: 80 } },
        },
      });
      expect(fr.status).toBe(200);
      const fp = await h.call('POST', '/firewall-policys', {
        'firewall-policy': {
          fq_name: ['default-policy-management', 'fp1'],
        },
      });
      expect(fp.body['firewall-policy'].parent_type).toBe('policy-management');
      const fpId = fp.body['firewall-policy'].uuid;
      const add = await h.call('POST', '/ref-update', {
        operation: 'ADD',
        type: 'firewall-policy',
        uuid: fpId,
        'ref-type': 'firewall-rule',
        'ref-fq-name': ['default-policy-management', 'fr1'],
        attr: { sequence: '1.0' },
      });
      expect(add.status).toBe(200);
      expect(add.body).toEqual({ uuid: fpId });
      const got = (await h.call('GET', `/firewall-policy/${fpId}`)).body['firewall-policy'];
      expect(got.firewall_rule_refs).toEqual([
        expect.objectContaining({ to: ['default-policy-management', 'fr1'], attr: { sequence: '1.0' } }),
      ]);
      const badAttr = await h.call('POST', '/ref-update', {
        operation: 'ADD',
        type: 'firewall-policy',
        uuid: fpId,
        'ref-type': 'firewall-rule',
        'ref-uuid': fr.body['firewall-rule'].uuid,
        attr: { sequence: 5 },
      });
      expect(badAttr.body.error.field).toBe('attr.sequence');
      expect(
        (
          await h.call('POST', '/ref-update', {
            operation: 'ADD',
            type: 'firewall-policy',
            uuid: fpId,
            'ref-type': 'virtual-network',
            'ref-uuid': fpId,
          })
        ).body.error.field,
      ).toBe('ref-type');
      expect((await h.call('DELETE', `/firewall-rule/${fr.body['firewall-rule'].uuid}`)).status).toBe(409);
      const del = await h.call('POST', '/ref-update', {
        operation: 'DELETE',
        type: 'firewall-policy',
        uuid: fpId,
        'ref-type': 'firewall-rule',
        'ref-uuid': fr.body['firewall-rule'].uuid,
      });
      expect(del.status).toBe(200);
      expect(
        (await h.call('GET', `/firewall-policy/${fpId}`)).body['firewall-policy'].firewall_rule_refs,
      ).toBeUndefined();
      expect((await h.call('DELETE', `/firewall-rule/${fr.body['firewall-rule'].uuid}`)).status).toBe(200);
    });
  });

  describe('lists', () => {
    it('paginates with page_limit/marker, filters by field, parent and back-ref, counts and returns details', async () => {
      const proj = await h.call('POST', '/projects', {
        project: { fq_name: ['default-domain', `lists-${randomUUID().slice(0, 8)}`] },
      });
      const pfq = proj.body.project.fq_name;
      const made: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await h.call('POST', '/security-groups', {
          'security-group': { fq_name: [...pfq, `sg${i}`], configured_security_group_id: i % 3 },
        });
        made.push(r.body['security-group'].uuid);
      }
      made.sort();
      const seen: string[] = [];
      let marker: string | undefined;
      for (let page = 0; page < 10; page++) {
        const r = await h.call(
          'GET',
          `/security-groups?parent_id=${proj.body.project.uuid}&page_limit=5${marker ? `&page_marker=${marker}` : ''}`,
        );
        expect(r.status).toBe(200);
        seen.push(...r.body['security-groups'].map((s: { uuid: string }) => s.uuid));
        marker = r.body.marker;
        if (!marker) break;
      }
      expect(seen).toEqual(made);
      const f = await h.call(
        'GET',
        `/security-groups?parent_fq_name_str=${pfq.join(':')}&filters=configured_security_group_id==1&detail=true`,
      );
      expect(f.body['security-groups']).toHaveLength(4);
      expect(f.body['security-groups'][0]['security-group'].configured_security_group_id).toBe(1);
      const cnt = await h.call('GET', `/security-groups?parent_id=${proj.body.project.uuid}&count=true`);
      expect(cnt.body).toEqual({ 'security-groups': { count: 12 } });
      const some = await h.call(
        'GET',
        `/security-groups?obj_uuids=${made[0]},${made[1]}&fields=security_group_id&exclude_hrefs=true`,
      );
      expect(some.body['security-groups']).toHaveLength(2);
      expect(some.body['security-groups'][0].href).toBeUndefined();
      expect(some.body['security-groups'][0].security_group_id).toBeGreaterThanOrEqual(8000000);
      const vn = await h.call(
        'POST',
        '/virtual-networks',
        vnBody(`lists-${randomUUID().slice(0, 8)}`, [{ ip_prefix: '10.77.0.0', ip_prefix_len: 24 }]),
      );
      const vmi = await h.call('POST', '/virtual-machine-interfaces', {
        'virtual-machine-interface': {
          fq_name: [...PROJECT, `vmi-${randomUUID().slice(0, 8)}`],
          virtual_network_refs: [{ uuid: vn.body['virtual-network'].uuid }],
        },
      });
      const byRef = await h.call(
        'GET',
        `/virtual-machine-interfaces?back_ref_id=${vn.body['virtual-network'].uuid}`,
      );
      expect(byRef.body['virtual-machine-interfaces'].map((x: { uuid: string }) => x.uuid)).toEqual([
        vmi.body['virtual-machine-interface'].uuid,
      ]);
      expect((await h.call('GET', '/security-groups?filters=nosuch==1')).status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    it('serves a document generated from the schema table, with every resource and its fields', async () => {
      const r = await h.call('GET', '/openapi.json', undefined, null);
      expect(r.status).toBe(200);
      expect(r.body.openapi).toBe('3.1.0');
      for (const def of RESOURCES.values()) {
        expect(r.body.paths[`/${def.plural}`].post).toBeDefined();
        expect(r.body.paths[`/${def.type}/{uuid}`].delete).toBeDefined();
      }
      const vn = r.body.components.schemas.VirtualNetwork;
      expect(vn.properties.virtual_network_properties).toEqual({
        $ref: '#/components/schemas/VirtualNetworkType',
      });
      expect(r.body.components.schemas.VirtualNetworkType.properties.forwarding_mode.enum).toEqual([
        'l2_l3',
        'l2',
        'l3',
      ]);
      expect(vn.properties.network_ipam_refs.items).toEqual({
        $ref: '#/components/schemas/Ref_network_ipam',
      });
      expect(r.body.components.schemas.Ref_network_ipam.properties.attr).toEqual({
        $ref: '#/components/schemas/VnSubnetsType',
      });
      expect(vn.properties.instance_ip_back_refs.readOnly).toBe(true);
      expect(r.body.paths['/ref-update'].post).toBeDefined();
      // every $ref resolves
      const refs = JSON.stringify(r.body).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
      for (const ref of refs) expect(r.body.components.schemas[ref.slice(22, -1)]).toBeDefined();
    });
  });
}
