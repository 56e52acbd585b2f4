// Config from the network may be anything: whatever readConfig returns, IfmapGraph.apply reports the bad
// objects with the package's typed errors and never throws; reading the graph afterwards never throws either.
// Bad TF objects given to nodeFromTfObject throw TfObjectError.
import {
  type ConfigBlock,
  type ConfigLink,
  type ConfigNode,
  type ConfigStanza,
  decodeStanza,
  encodeConfig,
  type XmlElement,
  XmppError,
} from '@filament/xmpp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IdentityError,
  IfmapError,
  IfmapGraph,
  nodeFromTfObject,
  PropertyShapeError,
  PropertyValueError,
  TF_VOCABULARY,
  TfObjectError,
  UuidError,
} from '../src/index.js';
import { itemsOf, tfObject } from './arbitraries.js';

const TYPES = [...TF_VOCABULARY.keys()];
const FIELD_NAMES = [
  'id-perms',
  'uuid',
  'uuid-mslong',
  'uuid-lslong',
  'virtual-network-properties',
  'vxlan-network-identifier',
  'route-target-list',
  'route-target',
  'ipam-subnets',
  'subnet',
  'ip-prefix-len',
  'enable',
  'value',
  'mac-address',
  'virtual-machine-interface-mac-addresses',
  '__proto__',
  'constructor',
  'x',
];
const text = fc.constantFrom('', 'abc', '12', '-1', 'true', '0', '99999999999999999999', ' 7 ', '1.5');

const element: fc.Arbitrary<XmlElement> = fc.letrec<{ el: XmlElement }>((tie) => ({
  el: fc.record({
    name: fc.constantFrom(...FIELD_NAMES),
    attrs: fc.constant({}),
    children: fc.oneof(
      { depthSize: 'small' },
      fc.array(text, { maxLength: 1 }),
      fc.array(fc.oneof(tie('el'), text), { maxLength: 3 }),
    ),
  }),
})).el;

const ref = fc.record({
  type: fc.oneof(fc.constantFrom(...TYPES), fc.constantFrom('', 'x\ty', 'virtual-network-network-ipam')),
  name: fc.constantFrom('', 'a', 'a:b', 'attr(a,b)', 'attr(a:b,c)', '00000000-0000-4000-8000-000000000001'),
});
const node: fc.Arbitrary<ConfigNode> = fc
  .record({ r: ref, properties: fc.array(element, { maxLength: 4 }) })
  .map(({ r, properties }) => ({ kind: 'node', ...r, properties }));
const link: fc.Arbitrary<ConfigLink> = fc
  .record({
    left: ref,
    right: ref,
    metadata: fc.constantFrom('', 'project-virtual-network', 'virtual-network-network-ipam', 'q'),
  })
  .map((l) => ({ kind: 'link', ...l, metadataChildren: [] }));
const blocks: fc.Arbitrary<ConfigBlock[]> = fc.array(
  fc.record({
    op: fc.constantFrom('update', 'delete'),
    objects: fc.array(fc.oneof(node, link), { maxLength: 12 }),
  }),
  { maxLength: 5 },
) as fc.Arbitrary<ConfigBlock[]>;

function readAll(g: IfmapGraph): void {
  for (const t of [...TYPES, ...g.types()]) {
    for (const o of g.objects(t)) {
      JSON.stringify(o);
      g.neighbours(t, (o.fq_name as string[]).join(':'), 'virtual-network');
    }
  }
}

describe('bad input', () => {
  it('random blocks: only typed rejections, the graph stays readable', () => {
    fc.assert(
      fc.property(fc.array(blocks, { minLength: 1, maxLength: 4 }), (batches) => {
        const g = new IfmapGraph();
        for (const b of batches) {
          const res = g.apply(b);
          for (const r of res.rejected) expect(r.error).toBeInstanceOf(IfmapError);
          readAll(g);
          if (batches.length % 2 === 0) g.markStale();
        }
        g.sweepStale();
        readAll(g);
      }),
      { numRuns: 400 },
    );
  });

  it('mutated config iqs: the XMPP decoder or the graph reports a typed error, nothing else', () => {
    const valid = fc.constantFrom(...TYPES).chain((t) => tfObject(t));
    fc.assert(
      fc.property(
        valid,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('<', '>', '/', '&', 'a', '1', '"', '-', '')), {
          minLength: 1,
          maxLength: 6,
        }),
        (g, edits) => {
          const objects = itemsOf(g).objects.slice(0, 16);
          let xml = encodeConfig('cn', 'default-global-system-config:a/config', [{ op: 'update', objects }]);
          xml = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
          for (const [at, ch] of edits) {
            const i = at % xml.length;
            xml = xml.slice(0, i) + ch + xml.slice(i + 1);
          }
          let st: ConfigStanza;
          try {
            const s = decodeStanza(xml);
            if (s.kind !== 'config') return;
            st = s;
          } catch (err) {
            expect(err).toBeInstanceOf(XmppError);
            return;
          }
          const graph = new IfmapGraph();
          for (const r of graph.apply(st.blocks).rejected) expect(r.error).toBeInstanceOf(IfmapError);
          readAll(graph);
        },
      ),
      { numRuns: 400 },
    );
  });

  const el = (name: string, ...children: (XmlElement | string)[]): XmlElement => ({
    name,
    attrs: {},
    children,
  });
  const vnNode = (...properties: XmlElement[]): ConfigNode => ({
    kind: 'node',
    type: 'virtual-network',
    name: 'd:p:vn',
    properties,
  });

  it('names the condition, the object and the field', () => {
    const g = new IfmapGraph();
    const cases: [ConfigNode | ConfigLink, new (...a: never[]) => IfmapError, Record<string, unknown>][] = [
      [
        vnNode(el('virtual-network-properties', el('vxlan-network-identifier', 'abc'))),
        PropertyValueError,
        {
          path: 'virtual_network_properties.vxlan_network_identifier',
          value: 'abc',
          type: 'virtual-network',
        },
      ],
      [
        vnNode(el('router-external', 'maybe')),
        PropertyValueError,
        { path: 'router_external', expected: 'a boolean' },
      ],
      [
        vnNode(el('virtual-network-properties', 'text')),
        PropertyShapeError,
        { path: 'virtual_network_properties' },
      ],
      [
        vnNode(el('virtual-network-network-id', el('x', '1'))),
        PropertyShapeError,
        { path: 'virtual_network_network_id', expected: 'text, not elements' },
      ],
      [
        vnNode(el('router-external', 'true'), el('router-external', 'false')),
        PropertyShapeError,
        { path: 'router_external' },
      ],
      [
        vnNode(el('id-perms', el('uuid', el('uuid-mslong', 'x'), el('uuid-lslong', '1')))),
        UuidError,
        { objectName: 'd:p:vn' },
      ],
      [
        vnNode(el('id-perms', el('uuid', el('uuid-mslong', '18446744073709551616'), el('uuid-lslong', '1')))),
        UuidError,
        {},
      ],
      [vnNode(el('__proto__', 'x')), PropertyShapeError, {}],
      [
        { kind: 'node', type: 'virtual-network', name: '', properties: [] },
        IdentityError,
        { reason: 'empty identifier name' },
      ],
      [
        {
          kind: 'link',
          left: { type: 'a', name: 'x' },
          right: { type: 'b', name: 'y' },
          metadata: '',
          metadataChildren: [],
        },
        IdentityError,
        { reason: 'link without metadata type' },
      ],
      [
        {
          kind: 'link',
          left: { type: 'a', name: 'x' },
          right: { type: 'a', name: 'x' },
          metadata: 'a-a',
          metadataChildren: [],
        },
        IdentityError,
        { reason: 'link to itself' },
      ],
    ];
    for (const [object, cls, fields] of cases) {
      const res = g.apply([{ op: 'update', objects: [object] }]);
      expect(res.rejected).toHaveLength(1);
      expect(res.rejected[0]!.error).toBeInstanceOf(cls);
      expect(res.rejected[0]!.error).toMatchObject(fields);
      expect(res.rejected[0]!.error.name).toBe(cls.name);
      expect(res.changes).toEqual([]);
    }
    expect(g.size).toBe(0);
    // One bad object does not stop the good ones of the same iq.
    const good = vnNode(el('router-external', 'true'));
    const res = g.apply([{ op: 'update', objects: [cases[0]![0], good] }]);
    expect(res.rejected).toHaveLength(1);
    expect(g.get('virtual-network', 'd:p:vn')).toMatchObject({ router_external: true });
  });

  it('nodeFromTfObject throws TfObjectError naming the field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'fq_name'],
      [{ fq_name: [] }, 'fq_name'],
      [{ fq_name: ['a', ''] }, 'fq_name'],
      [{ fq_name: ['a'], uuid: 'nope' }, 'uuid'],
      [{ fq_name: ['a', 'b'], display_name: [['x']] }, 'display_name[0]'],
      [{ fq_name: ['a', 'b'], display_name: () => 1 }, 'display_name'],
      [{ fq_name: ['a', 'b'], annotations: { x: Number.NaN } }, 'annotations.x'],
      [{ fq_name: ['a', 'b'], network_ipam_refs: {} }, 'network_ipam_refs'],
      [{ fq_name: ['a', 'b'], network_ipam_refs: [{ uuid: 'u' }] }, 'network_ipam_refs[0].to'],
      [{ fq_name: ['a', 'b'], network_ipam_refs: [7] }, 'network_ipam_refs[0]'],
      [{ fq_name: ['a'], parent_type: 'project' }, 'parent_type'],
      [{ fq_name: ['a', 'b'], id_perms: 'x' }, 'id_perms'],
    ];
    for (const [obj, field] of bad) {
      let err: unknown;
      try {
        nodeFromTfObject('virtual-network', obj);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(obj)).toBeInstanceOf(TfObjectError);
      expect((err as TfObjectError).field).toBe(field);
      expect((err as TfObjectError).code).toBe('ERR_IFMAP_TF_OBJECT');
    }
  });
});
