// Schemas for xmllint, made at test time: the properties of one identifier type (or one link attribute) as an
// XML Schema built from the vocabulary, which follows vnc_cfg.xsd's element names and simple types:
// xs:integer, xs:boolean, strings, and UuidType's halves as xs:unsignedLong. Fields of a complex type may come
// in any order and lists repeat (xs:choice maxOccurs="unbounded"), so what is checked is that every element
// is a field of its parent's type and every text is of its field's type.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@filament/testkit';
import { elementName, type Shape } from '../src/index.js';

function elementDecl(name: string, shape: Shape, path: string): string {
  if (path.endsWith('.uuid.uuid_mslong') || path.endsWith('.uuid.uuid_lslong')) {
    return `<xs:element name="${name}" type="xs:unsignedLong"/>`;
  }
  if (shape === 'string') return `<xs:element name="${name}" type="xs:string"/>`;
  if (shape === 'integer') return `<xs:element name="${name}" type="xs:integer"/>`;
  if (shape === 'boolean') return `<xs:element name="${name}" type="xs:boolean"/>`;
  if (shape === 'any') {
    return `<xs:element name="${name}"><xs:complexType mixed="true"><xs:sequence><xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>`;
  }
  if ('list' in shape) return elementDecl(name, shape.list, path);
  return `<xs:element name="${name}"><xs:complexType>${fieldsChoice(shape.fields, path)}</xs:complexType></xs:element>`;
}

function fieldsChoice(fields: Readonly<Record<string, Shape>>, path: string): string {
  const decls = Object.entries(fields).map(([k, s]) => elementDecl(elementName(k), s, `${path}.${k}`));
  if (decls.length === 0) return '';
  return `<xs:choice minOccurs="0" maxOccurs="unbounded">${decls.join('')}</xs:choice>`;
}

/** A schema whose root `<nodes>` holds `<node type="T"><name/>properties</node>` elements of one type. */
export function nodeSchema(type: string, props: Readonly<Record<string, Shape>>): string {
  return `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:element name="nodes"><xs:complexType><xs:sequence>
<xs:element name="node" maxOccurs="unbounded"><xs:complexType><xs:sequence>
<xs:element name="name" type="xs:string"/>
${fieldsChoice(props, '')}
</xs:sequence><xs:attribute name="type" type="xs:string" fixed="${type}" use="required"/></xs:complexType></xs:element>
</xs:sequence></xs:complexType></xs:element>
</xs:schema>
`;
}

export function xmllint(
  dir: string,
  schema: string,
  doc: string,
  label: string,
): { ok: boolean; stderr: string } {
  const base = label.replace(/[^\w.-]/g, '_');
  const schemaFile = join(dir, `${base}.xsd`);
  const docFile = join(dir, `${base}.xml`);
  writeFileSync(schemaFile, schema);
  writeFileSync(docFile, doc);
  const r = run('xmllint', ['--noout', '--schema', schemaFile, docFile], { allowFail: true });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** The `<node type=...>` elements (with properties) of a config iq, by type. */
export function nodesByType(iq: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // Nodes with properties open with <node type="T">\n<name>; link ends are written the same way but carry no
  // properties, and are left out by taking only nodes directly inside <update>/<delete> (not inside <link>).
  const body = iq.replace(/<link>[\s\S]*?<\/link>/g, '');
  for (const m of body.matchAll(/<node type="([^"]+)">[\s\S]*?<\/node>/g)) {
    const list = out.get(m[1]!) ?? [];
    list.push(m[0]);
    out.set(m[1]!, list);
  }
  return out;
}
