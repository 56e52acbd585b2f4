// A Tungsten Fabric REST object <-> its IF-MAP identifier, properties and links (PROTOCOL.md section 7):
//
//   {"fq_name": ["default-domain","admin","vn1"], "uuid": U, "parent_type": "project",
//    "virtual_network_properties": {"vxlan_network_identifier": 5001},
//    "network_ipam_refs": [{"to": [...,"ipam1"], "attr": {"ipam_subnets": [...]}}]}
//   <node type="virtual-network"><name>default-domain:admin:vn1</name>
//     <virtual-network-properties><vxlan-network-identifier>5001</vxlan-network-identifier></virtual-network-properties>
//     <id-perms><uuid><uuid-mslong>..</uuid-mslong><uuid-lslong>..</uuid-lslong></uuid></id-perms></node>
//   <link> project default-domain:admin / virtual-network ..:vn1  metadata project-virtual-network </link>
//   <node type="virtual-network-network-ipam"><name>attr(..:vn1,..:ipam1)</name><value>..</value></node>
//   <link> virtual-network ..:vn1 / virtual-network-network-ipam attr(..) </link>
//   <link> virtual-network-network-ipam attr(..) / network-ipam ..:ipam1 </link>
import type { ConfigLink, ConfigNode, XmlElement } from '@filament/xmpp';
import { TfObjectError } from './errors.js';
import { IfmapGraph } from './graph.js';
import { attributeNodeName, linkMetadata, nodeName } from './names.js';
import { encodeField, type Where } from './properties.js';
import type { Vocabulary } from './shape.js';
import { isUuid, uuidToHalves } from './uuid.js';
import { TF_VOCABULARY } from './vocabulary.js';

/** A TF REST-shaped object: `fq_name`, `uuid`, `parent_type`, properties and `<type>_refs`. */
export type TfObject = Record<string, unknown>;

/** One entry of a `<type>_refs` list. */
export interface TfRef {
  to: string[];
  uuid?: string;
  /** The link attribute, or null when the reference carries none. */
  attr: unknown;
}

/** The IF-MAP form of one object: what an `<update>` carries for it. */
export interface IfmapObject {
  node: ConfigNode;
  /** One node per reference that carries an attribute. */
  attributeNodes: ConfigNode[];
  /** The parent link (when the object has a parent other than config-root), then the reference links. */
  links: ConfigLink[];
}

// REST fields that are identity, hrefs or derived lists, never properties.
const NOT_PROPERTIES = new Set([
  'uuid',
  'fq_name',
  'name',
  'parent_type',
  'parent_uuid',
  'parent_href',
  'href',
]);

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');
}

/** The IF-MAP node, attribute nodes and links of a TF REST object of `type`. */
export function nodeFromTfObject(
  type: string,
  obj: TfObject,
  vocabulary: Vocabulary = TF_VOCABULARY,
): IfmapObject {
  const fq = obj.fq_name;
  if (!isStringArray(fq)) throw new TfObjectError(type, '', 'fq_name', 'must be a non-empty list of names');
  let uuid: string | undefined;
  if (obj.uuid !== undefined) {
    if (typeof obj.uuid !== 'string' || !isUuid(obj.uuid.toLowerCase())) {
      throw new TfObjectError(type, fq.join(':'), 'uuid', 'not a uuid');
    }
    uuid = obj.uuid.toLowerCase();
  }
  const name = nodeName(type, fq, uuid);
  const where: Where = { type, name };
  const voc = vocabulary.get(type);
  const childFields = new Set<string>();
  for (const [t, v] of vocabulary)
    if (v.parents.includes(type)) childFields.add(`${t.replaceAll('-', '_')}s`);

  const properties: XmlElement[] = [];
  const refs: [toType: string, refs: unknown][] = [];
  let idPermsSeen = false;
  for (const [k, v] of Object.entries(obj)) {
    if (NOT_PROPERTIES.has(k) || k.endsWith('_back_refs') || childFields.has(k)) continue;
    if (k.endsWith('_refs')) {
      refs.push([k.slice(0, -5).replaceAll('_', '-'), v]);
      continue;
    }
    if (k === 'id_perms') {
      idPermsSeen = true;
      if (v !== null && (typeof v !== 'object' || Array.isArray(v))) {
        throw new TfObjectError(type, name, 'id_perms', 'must be an object');
      }
      const perms: Record<string, unknown> = { ...(v as Record<string, unknown> | null) };
      if (uuid !== undefined) perms.uuid = uuidToHalves(uuid);
      else delete perms.uuid;
      encodeField(k, perms, properties, where);
      continue;
    }
    encodeField(k, v, properties, where);
  }
  if (!idPermsSeen && uuid !== undefined)
    encodeField('id_perms', { uuid: uuidToHalves(uuid) }, properties, where);

  const node: ConfigNode = { kind: 'node', type, name, properties };
  const links: ConfigLink[] = [];
  const attributeNodes: ConfigNode[] = [];

  let parentType = typeof obj.parent_type === 'string' ? obj.parent_type : undefined;
  if (parentType === undefined && fq.length > 1) {
    const ps = (voc?.parents ?? []).filter((p) => p !== 'config-root');
    if (ps.length === 1) parentType = ps[0];
  }
  if (parentType !== undefined && parentType !== 'config-root') {
    if (fq.length < 2)
      throw new TfObjectError(type, name, 'parent_type', 'set on an object with a one-name fq_name');
    links.push({
      kind: 'link',
      left: { type: parentType, name: fq.slice(0, -1).join(':') },
      right: { type, name },
      metadata: linkMetadata(parentType, type),
      metadataChildren: [],
    });
  }

  for (const [toType, list] of refs) {
    const field = `${toType.replaceAll('-', '_')}_refs`;
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list)) throw new TfObjectError(type, name, field, 'must be a list');
    list.forEach((r: unknown, i) => {
      if (typeof r !== 'object' || r === null)
        throw new TfObjectError(type, name, `${field}[${i}]`, 'not an object');
      const ref = r as Record<string, unknown>;
      const refUuid = typeof ref.uuid === 'string' ? ref.uuid.toLowerCase() : undefined;
      let target: string;
      if (isStringArray(ref.to)) target = nodeName(toType, ref.to, refUuid);
      else if (toType === 'virtual-machine' && refUuid !== undefined) target = refUuid;
      else throw new TfObjectError(type, name, `${field}[${i}].to`, 'must be the target fq_name');
      const metadata = linkMetadata(type, toType);
      const attr = ref.attr;
      if (attr === null || attr === undefined) {
        links.push({
          kind: 'link',
          left: { type, name },
          right: { type: toType, name: target },
          metadata,
          metadataChildren: [],
        });
        return;
      }
      const attrName = attributeNodeName(name, target);
      const value: XmlElement[] = [];
      encodeField('value', attr, value, where, `${field}[${i}].attr`);
      attributeNodes.push({ kind: 'node', type: metadata, name: attrName, properties: value });
      links.push(
        {
          kind: 'link',
          left: { type, name },
          right: { type: metadata, name: attrName },
          metadata,
          metadataChildren: [],
        },
        {
          kind: 'link',
          left: { type: metadata, name: attrName },
          right: { type: toType, name: target },
          metadata,
          metadataChildren: [],
        },
      );
    });
  }
  return { node, attributeNodes, links };
}

/**
 * The TF REST object of one node, given the links that touch it and the other nodes they lead to (attribute
 * nodes, and targets whose uuid the refs should carry). Throws the node's IfmapError when it does not decode.
 */
export function tfObjectFromNode(
  node: ConfigNode,
  links: readonly ConfigLink[] = [],
  others: readonly ConfigNode[] = [],
  vocabulary: Vocabulary = TF_VOCABULARY,
): TfObject {
  const g = new IfmapGraph({ vocabulary });
  const res = g.apply([{ op: 'update', objects: [node, ...others, ...links] }]);
  const own = res.rejected.find((r) => r.object === node);
  if (own) throw own.error;
  return g.get(node.type, node.name) as TfObject;
}
