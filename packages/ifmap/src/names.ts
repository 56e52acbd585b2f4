// IF-MAP naming as Tungsten Fabric's IFMap server and agent use it:
//   identifier name   fq_name joined with ':' (a virtual-machine: its uuid)
//   property element  JSON field name with '_' -> '-'           virtual_network_properties <-> virtual-network-properties
//   link metadata     '<from type>-<to type>' for refs, '<parent type>-<child type>' for parent-child
//   link attribute    a node of the metadata type named 'attr(<from name>,<to name>)', linked to both ends
//   ref JSON field    '<to type with _>_refs'

/** The identifier name of an object of `type` with that fq_name and uuid. */
export function nodeName(type: string, fqName: readonly string[], uuid: string | undefined): string {
  if (type === 'virtual-machine' && uuid !== undefined) return uuid;
  return fqName.join(':');
}

export const elementName = (jsonName: string): string => jsonName.replaceAll('_', '-');
export const jsonName = (element: string): string => element.replaceAll('-', '_');
export const linkMetadata = (fromType: string, toType: string): string => `${fromType}-${toType}`;
export const refField = (toType: string): string => `${toType.replaceAll('-', '_')}_refs`;

/** `attr(<from>,<to>)`: the name of the node that carries a reference's attribute. */
export const attributeNodeName = (from: string, to: string): string => `attr(${from},${to})`;
export const isAttributeNodeName = (name: string): boolean => name.startsWith('attr(') && name.endsWith(')');

/** Graph key of one identifier. Tab cannot occur in a type name. */
export const nodeKey = (type: string, name: string): string => `${type}\t${name}`;
