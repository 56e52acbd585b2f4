// IfmapGraph: applying updates and deletes in the orders a control node may use, the change events, back-refs
// through neighbours(), and the resync sweep.
import type { ConfigBlock, ConfigLink, ConfigNode } from '@filament/xmpp';
import { describe, expect, it } from 'vitest';
import { type IfmapChange, IfmapGraph, type IfmapObject, nodeFromTfObject } from '../src/index.js';

const P = ['default-domain', 'admin'];
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const VN = `${P.join(':')}:vn1`;
const RI = `${VN}:vn1`;
const VMI = `${P.join(':')}:port1`;
const VM = U(5);

function objects(): Record<string, IfmapObject> {
  return {
    project: nodeFromTfObject('project', { fq_name: P, uuid: U(1), parent_type: 'domain' }),
    ipam: nodeFromTfObject('network-ipam', { fq_name: [...P, 'ipam1'], uuid: U(2), parent_type: 'project' }),
    vn: nodeFromTfObject('virtual-network', {
      fq_name: [...P, 'vn1'],
      uuid: U(3),
      parent_type: 'project',
      virtual_network_properties: { vxlan_network_identifier: 7001, forwarding_mode: 'l2_l3' },
      network_ipam_refs: [
        {
          to: [...P, 'ipam1'],
          attr: {
            ipam_subnets: [
              { subnet: { ip_prefix: '10.9.0.0', ip_prefix_len: 24 }, default_gateway: '10.9.0.1' },
            ],
          },
        },
      ],
    }),
    ri: nodeFromTfObject('routing-instance', {
      fq_name: [...P, 'vn1', 'vn1'],
      uuid: U(4),
      parent_type: 'virtual-network',
      routing_instance_is_default: true,
    }),
    vm: nodeFromTfObject('virtual-machine', { fq_name: [VM], uuid: VM }),
    vmi: nodeFromTfObject('virtual-machine-interface', {
      fq_name: [...P, 'port1'],
      uuid: U(6),
      parent_type: 'project',
      virtual_machine_interface_mac_addresses: { mac_address: ['02:00:00:00:00:01'] },
      virtual_network_refs: [{ to: [...P, 'vn1'] }],
      virtual_machine_refs: [{ to: [VM], uuid: VM }],
    }),
  };
}

const nodesOf = (os: IfmapObject[]): ConfigNode[] => os.flatMap((o) => [o.node, ...o.attributeNodes]);
const linksOf = (os: IfmapObject[]): ConfigLink[] => os.flatMap((o) => o.links);
const update = (objs: (ConfigNode | ConfigLink)[]): ConfigBlock[] => [{ op: 'update', objects: objs }];
const del = (objs: (ConfigNode | ConfigLink)[]): ConfigBlock[] => [{ op: 'delete', objects: objs }];

function recorder(g: IfmapGraph): string[] {
  const out: string[] = [];
  g.on('change', (c: IfmapChange) => out.push(`${c.op} ${c.type} ${c.name}`));
  return out;
}

describe('IfmapGraph', () => {
  it('applies nodes then links: one add per object, refs resolved with uuids, parent-child not a ref', () => {
    const o = objects();
    const g = new IfmapGraph();
    const events = recorder(g);
    const all = Object.values(o);
    const res = g.apply(update([...nodesOf(all), ...linksOf(all)]));
    expect(res.rejected).toEqual([]);
    expect(events).toEqual([
      `add project ${P.join(':')}`,
      `add network-ipam ${P.join(':')}:ipam1`,
      `add virtual-network ${VN}`,
      `add routing-instance ${RI}`,
      `add virtual-machine ${VM}`,
      `add virtual-machine-interface ${VMI}`,
    ]);
    expect(g.size).toBe(6);
    const vn = g.get('virtual-network', VN)!;
    expect(vn).toEqual({
      fq_name: [...P, 'vn1'],
      uuid: U(3),
      parent_type: 'project',
      virtual_network_properties: { vxlan_network_identifier: 7001, forwarding_mode: 'l2_l3' },
      network_ipam_refs: [
        {
          to: [...P, 'ipam1'],
          uuid: U(2),
          attr: {
            ipam_subnets: [
              { subnet: { ip_prefix: '10.9.0.0', ip_prefix_len: 24 }, default_gateway: '10.9.0.1' },
            ],
          },
        },
      ],
    });
    expect(g.get('routing-instance', RI)).toMatchObject({
      parent_type: 'virtual-network',
      routing_instance_is_default: true,
    });
    expect(g.get('project', P.join(':'))).not.toHaveProperty('virtual_network_refs');
    expect(g.byUuid(U(6))).toBe(g.get('virtual-machine-interface', VMI));
    // Back-refs: the VN's interfaces, the VM's interfaces, the network's routing instance (a child).
    expect(g.neighbours('virtual-network', VN, 'virtual-machine-interface')).toEqual([VMI]);
    expect(g.neighbours('virtual-machine', VM, 'virtual-machine-interface')).toEqual([VMI]);
    expect(g.neighbours('virtual-network', VN, 'routing-instance')).toEqual([RI]);
    expect(g.neighbours('network-ipam', `${P.join(':')}:ipam1`, 'virtual-network')).toEqual([VN]);
    expect([...g.objects('virtual-network')]).toEqual([vn]);
  });

  it('accepts links before their nodes; the uuids resolve when the nodes arrive', () => {
    const o = objects();
    const g = new IfmapGraph();
    g.apply(update(linksOf([o.vmi!])));
    expect(g.size).toBe(0);
    g.apply(update([o.vmi!.node]));
    expect(g.get('virtual-machine-interface', VMI)!.virtual_network_refs).toEqual([
      { to: [...P, 'vn1'], attr: null },
    ]);
    const events = recorder(g);
    g.apply(update([o.vn!.node]));
    expect(events).toEqual([`add virtual-network ${VN}`, `update virtual-machine-interface ${VMI}`]);
    expect(g.get('virtual-machine-interface', VMI)!.virtual_network_refs).toEqual([
      { to: [...P, 'vn1'], uuid: U(3), attr: null },
    ]);
  });

  it('an incremental link or property change is one update; a delete removes the node and its links', () => {
    const o = objects();
    const g = new IfmapGraph();
    const all = Object.values(o);
    g.apply(update([...nodesOf(all), ...linksOf(all)]));
    const events = recorder(g);

    const changed = nodeFromTfObject('virtual-network', {
      fq_name: [...P, 'vn1'],
      uuid: U(3),
      virtual_network_properties: { vxlan_network_identifier: 7002 },
    });
    g.apply(update([changed.node]));
    expect(events.splice(0)).toEqual([`update virtual-network ${VN}`]);
    expect(g.get('virtual-network', VN)!.virtual_network_properties).toEqual({
      vxlan_network_identifier: 7002,
    });

    // The same content again (a resync) is no change.
    g.apply(update([changed.node]));
    expect(events).toEqual([]);

    // Removing the attribute node drops the VN's ipam ref.
    g.apply(del([o.vn!.links[1]!, o.vn!.links[2]!, o.vn!.attributeNodes[0]!]));
    expect(events.splice(0)).toEqual([
      `update virtual-network ${VN}`,
      `update network-ipam ${P.join(':')}:ipam1`,
    ]);
    expect(g.get('virtual-network', VN)).not.toHaveProperty('network_ipam_refs');

    // TF order: links, then the node.
    g.apply(del([...o.vmi!.links, o.vmi!.node]));
    expect(events.splice(0)).toEqual([
      `update project ${P.join(':')}`,
      `delete virtual-machine-interface ${VMI}`,
      `update virtual-network ${VN}`,
      `update virtual-machine ${VM}`,
    ]);
    expect(g.has('virtual-machine-interface', VMI)).toBe(false);
    expect(g.byUuid(U(6))).toBeUndefined();
    expect(g.neighbours('virtual-network', VN, 'virtual-machine-interface')).toEqual([]);

    // A node deleted without its links first takes them along.
    g.apply(del([o.ri!.node]));
    expect(events.splice(0)).toEqual([`update virtual-network ${VN}`, `delete routing-instance ${RI}`]);
    expect(g.neighbours('virtual-network', VN, 'routing-instance')).toEqual([]);
    // Deleting what is not there is no change.
    g.apply(del([o.ri!.node, ...o.ri!.links]));
    expect(events).toEqual([]);
  });

  it('markStale / sweepStale: what the control node re-sends stays, the rest is deleted', () => {
    const o = objects();
    const g = new IfmapGraph();
    const all = Object.values(o);
    g.apply(update([...nodesOf(all), ...linksOf(all)]));
    g.markStale();
    // The new session re-sends everything except the VMI (deleted while the agent was away).
    const kept = all.filter((x) => x !== o.vmi);
    const resend = g.apply(update([...nodesOf(kept), ...linksOf(kept)]));
    expect(resend.changes).toEqual([]);
    const events = recorder(g);
    const swept = g.sweepStale();
    expect(swept.rejected).toEqual([]);
    expect(events).toContain(`delete virtual-machine-interface ${VMI}`);
    expect(events.filter((e) => e.startsWith('delete'))).toEqual([`delete virtual-machine-interface ${VMI}`]);
    expect(g.size).toBe(5);
    expect(g.get('virtual-network', VN)!.network_ipam_refs).toHaveLength(1);
    expect(g.neighbours('virtual-machine', VM, 'virtual-machine-interface')).toEqual([]);
    // Nothing stale is left: a second sweep changes nothing.
    expect(g.sweepStale().changes).toEqual([]);
  });

  it('reports each object once per apply, whatever happened to it in between', () => {
    const o = objects();
    const g = new IfmapGraph();
    const events = recorder(g);
    g.apply([
      { op: 'update', objects: [o.vn!.node, o.ipam!.node, ...o.vn!.attributeNodes] },
      { op: 'update', objects: o.vn!.links },
      { op: 'delete', objects: [o.ipam!.node] },
      { op: 'update', objects: [o.ipam!.node] },
    ]);
    expect(events).toEqual([`add virtual-network ${VN}`, `update network-ipam ${P.join(':')}:ipam1`]);
  });
});
