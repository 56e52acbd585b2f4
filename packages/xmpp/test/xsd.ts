// Makes the Tungsten Fabric schemas usable by xmllint, at test time, in a scratch directory.
// The schemas are written for TF's generateds code generator, not for a W3C validator: complex types list
// <xsd:element> children directly, <xsd:all> holds maxOccurs="unbounded" elements, and they declare a target
// namespace that the wire format does not use. The rewrite keeps every element, type and enumeration and
// makes the check stricter where it can:
//   - element lists become <xsd:sequence> (so schema ORDER is checked, as the generated encoder writes it);
//   - repeated elements get minOccurs="0" (generateds writes empty lists as `<tag-list />`);
//   - OpenSDN's `required='optional'` becomes minOccurs="0";
//   - the target namespace is dropped (stanzas are unqualified on the wire, found by local name);
//   - `items` and `item` get the `node` and `id` attributes that the pubsub wrapper puts on them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@filament/testkit';
import { REF_DIR } from './helpers.js';

export function rewriteXsd(xsd: string): string {
  let s = xsd.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/\s+xsd:targetNamespace="[^"]*"/, '').replace(/\s+xmlns:ct="[^"]*"/, '');
  s = s.replace(/<xsd:all>/g, '<xsd:sequence>').replace(/<\/xsd:all>/g, '</xsd:sequence>');
  s = s.replace(
    /(<xsd:complexType name="[^"]+">)(\s*(?:<xsd:element[^>]*\/>\s*)+)(<\/xsd:complexType>)/g,
    '$1<xsd:sequence>$2</xsd:sequence>$3',
  );
  s = s.replace(/maxOccurs="unbounded"/g, 'minOccurs="0" maxOccurs="unbounded"');
  s = s.replace(/ required='optional'/g, ' minOccurs="0"');
  s = s.replace(
    /(<xsd:complexType name="\w*ItemsType">[\s\S]*?<\/xsd:sequence>)/,
    '$1<xsd:attribute name="node" type="xsd:string"/>',
  );
  s = s.replace(
    /(<xsd:complexType name="\w*ItemType">[\s\S]*?<\/xsd:sequence>)/,
    '$1<xsd:attribute name="id" type="xsd:string"/>',
  );
  return s;
}

export type SchemaName = 'unicast' | 'enet' | 'multicast' | 'mvpn';

/** Writes the rewritten schema into `dir` and returns its path. */
export function prepareSchema(dir: string, name: SchemaName, variant: 'xsd' | 'xsd-opensdn' = 'xsd'): string {
  const src = readFileSync(join(REF_DIR, variant, `xmpp_${name}.xsd`), 'utf8');
  const out = join(dir, `${variant}-${name}.xsd`);
  writeFileSync(out, rewriteXsd(src));
  return out;
}

/** Validates an `<items>` document; returns xmllint's status and stderr. */
export function xmllint(
  dir: string,
  schema: string,
  doc: string,
  label: string,
): { ok: boolean; stderr: string } {
  const file = join(dir, `${label.replace(/[^\w.-]/g, '_')}.xml`);
  writeFileSync(file, doc);
  const r = run('xmllint', ['--noout', '--schema', schema, file], { allowFail: true });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** The `<items>` element of a route message, or the publish's `<item>` wrapped in `<items>`. */
export function itemsDocument(stanzaXml: string): string {
  const items = stanzaXml.match(/<items[\s\S]*<\/items>/);
  if (items) return items[0];
  const item = stanzaXml.match(/<item>[\s\S]*<\/item>/);
  if (!item) throw new Error('no <items> or <item> in stanza');
  return `<items>${item[0]}</items>`;
}
