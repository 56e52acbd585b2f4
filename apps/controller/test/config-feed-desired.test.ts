// What one agent is sent for a set of stored objects: links only between objects it sees (an attribute node
// goes with its link), one cached IF-MAP form per object revision, and a body with no XML form left out alone.
import { TfObjectError } from '@filament/ifmap';
import type { ConfigLink, ConfigNode } from '@filament/xmpp';
import { describe, expect, it } from 'vitest';
import { DesiredCache } from '../src/control/config/desired.js';
import { ObjectIndex } from '../src/control/config/object-index.js';
import type { StoredObject } from '../src/store/interface.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const P = ['default-domain', 'admin'];

function stored(o: Partial<StoredObject> & Pick<StoredObject, 'type' | 'uuid' | 'fqName'>): StoredObject {
  return { refs: [], claims: [], body: {}, version: 1, revision: 1, ...o };
}

describe('DesiredCache', () => {
  const project = stored({ type: 'project', uuid: U(1), fqName: P });
  const ipam = stored({
    type: 'network-ipam',
    uuid: U(2),
    fqName: [...P, 'ipam'],
    parentType: 'project',
    parentUuid: U(1),
  });
  const policy = stored({
    type: 'network-policy',
    uuid: U(3),
    fqName: [...P, 'pol'],
    parentType: 'project',
    parentUuid: U(1),
  });
  const vn = stored({
    type: 'virtual-network',
    uuid: U(4),
    fqName: [...P, 'vn'],
    parentType: 'project',
    parentUuid: U(1),
    body: { virtual_network_properties: { vxlan_network_identifier: 9 } },
    refs: [
      { type: 'network-ipam', uuid: U(2), attr: { ipam_subnets: [] } },
      { type: 'network-policy', uuid: U(3), attr: { sequence: { major: 0, minor: 0 } } },
    ],
  });
  const index = new ObjectIndex();
  // An index that never loaded a store holds changes; give it an empty store listing first.
  const ready = index.load({ list: async () => ({ objects: [] }) } as never);

  it('keeps links (and attribute nodes) between visible objects only', async () => {
    await ready;
    for (const [i, o] of [project, ipam, policy, vn].entries()) {
      index.apply({ revision: i + 1, kind: 'put', type: o.type, uuid: o.uuid, object: o });
    }
    const cache = new DesiredCache(index, { encapsulationPriorities: ['VXLAN'] });
    // The agent sees the project, the IPAM and the network, not the policy.
    const want = cache.desiredGraph(new Map([project, ipam, vn].map((o) => [o.uuid, o])));
    const items = [...want.values()].map((e) => e.item);
    const nodes = items.filter((i): i is ConfigNode => i.kind === 'node').map((n) => `${n.type} ${n.name}`);
    const links = items
      .filter((i): i is ConfigLink => i.kind === 'link')
      .map((l) => `${l.left.name} ${l.metadata} ${l.right.name}`);
    expect(nodes).toEqual([
      'project default-domain:admin',
      'network-ipam default-domain:admin:ipam',
      'virtual-network default-domain:admin:vn',
      'virtual-network-network-ipam attr(default-domain:admin:vn,default-domain:admin:ipam)',
      'global-vrouter-config default-global-system-config:default-global-vrouter-config',
    ]);
    expect(links).toEqual([
      'default-domain:admin project-network-ipam default-domain:admin:ipam',
      'default-domain:admin project-virtual-network default-domain:admin:vn',
      'default-domain:admin:vn virtual-network-network-ipam attr(default-domain:admin:vn,default-domain:admin:ipam)',
      'attr(default-domain:admin:vn,default-domain:admin:ipam) virtual-network-network-ipam default-domain:admin:ipam',
    ]);
    // Nodes come before links: the order an update carries them in.
    const firstLink = items.findIndex((i) => i.kind === 'link');
    expect(items.slice(firstLink).every((i) => i.kind === 'link')).toBe(true);
    // One IF-MAP form per object revision, shared.
    expect(cache.items(vn)).toBe(cache.items(vn));
    expect(cache.items({ ...vn, revision: 9 })).not.toBe(cache.items(vn));
  });

  it('leaves out an object whose body has no XML form, and reports it', async () => {
    await ready;
    const bad = stored({ type: 'virtual-machine', uuid: U(9), fqName: [U(9)], body: { annotations: [[1]] } });
    const reported: [string, unknown][] = [];
    const cache = new DesiredCache(index, { encapsulationPriorities: ['VXLAN'] }, (o, err) =>
      reported.push([o.uuid, err]),
    );
    const want = cache.desiredGraph(new Map([project, bad].map((o) => [o.uuid, o])));
    expect([...want.values()].some((e) => e.item.kind === 'node' && e.item.type === 'virtual-machine')).toBe(
      false,
    );
    expect(reported).toHaveLength(1);
    expect(reported[0]![0]).toBe(U(9));
    expect(reported[0]![1]).toBeInstanceOf(TfObjectError);
  });
});
