// The Tungsten Fabric example messages decode to the values PROTOCOL.md describes, and re-encode to XML
// that ltx (not our parser) reads as the same tree.
import { describe, expect, it } from 'vitest';
import {
  decodeStanza,
  decodeStreamHeader,
  encodeStanza,
  encodeStreamHeader,
  evpnRouteKind,
  type Stanza,
} from '../src/index.js';
import { canonical, example, HAS_REF, REF_MISSING, splitTopLevel } from './helpers.js';

const d = HAS_REF ? describe : describe.skip;

function one(name: string): Stanza {
  const parts = splitTopLevel(example(name));
  expect(parts).toHaveLength(1);
  return decodeStanza(parts[0]!);
}

d(`Tungsten Fabric examples${HAS_REF ? '' : ` [skipped: ${REF_MISSING}]`}`, () => {
  const files = [
    'agent-config-vm-subscribe.xml',
    'agent-config-vr-subscribe.xml',
    'agent-end-of-rib.xml',
    'agent-publish-enet-add.xml',
    'agent-publish-inet4-add.xml',
    'agent-publish-inet4-withdraw.xml',
    'agent-publish-inet6-add.xml',
    'agent-publish-mcast-add.xml',
    'agent-starttls.xml',
    'agent-vrf-subscribe.xml',
    'agent-vrf-unsubscribe.xml',
    'cn-config-update.xml',
    'cn-end-of-rib.xml',
    'cn-proceed.xml',
    'cn-route-update-inet4.xml',
    'cn-route-withdraw-enet.xml',
    'cn-route-withdraw-inet4.xml',
    'cn-stream-features-starttls.xml',
  ];

  for (const f of files) {
    it(`${f}: decode, re-encode, and ltx sees the same tree`, () => {
      const parts = splitTopLevel(example(f));
      for (const part of parts) {
        const value = decodeStanza(part);
        const again = encodeStanza(value);
        expect(canonical(again)).toEqual(canonical(part));
        expect(decodeStanza(again)).toEqual(value);
      }
    });
  }

  it('vrf subscribe carries the instance id', () => {
    expect(one('agent-vrf-subscribe.xml')).toEqual({
      kind: 'subscribe',
      from: 'compute-1',
      to: 'network-control@contrailsystems.com/bgp-peer',
      id: 'subscribe0',
      node: 'default-domain:admin:vn1:vn1',
      instanceId: 3,
    });
  });

  it('config subscribe has no id and no options', () => {
    expect(one('agent-config-vr-subscribe.xml')).toEqual({
      kind: 'subscribe',
      from: 'compute-1',
      to: 'network-control@contrailsystems.com/config',
      node: 'virtual-router:default-global-system-config:compute-1',
    });
  });

  it('inet4 publish: every field of the entry', () => {
    const [pub, col] = splitTopLevel(example('agent-publish-inet4-add.xml')).map(decodeStanza);
    expect(pub).toMatchObject({ kind: 'publish', node: '1/1/default-domain:admin:vn1:vn1/10.1.1.3/32' });
    if (pub?.kind !== 'publish' || pub.route?.family !== 'inet') throw new Error('not an inet publish');
    expect(pub.route.entry).toEqual({
      nlri: { af: 1, safi: 1, address: '10.1.1.3/32' },
      nextHops: [
        {
          af: 1,
          address: '10.0.0.11',
          mac: '52:54:00:aa:bb:cc',
          label: 25,
          vni: 0,
          tunnelEncapsulations: ['gre', 'udp'],
          virtualNetwork: 'default-domain:admin:vn1',
          tags: [],
          localSequenceNumber: 0,
        },
      ],
      version: 1,
      virtualNetwork: '',
      mobility: { seqno: 0, sticky: false },
      sequenceNumber: 0,
      securityGroups: [8000002],
      communityTags: [],
      localPreference: 200,
      med: 0,
      loadBalance: { fields: [], decision: 'field-hash' },
      subProtocol: 'interface',
    });
    expect(col).toEqual({
      kind: 'collection',
      from: 'compute-1',
      to: 'network-control@contrailsystems.com/bgp-peer',
      id: 'collection0',
      node: 'default-domain:admin:vn1:vn1',
      associate: ['1/1/default-domain:admin:vn1:vn1/10.1.1.3/32'],
      dissociate: [],
    });
  });

  it('withdraw is the same publish with a dissociate', () => {
    const [, col] = splitTopLevel(example('agent-publish-inet4-withdraw.xml')).map(decodeStanza);
    expect(col).toMatchObject({
      kind: 'collection',
      associate: [],
      dissociate: ['1/1/default-domain:admin:vn1:vn1/10.1.1.3/32'],
    });
  });

  it('EVPN publish is a type-2 MAC/IP route with etree-leaf', () => {
    const [pub] = splitTopLevel(example('agent-publish-enet-add.xml')).map(decodeStanza);
    if (pub?.kind !== 'publish' || pub.route?.family !== 'evpn') throw new Error('not an evpn publish');
    const e = pub.route.entry;
    expect(e.nlri).toEqual({
      af: 25,
      safi: 242,
      ethernetTag: 0,
      mac: '02:84:4f:c3:40:2b',
      address: '10.1.1.3/32',
      group: '',
      source: '',
      flags: 0,
    });
    expect(evpnRouteKind(e.nlri)).toBe('mac-ip');
    expect(e.nextHops[0]).toMatchObject({ label: 26, l3Label: 0, tunnelEncapsulations: ['gre', 'udp'] });
    expect(e.etreeLeaf).toBe(true);
    expect(e.securityGroups).toEqual([8000002]);
  });

  it('multicast publish keeps the label range as a string', () => {
    const [pub] = splitTopLevel(example('agent-publish-mcast-add.xml')).map(decodeStanza);
    if (pub?.kind !== 'publish' || pub.route?.family !== 'ermvpn') throw new Error('not an ermvpn publish');
    expect(pub.route.entry.nlri).toEqual({
      af: 1,
      safi: 241,
      group: '255.255.255.255',
      source: '0.0.0.0',
      sourceLabel: 0,
      sourceAddress: '',
    });
    expect(pub.route.entry.nextHops[0]?.label).toBe('4096-4607');
  });

  it('CN route update: two inet items with ids, VRF from the items node', () => {
    const m = one('cn-route-update-inet4.xml');
    if (m.kind !== 'route-update') throw new Error(m.kind);
    expect(m.family).toBe('inet');
    expect(m.vrf).toBe('default-domain:admin:vn1:vn1');
    expect(m.items.map((i) => i.id)).toEqual(['10.1.1.4/32', '10.1.1.5/32']);
    const e1 = m.items[1]?.route.entry;
    expect(e1).toMatchObject({ med: 100, securityGroups: [], virtualNetwork: 'default-domain:admin:vn1' });
  });

  it('CN withdraws: inet and EVPN retract ids', () => {
    expect(one('cn-route-withdraw-inet4.xml')).toMatchObject({
      kind: 'route-retract',
      family: 'inet',
      ids: ['10.1.1.4/32', '10.1.1.5/32'],
    });
    expect(one('cn-route-withdraw-enet.xml')).toMatchObject({
      kind: 'route-retract',
      family: 'evpn',
      vrf: 'default-domain:admin:vn1:vn1',
      ids: ['02:84:4f:c3:40:2b,10.1.1.3/32', '5-02:84:4f:c3:40:2b,0.0.0.0/32'],
    });
  });

  it('End-of-RIB both ways, byte-exact from our encoder', () => {
    expect(one('cn-end-of-rib.xml')).toEqual({
      kind: 'end-of-rib',
      from: 'network-control@contrailsystems.com',
      to: 'compute-1/bgp-peer',
    });
    expect(one('agent-end-of-rib.xml')).toMatchObject({ kind: 'end-of-rib', from: 'compute-1' });
    expect(encodeStanza(one('cn-end-of-rib.xml'))).toBe(example('cn-end-of-rib.xml'));
  });

  it('config update and delete with nodes and a link', () => {
    const m = one('cn-config-update.xml');
    if (m.kind !== 'config') throw new Error(m.kind);
    expect(m.to).toBe('default-global-system-config:compute-1/config');
    expect(m.blocks.map((b) => b.op)).toEqual(['update', 'delete']);
    expect(m.blocks[0]?.objects[0]).toEqual({
      kind: 'node',
      type: 'virtual-router',
      name: 'default-global-system-config:compute-1',
      properties: [{ name: 'virtual-router-ip-address', attrs: {}, children: ['10.0.0.11'] }],
    });
    expect(m.blocks[0]?.objects[2]).toEqual({
      kind: 'link',
      left: { type: 'virtual-router', name: 'default-global-system-config:compute-1' },
      right: { type: 'virtual-machine', name: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' },
      metadata: 'virtual-router-virtual-machine',
      metadataChildren: [],
    });
    expect(m.blocks[1]?.objects).toEqual([
      { kind: 'node', type: 'virtual-machine', name: '00000000-0000-0000-0000-000000000001', properties: [] },
    ]);
  });

  it('STARTTLS exchange elements', () => {
    expect(one('cn-stream-features-starttls.xml')).toEqual({
      kind: 'features',
      starttls: true,
      required: true,
    });
    expect(decodeStanza(example('agent-starttls.xml').replace('<?xml version="1.0"?>', ''))).toEqual({
      kind: 'starttls',
    });
    expect(decodeStanza(example('cn-proceed.xml'))).toEqual({ kind: 'proceed' });
    expect(encodeStanza({ kind: 'starttls' })).toBe(example('agent-starttls.xml').trimEnd());
    expect(encodeStanza({ kind: 'proceed' })).toBe(example('cn-proceed.xml').trimEnd());
  });

  it('stream headers: decode both, and our encoder writes them byte for byte', () => {
    for (const f of ['agent-stream-open.txt', 'cn-stream-open-response.txt']) {
      const text = example(f).trim();
      const h = decodeStreamHeader(text);
      expect(encodeStreamHeader(h)).toBe(text);
    }
    expect(decodeStreamHeader(example('cn-stream-open-response.txt').trim())).toEqual({
      from: 'control-node-1',
      to: 'compute-1',
      id: '++123',
      version: '1.0',
      lang: 'en',
      xmlns: 'jabber:client',
    });
  });
});
