// The config XML we produce, checked by xmllint (libxml2), which none of us wrote. Tungsten Fabric's
// vnc_cfg.xsd is not in the reference material (/work/shared/ref/tf-xmpp has the route schemas only), so:
//   - the iq envelope is checked against ifmap-config.xsd, written from PROTOCOL.md section 7 and checked here
//     to accept TF's own example message (examples/cn-config-update.xml);
//   - node properties are checked per identifier type against schemas built from the vocabulary (xsd.ts),
//     which carries vnc_cfg.xsd's element names and simple types; TF's example nodes pass them too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { itWithTool, scratchDir } from '@filament/testkit';
import { chunkConfig, encodeConfig } from '@filament/xmpp';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TF_VOCABULARY } from '../src/index.js';
import { itemsOf, tfObject } from './arbitraries.js';
import { example, HAS_REF, PKG_DIR, REF_MISSING } from './helpers.js';
import { nodeSchema, nodesByType, xmllint } from './xsd.js';

const ENVELOPE = readFileSync(join(PKG_DIR, 'test', 'ifmap-config.xsd'), 'utf8');
const TYPES = [...TF_VOCABULARY.keys()];

/** Property schemas: one per identifier type and one per link attribute type (its `<value>`). */
function schemaFor(type: string): string | undefined {
  const voc = TF_VOCABULARY.get(type);
  if (voc !== undefined) return nodeSchema(type, voc.props);
  for (const [from, v] of TF_VOCABULARY) {
    for (const [to, attr] of Object.entries(v.refs)) {
      if (attr !== null && `${from}-${to}` === type) return nodeSchema(type, { value: attr });
    }
  }
  return undefined;
}

describe('xmllint', () => {
  let dir: { path: string; cleanup: () => void };
  beforeAll(() => {
    dir = scratchDir('filament-ifmap-xsd-');
  });
  afterAll(() => dir?.cleanup());

  function valid(schema: string, doc: string, label: string): void {
    const r = xmllint(dir.path, schema, doc, label);
    expect(r.stderr).toContain('validates');
    expect(r.ok, r.stderr).toBe(true);
  }

  const withRef = HAS_REF
    ? itWithTool
    : (_tool: string, name: string, fn: () => void) => it.skip(`${name} [skipped: ${REF_MISSING}]`, fn);
  withRef('xmllint', "the envelope and property schemas accept TF's example config iq", () => {
    const tf = example('cn-config-update.xml');
    valid(ENVELOPE, tf, 'tf-example');
    for (const [type, nodes] of nodesByType(tf)) {
      valid(schemaFor(type)!, `<nodes>${nodes.join('')}</nodes>`, `tf-example-${type}`);
    }
  });

  itWithTool(
    'xmllint',
    'the schemas have teeth: a wrong type, a 17th object and a stray field are rejected',
    () => {
      const vn = (body: string) =>
        `<nodes><node type="virtual-network"><name>a:b:c</name>${body}</node></nodes>`;
      const schema = schemaFor('virtual-network')!;
      valid(
        schema,
        vn(
          '<virtual-network-properties><vxlan-network-identifier>5</vxlan-network-identifier></virtual-network-properties>',
        ),
        'vn-ok',
      );
      expect(
        xmllint(
          dir.path,
          schema,
          vn(
            '<virtual-network-properties><vxlan-network-identifier>x</vxlan-network-identifier></virtual-network-properties>',
          ),
          'vn-int',
        ).ok,
      ).toBe(false);
      expect(xmllint(dir.path, schema, vn('<router-external>maybe</router-external>'), 'vn-bool').ok).toBe(
        false,
      );
      expect(xmllint(dir.path, schema, vn('<no-such-field>1</no-such-field>'), 'vn-field').ok).toBe(false);
      expect(
        xmllint(
          dir.path,
          schema,
          vn('<id-perms><uuid><uuid-mslong>-1</uuid-mslong></uuid></id-perms>'),
          'vn-uuid',
        ).ok,
      ).toBe(false);
      const node = '<node type="virtual-machine"><name>x</name></node>';
      const iq = (n: number) =>
        `<iq type="set" from="cn" to="default-global-system-config:a/config"><config><update>${node.repeat(n)}</update></config></iq>`;
      valid(ENVELOPE, iq(16), 'iq-16');
      expect(xmllint(dir.path, ENVELOPE, iq(17), 'iq-17').ok).toBe(false);
    },
  );

  itWithTool('xmllint', 'objects of every type, as config iqs, validate', () => {
    const byType = new Map<string, string[]>();
    const iqs: string[] = [];
    for (const type of TYPES) {
      for (const g of fc.sample(tfObject(type), { numRuns: 6, seed: 42 })) {
        for (const chunk of chunkConfig([{ op: 'update', objects: itemsOf(g).objects }])) {
          const xml = encodeConfig(
            'network-control@contrailsystems.com',
            'default-global-system-config:compute-1/config',
            chunk,
          );
          iqs.push(xml);
          for (const [t, nodes] of nodesByType(xml)) byType.set(t, [...(byType.get(t) ?? []), ...nodes]);
        }
      }
    }
    // The envelope schema takes one iq per document: 40 of them; the nodes go per type, all in one document.
    for (const [i, xml] of iqs.slice(0, 40).entries()) valid(ENVELOPE, xml, `iq-${i}`);
    for (const type of TYPES) expect(byType.has(type), type).toBe(true);
    for (const [type, nodes] of byType) {
      const schema = schemaFor(type);
      expect(schema, type).toBeDefined();
      valid(schema!, `<nodes>${nodes.join('\n')}</nodes>`, `nodes-${type}`);
    }
  });
});
