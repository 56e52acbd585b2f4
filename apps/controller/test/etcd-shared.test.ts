// Two controllers on one etcd: each sees the other's writes through the store watch and the API, and their
// concurrent allocations in one network never collide.
import { describeWithTool } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Change } from '../src/store/interface.js';
import { type Harness, PROJECT, startController, vnBody } from './support/api.js';
import { startEtcd, type TestEtcd } from './support/etcd.js';

describeWithTool('etcd', 'two controllers sharing one etcd', () => {
  let etcd: TestEtcd;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    etcd = await startEtcd();
    const shared = { etcdUrl: etcd.url, prefix: '/shared/' };
    const started = await Promise.allSettled([
      startController('etcd', {}, shared),
      startController('etcd', {}, shared),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      for (const r of started) if (r.status === 'fulfilled') await r.value.close();
      throw failed.reason;
    }
    [a, b] = started.map((r) => (r as PromiseFulfilledResult<Harness>).value) as [Harness, Harness];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await etcd?.stop();
  });

  it('bootstraps the defaults once although both started together', async () => {
    const ra = await a.call('GET', '/projects');
    const rb = await b.call('GET', '/projects', undefined, b.admin);
    expect(ra.body.projects).toHaveLength(1);
    expect(rb.body.projects.map((p: { uuid: string }) => p.uuid)).toEqual(
      ra.body.projects.map((p: { uuid: string }) => p.uuid),
    );
  });

  it("delivers one controller's writes to the other's watch, in order", async () => {
    const seen: Change[] = [];
    const on = (c: Change) => seen.push(c);
    b.c.changes.on('change', on);
    try {
      const r = await a.call(
        'POST',
        '/virtual-networks',
        vnBody('shared-net', [{ ip_prefix: '10.50.0.0', ip_prefix_len: 24 }]),
      );
      expect(r.status).toBe(200);
      const id = r.body['virtual-network'].uuid;
      await a.call('PUT', `/virtual-network/${id}`, { 'virtual-network': { display_name: 'from-a' } });
      const deadline = Date.now() + 10_000;
      while (seen.filter((c) => c.uuid === id).length < 2 && Date.now() < deadline)
        await new Promise((res) => setTimeout(res, 20));
      const mine = seen.filter((c) => c.uuid === id);
      expect(mine.map((c) => c.object.version)).toEqual([1, 2]);
      expect(mine[1]!.object.body.display_name).toBe('from-a');
      expect(seen.some((c) => c.type === 'routing-instance' && c.object.parentUuid === id)).toBe(true);
      const viaB = await b.call('GET', `/virtual-network/${id}`, undefined, b.admin);
      expect(viaB.body['virtual-network'].display_name).toBe('from-a');
    } finally {
      b.c.changes.off('change', on);
    }
  });

  it('gives networks created at once on both controllers distinct ids, VNIs and route targets', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? a : b).call('POST', '/virtual-networks', vnBody(`race-${i}`, []), i % 2 ? a.admin : b.admin),
      ),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const vnis = results.map(
      (r) => r.body['virtual-network'].virtual_network_properties.vxlan_network_identifier,
    );
    expect(new Set(vnis).size).toBe(16);
  });

  it('never allocates one address twice when both controllers allocate in the same network', async () => {
    const id = (
      await a.call('POST', '/fqname-to-id', { type: 'virtual-network', fq_name: [...PROJECT, 'shared-net'] })
    ).body.uuid;
    const body = { 'instance-ip': { virtual_network_refs: [{ uuid: id }] } };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? a.call('POST', '/instance-ips', body) : b.call('POST', '/instance-ips', body, b.admin),
      ),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const addrs = results.map((r) => r.body['instance-ip'].instance_ip_address);
    expect(new Set(addrs).size).toBe(40);
  });
});
