// IPAM through the API, run on both store engines: subnet defaults, reserved addresses, allocation pools,
// IPv4/IPv6 instance addresses without duplicates under concurrent requests, exhaustion, MACs, VNIs, route
// targets, route distinguishers, security group and tag ids.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Engine, type Harness, PROJECT, startController, vnBody } from './support/api.js';

export function ipamSuite(engine: Engine): void {
  let h: Harness;
  beforeAll(async () => {
    h = await startController(engine);
  });
  afterAll(async () => {
    await h?.close();
  });

  const vn = async (
    name: string,
    subnets: Parameters<typeof vnBody>[1],
    extra: Record<string, unknown> = {},
  ) => {
    const r = await h.call('POST', '/virtual-networks', vnBody(name, subnets, extra));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body['virtual-network'];
  };
  const iip = (vnUuid: string, extra: Record<string, unknown> = {}) =>
    h.call('POST', '/instance-ips', {
      'instance-ip': { virtual_network_refs: [{ uuid: vnUuid }], ...extra },
    });

  it('allocates IPv4 and IPv6 addresses after the gateway and DNS addresses, honouring allocation pools', async () => {
    const n = await vn('ipam-a', [
      {
        ip_prefix: '192.168.10.0',
        ip_prefix_len: 24,
        allocation_pools: [{ start: '192.168.10.100', end: '192.168.10.102' }],
      },
      { ip_prefix: '2001:db8:1::', ip_prefix_len: 64 },
    ]);
    const s4 = n.network_ipam_refs[0].attr.ipam_subnets[0];
    expect(s4).toMatchObject({ default_gateway: '192.168.10.1', dns_server_address: '192.168.10.2' });
    const a = await iip(n.uuid);
    expect(a.body['instance-ip']).toMatchObject({
      instance_ip_address: '192.168.10.100',
      instance_ip_family: 'v4',
      subnet_uuid: s4.subnet_uuid,
    });
    const b = await iip(n.uuid, { instance_ip_family: 'v6' });
    expect(b.body['instance-ip']).toMatchObject({
      instance_ip_address: '2001:db8:1::3',
      instance_ip_family: 'v6',
    });
    expect((await iip(n.uuid)).body['instance-ip'].instance_ip_address).toBe('192.168.10.101');
    expect((await iip(n.uuid)).body['instance-ip'].instance_ip_address).toBe('192.168.10.102');
    const full = await iip(n.uuid, { instance_ip_family: 'v4' });
    expect(full.status).toBe(409);
    expect(full.body.error.kind).toBe('exhausted');
  });

  it('takes a requested address once, refuses reserved and foreign ones', async () => {
    const n = await vn('ipam-b', [{ ip_prefix: '10.20.0.0', ip_prefix_len: 24 }]);
    expect((await iip(n.uuid, { instance_ip_address: '10.20.0.50' })).status).toBe(200);
    const dup = await iip(n.uuid, { instance_ip_address: '10.20.0.50' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ kind: 'claim', key: '10.20.0.50' });
    expect((await iip(n.uuid, { instance_ip_address: '10.20.0.1' })).body.error.kind).toBe('claim');
    expect((await iip(n.uuid, { instance_ip_address: '10.20.0.255' })).status).toBe(409);
    const out = await iip(n.uuid, { instance_ip_address: '10.21.0.5' });
    expect(out.status).toBe(400);
    expect(out.body.error.field).toBe('instance_ip_address');
    expect((await iip(n.uuid, { instance_ip_address: '10.20.0.300' })).body.error.field).toBe(
      'instance-ip.instance_ip_address',
    );
  });

  it('never hands out one address twice under concurrent requests, and frees it on delete', async () => {
    const n = await vn('ipam-c', [{ ip_prefix: '10.30.0.0', ip_prefix_len: 26 }]);
    // /26: 64 addresses less network, broadcast, gateway, DNS = 60.
    const results = await Promise.all(Array.from({ length: 70 }, () => iip(n.uuid)));
    const ok = results
      .filter((r) => r.status === 200)
      .map((r) => r.body['instance-ip'].instance_ip_address as string);
    expect(ok).toHaveLength(60);
    expect(new Set(ok).size).toBe(60);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error.kind).toBe('exhausted');
    const one = results.find((r) => r.status === 200)!.body['instance-ip'];
    expect((await h.call('DELETE', `/instance-ip/${one.uuid}`)).status).toBe(200);
    expect((await iip(n.uuid)).body['instance-ip'].instance_ip_address).toBe(one.instance_ip_address);
    const shrink = await h.call('PUT', `/virtual-network/${n.uuid}`, {
      'virtual-network': { network_ipam_refs: [] },
    });
    expect(shrink.status).toBe(409);
  });

  it('keeps subnet uuids when a client puts the subnet list back without them, and adds a subnet', async () => {
    const n = await vn('ipam-put', [{ ip_prefix: '10.40.0.0', ip_prefix_len: 24 }]);
    const before = n.network_ipam_refs[0].attr.ipam_subnets[0].subnet_uuid;
    const ip = (await iip(n.uuid)).body['instance-ip'];
    const put = await h.call(
      'PUT',
      `/virtual-network/${n.uuid}`,
      vnBody('ipam-put', [
        { ip_prefix: '10.40.0.0', ip_prefix_len: 24 },
        { ip_prefix: '10.41.0.0', ip_prefix_len: 24 },
      ]),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const after = (await h.call('GET', `/virtual-network/${n.uuid}`)).body['virtual-network']
      .network_ipam_refs[0].attr.ipam_subnets;
    expect(after[0].subnet_uuid).toBe(before);
    expect(after[0].subnet_uuid).toBe(ip.subnet_uuid);
    expect(after[1]).toMatchObject({ default_gateway: '10.41.0.1' });
    expect(
      (await iip(n.uuid, { subnet_uuid: after[1].subnet_uuid })).body['instance-ip'].instance_ip_address,
    ).toBe('10.41.0.3');
  });

  it('allocates floating IPs from the pool network, sharing its address space', async () => {
    const n = await vn('ipam-pub', [{ ip_prefix: '203.0.113.0', ip_prefix_len: 29 }], {
      router_external: true,
    });
    const pool = await h.call('POST', '/floating-ip-pools', {
      'floating-ip-pool': { fq_name: [...PROJECT, 'ipam-pub', 'pool'] },
    });
    const f = await h.call('POST', '/floating-ips', {
      'floating-ip': { fq_name: [...PROJECT, 'ipam-pub', 'pool', 'f1'] },
    });
    expect(f.status, JSON.stringify(f.body)).toBe(200);
    expect(f.body['floating-ip'].floating_ip_address).toBe('203.0.113.3');
    expect(pool.status).toBe(200);
    expect((await iip(n.uuid)).body['instance-ip'].instance_ip_address).toBe('203.0.113.4');
  });

  it('allocates network ids, VNIs, route targets and route distinguishers, and refuses a taken VNI', async () => {
    const a = await vn('ids-a', []);
    const b = await vn('ids-b', []);
    expect(a.virtual_network_network_id).not.toBe(b.virtual_network_network_id);
    expect(a.virtual_network_properties.vxlan_network_identifier).toBe(a.virtual_network_network_id);
    const c = await vn('ids-c', [], { virtual_network_properties: { vxlan_network_identifier: 5000 } });
    expect(c.virtual_network_properties.vxlan_network_identifier).toBe(5000);
    const d = await h.call(
      'POST',
      '/virtual-networks',
      vnBody('ids-d', [], { virtual_network_properties: { vxlan_network_identifier: 5000 } }),
    );
    expect(d.status).toBe(409);
    expect(d.body.error).toMatchObject({ kind: 'claim', pool: 'vni', key: '5000' });
    const ri = (await h.call('GET', `/virtual-network/${a.uuid}`)).body['virtual-network']
      .routing_instances[0];
    const riObj = (await h.call('GET', `/routing-instance/${ri.uuid}`)).body['routing-instance'];
    expect(riObj.route_distinguisher).toBe(`64512:${a.virtual_network_network_id}`);
    expect(riObj.route_target_refs[0].to).toEqual([`target:64512:${8000000 + a.virtual_network_network_id}`]);
    const vnis = await Promise.all(Array.from({ length: 12 }, (_, i) => vn(`ids-par-${i}`, [])));
    expect(new Set(vnis.map((x) => x.virtual_network_properties.vxlan_network_identifier)).size).toBe(12);
    expect((await h.call('DELETE', `/virtual-network/${a.uuid}`)).status).toBe(200);
    expect((await h.call('GET', `/routing-instance/${ri.uuid}`)).status).toBe(404);
  });

  it('allocates unique interface MACs, keeps given ones and refuses duplicates', async () => {
    const n = await vn('mac-net', []);
    const mk = (name: string, extra: Record<string, unknown> = {}) =>
      h.call('POST', '/virtual-machine-interfaces', {
        'virtual-machine-interface': {
          fq_name: [...PROJECT, name],
          virtual_network_refs: [{ uuid: n.uuid }],
          ...extra,
        },
      });
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => mk(`mac-${i}`)));
    const macs = rs.map(
      (r) =>
        r.body['virtual-machine-interface'].virtual_machine_interface_mac_addresses.mac_address[0] as string,
    );
    expect(new Set(macs).size).toBe(20);
    for (const m of macs) expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    const given = await mk('mac-given', {
      virtual_machine_interface_mac_addresses: { mac_address: ['52:54:00:12:34:56'] },
    });
    expect(given.status).toBe(200);
    const dup = await mk('mac-dup', {
      virtual_machine_interface_mac_addresses: { mac_address: ['52:54:00:12:34:56'] },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.kind).toBe('claim');
  });

  it('allocates security group ids and tag ids (type << 16 | value)', async () => {
    const s1 = await h.call('POST', '/security-groups', {
      'security-group': { fq_name: [...PROJECT, 'sgid-1'] },
    });
    const s2 = await h.call('POST', '/security-groups', {
      'security-group': { fq_name: [...PROJECT, 'sgid-2'] },
    });
    expect(s1.body['security-group'].security_group_id).toBeGreaterThanOrEqual(8000000);
    expect(s2.body['security-group'].security_group_id).not.toBe(s1.body['security-group'].security_group_id);
    const t1 = await h.call('POST', '/tags', { tag: { tag_type_name: 'application', tag_value: 'web' } });
    expect(t1.status, JSON.stringify(t1.body)).toBe(200);
    expect(t1.body.tag).toMatchObject({ fq_name: ['application=web'], tag_id: '0x00010001' });
    const t2 = await h.call('POST', '/tags', { tag: { tag_type_name: 'application', tag_value: 'db' } });
    expect(t2.body.tag.tag_id).toBe('0x00010002');
    const t3 = await h.call('POST', '/tags', { tag: { tag_type_name: 'team', tag_value: 'blue' } });
    expect(t3.body.tag.tag_id).toBe('0x01000001');
    expect(
      (await h.call('POST', '/tags', { tag: { tag_type_name: 'application', tag_value: 'web' } })).status,
    ).toBe(409);
    expect((await h.call('POST', '/tags', { tag: { tag_value: 'x' } })).body.error.field).toBe(
      'tag.tag_type_name',
    );
  });
}
