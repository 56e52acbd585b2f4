// TF REST objects of every vocabulary type survive nodeFromTfObject -> tfObjectFromNode, and the full path an
// agent sees: encodeConfig (<= 16 objects per iq, chunkConfig) -> the XMPP decoder -> IfmapGraph.get.
import { type ConfigStanza, chunkConfig, decodeStanza, encodeConfig } from '@filament/xmpp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IfmapGraph, nodeFromTfObject, TF_VOCABULARY, tfObjectFromNode, uuidToHalves } from '../src/index.js';
import { expectedAfterRoundTrip, itemsOf, tfObject } from './arbitraries.js';

const TYPES = [...TF_VOCABULARY.keys()];

describe('round trips of TF objects', () => {
  it.each(TYPES)('%s through nodeFromTfObject / tfObjectFromNode', (type) => {
    fc.assert(
      fc.property(tfObject(type), (g) => {
        const { own, targets } = itemsOf(g);
        const back = tfObjectFromNode(own.node, own.links, [...own.attributeNodes, ...targets]);
        expect(back).toEqual(expectedAfterRoundTrip(g.obj));
      }),
      { numRuns: 60 },
    );
  });

  it.each(TYPES)('%s through config iqs and an IfmapGraph', (type) => {
    fc.assert(
      fc.property(tfObject(type), (g) => {
        const { objects } = itemsOf(g);
        const graph = new IfmapGraph();
        for (const chunk of chunkConfig([{ op: 'update', objects }])) {
          const xml = encodeConfig(
            'network-control@contrailsystems.com',
            'default-global-system-config:a/config',
            chunk,
          );
          const st = decodeStanza(xml.replace(/^<\?xml[^>]*\?>\s*/, '')) as ConfigStanza;
          expect(st.kind).toBe('config');
          expect(graph.apply(st.blocks).rejected).toEqual([]);
        }
        const name = objects[0]!.kind === 'node' ? objects[0]!.name : '';
        expect(graph.get(type, name)).toEqual(expectedAfterRoundTrip(g.obj));
        expect(graph.byUuid(g.obj.uuid as string)).toEqual(expectedAfterRoundTrip(g.obj));
      }),
      { numRuns: 25 },
    );
  });
});

describe('the TF forms', () => {
  const vn = {
    fq_name: ['default-domain', 'admin', 'vn1'],
    uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    parent_type: 'project',
    virtual_network_properties: { vxlan_network_identifier: 5001 },
    network_ipam_refs: [
      {
        to: ['default-domain', 'admin', 'ipam1'],
        attr: { ipam_subnets: [{ subnet: { ip_prefix: '10.0.0.0', ip_prefix_len: 24 } }] },
      },
    ],
    virtual_network_back_refs: [{ to: ['x'] }],
    routing_instances: [{ to: ['default-domain', 'admin', 'vn1', 'vn1'] }],
    href: 'http://x/virtual-network/6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  };

  it('names, property elements, id-perms uuid halves, parent link and link attribute node', () => {
    const o = nodeFromTfObject('virtual-network', vn);
    expect(o.node.name).toBe('default-domain:admin:vn1');
    expect(o.node.properties.map((p) => p.name)).toEqual(['virtual-network-properties', 'id-perms']);
    const perms = o.node.properties[1]!;
    expect(perms.children).toEqual([
      {
        name: 'uuid',
        attrs: {},
        children: [
          { name: 'uuid-mslong', attrs: {}, children: ['7757371264673321425'] },
          { name: 'uuid-lslong', attrs: {}, children: ['9274038358635720904'] },
        ],
      },
    ]);
    expect(uuidToHalves(vn.uuid)).toEqual({
      uuid_mslong: '7757371264673321425',
      uuid_lslong: '9274038358635720904',
    });
    expect(o.links.map((l) => [l.left.type, l.right.type, l.metadata])).toEqual([
      ['project', 'virtual-network', 'project-virtual-network'],
      ['virtual-network', 'virtual-network-network-ipam', 'virtual-network-network-ipam'],
      ['virtual-network-network-ipam', 'network-ipam', 'virtual-network-network-ipam'],
    ]);
    expect(o.attributeNodes[0]!.name).toBe('attr(default-domain:admin:vn1,default-domain:admin:ipam1)');
  });

  it('a virtual-machine is named by its uuid, and refs to it too', () => {
    const vm = '00000000-0000-4000-8000-000000000001';
    expect(nodeFromTfObject('virtual-machine', { fq_name: ['vm-one'], uuid: vm }).node.name).toBe(vm);
    const vr = nodeFromTfObject('virtual-router', {
      fq_name: ['default-global-system-config', 'compute-1'],
      virtual_machine_refs: [{ uuid: vm, to: ['vm-one'] }],
    });
    expect(vr.links[1]).toMatchObject({
      left: { type: 'virtual-router', name: 'default-global-system-config:compute-1' },
      right: { type: 'virtual-machine', name: vm },
      metadata: 'virtual-router-virtual-machine',
    });
  });
});
